//! Each shock's mechanism moves the right metric in the right direction.

use linkage::engine::run::{RegimeRun, run_regime};
use linkage::engine::tally::Tally;
use linkage::engine::world::World;
use linkage::model::issues::Category;
use linkage::model::mechanisms::Mechanisms;
use linkage::model::residents::PROTESTING;
use linkage::scenario::{Scenario, builtin};

fn scenario(name: &str, residents: u64, ticks: u32) -> Scenario {
    let mut s = builtin::get(name).unwrap();
    s.run.residents = residents;
    s.run.ticks = ticks;
    s.validate().unwrap();
    s
}

fn linkage() -> Mechanisms {
    Mechanisms::preset("linkage").unwrap()
}

fn city(r: &RegimeRun, t: usize) -> &Tally {
    r.history[t].last().unwrap()
}

fn series(r: &RegimeRun, f: impl Fn(&Tally) -> f64) -> Vec<f64> {
    r.history.iter().map(|h| f(h.last().unwrap())).collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn epidemic_infections_rise_and_fall_and_staff_capacity_dips() {
    let s = scenario("xcity-epidemic", 10_000, 365);
    let r = run_regime(&s, "linkage", linkage(), |_| {});
    let infected = series(&r, |t| t.health[2] as f64);
    let (peak_t, peak) = infected
        .iter()
        .enumerate()
        .fold((0, 0.0f64), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    let seeded = infected[120];
    assert!(
        infected[..120].iter().all(|&v| v == 0.0),
        "no one is ill before the epidemic"
    );
    assert!(
        peak > 10.0 * seeded.max(1.0),
        "infections should rise: seeded {seeded}, peak {peak}"
    );
    assert!(peak_t > 120, "the peak comes after the start");
    assert!(
        *infected.last().unwrap() < 0.2 * peak,
        "infections should fall: peak {peak}, end {}",
        infected.last().unwrap()
    );
    let recovered = city(&r, 364).health[3];
    assert!(recovered as f64 > peak, "many recover");
    let capacity = series(&r, |t| t.capacity_hours);
    let before = mean(&capacity[100..120]);
    let trough = capacity[120..]
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    assert!(
        trough < 0.97 * before,
        "sick staff cut capacity: {before:.0} -> {trough:.0}"
    );
    let emergencies = |t: &Tally| {
        (t.category_resolved[Category::Emergency as usize]
            + t.category_expired[Category::Emergency as usize]) as f64
    };
    assert!(
        series(&r, emergencies)[peak_t.saturating_sub(10)..peak_t + 10]
            .iter()
            .sum::<f64>()
            > 5.0
                * series(&r, emergencies)[80..100]
                    .iter()
                    .sum::<f64>()
                    .max(1.0),
        "the sick raise health issues"
    );
}

#[test]
fn quarantine_slows_the_epidemic_while_it_lasts() {
    let with = |q: f64| {
        let mut s = scenario("xcity-epidemic", 8000, 200);
        if let linkage::model::shocks::Shock::Epidemic(e) = &mut s.shocks[0] {
            e.quarantine = q;
        }
        let r = run_regime(&s, "linkage", linkage(), |_| {});
        // Ever infected by the end of the quarantine window (day 179).
        let t = city(&r, 179);
        (t.health[1] + t.health[2] + t.health[3]) as f64
    };
    let (none, strict) = (with(0.0), with(0.9));
    assert!(
        strict < 0.5 * none,
        "quarantine thins the ties that carry infection: {none} ever infected without, {strict} with"
    );
}

#[test]
fn rumour_costs_less_trust_where_information_is_shared() {
    let s = scenario("xcity-rumour", 10_000, 200);
    let mut open = linkage();
    open.information_sharing = 0.95;
    let mut silo = linkage();
    silo.information_sharing = 0.05;
    let drop = |m: Mechanisms| {
        let r = run_regime(&s, "x", m, |_| {});
        let trust = series(&r, |t| t.trust / t.residents as f64);
        let believers = series(&r, |t| t.believers as f64);
        (
            mean(&trust[100..120]) - trust[120..].iter().cloned().fold(f64::INFINITY, f64::min),
            believers.into_iter().fold(0.0, f64::max),
        )
    };
    let (open_drop, open_peak) = drop(open);
    let (silo_drop, silo_peak) = drop(silo);
    assert!(
        silo_peak > 2.0 * open_peak,
        "the rumour spreads further without information sharing: {silo_peak} vs {open_peak}"
    );
    assert!(
        open_drop < 0.7 * silo_drop,
        "trust falls less with information sharing: {open_drop:.4} vs {silo_drop:.4}"
    );
    assert!(silo_drop > 0.005, "the rumour costs trust: {silo_drop:.4}");
}

/// Protester-days inside and outside the target, and incident-days (communities in an
/// incident, summed over ticks).
fn land_dispute(s: &Scenario, target: &linkage::model::shocks::Target) -> (u64, u64, u64) {
    let mut w = World::new(s, linkage());
    let hits = target.communities(&w.territory);
    let (mut inside, mut outside, mut incidents) = (0u64, 0u64, 0u64);
    for _ in 0..s.run.ticks {
        w.step();
        incidents += w.tallies().last().unwrap().incidents_active;
        for (c, comm) in w.territory.communities.iter().enumerate() {
            let n = comm
                .residents
                .clone()
                .filter(|&i| w.residents.visible[i as usize].activity == PROTESTING)
                .count() as u64;
            if hits[c] { inside += n } else { outside += n }
        }
    }
    (inside, outside, incidents)
}

#[test]
fn land_dispute_brings_incidents_that_spill_over_and_mediation_contains_them() {
    let s = scenario("xcity-land-dispute", 60_000, 180);
    let target = s.shocks[0].target().clone();
    let (inside, outside, incidents) = land_dispute(&s, &target);
    let mut calm = s.clone();
    calm.shocks.clear();
    let (_, calm_outside, calm_incidents) = land_dispute(&calm, &target);
    assert!(
        incidents > calm_incidents + 2,
        "incidents appear: {calm_incidents} -> {incidents}"
    );
    assert!(
        inside > 1000,
        "protest in the township: {inside} protester-days"
    );
    // Protest spreads from community to community (one incident per community that tips)
    // and, along weak ties, beyond the township (a small but real rise).
    assert!(
        incidents >= 30,
        "incidents in several communities for days: {incidents} incident-days"
    );
    assert!(
        outside > calm_outside,
        "protest spills over ties beyond the township: {calm_outside} -> {outside}"
    );
    let mut mediated = s.clone();
    mediated.government.mediation_share = 1.0;
    mediated.government.mediations_per_staff = 30.0;
    mediated.collective.presence_scale = 30.0;
    let (m_inside, _, m_incidents) = land_dispute(&mediated, &target);
    assert!(
        m_incidents < incidents && m_inside < inside / 2,
        "stronger mediation: incident-days {incidents} -> {m_incidents}, protester-days {inside} -> {m_inside}"
    );
}

#[test]
fn factory_closure_raises_hardship_and_assistance_in_its_county() {
    let hardship_of =
        |r: &RegimeRun, k: usize| r.history[200][k].hardship / r.history[200][k].residents as f64;
    let s = scenario("xcity-factory-closure", 10_000, 220);
    let mut calm = s.clone();
    calm.shocks.clear();
    let a = run_regime(&s, "linkage", linkage(), |_| {});
    let b = run_regime(&calm, "linkage", linkage(), |_| {});
    let county = 1; // County-level City
    let hardship = |r: &RegimeRun, t: usize| {
        r.history[t][county].hardship / r.history[t][county].residents as f64
    };
    assert!(
        hardship(&a, 200) > hardship(&b, 200) + 0.02,
        "closure raises hardship"
    );
    let assistance = |r: &RegimeRun| {
        r.history[120..210]
            .iter()
            .map(|h| h[county].category_resolved[3] + h[county].category_expired[3])
            .sum::<u32>()
    };
    assert!(
        2 * assistance(&a) > 3 * assistance(&b),
        "closure raises assistance issues: {} vs {}",
        assistance(&a),
        assistance(&b)
    );
    let core = |r: &RegimeRun| hardship_of(r, 0);
    let here = |r: &RegimeRun| hardship_of(r, county);
    assert!(
        (core(&a) - core(&b)).abs() < 0.1 * (here(&a) - here(&b)),
        "the closure stays mostly in its county"
    );
}

#[test]
fn fiscal_cut_cuts_capacity_and_service() {
    let s = scenario("xcity-fiscal-cut", 10_000, 320);
    let mut calm = s.clone();
    calm.shocks.clear();
    let m = Mechanisms::preset("fragmented").unwrap();
    let a = run_regime(&s, "f", m, |_| {});
    let b = run_regime(&calm, "f", m, |_| {});
    let cap = |r: &RegimeRun| mean(&series(r, |t| t.capacity_hours)[150..250]);
    assert!(
        cap(&a) < 0.8 * cap(&b),
        "staff capacity falls: {:.0} vs {:.0}",
        cap(&a),
        cap(&b)
    );
    let expired = |r: &RegimeRun| {
        series(r, |t| t.expired as f64)[130..300]
            .iter()
            .sum::<f64>()
    };
    assert!(
        expired(&a) > 1.2 * expired(&b),
        "more issues expire: {} vs {}",
        expired(&a),
        expired(&b)
    );
}

#[test]
fn compound_shocks_combine_their_effects() {
    let s = scenario("xcity-compound", 8000, 260);
    let r = run_regime(&s, "linkage", linkage(), |_| {});
    let emergencies = |t: &Tally| (t.category_resolved[6] + t.category_expired[6]) as f64;
    assert!(
        series(&r, emergencies)[120..135].iter().sum::<f64>()
            > 3.0
                * series(&r, emergencies)[90..105]
                    .iter()
                    .sum::<f64>()
                    .max(1.0),
        "the flood's emergencies"
    );
    assert!(
        series(&r, |t| t.health[2] as f64)
            .into_iter()
            .fold(0.0, f64::max)
            > 20.0,
        "the epidemic's infections"
    );
    assert!(
        series(&r, |t| t.believers as f64)
            .into_iter()
            .fold(0.0, f64::max)
            > 50.0,
        "the rumour's believers"
    );
}
