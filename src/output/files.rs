//! The files of a run, written so that nothing half-written is ever left behind: all
//! files go to a temporary folder beside the destination (named as
//! [`crate::base::fs::temporary_for`] names a single file's temporary), which is renamed
//! into place (or whose files are renamed one by one into an existing folder) only when
//! complete. The writers here write into that folder, so they write plainly; numbers are
//! spelled by [`crate::base::num`].

use super::metrics::{Cell, Kind, Summary, TICK_METRICS};
use crate::engine::run::RegimeRun;
use ndarray::Array3;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write output folder {path}: {source}; choose a writable folder with --out")]
    Unwritable {
        path: String,
        source: std::io::Error,
    },
    #[error("output path {path} exists and is not a folder; choose another with --out")]
    NotAFolder { path: String },
    #[error("writing {path}: {source}")]
    Write { path: String, source: csv::Error },
    #[error("writing {path}: {message}")]
    Parquet { path: String, message: String },
    #[error("reading {path}: {message}")]
    ParquetRead { path: String, message: String },
}

/// Which files hold a run's tables (`linkage run --format`); params.toml is always written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// ticks.csv, summary.csv, territory.csv, incidents.csv.
    #[default]
    Csv,
    /// ticks.parquet, summary.parquet, territory.parquet, incidents.parquet.
    Parquet,
    /// Both.
    Both,
}

impl Format {
    pub fn csv(self) -> bool {
        self != Format::Parquet
    }

    pub fn parquet(self) -> bool {
        self != Format::Csv
    }

    /// The names of the table files it writes, CSV first.
    pub fn files(self) -> Vec<&'static str> {
        self.pick(
            &["ticks.csv", "summary.csv", "territory.csv", "incidents.csv"],
            &[
                "ticks.parquet",
                "summary.parquet",
                "territory.parquet",
                "incidents.parquet",
            ],
        )
    }

    /// Of a table's `csv` and `parquet` file names, those this format writes, CSV first.
    pub fn pick<'a>(self, csv: &[&'a str], parquet: &[&'a str]) -> Vec<&'a str> {
        let mut v = Vec::new();
        if self.csv() {
            v.extend_from_slice(csv);
        }
        if self.parquet() {
            v.extend_from_slice(parquet);
        }
        v
    }
}

/// A folder being written. Dropped without `commit`, it removes its temporary files.
pub struct OutDir {
    dest: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl OutDir {
    /// Check that `dest` can be written and open a temporary folder beside it.
    pub fn prepare(dest: &Path) -> Result<OutDir, OutputError> {
        let unwritable = |e: std::io::Error| OutputError::Unwritable {
            path: dest.display().to_string(),
            source: e,
        };
        if dest.exists() && !dest.is_dir() {
            return Err(OutputError::NotAFolder {
                path: dest.display().to_string(),
            });
        }
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(unwritable)?;
        // The same hidden name a single atomic file gets: `.NAME.tmp-PID`, beside `dest`.
        let tmp = crate::base::fs::temporary_for(dest);
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(unwritable)?;
        }
        fs::create_dir(&tmp).map_err(unwritable)?;
        Ok(OutDir {
            dest: dest.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Where to write `name` before commit.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Move the finished files into place.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let fail = |p: &Path, e: std::io::Error| csv_error(p, e);
        if !self.dest.exists() {
            fs::rename(&self.tmp, &self.dest).map_err(|e| fail(&self.dest, e))?;
        } else {
            for entry in fs::read_dir(&self.tmp).map_err(|e| fail(&self.tmp, e))? {
                let entry = entry.map_err(|e| fail(&self.tmp, e))?;
                let to = self.dest.join(entry.file_name());
                fs::rename(entry.path(), &to).map_err(|e| fail(&to, e))?;
            }
            fs::remove_dir(&self.tmp).map_err(|e| fail(&self.tmp, e))?;
        }
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

use crate::base::num::compact as cell;

/// A write error on `path` (a CSV error, or an I/O error, which `csv::Error` wraps).
fn csv_error(path: &Path, e: impl Into<csv::Error>) -> OutputError {
    OutputError::Write {
        path: path.display().to_string(),
        source: e.into(),
    }
}

/// `ticks.csv`: one row per tick × regime × unit (counties, then `city`).
pub fn write_ticks(
    path: &Path,
    units: &[String],
    runs: &[(&RegimeRun, &Array3<f64>)],
) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    w.write_record(ticks_header())
        .map_err(|e| csv_error(path, e))?;
    for (run, table) in runs {
        for t in 0..table.dim().0 {
            let rows = table.index_axis(ndarray::Axis(0), t);
            write_tick_rows(&mut w, t, &run.regime, units, rows).map_err(|e| csv_error(path, e))?;
        }
    }
    w.flush().map_err(|e| csv_error(path, e))
}

/// The header of `ticks.csv`: tick, regime, unit, then every tick metric.
pub fn ticks_header() -> Vec<String> {
    let mut header = vec!["tick".to_string(), "regime".to_string(), "unit".to_string()];
    header.extend(TICK_METRICS.iter().map(|m| m.name.to_string()));
    header
}

/// Tick `t`'s lines of `ticks.csv` for one regime, one a unit (`rows[unit, metric]`,
/// [`crate::output::metrics::tick_rows`]): the one writer of those lines, for the file
/// and for `linkage serve`'s day events alike.
pub fn write_tick_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    t: usize,
    regime: &str,
    units: &[String],
    rows: ndarray::ArrayView2<'_, f64>,
) -> Result<(), csv::Error> {
    let mut row: Vec<String> = Vec::with_capacity(3 + rows.dim().1);
    for (u, values) in rows.outer_iter().enumerate() {
        row.clear();
        row.push(t.to_string());
        row.push(regime.to_string());
        row.push(units[u].clone());
        row.extend(values.iter().map(|&v| cell(v)));
        w.write_record(&row)?;
    }
    Ok(())
}

/// Tick `t`'s lines of `ticks.csv` for one regime as text, each without its line end.
pub fn tick_lines(
    t: usize,
    regime: &str,
    units: &[String],
    rows: ndarray::ArrayView2<'_, f64>,
) -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = write_tick_rows(&mut w, t, regime, units, rows);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The units of a run's tick rows: each county, then the city.
pub fn units(sc: &crate::scenario::Scenario) -> Vec<String> {
    sc.territory
        .counties
        .iter()
        .map(|c| c.name.clone())
        .chain(std::iter::once("city".to_string()))
        .collect()
}

/// Write a run's folder: ticks, summary, territory and incidents as `format` says (CSV,
/// Parquet or both) and params.toml into `out`, then move it into place; returns where it
/// is. The one writer of the folder, for `linkage run` and `linkage serve`'s download
/// (CSV) alike.
pub fn write_run_folder(
    out: OutDir,
    sc: &crate::scenario::Scenario,
    runs: &[RegimeRun],
    tables: &[Array3<f64>],
    summaries: &[Summary],
    format: Format,
) -> Result<PathBuf, OutputError> {
    use super::parquet;
    let units = units(sc);
    let county_names = &units[..units.len() - 1];
    let pairs: Vec<(&RegimeRun, &Array3<f64>)> = runs.iter().zip(tables).collect();
    let all: Vec<&RegimeRun> = runs.iter().collect();
    let params = run_params(sc);
    let summary = summary_table(summaries);
    let territory = territory_table(county_names, &all);
    let incidents = incidents_table(county_names, &all);
    if format.csv() {
        write_ticks(&out.file("ticks.csv"), &units, &pairs)?;
        write_table(&out.file("summary.csv"), &summary)?;
        write_table(&out.file("territory.csv"), &territory)?;
        write_table(&out.file("incidents.csv"), &incidents)?;
    }
    if format.parquet() {
        parquet::write_ticks(&out.file("ticks.parquet"), &units, &pairs, &params)?;
        parquet::write_table(&out.file("summary.parquet"), &summary, &params)?;
        parquet::write_table(&out.file("territory.parquet"), &territory, &params)?;
        parquet::write_table(&out.file("incidents.parquet"), &incidents, &params)?;
    }
    write_text(&out.file("params.toml"), &params)?;
    out.commit()
}

/// Every replicate's summary of every regime (`linkage run --replicates`).
pub const REPLICATES: &str = "replicates.csv";
/// Its Parquet twin (`--format parquet|both`).
pub const REPLICATES_PARQUET: &str = "replicates.parquet";

/// The `replicates.csv` table (`linkage run --replicates`) of `rows`
/// ([`replicate_row`]): regime, replicate, seed, then the summary's columns after its
/// `regime`.
pub fn replicates_table(rows: Vec<Vec<Cell>>) -> Table {
    let mut header: Vec<String> = ["regime", "replicate", "seed"].map(String::from).to_vec();
    header.extend(Summary::header().into_iter().skip(1));
    let mut kinds = vec![Kind::Text, Kind::Count, Kind::Count];
    kinds.extend(Summary::kinds().into_iter().skip(1));
    Table {
        header,
        kinds,
        rows,
    }
}

/// One row of `replicates.csv`: a regime's summary in replicate `replicate` (from 1),
/// run with `seed`.
pub fn replicate_row(s: &Summary, replicate: u32, seed: u64) -> Vec<Cell> {
    let mut cells = s.values().into_iter();
    let mut row = vec![
        cells.next().unwrap_or(Cell::Text(String::new())),
        Cell::Count(Some(u64::from(replicate))),
        Cell::Count(Some(seed)),
    ];
    row.extend(cells);
    row
}

/// The text of a run's params.toml: the scenario as run, after a line naming the program
/// and how to repeat the run; each Parquet file of the run carries it too, and so does a
/// run made from Python.
pub fn run_params(sc: &crate::scenario::Scenario) -> String {
    format!(
        "# {} — parameters of this run; repeat it with:\n#   linkage run --scenario <this file>\n{}",
        crate::base::version::program(),
        sc.to_toml()
    )
}

/// A text file (into an [`OutDir`]'s temporary folder, so written plainly).
pub fn write_text(path: &Path, text: &str) -> Result<(), OutputError> {
    fs::write(path, text).map_err(|e| csv_error(path, e))
}

/// A table of typed cells: what a CSV file spells and its Parquet twin stores.
pub struct Table {
    pub header: Vec<String>,
    /// Each column's type, as its cells have it (fixed, so that an empty table has it too).
    pub kinds: Vec<Kind>,
    pub rows: Vec<Vec<Cell>>,
}

/// `table` as a CSV file, each cell as [`Cell::spell`] spells it.
pub fn write_table(path: &Path, table: &Table) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    w.write_record(&table.header)
        .map_err(|e| csv_error(path, e))?;
    for r in &table.rows {
        w.write_record(r.iter().map(Cell::spell))
            .map_err(|e| csv_error(path, e))?;
    }
    w.flush().map_err(|e| csv_error(path, e))
}

/// The summaries as a [`Table`] (`summary.csv`): one row per regime.
pub fn summary_table(summaries: &[Summary]) -> Table {
    let rows: Vec<Vec<Cell>> = summaries.iter().map(Summary::values).collect();
    Table {
        header: Summary::header(),
        kinds: Summary::kinds(),
        rows,
    }
}

/// The rows of `territory.csv`.
pub fn territory_table(counties: &[String], runs: &[&RegimeRun]) -> Table {
    use Kind::*;
    let columns = [
        ("regime", Text),
        ("county", Text),
        ("township", Count),
        ("urban", Count),
        ("residents", Count),
        ("trust", Value),
        ("open", Count),
    ];
    let mut rows = Vec::new();
    for run in runs {
        let mut k_prev = None;
        let mut idx = 0u64;
        for t in &run.townships {
            if k_prev != Some(t.county) {
                k_prev = Some(t.county);
                idx = 0;
            }
            let county = counties.get(t.county.index()).cloned().unwrap_or_default();
            rows.push(vec![
                Cell::Text(run.regime.clone()),
                Cell::Text(county),
                Cell::Count(Some(idx)),
                Cell::Count(Some(t.urban as u64)),
                Cell::Count(Some(u64::from(t.residents))),
                Cell::Value(t.trust),
                Cell::Count(Some(t.open)),
            ]);
            idx += 1;
        }
    }
    Table {
        header: columns.iter().map(|c| c.0.to_string()).collect(),
        kinds: columns.iter().map(|c| c.1).collect(),
        rows,
    }
}

/// The rows of `incidents.csv`.
pub fn incidents_table(counties: &[String], runs: &[&RegimeRun]) -> Table {
    use crate::model::collective::{BANDS, RESPONSES, band};
    use Kind::*;
    let mut columns: Vec<(String, Kind)> = [
        ("regime", Text),
        ("county", Text),
        ("township", Count),
        ("community", Count),
        ("cause", Text),
        ("start", Count),
        ("end", Count),
        ("days", Count),
        ("peak", Count),
        ("band", Text),
        ("protester_days", Count),
        ("responses", Text),
    ]
    .iter()
    .map(|(n, k)| (n.to_string(), *k))
    .collect();
    columns.extend(
        RESPONSES
            .iter()
            .map(|r| (format!("{}_days", r.name()), Count)),
    );
    columns.extend([
        ("staff_hours".to_string(), Value),
        ("budget".to_string(), Value),
        ("petitions".to_string(), Count),
    ]);
    let mut rows = Vec::new();
    for run in runs {
        let last = run.history.len().saturating_sub(1) as u32;
        // Each township's number within its county, as territory.csv numbers it.
        let mut within = Vec::with_capacity(run.townships.len());
        for (t, town) in run.townships.iter().enumerate() {
            let before = run.townships[..t]
                .iter()
                .filter(|o| o.county == town.county)
                .count();
            within.push(before as u64);
        }
        for i in &run.incidents {
            let county = counties.get(i.county as usize).cloned().unwrap_or_default();
            let township = within.get(i.township as usize).copied().unwrap_or(0);
            let n = |v: u64| Cell::Count(Some(v));
            let mut row = vec![
                Cell::Text(run.regime.clone()),
                Cell::Text(county),
                n(township),
                n(u64::from(i.community)),
                Cell::Text(i.cause.to_string()),
                n(u64::from(i.start)),
                Cell::Count(i.end.map(u64::from)),
                n(u64::from(i.duration(last))),
                n(u64::from(i.peak)),
                Cell::Text(BANDS[band(i.peak)].to_string()),
                n(i.protester_days),
                Cell::Text(i.responses_used()),
            ];
            row.extend(i.responses.iter().map(|&d| n(u64::from(d))));
            row.push(Cell::Value(i.staff_hours));
            row.push(Cell::Value(i.budget));
            row.push(n(i.petitions));
            rows.push(row);
        }
    }
    Table {
        header: columns.iter().map(|c| c.0.clone()).collect(),
        kinds: columns.iter().map(|c| c.1).collect(),
        rows,
    }
}
