//! The factory closure: a share of working-age residents lose income (hardship), file
//! their claims at lay-off (registration, assistance, unpaid wages) through the regime's
//! issue flow, turn against the government while their claims go unanswered, and may
//! protest together with their co-workers.

use super::Allowed::{NonNegative, Share};
use super::{Allowed, DAYS, Kind, Now, Pressures, Target};
use serde::{Deserialize, Serialize};

defaults! {
    d_worker_share = 0.3;
    d_hardship = 0.01;
    d_assistance = 4.0;
    d_claims_per_worker = 2.0;
    d_claim_days = 10.0;
    d_wage_share = 0.3;
    d_claim_wait_trust = 0.003;
    d_claim_relief = 0.7;
    d_coworker_pull = 1.5;
}

/// An economic closure (a factory closes): `intensity · worker_share` of the working-age
/// residents in the target lose income for the window. They gain `hardship_per_day` a day
/// and raise assistance issues at `1 + assistance_surge` times the usual rate. The same
/// residents are hit every day (a fixed draw per resident).
///
/// At lay-off, in the first `claim_days` days of the window, each laid-off worker files
/// `claims_per_worker` claims on average (a chance `claims_per_worker / claim_days` a day,
/// at most one issue a day): a share `wage_share` are unpaid-wage disputes (labour
/// bureau and another department: a cross-department issue), the rest registration and
/// assistance (social assistance, paid from the county's budget). The claims go through
/// the regime's issue flow like any other issue. While a worker's claims are open it
/// loses `claim_wait_trust` of trust a day per open claim (and an expired claim costs
/// what any expiry costs); once one is answered (resolved) its daily hardship falls by
/// the share `claim_relief` (severance, benefit or wages paid). A laid-off worker's
/// protest threshold is lowered by `coworker_pull` × the share of its community's
/// laid-off co-workers who protested yesterday.
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
    #[serde(default = "d_claims_per_worker")]
    pub claims_per_worker: f64,
    #[serde(default = "d_claim_days")]
    pub claim_days: f64,
    #[serde(default = "d_wage_share")]
    pub wage_share: f64,
    #[serde(default = "d_claim_wait_trust")]
    pub claim_wait_trust: f64,
    #[serde(default = "d_claim_relief")]
    pub claim_relief: f64,
    #[serde(default = "d_coworker_pull")]
    pub coworker_pull: f64,
}

impl Kind for Closure {
    const NAME: &'static str = "closure";

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("worker_share", self.worker_share, Share),
            ("hardship_per_day", self.hardship_per_day, Share),
            ("assistance_surge", self.assistance_surge, NonNegative),
            (
                "claims_per_worker",
                self.claims_per_worker,
                Allowed::Range(0.0, 10.0),
            ),
            ("claim_days", self.claim_days, DAYS),
            ("wage_share", self.wage_share, Share),
            ("claim_wait_trust", self.claim_wait_trust, Share),
            ("claim_relief", self.claim_relief, Share),
            ("coworker_pull", self.coworker_pull, NonNegative),
        ]
    }

    fn apply(&self, now: &Now, p: &mut Pressures) {
        if !now.in_window {
            return;
        }
        let share = (self.intensity * self.worker_share) as f32;
        let day = now.tick.saturating_sub(self.start) as f64;
        let claims = if day < self.claim_days {
            (self.claims_per_worker / self.claim_days).min(1.0) as f32
        } else {
            0.0
        };
        now.each_hit(p, |e| {
            e.worker_share += share;
            e.worker_hardship += self.hardship_per_day as f32;
            e.worker_assistance *= 1.0 + self.assistance_surge as f32;
            e.worker_claims += claims;
            e.wage_share += self.wage_share as f32;
            e.claim_wait_trust += self.claim_wait_trust as f32;
            e.claim_relief += self.claim_relief as f32;
            e.coworker_pull += self.coworker_pull as f32;
        });
    }
}
