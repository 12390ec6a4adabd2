//! Scale invariance: a city's per-capita and share figures do not depend on how many
//! residents it is run with. The same scenario at 20,000, 100,000 and 400,000 residents
//! must agree within what another seed changes at the smallest size (three times the
//! gap between two seeds at 20,000).

mod common;

use common::{preset, run, total};
use linkage::engine::run::RegimeRun;
use linkage::scenario::{Scenario, builtin};

/// The factory closure (a whole county hit, so the share hit does not change with size;
/// the laid off protest under fragmented, so collective action is compared too),
/// shortened: 150 days of warm-up, 240 days with the closure from day 60 to 149.
fn scenario(residents: u64, seed: u64) -> Scenario {
    let mut s = builtin::get("xcity-factory-closure").unwrap();
    s.run.residents = residents;
    s.run.seed = seed;
    s.run.warmup = 150;
    s.run.burn_in = 30;
    s.run.ticks = 240;
    for sh in &mut s.shocks {
        let c = sh.common_mut();
        *c.start = 60;
        *c.duration = 90;
    }
    s.validate().unwrap();
    s
}

/// The figures compared, each per resident or a share, with its name.
fn figures(r: &RegimeRun) -> Vec<(&'static str, f64)> {
    let n = r.residents as f64;
    let days = r.history.len() as f64;
    let per_day = |f: fn(&linkage::engine::tally::Tally) -> f64| total(r, f) / days / n;
    vec![
        ("capacity hours per resident", per_day(|t| t.capacity_hours)),
        ("issues per resident", total(r, |t| t.created as f64) / n),
        (
            "solution rate",
            total(r, |t| t.resolved as f64) / total(r, |t| t.created as f64),
        ),
        ("trust", per_day(|t| t.trust)),
        ("happiness", per_day(|t| t.happiness)),
        ("hardship", per_day(|t| t.hardship)),
        ("link strength", per_day(|t| t.link)),
        ("volunteers per resident", per_day(|t| t.volunteers as f64)),
        (
            "protester-days per resident",
            total(r, |t| t.protesters as f64) / n,
        ),
        (
            "peak protester share",
            (r.history.iter())
                .map(|h| h.last().unwrap().protesters as f64 / n)
                .fold(0.0, f64::max),
        ),
        (
            "incidents per resident",
            total(r, |t| t.incidents_new as f64) / n,
        ),
    ]
}

#[test]
fn per_capita_figures_agree_at_20_000_100_000_and_400_000_residents() {
    let regime = preset("fragmented");
    let small = figures(&run(&scenario(20_000, 1), regime));
    let other_seed = figures(&run(&scenario(20_000, 2), regime));
    for residents in [100_000, 400_000] {
        let big = figures(&run(&scenario(residents, 1), regime));
        for ((name, a), ((_, b), (_, c))) in small.iter().zip(big.iter().zip(&other_seed)) {
            // Seed noise at the smallest size, with a floor of 0.5% of the figure for a
            // lucky pair of seeds.
            let noise = (a - c).abs().max(0.005 * a.abs());
            eprintln!("{name}: {a:.6} at 20,000, {b:.6} at {residents}, {c:.6} (seed 2)");
            assert!(
                (a - b).abs() <= 3.0 * noise,
                "{name}: {a:.5} at 20,000 but {b:.5} at {residents} (another seed at 20,000: {c:.5})"
            );
        }
    }
}
