//! The flood (洪涝): emergencies, capacity loss and hardship in the hit units.

use super::Allowed::{NonNegative, Share};
use super::{Allowed, Kind, Now, Pressures, Target};
use crate::model::issues::Category;
use serde::{Deserialize, Serialize};

defaults! {
    d_emergency_surge = 40.0;
    d_facility_surge = 2.0;
    d_assistance_surge = 1.5;
    d_hardship = 0.01;
    d_capacity_loss = 0.4;
    d_county_loss_share = 0.5;
}

/// A flood (洪涝): a sudden onset that recedes linearly over its duration. It raises
/// emergency, public-facility and assistance issues, pushes hardship up, damages homes
/// and livelihoods (its strength is the community's `damage`, which lowers residents'
/// sense of security, `behaviour.security_damage`), and takes
/// capacity from the grid, community and township offices it hits (staff stranded or
/// diverted), and `county_loss_share` as much from the county offices of hit counties.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flood {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    /// Peak strength from 0 to 1; at tick t the strength is `intensity · (1 − (t−start)/duration)`.
    pub intensity: f64,
    /// Emergency issue rate multiplier at strength 1 (added to 1).
    #[serde(default = "d_emergency_surge")]
    pub emergency_surge: f64,
    /// Public-facility and assistance rate multipliers at strength 1 (added to 1).
    #[serde(default = "d_facility_surge")]
    pub facility_surge: f64,
    #[serde(default = "d_assistance_surge")]
    pub assistance_surge: f64,
    /// Hardship added per day at strength 1.
    #[serde(default = "d_hardship")]
    pub hardship_per_day: f64,
    /// Share of local office capacity lost at strength 1.
    #[serde(default = "d_capacity_loss")]
    pub capacity_loss: f64,
    /// The county offices of a hit county lose this share of the local loss (an
    /// assumption: they are further from the water).
    #[serde(default = "d_county_loss_share")]
    pub county_loss_share: f64,
}

impl Kind for Flood {
    const NAME: &'static str = "flood";

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("capacity_loss", self.capacity_loss, Share),
            ("county_loss_share", self.county_loss_share, Share),
            ("emergency_surge", self.emergency_surge, NonNegative),
            ("facility_surge", self.facility_surge, NonNegative),
            ("assistance_surge", self.assistance_surge, NonNegative),
            ("hardship_per_day", self.hardship_per_day, NonNegative),
        ]
    }

    fn apply(&self, now: &Now, p: &mut Pressures) {
        if !now.in_window {
            return;
        }
        let s = (self.intensity
            * (1.0 - (now.tick - self.start) as f64 / self.duration.max(1) as f64))
            as f32;
        now.each_hit(p, |e| {
            e.rate_mult[Category::Emergency as usize] *= 1.0 + s * self.emergency_surge as f32;
            e.rate_mult[Category::PublicFacility as usize] *= 1.0 + s * self.facility_surge as f32;
            e.rate_mult[Category::SocialAssistance as usize] *=
                1.0 + s * self.assistance_surge as f32;
            e.hardship_push += s * self.hardship_per_day as f32;
            e.damage += s;
            e.capacity_mult *= 1.0 - s * self.capacity_loss as f32;
        });
        let county_loss = self.county_loss_share as f32 * s * self.capacity_loss as f32;
        for k in now.hit_counties() {
            p.county_capacity[k] *= 1.0 - county_loss;
        }
    }
}
