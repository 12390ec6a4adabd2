//! Reports: one self-contained HTML page (inline SVG, no script, no font or anything
//! else from the network) that explains a run's or a sweep's comparison in charts and in
//! sentences a teacher can read aloud, plus the charts as files in `plots/`.
//!
//! - [`run`]: a run folder read back (`ticks.csv`, `summary.csv`, `territory.csv`,
//!   `params.toml`), its sentences and its page.
//! - [`sweep`]: a sweep folder read back (`experiment.toml`, `summary.csv`, the drawn
//!   cells of `series-summary.csv`, the scenarios as run), its sentences and its page.
//! - [`attribution`]: an attribution folder (`linkage attribute`) read back, its
//!   waterfalls, sentences and page.
//! - [`sensitivity`]: a sweep's sensitivity indices (`indices.csv`) drawn and said.
//! - [`charts`]: every chart, generic over the plotters backend, and the colour scale.
//! - [`compare`]: regimes compared with their uncertainty (means with 95% intervals, and
//!   which pairs cannot be told apart), for runs with replicates and for sweeps.
//! - [`lang`]: names of regimes, metrics and windows in English or Chinese.
//! - [`page`]: the HTML page around them.
//! - [`params`]: `docs/parameters.md`, every parameter with its value, unit, source and
//!   measured influence (`linkage params`).
//!
//! A folder's tables are read as CSV files, or, when a folder holds one as Parquet alone
//! (`--format parquet`), from its Parquet twin read back as the same text
//! ([`crate::output::parquet::CsvText`], every number exact): [`open_csv`] and
//! [`has_table`] look for both.
//!
//! Invariants: everything is computed from the folder's own files, so a report can be
//! made again at any time, and the run's or sweep's output files are never changed (the
//! report adds `report.html` and `plots/`, each file written whole or not at all). Every
//! error names the file it is about. This layer sits above `experiment` and `output`; no
//! module below imports it.

pub mod attribution;
pub mod calibration;
pub mod charts;
pub mod compare;
pub mod lang;
pub mod page;
pub mod params;
pub mod run;
pub mod sensitivity;
pub mod sweep;

pub use lang::Lang;

use crate::scenario::ScenarioError;
use std::path::{Path, PathBuf};

/// Why a report could not be made. Each message is one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{} is not a run, sweep, attribution or calibration folder (no ticks.csv or ticks.parquet, nor summary.csv or summary.parquet with experiment.toml, nor calibration.toml with posterior.csv); give a folder written by `linkage run`, `sweep`, `attribute` or `calibrate`",
        .0.display()
    )]
    NotAFolder(PathBuf),
    #[error("{}: {source}", path.display())]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{}: {problem}", path.display())]
    Content { path: PathBuf, problem: String },
    #[error("{}", located(path, source))]
    Scenario {
        path: PathBuf,
        source: ScenarioError,
    },
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot draw the chart {name}: {source}")]
    Chart {
        name: String,
        source: charts::DrawError,
    },
    #[error(transparent)]
    Font(#[from] crate::base::fonts::FontError),
    /// An input file that is not a regular file, too large, or unreadable.
    #[error(transparent)]
    Input(#[from] crate::base::input::InputError),
    /// A Parquet table that cannot be read back.
    #[error(transparent)]
    Parquet(#[from] crate::output::files::OutputError),
}

/// A scenario's problems, each naming `path` (the loader names it already when the
/// problem has a line; otherwise it is put in front).
fn located(path: &Path, e: &ScenarioError) -> String {
    let shown = path.display().to_string();
    e.to_string()
        .lines()
        .map(|l| {
            if l.starts_with(&shown) {
                l.to_string()
            } else {
                format!("{shown}: {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a report wrote: the chart names, each as `plots/NAME.svg` and `plots/NAME.png`.
pub type Charts = Vec<String>;

/// Write `report.html` and `plots/` for a run folder (it has `ticks.csv`), an
/// attribution folder (`attribution.csv` and `experiment.toml`) or a sweep folder
/// (`summary.csv` and `experiment.toml`). Returns the chart names.
pub fn write(dir: &Path, lang: Lang) -> Result<Charts, ReportError> {
    if has_table(&dir.join("ticks.csv")) {
        run::write(dir, lang)
    } else if dir.join(attribution::ATTRIBUTION).exists() && dir.join("experiment.toml").exists() {
        attribution::write(dir, lang)
    } else if has_table(&dir.join("summary.csv")) && dir.join("experiment.toml").exists() {
        sweep::write(dir, lang)
    } else if dir.join("calibration.toml").exists() && dir.join("posterior.csv").exists() {
        calibration::write(dir, lang)
    } else {
        Err(ReportError::NotAFolder(dir.to_path_buf()))
    }
}

/// Whether the folder has the table of the CSV file `path`: the file, or its Parquet twin.
pub(crate) fn has_table(path: &Path) -> bool {
    crate::output::parquet::locate(path).is_some()
}

/// A CSV file of the folder, opened for reading: its path and reader. Without the file,
/// its Parquet twin, read back as the same table's text (the path then names the twin).
pub(crate) fn open_csv(path: PathBuf) -> Result<Csv, ReportError> {
    let path = crate::output::parquet::locate(&path).unwrap_or(path);
    let file = crate::base::input::open_regular(&path, "file")?;
    let text = crate::output::parquet::read_text(&path, file)?;
    Ok(Csv {
        path,
        reader: csv::Reader::from_reader(text),
    })
}

/// A CSV file being read back; every error it gives names the file.
pub(crate) struct Csv {
    pub path: PathBuf,
    reader: csv::Reader<Box<dyn std::io::Read>>,
}

impl Csv {
    /// The header row.
    pub fn header(&mut self) -> Result<Vec<String>, ReportError> {
        match self.reader.headers() {
            Ok(h) => Ok(h.iter().map(String::from).collect()),
            Err(source) => Err(self.csv(source)),
        }
    }

    /// The records, each an error naming the file if it does not parse.
    pub fn records(&mut self) -> impl Iterator<Item = Result<csv::StringRecord, ReportError>> + '_ {
        let path = &self.path;
        self.reader.records().map(move |r| {
            r.map_err(|source| ReportError::Csv {
                path: path.clone(),
                source,
            })
        })
    }

    /// The positions of the columns `want` in `header`, or an error naming the file.
    pub fn columns(&self, header: &[String], want: &[&str]) -> Result<Vec<usize>, ReportError> {
        want.iter()
            .map(|w| header.iter().position(|h| h == w))
            .collect::<Option<_>>()
            .ok_or_else(|| self.problem(format!("lacks one of the columns {}", want.join(", "))))
    }

    /// An error about this file's content.
    pub fn problem(&self, problem: impl Into<String>) -> ReportError {
        ReportError::Content {
            path: self.path.clone(),
            problem: problem.into(),
        }
    }

    fn csv(&self, source: csv::Error) -> ReportError {
        ReportError::Csv {
            path: self.path.clone(),
            source,
        }
    }
}

/// A number of a CSV cell: empty is undefined (NaN, as the files write it); anything
/// else that is not a number is an error naming the file, the line and the column.
pub(crate) fn cell_number(
    file: &Csv,
    rec: &csv::StringRecord,
    i: usize,
    column: &str,
) -> Result<f64, ReportError> {
    let text = rec.get(i).unwrap_or("");
    if text.is_empty() {
        return Ok(f64::NAN);
    }
    text.parse().map_err(|_| {
        let line = rec.position().map_or(0, |p| p.line());
        file.problem(format!(
            "line {line}, column {column}: '{text}' is not a number"
        ))
    })
}

/// The `plots/` folder of `dir`, made if missing.
pub(crate) fn plots(dir: &Path) -> Result<PathBuf, ReportError> {
    let plots = dir.join("plots");
    std::fs::create_dir_all(&plots).map_err(|source| ReportError::Write {
        path: plots.clone(),
        source,
    })?;
    Ok(plots)
}

/// Write the page atomically as `dir/report.html`.
pub(crate) fn write_page(dir: &Path, html: &str) -> Result<(), ReportError> {
    let path = dir.join("report.html");
    crate::base::fs::write_atomic(&path, html).map_err(|source| ReportError::Write { path, source })
}
