//! The fiscal cut: staff capacity and budget income cut in the target counties.

use super::Allowed::Share;
use super::{Allowed, Kind, Now, Pressures, Target};
use serde::{Deserialize, Serialize};

defaults! {
    d_staff_cut = 0.3;
    d_budget_cut = 0.6;
}

/// A fiscal cut: in the target counties (every county and the city when none is named)
/// staff capacity falls by `intensity · staff_cut` (posts frozen, overtime cut) and
/// assistance budget income by `intensity · budget_cut` for the window.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiscalCut {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_staff_cut")]
    pub staff_cut: f64,
    #[serde(default = "d_budget_cut")]
    pub budget_cut: f64,
}

impl Kind for FiscalCut {
    const NAME: &'static str = "fiscal_cut";

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("staff_cut", self.staff_cut, Share),
            ("budget_cut", self.budget_cut, Share),
        ]
    }

    fn apply(&self, now: &Now, p: &mut Pressures) {
        if !now.in_window {
            return;
        }
        let staff = 1.0 - (self.intensity * self.staff_cut) as f32;
        let budget = 1.0 - (self.intensity * self.budget_cut) as f32;
        now.each_hit(p, |e| e.capacity_mult *= staff);
        for k in now.hit_counties() {
            p.county_capacity[k] *= staff;
            p.county_budget[k] *= budget;
        }
        if self.target.counties.is_empty() {
            p.city_capacity *= staff;
            p.city_budget *= budget;
        }
    }
}
