//! Fragmentation's own mechanisms (条块分割、各自为政、信息孤岛, seeds 000 and 003), and
//! what boundaries cost residents (跑动次数, seed 004):
//!
//! - buck-passing (推诿): an issue whose responsibility is unclear may be sent back by the
//!   office it is handed to: between departments unless horizontal linkage settles who
//!   owns it, between township and county unless vertical linkage does. A bounce costs both
//!   offices a hand-off and the issue the delay there and back;
//! - information silos: each hand-off loses part of the issue's history, so the receiving
//!   office repeats `rework_share × (1 − information_sharing)` of its work;
//! - the territorial boundary: a cross-county issue whose partner never agrees goes to the
//!   city only if vertical linkage carries it there; otherwise no one owns it and it is
//!   dropped;
//! - trips: a resident goes to an office when raising an issue and again at each hand-off
//!   that needs their papers, unless the platform carries the history (information
//!   sharing) or a township one-stop centre (综治中心, 最多跑一地) takes the case, which
//!   horizontal linkage staffs with a share of the township's hours.

use super::issues::Category;
use super::mechanisms::Mechanisms;
use serde::{Deserialize, Serialize};

/// Parameters of silos, buck-passing, the boundary and residents' trips.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiloSpec {
    /// Share of cross-department and cross-region issues whose owner is unclear.
    pub unclear_multi: f64,
    /// Share of other issues above grid level whose owner is unclear.
    pub unclear_single: f64,
    /// Chance that an office sends back an unclear issue handed to it, with no linkage
    /// (× (1 − horizontal) between departments, × (1 − vertical) up the hierarchy).
    pub bounce_rate: f64,
    /// Each earlier bounce of the same issue multiplies the chance of another by this.
    pub bounce_repeat: f64,
    /// Share of an issue's work repeated at each hand-off with no information sharing
    /// (× (1 − information_sharing)).
    pub rework_share: f64,
    /// When a county gives up waiting for its partner, the city takes the issue with chance
    /// `boundary_city_weight × vertical` (at most 1); otherwise it is dropped.
    pub boundary_city_weight: f64,
    /// Chance that a hand-off needs the resident to come in again, with no information
    /// sharing and no one-stop centre.
    pub trip_per_handoff: f64,
    /// Share of a township office's hours its one-stop centre takes at full horizontal
    /// linkage (× horizontal).
    pub one_stop_share: f64,
}

impl Default for SiloSpec {
    fn default() -> Self {
        SiloSpec {
            unclear_multi: 0.7,
            unclear_single: 0.1,
            bounce_rate: 0.8,
            bounce_repeat: 0.5,
            rework_share: 0.3,
            boundary_city_weight: 1.0,
            trip_per_handoff: 0.8,
            one_stop_share: 0.15,
        }
    }
}

/// Share of new issues of `category` whose owner is unclear.
pub fn unclear_share(spec: &SiloSpec, category: Category) -> f64 {
    match category {
        Category::CrossDepartment | Category::CrossRegion => spec.unclear_multi,
        Category::Routine => 0.0,
        _ => spec.unclear_single,
    }
}

/// Which boundary a hand-off crosses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Between departments (a referral, or the next stage).
    Sideways,
    /// Up the hierarchy (an escalation).
    Upward,
}

/// Chance that the receiving office sends back an unclear issue that has already
/// bounced `bounces` times.
pub fn bounce_chance(spec: &SiloSpec, mech: &Mechanisms, boundary: Boundary, bounces: u32) -> f64 {
    let linkage = match boundary {
        Boundary::Sideways => mech.horizontal,
        Boundary::Upward => mech.vertical,
    };
    (spec.bounce_rate * (1.0 - linkage) * spec.bounce_repeat.powi(bounces as i32)).clamp(0.0, 1.0)
}

/// Staff-hours repeated at a hand-off of an issue of `work_total` hours.
pub fn rework(spec: &SiloSpec, mech: &Mechanisms, work_total: f32) -> f32 {
    (spec.rework_share * (1.0 - mech.information_sharing)).max(0.0) as f32 * work_total
}

/// Chance that the city takes over a cross-county issue whose partner never agreed.
pub fn city_takes_chance(spec: &SiloSpec, mech: &Mechanisms) -> f64 {
    (spec.boundary_city_weight * mech.vertical).clamp(0.0, 1.0)
}

/// Chance that a hand-off costs the resident a trip; `one_stop` the share of its hours
/// their township's one-stop centre is staffed with today ([`one_stop_staffed`]).
pub fn trip_chance(spec: &SiloSpec, mech: &Mechanisms, one_stop: f64) -> f64 {
    let centre = mech.horizontal * one_stop.clamp(0.0, 1.0);
    (spec.trip_per_handoff * (1.0 - mech.information_sharing) * (1.0 - centre)).clamp(0.0, 1.0)
}

/// Share of the hours it wants that a one-stop centre is staffed with: `paid` of
/// `wanted` (a centre that wants none is not staffed).
pub fn one_stop_staffed(paid: f64, wanted: f64) -> f64 {
    if wanted > 0.0 {
        (paid / wanted).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Share of a township office's hours its one-stop centre takes today.
pub fn one_stop_share(spec: &SiloSpec, mech: &Mechanisms) -> f64 {
    (spec.one_stop_share * mech.horizontal).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mech(horizontal: f64, vertical: f64, information_sharing: f64) -> Mechanisms {
        Mechanisms {
            horizontal,
            vertical,
            information_sharing,
            ..Mechanisms::preset("fragmented").unwrap()
        }
    }

    #[test]
    fn linkage_settles_ownership_and_bounces_tire() {
        let s = SiloSpec::default();
        let silo = mech(0.0, 0.0, 0.0);
        assert!((bounce_chance(&s, &silo, Boundary::Sideways, 0) - s.bounce_rate).abs() < 1e-12);
        assert!(
            bounce_chance(&s, &silo, Boundary::Sideways, 1)
                < bounce_chance(&s, &silo, Boundary::Sideways, 0)
        );
        let joined = mech(1.0, 0.0, 0.0);
        assert_eq!(bounce_chance(&s, &joined, Boundary::Sideways, 0), 0.0);
        assert!(bounce_chance(&s, &joined, Boundary::Upward, 0) > 0.0);
        assert_eq!(
            bounce_chance(&s, &mech(0.0, 1.0, 0.0), Boundary::Upward, 0),
            0.0
        );
    }

    #[test]
    fn sharing_keeps_the_history_and_spares_trips() {
        let s = SiloSpec::default();
        assert!((rework(&s, &mech(0.0, 0.0, 0.0), 10.0) - 3.0).abs() < 1e-6);
        assert_eq!(rework(&s, &mech(0.0, 0.0, 1.0), 10.0), 0.0);
        assert!(
            trip_chance(&s, &mech(0.0, 0.0, 0.5), 0.0) > trip_chance(&s, &mech(0.8, 0.0, 0.5), 1.0)
        );
        assert_eq!(
            trip_chance(&s, &mech(0.8, 0.0, 0.5), 0.0),
            trip_chance(&s, &mech(0.0, 0.0, 0.5), 0.0)
        );
        // A half-staffed centre spares half the trips a fully staffed one spares.
        let none = trip_chance(&s, &mech(0.8, 0.0, 0.5), 0.0);
        let full = trip_chance(&s, &mech(0.8, 0.0, 0.5), 1.0);
        let half = trip_chance(&s, &mech(0.8, 0.0, 0.5), 0.5);
        assert!((half - (none + full) / 2.0).abs() < 1e-12);
        assert_eq!(one_stop_staffed(1.0, 4.0), 0.25);
        assert_eq!(one_stop_staffed(5.0, 4.0), 1.0);
        assert_eq!(one_stop_staffed(0.0, 0.0), 0.0);
    }

    #[test]
    fn routine_issues_have_an_owner_and_multi_boundary_ones_often_do_not() {
        let s = SiloSpec::default();
        assert_eq!(unclear_share(&s, Category::Routine), 0.0);
        assert!(
            unclear_share(&s, Category::CrossDepartment)
                > unclear_share(&s, Category::PublicFacility)
        );
    }
}
