//! The epidemic: SEIR over the tie graph; the sick raise health and supply issues; sick
//! staff cut office capacity; quarantine thins the ties that carry infection.

use super::Allowed::Share;
use super::{Allowed, DAYS, Kind, Now, Pressures, Target};
use crate::model::issues::Category;
use serde::{Deserialize, Serialize};

defaults! {
    d_seed_share = 0.002;
    d_transmission = 0.04;
    d_incubation = 3.0;
    d_infectious = 7.0;
    d_quarantine = 0.5;
    d_staff_sickness = 1.0;
    d_health_issue = 0.03;
    d_supply_issue = 0.01;
}

/// An epidemic: SEIR over the tie graph. At `start`, `seed_share` of the residents in
/// the target fall ill. Each day a susceptible resident is infected with probability
/// `1 − (1 − β)^W`, W the summed weight of its infectious ties (1 for a strong tie, the
/// weak-tie weight for a weak one),
/// β = `transmission · intensity`; exposed residents turn infectious after
/// `incubation_days` and recover after `infectious_days` on average (geometric). The
/// disease runs its course to the end of the run; during the window
/// `[start, start+duration)` quarantine cuts every tie's transmission by `quarantine`.
/// Infectious residents raise health (emergency) and supply (assistance) issues; staff fall
/// sick like everyone else, so each county's office capacity falls by
/// `staff_sickness × (its share infectious)`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Epidemic {
    pub start: u32,
    pub duration: u32,
    pub target: Target,
    pub intensity: f64,
    #[serde(default = "d_seed_share")]
    pub seed_share: f64,
    #[serde(default = "d_transmission")]
    pub transmission: f64,
    #[serde(default = "d_incubation")]
    pub incubation_days: f64,
    #[serde(default = "d_infectious")]
    pub infectious_days: f64,
    #[serde(default = "d_quarantine")]
    pub quarantine: f64,
    #[serde(default = "d_staff_sickness")]
    pub staff_sickness: f64,
    /// Daily chance an infectious resident raises a health issue, and a supply issue.
    #[serde(default = "d_health_issue")]
    pub health_issue_rate: f64,
    #[serde(default = "d_supply_issue")]
    pub supply_issue_rate: f64,
}

impl Kind for Epidemic {
    const NAME: &'static str = "epidemic";
    const ONE_PER_SCENARIO: Option<&'static str> = Some("one disease state per resident");

    fn fields(&self) -> Vec<(&'static str, f64, Allowed)> {
        vec![
            ("seed_share", self.seed_share, Share),
            ("transmission", self.transmission, Share),
            ("quarantine", self.quarantine, Share),
            ("staff_sickness", self.staff_sickness, Share),
            ("health_issue_rate", self.health_issue_rate, Share),
            ("supply_issue_rate", self.supply_issue_rate, Share),
            ("incubation_days", self.incubation_days, DAYS),
            ("infectious_days", self.infectious_days, DAYS),
        ]
    }

    /// From `start` to the end of the run (not only the window): seed on the first day,
    /// set the disease process (quarantine during the window) and cut county and city
    /// capacity by last tick's share of sick staff.
    fn apply(&self, now: &Now, p: &mut Pressures) {
        if now.tick < self.start {
            return;
        }
        if now.tick == self.start {
            let seed = self.seed_share as f32;
            now.each_hit(p, |x| x.epidemic_seed += seed);
        }
        let quarantine = if now.in_window { self.quarantine } else { 0.0 };
        let mut sick_rates = [0.0f32; 8];
        sick_rates[Category::Emergency as usize] = self.health_issue_rate as f32;
        sick_rates[Category::SocialAssistance as usize] = self.supply_issue_rate as f32;
        p.epidemic = Some(EpidemicNow {
            transmission: (self.transmission * self.intensity * (1.0 - quarantine)) as f32,
            p_onset: (1.0 / self.incubation_days.max(1.0)) as f32,
            p_recover: (1.0 / self.infectious_days.max(1.0)) as f32,
            sick_rates,
            staff_sickness: self.staff_sickness as f32,
        });
        let sick = now.county_infectious;
        for (k, c) in p.county_capacity.iter_mut().enumerate() {
            *c *= 1.0 - self.staff_sickness as f32 * sick.get(k).copied().unwrap_or(0.0);
        }
        let mean: f32 = sick.iter().sum::<f32>() / sick.len().max(1) as f32;
        p.city_capacity *= 1.0 - self.staff_sickness as f32 * mean;
    }
}

/// The disease process this tick (present from the epidemic's start to the run's end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpidemicNow {
    /// Per-contact daily transmission probability after quarantine.
    pub transmission: f32,
    pub p_onset: f32,
    pub p_recover: f32,
    /// Extra daily issue probabilities of an infectious resident, by category.
    pub sick_rates: [f32; 8],
    pub staff_sickness: f32,
}

/// Share of a county's `residents` infectious, `infected` of them (0 for none): what
/// tomorrow's sick staff follow (`county_infectious` of a [`super::Now`]).
pub fn infectious_share(infected: u64, residents: u64) -> f32 {
    infected as f32 / residents.max(1) as f32
}

/// One day of the disease for one person (the SEIR rule of [`Epidemic`], shared by the
/// engine and the validation models): `infectious_weight` is the summed weight of
/// infectious contacts, `u` a uniform draw from 0 (inclusive) to 1 (exclusive).
#[inline]
pub fn next_health(state: u8, infectious_weight: f32, ep: &EpidemicNow, u: f32) -> u8 {
    use crate::model::residents::{EXPOSED, INFECTED, RECOVERED, SUSCEPTIBLE};
    match state {
        SUSCEPTIBLE if infectious_weight > 0.0 => {
            let p = 1.0 - (1.0 - ep.transmission).powf(infectious_weight);
            if u < p { EXPOSED } else { SUSCEPTIBLE }
        }
        EXPOSED if u < ep.p_onset => INFECTED,
        INFECTED if u < ep.p_recover => RECOVERED,
        s => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_infectious_share_is_of_the_county_and_zero_when_empty() {
        assert_eq!(infectious_share(5, 20), 0.25);
        assert_eq!(infectious_share(0, 0), 0.0);
    }
}
