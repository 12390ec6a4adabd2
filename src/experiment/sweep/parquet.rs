//! A finished sweep folder's Parquet files (`linkage sweep --format parquet|both`):
//! `runs.parquet`, `summary.parquet`, `series.parquet` and `series-summary.parquet`, each
//! the table of its CSV file, typed (ids, counts and `n` as 64-bit integers, factor
//! settings and measured values as 64-bit floats, names as strings, an empty cell null),
//! written through [`crate::output::parquet`] with `experiment.toml`'s text as the
//! parameters.
//!
//! The CSV files stay the journal while a sweep runs, since a Parquet file cannot be
//! appended to: the Parquet files are written from the sorted CSV files when the sweep
//! (or shard) completes, each through an [`AtomicFile`], in batches of fixed size, so
//! their bytes depend on the rows alone. With `--format parquet` the CSV files are then
//! removed; `runs.csv` and `series.csv` are brought back from their twins when needed (a
//! resume, a rerun, a merge), byte for byte: a float read back is spelled as the CSV cell
//! it was read from ([`Spelling::Decimal`] for measured values, [`Spelling::Given`] for
//! factor settings), so the folder goes on as if they had never left.

use super::super::plan::all_metrics;
use super::{EXPERIMENT, RUNS, SERIES, SERIES_SUMMARY, SUMMARY, SweepError, csv_err, io};
use crate::base::fs::AtomicFile;
use crate::output::metrics::{Cell, Kind, Summary};
use crate::output::parquet::{CsvText, Spelling, TableWriter};
use std::path::Path;

/// The rows of a Parquet file written at once: a fixed count, so that the same rows give
/// the same bytes.
const BATCH: usize = 65_536;

/// A table of a finished sweep folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Runs,
    Summary,
    Series,
    SeriesSummary,
}

impl Table {
    pub const ALL: [Table; 4] = [
        Table::Runs,
        Table::Summary,
        Table::Series,
        Table::SeriesSummary,
    ];

    /// The CSV file's name.
    pub fn csv(self) -> &'static str {
        match self {
            Table::Runs => RUNS,
            Table::Summary => SUMMARY,
            Table::Series => SERIES,
            Table::SeriesSummary => SERIES_SUMMARY,
        }
    }

    /// The Parquet file's name.
    pub fn parquet(self) -> &'static str {
        match self {
            Table::Runs => "runs.parquet",
            Table::Summary => "summary.parquet",
            Table::Series => "series.parquet",
            Table::SeriesSummary => "series-summary.parquet",
        }
    }

    /// The table whose CSV file (`runs.csv`) or Parquet file is called `name`.
    pub fn named(name: &str) -> Option<Table> {
        Table::ALL
            .into_iter()
            .find(|t| t.csv() == name || t.parquet() == name)
    }

    /// Each column's type, by its name in `header` (docs/experiments.md §6 has the
    /// columns). In `runs.csv` a metric's type is the run's summary's ([`Summary::kinds`]);
    /// the columns between the names and the metrics are factor settings. The Python
    /// package reads a CSV folder with these types, as the Parquet files have them.
    pub fn kinds(self, header: &[String]) -> Vec<Kind> {
        let metrics: Vec<(String, Kind)> = Summary::header()
            .into_iter()
            .zip(Summary::kinds())
            .collect();
        let tick = header
            .iter()
            .position(|h| h == "tick")
            .unwrap_or(header.len());
        header
            .iter()
            .enumerate()
            .map(|(i, h)| match (self, h.as_str()) {
                (_, "scenario" | "regime") => Kind::Text,
                (Table::Runs, "run" | "cell" | "replicate" | "seed") => Kind::Count,
                (Table::Runs, m) => metrics
                    .iter()
                    .find(|(name, _)| name == m)
                    .map_or(Kind::Value, |(_, k)| *k),
                (Table::Summary, "cell" | "n") => Kind::Count,
                (Table::Series, "run" | "tick") => Kind::Count,
                (Table::SeriesSummary, "cell" | "tick") => Kind::Count,
                (Table::SeriesSummary, n) if i > tick && n.ends_with("_n") => Kind::Count,
                _ => Kind::Value,
            })
            .collect()
    }

    /// How a float column of the journal `self` reads back as its CSV cells: factor
    /// settings (the columns of `runs.csv` after its names that are not metrics) as
    /// [`crate::base::num::given`] spells them, the rest as `decimal` does.
    fn spelling(self, known: &[String], i: usize, name: &str) -> Spelling {
        if self == Table::Runs && i >= 6 && !known.iter().any(|m| m == name) {
            Spelling::Given
        } else {
            Spelling::Decimal
        }
    }
}

/// A Parquet error on `path`.
fn pq_err(path: &Path) -> impl Fn(String) -> SweepError + '_ {
    move |message| SweepError::Parquet {
        path: path.to_path_buf(),
        message,
    }
}

/// Write the Parquet twin of each of `dir`'s sorted CSV tables that exists.
pub fn write_twins(dir: &Path) -> Result<(), SweepError> {
    let experiment = dir.join(EXPERIMENT);
    let params = std::fs::read_to_string(&experiment).map_err(io(&experiment))?;
    for t in Table::ALL {
        if dir.join(t.csv()).exists() {
            write_twin(dir, t, &params)?;
        }
    }
    Ok(())
}

/// `t`'s Parquet file from its CSV file, streamed in batches of [`BATCH`] rows.
fn write_twin(dir: &Path, t: Table, params: &str) -> Result<(), SweepError> {
    let src = dir.join(t.csv());
    let dest = dir.join(t.parquet());
    let mut reader = csv::Reader::from_path(&src).map_err(csv_err(&src))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_err(&src))?
        .iter()
        .map(String::from)
        .collect();
    let kinds = t.kinds(&header);
    let sink = AtomicFile::create(&dest).map_err(io(&dest))?;
    let mut w = TableWriter::new(sink, header.clone(), kinds.clone(), params)
        .map_err(|e| pq_err(&dest)(e.to_string()))?;
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(BATCH.min(4096));
    for rec in reader.records() {
        let rec = rec.map_err(csv_err(&src))?;
        let mut row = Vec::with_capacity(kinds.len());
        for ((text, &kind), name) in rec.iter().zip(&kinds).zip(&header) {
            let cell = Cell::read(kind, text).ok_or_else(|| SweepError::BadCell {
                path: src.clone(),
                line: rec.position().map_or(0, |p| p.line()),
                column: name.clone(),
                text: text.to_string(),
            })?;
            row.push(cell);
        }
        rows.push(row);
        if rows.len() == BATCH {
            w.write(&rows).map_err(|e| pq_err(&dest)(e.to_string()))?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        w.write(&rows).map_err(|e| pq_err(&dest)(e.to_string()))?;
    }
    let sink = w.finish().map_err(|e| pq_err(&dest)(e.to_string()))?;
    sink.commit().map_err(io(&dest))
}

/// The journal `t` (`runs.csv` or `series.csv`) of `dir` as CSV text: its CSV file, or,
/// when the folder was finished as Parquet alone, its Parquet twin read back byte for
/// byte. `None` when it has neither.
pub fn journal(dir: &Path, t: Table) -> Result<Option<Box<dyn std::io::Read>>, SweepError> {
    let csv = dir.join(t.csv());
    if csv.exists() {
        let file = std::fs::File::open(&csv).map_err(io(&csv))?;
        return Ok(Some(Box::new(file)));
    }
    let pq = dir.join(t.parquet());
    if !pq.exists() {
        return Ok(None);
    }
    let file = std::fs::File::open(&pq).map_err(io(&pq))?;
    let known = all_metrics();
    let text = CsvText::open(file, &pq, |i, name| t.spelling(&known, i, name))
        .map_err(|e| pq_err(&pq)(e.to_string()))?;
    Ok(Some(Box::new(text)))
}

/// Bring back the journal `t` from its Parquet twin when its CSV file is gone (a folder
/// finished with `--format parquet`), byte for byte and whole or not at all.
pub fn restore(dir: &Path, t: Table) -> Result<(), SweepError> {
    let dest = dir.join(t.csv());
    if dest.exists() {
        return Ok(());
    }
    let Some(mut text) = journal(dir, t)? else {
        return Ok(());
    };
    let mut out = AtomicFile::create(&dest).map_err(io(&dest))?;
    std::io::copy(&mut text, &mut out).map_err(io(&dir.join(t.parquet())))?;
    out.commit().map_err(io(&dest))
}

/// Remove `path` if it is there.
pub(super) fn remove(path: &Path) -> Result<(), SweepError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_its_type() {
        let h = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
        use Kind::*;
        assert_eq!(
            Table::Runs.kinds(&h(
                "run,cell,replicate,seed,scenario,regime,mechanism.social,created,trust_end,resilience_reference,trust_recovery_days"
            )),
            [Count, Count, Count, Count, Text, Text, Value, Count, Value, Text, Count]
        );
        assert_eq!(
            Table::Summary.kinds(&h("cell,scenario,regime,mechanism.social,n,created_mean")),
            [Count, Text, Text, Value, Count, Value]
        );
        assert_eq!(
            Table::Series.kinds(&h("run,tick,service_rate,trust,happiness")),
            [Count, Count, Value, Value, Value]
        );
        assert_eq!(
            Table::SeriesSummary.kinds(&h("cell,scenario,regime,x.y_n,tick,trust_n,trust_mean")),
            [Count, Text, Text, Value, Count, Count, Value]
        );
    }
}
