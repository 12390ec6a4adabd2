//! `linkage._linkage`: the Rust side of the Python package. It checks a run's request
//! with the command line's own checks (so a bad value raises with the CLI's message),
//! runs it with the GIL released on a thread of its own while the calling thread watches
//! for Ctrl-C and reports progress, and hands each table to Python through the Arrow C
//! stream interface: the arrays built here become pyarrow's without a copy.
//!
//! The package `linkage` (python/linkage/) wraps these functions in the documented API;
//! nothing here is meant to be called directly.

use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_pyarrow::{IntoPyArrow, ToPyArrow};
use linkage::engine::run::RegimeRun;
use linkage::experiment::single::{self, Setting};
use linkage::output::{files, metrics, parquet};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pyo3::create_exception!(
    linkage,
    LinkageError,
    PyValueError,
    "Bad input to linkage: the message is the command line's for the same mistake."
);

fn input_error(message: impl Into<String>) -> PyErr {
    LinkageError::new_err(message.into())
}

/// A value checked by one of the command line's parsers, given as Python gave it: a
/// number or its text.
fn checked<T>(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
    parse: fn(&str) -> Result<T, String>,
) -> PyResult<Option<T>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(input_error(format!("{name}={v}: not a number")));
    }
    let text = v.str()?.to_string();
    parse(&text)
        .map(Some)
        .map_err(|e| input_error(format!("{name}={text}: {e}")))
}

/// The overrides, `{path: number}`, each checked as `--set PATH=VALUE` is.
fn settings(overrides: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<Setting>> {
    let Some(d) = overrides else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(d.len());
    for (k, v) in d.iter() {
        let path: String = k
            .extract()
            .map_err(|_| input_error(format!("overrides: the key {k} is not a text path")))?;
        if v.is_instance_of::<pyo3::types::PyBool>() {
            return Err(input_error(format!("{path}: '{v}' is not a number")));
        }
        let text = format!("{path}={}", v.str()?);
        out.push(text.parse::<Setting>().map_err(input_error)?);
    }
    Ok(out)
}

/// The tables of a run, built off the Python thread.
struct Tables {
    ticks: RecordBatch,
    summary: RecordBatch,
    territory: RecordBatch,
    incidents: RecordBatch,
    params: String,
}

fn tables(plan: &single::Plan, runs: &[RegimeRun], twins: &[Option<RegimeRun>]) -> Tables {
    let sc = &plan.scenario;
    let (ticks, summaries) = metrics::summarise_runs(sc, runs, twins);
    let units = files::units(sc);
    let counties = &units[..units.len() - 1];
    let pairs: Vec<_> = runs.iter().zip(&ticks).collect();
    let all: Vec<&RegimeRun> = runs.iter().collect();
    Tables {
        ticks: parquet::ticks_batch(&units, &pairs),
        summary: parquet::table_batch(&files::summary_table(&summaries)),
        territory: parquet::table_batch(&files::territory_table(counties, &all)),
        incidents: parquet::table_batch(&files::incidents_table(counties, &all)),
        params: files::run_params(sc),
    }
}

/// `batch` as a `pyarrow.RecordBatchReader` over the Arrow C stream interface.
fn stream(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    let reader: Box<dyn RecordBatchReader + Send> =
        Box::new(RecordBatchIterator::new([Ok(batch)], schema));
    reader.into_pyarrow(py)
}

/// Call `progress(done, total)` if there is one; its error stops the work.
fn report(progress: Option<&Bound<'_, PyAny>>, done: u64, total: u64) -> PyResult<()> {
    if let Some(p) = progress {
        p.call1((done, total))?;
    }
    Ok(())
}

/// Run `work` on a thread of its own with the GIL released, while this thread checks
/// for Ctrl-C (and any other signal Python handles) and calls `progress` about ten
/// times a second with the count `work` advances. On an interrupt `stop` is set, the
/// work is waited for, and the interrupt raised.
fn watched<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    total: u64,
    done: &AtomicU64,
    stop: &AtomicBool,
    work: impl FnOnce() -> T + Send,
) -> PyResult<T> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel();
        s.spawn(move || {
            // The receiver lives until the end of the scope.
            let _ = tx.send(work());
        });
        let mut failed: Option<PyErr> = None;
        let mut last = Instant::now();
        let mut rx = rx;
        loop {
            // The receiver goes to the GIL-free side and back (it may not be shared).
            let got;
            (got, rx) = py.detach(move || (rx.recv_timeout(Duration::from_millis(50)), rx));
            match got {
                Ok(out) => {
                    if let Some(e) = failed {
                        return Err(e);
                    }
                    report(progress, total, total)?;
                    return Ok(out);
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(pyo3::exceptions::PyRuntimeError::new_err(
                        "linkage: the run's thread stopped without a result",
                    ));
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            }
            if failed.is_some() {
                continue;
            }
            let checked = py.check_signals().and_then(|()| {
                if last.elapsed() >= Duration::from_millis(100) {
                    last = Instant::now();
                    report(progress, done.load(Ordering::Relaxed).min(total), total)
                } else {
                    Ok(())
                }
            });
            if let Err(e) = checked {
                stop.store(true, Ordering::Relaxed);
                failed = Some(e);
            }
        }
    })
}

/// Run a scenario's regimes side by side, as `linkage run` does; see
/// `linkage.run` for the arguments. Returns a dict: `ticks`, `summary`, `territory`,
/// `incidents` (each a `pyarrow.RecordBatchReader`), `params` (params.toml's text),
/// `scenario` (its name) and `seed`.
#[pyfunction]
#[pyo3(signature = (scenario, regimes=None, seed=None, residents=None, ticks=None, warmup=None, overrides=None, twin=true, threads=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: &str,
    regimes: Option<Vec<String>>,
    seed: Option<&Bound<'py, PyAny>>,
    residents: Option<&Bound<'py, PyAny>>,
    ticks: Option<&Bound<'py, PyAny>>,
    warmup: Option<&Bound<'py, PyAny>>,
    overrides: Option<&Bound<'py, PyDict>>,
    twin: bool,
    threads: Option<&Bound<'py, PyAny>>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    use linkage::cli::{parse_residents, parse_seed, parse_threads, parse_ticks, parse_warmup};
    let request = single::Request {
        scenario: scenario.to_string(),
        regimes: regimes.unwrap_or_default(),
        seed: checked("seed", seed, parse_seed)?,
        ticks: checked("ticks", ticks, parse_ticks)?,
        residents: checked("residents", residents, parse_residents)?,
        warmup: checked("warmup", warmup, parse_warmup)?,
        settings: settings(overrides)?,
        twin,
    };
    let threads = checked("threads", threads, parse_threads)?;
    let plan = single::plan(&request).map_err(input_error)?;
    let pool = linkage::base::pool::pool(threads)
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
    let total = plan.days();
    let done = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let out = watched(py, progress, total, &done, &stop, || {
        pool.install(|| {
            let (runs, twins) = single::run_regimes(&plan, &plan.scenario, |_| {
                done.fetch_add(1, Ordering::Relaxed);
                !stop.load(Ordering::Relaxed)
            })?;
            Some(tables(&plan, &runs, &twins))
        })
    })?;
    let Some(t) = out else {
        // Stopped without an error to raise: only a signal handler that did not raise.
        return Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(
            "linkage: the run was stopped",
        ));
    };
    let d = PyDict::new(py);
    d.set_item("ticks", stream(py, t.ticks)?)?;
    d.set_item("summary", stream(py, t.summary)?)?;
    d.set_item("territory", stream(py, t.territory)?)?;
    d.set_item("incidents", stream(py, t.incidents)?)?;
    d.set_item("params", t.params)?;
    d.set_item("scenario", &plan.scenario.name)?;
    d.set_item("seed", plan.scenario.run.seed)?;
    Ok(d)
}

/// A whole number in `range`, given as Python gave it; the error is the command line's
/// for the same option (`0 is not in 1..=1000000`).
fn in_range(
    name: &str,
    value: Option<&Bound<'_, PyAny>>,
    range: std::ops::RangeInclusive<u64>,
) -> PyResult<Option<u64>> {
    let Some(v) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let text = v.str()?.to_string();
    match text.trim().parse::<u64>() {
        Ok(n) if range.contains(&n) && !v.is_instance_of::<pyo3::types::PyBool>() => Ok(Some(n)),
        _ => Err(input_error(format!(
            "{name}={text}: {text} is not in {}..={}",
            range.start(),
            range.end()
        ))),
    }
}

/// `value` as one of the command line's values of the option `name` (`T`'s).
fn value_enum<T: clap::ValueEnum>(name: &str, value: &str) -> PyResult<T> {
    T::from_str(value, false).map_err(|_| {
        let allowed: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        input_error(format!("{name}='{value}': allowed: {}", allowed.join(", ")))
    })
}

/// Run an experiment file as `linkage sweep` does, into `out` (resuming what it holds);
/// see `linkage.sweep`. Returns the folder.
#[pyfunction]
#[pyo3(signature = (experiment, out=None, replicates=None, ticks=None, scale=None, threads=None, shard=None, restart=false, format="csv", progress=None))]
#[allow(clippy::too_many_arguments)]
fn sweep(
    py: Python<'_>,
    experiment: std::path::PathBuf,
    out: Option<std::path::PathBuf>,
    replicates: Option<&Bound<'_, PyAny>>,
    ticks: Option<&Bound<'_, PyAny>>,
    scale: Option<&str>,
    threads: Option<&Bound<'_, PyAny>>,
    shard: Option<&str>,
    restart: bool,
    format: &str,
    progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    use linkage::cli::sweep::{MAX_REPLICATES, MAX_THREADS, MAX_TICKS, ScaleArg};
    use linkage::experiment::plan::{self, Overrides, Scale};
    use linkage::experiment::sweep::{self as sw, Options};
    use std::sync::Arc;
    let scale = match scale {
        None => None,
        Some(s) => Some(Scale::from(value_enum::<ScaleArg>("scale", s)?)),
    };
    let format = files::Format::from(value_enum::<linkage::cli::FormatArg>("format", format)?);
    let shard = match shard {
        None => None,
        Some(s) => Some(
            linkage::cli::sweep::parse_shard(s)
                .map_err(|e| input_error(format!("shard='{s}': {e}")))?,
        ),
    };
    let overrides = Overrides {
        replicates: in_range("replicates", replicates, 1..=MAX_REPLICATES as u64)?
            .map(|n| n as u32),
        ticks: in_range("ticks", ticks, 1..=MAX_TICKS as u64)?.map(|n| n as u32),
        scale,
    };
    let threads = in_range("threads", threads, 1..=MAX_THREADS as u64)?.map(|n| n as usize);
    let plan = plan::load(&experiment, overrides).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        input_error(lines.join("\n"))
    })?;
    let out = out.unwrap_or_else(|| std::path::PathBuf::from("runs").join(&plan.experiment.name));
    let pool = linkage::base::pool::pool(threads)
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
    let total = sw::shard_runs(&plan, shard).len() as u64;
    let label = experiment.display().to_string();
    linkage::cli::sweep::check_memory(&plan, &label, total, pool.current_num_threads())
        .map_err(|f| input_error(f.message))?;
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (d1, d2) = (done.clone(), done.clone());
    let options = Options {
        shard,
        restart,
        format,
        on_run: Box::new(move || {
            d1.fetch_add(1, Ordering::Relaxed);
        }),
        on_start: Box::new(move |already| d2.store(already, Ordering::Relaxed)),
        stop: Some(stop.clone()),
    };
    let outcome = watched(py, progress, total, &done, &stop, || {
        pool.install(|| sw::run(&plan, &out, &options))
    })
    .map_err(|e| {
        if e.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
            // What the user needs to know: nothing is lost, and how to go on.
            pyo3::exceptions::PyKeyboardInterrupt::new_err(format!(
                "linkage: the sweep stopped with {} of {total} runs in {}; the same call resumes it",
                done.load(Ordering::Relaxed),
                out.display()
            ))
        } else {
            e
        }
    })?;
    match outcome {
        Ok(o) if o.complete => Ok(out.display().to_string()),
        // Stopped without an interrupt to raise (a signal handler that did not raise).
        Ok(_) => Err(pyo3::exceptions::PyKeyboardInterrupt::new_err(format!(
            "linkage: the sweep stopped; the same call resumes it from {}",
            out.display()
        ))),
        Err(e) if e.is_input() => Err(input_error(e.to_string())),
        Err(e) => Err(pyo3::exceptions::PyOSError::new_err(e.to_string())),
    }
}

/// The type of each column of a sweep folder's table `name` (`runs.csv`, ...) with
/// `header`: "text", "count" or "value", as its Parquet file has it.
#[pyfunction]
fn sweep_kinds(name: &str, header: Vec<String>) -> PyResult<Vec<&'static str>> {
    use linkage::output::metrics::Kind;
    let t = linkage::experiment::sweep::parquet::Table::named(name)
        .ok_or_else(|| input_error(format!("'{name}' is not a table of a sweep folder")))?;
    Ok(t.kinds(&header)
        .into_iter()
        .map(|k| match k {
            Kind::Text => "text",
            Kind::Count => "count",
            Kind::Value => "value",
        })
        .collect())
}

/// The schema of each table of a run folder (`ticks`, `summary`, `territory`,
/// `incidents`), as its Parquet file has it: what a CSV folder is read back as.
#[pyfunction]
fn schemas(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let units = vec!["city".to_string()];
    let s = |b: RecordBatch| b.schema().as_ref().clone();
    d.set_item(
        "ticks",
        s(parquet::ticks_batch(&units, &[])).to_pyarrow(py)?,
    )?;
    d.set_item(
        "summary",
        s(parquet::table_batch(&files::summary_table(&[]))).to_pyarrow(py)?,
    )?;
    d.set_item(
        "territory",
        s(parquet::table_batch(&files::territory_table(&[], &[]))).to_pyarrow(py)?,
    )?;
    d.set_item(
        "incidents",
        s(parquet::table_batch(&files::incidents_table(&[], &[]))).to_pyarrow(py)?,
    )?;
    Ok(d)
}

/// The built-in scenarios' names.
#[pyfunction]
fn scenarios() -> Vec<String> {
    linkage::scenario::builtin::NAMES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[pymodule]
fn _linkage(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // linkage's version (the wheel's is the same: python/Cargo.toml follows it).
    m.add("__version__", linkage::base::version::VERSION)?;
    m.add("program", linkage::base::version::program())?;
    m.add("LinkageError", m.py().get_type::<LinkageError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(schemas, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    Ok(())
}
