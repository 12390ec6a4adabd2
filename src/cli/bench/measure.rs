//! One measurement: `bench-one` builds and runs one configuration in this process and
//! prints it as a JSON line; `measure` runs `bench-one` in a child process and reads the
//! line back; `fastest` keeps the best of a configuration's rounds.
//!
//! The world is seen only through the engine's inspection API (`engine::inspect`): its
//! resident count, tie ends and tally digest.

use super::Failure;
use crate::engine::world::World;
use serde::{Deserialize, Serialize};
use std::process::Command;
use std::time::Instant;

/// One measurement, as `bench-one` reports it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Measurement {
    pub scenario: String,
    pub residents: u64,
    pub threads: usize,
    pub ticks: u32,
    /// Times the world was built and run; the fastest run is kept.
    pub repeats: u32,
    pub build_seconds: f64,
    /// Time of all the ticks of the fastest repeat, building excluded.
    pub tick_seconds: f64,
    pub ms_per_tick: f64,
    pub resident_ticks_per_second: f64,
    pub resident_ticks_per_second_per_core: f64,
    /// Peak resident set size of the measuring process (all repeats, binary included).
    pub peak_bytes: Option<u64>,
    pub peak_bytes_per_resident: Option<f64>,
    /// FNV-1a of the last tick's tallies: equal across thread counts if the run is
    /// deterministic.
    pub checksum: String,
    /// Tie ends per resident (strong and weak), and how many of them leave the grid.
    pub ties_per_resident: f64,
    pub weak_ties_per_resident: f64,
    /// Bytes the resident phase reads and writes per resident-tick: its own fields
    /// (streamed in order), its rows of the tie graph, and one 8-byte record a tie.
    pub bytes_per_resident_tick: f64,
    /// Tick time of every round (filled in by `bench`; the fastest is `tick_seconds`).
    #[serde(default)]
    pub tick_seconds_rounds: Vec<f64>,
}

/// The fastest of a configuration's repeats, and what the world looked like.
struct Timing {
    build: f64,
    stepping: f64,
    residents: u64,
    checksum: String,
    /// Mean tie ends and weak tie ends per resident.
    ties: f64,
    weak: f64,
}

/// Build and run the world `repeats` times in `pool`; keep the fastest build and the
/// fastest ticks.
fn time_repeats(
    pool: &rayon::ThreadPool,
    sc: &crate::scenario::Scenario,
    mech: crate::model::mechanisms::Mechanisms,
    repeats: u32,
) -> Timing {
    let mut t = Timing {
        build: f64::INFINITY,
        stepping: f64::INFINITY,
        residents: 0,
        checksum: String::new(),
        ties: 0.0,
        weak: 0.0,
    };
    for _ in 0..repeats {
        pool.install(|| {
            let t0 = Instant::now();
            let mut world = World::new(sc, mech);
            let t1 = Instant::now();
            if t.ties == 0.0 {
                (t.ties, t.weak) = tie_means(&world);
            }
            for _ in 0..sc.run.ticks {
                world.step();
            }
            let t2 = Instant::now();
            t.build = t.build.min((t1 - t0).as_secs_f64());
            t.stepping = t.stepping.min((t2 - t1).as_secs_f64());
            t.residents = world.resident_count() as u64;
            t.checksum = format!("{:016x}", world.tally_digest());
        });
    }
    t
}

/// Build and run one configuration `repeats` times; keep the fastest.
pub fn bench_one(a: &super::BenchOneArgs) -> Result<(), Failure> {
    let args = super::run_args(&a.scenario, &a.regime, a.residents, a.ticks, a.threads);
    let plan = super::super::run::plan(&args)?;
    let pool = crate::base::pool::pool(Some(a.threads))?;
    let sc = &plan.run.scenario;
    let ticks = sc.run.ticks;
    let t = time_repeats(&pool, sc, plan.run.regimes[0].1, a.repeats.max(1));
    let (residents, stepping) = (t.residents, t.stepping);
    let rate = residents as f64 * ticks as f64 / stepping;
    let peak = crate::engine::memory::peak_bytes();
    let m = Measurement {
        scenario: sc.name.clone(),
        residents,
        threads: a.threads,
        ticks,
        repeats: a.repeats.max(1),
        build_seconds: t.build,
        tick_seconds: stepping,
        ms_per_tick: stepping * 1e3 / ticks as f64,
        resident_ticks_per_second: rate,
        resident_ticks_per_second_per_core: rate / a.threads as f64,
        peak_bytes: peak,
        peak_bytes_per_resident: peak.map(|p| p as f64 / residents as f64),
        checksum: t.checksum,
        ties_per_resident: t.ties,
        weak_ties_per_resident: t.weak,
        bytes_per_resident_tick: bytes_per_resident_tick(t.ties),
        tick_seconds_rounds: Vec::new(),
    };
    println!(
        "{}",
        serde_json::to_string(&m).expect("a measurement serialises")
    );
    Ok(())
}

/// Bytes the resident phase streams each tick for one resident with `ties` tie ends,
/// from the sizes of the records it touches: read and written (its state record and
/// link strength), read only (its traits record and its own visible record), written
/// (its next visible record), its row offset and strong-tie count, and per tie the
/// target's index and its visible record.
fn bytes_per_resident_tick(ties: f64) -> f64 {
    use crate::model::residents::{ResidentState, Traits, Visible};
    use std::mem::size_of;
    let (f, u8_, id) = (size_of::<f32>(), size_of::<u8>(), size_of::<u32>());
    let own_rw = size_of::<ResidentState>() + f;
    let own_read = size_of::<Traits>() + size_of::<Visible>();
    let own_write = size_of::<Visible>();
    let row = id + u8_;
    (2 * own_rw + own_read + own_write + row) as f64 + ties * (id + size_of::<Visible>()) as f64
}

/// Mean tie ends and weak tie ends per resident.
fn tie_means(world: &World) -> (f64, f64) {
    let ends = world.tie_ends();
    let n = world.resident_count().max(1) as f64;
    let all = ends.all as f64;
    let strong = ends.strong as f64;
    (all / n, (all - strong) / n)
}

/// Run `bench-one` in a child process.
pub(super) fn measure(
    scenario: &str,
    regime: &str,
    residents: Option<u64>,
    ticks: Option<u32>,
    threads: usize,
    repeats: u32,
) -> Result<Measurement, Failure> {
    let exe = std::env::current_exe().map_err(|e| Failure {
        code: 1,
        message: format!("cannot find this program to measure with: {e}"),
    })?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench-one", "--scenario", scenario, "--regime", regime])
        .args(["--threads", &threads.to_string()])
        .args(["--repeats", &repeats.to_string()]);
    if let Some(n) = residents {
        cmd.args(["--residents", &n.to_string()]);
    }
    if let Some(t) = ticks {
        cmd.args(["--ticks", &t.to_string()]);
    }
    let out = cmd.output().map_err(|e| Failure {
        code: 1,
        message: format!("cannot start a measurement: {e}"),
    })?;
    if !out.status.success() {
        let what = format!(
            "the measurement of {} residents on {threads} threads",
            residents.map_or("the scenario's".into(), |n| n.to_string())
        );
        return Err(super::child_failure(&out, &what));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim()).map_err(|e| Failure {
        code: 1,
        message: format!("a measurement printed something unreadable: {e}"),
    })
}

/// Keep the faster of two measurements of one configuration, the larger peak memory,
/// and every round's tick time.
pub(super) fn fastest(old: Option<Measurement>, new: Measurement) -> Measurement {
    let Some(old) = old else {
        let mut m = new;
        m.tick_seconds_rounds = vec![m.tick_seconds];
        return m;
    };
    let mut rounds = old.tick_seconds_rounds.clone();
    rounds.push(new.tick_seconds);
    let peak = old.peak_bytes.max(new.peak_bytes);
    let mut m = if new.tick_seconds < old.tick_seconds {
        new
    } else {
        old
    };
    m.tick_seconds_rounds = rounds;
    m.peak_bytes = peak;
    m.peak_bytes_per_resident = peak.map(|p| p as f64 / m.residents as f64);
    m
}

/// Repeats that give a small size about as much work as 20M resident-ticks, so that
/// its fastest time is not noise; big sizes run once.
pub(super) fn repeats_for(residents: u64, ticks: u32) -> u32 {
    let work = residents * ticks as u64;
    (20_000_000u64.div_ceil(work.max(1))).clamp(1, 20) as u32
}
