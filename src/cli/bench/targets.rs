//! The performance targets of docs/performance.md (issue 7), each checked against what
//! was measured; a target whose figures were not measured is left out, not failed.

use super::Record;
use super::table::thousands;
use crate::cli::Failure;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub name: String,
    pub target: String,
    pub measured: String,
    pub pass: bool,
}

/// The targets for what was measured.
pub(super) fn targets(rec: &Record) -> Vec<Target> {
    let mut t = Vec::new();
    t.extend(rate_at_a_million(rec));
    full_city(rec, &mut t);
    t.extend(memory_per_resident(rec));
    t.extend(speedup(rec));
    if let Some(r) = rec.cost_ratio_10x {
        t.push(Target {
            name: "cost linear in residents: time a tick, 10× the residents".into(),
            target: "≤ 12×".into(),
            measured: format!("{r:.1}×"),
            pass: r <= 12.0,
        });
    }
    t.extend(determinism(rec));
    t.extend(super::scaling::targets(rec));
    t
}

/// With `--check`, a missed target fails the command (exit code 1).
pub(super) fn missed(rec: &Record, check: bool) -> Result<(), Failure> {
    let missed: Vec<&str> = rec
        .targets
        .iter()
        .filter(|t| !t.pass)
        .map(|t| t.name.as_str())
        .collect();
    if check && !missed.is_empty() {
        return Err(Failure {
            code: 1,
            message: format!("targets missed: {}", missed.join("; ")),
        });
    }
    Ok(())
}

fn rate_at_a_million(rec: &Record) -> Option<Target> {
    let most = rec.most_threads();
    let m = rec
        .measurements
        .iter()
        .find(|m| m.residents == 1_000_000 && m.threads == most)?;
    let r = m.resident_ticks_per_second / 1e6;
    Some(Target {
        name: format!("resident-ticks a second at 1M residents, {most} threads"),
        target: "≥ 10 M".into(),
        measured: format!("{r:.1} M"),
        pass: r >= 10.0,
    })
}

/// The full city's time (build included) and peak memory.
fn full_city(rec: &Record, t: &mut Vec<Target>) {
    let Some(f) = &rec.full_city else {
        return;
    };
    let total = f.build_seconds + f.tick_seconds;
    t.push(Target {
        name: format!(
            "{} ({} residents × {} days), build included",
            f.scenario,
            thousands(f.residents),
            f.ticks
        ),
        target: "< 300 s".into(),
        measured: format!("{total:.0} s"),
        pass: total < 300.0,
    });
    if let Some(p) = f.peak_bytes {
        t.push(Target {
            name: format!("{} peak memory", f.scenario),
            target: "< 4 GB".into(),
            measured: format!("{:.2} GB", p as f64 / 1e9),
            pass: p < 4_000_000_000,
        });
    }
}

/// Memory per resident at the largest population measured, if it is large enough
/// (a million) for the fixed costs (program, fonts, thread stacks) to be amortised.
fn memory_per_resident(rec: &Record) -> Option<Target> {
    let m = rec
        .full_city
        .iter()
        .chain(&rec.measurements)
        .max_by_key(|m| m.residents)
        .filter(|m| m.residents >= 1_000_000)?;
    let b = m.peak_bytes_per_resident?;
    Some(Target {
        name: format!(
            "peak memory a resident, ties included, at {} residents",
            thousands(m.residents)
        ),
        target: "≤ 200 B".into(),
        measured: format!("{b:.0} B"),
        pass: b <= 200.0,
    })
}

/// Speed-up from 1 to the most threads at the largest size.
fn speedup(rec: &Record) -> Option<Target> {
    let most = rec.most_threads();
    if most < 2 {
        return None;
    }
    let n = rec.speedup.iter().map(|s| s.0).max()?;
    let (n, s) = rec.speedup.iter().find(|s| s.0 == n).copied()?;
    Some(Target {
        name: format!("speed-up 1 → {most} threads at {} residents", thousands(n)),
        target: "≥ 1.7×".into(),
        measured: format!("{s:.2}×"),
        pass: s >= 1.7,
    })
}

/// Determinism: the same size on different thread counts ends in the same state.
fn determinism(rec: &Record) -> Option<Target> {
    let most = rec.most_threads();
    if rec.measurements.iter().map(|m| m.threads).min() == Some(most) {
        return None;
    }
    let mut sizes: Vec<u64> = rec.measurements.iter().map(|m| m.residents).collect();
    sizes.dedup();
    let mismatched: Vec<u64> = sizes
        .iter()
        .copied()
        .filter(|&n| {
            let mut sums = rec
                .measurements
                .iter()
                .filter(|m| m.residents == n)
                .map(|m| &m.checksum);
            let first = sums.next();
            sums.any(|c| Some(c) != first)
        })
        .collect();
    Some(Target {
        name: "same results whatever the thread count".into(),
        target: "identical".into(),
        measured: if mismatched.is_empty() {
            "identical".into()
        } else {
            format!("differ at {mismatched:?} residents")
        },
        pass: mismatched.is_empty(),
    })
}
