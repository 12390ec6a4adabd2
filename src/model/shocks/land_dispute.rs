//! The land dispute: contentious land requisition; hardship up and trust down in a
//! township, so grievance crosses Epstein's threshold and protest spills over ties.

use super::Allowed::{NonNegative, Share};
use super::{Allowed, Kind, Now, Pressures, Target};
use crate::model::issues::Category;
use serde::{Deserialize, Serialize};

defaults! {
    d_hardship = 0.012;
    d_trust = 0.012;
    d_disputes = 3.0;
}

/// Contentious policy (land requisition, 征地): in the target (typically one township)
/// hardship rises by `hardship_per_day` and trust falls by `trust_loss_per_day` a day at
/// strength 1, and neighbour disputes multiply by `1 + dispute_surge`. Grievance
/// `H(1−L)` crosses Epstein's threshold, protest starts, and spreads along ties into
/// neighbouring communities; mediation capacity decides how far.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LandDispute {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_hardship")]
    pub hardship_per_day: f64,
    #[serde(default = "d_trust")]
    pub trust_loss_per_day: f64,
    #[serde(default = "d_disputes")]
    pub dispute_surge: f64,
}

impl Kind for LandDispute {
    const NAME: &'static str = "land_dispute";

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("hardship_per_day", self.hardship_per_day, Share),
            ("trust_loss_per_day", self.trust_loss_per_day, Share),
            ("dispute_surge", self.dispute_surge, NonNegative),
        ]
    }

    fn apply(&self, now: &Now, p: &mut Pressures) {
        if !now.in_window {
            return;
        }
        let s = self.intensity as f32;
        now.each_hit(p, |e| {
            e.hardship_push += s * self.hardship_per_day as f32;
            e.trust_push -= s * self.trust_loss_per_day as f32;
            e.rate_mult[Category::NeighbourDispute as usize] *= 1.0 + s * self.dispute_surge as f32;
        });
    }
}
