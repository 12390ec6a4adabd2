//! Collective action (群体性事件), after Epstein (2002) Model I adapted to the network
//! (MODEL.md §7): grievance `G = H(1−L)`; estimated risk `P = 1 − exp(−k·⌊C/(A+1)⌋)`,
//! with `C` the mediators present in the resident's grid and `A` the active protesters
//! among the resident's ties (the resident's "view", so protest spills over weak ties
//! into other communities: 交叠共振); active when `G − R·P > T`. Mediation (矛盾调处)
//! takes the place of arrest: a mediated resident stays quiet for a while.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectiveSpec {
    /// Epstein's k (2.3 makes P ≈ 0.9 when C/(A+1) = 1).
    pub k: f64,
    /// Epstein's threshold T.
    pub threshold: f64,
    /// Days a mediated resident stays quiet (Epstein's jail term).
    pub mediation_days: u8,
    /// Hardship relief of a mediation.
    pub mediation_relief: f64,
    /// Share of a community's residents active at once that makes an incident.
    pub incident_share: f64,
    /// Mediators present in a grid per staff-equivalent of grid, community-mediation and
    /// organisation capacity serving it (turns staffing into Epstein's `C`).
    pub presence_scale: f64,
    /// An incident ends when the active share falls below `incident_share` × this.
    #[serde(default = "default_incident_end_ratio")]
    pub incident_end_ratio: f64,
    /// Grievance `H(1−L)` above which a resident whose issue ended unsolved may take it
    /// over the city's head (越级上访 to the province: the contradiction leaves the city,
    /// 不外溢 fails, seed 003).
    #[serde(default = "default_petition_threshold")]
    pub petition_threshold: f64,
    /// Chance that such a resident petitions, per unsolved issue.
    #[serde(default = "default_petition_rate")]
    pub petition_rate: f64,
}

fn default_incident_end_ratio() -> f64 {
    0.5
}

fn default_petition_threshold() -> f64 {
    0.1
}

fn default_petition_rate() -> f64 {
    0.3
}

/// Chance that a resident whose issue ended unsolved, with `grievance` after feeling it,
/// petitions over the city's head.
pub fn petition_chance(spec: &CollectiveSpec, grievance: f32) -> f64 {
    if (grievance as f64) > spec.petition_threshold {
        spec.petition_rate
    } else {
        0.0
    }
}

/// Share of a community's `residents` active today, `active` of them protesting (0 for
/// an empty community): what [`incident_after`] compares with `incident_share`.
pub fn active_share(active: u32, residents: usize) -> f64 {
    active as f64 / residents.max(1) as f64
}

/// Whether a community has an incident after today, given whether it had one and the
/// share of its residents active: one starts above `incident_share` and ends below
/// `incident_share × incident_end_ratio`.
pub fn incident_after(spec: &CollectiveSpec, ongoing: bool, active_share: f64) -> bool {
    if ongoing {
        active_share >= spec.incident_share * spec.incident_end_ratio
    } else {
        active_share > spec.incident_share
    }
}

/// Epstein's rule. Returns whether the resident turns (or stays) active.
#[inline]
pub fn turns_active(
    spec: &CollectiveSpec,
    hardship: f32,
    trust: f32,
    risk_aversion: f32,
    mediators: f32,
    active_in_view: u32,
) -> bool {
    let grievance = hardship * (1.0 - trust);
    let seen = active_in_view as f32 + 1.0;
    // Fewer mediators than protesters in view (the common case) deter nothing: the
    // ratio floors to 0 and the risk is exactly 0, without calling floor or exp.
    let risk = if mediators < seen {
        0.0
    } else {
        1.0 - (-(spec.k as f32) * (mediators / seen).floor()).exp()
    };
    grievance - risk_aversion * risk > spec.threshold as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CollectiveSpec {
        CollectiveSpec {
            k: 2.3,
            threshold: 0.1,
            mediation_days: 10,
            mediation_relief: 0.05,
            incident_share: 0.02,
            presence_scale: 4.0,
            incident_end_ratio: 0.5,
            petition_threshold: 0.1,
            petition_rate: 0.3,
        }
    }

    #[test]
    fn an_incident_starts_above_its_share_and_ends_below_the_lower_one() {
        let s = spec();
        assert!(!incident_after(&s, false, 0.02));
        assert!(incident_after(&s, false, 0.03));
        assert!(incident_after(&s, true, 0.015));
        assert!(incident_after(&s, true, 0.01));
        assert!(!incident_after(&s, true, 0.009));
    }

    #[test]
    fn the_active_share_is_of_the_community_and_zero_when_empty() {
        assert_eq!(active_share(3, 100), 0.03);
        assert_eq!(active_share(0, 0), 0.0);
        assert!(incident_after(&spec(), false, active_share(3, 100)));
    }
    #[test]
    fn deterrence_vanishes_when_protesters_outnumber_mediators() {
        let s = spec();
        // G = 0.8 * 0.5 = 0.4; with P ≈ 0.9 and R = 0.5, 0.4 − 0.45 < 0.1: quiet.
        assert!(!turns_active(&s, 0.8, 0.5, 0.5, 2.0, 1));
        // Two mediators, two active in view: ⌊2/3⌋ = 0, P = 0: active.
        assert!(turns_active(&s, 0.8, 0.5, 0.5, 2.0, 2));
    }

    #[test]
    fn legitimate_government_sees_no_protest() {
        assert!(!turns_active(&spec(), 1.0, 0.95, 0.0, 0.0, 100));
    }
}
