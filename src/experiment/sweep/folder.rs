//! The sweep folder and its lock. Opening a folder takes an OS lock on `sweep.lock`
//! (held until the sweep ends), checks that the folder holds this sweep (or nothing, or
//! `restart` is set), records what is run (`experiment.toml`, `scenario-<k>.toml`),
//! brings back the journal of a folder finished as Parquet alone, and lists the runs
//! still to do.
//!
//! `sweep.lock` is written in place, never replaced by a rename: the OS lock belongs to
//! the file, and a renamed-over file would let a second sweep lock a new one.

use super::super::plan::{Plan, Run};
use super::parquet::{Table, remove, restore};
use super::running::{Sink, finished, header, open_append, open_series, shard_runs};
use super::{EXPERIMENT, LOCK, Options, RUNS, SERIES, SweepError, csv_line, io};
use crate::base::fs::write_atomic;
use std::fs::{self, File, OpenOptions};
use std::path::Path;

/// A sweep folder opened for writing: what is left to run, and the files runs go to.
pub struct Opened {
    pub todo: Vec<Run>,
    pub total: usize,
    pub sink: Sink,
    pub header: String,
}

/// The file that records the `k`-th entry of the experiment's `scenarios` as run.
pub fn scenario_file(k: usize) -> String {
    format!("scenario-{k}.toml")
}

/// What `sweep.lock` holds: the plan's fingerprint, its size and the shard.
fn lock_text(plan: &Plan, shard: Option<(u64, u64)>) -> String {
    let shard = shard.map_or("all".to_string(), |(k, n)| format!("{k}/{n}"));
    format!(
        "fingerprint {}\nruns {}\nshard {shard}\n",
        plan.fingerprint,
        plan.runs.len()
    )
}

/// Open `sweep.lock` and hold an OS lock on it for as long as the sweep writes here, so
/// that a second sweep into the same folder stops instead of interleaving its rows.
fn take_lock(dir: &Path) -> Result<File, SweepError> {
    let lock = dir.join(LOCK);
    let guard = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock)
        .map_err(io(&lock))?;
    match guard.try_lock() {
        Ok(()) => Ok(guard),
        Err(fs::TryLockError::WouldBlock) => Err(SweepError::InUse {
            dir: dir.to_path_buf(),
        }),
        // A file system without locks (Lustre mounted without flock, some NFS setups)
        // must still run sweeps: there the folder is simply not guarded.
        Err(fs::TryLockError::Error(_)) => Ok(guard),
    }
}

/// Record what the folder's runs are: the experiment as run (after overrides) and each
/// of its scenarios as run, for reports and for the record. Same bytes in every shard.
pub(super) fn record(plan: &Plan, dir: &Path) -> Result<(), SweepError> {
    let exp = dir.join(EXPERIMENT);
    let text = format!(
        "# {} — the experiment as run\n{}",
        crate::base::version::program(),
        toml::to_string(&plan.experiment).unwrap_or_default()
    );
    write_atomic(&exp, text).map_err(io(&exp))?;
    for (k, scenario) in plan.scenarios.iter().enumerate() {
        let path = dir.join(scenario_file(k));
        write_atomic(&path, scenario.to_toml()).map_err(io(&path))?;
    }
    remove_scenarios_from(dir, plan.scenarios.len())
}

/// Remove the `scenario-<k>.toml` files with k ≥ `n` (left by an earlier sweep).
pub(super) fn remove_scenarios_from(dir: &Path, n: usize) -> Result<(), SweepError> {
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name();
        let k = name
            .to_str()
            .and_then(|s| s.strip_prefix("scenario-"))
            .and_then(|s| s.strip_suffix(".toml"))
            .and_then(|s| s.parse::<usize>().ok());
        if k.is_some_and(|k| k >= n) {
            fs::remove_file(entry.path()).map_err(io(&entry.path()))?;
        }
    }
    Ok(())
}

/// Check the folder's lock, cut a torn last line, and list the runs still to do.
pub fn open(plan: &Plan, dir: &Path, o: &Options) -> Result<Opened, SweepError> {
    fs::create_dir_all(dir).map_err(|source| SweepError::CannotCreate {
        dir: dir.to_path_buf(),
        source,
    })?;
    let guard = take_lock(dir)?;
    let lock = dir.join(LOCK);
    let want = lock_text(plan, o.shard);
    // A folder merged from this sweep's shards holds the same runs: going on from it
    // (nothing is left to run) is allowed.
    let merged = want.replace("\nshard all\n", "\nshard merged\n");
    if let Ok(have) = fs::read_to_string(&lock)
        && !have.is_empty()
        && have != want
        && !(o.shard.is_none() && have == merged)
        && !o.restart
    {
        return Err(SweepError::OtherSweep {
            dir: dir.to_path_buf(),
        });
    }
    if o.restart {
        for t in Table::ALL {
            remove(&dir.join(t.csv()))?;
            remove(&dir.join(t.parquet()))?;
        }
    }
    fs::write(&lock, &want).map_err(io(&lock))?;
    record(plan, dir)?;
    // A folder finished as Parquet alone has no journal: bring it back to go on from.
    restore(dir, Table::Runs)?;
    restore(dir, Table::Series)?;
    let header = csv_line(&header(plan));
    let runs_path = dir.join(RUNS);
    let done = finished(&runs_path, &header)?;
    let mine = shard_runs(plan, o.shard);
    let todo: Vec<_> = mine
        .iter()
        .filter(|r| !done.contains(&r.id))
        .copied()
        .collect();
    if !todo.is_empty() {
        // Runs are added: the tables of an earlier finish (the aggregates, the Parquet
        // twins) no longer describe the folder, and a reader must not take them for it
        // if this start is stopped before it finishes. The journals stay.
        for t in Table::ALL {
            if t != Table::Runs && t != Table::Series {
                remove(&dir.join(t.csv()))?;
            }
            remove(&dir.join(t.parquet()))?;
        }
    }
    let runs = open_append(&runs_path, &header)?;
    let series_path = dir.join(SERIES);
    let series = open_series(&series_path)?;
    Ok(Opened {
        todo,
        total: mine.len(),
        sink: Sink {
            _lock: guard,
            runs,
            series,
            runs_path,
            series_path,
        },
        header,
    })
}
