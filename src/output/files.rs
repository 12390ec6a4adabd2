//! The files of a run, written so that nothing half-written is ever left behind: all
//! files go to a temporary folder beside the destination (named as
//! [`crate::base::fs::temporary_for`] names a single file's temporary), which is renamed
//! into place (or whose files are renamed one by one into an existing folder) only when
//! complete. The writers here write into that folder, so they write plainly; numbers are
//! spelled by [`crate::base::num`].

use super::metrics::{Summary, TICK_METRICS};
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

/// Write a run's folder: ticks.csv, summary.csv, territory.csv, incidents.csv and
/// params.toml into `out`, then move it into place; returns where it is. The one writer
/// of the folder, for `linkage run` and `linkage serve`'s download alike.
pub fn write_run_folder(
    out: OutDir,
    sc: &crate::scenario::Scenario,
    runs: &[RegimeRun],
    tables: &[Array3<f64>],
    summaries: &[Summary],
) -> Result<PathBuf, OutputError> {
    let units = units(sc);
    let pairs: Vec<(&RegimeRun, &Array3<f64>)> = runs.iter().zip(tables).collect();
    write_ticks(&out.file("ticks.csv"), &units, &pairs)?;
    write_summary(&out.file("summary.csv"), summaries)?;
    let county_names: Vec<String> = sc
        .territory
        .counties
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let all: Vec<&RegimeRun> = runs.iter().collect();
    write_territory(&out.file("territory.csv"), &county_names, &all)?;
    write_incidents(&out.file("incidents.csv"), &county_names, &all)?;
    let header = format!(
        "# {} — parameters of this run; repeat it with:\n#   linkage run --scenario <this file>\n",
        crate::base::version::program()
    );
    write_text(&out.file("params.toml"), &(header + &sc.to_toml()))?;
    out.commit()
}

/// `summary.csv`: one row per regime.
pub fn write_summary(path: &Path, summaries: &[Summary]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    w.write_record(Summary::header())
        .map_err(|e| csv_error(path, e))?;
    for s in summaries {
        w.write_record(s.cells()).map_err(|e| csv_error(path, e))?;
    }
    w.flush().map_err(|e| csv_error(path, e))
}

/// Every replicate's summary of every regime (`linkage run --replicates`).
pub const REPLICATES: &str = "replicates.csv";

/// The header of `replicates.csv` (`linkage run --replicates`): regime, replicate,
/// seed, then the summary's columns after its `regime`.
pub fn replicates_header() -> Vec<String> {
    let mut h: Vec<String> = ["regime", "replicate", "seed"].map(String::from).to_vec();
    h.extend(Summary::header().into_iter().skip(1));
    h
}

/// One row of `replicates.csv`: a regime's summary in replicate `replicate` (from 1),
/// run with `seed`.
pub fn replicate_row(s: &Summary, replicate: u32, seed: u64) -> Vec<String> {
    let mut cells = s.cells().into_iter();
    let mut row = vec![
        cells.next().unwrap_or_default(),
        replicate.to_string(),
        seed.to_string(),
    ];
    row.extend(cells);
    row
}

/// A CSV file of `header` and `rows` (`replicates.csv`).
pub fn write_rows(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    w.write_record(header).map_err(|e| csv_error(path, e))?;
    for r in rows {
        w.write_record(r).map_err(|e| csv_error(path, e))?;
    }
    w.flush().map_err(|e| csv_error(path, e))
}

/// A text file (into an [`OutDir`]'s temporary folder, so written plainly).
pub fn write_text(path: &Path, text: &str) -> Result<(), OutputError> {
    fs::write(path, text).map_err(|e| csv_error(path, e))
}

/// `territory.csv`: one row per regime × township on the last day.
pub fn write_territory(
    path: &Path,
    counties: &[String],
    runs: &[&RegimeRun],
) -> Result<(), OutputError> {
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    w.write_record([
        "regime",
        "county",
        "township",
        "urban",
        "residents",
        "trust",
        "open",
    ])
    .map_err(|e| csv_error(path, e))?;
    for run in runs {
        let mut k_prev = None;
        let mut idx = 0;
        for t in &run.townships {
            if k_prev != Some(t.county) {
                k_prev = Some(t.county);
                idx = 0;
            }
            let county = counties.get(t.county.index()).cloned().unwrap_or_default();
            w.write_record([
                run.regime.clone(),
                county,
                idx.to_string(),
                (t.urban as u8).to_string(),
                t.residents.to_string(),
                crate::base::num::decimal(t.trust),
                t.open.to_string(),
            ])
            .map_err(|e| csv_error(path, e))?;
            idx += 1;
        }
    }
    w.flush().map_err(|e| csv_error(path, e))
}

/// `incidents.csv`: one row per incident per regime, in order of start (issue 13). The
/// township is numbered within its county as in `territory.csv`; the community by its
/// index in the city; `end` is empty for an incident still going on at the end.
pub fn write_incidents(
    path: &Path,
    counties: &[String],
    runs: &[&RegimeRun],
) -> Result<(), OutputError> {
    use crate::model::collective::{BANDS, RESPONSES, band};
    let mut w = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
    let mut header: Vec<String> = [
        "regime",
        "county",
        "township",
        "community",
        "cause",
        "start",
        "end",
        "days",
        "peak",
        "band",
        "protester_days",
        "responses",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(RESPONSES.iter().map(|r| format!("{}_days", r.name())));
    header.extend(["staff_hours", "budget", "petitions"].map(String::from));
    w.write_record(&header).map_err(|e| csv_error(path, e))?;
    for run in runs {
        let last = run.history.len().saturating_sub(1) as u32;
        // Each township's number within its county, as territory.csv numbers it.
        let mut within = Vec::with_capacity(run.townships.len());
        for (t, town) in run.townships.iter().enumerate() {
            let before = run.townships[..t]
                .iter()
                .filter(|o| o.county == town.county)
                .count();
            within.push(before);
        }
        for i in &run.incidents {
            let county = counties.get(i.county as usize).cloned().unwrap_or_default();
            let township = within.get(i.township as usize).copied().unwrap_or(0);
            let mut row = vec![
                run.regime.clone(),
                county,
                township.to_string(),
                i.community.to_string(),
                i.cause.to_string(),
                i.start.to_string(),
                i.end.map_or(String::new(), |e| e.to_string()),
                i.duration(last).to_string(),
                i.peak.to_string(),
                BANDS[band(i.peak)].to_string(),
                i.protester_days.to_string(),
                i.responses_used(),
            ];
            row.extend(i.responses.iter().map(|d| d.to_string()));
            row.push(crate::base::num::decimal(i.staff_hours));
            row.push(crate::base::num::decimal(i.budget));
            row.push(i.petitions.to_string());
            w.write_record(&row).map_err(|e| csv_error(path, e))?;
        }
    }
    w.flush().map_err(|e| csv_error(path, e))
}
