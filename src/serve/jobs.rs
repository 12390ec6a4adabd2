//! Runs for the class: a first-come queue, at most one simulation a worker (a worker is
//! one core), and a cache of finished runs. A run is deterministic, so a request
//! identical to one already made (the same key) joins it, running or finished, instead
//! of running again. Each run keeps the log of events it sent, so that every viewer,
//! early or late, gets all of it from the start.

use super::live::{self, Series, ShockSpan};
use super::request::Planned;
use crate::engine::run::{Paired, townships};
use crate::output::files::{self, OutDir};
use crate::output::metrics;
use crate::report::lang::Lang;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use tokio::sync::watch;

/// A run's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Waiting,
    Running,
    Done,
    Failed,
}

/// One run of the class: what was asked, and what it has sent so far.
pub struct Job {
    pub planned: Planned,
    /// Who asked first (a participant's waiting runs are bounded).
    owner: std::net::IpAddr,
    /// The units of its tick rows: each county, then the city.
    pub units: Vec<String>,
    state: Mutex<JobState>,
    /// Bumped whenever the log grows or the status changes.
    changed: watch::Sender<u64>,
}

struct JobState {
    log: Vec<(&'static str, Arc<str>)>,
    status: Status,
    /// The run folder, zipped, once done.
    zip: Option<Arc<Vec<u8>>>,
    /// Each regime's summary (`summary.csv`'s row as JSON), once done.
    summary: Arc<Vec<serde_json::Value>>,
    /// Bytes held (log and zip), for the cache's bound.
    bytes: usize,
    /// When last asked for (a counter), for the cache's order.
    used: u64,
}

impl Job {
    fn new(planned: Planned, owner: std::net::IpAddr) -> Job {
        let units = files::units(&planned.scenario);
        Job {
            planned,
            owner,
            units,
            state: Mutex::new(JobState {
                log: Vec::new(),
                status: Status::Waiting,
                zip: None,
                summary: Arc::default(),
                bytes: 0,
                used: 0,
            }),
            changed: watch::channel(0).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, JobState> {
        // A panic while holding the lock leaves the state as it was: usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The run's key (identical requests share it).
    pub fn key(&self) -> &str {
        &self.planned.key
    }

    pub fn status(&self) -> Status {
        self.lock().status
    }

    /// The events from `from` on, and the status.
    pub fn since(&self, from: usize) -> (Vec<(&'static str, Arc<str>)>, Status) {
        let s = self.lock();
        (s.log.get(from..).unwrap_or(&[]).to_vec(), s.status)
    }

    /// Told when the log grows or the status changes.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// The zipped run folder, once done.
    pub fn zip(&self) -> Option<Arc<Vec<u8>>> {
        self.lock().zip.clone()
    }

    /// Each regime's summary row, once done (empty before).
    pub fn summary(&self) -> Arc<Vec<serde_json::Value>> {
        Arc::clone(&self.lock().summary)
    }

    fn push(&self, kind: &'static str, data: String) {
        {
            let mut s = self.lock();
            s.bytes += data.len() + 32;
            s.log.push((kind, data.into()));
        }
        self.changed.send_modify(|n| *n += 1);
    }

    /// Done: the zip, the summary, the `done` event and the status together, so that
    /// whoever sees the event can download and post the run.
    fn finish(&self, end: Ended) {
        let Ended { zip, summary, done } = end;
        {
            let mut s = self.lock();
            s.bytes += zip.len() + 2 * done.len() + 32;
            s.zip = Some(Arc::new(zip));
            s.summary = Arc::new(summary);
            s.log.push(("done", done.into()));
            s.status = Status::Done;
        }
        self.changed.send_modify(|n| *n += 1);
    }

    fn set_status(&self, status: Status) {
        self.lock().status = status;
        self.changed.send_modify(|n| *n += 1);
    }
}

/// How the class's runs are shared out.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Simulations at once (one core each).
    pub workers: usize,
    /// Runs waiting at most; more are refused (503).
    pub max_waiting: usize,
    /// Bytes finished runs may hold (logs and zips); the least recently asked for go
    /// first beyond it.
    pub cache_bytes: usize,
    /// The language of a downloaded run's report.
    pub lang: Lang,
}

/// The queue, the workers and the cache.
pub struct Jobs {
    config: Config,
    inner: Mutex<Inner>,
    wake: Condvar,
    /// Bumped whenever the queue's order changes (places move).
    queue_changed: watch::Sender<u64>,
    scratch: PathBuf,
}

struct Inner {
    all: HashMap<String, Arc<Job>>,
    waiting: VecDeque<Arc<Job>>,
    clock: u64,
}

/// Why a run was not taken.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("the server is busy: {0} runs are waiting; try again in a minute")]
    Busy(usize),
    #[error(
        "you have {0} runs waiting already; wait for one to start (a run you reset still runs, and its result is kept)"
    )]
    Yours(usize),
    #[error("this run's key is taken by a different run; change the seed and try again")]
    Collision,
}

/// Runs one participant (an address other than this machine's) may have waiting.
pub const MAX_WAITING_PER_CLIENT: usize = 4;

impl Jobs {
    /// Start `config.workers` worker threads. Finished runs' folders are written under
    /// `scratch` (a folder of this process's own) while they are zipped.
    pub fn start(config: Config, scratch: PathBuf) -> Arc<Jobs> {
        let jobs = Arc::new(Jobs {
            config,
            inner: Mutex::new(Inner {
                all: HashMap::new(),
                waiting: VecDeque::new(),
                clock: 0,
            }),
            wake: Condvar::new(),
            queue_changed: watch::channel(0).0,
            scratch,
        });
        for k in 0..config.workers.max(1) {
            let j = Arc::clone(&jobs);
            std::thread::Builder::new()
                .name(format!("linkage-serve-worker-{k}"))
                .spawn(move || j.work())
                .expect("the system can start a thread");
        }
        jobs
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The run for `planned`: the one already there with its key (`true`: joined), or a
    /// new one at the end of the queue.
    /// `who` asked; `local`: from this machine (the teacher's, not bounded per client).
    /// A failed run with the key is run again.
    pub fn submit(
        &self,
        planned: Planned,
        who: std::net::IpAddr,
        local: bool,
    ) -> Result<(Arc<Job>, bool), Refused> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if let Some(job) = inner.all.get(&planned.key) {
            if job.planned.canonical != planned.canonical {
                return Err(Refused::Collision);
            }
            if job.status() != Status::Failed {
                job.lock().used = now;
                return Ok((Arc::clone(job), true));
            }
        }
        if inner.waiting.len() >= self.config.max_waiting {
            return Err(Refused::Busy(inner.waiting.len()));
        }
        let mine = inner.waiting.iter().filter(|j| j.owner == who).count();
        if !local && mine >= MAX_WAITING_PER_CLIENT {
            return Err(Refused::Yours(mine));
        }
        let job = Arc::new(Job::new(planned, who));
        job.lock().used = now;
        inner.all.insert(job.key().to_string(), Arc::clone(&job));
        inner.waiting.push_back(Arc::clone(&job));
        self.evict(&mut inner);
        drop(inner);
        self.queue_changed.send_modify(|n| *n += 1);
        self.wake.notify_one();
        Ok((job, false))
    }

    /// The run with this key, if the server still has it.
    pub fn get(&self, key: &str) -> Option<Arc<Job>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let job = inner.all.get(key).cloned();
        if let Some(j) = &job {
            j.lock().used = now;
        }
        job
    }

    /// A waiting run's place in the queue (1: next), or `None` once it runs.
    pub fn place(&self, job: &Job) -> Option<usize> {
        self.lock()
            .waiting
            .iter()
            .position(|j| j.key() == job.key())
            .map(|p| p + 1)
    }

    /// Told whenever places in the queue move.
    pub fn watch_queue(&self) -> watch::Receiver<u64> {
        self.queue_changed.subscribe()
    }

    /// Drop the least recently asked-for finished runs while the finished ones hold more
    /// than the bound.
    fn evict(&self, inner: &mut Inner) {
        loop {
            let mut held = 0usize;
            let mut oldest: Option<(u64, String)> = None;
            for (k, j) in &inner.all {
                let s = j.lock();
                if s.status == Status::Done || s.status == Status::Failed {
                    held += s.bytes;
                    if oldest.as_ref().is_none_or(|(u, _)| s.used < *u) {
                        oldest = Some((s.used, k.clone()));
                    }
                }
            }
            match oldest {
                Some((_, k)) if held > self.config.cache_bytes => {
                    inner.all.remove(&k);
                }
                _ => return,
            }
        }
    }

    /// A worker: take the next run, run it on one core, record how it ended.
    fn work(&self) {
        let pool = match crate::base::pool::pool(Some(1)) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("linkage serve: a worker cannot start: {e}");
                return;
            }
        };
        loop {
            let job = {
                let mut inner = self.lock();
                loop {
                    if let Some(j) = inner.waiting.pop_front() {
                        break j;
                    }
                    inner = self.wake.wait(inner).unwrap_or_else(|p| p.into_inner());
                }
            };
            job.set_status(Status::Running);
            self.queue_changed.send_modify(|n| *n += 1);
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| execute(&job, &self.scratch, self.config.lang))
            }));
            let outcome = match ran {
                Ok(r) => r,
                Err(p) => Err(format!(
                    "the run stopped on an internal error: {}",
                    p.downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| p.downcast_ref::<&str>().copied())
                        .unwrap_or("a panic")
                )),
            };
            match outcome {
                Ok(end) => {
                    job.finish(end);
                    let mut inner = self.lock();
                    self.evict(&mut inner);
                }
                Err(message) => {
                    // Kept (so that a late viewer reads why) until evicted; the next
                    // identical request runs again.
                    job.push("error", json!({ "error": message }).to_string());
                    job.set_status(Status::Failed);
                }
            }
        }
    }
}

/// What a finished run leaves: its folder zipped, each regime's summary row, and the
/// `done` event's data (the summaries and the sentences).
struct Ended {
    zip: Vec<u8>,
    summary: Vec<serde_json::Value>,
    done: String,
}

/// Run every regime of `job` day by day, interleaved, sending each day's rows and
/// points and a map every ten days; what it leaves, which [`Job::finish`] records.
fn execute(job: &Job, scratch: &Path, lang: Lang) -> Result<Ended, String> {
    let sc = &job.planned.scenario;
    let window = sc.run.window as usize;
    let warmup = sc.run.warmup as u64;
    let n = job.planned.regimes.len() as u64;
    let mut runs: Vec<Paired> = Vec::new();
    let mut done = 0u64;
    let total = warmup * n;
    let step = (total / 20).max(1);
    for (name, mech) in &job.planned.regimes {
        let mut run = Paired::new(sc, name, *mech, true);
        run.warm_up(|_| {
            done += 1;
            if done.is_multiple_of(step) || done == total {
                job.push("warmup", json!({"done": done, "of": total}).to_string());
            }
        });
        runs.push(run);
    }
    let mut series: Vec<Series> = runs.iter().map(|_| Series::new(sc.run.window)).collect();
    let ticks = sc.run.ticks as usize;
    // Each regime's tick table, day by day: the rows sent are the rows summarised.
    let mut days: Vec<Vec<ndarray::Array2<f64>>> = runs.iter().map(|_| Vec::new()).collect();
    for t in 0..ticks {
        let mut rows: Vec<String> = Vec::new();
        let mut points = serde_json::Map::new();
        for (((run, s), (name, _)), kept) in runs
            .iter_mut()
            .zip(series.iter_mut())
            .zip(&job.planned.regimes)
            .zip(days.iter_mut())
        {
            run.step(|_| {});
            let table = metrics::tick_rows(run.history(), t, window);
            rows.extend(files::tick_lines(t, name, &job.units, table.view()));
            let city = table.row(job.units.len() - 1);
            points.insert(name.clone(), live::points_json(&s.push(city)));
            kept.push(table);
        }
        job.push(
            "day",
            json!({"tick": t, "rows": rows, "points": points}).to_string(),
        );
        if t % 10 == 9 || t + 1 == ticks {
            job.push("map", map(job, &runs, t));
        }
    }
    let (runs, twins): (Vec<_>, Vec<_>) = runs.into_iter().map(Paired::finish).unzip();
    let tables: Vec<ndarray::Array3<f64>> = days
        .iter()
        .map(|d| {
            let views: Vec<_> = d.iter().map(|a| a.view()).collect();
            ndarray::stack(ndarray::Axis(0), &views)
                .map_err(|e| format!("the run's days do not stack: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let summaries = metrics::summaries(sc, &runs, &tables, &twins);
    let shock = sc.shocks.first().map(|s| {
        let (start, end) = s.window();
        let (en, zh) = super::catalog::shock_label(super::catalog::kind_of(s));
        ShockSpan {
            en,
            zh,
            start,
            end: end.min(sc.run.ticks),
        }
    });
    let named: Vec<(String, &Series)> = job
        .planned
        .regimes
        .iter()
        .map(|(n, _)| n.clone())
        .zip(series.iter())
        .collect();
    let said = live::sentences(&named, shock.as_ref());
    let header = metrics::Summary::header();
    let summary: Vec<serde_json::Value> = summaries
        .iter()
        .map(|s| {
            let m: serde_json::Map<String, serde_json::Value> = header
                .iter()
                .zip(s.values())
                .map(|(h, c)| {
                    // An undefined value (not recovered, no shock) is null.
                    let v = match c {
                        metrics::Cell::Text(t) => json!(t),
                        metrics::Cell::Count(n) => json!(n),
                        metrics::Cell::Value(v) if v.is_finite() => json!(v),
                        metrics::Cell::Value(_) => serde_json::Value::Null,
                    };
                    (h.to_string(), v)
                })
                .collect();
            serde_json::Value::Object(m)
        })
        .collect();
    let en: serde_json::Map<String, serde_json::Value> = said
        .iter()
        .map(|(id, en, _)| (id.to_string(), json!(en)))
        .collect();
    let zh: serde_json::Map<String, serde_json::Value> = said
        .iter()
        .map(|(id, _, zh)| (id.to_string(), json!(zh)))
        .collect();
    let zip = folder_zip(job, scratch, lang, &runs, &tables, &summaries)?;
    let done = json!({"summary": summary, "sentences": en, "sentences_zh": zh}).to_string();
    Ok(Ended { zip, summary, done })
}

/// The day's map: each township's mean trust under each regime.
fn map(job: &Job, runs: &[Paired], t: usize) -> String {
    let all: Vec<_> = runs.iter().map(|r| townships(r.world())).collect();
    let Some(first) = all.first() else {
        return json!({"tick": t, "townships": []}).to_string();
    };
    let towns: Vec<serde_json::Value> = first
        .iter()
        .enumerate()
        .map(|(i, tw)| {
            let trust: serde_json::Map<String, serde_json::Value> = job
                .planned
                .regimes
                .iter()
                .zip(&all)
                .map(|((name, _), ends)| (name.clone(), json!(ends[i].trust)))
                .collect();
            json!({"county": tw.county.0, "urban": tw.urban, "residents": tw.residents, "trust": trust})
        })
        .collect();
    json!({"tick": t, "townships": towns}).to_string()
}

/// The folder `linkage run` writes for this run, with its report, as a zip.
fn folder_zip(
    job: &Job,
    scratch: &Path,
    lang: Lang,
    runs: &[crate::engine::run::RegimeRun],
    tables: &[ndarray::Array3<f64>],
    summaries: &[metrics::Summary],
) -> Result<Vec<u8>, String> {
    let dest = scratch.join(job.key());
    let out = OutDir::prepare(&dest).map_err(|e| e.to_string())?;
    let result = (|| {
        let dir = files::write_run_folder(
            out,
            &job.planned.scenario,
            runs,
            tables,
            summaries,
            files::Format::Csv,
        )
        .map_err(|e| e.to_string())?;
        crate::report::write(&dir, lang).map_err(|e| e.to_string())?;
        zip_folder(&dir).map_err(|e| format!("cannot zip the run folder: {e}"))
    })();
    let _ = std::fs::remove_dir_all(&dest);
    result
}

/// Every file under `dir`, by relative path in sorted order, deflated into a zip.
fn zip_folder(dir: &Path) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for f in files {
        let name = f
            .strip_prefix(dir)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        zip.start_file(name, options)?;
        zip.write_all(&std::fs::read(&f)?)?;
    }
    Ok(zip.finish()?.into_inner())
}
