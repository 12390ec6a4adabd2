//! Finishing and merging. When a sweep (or shard) is complete, `runs.csv` and
//! `series.csv` are rewritten in run-id order with one row and one block per run, the
//! aggregates computed from them, and the files put in the format asked for (Parquet
//! twins written, the other format's files removed); `merge` combines shard folders, of
//! either format, into the files one unsharded sweep writes. Every rewrite goes through
//! [`AtomicFile`], so a kill leaves the old file or the new one; the CSV files are
//! removed (`--format parquet`) only once every Parquet file is in place.

use super::aggregates::{write_series_summary, write_summary};
use super::folder::{remove_scenarios_from, scenario_file};
use super::parquet::{Table, journal, remove, write_twins};
use super::running::series_header;
use super::{EXPERIMENT, Format, LOCK, RUNS, SERIES, SweepError, io};
use crate::base::fs::{AtomicFile, write_atomic};
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Rewrite `runs.csv` in run-id order and write `summary.csv` next to it; then the same
/// for `series.csv` and `series-summary.csv`, if the folder has a `series.csv`. Then the
/// tables in `format`: with Parquet, each table's twin is written from its CSV file;
/// a file of the format not asked for (left by an earlier finish) is removed, the CSV
/// files last. Returns the number of runs in `runs.csv`.
pub fn finish(dir: &Path, header: &str, format: Format) -> Result<usize, SweepError> {
    let rows = sort_runs(dir, header)?;
    write_summary(dir)?;
    if dir.join(SERIES).exists() {
        sort_series(dir)?;
        write_series_summary(dir)?;
    }
    if format.parquet() {
        write_twins(dir)?;
    }
    for t in Table::ALL {
        // A twin without its CSV file is an earlier finish's (a folder without series).
        if !format.parquet() || !dir.join(t.csv()).exists() {
            remove(&dir.join(t.parquet()))?;
        }
    }
    if !format.csv() {
        for t in Table::ALL {
            remove(&dir.join(t.csv()))?;
        }
    }
    Ok(rows)
}

/// Rewrite `runs.csv` in run-id order, one row per run; returns the number of rows.
fn sort_runs(dir: &Path, header: &str) -> Result<usize, SweepError> {
    let runs_path = dir.join(RUNS);
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
    )?;
    Ok(index.len())
}

/// Copy byte ranges of `src` after `header` into `dest`, atomically.
fn rewrite(
    src: &Path,
    dest: &Path,
    header: &str,
    ranges: impl Iterator<Item = (u64, u64)>,
) -> Result<(), SweepError> {
    let mut from = File::open(src).map_err(io(src))?;
    let mut out = AtomicFile::create(dest).map_err(io(dest))?;
    out.write_all(header.as_bytes()).map_err(io(dest))?;
    let mut buf = Vec::new();
    for (off, len) in ranges {
        buf.resize(len as usize, 0);
        from.seek(SeekFrom::Start(off))
            .and_then(|_| from.read_exact(&mut buf))
            .map_err(io(src))?;
        out.write_all(&buf).map_err(io(dest))?;
    }
    out.commit().map_err(io(dest))
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

/// The fingerprint line and run count of a shard's `sweep.lock`.
fn read_lock(dir: &Path) -> Result<(String, u64), SweepError> {
    let lock =
        fs::read_to_string(dir.join(LOCK)).map_err(|source| SweepError::NotASweepFolder {
            dir: dir.to_path_buf(),
            source,
        })?;
    let mut lines = lock.lines();
    let fp = lines.next().unwrap_or("").to_string();
    let total: u64 = lines
        .next()
        .and_then(|l| l.strip_prefix("runs "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Ok((fp, total))
}

/// Check that `dirs` are shards of one sweep: (fingerprint line, runs, `runs.csv` header).
fn check_shards(dirs: &[PathBuf]) -> Result<(String, u64, String), SweepError> {
    let mut fingerprint: Option<(String, u64)> = None;
    let mut header: Option<String> = None;
    for d in dirs {
        let (fp, total) = read_lock(d)?;
        match &fingerprint {
            None => fingerprint = Some((fp, total)),
            Some((f, _)) if *f != fp => {
                return Err(SweepError::DifferentExperiment {
                    dir: d.clone(),
                    first: dirs[0].clone(),
                });
            }
            _ => {}
        }
        let runs = d.join(RUNS);
        let text = journal(d, Table::Runs)?.ok_or_else(|| {
            io(&runs)(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "missing, and no runs.parquet either",
            ))
        })?;
        let mut h = String::new();
        BufReader::new(text).read_line(&mut h).map_err(io(&runs))?;
        let h = h.trim_end_matches('\n').to_string() + "\n";
        if header.as_ref().is_some_and(|x| *x != h) {
            return Err(SweepError::DifferentColumns {
                dir: d.clone(),
                first: dirs[0].clone(),
            });
        }
        header = Some(h);
    }
    match (fingerprint, header) {
        (Some((fp, total)), Some(header)) => Ok((fp, total, header)),
        _ => Err(SweepError::NoFolders),
    }
}

/// The shards' lines of the journal `t` (whole lines only: a killed shard may end in a
/// torn one) after `header` into `out`'s CSV file of `t`, unsorted. A shard finished as
/// Parquet alone gives its lines from the Parquet twin, byte for byte. `check` says
/// whether a shard's header line is the one expected.
fn combine(
    dirs: &[PathBuf],
    out: &Path,
    t: Table,
    header: &str,
    check: impl Fn(&str, &Path) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let dest = out.join(t.csv());
    let mut w = AtomicFile::create(&dest).map_err(io(&dest))?;
    w.write_all(header.as_bytes()).map_err(io(&dest))?;
    for d in dirs {
        let Some(text) = journal(d, t)? else {
            continue;
        };
        // The file the lines come from, for messages.
        let src = crate::output::parquet::locate(&d.join(t.csv())).unwrap_or_default();
        let mut r = BufReader::new(text);
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            if r.read_line(&mut line).map_err(io(&src))? == 0 {
                break;
            }
            if first {
                check(&line, &src)?;
            } else if line.ends_with('\n') {
                w.write_all(line.as_bytes()).map_err(io(&dest))?;
            }
            first = false;
        }
    }
    w.commit().map_err(io(&dest))
}

/// Copy the records of what was run (`experiment.toml`, `scenario-<k>.toml`) into `out`:
/// each from the first shard that has it (every shard writes the same bytes).
fn copy_records(dirs: &[PathBuf], out: &Path) -> Result<(), SweepError> {
    let first_with = |name: &str| dirs.iter().find_map(|d| fs::read(d.join(name)).ok());
    if let Some(bytes) = first_with(EXPERIMENT) {
        let dest = out.join(EXPERIMENT);
        write_atomic(&dest, bytes).map_err(io(&dest))?;
    }
    let mut k = 0;
    while let Some(bytes) = first_with(&scenario_file(k)) {
        let dest = out.join(scenario_file(k));
        write_atomic(&dest, bytes).map_err(io(&dest))?;
        k += 1;
    }
    remove_scenarios_from(out, k)
}

/// Combine shard folders (each holding CSV files, Parquet files or both) into `out`: the
/// same files, in `format`, an unsharded sweep gives. Refuses shards of different
/// experiments, and reports missing runs.
pub fn merge(dirs: &[PathBuf], out: &Path, format: Format) -> Result<(usize, u64), SweepError> {
    // Every file merge reads from a shard must be a regular file: a FIFO would block.
    let journals = [Table::Runs, Table::Series];
    for dir in dirs {
        let tables = journals.iter().flat_map(|t| [t.csv(), t.parquet()]);
        for name in [LOCK, EXPERIMENT].into_iter().chain(tables) {
            let path = dir.join(name);
            if path.exists() || fs::symlink_metadata(&path).is_ok() {
                crate::base::input::open_regular(&path, "shard file")?;
            }
        }
    }
    let (fp, total, header) = check_shards(dirs)?;
    fs::create_dir_all(out).map_err(|source| SweepError::CannotCreate {
        dir: out.to_path_buf(),
        source,
    })?;
    // What was run first: finish writes experiment.toml's text into Parquet files.
    copy_records(dirs, out)?;
    combine(dirs, out, Table::Runs, &header, |_, _| Ok(()))?;
    // The shards' series blocks, if every shard has them (a folder of an older linkage
    // has none); finish sorts them and keeps one block per run.
    let has_series =
        |d: &PathBuf| d.join(SERIES).exists() || d.join(Table::Series.parquet()).exists();
    if dirs.iter().all(has_series) {
        let header = series_header();
        combine(dirs, out, Table::Series, &header, |line, path| {
            if line == header {
                Ok(())
            } else {
                Err(SweepError::ShardSeriesColumns {
                    path: path.to_path_buf(),
                })
            }
        })?;
    } else {
        for t in [Table::Series, Table::SeriesSummary] {
            remove(&out.join(t.csv()))?;
            remove(&out.join(t.parquet()))?;
        }
    }
    let rows = finish(out, &header, format)?;
    // In place, as `open` writes it (see the `folder` module).
    let lock = out.join(LOCK);
    fs::write(&lock, format!("{fp}\nruns {total}\nshard merged\n")).map_err(io(&lock))?;
    Ok((rows, total))
}
