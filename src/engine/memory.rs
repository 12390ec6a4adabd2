//! Memory: the process's peak (for `linkage run` and `linkage bench`), the machine's
//! total, and an estimate of what a scenario's world needs, so that `check`, `run` and
//! `sweep` refuse a scenario that cannot fit instead of aborting mid-build.
//!
//! Invariant: [`world_bytes`] does not build anything; it is arithmetic on the
//! scenario's counts and errs on the high side (about 1.4 times the measured peak of
//! the default scenario), so a refused scenario would not have fitted.

use crate::engine::residents_phase::Taken;
use crate::engine::tally::Tally;
use crate::model::issues::Issue;
use crate::model::residents::{Outcomes, Visible};
use crate::model::territory::{Community, Grid, Township};
use crate::scenario::Scenario;
use std::mem::size_of;

/// Peak resident set size of this process so far, in bytes (`VmHWM` of
/// `/proc/self/status`). `None` where the kernel does not tell (not Linux).
pub fn peak_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    kib_field(&status, "VmHWM:")
}

/// The machine's total memory in bytes (`MemTotal` of `/proc/meminfo`). `None` where the
/// kernel does not tell (not Linux): then nothing is refused for its size.
pub fn total_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    kib_field(&meminfo, "MemTotal:")
}

/// The value of a `NAME:   123 kB` line, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let kb = line.strip_prefix(name)?.trim().strip_suffix("kB")?;
        kb.trim()
            .parse::<u64>()
            .ok()
            .map(|kb| kb.saturating_mul(1024))
    })
}

/// What the program needs besides its worlds (code, threads, buffers).
const PROCESS_BYTES: u64 = 32 << 20;

/// Estimated peak bytes of one run of `scenario` holding `regimes` regimes' history
/// (a run keeps every regime's per-tick tallies until it writes them): residents and
/// their ties, the units and offices of the territory, organisations, live issues and
/// the per-tick history. Saturates instead of overflowing.
pub fn world_bytes(scenario: &Scenario, regimes: u64) -> u64 {
    let residents = scenario.run.residents;
    let p = &scenario.population;
    let t = &scenario.territory;
    // Each field of a resident, the double-buffered view, the sums taken ahead for a
    // third of them, and ties (4-byte targets, with room for the lists built before
    // they are packed).
    let per_resident = (size_of::<u32>() + 1 + 11 * size_of::<f32>() + 3 + 1)
        + 2 * size_of::<Visible>()
        + size_of::<Taken>().div_ceil(3)
        + size_of::<Outcomes>()
        + size_of::<u32>();
    let ties = (p.strong_ties as u64 + p.weak_ties as u64).saturating_mul(6);
    let people = residents.saturating_mul(per_resident as u64 + ties);
    // Units: at most one grid per `grid size` residents in each part of each county.
    let grid_size = t.grid_size_urban.min(t.grid_size_rural).max(1) as u64;
    let parts = 2 * t.counties.len() as u64;
    let grids = residents.div_ceil(grid_size).saturating_add(parts);
    let gpc = t
        .grids_per_community_urban
        .min(t.grids_per_community_rural)
        .max(1) as u64;
    let communities = grids.div_ceil(gpc).saturating_add(parts);
    // A grid: its record, office, issue list and per-grid state (about 190 bytes, with
    // the volunteers' pool, engagement and kept share).
    let per_grid = size_of::<Grid>() as u64 + 164;
    let per_community = (size_of::<Community>() + size_of::<Township>()) as u64 + 160;
    let units = grids
        .saturating_mul(per_grid)
        .saturating_add(communities.saturating_mul(per_community));
    // Organisations: kind, community, linked, active, kept, propensity.
    let orgs_per_community = scenario
        .organisations
        .per_community_urban
        .max(scenario.organisations.per_community_rural)
        .clamp(0.0, 1e9)
        .ceil() as u64;
    let orgs = communities
        .saturating_mul(orgs_per_community)
        .saturating_mul(12);
    let issues = live_issues(scenario).saturating_mul(size_of::<Issue>() as u64);
    let rows = (t.counties.len() as u64 + 1).saturating_mul(size_of::<Tally>() as u64);
    let history = (scenario.run.ticks as u64)
        .saturating_mul(regimes.max(1))
        .saturating_mul(rows);
    PROCESS_BYTES
        .saturating_add(people)
        .saturating_add(units)
        .saturating_add(orgs)
        .saturating_add(issues)
        .saturating_add(history)
}

/// Issues alive at once if none were closed before its deadline: each category's daily
/// rate at the highest need (the model's need at hardship 1, `need_base + need_hardship`,
/// times the elderly need if larger), at most one a resident a day, times its deadline or
/// the run, whichever is shorter.
fn live_issues(scenario: &Scenario) -> u64 {
    let b = &scenario.behaviour;
    let need = (b.need_base + b.need_hardship.max(0.0)) * b.elderly_need.max(1.0);
    let residents = scenario.run.residents as f64;
    let live: f64 = crate::model::issues::Category::ALL
        .iter()
        .map(|&c| {
            let spec = scenario.issues.get(c);
            let share = (spec.rate / 1000.0 * need).clamp(0.0, 1.0);
            let days = spec.deadline_days.min(scenario.run.ticks).max(1);
            residents * share * days as f64
        })
        .sum();
    live.ceil() as u64
}

/// A scenario too large for the machine.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{what} needs about {} of memory (estimated from run.residents, ties, units, organisations and ticks), more than this machine's {}; allowed: a scenario that fits (fewer residents or ties, larger grids{})",
    gigabytes(*.needed), gigabytes(*.total), if *.worlds > 1 { ", or fewer --threads" } else { "" }
)]
pub struct MemoryError {
    /// What is refused, e.g. "scenario big.toml".
    pub what: String,
    pub needed: u64,
    pub total: u64,
    /// Worlds held at once (a sweep's parallel runs).
    pub worlds: u64,
}

/// Bytes as a short human figure: `1.5 GB`, `840 MB`.
pub fn gigabytes(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.1} GB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{} MB", bytes.div_ceil(1 << 20))
    }
}

/// Refuse `scenario` (`what` names it in the message: its file and any overrides) when `worlds` of its worlds at once (each holding `regimes`
/// regimes' history) would need more than `total` bytes; `total` is the machine's
/// ([`total_bytes`]) in the program, `None` when unknown (nothing is refused).
pub fn check_fits(
    scenario: &Scenario,
    what: &str,
    regimes: u64,
    worlds: u64,
    total: Option<u64>,
) -> Result<(), MemoryError> {
    let Some(total) = total else { return Ok(()) };
    let one = world_bytes(scenario, regimes).saturating_sub(PROCESS_BYTES);
    let needed = one
        .saturating_mul(worlds.max(1))
        .saturating_add(PROCESS_BYTES);
    if needed > total {
        return Err(MemoryError {
            what: what.to_string(),
            needed,
            total,
            worlds: worlds.max(1),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn peak_covers_what_is_touched() {
        let before = super::peak_bytes().expect("Linux reports VmHWM");
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = super::peak_bytes().unwrap();
        // The peak cannot fall, and it now covers the 64 MB block (in bytes, not kB).
        assert!(after >= before && after >= 64 << 20, "{before} -> {after}");
    }

    #[test]
    fn estimate_grows_with_residents_and_ties() {
        let s = crate::scenario::builtin::xcity_baseline();
        let base = world_bytes(&s, 3);
        // The default scenario's measured peak is about 120 bytes a resident at 10^6.
        let mut million = s.clone();
        million.run.residents = 1_000_000;
        let per = (world_bytes(&million, 1) - PROCESS_BYTES) / 1_000_000;
        assert!((120..=250).contains(&per), "{per} bytes a resident");
        let mut more = s.clone();
        more.population.strong_ties = 100;
        assert!(world_bytes(&more, 3) > base);
    }

    #[test]
    fn refuses_what_does_not_fit_and_says_how_much() {
        let mut s = crate::scenario::builtin::xcity_baseline();
        s.run.residents = 100_000_000;
        s.population.strong_ties = 100;
        s.population.weak_ties = 100;
        let e = check_fits(&s, "scenario s", 3, 1, Some(16 << 30)).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("GB of memory") && m.contains("16.0 GB"), "{m}");
        assert!(check_fits(&s, "scenario s", 3, 1, None).is_ok());
        let small = crate::scenario::builtin::xcity_baseline();
        assert!(check_fits(&small, "scenario s", 3, 2, Some(16 << 30)).is_ok());
        let e = check_fits(&small, "scenario s", 3, 1000, Some(1 << 30)).unwrap_err();
        assert!(e.to_string().contains("fewer --threads"), "{e}");
    }

    #[test]
    fn reads_kib_fields() {
        let text = "MemTotal:       24576000 kB\nMemFree: 1 kB\n";
        assert_eq!(kib_field(text, "MemTotal:"), Some(24576000 * 1024));
        assert_eq!(kib_field(text, "Swap:"), None);
    }
}
