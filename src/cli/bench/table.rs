//! The table `linkage bench` prints: one row a measurement, then the speed-up, the cost
//! ratio, the core's clock, the memory probe and roofline, and the targets with PASS or FAIL.

use super::measure::Measurement;
use super::{ClockProbe, Record};
use std::fmt::Write;

pub(super) fn thousands(n: u64) -> String {
    crate::output::table::thousands(n as f64)
}

fn mb(bytes: Option<u64>) -> String {
    bytes.map_or("n/a".into(), |b| format!("{:.0}", b as f64 / 1e6))
}

fn per_resident(m: &Measurement) -> String {
    m.peak_bytes_per_resident
        .map_or("n/a".into(), |b| format!("{b:.0}"))
}

/// The whole table.
pub(super) fn table(rec: &Record) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "linkage bench: {} under {}, {} days a measurement from day 0, fastest of {} round{}, {} cores\n",
        rec.scenario,
        rec.regime,
        rec.ticks,
        rec.rounds,
        if rec.rounds == 1 { "" } else { "s" },
        rec.cores
    );
    measurements(&mut s, rec);
    scaling(&mut s, rec);
    super::scaling::table(&mut s, rec);
    memory(&mut s, rec);
    s.push_str(&super::mesa::lines(rec));
    targets(&mut s, rec);
    let _ = writeln!(s, "\n{:.0} s in all", rec.seconds);
    s
}

/// One row a measurement, the full city last and named.
fn measurements(s: &mut String, rec: &Record) {
    let _ = writeln!(
        s,
        "{:>11} {:>7} {:>8} {:>9} {:>12} {:>9} {:>8} {:>10}",
        "residents",
        "threads",
        "build s",
        "ms/tick",
        "M res-tick/s",
        "per core",
        "peak MB",
        "B/resident"
    );
    for m in rec.measurements.iter().chain(&rec.full_city) {
        let _ = writeln!(
            s,
            "{:>11} {:>7} {:>8.2} {:>9.2} {:>12.2} {:>9.2} {:>8} {:>10}{}",
            thousands(m.residents),
            m.threads,
            m.build_seconds,
            m.ms_per_tick,
            m.resident_ticks_per_second / 1e6,
            m.resident_ticks_per_second_per_core / 1e6,
            mb(m.peak_bytes),
            per_resident(m),
            if rec.full_city.as_ref().is_some_and(|f| std::ptr::eq(f, m)) {
                format!("  {} × {} days", m.scenario, m.ticks)
            } else {
                String::new()
            }
        );
    }
}

/// Speed-up per size and the cost of ten times the residents.
fn scaling(s: &mut String, rec: &Record) {
    if !rec.speedup.is_empty() {
        let (fewest, most) = (rec.fewest_threads(), rec.most_threads());
        let parts: Vec<String> = rec
            .speedup
            .iter()
            .map(|(n, x)| format!("{} {x:.2}×", thousands(*n)))
            .collect();
        let _ = writeln!(
            s,
            "\nspeed-up {fewest} → {most} threads: {}",
            parts.join(", ")
        );
    }
    if let Some(r) = rec.cost_ratio_10x {
        let _ = writeln!(s, "time a tick at 10× the residents: {r:.1}×");
    }
}

/// The core's clock, the memory probe and the hot loop against it.
fn memory(s: &mut String, rec: &Record) {
    if let ClockProbe {
        start_ghz: Some(start),
        end_ghz: Some(end),
    } = rec.clock
    {
        let _ = writeln!(
            s,
            "\nclock: {start:.2} GHz at the start, {end:.2} GHz at the end (compare records at like clocks)"
        );
    }
    let (Some(p), Some(r)) = (&rec.memory, &rec.roofline) else {
        return;
    };
    let _ = writeln!(
        s,
        "\nmemory: reads {:.1} GB/s on 1 thread, {:.1} GB/s on {} cores; a random load takes {:.0} ns",
        p.read_gb_s_1_thread, p.read_gb_s_all_cores, rec.cores, p.random_load_ns
    );
    let _ = writeln!(
        s,
        "hot loop at {} residents: {:.0} bytes a resident-tick, {:.1} GB/s = {:.0}% of read bandwidth;",
        thousands(r.residents),
        r.bytes_per_resident_tick,
        r.gb_s,
        r.share_of_bandwidth * 100.0
    );
    let _ = writeln!(
        s,
        "  a resident-tick takes {:.0} ns a thread; its {:.1} weak-tie loads would take {:.0} ns if each went to memory in turn",
        r.ns_per_resident_tick,
        r.ns_if_weak_loads_missed / p.random_load_ns,
        r.ns_if_weak_loads_missed
    );
}

/// The targets, names aligned, with PASS or FAIL.
fn targets(s: &mut String, rec: &Record) {
    if rec.targets.is_empty() {
        return;
    }
    let w = rec
        .targets
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        s,
        "\n{:<w$}  {:>8}  {:>10}        earlier target",
        "target", "wanted", "measured"
    );
    for t in &rec.targets {
        let _ = writeln!(
            s,
            "{:<w$}  {:>8}  {:>10}  {}  {}",
            t.name,
            t.target,
            t.measured,
            if t.pass { "PASS" } else { "FAIL" },
            t.earlier.as_deref().unwrap_or("")
        );
    }
}
