//! Running a plan: runs in parallel, one row per run appended to `runs.csv` as it
//! finishes, resumable after any kill, shardable, mergeable.
//!
//! Invariants:
//! - a row is written with one `write_all` of a whole line, so a kill leaves at most one
//!   partial last line, which the next start cuts off;
//! - `sweep.lock` holds the plan's fingerprint: a changed experiment is refused unless
//!   `restart` is set;
//! - when a sweep (or shard) completes, `runs.csv` is rewritten in run-id order and
//!   `summary.csv` computed from it, both through a temporary file and a rename; so an
//!   interrupted-and-resumed sweep, an uninterrupted one, and merged shards give the
//!   same bytes;
//! - rows go to disk as runs finish, never into memory; what memory does grow with the
//!   number of runs is small: the run list (about 64 bytes a run), the final sort's index
//!   (24 bytes a run), and on resume or merge the files read back once; the summary keeps
//!   one accumulator per cell and metric.

use super::plan::Plan;
use super::stats;
use crate::engine::run::run_regime;
use crate::output::metrics::{Summary, summarise, tick_table};
use rayon::prelude::*;
use std::collections::BTreeSet;
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

/// One run's row.
pub fn run_row(plan: &Plan, run: &super::plan::Run) -> String {
    let cell = &plan.cells[run.cell];
    let mut s = cell.scenario.clone();
    s.run.seed = run.seed;
    let mech = s.regimes[&cell.regime];
    let result = run_regime(&s, &cell.regime, mech, |_| {});
    let table = tick_table(&result.history, s.run.window as usize);
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
    csv_line(&row)
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

/// A sweep folder opened for writing: what is left to run, and the file rows go to.
pub struct Opened {
    pub todo: Vec<super::plan::Run>,
    pub total: usize,
    pub file: File,
    pub header: String,
    pub runs_path: PathBuf,
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
    let runs_path = dir.join("runs.csv");
    let want = lock_text(plan, o.shard);
    if let Ok(have) = fs::read_to_string(&lock)
        && have != want
        && !o.restart
    {
        return Err(SweepError::Input(format!(
            "{} holds a sweep of a different experiment, size or shard; rerun with --restart to discard it, or choose another --out",
            dir.display()
        )));
    }
    if o.restart {
        for f in ["runs.csv", "summary.csv"] {
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
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&runs_path)
        .map_err(io(&runs_path))?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        file.write_all(header.as_bytes()).map_err(io(&runs_path))?;
    }
    Ok(Opened {
        todo,
        total: mine.len(),
        file,
        header,
        runs_path,
    })
}

/// Run the plan (or one shard of it) into `dir`, resuming what is there.
pub fn run(plan: &Plan, dir: &Path, o: &Options) -> Result<Outcome, SweepError> {
    let Opened {
        todo,
        total,
        file,
        header,
        runs_path,
    } = open(plan, dir, o)?;
    let file = Mutex::new(file);
    let failure: Mutex<Option<SweepError>> = Mutex::new(None);
    todo.par_iter().for_each(|run| {
        if failure.lock().expect("lock").is_some() {
            return;
        }
        let line = run_row(plan, run);
        let mut f = file.lock().expect("lock");
        if let Err(e) = f.write_all(line.as_bytes()).and_then(|_| f.flush()) {
            *failure.lock().expect("lock") = Some(io(&runs_path)(e));
        }
        drop(f);
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

/// Rewrite `runs.csv` in run-id order and write `summary.csv` next to it.
pub fn finish(dir: &Path, header: &str) -> Result<(), SweepError> {
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
    let tmp = dir.join(".runs.csv.tmp");
    {
        let mut src = File::open(&runs_path).map_err(io(&runs_path))?;
        let mut out = std::io::BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
        out.write_all(header.as_bytes()).map_err(io(&tmp))?;
        let mut buf = Vec::new();
        for &(_, off, len) in &index {
            buf.resize(len as usize, 0);
            src.seek(SeekFrom::Start(off))
                .and_then(|_| src.read_exact(&mut buf))
                .map_err(io(&runs_path))?;
            out.write_all(&buf).map_err(io(&tmp))?;
        }
        out.flush().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, &runs_path).map_err(io(&runs_path))?;
    write_summary(dir)
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
