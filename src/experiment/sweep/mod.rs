//! Running a plan: runs in parallel, one row per run appended to `runs.csv` and one block
//! of daily city-wide headline metrics appended to `series.csv` as it finishes,
//! resumable after any kill, shardable, mergeable.
//!
//! The jobs, one file each:
//! - [`folder`]: the sweep folder and its lock, and the records of what it holds
//!   (`sweep.lock`, `experiment.toml`, `scenario-<k>.toml`);
//! - [`running`]: running one run into its row and series block, appending them, and
//!   resuming (what is already done, cutting a torn last line);
//! - [`finish`]: sorting the folder's files when a sweep completes, and merging shards;
//! - [`aggregates`]: `summary.csv` and `series-summary.csv`, computed from the sorted
//!   files;
//! - [`parquet`]: the same four tables as Parquet files (`--format parquet|both`), written
//!   from the sorted CSV files, and the CSV journals brought back from them.
//!
//! Invariants:
//! - a row is written with one `write_all` of a whole line, so a kill leaves at most one
//!   partial last line, which the next start cuts off; the same for a run's block of
//!   `series.csv`, which is written (whole) before its row, so a run with a row has its
//!   whole block; a block without a row (killed between the two, or torn) is written
//!   again when the run reruns, and `finish` keeps one whole block per run;
//! - `sweep.lock` holds the plan's fingerprint: a changed experiment is refused unless
//!   `restart` is set;
//! - when a sweep (or shard) completes, `runs.csv` and `series.csv` are rewritten in
//!   run-id order and `summary.csv` and `series-summary.csv` computed from them, all
//!   through [`crate::base::fs::AtomicFile`]; so an interrupted-and-resumed sweep, an
//!   uninterrupted one, and merged shards give the same bytes;
//! - the format (`--format csv|parquet|both`) is what `finish` writes, not part of the
//!   sweep: the CSV files are the journal whatever it is, `finish` writes the Parquet
//!   twins from the sorted CSV files (so they too are the same bytes however the sweep
//!   ran) and removes the files of the format not asked for, and a journal finished away
//!   (Parquet alone) is brought back byte for byte from its twin before a resume, a
//!   rerun or a merge reads it. A folder can therefore be resumed, finished again or
//!   merged in another format than it was started in;
//! - `scenario-<k>.toml` is the k-th entry of the experiment's `scenarios` as run (after
//!   the experiment's `ticks` and `residents`, with all its regimes): the same bytes in
//!   every shard, copied by merge;
//! - rows go to disk as runs finish, never into memory; what memory does grow with the
//!   number of runs is small: the run list (about 64 bytes a run), the final sort's index
//!   (24 bytes a run, and 32 for `series.csv`'s blocks), and on resume or merge
//!   `runs.csv` read back once; the summary keeps one accumulator per cell and metric,
//!   the series summary one per tick and headline metric of one cell at a time (a
//!   cell's runs have consecutive ids).

pub mod aggregates;
pub mod finish;
pub mod folder;
pub mod parquet;
pub mod running;

pub use aggregates::{first_metric, write_series_summary, write_summary};
pub use finish::{finish, merge};
pub use folder::{Opened, open, scenario_file};
pub use running::{
    RunOutput, Sink, header, run, run_output, run_output_while, series_header, shard_runs,
};

use std::path::{Path, PathBuf};

/// The files of a sweep folder.
pub const RUNS: &str = "runs.csv";
pub const SUMMARY: &str = "summary.csv";
pub const SERIES: &str = "series.csv";
pub const SERIES_SUMMARY: &str = "series-summary.csv";
pub const LOCK: &str = "sweep.lock";
pub const EXPERIMENT: &str = "experiment.toml";

/// The table files a finished folder holds in `format` (CSV first).
pub fn files(format: Format) -> Vec<&'static str> {
    format.pick(
        &parquet::Table::ALL.map(parquet::Table::csv),
        &parquet::Table::ALL.map(parquet::Table::parquet),
    )
}

pub use crate::output::files::Format;

/// Why a sweep or a merge stopped. [`SweepError::is_input`] tells the user's fault (exit
/// code 2) from the system's (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A file to read that is not a regular file, or cannot be opened.
    #[error(transparent)]
    Input(#[from] crate::base::input::InputError),
    #[error("cannot create output folder {}: {source}", dir.display())]
    CannotCreate {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "another sweep is writing into {} (it holds sweep.lock); wait for it to end, or choose another --out",
        dir.display()
    )]
    InUse { dir: PathBuf },
    #[error(
        "{} holds a sweep of a different experiment, size or shard; rerun with --restart to discard it, or choose another --out",
        dir.display()
    )]
    OtherSweep { dir: PathBuf },
    #[error(
        "{} has other columns than this experiment; rerun with --restart to start over",
        path.display()
    )]
    OtherColumns { path: PathBuf },
    #[error(
        "{} has other columns than this version of linkage writes; rerun with --restart to start over",
        path.display()
    )]
    OtherSeriesColumns { path: PathBuf },
    #[error("{} has other columns than this version of linkage writes", path.display())]
    ShardSeriesColumns { path: PathBuf },
    #[error("{} is not a sweep folder ({source})", dir.display())]
    NotASweepFolder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{} holds a different experiment from {}; merge only shards of one sweep",
        dir.display(),
        first.display()
    )]
    DifferentExperiment { dir: PathBuf, first: PathBuf },
    #[error("{} has other columns than {}", dir.display(), first.display())]
    DifferentColumns { dir: PathBuf, first: PathBuf },
    #[error("no sweep folders given")]
    NoFolders,
    #[error(
        "--mpi needs at least 2 ranks (mpirun -np 2 or more): rank 0 schedules, the others run"
    )]
    TooFewRanks,
    #[error("MPI could not be initialised (run under mpirun)")]
    NoMpi,
    #[error("a rank sent a malformed run")]
    MalformedRun,
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{}: {message}", path.display())]
    Parquet { path: PathBuf, message: String },
    #[error("{}: line {line}, column {column}: '{text}' is not a value of that column", path.display())]
    BadCell {
        path: PathBuf,
        line: u64,
        column: String,
        text: String,
    },
}

impl SweepError {
    /// The user's input is at fault (exit code 2), not the system (exit code 1).
    pub fn is_input(&self) -> bool {
        !matches!(
            self,
            SweepError::NoMpi
                | SweepError::MalformedRun
                | SweepError::Io { .. }
                | SweepError::Csv { .. }
                | SweepError::Parquet { .. }
                | SweepError::BadCell { .. }
        )
    }
}

/// An I/O error on `path`.
fn io(path: &Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A CSV error on `path`.
fn csv_err(path: &Path) -> impl Fn(csv::Error) -> SweepError + '_ {
    move |source| SweepError::Csv {
        path: path.to_path_buf(),
        source,
    }
}

/// One CSV record as a line, as `runs.csv` and the aggregates write it.
fn csv_line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells).expect("writing to memory");
    String::from_utf8(w.into_inner().expect("flushed")).expect("utf-8")
}

pub struct Options {
    pub shard: Option<(u64, u64)>,
    pub restart: bool,
    /// The files `finish` writes (CSV, Parquet or both; the journal is CSV whatever it is).
    pub format: Format,
    /// Called after each finished run (for progress).
    pub on_run: Box<dyn Fn() + Sync>,
    /// Called once the folder is open, with the runs it already holds.
    pub on_start: Box<dyn Fn(u64) + Sync>,
    /// Once set, the sweep stops within a day: no further run starts, the runs going on
    /// are dropped unwritten, and it returns incomplete, to be resumed (Ctrl-C in
    /// Python). `None`: never stops.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

pub struct Outcome {
    pub total: usize,
    pub already_done: usize,
    pub ran: usize,
    pub complete: bool,
}
