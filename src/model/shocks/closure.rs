//! The factory closure: a share of working-age residents lose income (hardship) and ask
//! for assistance.

use super::Allowed::{NonNegative, Share};
use super::{Allowed, Kind, Now, Pressures, Target};
use serde::{Deserialize, Serialize};

defaults! {
    d_worker_share = 0.3;
    d_hardship = 0.01;
    d_assistance = 4.0;
}

/// An economic closure (a factory closes): `intensity · worker_share` of the working-age
/// residents in the target lose income for the window. They gain `hardship_per_day` a day
/// and raise assistance issues at `1 + assistance_surge` times the usual rate. The same
/// residents are hit every day (a fixed draw per resident).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_worker_share")]
    pub worker_share: f64,
    #[serde(default = "d_hardship")]
    pub hardship_per_day: f64,
    #[serde(default = "d_assistance")]
    pub assistance_surge: f64,
}

impl Kind for Closure {
    const NAME: &'static str = "closure";

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("worker_share", self.worker_share, Share),
            ("hardship_per_day", self.hardship_per_day, Share),
            ("assistance_surge", self.assistance_surge, NonNegative),
        ]
    }

    fn apply(&self, now: &Now, p: &mut Pressures) {
        if !now.in_window {
            return;
        }
        let share = (self.intensity * self.worker_share) as f32;
        now.each_hit(p, |e| {
            e.worker_share += share;
            e.worker_hardship += self.hardship_per_day as f32;
            e.worker_assistance *= 1.0 + self.assistance_surge as f32;
        });
    }
}
