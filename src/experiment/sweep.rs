//! Running a plan: runs in parallel, one row per run appended to `runs.csv` and one block
//! of daily city-wide headline metrics appended to `series.csv` as it finishes,
//! resumable after any kill, shardable, mergeable.
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
//!   through a temporary file and a rename; so an interrupted-and-resumed sweep, an
//!   uninterrupted one, and merged shards give the same bytes;
//! - rows go to disk as runs finish, never into memory; what memory does grow with the
//!   number of runs is small: the run list (about 64 bytes a run), the final sort's index
//!   (24 bytes a run, and 32 for `series.csv`'s blocks), and on resume or merge
//!   `runs.csv` read back once; the summary keeps one accumulator per cell and metric,
//!   the series summary one per tick and headline metric of one cell at a time (a
//!   cell's runs have consecutive ids).

use super::plan::Plan;
use super::stats;
use crate::engine::run::run_regime;
use crate::output::metrics::{HEADLINE, Summary, summarise, tick_metric, tick_table};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug)]
pub enum SweepError {
    /// The user's input is at fault (exit code 2).
    Input(String),
    /// The system failed (exit code 1).
    Io(String),
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepError::Input(m) | SweepError::Io(m) => write!(f, "{m}"),
        }
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> SweepError + '_ {
    move |e| SweepError::Io(format!("{}: {e}", path.display()))
}

pub struct Options {
    pub shard: Option<(u64, u64)>,
    pub restart: bool,
    /// Called after each finished run (for progress).
    pub on_run: Box<dyn Fn() + Sync>,
    /// Called once the folder is open, with the runs it already holds.
    pub on_start: Box<dyn Fn(u64) + Sync>,
}

pub struct Outcome {
    pub total: usize,
    pub already_done: usize,
    pub ran: usize,
    pub complete: bool,
}

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
pub fn shard_runs(plan: &Plan, shard: Option<(u64, u64)>) -> Vec<super::plan::Run> {
    plan.runs
        .iter()
        .copied()
        .filter(|r| shard.is_none_or(|(k, n)| r.id % n == k - 1))
        .collect()
}

fn csv_line(cells: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(cells).expect("writing to memory");
    String::from_utf8(w.into_inner().expect("flushed")).expect("utf-8")
}

/// The header of `series.csv`: run, tick, then the headline metrics.
pub fn series_header() -> String {
    let mut h = vec!["run".to_string(), "tick".to_string()];
    h.extend(HEADLINE.iter().map(|m| m.to_string()));
    csv_line(&h)
}

use crate::base::num::decimal;

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
pub fn run_output(plan: &Plan, run: &super::plan::Run) -> RunOutput {
    let cell = &plan.cells[run.cell];
    let mut s = cell.scenario.clone();
    s.run.seed = run.seed;
    let mech = s.regimes[&cell.regime];
    let result = run_regime(&s, &cell.regime, mech, |_| {});
    let table = tick_table(&result.history, s.run.window as usize);
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
    let summary = summarise(&result, &table, s.run.burn_in as usize, s.shock_start());
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
    row.extend(cell.point.iter().map(|v| v.to_string()));
    for m in &plan.metrics {
        row.push(
            names
                .iter()
                .position(|n| n == m)
                .map(|i| values[i].clone())
                .unwrap_or_default(),
        );
    }
    RunOutput {
        row: csv_line(&row),
        series,
    }
}

fn lock_text(plan: &Plan, shard: Option<(u64, u64)>) -> String {
    let shard = shard.map_or("all".to_string(), |(k, n)| format!("{k}/{n}"));
    format!(
        "fingerprint {}\nruns {}\nshard {shard}\n",
        plan.fingerprint,
        plan.runs.len()
    )
}

/// Ids of the rows already in `runs.csv`, after cutting off a torn last line.
fn finished(path: &Path, header: &str) -> Result<BTreeSet<u64>, SweepError> {
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
            return Err(SweepError::Input(format!(
                "{} has other columns than this experiment; rerun with --restart to start over",
                path.display()
            )));
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

/// Open `series.csv` for appending: cut a torn last line, check (or write) its header.
fn open_series(path: &Path) -> Result<File, SweepError> {
    let header = series_header();
    if path.exists() {
        cut_torn_tail(path)?;
        let mut first = String::new();
        BufReader::new(File::open(path).map_err(io(path))?)
            .read_line(&mut first)
            .map_err(io(path))?;
        if !first.is_empty() && first != header {
            return Err(SweepError::Input(format!(
                "{} has other columns than this version of linkage writes; rerun with --restart to start over",
                path.display()
            )));
        }
    }
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

/// Where finished runs go: `runs.csv` and `series.csv`, open for appending.
pub struct Sink {
    /// sweep.lock, locked: released when the sink is dropped, after the finish.
    _lock: File,
    runs: File,
    series: File,
    runs_path: PathBuf,
    series_path: PathBuf,
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

/// A sweep folder opened for writing: what is left to run, and the files runs go to.
pub struct Opened {
    pub todo: Vec<super::plan::Run>,
    pub total: usize,
    pub sink: Sink,
    pub header: String,
}

/// Check the folder's lock, cut a torn last line, and list the runs still to do.
pub fn open(plan: &Plan, dir: &Path, o: &Options) -> Result<Opened, SweepError> {
    fs::create_dir_all(dir).map_err(|e| {
        SweepError::Input(format!(
            "cannot create output folder {}: {e}",
            dir.display()
        ))
    })?;
    let lock = dir.join("sweep.lock");
    // Hold an OS lock on sweep.lock for as long as the sweep writes here, so that a
    // second sweep into the same folder stops instead of interleaving its rows.
    let guard = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock)
        .map_err(io(&lock))?;
    match guard.try_lock() {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            return Err(SweepError::Input(format!(
                "another sweep is writing into {} (it holds sweep.lock); wait for it to end, or choose another --out",
                dir.display()
            )));
        }
        // A file system without locks (Lustre mounted without flock, some NFS setups)
        // must still run sweeps: there the folder is simply not guarded.
        Err(fs::TryLockError::Error(_)) => {}
    }
    let runs_path = dir.join("runs.csv");
    let want = lock_text(plan, o.shard);
    if let Ok(have) = fs::read_to_string(&lock)
        && !have.is_empty()
        && have != want
        && !o.restart
    {
        return Err(SweepError::Input(format!(
            "{} holds a sweep of a different experiment, size or shard; rerun with --restart to discard it, or choose another --out",
            dir.display()
        )));
    }
    if o.restart {
        for f in [RUNS, SUMMARY, SERIES, SERIES_SUMMARY] {
            let _ = fs::remove_file(dir.join(f));
        }
    }
    fs::write(&lock, &want).map_err(io(&lock))?;
    // The experiment as run (after overrides), for reports and for the record.
    let exp = dir.join("experiment.toml");
    fs::write(&exp, toml::to_string(&plan.experiment).unwrap_or_default()).map_err(io(&exp))?;
    let header = csv_line(&header(plan));
    let done = finished(&runs_path, &header)?;
    let mine = shard_runs(plan, o.shard);
    let todo: Vec<_> = mine
        .iter()
        .filter(|r| !done.contains(&r.id))
        .copied()
        .collect();
    let mut runs = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&runs_path)
        .map_err(io(&runs_path))?;
    if runs.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        runs.write_all(header.as_bytes()).map_err(io(&runs_path))?;
    }
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

/// Run the plan (or one shard of it) into `dir`, resuming what is there.
pub fn run(plan: &Plan, dir: &Path, o: &Options) -> Result<Outcome, SweepError> {
    let Opened {
        todo,
        total,
        sink,
        header,
    } = open(plan, dir, o)?;
    let sink = Mutex::new(sink);
    let failure: Mutex<Option<SweepError>> = Mutex::new(None);
    todo.par_iter().for_each(|run| {
        if failure.lock().expect("lock").is_some() {
            return;
        }
        let out = run_output(plan, run);
        if let Err(e) = sink.lock().expect("lock").write(&out) {
            *failure.lock().expect("lock") = Some(e);
        }
        (o.on_run)();
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    finish(dir, &header)?;
    Ok(Outcome {
        total,
        already_done: total - todo.len(),
        ran: todo.len(),
        complete: true,
    })
}

/// The files of a sweep folder.
pub const RUNS: &str = "runs.csv";
pub const SUMMARY: &str = "summary.csv";
pub const SERIES: &str = "series.csv";
pub const SERIES_SUMMARY: &str = "series-summary.csv";

/// Rewrite `runs.csv` in run-id order and write `summary.csv` next to it; then the same
/// for `series.csv` and `series-summary.csv`, if the folder has a `series.csv`.
pub fn finish(dir: &Path, header: &str) -> Result<(), SweepError> {
    sort_runs(dir, header)?;
    write_summary(dir)?;
    if dir.join(SERIES).exists() {
        sort_series(dir)?;
        write_series_summary(dir)?;
    }
    Ok(())
}

/// Rewrite `runs.csv` in run-id order, one row per run.
fn sort_runs(dir: &Path, header: &str) -> Result<(), SweepError> {
    let runs_path = dir.join("runs.csv");
    // Index: (id, offset, length) of every row; 16-24 bytes a run.
    let mut index: Vec<(u64, u64, u32)> = Vec::new();
    {
        let mut r = BufReader::new(File::open(&runs_path).map_err(io(&runs_path))?);
        let mut line = String::new();
        let mut offset = 0u64;
        let mut first = true;
        loop {
            line.clear();
            let n = r.read_line(&mut line).map_err(io(&runs_path))?;
            if n == 0 {
                break;
            }
            if !first && let Some(id) = line.split(',').next().and_then(|x| x.parse::<u64>().ok()) {
                index.push((id, offset, n as u32));
            }
            first = false;
            offset += n as u64;
        }
    }
    index.sort_unstable();
    index.dedup_by_key(|e| e.0);
    rewrite(
        &runs_path,
        &runs_path,
        header,
        index.iter().map(|&(_, off, len)| (off, len as u64)),
    )
}

/// Copy byte ranges of `src` after `header` into `dest` through a temporary file.
fn rewrite(
    src: &Path,
    dest: &Path,
    header: &str,
    ranges: impl Iterator<Item = (u64, u64)>,
) -> Result<(), SweepError> {
    let tmp = dest.with_file_name(format!(
        ".{}.tmp",
        dest.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    {
        let mut from = File::open(src).map_err(io(src))?;
        let mut out = std::io::BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
        out.write_all(header.as_bytes()).map_err(io(&tmp))?;
        let mut buf = Vec::new();
        for (off, len) in ranges {
            buf.resize(len as usize, 0);
            from.seek(SeekFrom::Start(off))
                .and_then(|_| from.read_exact(&mut buf))
                .map_err(io(src))?;
            out.write_all(&buf).map_err(io(&tmp))?;
        }
        out.flush().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, dest).map_err(io(dest))
}

/// Rewrite `series.csv` in run-id order with one whole block per run. A block is a run
/// of lines with the same run id and rising ticks; a run may have several (a torn one
/// cut short by a kill, or one written again after a kill between block and row), and
/// the longest is kept (whole blocks of a run are identical).
fn sort_series(dir: &Path) -> Result<(), SweepError> {
    let path = dir.join(SERIES);
    // (run, lines, offset, bytes) of every block: 32 bytes a block.
    let mut blocks: Vec<(u64, u64, u64, u64)> = Vec::new();
    {
        let mut r = BufReader::new(File::open(&path).map_err(io(&path))?);
        let mut line = String::new();
        let mut offset = 0u64;
        let mut first = true;
        let mut last_tick = 0u64;
        loop {
            line.clear();
            let n = r.read_line(&mut line).map_err(io(&path))? as u64;
            if n == 0 {
                break;
            }
            let mut fields = line.split(',');
            let ids = (
                fields.next().and_then(|x| x.parse::<u64>().ok()),
                fields.next().and_then(|x| x.parse::<u64>().ok()),
            );
            if !first
                && line.ends_with('\n')
                && let (Some(run), Some(tick)) = ids
            {
                match blocks.last_mut() {
                    Some(b) if b.0 == run && tick > last_tick && b.2 + b.3 == offset => {
                        b.1 += 1;
                        b.3 += n;
                    }
                    _ => blocks.push((run, 1, offset, n)),
                }
                last_tick = tick;
            }
            first = false;
            offset += n;
        }
    }
    // By run, the longest block first; then keep that one.
    blocks.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    blocks.dedup_by_key(|b| b.0);
    rewrite(
        &path,
        &path,
        &series_header(),
        blocks.iter().map(|b| (b.2, b.3)),
    )
}

/// `series-summary.csv`: per cell and tick, for each headline metric, n, mean, sample
/// standard deviation and 95% confidence interval over the cell's runs. Streams the sorted
/// `runs.csv` (for each run's cell and labels) alongside the sorted `series.csv`; a cell's
/// runs have consecutive ids, so one cell's accumulators are held at a time.
pub fn write_series_summary(dir: &Path) -> Result<(), SweepError> {
    let runs_path = dir.join(RUNS);
    let series_path = dir.join(SERIES);
    let csv_err = |p: &Path| {
        let p = p.display().to_string();
        move |e: csv::Error| SweepError::Io(format!("{p}: {e}"))
    };
    let mut runs = csv::Reader::from_path(&runs_path).map_err(csv_err(&runs_path))?;
    let header: Vec<String> = runs
        .headers()
        .map_err(csv_err(&runs_path))?
        .iter()
        .map(String::from)
        .collect();
    let labels_end = first_metric(&header);
    let mut series = BufReader::new(File::open(&series_path).map_err(io(&series_path))?);
    let mut line = String::new();
    series.read_line(&mut line).map_err(io(&series_path))?; // header
    line.clear();
    let tmp = dir.join(format!(".{SERIES_SUMMARY}.tmp"));
    let mut out = std::io::BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
    let mut h = vec!["cell".to_string()];
    h.extend(header[4..labels_end].iter().cloned());
    h.push("tick".into());
    for m in HEADLINE {
        for s in ["n", "mean", "sd", "ci95_low", "ci95_high"] {
            h.push(format!("{m}_{s}"));
        }
    }
    out.write_all(csv_line(&h).as_bytes()).map_err(io(&tmp))?;
    // The cell being accumulated: its number, labels and per-tick accumulators.
    let mut current: Option<(String, Vec<String>, Vec<[stats::Running; HEADLINE.len()]>)> = None;
    let flush = |out: &mut std::io::BufWriter<File>,
                 cell: Option<(String, Vec<String>, Vec<[stats::Running; HEADLINE.len()]>)>|
     -> Result<(), SweepError> {
        let Some((cell, labels, ticks)) = cell else {
            return Ok(());
        };
        for (t, accs) in ticks.iter().enumerate() {
            let mut r = vec![cell.clone()];
            r.extend(labels.iter().cloned());
            r.push(t.to_string());
            for a in accs {
                let (lo, hi) = a.ci95();
                r.extend([
                    a.n.to_string(),
                    decimal(a.mean()),
                    decimal(a.sd()),
                    decimal(lo),
                    decimal(hi),
                ]);
            }
            out.write_all(csv_line(&r).as_bytes()).map_err(io(&tmp))?;
        }
        Ok(())
    };
    for rec in runs.records() {
        let rec = rec.map_err(csv_err(&runs_path))?;
        let (Some(run), Some(cell)) = (rec.get(0).and_then(|x| x.parse::<u64>().ok()), rec.get(1))
        else {
            continue;
        };
        if current.as_ref().is_none_or(|c| c.0 != cell) {
            flush(&mut out, current.take())?;
            current = Some((
                cell.to_string(),
                rec.iter()
                    .skip(4)
                    .take(labels_end - 4)
                    .map(String::from)
                    .collect(),
                Vec::new(),
            ));
        }
        let ticks = &mut current.as_mut().expect("set above").2;
        // This run's lines (series.csv is sorted by run id too).
        loop {
            if line.is_empty() && series.read_line(&mut line).map_err(io(&series_path))? == 0 {
                break;
            }
            let mut fields = line.trim_end().split(',');
            let Some(id) = fields.next().and_then(|x| x.parse::<u64>().ok()) else {
                line.clear();
                continue;
            };
            if id > run {
                break; // the next run's; keep the line
            }
            if id == run
                && let Some(t) = fields.next().and_then(|x| x.parse::<usize>().ok())
            {
                if ticks.len() <= t {
                    ticks.resize(t + 1, [stats::Running::default(); 3]);
                }
                for (acc, v) in ticks[t].iter_mut().zip(fields) {
                    if let Ok(x) = v.parse::<f64>()
                        && x.is_finite()
                    {
                        acc.push(x);
                    }
                }
            }
            line.clear();
        }
    }
    flush(&mut out, current.take())?;
    out.flush().map_err(io(&tmp))?;
    drop(out);
    fs::rename(&tmp, dir.join(SERIES_SUMMARY)).map_err(io(&dir.join(SERIES_SUMMARY)))
}

/// `summary.csv` from `runs.csv`, streamed.
pub fn write_summary(dir: &Path) -> Result<(), SweepError> {
    let runs_path = dir.join("runs.csv");
    let mut reader = csv::Reader::from_path(&runs_path)
        .map_err(|e| SweepError::Io(format!("{}: {e}", runs_path.display())))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| SweepError::Io(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let first_metric = first_metric(&header);
    let rows = reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| r.iter().map(String::from).collect::<Vec<_>>());
    let (h, rows) = stats::summarise(&header, rows, first_metric);
    let tmp = dir.join(".summary.csv.tmp");
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(&tmp)
        .map_err(|e| SweepError::Io(e.to_string()))?;
    w.write_record(&h)
        .map_err(|e| SweepError::Io(e.to_string()))?;
    for r in rows {
        w.write_record(&r)
            .map_err(|e| SweepError::Io(e.to_string()))?;
    }
    w.flush().map_err(io(&tmp))?;
    fs::rename(&tmp, dir.join("summary.csv")).map_err(io(&runs_path))
}

/// The index of the first metric column: the first known metric name in the header.
pub fn first_metric(header: &[String]) -> usize {
    let known = super::plan::all_metrics();
    header
        .iter()
        .position(|h| known.contains(h))
        .unwrap_or(header.len())
}

/// Combine shard folders into `out`: the same `runs.csv` and `summary.csv` an unsharded
/// sweep gives. Refuses shards of different experiments, and reports missing runs.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<(usize, u64), SweepError> {
    let mut fingerprint: Option<(String, u64)> = None;
    let mut header: Option<String> = None;
    for d in dirs {
        let lock = fs::read_to_string(d.join("sweep.lock")).map_err(|e| {
            SweepError::Input(format!("{} is not a sweep folder ({e})", d.display()))
        })?;
        let mut lines = lock.lines();
        let fp = lines.next().unwrap_or("").to_string();
        let total: u64 = lines
            .next()
            .and_then(|l| l.strip_prefix("runs "))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        match &fingerprint {
            None => fingerprint = Some((fp, total)),
            Some((f, _)) if *f != fp => {
                return Err(SweepError::Input(format!(
                    "{} holds a different experiment from {}; merge only shards of one sweep",
                    d.display(),
                    dirs[0].display()
                )));
            }
            _ => {}
        }
        let h = fs::read_to_string(d.join("runs.csv"))
            .map_err(io(&d.join("runs.csv")))?
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
            + "\n";
        if header.as_ref().is_some_and(|x| *x != h) {
            return Err(SweepError::Input(format!(
                "{} has other columns than {}",
                d.display(),
                dirs[0].display()
            )));
        }
        header = Some(h);
    }
    let (Some((fp, total)), Some(header)) = (fingerprint, header) else {
        return Err(SweepError::Input("no sweep folders given".into()));
    };
    fs::create_dir_all(out)
        .map_err(|e| SweepError::Input(format!("cannot create {}: {e}", out.display())))?;
    let combined = out.join(".runs.unsorted.tmp");
    {
        let mut w = File::create(&combined).map_err(io(&combined))?;
        w.write_all(header.as_bytes()).map_err(io(&combined))?;
        for d in dirs {
            let text = fs::read_to_string(d.join("runs.csv")).map_err(io(&d.join("runs.csv")))?;
            // Only whole lines: a killed shard may end in a torn one.
            let whole = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
            for l in whole.lines().skip(1) {
                w.write_all(l.as_bytes())
                    .and_then(|_| w.write_all(b"\n"))
                    .map_err(io(&combined))?;
            }
        }
    }
    fs::rename(&combined, out.join("runs.csv")).map_err(io(out))?;
    // The shards' series blocks, if every shard has them (a folder of an older linkage
    // has none); finish sorts them and keeps one block per run.
    let series_out = out.join(SERIES);
    if dirs.iter().all(|d| d.join(SERIES).exists()) {
        let combined = out.join(".series.unsorted.tmp");
        {
            let mut w = std::io::BufWriter::new(File::create(&combined).map_err(io(&combined))?);
            w.write_all(series_header().as_bytes())
                .map_err(io(&combined))?;
            for d in dirs {
                let p = d.join(SERIES);
                let mut r = BufReader::new(File::open(&p).map_err(io(&p))?);
                let mut line = String::new();
                let mut first = true;
                loop {
                    line.clear();
                    if r.read_line(&mut line).map_err(io(&p))? == 0 {
                        break;
                    }
                    if first {
                        if line != series_header() {
                            return Err(SweepError::Input(format!(
                                "{} has other columns than this version of linkage writes",
                                p.display()
                            )));
                        }
                    } else if line.ends_with('\n') {
                        // Only whole lines: a killed shard may end in a torn one.
                        w.write_all(line.as_bytes()).map_err(io(&combined))?;
                    }
                    first = false;
                }
            }
            w.flush().map_err(io(&combined))?;
        }
        fs::rename(&combined, &series_out).map_err(io(&series_out))?;
    } else {
        for f in [SERIES, SERIES_SUMMARY] {
            let _ = fs::remove_file(out.join(f));
        }
    }
    finish(out, &header)?;
    let rows = fs::read_to_string(out.join("runs.csv"))
        .map_err(io(out))?
        .lines()
        .count()
        .saturating_sub(1);
    fs::write(
        out.join("sweep.lock"),
        format!("{fp}\nruns {total}\nshard merged\n"),
    )
    .map_err(io(out))?;
    if let Ok(text) = fs::read_to_string(dirs[0].join("experiment.toml")) {
        fs::write(out.join("experiment.toml"), text).map_err(io(out))?;
    }
    Ok((rows, total))
}
