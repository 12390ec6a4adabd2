//! Social linkage is no longer a free lunch (issue 12, piece B): volunteers and
//! organisations are kept at a staff cost, their points cost the county budget, and they
//! do not always turn up. Whole runs of the baseline at a small size.

mod common;
use common::{baseline, preset, run, total};

use linkage::engine::run::RegimeRun;
use linkage::model::mechanisms::Mechanisms;

#[test]
fn raising_social_linkage_alone_costs_coordination_hours_and_budget() {
    let s = baseline(5000);
    let low = preset("fragmented");
    let linkage = preset("linkage");
    assert_eq!(low.social, 0.15);
    assert_eq!(linkage.social, 0.8);
    let high = Mechanisms {
        social: linkage.social,
        ..low
    };
    let (a, b) = (run(&s, low), run(&s, high));
    let coordination = |r: &RegimeRun| total(r, |t| t.coordination_hours);
    let spent = |r: &RegimeRun| total(r, |t| t.budget_spent);
    let social = |r: &RegimeRun| total(r, |t| t.social_hours);
    assert!(
        coordination(&b) > coordination(&a),
        "coordination hours {:.0} → {:.0}",
        coordination(&a),
        coordination(&b)
    );
    assert!(
        spent(&b) > spent(&a),
        "budget spent {:.1} → {:.1}",
        spent(&a),
        spent(&b)
    );
    // What the costs buy: more hours of volunteers and organisations.
    assert!(social(&b) > social(&a));
    // Part of the budget is the volunteers' points.
    let mut no_points = s.clone();
    no_points.behaviour.point_value = 0.0;
    assert!(spent(&b) > spent(&run(&no_points, high)));
}

#[test]
fn free_and_reliable_volunteers_and_organisations_would_deliver_more() {
    let s = baseline(5000);
    let mut free = s.clone();
    free.behaviour.volunteer_upkeep_hours = 0.0;
    free.behaviour.volunteer_reliability = 1.0;
    free.organisations.upkeep_hours = 0.0;
    free.organisations.reliability = 1.0;
    let m = preset("linkage");
    let (costly, gratis) = (run(&s, m), run(&free, m));
    let delivered = |r: &RegimeRun| total(r, |t| t.social_hours);
    assert!(
        delivered(&gratis) > delivered(&costly),
        "social hours delivered: {:.0} with costs, {:.0} without",
        delivered(&costly),
        delivered(&gratis)
    );
    // Their upkeep is coordination: without it, less.
    let coordination = |r: &RegimeRun| total(r, |t| t.coordination_hours);
    assert!(coordination(&gratis) < coordination(&costly));
    // Social hours worked never exceed those delivered, and staff-hours do not count them.
    for r in [&costly, &gratis] {
        for h in &r.history {
            let city = h.last().unwrap();
            assert!(city.social_hours_worked <= city.social_hours + 1e-6);
        }
    }
}

#[test]
fn unredeemable_points_cost_nothing_but_lower_volunteering() {
    // A county with no budget cannot redeem points: it spends nothing on them, and its
    // shared goals fall, so fewer residents volunteer than where points are honoured.
    let s = baseline(5000);
    let mut broke = s.clone();
    broke.government.county_budget_per_1000 = 0.0;
    broke.government.city_budget_per_1000 = 0.0;
    let m = preset("linkage");
    let (paid, unpaid) = (run(&s, m), run(&broke, m));
    assert_eq!(total(&unpaid, |t| t.budget_spent), 0.0);
    assert!(total(&paid, |t| t.budget_spent) > 0.0);
    let volunteers = |r: &RegimeRun| total(r, |t| t.volunteers as f64);
    assert!(
        volunteers(&unpaid) < volunteers(&paid),
        "volunteer-days {:.0} with points honoured, {:.0} without",
        volunteers(&paid),
        volunteers(&unpaid)
    );
}
