//! What the integration tests share: driving the binary, and whole runs of the library on
//! a shipped scenario at a small size.
#![allow(dead_code)] // each test file uses its own part

pub mod http;

use assert_cmd::Command;
use linkage::engine::run::{RegimeRun, run_regime};
use linkage::engine::tally::Tally;
use linkage::model::mechanisms::Mechanisms;
use linkage::scenario::{Scenario, builtin};

/// The `linkage` binary of this build.
pub fn linkage() -> Command {
    Command::cargo_bin("linkage").unwrap()
}

/// Run `cmd`; fail the test with its stderr unless it exits with success.
pub fn succeeds(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Let `child` (a sweep writing into `dir`) run until its `runs.csv` has `rows` lines
/// (header included), it exits, or a minute has passed; then kill it (kill -9).
pub fn kill_at_rows(mut child: std::process::Child, dir: &std::path::Path, rows: usize) {
    let started = std::time::Instant::now();
    loop {
        let now = std::fs::read_to_string(dir.join("runs.csv"))
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if now >= rows
            || started.elapsed() > std::time::Duration::from_secs(60)
            || child.try_wait().unwrap().is_some()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A shipped scenario at `residents` (its own horizon), validated.
pub fn shipped(name: &str, residents: u64) -> Scenario {
    let mut s = builtin::get(name).unwrap();
    s.run.residents = residents;
    s.validate().unwrap();
    s
}

/// The baseline (no shock) at `residents` for a year.
pub fn baseline(residents: u64) -> Scenario {
    shipped("xcity-baseline", residents)
}

pub fn preset(name: &str) -> Mechanisms {
    Mechanisms::preset(name).unwrap()
}

/// A whole run of `m` on two threads (a run is the same for any thread count).
pub fn run(s: &Scenario, m: Mechanisms) -> RegimeRun {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| run_regime(s, "test", m, |_| {}))
}

/// The city's tally on day `tick` (the last of a day's tallies).
pub fn city(r: &RegimeRun, tick: usize) -> &Tally {
    r.history[tick].last().unwrap()
}

/// A city-wide sum over the run.
pub fn total(r: &RegimeRun, f: fn(&Tally) -> f64) -> f64 {
    r.history.iter().map(|h| f(h.last().unwrap())).sum()
}
