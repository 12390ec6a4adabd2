//! The aggregates of a finished sweep folder, computed by streaming its sorted files:
//! `summary.csv` (per cell and metric, from `runs.csv`) and `series-summary.csv` (per
//! cell, tick and headline metric, from `runs.csv` and `series.csv` side by side). Both
//! are written through [`AtomicFile`]; numbers are spelled by [`decimal`].

use super::super::plan::all_metrics;
use super::super::stats::{self, Running};
use super::{RUNS, SERIES, SERIES_SUMMARY, SUMMARY, SweepError, csv_err, csv_line, io};
use crate::base::fs::AtomicFile;
use crate::base::num::decimal;
use crate::output::metrics::HEADLINE;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

/// The statistics of `series-summary.csv`, per headline metric, in column order.
const SERIES_STATS: [&str; 5] = ["n", "mean", "sd", "ci95_low", "ci95_high"];

/// The index of the first metric column: the first known metric name in the header.
pub fn first_metric(header: &[String]) -> usize {
    let known = all_metrics();
    header
        .iter()
        .position(|h| known.contains(h))
        .unwrap_or(header.len())
}

/// `summary.csv` from `runs.csv`, streamed.
pub fn write_summary(dir: &Path) -> Result<(), SweepError> {
    let runs_path = dir.join(RUNS);
    let mut reader = csv::Reader::from_path(&runs_path).map_err(csv_err(&runs_path))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_err(&runs_path))?
        .iter()
        .map(String::from)
        .collect();
    let first_metric = first_metric(&header);
    let rows = reader
        .records()
        .filter_map(|r| r.ok())
        .map(|r| r.iter().map(String::from).collect::<Vec<_>>());
    let (h, rows) = stats::summarise(&header, rows, first_metric);
    let dest = dir.join(SUMMARY);
    let file = AtomicFile::create(&dest).map_err(io(&dest))?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(file);
    w.write_record(&h).map_err(csv_err(&dest))?;
    for r in rows {
        w.write_record(&r).map_err(csv_err(&dest))?;
    }
    let file = w.into_inner().map_err(|e| io(&dest)(e.into_error()))?;
    file.commit().map_err(io(&dest))
}

/// The cell being accumulated in `series-summary.csv`: its number, labels (scenario,
/// regime, factors) and per-tick accumulators.
struct CellSeries {
    cell: String,
    labels: Vec<String>,
    ticks: Vec<[Running; HEADLINE.len()]>,
}

impl CellSeries {
    /// One line per tick: cell, labels, tick, then each headline metric's statistics.
    fn write(&self, out: &mut AtomicFile, dest: &Path) -> Result<(), SweepError> {
        for (t, accs) in self.ticks.iter().enumerate() {
            let mut r = vec![self.cell.clone()];
            r.extend(self.labels.iter().cloned());
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
            out.write_all(csv_line(&r).as_bytes()).map_err(io(dest))?;
        }
        Ok(())
    }

    /// Add a `series.csv` line's values (after run and tick) at tick `t`.
    fn push<'a>(&mut self, t: usize, values: impl Iterator<Item = &'a str>) {
        if self.ticks.len() <= t {
            self.ticks
                .resize(t + 1, [Running::default(); HEADLINE.len()]);
        }
        for (acc, v) in self.ticks[t].iter_mut().zip(values) {
            if let Ok(x) = v.parse::<f64>()
                && x.is_finite()
            {
                acc.push(x);
            }
        }
    }
}

/// The sorted `series.csv`, read one run at a time.
struct SeriesReader {
    file: BufReader<File>,
    path: std::path::PathBuf,
    /// The line read but not yet used (empty: none).
    line: String,
}

impl SeriesReader {
    fn open(path: &Path) -> Result<SeriesReader, SweepError> {
        let mut file = BufReader::new(File::open(path).map_err(io(path))?);
        let mut line = String::new();
        file.read_line(&mut line).map_err(io(path))?; // header
        line.clear();
        Ok(SeriesReader {
            file,
            path: path.to_path_buf(),
            line,
        })
    }

    /// Add run `run`'s lines to `cell`, skipping lines of earlier runs and keeping the
    /// first line of a later one.
    fn take_run(&mut self, run: u64, cell: &mut CellSeries) -> Result<(), SweepError> {
        loop {
            if self.line.is_empty()
                && self
                    .file
                    .read_line(&mut self.line)
                    .map_err(io(&self.path))?
                    == 0
            {
                return Ok(());
            }
            let mut fields = self.line.trim_end().split(',');
            let Some(id) = fields.next().and_then(|x| x.parse::<u64>().ok()) else {
                self.line.clear();
                continue;
            };
            if id > run {
                return Ok(()); // the next run's; keep the line
            }
            if id == run
                && let Some(t) = fields.next().and_then(|x| x.parse::<usize>().ok())
            {
                cell.push(t, fields);
            }
            self.line.clear();
        }
    }
}

/// The header of `series-summary.csv`: cell, the labels of `runs.csv`, tick, then the
/// statistics of each headline metric.
fn series_summary_header(labels: &[String]) -> Vec<String> {
    let mut h = vec!["cell".to_string()];
    h.extend(labels.iter().cloned());
    h.push("tick".into());
    for m in HEADLINE {
        for s in SERIES_STATS {
            h.push(format!("{m}_{s}"));
        }
    }
    h
}

/// `series-summary.csv`: per cell and tick, for each headline metric, n, mean, sample
/// standard deviation and 95% confidence interval over the cell's runs. Streams the sorted
/// `runs.csv` (for each run's cell and labels) alongside the sorted `series.csv`; a cell's
/// runs have consecutive ids, so one cell's accumulators are held at a time.
pub fn write_series_summary(dir: &Path) -> Result<(), SweepError> {
    let runs_path = dir.join(RUNS);
    let mut runs = csv::Reader::from_path(&runs_path).map_err(csv_err(&runs_path))?;
    let header: Vec<String> = runs
        .headers()
        .map_err(csv_err(&runs_path))?
        .iter()
        .map(String::from)
        .collect();
    let labels_end = first_metric(&header);
    let mut series = SeriesReader::open(&dir.join(SERIES))?;
    let dest = dir.join(SERIES_SUMMARY);
    let mut out = AtomicFile::create(&dest).map_err(io(&dest))?;
    let h = series_summary_header(&header[4..labels_end]);
    out.write_all(csv_line(&h).as_bytes()).map_err(io(&dest))?;
    let mut current: Option<CellSeries> = None;
    for rec in runs.records() {
        let rec = rec.map_err(csv_err(&runs_path))?;
        let (Some(run), Some(cell)) = (rec.get(0).and_then(|x| x.parse::<u64>().ok()), rec.get(1))
        else {
            continue;
        };
        if current.as_ref().is_none_or(|c| c.cell != cell) {
            if let Some(done) = current.take() {
                done.write(&mut out, &dest)?;
            }
            current = Some(CellSeries {
                cell: cell.to_string(),
                labels: rec
                    .iter()
                    .skip(4)
                    .take(labels_end - 4)
                    .map(String::from)
                    .collect(),
                ticks: Vec::new(),
            });
        }
        series.take_run(run, current.as_mut().expect("set above"))?;
    }
    if let Some(done) = current.take() {
        done.write(&mut out, &dest)?;
    }
    out.commit().map_err(io(&dest))
}
