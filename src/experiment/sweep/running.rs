//! Running and resuming: one run into its row of `runs.csv` and its block of
//! `series.csv`, appended as it finishes (block first, then row, each with one
//! `write_all`), and on a restart, what the folder already holds: the finished runs, after
//! cutting off a torn last line.

use super::super::plan::{Plan, Run};
use super::folder::{Opened, open};
use super::{Options, Outcome, SweepError, csv_line, finish, io};
use crate::base::num::{decimal, given};
use crate::engine::run::Paired;
use crate::output::metrics::{HEADLINE, Summary, summarise, tick_metric, tick_table};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The header of `runs.csv`.
pub fn header(plan: &Plan) -> Vec<String> {
    let mut h: Vec<String> = ["run", "cell", "replicate", "seed", "scenario", "regime"]
        .map(String::from)
        .to_vec();
    h.extend(plan.experiment.factors.iter().map(|f| f.path.clone()));
    h.extend(plan.metrics.iter().cloned());
    h
}

/// The runs of this shard (`K/N`: runs whose id mod N is K − 1).
pub fn shard_runs(plan: &Plan, shard: Option<(u64, u64)>) -> Vec<Run> {
    plan.runs
        .iter()
        .copied()
        .filter(|r| shard.is_none_or(|(k, n)| r.id % n == k - 1))
        .collect()
}

/// The header of `series.csv`: run, tick, then the headline metrics.
pub fn series_header() -> String {
    let mut h = vec!["run".to_string(), "tick".to_string()];
    h.extend(HEADLINE.iter().map(|m| m.to_string()));
    csv_line(&h)
}

/// What one run gives: its row of `runs.csv` and its block of `series.csv` (one line
/// per tick: the city-wide value of each headline metric that day).
pub struct RunOutput {
    pub row: String,
    pub series: String,
}

impl RunOutput {
    /// One message for MPI: the row's length (8 bytes, little-endian), row, series.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = (self.row.len() as u64).to_le_bytes().to_vec();
        b.extend_from_slice(self.row.as_bytes());
        b.extend_from_slice(self.series.as_bytes());
        b
    }

    pub fn from_bytes(b: &[u8]) -> Option<RunOutput> {
        let n = u64::from_le_bytes(b.get(..8)?.try_into().ok()?) as usize;
        let text = std::str::from_utf8(b.get(8..)?).ok()?;
        Some(RunOutput {
            row: text.get(..n)?.to_string(),
            series: text.get(n..)?.to_string(),
        })
    }
}

/// Run one run: its row and its series.
pub fn run_output(plan: &Plan, run: &Run) -> RunOutput {
    run_output_while(plan, run, || true).expect("a run never asked to stop finishes")
}

/// [`run_output`], asking `go_on` after every day whether to go on; `None` when it said
/// no (the run is dropped, to be run again whole by a resume).
pub fn run_output_while(plan: &Plan, run: &Run, go_on: impl Fn() -> bool) -> Option<RunOutput> {
    let cell = &plan.cells[run.cell];
    let mut s = cell.scenario.clone();
    s.run.seed = run.seed;
    let mech = s.regimes[&cell.regime];
    let mut paired = Paired::new(&s, &cell.regime, mech, plan.experiment.twin);
    if !paired.warm_up_while(|_| go_on()) {
        return None;
    }
    let mut going = true;
    while going && paired.step(|_| going &= go_on()) {}
    if !going {
        return None;
    }
    let (result, twin) = paired.finish();
    let table = tick_table(&result.history, s.run.window as usize);
    let twin = twin.map(|t| tick_table(&t.history, s.run.window as usize));
    let city = table.shape()[1] - 1;
    let columns: Vec<usize> = HEADLINE.iter().map(|m| tick_metric(m)).collect();
    let mut series = String::with_capacity(table.shape()[0] * 32);
    for t in 0..table.shape()[0] {
        let _ = write!(series, "{},{t}", run.id);
        for &m in &columns {
            let _ = write!(series, ",{}", decimal(table[[t, city, m]]));
        }
        series.push('\n');
    }
    let summary = summarise(
        &result,
        &table,
        s.run.burn_in as usize,
        s.shock_start(),
        twin.as_ref(),
    );
    let names = Summary::header();
    let values = summary.cells();
    let mut row = vec![
        run.id.to_string(),
        run.cell.to_string(),
        run.replicate.to_string(),
        run.seed.to_string(),
        cell.scenario_name.clone(),
        cell.regime.clone(),
    ];
    row.extend(cell.point.iter().map(|&v| given(v)));
    for m in &plan.metrics {
        row.push(
            names
                .iter()
                .position(|n| n == m)
                .map(|i| values[i].clone())
                .unwrap_or_default(),
        );
    }
    Some(RunOutput {
        row: csv_line(&row),
        series,
    })
}

/// Run the plan (or one shard of it) into `dir`, resuming what is there.
pub fn run(plan: &Plan, dir: &Path, o: &Options) -> Result<Outcome, SweepError> {
    let Opened {
        todo,
        total,
        sink,
        header,
    } = open(plan, dir, o)?;
    (o.on_start)((total - todo.len()) as u64);
    let sink = Mutex::new(sink);
    let failure: Mutex<Option<SweepError>> = Mutex::new(None);
    let stopped = || {
        o.stop
            .as_ref()
            .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    };
    let ran = std::sync::atomic::AtomicUsize::new(0);
    todo.par_iter().for_each(|run| {
        if failure.lock().expect("lock").is_some() || stopped() {
            return;
        }
        // Stopped part-way: the run is not written, and a resume runs it whole.
        let Some(out) = run_output_while(plan, run, || !stopped()) else {
            return;
        };
        if let Err(e) = sink.lock().expect("lock").write(&out) {
            *failure.lock().expect("lock") = Some(e);
        }
        ran.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (o.on_run)();
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    let ran = ran.into_inner();
    // Stopped before the end: what ran is in the journal; the next start resumes it.
    let complete = ran == todo.len();
    if complete {
        finish(dir, &header, o.format)?;
    }
    Ok(Outcome {
        total,
        already_done: total - todo.len(),
        ran,
        complete,
    })
}

/// Where finished runs go: `runs.csv` and `series.csv`, open for appending.
pub struct Sink {
    /// sweep.lock, locked: released when the sink is dropped, after the finish.
    pub(super) _lock: File,
    pub(super) runs: File,
    pub(super) series: File,
    pub(super) runs_path: PathBuf,
    pub(super) series_path: PathBuf,
}

impl Sink {
    /// Append a run: its series block first, then its row (each one `write_all`), so a
    /// run that has a row has its whole block.
    pub fn write(&mut self, out: &RunOutput) -> Result<(), SweepError> {
        self.series
            .write_all(out.series.as_bytes())
            .and_then(|_| self.series.flush())
            .map_err(io(&self.series_path))?;
        self.runs
            .write_all(out.row.as_bytes())
            .and_then(|_| self.runs.flush())
            .map_err(io(&self.runs_path))
    }
}

/// Ids of the rows already in `runs.csv`, after cutting off a torn last line.
pub(super) fn finished(path: &Path, header: &str) -> Result<BTreeSet<u64>, SweepError> {
    let mut done = BTreeSet::new();
    if !path.exists() {
        return Ok(done);
    }
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(io(path))?;
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if keep < bytes.len() {
        OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|f| f.set_len(keep as u64))
            .map_err(io(path))?;
    }
    let text = String::from_utf8_lossy(&bytes[..keep]);
    let mut lines = text.lines();
    match lines.next() {
        None => return Ok(done),
        Some(h) if h == header.trim_end() => {}
        Some(_) => {
            return Err(SweepError::OtherColumns {
                path: path.to_path_buf(),
            });
        }
    }
    for l in lines {
        if let Some(id) = l.split(',').next().and_then(|x| x.parse().ok()) {
            done.insert(id);
        }
    }
    Ok(done)
}

/// Cut a torn last line off `path` (bytes after its last newline), reading only its end.
fn cut_torn_tail(path: &Path) -> Result<(), SweepError> {
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io(path))?;
    let len = f.metadata().map_err(io(path))?.len();
    let mut end = len;
    let mut buf = vec![0u8; 1 << 16];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.read_exact(chunk))
            .map_err(io(path))?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            end = start + i as u64 + 1;
            break;
        }
        end = start;
    }
    if end < len {
        f.set_len(end).map_err(io(path))?;
    }
    Ok(())
}

/// Open `path` for appending, writing `header` first if it is empty.
pub(super) fn open_append(path: &Path, header: &str) -> Result<File, SweepError> {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io(path))?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        file.write_all(header.as_bytes()).map_err(io(path))?;
    }
    Ok(file)
}

/// Open `series.csv` for appending: cut a torn last line, check (or write) its header.
pub(super) fn open_series(path: &Path) -> Result<File, SweepError> {
    let header = series_header();
    if path.exists() {
        cut_torn_tail(path)?;
        let mut first = String::new();
        BufReader::new(File::open(path).map_err(io(path))?)
            .read_line(&mut first)
            .map_err(io(path))?;
        if !first.is_empty() && first != header {
            return Err(SweepError::OtherSeriesColumns {
                path: path.to_path_buf(),
            });
        }
    }
    open_append(path, &header)
}
