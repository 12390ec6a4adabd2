//! The epidemic answers to the regime's mechanisms (issue 14): detection through the
//! platform and the grid, isolation and tracing bound by health and grid staff, and a
//! lockdown whose strength moves the outcome smoothly (no knife edge). Small cities
//! (10,000 residents), one regime per run, no twin.

use linkage::engine::run::{RegimeRun, run_regime};
use linkage::model::mechanisms::Mechanisms;
use linkage::model::shocks::Shock;
use linkage::scenario::{Scenario, builtin};

fn scenario() -> Scenario {
    let mut s = builtin::get("xcity-epidemic").unwrap();
    s.run.residents = 10_000;
    s.validate().unwrap();
    s
}

fn preset(name: &str) -> Mechanisms {
    Mechanisms::preset(name).unwrap()
}

/// Peak share infectious and final share ever infected of a run.
fn outcome(r: &RegimeRun) -> (f64, f64) {
    let n = r.history[0].last().unwrap().residents as f64;
    let peak = r
        .history
        .iter()
        .map(|h| h.last().unwrap().health[2] as f64)
        .fold(0.0, f64::max);
    let end = r.history.last().unwrap().last().unwrap();
    (peak / n, 1.0 - end.health[0] as f64 / n)
}

fn run(s: &Scenario, mech: Mechanisms) -> (f64, f64) {
    outcome(&run_regime(s, "x", mech, |_| {}))
}

fn set_quarantine(s: &mut Scenario, q: f64) {
    if let Shock::Epidemic(e) = &mut s.shocks[0] {
        e.quarantine = q;
    }
}

#[test]
fn the_regimes_differ_in_peak_and_final_size() {
    let s = scenario();
    let (fp, ff) = run(&s, preset("fragmented"));
    let (ip, iff) = run(&s, preset("integrated"));
    let (lp, lf) = run(&s, preset("linkage"));
    // Fragmented detects little (weak platform, little outreach), so its wave is the
    // largest; integrated (platform) and linkage (platform, grid outreach, tracing by
    // link strength) hold it down.
    assert!(
        ff > 1.5 * iff && ff > 1.5 * lf,
        "final size: fragmented {ff:.3}, integrated {iff:.3}, linkage {lf:.3}"
    );
    assert!(
        fp > 1.5 * ip && fp > 1.5 * lp,
        "peak: fragmented {fp:.4}, integrated {ip:.4}, linkage {lp:.4}"
    );
    assert!(ff > 0.4 && ff < 0.95, "fragmented final size {ff:.3}");
}

#[test]
fn switching_off_detection_raises_the_final_size() {
    let s = scenario();
    let (_, with) = run(&s, preset("linkage"));
    // No information sharing (no platform data) and no outreach (grid workers visit
    // nobody): only those who come forward are found.
    let mut blind = s.clone();
    blind.links.outreach_hours_per_1000 = 0.0;
    let dark = Mechanisms {
        information_sharing: 0.0,
        ..preset("linkage")
    };
    let (_, without) = run(&blind, dark);
    assert!(
        without > with + 0.15,
        "final size with detection {with:.3}, without {without:.3}"
    );
}

#[test]
fn halving_health_and_grid_staff_raises_the_final_size() {
    let s = scenario();
    let (_, full) = run(&s, preset("linkage"));
    let mut thin = s.clone();
    thin.government.grid_staff_urban *= 0.5;
    thin.government.grid_staff_rural *= 0.5;
    thin.government.county_dept_staff_per_1000 *= 0.5;
    let (_, half) = run(&thin, preset("linkage"));
    assert!(
        half > full + 0.1,
        "final size with full staff {full:.3}, with half {half:.3}"
    );
}

#[test]
fn the_final_size_responds_smoothly_to_the_lockdown() {
    let finals: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 0.9]
        .iter()
        .map(|&q| {
            let mut s = scenario();
            set_quarantine(&mut s, q);
            run(&s, preset("fragmented")).1
        })
        .collect();
    // Cases brought in from outside restart the disease after a lockdown, and nothing
    // between two neighbouring settings jumps: no knife edge.
    for w in finals.windows(2) {
        assert!(
            (w[0] - w[1]).abs() < 0.2,
            "final sizes by lockdown {finals:?}"
        );
    }
    assert!(
        finals[4] > 0.3 * finals[0],
        "final sizes by lockdown {finals:?}"
    );
}
