//! What the other links cost (MODEL.md §5, "what it costs"), beyond hand-offs, meetings,
//! reports and callbacks (paid where they happen) and social linkage's upkeep
//! (`organisations`):
//!
//! - spatial linkage (以城带乡): removing the rural handicap is an investment, not a
//!   switch. The city pays `uplift_budget_per_1000 × spatial` a day per 1,000 rural
//!   residents from its reserve; while paid, the rural uplift grows towards `spatial` with
//!   time constant `uplift_days`; unpaid, it wears away at the same pace. What the core
//!   lends to rural offices costs it `travel_share` more hours on the road;
//! - information sharing (一网统管): the platform costs the city reserve
//!   `platform_budget_per_1000 × information_sharing` a day per 1,000 residents, and every
//!   reported issue costs its grid `data_entry_hours × information_sharing` of entry;
//! - the leading group (领导小组): while it sits, the city centre and every county general
//!   office give `leading_group_share` of their hours a day, and city departments
//!   lose `leading_group_attention` of their hours to it.

use super::mechanisms::Mechanisms;
use serde::{Deserialize, Serialize};

/// Parameters of the costs of spatial linkage, the platform and the leading group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostSpec {
    /// Days for the rural uplift to cover 63% of the way to its target while paid (and to
    /// wear away as fast unpaid).
    pub uplift_days: f64,
    /// City reserve units a day per 1,000 rural residents at full spatial linkage.
    pub uplift_budget_per_1000: f64,
    /// Extra hours on the road per hour an urban office lends to a rural one.
    pub travel_share: f64,
    /// City reserve units a day per 1,000 residents the platform costs at full
    /// information sharing.
    pub platform_budget_per_1000: f64,
    /// Grid staff-hours of data entry per reported issue at full information sharing.
    pub data_entry_hours: f64,
    /// Share of the city centre's and of each county general office's hours the leading
    /// group takes (senior staff time) while it sits.
    pub leading_group_share: f64,
    /// Share of city departments' hours the leading group pulls away while it sits.
    pub leading_group_attention: f64,
}

impl Default for CostSpec {
    fn default() -> Self {
        CostSpec {
            uplift_days: 120.0,
            uplift_budget_per_1000: 0.03,
            travel_share: 0.25,
            platform_budget_per_1000: 0.02,
            data_entry_hours: 0.1,
            leading_group_share: 0.2,
            leading_group_attention: 0.1,
        }
    }
}

/// Reserve units the rural investment costs today.
pub fn uplift_cost(spec: &CostSpec, mech: &Mechanisms, rural_residents: f64) -> f64 {
    spec.uplift_budget_per_1000 * mech.spatial * rural_residents / 1000.0
}

/// The rural uplift after today: towards `spatial` when the investment was `paid`,
/// towards 0 when not, by `1 / uplift_days` of the way.
pub fn uplift_after(spec: &CostSpec, mech: &Mechanisms, uplift: f64, paid: bool) -> f64 {
    let target = if paid { mech.spatial } else { 0.0 };
    let step = 1.0 / spec.uplift_days.max(1.0);
    (uplift + (target - uplift) * step).clamp(0.0, 1.0)
}

/// Reserve units the platform costs today.
pub fn platform_cost(spec: &CostSpec, mech: &Mechanisms, residents: f64) -> f64 {
    spec.platform_budget_per_1000 * mech.information_sharing * residents / 1000.0
}

/// Share of a cost `wanted` that `paid` covers, in [0, 1] (1 for a cost of nothing).
pub fn paid_share(paid: f64, wanted: f64) -> f64 {
    if wanted > 0.0 {
        (paid / wanted).clamp(0.0, 1.0)
    } else {
        1.0
    }
}

/// Grid staff-hours of data entry for one reported issue.
pub fn data_entry(spec: &CostSpec, mech: &Mechanisms) -> f64 {
    spec.data_entry_hours * mech.information_sharing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_paid_is_bounded_and_whole_for_a_free_cost() {
        assert_eq!(paid_share(5.0, 10.0), 0.5);
        assert_eq!(paid_share(12.0, 10.0), 1.0);
        assert_eq!(paid_share(0.0, 10.0), 0.0);
        assert_eq!(paid_share(0.0, 0.0), 1.0);
    }

    fn mech(spatial: f64, information_sharing: f64) -> Mechanisms {
        Mechanisms {
            spatial,
            information_sharing,
            ..Mechanisms::preset("fragmented").unwrap()
        }
    }

    #[test]
    fn the_rural_uplift_takes_time_and_wears_away_unpaid() {
        let s = CostSpec::default();
        let m = mech(0.6, 0.0);
        let mut u = 0.0;
        for _ in 0..s.uplift_days as usize {
            u = uplift_after(&s, &m, u, true);
        }
        assert!(u > 0.6 * 0.6 && u < 0.6 * 0.7, "{u}");
        for _ in 0..2000 {
            u = uplift_after(&s, &m, u, true);
        }
        assert!((u - 0.6).abs() < 1e-6);
        assert!(uplift_after(&s, &m, u, false) < u);
        assert_eq!(uplift_after(&s, &mech(0.0, 0.0), 0.0, true), 0.0);
    }

    #[test]
    fn costs_follow_their_mechanisms() {
        let s = CostSpec::default();
        assert_eq!(uplift_cost(&s, &mech(0.0, 1.0), 1000.0), 0.0);
        assert!(uplift_cost(&s, &mech(0.6, 0.0), 1000.0) > 0.0);
        assert_eq!(platform_cost(&s, &mech(1.0, 0.0), 1000.0), 0.0);
        assert!(
            platform_cost(&s, &mech(0.0, 0.8), 1000.0) > platform_cost(&s, &mech(0.0, 0.2), 1000.0)
        );
        assert!(data_entry(&s, &mech(0.0, 0.8)) > data_entry(&s, &mech(0.0, 0.2)));
    }
}
