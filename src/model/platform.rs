//! Departments linked on the platform, and when they act (只联不动 for departments,
//! seed 002 §2.1; 條塊聯動 … 捆綁考核, seed 003 ¶3).
//!
//! An issue that needs two departments or two counties (a cross-department or
//! cross-region issue, worked in two stages or at one joint meeting) is *shared*: no one
//! department owns it. A department's stage of a shared issue is *linked on the
//! platform* when the issue is handled jointly (the joint meeting links the departments,
//! horizontal linkage), or, handled in sequence, when the platform carries the referral
//! (chance `information_sharing`, drawn once per stage, [`linked_chance`]). An issue the
//! city centre dispatched is a command of the centre (派单), not a link: its departments
//! act on it as on their own.
//!
//! A linked department acts on a shared issue only as far as it shares the goal: each day
//! it takes the issue up with chance [`dept_goals`]: `dept_goals_base`, plus
//! `dept_goals_assessment ×` the assessment pressure (joint, 捆綁 assessment: the
//! department is graded on the shared issues of the territory, not only its own line),
//! plus `dept_goals_leading_group` while the leading group sits (its co-ordination),
//! clamped to 0–1 ([`act_chance`]). Otherwise it acknowledges the issue on the platform
//! (签收) and does not act: the issue waits, and the department still pays the platform
//! entry (`costs::data_entry`). Where links exist without shared goals, departments are
//! linked but do not act, as organisations are (`organisations`).
//!
//! The parameters are in `[links]` (`residents::links::LinkSpec`), beside the shared goals
//! of residents and organisations. Once a department has acted on a stage, it works it
//! to the end.

use super::residents::links::LinkSpec;

/// Shared goals of departments today: `dept_goals_base + dept_goals_assessment ×
/// pressure + dept_goals_leading_group` (the last only while the leading group sits),
/// in [0, 1]. `pressure` is the assessment pressure (`assessment::pressure`).
pub fn dept_goals(spec: &LinkSpec, pressure: f64, leading_group: bool) -> f64 {
    let group = if leading_group {
        spec.dept_goals_leading_group
    } else {
        0.0
    };
    (spec.dept_goals_base + spec.dept_goals_assessment * pressure + group).clamp(0.0, 1.0)
}

/// Chance that a department's stage of a shared issue is linked on the platform: 1 for a
/// jointly handled issue, the regime's `information_sharing` for one
/// handled in sequence, 0 for one the city centre dispatched (`dispatched`: a command,
/// not a link).
pub fn linked_chance(information_sharing: f64, joint: bool, dispatched: bool) -> f64 {
    if dispatched {
        0.0
    } else if joint {
        1.0
    } else {
        information_sharing.clamp(0.0, 1.0)
    }
}

/// Daily chance that a department takes up a stage of a shared issue it holds: its
/// shared goals `goals` when the stage is `linked` on the platform, 1 when it is not (it
/// came by the department's own line or by the centre's command).
pub fn act_chance(linked: bool, goals: f64) -> f64 {
    if linked { goals.clamp(0.0, 1.0) } else { 1.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::mechanisms::Mechanisms;

    fn mech(name: &str) -> Mechanisms {
        Mechanisms::preset(name).unwrap()
    }

    fn hollow() -> LinkSpec {
        LinkSpec {
            dept_goals_base: 0.0,
            dept_goals_assessment: 0.0,
            dept_goals_leading_group: 0.0,
            ..LinkSpec::default()
        }
    }

    #[test]
    fn linked_departments_without_shared_goals_never_act() {
        let spec = hollow();
        for name in ["fragmented", "integrated", "linkage"] {
            let m = mech(name);
            let goals = dept_goals(&spec, 0.8, true);
            assert_eq!(goals, 0.0);
            // Linked by a joint meeting: acknowledged, never acted on (只联不动).
            assert_eq!(linked_chance(m.information_sharing, true, false), 1.0);
            assert_eq!(act_chance(true, goals), 0.0);
            // Not linked (the centre's command): acted on as its own.
            assert_eq!(linked_chance(m.information_sharing, true, true), 0.0);
            assert_eq!(act_chance(false, goals), 1.0);
        }
    }

    #[test]
    fn joint_assessment_and_the_leading_group_give_departments_shared_goals() {
        let spec = LinkSpec::default();
        let pressure = |name: &str| mech(name).vertical;
        // The linkage preset's pressure gives full shared goals: linked departments act.
        assert_eq!(dept_goals(&spec, pressure("linkage"), false), 1.0);
        let fragmented = dept_goals(&spec, pressure("fragmented"), false);
        assert!(fragmented > 0.0 && fragmented < 1.0, "{fragmented}");
        assert!(dept_goals(&spec, pressure("fragmented"), true) > fragmented);
        assert!(
            dept_goals(&spec, pressure("integrated"), false) > fragmented,
            "more pressure, more shared goals"
        );
        // Each source alone.
        let only = |base, assessment, group| LinkSpec {
            dept_goals_base: base,
            dept_goals_assessment: assessment,
            dept_goals_leading_group: group,
            ..LinkSpec::default()
        };
        assert_eq!(dept_goals(&only(0.4, 0.0, 0.0), 0.9, true), 0.4);
        assert!((dept_goals(&only(0.0, 1.0, 0.0), 0.3, true) - 0.3).abs() < 1e-12);
        assert_eq!(dept_goals(&only(0.0, 0.0, 0.5), 0.9, false), 0.0);
        assert_eq!(dept_goals(&only(0.0, 0.0, 0.5), 0.9, true), 0.5);
        assert_eq!(dept_goals(&only(0.9, 1.0, 1.0), 1.0, true), 1.0);
    }

    #[test]
    fn the_platform_carries_joint_issues_and_a_share_of_referrals_not_the_centres_orders() {
        let share = mech("fragmented").information_sharing;
        assert_eq!(linked_chance(share, true, false), 1.0);
        assert_eq!(linked_chance(share, false, false), share);
        assert_eq!(linked_chance(share, false, true), 0.0);
        let more = mech("linkage").information_sharing;
        assert!(linked_chance(more, false, false) > linked_chance(share, false, false));
        assert_eq!(act_chance(true, 0.4), 0.4);
        assert_eq!(act_chance(false, 0.0), 1.0);
    }
}
