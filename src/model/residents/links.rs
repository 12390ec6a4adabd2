//! Link strength (联结强度) as a state, and shared goals (共同目标): the two elements of
//! linkage governance in `002` (MODEL.md §6).
//!
//! `002`: "联动治理的有效运行有赖于两大要素。一是联结强度 … 联结越松散 … 对共同目标认同度越
//! 低，越难以形成共同行动。二是行动决策 … 受到各主体能力、主体认知、主体所处的外部环境的共同
//! 作用". Links are produced, not given: a resident's link strength starts from the build
//! formula ([`super::build::link_strength`]) and then changes every day,
//!
//! ```text
//! growth = min(1, contact_gain × contact + member_gain × membership + service_gain × service)
//! link'  = link + growth × (1 − link) − decay × max(0, link − floor)
//! ```
//!
//! - `contact`: the chance a grid worker reaches the resident today: the resident's
//!   reachability (its drawn contact with grid staff) × the visits its grid's outreach
//!   delivered yesterday per resident ([`visit_chance`]). Outreach costs grid
//!   staff-hours ([`outreach_plan`], ∝ social linkage): the regime's investment sets how
//!   fast links grow, and the hours come out of the grid office's capacity;
//! - `membership`: for a member of a social organisation, the share of its community's
//!   organisations active yesterday (membership of a dormant organisation builds nothing);
//! - `service`: the resident's recent solved issues (the recency-weighted count the sense
//!   of gain uses): being served builds the tie;
//! - `floor`: the part of the starting value that comes from ties to neighbours
//!   (血缘地缘, the fixed tie graph), which does not erode; what was built by staff,
//!   organisations and service decays without them.
//!
//! With `growth` and `decay` in [0, 1], `link'` stays in [floor, 1] ⊂ [0, 1].
//!
//! Shared goals ([`shared_goals`]) are the incentives, volunteer points and recognition
//! that turn links into action: a resident volunteers, and an organisation activates,
//! with a chance ∝ link × shared goals (plus activated neighbours for residents). Where
//! links exist without shared goals, the linked do not act: "只联不动". Departments
//! linked on the platform have shared goals of their own (joint assessment, the leading
//! group; `model::platform`), whose parameters are here too.

use crate::model::unit;
use serde::{Deserialize, Serialize};

/// The rules of link strength and shared goals. A section of its own (`[links]`), every
/// field defaulted: a scenario file written before link strength moved loads unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkSpec {
    /// Grid staff-hours of outreach (走访: visits to residents) a day per 1,000
    /// residents at full social linkage; a grid plans `social ×` this, and pays it from
    /// its office's hours ([`outreach_delivered`]).
    pub outreach_hours_per_1000: f64,
    /// Share of the planned outreach a grid pays before any issue work (a duty it keeps
    /// under any load); the rest only from the hours its queue's casework leaves.
    pub outreach_priority: f64,
    /// Staff-hours per resident reached by outreach (a household visit of about 20
    /// minutes reaches about three residents).
    pub contact_hours: f64,
    /// Share of the gap to full link strength (1 − link) that one visit closes.
    pub contact_gain: f64,
    /// Share of the gap closed per day of membership of an active organisation.
    pub member_gain: f64,
    /// Share of the gap closed per day per recent solved issue (recency-weighted as the
    /// sense of gain counts them, `behaviour.gain_memory_days`).
    pub service_gain: f64,
    /// Daily share of the built part of link strength (above the neighbour floor) lost.
    pub decay: f64,
    /// Shared goals (共同目标) in [0, 1]: `goals_base + social × (goals_recognition +
    /// goals_points × behaviour.points_per_day)`, clamped. Recognition is the regime's
    /// (表彰, 议事 a say in decisions); points are the volunteer points scheme (积分制).
    /// With the defaults and one point a day, shared goals equal social linkage.
    pub goals_base: f64,
    pub goals_recognition: f64,
    pub goals_points: f64,
    /// Shared goals of departments (`model::platform`): the daily chance that a
    /// department linked on the platform takes up a shared (cross-department or
    /// cross-region) issue is `dept_goals_base + dept_goals_assessment × assessment
    /// pressure + dept_goals_leading_group` (the last while the leading group sits),
    /// clamped. The base is the goal every department shares as part of one government.
    pub dept_goals_base: f64,
    /// Weight of joint (捆綁) assessment: how far the assessment pressure grades a
    /// department on the territory's shared issues, not only on its own line.
    pub dept_goals_assessment: f64,
    /// Shared goals the leading group's co-ordination adds while it sits.
    pub dept_goals_leading_group: f64,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec {
            outreach_hours_per_1000: 2.0,
            outreach_priority: 0.25,
            contact_hours: 0.1,
            contact_gain: 0.4,
            member_gain: 0.02,
            service_gain: 0.001,
            decay: 0.004,
            goals_base: 0.0,
            goals_recognition: 0.6,
            goals_points: 0.4,
            dept_goals_base: 0.3,
            dept_goals_assessment: 1.0,
            dept_goals_leading_group: 0.5,
        }
    }
}

/// Shared goals (共同目标) of a regime: `goals_base + social × (goals_recognition +
/// goals_points × points_per_day)`, in [0, 1].
pub fn shared_goals(spec: &LinkSpec, social: f64, points_per_day: f64) -> f64 {
    (spec.goals_base + social * (spec.goals_recognition + spec.goals_points * points_per_day))
        .clamp(0.0, 1.0)
}

/// Budget units a county's volunteer points of today cost when redeemed (积分兑换):
/// `volunteer_days × points per volunteer-day × point_value`.
pub fn points_cost(volunteer_days: u64, points_per_volunteer_day: f64, point_value: f64) -> f64 {
    volunteer_days as f64 * points_per_volunteer_day * point_value
}

/// The share of points redeemed when they `cost` units and the county's budget holds
/// `budget`: all when it can pay, otherwise what the budget covers (1 when nothing is
/// owed).
pub fn redeemed_share(cost: f64, budget: f64) -> f64 {
    if cost <= 0.0 {
        1.0
    } else {
        (budget.max(0.0) / cost).min(1.0)
    }
}

/// Shared goals of a county whose volunteer points were redeemed at share `redeemed`
/// (yesterday): points that are not honoured do not count ([`shared_goals`] at
/// `points_per_day × redeemed`).
pub fn county_goals(spec: &LinkSpec, social: f64, points_per_day: f64, redeemed: f64) -> f64 {
    shared_goals(spec, social, points_per_day * redeemed)
}

/// Outreach hours a grid of `residents` plans a day: `social × outreach_hours_per_1000`
/// per 1,000 residents.
pub fn outreach_plan(spec: &LinkSpec, social: f64, residents: usize) -> f64 {
    social * spec.outreach_hours_per_1000 * residents as f64 / 1000.0
}

/// Outreach hours a grid delivers today out of its `plan`, with `capacity` staff-hours
/// and `casework` hours of work its queue needs today ([`daily_pace`]): the `priority` share of
/// the plan first (as far as the hours go), the rest from what the casework leaves. An
/// overloaded grid visits less, so the links it builds are what its load pays for.
pub fn outreach_delivered(plan: f64, capacity: f64, casework: f64, priority: f64) -> f64 {
    let capacity = capacity.max(0.0);
    let first = (plan * priority).min(capacity);
    let slack = (capacity - first - casework.max(0.0)).max(0.0);
    first + (plan - plan * priority).max(0.0).min(slack)
}

/// Hours a day an issue with `work_left` hours needs to be done by its `deadline`, on
/// day `tick`: its work spread evenly over the days left (all of it on its last day).
pub fn daily_pace(work_left: f32, deadline: u32, tick: u32) -> f64 {
    work_left.max(0.0) as f64 / deadline.saturating_sub(tick).max(1) as f64
}

/// Chance a resident of a grid of `residents` is visited today, given the outreach
/// hours the grid `delivered`: hours over `contact_hours` per resident, at most 1.
pub fn visit_chance(spec: &LinkSpec, delivered: f64, residents: usize) -> f32 {
    let reachable = residents as f64 * spec.contact_hours;
    if reachable > 0.0 {
        (delivered / reachable).clamp(0.0, 1.0) as f32
    } else {
        0.0
    }
}

/// The link rules' constants as the `f32` the resident phase computes in, converted once
/// per regime, with the regime's shared goals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkRules {
    pub contact_gain: f32,
    pub member_gain: f32,
    pub service_gain: f32,
    pub decay: f32,
    /// The neighbours' part of the build formula at a full set of ties:
    /// `population.link_strength × population.link_weight_neighbours`.
    pub floor_scale: f32,
    /// Tie weight of the mean degree (`strong_ties + weak_tie_weight × weak_ties`, at
    /// least 1): ties count against it, as at build.
    pub mean_tie_weight: f32,
    /// The regime's shared goals, [`shared_goals`].
    pub goals: f32,
}

impl LinkRules {
    pub fn new(
        spec: &LinkSpec,
        population: &super::PopulationSpec,
        social: f64,
        points_per_day: f64,
    ) -> LinkRules {
        let p = population;
        LinkRules {
            contact_gain: spec.contact_gain as f32,
            member_gain: spec.member_gain as f32,
            service_gain: spec.service_gain as f32,
            decay: spec.decay as f32,
            floor_scale: (p.link_strength * p.link_weight_neighbours) as f32,
            mean_tie_weight: (p.strong_ties as f64 + p.weak_tie_weight * p.weak_ties as f64)
                .max(1.0) as f32,
            goals: shared_goals(spec, social, points_per_day) as f32,
        }
    }

    /// Rules under which link strength never moves (for tests of other rules).
    pub const FIXED: LinkRules = LinkRules {
        contact_gain: 0.0,
        member_gain: 0.0,
        service_gain: 0.0,
        decay: 0.0,
        floor_scale: 0.0,
        mean_tie_weight: 1.0,
        goals: 0.0,
    };

    /// The part of link strength that ties to neighbours hold: the build formula's
    /// neighbour term for summed tie weight `tie_weight`.
    #[inline]
    pub fn floor(&self, tie_weight: f32) -> f32 {
        self.floor_scale * (tie_weight / self.mean_tie_weight).min(1.0)
    }
}

/// What builds a resident's link today.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinkInputs {
    /// Chance of a grid worker's visit today (reachability × the grid's visit chance).
    pub contact: f32,
    /// Chance one's organisation is active (0 for a non-member).
    pub membership: f32,
    /// Recent solved issues, recency-weighted.
    pub service: f32,
    /// The part held by ties to neighbours ([`LinkRules::floor`]).
    pub floor: f32,
}

/// Link strength after today (see the module's formula): grows with contact,
/// membership and service toward 1, decays toward the neighbour floor; in [0, 1].
#[inline]
pub fn next_link(link: f32, i: &LinkInputs, r: &LinkRules) -> f32 {
    let growth =
        (r.contact_gain * i.contact + r.member_gain * i.membership + r.service_gain * i.service)
            .clamp(0.0, 1.0);
    let built = (link - i.floor).max(0.0);
    unit(link + growth * (1.0 - link) - r.decay * built)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::residents::PopulationSpec;

    fn population() -> PopulationSpec {
        crate::scenario::builtin::xcity_baseline().population
    }

    fn rules(social: f64) -> LinkRules {
        LinkRules::new(&LinkSpec::default(), &population(), social, 1.0)
    }

    #[test]
    fn contact_membership_and_service_each_build_links() {
        let r = rules(0.8);
        let none = LinkInputs {
            floor: 0.1,
            ..LinkInputs::default()
        };
        let base = next_link(0.5, &none, &r);
        for more in [
            LinkInputs {
                contact: 0.05,
                ..none
            },
            LinkInputs {
                membership: 1.0,
                ..none
            },
            LinkInputs {
                service: 1.0,
                ..none
            },
        ] {
            assert!(next_link(0.5, &more, &r) > base, "{more:?}");
        }
        // Growth closes a share of the gap: a weak link gains more than a strong one.
        let visit = LinkInputs {
            contact: 1.0,
            ..none
        };
        let gain = |l: f32| next_link(l, &visit, &r) - next_link(l, &none, &r);
        assert!(gain(0.2) > gain(0.8));
    }

    #[test]
    fn without_contact_membership_or_service_links_decay_to_the_neighbour_floor() {
        let r = rules(0.8);
        let none = LinkInputs {
            floor: 0.15,
            ..LinkInputs::default()
        };
        let mut l = 0.7;
        let mut days = 0;
        while l - none.floor > 0.01 {
            let next = next_link(l, &none, &r);
            assert!(next < l && next >= none.floor, "{l} → {next}");
            l = next;
            days += 1;
        }
        // Half-life of the built part ln 2 / decay ≈ 173 days at the default.
        assert!((800..1200).contains(&days), "{days}");
        // At the floor (and below it, where it cannot be) nothing is lost.
        assert_eq!(next_link(0.15, &none, &r), 0.15);
        assert_eq!(next_link(0.1, &none, &r), 0.1);
    }

    #[test]
    fn link_strength_stays_in_the_unit_interval_whatever_the_inputs() {
        let extreme = LinkRules {
            contact_gain: 1.0,
            member_gain: 1.0,
            service_gain: 1.0,
            decay: 1.0,
            ..rules(1.0)
        };
        for l in [0.0f32, 0.3, 1.0] {
            for (c, m, s, f) in [
                (0.0, 0.0, 0.0, 0.0),
                (1.0, 1.0, 50.0, 0.2),
                (1.0, 0.0, 0.0, 1.0),
                (0.0, 0.0, 0.0, 0.5),
            ] {
                let i = LinkInputs {
                    contact: c,
                    membership: m,
                    service: s,
                    floor: f,
                };
                for r in [extreme, rules(0.0), rules(1.0)] {
                    let next = next_link(l, &i, &r);
                    assert!((0.0..=1.0).contains(&next), "{l} {i:?} → {next}");
                }
            }
        }
        // Full growth closes the whole gap, less the day's decay of what was built;
        // links held by neighbours alone do not decay.
        let full = LinkInputs {
            contact: 1.0,
            membership: 1.0,
            service: 50.0,
            floor: 0.0,
        };
        let r = extreme;
        assert!((next_link(0.3, &full, &r) - (1.0 - r.decay * 0.3)).abs() < 1e-6);
        assert_eq!(next_link(1.0, &LinkInputs { floor: 1.0, ..full }, &r), 1.0);
    }

    #[test]
    fn the_floor_is_the_build_formulas_neighbour_term() {
        let p = population();
        let r = rules(0.5);
        let full = p.strong_ties as f32 + p.weak_tie_weight as f32 * p.weak_ties as f32;
        let alone = super::super::build::link_strength(&p, 8, 4, false, 0.0);
        assert!((r.floor(full) - alone).abs() < 1e-6);
        assert!((r.floor(full / 2.0) - alone / 2.0).abs() < 1e-6);
        assert_eq!(r.floor(10.0 * full), r.floor(full));
        assert_eq!(r.floor(0.0), 0.0);
    }

    #[test]
    fn shared_goals_follow_recognition_and_points_and_default_to_social_linkage() {
        let s = LinkSpec::default();
        for social in [0.0, 0.15, 0.8, 1.0] {
            assert!((shared_goals(&s, social, 1.0) - social).abs() < 1e-12);
        }
        // No points scheme: fewer shared goals, the same links (只联不动 where links are).
        assert!(shared_goals(&s, 0.8, 0.0) < shared_goals(&s, 0.8, 1.0));
        let none = LinkSpec {
            goals_recognition: 0.0,
            ..s.clone()
        };
        assert_eq!(shared_goals(&none, 0.8, 0.0), 0.0);
        let rich = LinkSpec {
            goals_base: 0.5,
            ..s.clone()
        };
        assert_eq!(shared_goals(&rich, 1.0, 5.0), 1.0);
    }

    #[test]
    fn points_cost_the_budget_and_unredeemed_points_lower_shared_goals() {
        let s = LinkSpec::default();
        assert!((points_cost(100, 0.8, 0.002) - 0.16).abs() < 1e-12);
        assert_eq!(points_cost(0, 0.8, 0.002), 0.0);
        assert_eq!(redeemed_share(0.16, 1.0), 1.0);
        assert!((redeemed_share(0.16, 0.04) - 0.25).abs() < 1e-12);
        assert_eq!(redeemed_share(0.16, -1.0), 0.0);
        assert_eq!(redeemed_share(0.0, 0.0), 1.0);
        let full = county_goals(&s, 0.8, 1.0, 1.0);
        assert_eq!(full, shared_goals(&s, 0.8, 1.0));
        let none = county_goals(&s, 0.8, 1.0, 0.0);
        assert!((none - 0.8 * s.goals_recognition).abs() < 1e-12);
        let half = county_goals(&s, 0.8, 1.0, 0.5);
        assert!(none < half && half < full);
    }

    #[test]
    fn an_issues_daily_pace_spreads_its_work_to_the_deadline() {
        assert_eq!(daily_pace(6.0, 13, 10), 2.0);
        assert_eq!(daily_pace(6.0, 10, 10), 6.0);
        assert_eq!(daily_pace(6.0, 5, 10), 6.0);
        assert_eq!(daily_pace(-1.0, 20, 10), 0.0);
    }

    #[test]
    fn outreach_yields_to_casework_beyond_its_priority_share() {
        // Ample hours: the whole plan.
        assert_eq!(outreach_delivered(1.0, 10.0, 2.0, 0.25), 1.0);
        // Casework takes every hour beyond the priority share: only that share.
        assert_eq!(outreach_delivered(1.0, 3.0, 5.0, 0.25), 0.25);
        // Some slack after casework: the priority share plus the slack.
        assert!((outreach_delivered(1.0, 3.0, 2.5, 0.25) - 0.5).abs() < 1e-12);
        // Fewer hours than the priority share: all of them, never more.
        assert_eq!(outreach_delivered(1.0, 0.1, 0.0, 0.25), 0.1);
        assert_eq!(outreach_delivered(1.0, -1.0, 0.0, 0.25), 0.0);
        // Priority 1 is the old rule: the plan before any issue work.
        assert_eq!(outreach_delivered(1.0, 3.0, 5.0, 1.0), 1.0);
    }

    #[test]
    fn outreach_is_planned_by_social_linkage_and_reaches_residents_in_proportion() {
        let s = LinkSpec::default();
        assert_eq!(outreach_plan(&s, 0.0, 300), 0.0);
        let plan = outreach_plan(&s, 0.8, 300);
        assert!((plan - 0.8 * 2.0 * 0.3).abs() < 1e-12);
        assert!(outreach_plan(&s, 0.15, 300) < plan);
        let v = visit_chance(&s, plan, 300);
        assert!((v - 0.016).abs() < 1e-6, "{v}");
        assert_eq!(visit_chance(&s, plan / 2.0, 300), v / 2.0);
        assert_eq!(visit_chance(&s, 1e9, 300), 1.0);
        assert_eq!(visit_chance(&s, 1.0, 0), 0.0);
    }
}
