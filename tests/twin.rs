//! Resilience against a no-shock twin (issue 14): the twin is the same world copied at
//! the shock's start and stepped on without it, so that any gap is the shock's alone.

use linkage::engine::run::{RegimeRun, run_paired, run_regime, twin_split};
use linkage::engine::tally::Tally;
use linkage::model::mechanisms::Mechanisms;
use linkage::output::metrics::{summarise, tick_table};
use linkage::scenario::{Scenario, builtin};

fn flood(residents: u64, ticks: u32) -> Scenario {
    let mut s = builtin::get("xcity-flood").unwrap();
    s.run.residents = residents;
    s = s.with_ticks(ticks);
    s.validate().unwrap();
    s
}

fn city(r: &RegimeRun, t: usize) -> &Tally {
    r.history[t].last().unwrap()
}

fn fingerprint(t: &Tally) -> String {
    format!("{t:?}")
}

#[test]
fn the_twin_shares_every_day_before_the_shock_and_is_the_run_without_it() {
    let s = flood(3000, 200);
    let m = Mechanisms::preset("linkage").unwrap();
    let (run, twin) = run_paired(&s, "linkage", m, true, |_| {});
    let twin = twin.expect("a flood scenario has a twin");
    let split = s.shock_start().unwrap() as usize;
    assert_eq!(twin.history.len(), run.history.len());
    for t in 0..split {
        assert_eq!(
            fingerprint(city(&run, t)),
            fingerprint(city(&twin, t)),
            "day {t}"
        );
    }
    // The flood's first day already differs.
    assert_ne!(
        fingerprint(city(&run, split)),
        fingerprint(city(&twin, split))
    );
    // The twin is the scenario without its shocks, same seed, byte for byte.
    let mut calm = s.clone();
    calm.shocks.clear();
    let fresh = run_regime(&calm, "linkage", m, |_| {});
    for t in 0..s.run.ticks as usize {
        assert_eq!(
            fingerprint(city(&fresh, t)),
            fingerprint(city(&twin, t)),
            "day {t}"
        );
    }
    // And the run itself is the run without a twin.
    let alone = run_regime(&s, "linkage", m, |_| {});
    let last = s.run.ticks as usize - 1;
    assert_eq!(
        fingerprint(city(&alone, last)),
        fingerprint(city(&run, last))
    );
}

#[test]
fn no_shock_or_no_twin_asked_runs_no_twin() {
    let mut calm = flood(500, 30);
    calm.shocks.clear();
    assert_eq!(twin_split(&calm, true), None);
    let m = Mechanisms::preset("fragmented").unwrap();
    assert!(run_paired(&calm, "fragmented", m, true, |_| {}).1.is_none());
    let s = flood(500, 150);
    assert_eq!(twin_split(&s, false), None);
    assert_eq!(twin_split(&s, true), s.shock_start());
    assert!(run_paired(&s, "fragmented", m, false, |_| {}).1.is_none());
}

#[test]
fn resilience_against_the_twin_is_labelled_and_sees_the_flood() {
    let s = flood(3000, 240);
    let m = Mechanisms::preset("fragmented").unwrap();
    let (run, twin) = run_paired(&s, "fragmented", m, true, |_| {});
    let w = s.run.window as usize;
    let table = tick_table(&run.history, w);
    let twin_table = tick_table(&twin.unwrap().history, w);
    let burn = s.run.burn_in as usize;
    let against = summarise(&run, &table, burn, s.shock_start(), Some(&twin_table));
    let before = summarise(&run, &table, burn, s.shock_start(), None);
    assert_eq!(against.resilience_reference, "twin");
    assert_eq!(before.resilience_reference, "pre-shock");
    for (name, r) in &against.resilience {
        let r = r.unwrap_or_else(|| panic!("{name}: no resilience"));
        assert!(r.deepest_fall_pct > 0.0, "{name}: the flood should hurt");
        assert!(r.loss_area > 0.0, "{name}");
    }
    // Same baseline either way (the days before the shock are the twin's too).
    for ((_, a), (_, b)) in against.resilience.iter().zip(&before.resilience) {
        assert_eq!(a.unwrap().baseline, b.unwrap().baseline);
    }
}

mod common;

/// The column `resilience_reference` of a run folder's summary.csv, one per regime.
fn references(dir: &std::path::Path) -> Vec<String> {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let col = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "resilience_reference")
        .expect("a resilience_reference column");
    r.records().map(|x| x.unwrap()[col].to_string()).collect()
}

#[test]
fn run_measures_against_the_twin_unless_told_not_to() {
    let tmp = tempfile::tempdir().unwrap();
    let (with, without) = (tmp.path().join("with"), tmp.path().join("without"));
    let args = [
        "run",
        "--residents",
        "1000",
        "--ticks",
        "160",
        "--regime",
        "linkage",
    ];
    let out = common::succeeds(common::linkage().args(args).arg("--out").arg(&with));
    let notes = String::from_utf8_lossy(&out.stderr);
    assert!(
        notes.contains("no-shock twins"),
        "the twins' cost is stated: {notes}"
    );
    assert_eq!(references(&with), ["twin"]);
    common::succeeds(
        common::linkage()
            .args(args)
            .arg("--no-twin")
            .arg("--out")
            .arg(&without),
    );
    assert_eq!(references(&without), ["pre-shock"]);
    // The run itself is the same; only resilience is measured differently.
    let ticks = |d: &std::path::Path| std::fs::read(d.join("ticks.csv")).unwrap();
    assert_eq!(ticks(&with), ticks(&without));
}
