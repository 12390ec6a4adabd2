//! `--format csv|parquet|both` on `linkage run` and `linkage sweep` (and `merge`): the
//! Parquet files hold the CSV files' tables column for column (typed), carry the run's or
//! sweep's parameters, and do not depend on the thread count; a sweep in Parquet resumes
//! after a kill, reruns without rerunning and merges from shards of either format into
//! the unsharded bytes; reports and `analyze` read folders that hold Parquet alone; bad
//! use is one line on stderr and exit code 2.

mod common;
use common::{kill_at_rows, linkage, succeeds};

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs;
use std::path::Path;
use std::process::Command;

const TABLES: [&str; 4] = ["ticks", "summary", "territory", "incidents"];

/// A small run (1,000 residents, 30 days) into `out`.
fn small_run(out: &Path, extra: &[&str]) {
    succeeds(
        linkage()
            .args([
                "run",
                "--residents",
                "1000",
                "--ticks",
                "30",
                "--quiet",
                "--out",
            ])
            .arg(out)
            .args(extra),
    );
}

/// A file's key-value metadata.
type KeyValues = Vec<(String, Option<String>)>;

/// A Parquet file's batches, its created_by and its key-value metadata.
fn read(path: &Path) -> (Vec<RecordBatch>, Option<String>, KeyValues) {
    let file = fs::File::open(path).unwrap();
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let meta = builder.metadata().file_metadata();
    let created_by = meta.created_by().map(str::to_string);
    let kv = meta
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .map(|k| (k.key.clone(), k.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    let batches = builder
        .build()
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (batches, created_by, kv)
}

/// The value at `row` of `column` as the CSV would have it, checked against `cell`: a
/// float within the CSV's six decimals, or, `exact`, the very number the cell spells.
fn same(column: &dyn Array, row: usize, cell: &str, what: &str, exact: bool) {
    if let Some(a) = column.as_any().downcast_ref::<Int64Array>() {
        if a.is_null(row) {
            assert_eq!(cell, "", "{what}: null for {cell:?}");
        } else {
            assert_eq!(cell.parse::<i64>().ok(), Some(a.value(row)), "{what}");
        }
    } else if let Some(a) = column.as_any().downcast_ref::<Float64Array>() {
        if a.is_null(row) {
            assert_eq!(cell, "", "{what}: null for {cell:?}");
        } else {
            // The CSV spells a measured value with six decimals (src/base/num.rs).
            let v: f64 = cell
                .parse()
                .unwrap_or_else(|_| panic!("{what}: {cell:?} for {}", a.value(row)));
            let close = if exact {
                v.to_bits() == a.value(row).to_bits()
            } else {
                (v - a.value(row)).abs() <= 1e-6
            };
            assert!(close, "{what}: {cell} vs {}", a.value(row));
        }
    } else if let Some(a) = column.as_any().downcast_ref::<StringArray>() {
        assert_eq!(a.value(row), cell, "{what}");
    } else {
        panic!("{what}: unexpected type {:?}", column.data_type());
    }
}

/// The Parquet file at `pq` holds the CSV file `csv`'s columns, in order, with equal
/// values (numerically, or `exact`ly), carries `params` and the fixed writer name, and
/// returns its column types (as Arrow names them).
fn same_table(pq: &Path, csv: &Path, params: &str, exact: bool) -> Vec<String> {
    let version = env!("CARGO_PKG_VERSION");
    let t = pq.display().to_string();
    let (batches, created_by, kv) = read(pq);
    assert_eq!(
        created_by.as_deref(),
        Some(format!("linkage {version}").as_str())
    );
    let get = |k: &str| {
        kv.iter()
            .find(|(key, _)| key == k)
            .and_then(|(_, v)| v.clone())
    };
    assert_eq!(get("linkage.params").as_deref(), Some(params), "{t}");
    assert_eq!(get("linkage.version").as_deref(), Some(version), "{t}");

    let mut csv = csv::Reader::from_path(csv).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let file = fs::File::open(pq).unwrap();
    let schema = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .schema()
        .clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, header, "{t}: the CSV's columns in order");
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(total, rows.len(), "{t}: rows");
    let mut r = 0;
    for b in &batches {
        for i in 0..b.num_rows() {
            for (c, name) in header.iter().enumerate() {
                let what = format!("{t} row {r} {name}");
                same(b.column(c).as_ref(), i, &rows[r][c], &what, exact);
            }
            r += 1;
        }
    }
    schema
        .fields()
        .iter()
        .map(|f| format!("{:?}", f.data_type()))
        .collect()
}

/// Every Parquet file of the run folder `dir` holds its CSV file's table and carries the
/// run's parameters.
fn same_tables(dir: &Path) {
    let params = fs::read_to_string(dir.join("params.toml")).unwrap();
    for t in TABLES {
        let pq = dir.join(format!("{t}.parquet"));
        same_table(&pq, &dir.join(format!("{t}.csv")), &params, false);
    }
}

/// The names of the files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

#[test]
fn both_formats_hold_the_same_tables_and_parquet_alone_writes_no_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let both = tmp.path().join("both");
    let alone = tmp.path().join("alone");
    small_run(&both, &["--format", "both", "--threads", "2"]);
    small_run(&alone, &["--format", "parquet", "--threads", "1"]);
    same_tables(&both);
    for t in TABLES {
        let path = both.join(format!("{t}.parquet"));
        // The same bytes with one thread as with two.
        assert_eq!(
            fs::read(&path).unwrap(),
            fs::read(alone.join(format!("{t}.parquet"))).unwrap(),
            "{t}.parquet differs between 1 and 2 threads"
        );
    }
    // Counts are integers, measured values floats.
    let (batches, _, _) = read(&both.join("ticks.parquet"));
    let schema = batches[0].schema();
    for (name, ty) in [
        ("tick", "Int64"),
        ("created", "Int64"),
        ("trust", "Float64"),
        ("unit", "Utf8"),
    ] {
        assert_eq!(
            format!("{:?}", schema.field_with_name(name).unwrap().data_type()),
            ty,
            "{name}"
        );
    }
    assert_eq!(
        listing(&alone),
        [
            "incidents.parquet",
            "params.toml",
            "summary.parquet",
            "territory.parquet",
            "ticks.parquet"
        ]
    );
    // Run again into the same folder as CSV: the Parquet files of the earlier run go.
    small_run(&alone, &[]);
    assert!(!alone.join("ticks.parquet").exists());
    assert!(alone.join("ticks.csv").exists());
}

/// Exit 2, one line on stderr with every one of `expect`, and no folder written.
fn refused(args: &[&str], expect: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let a = linkage().args(args).arg("--out").arg(&out).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for e in expect {
        assert!(err.contains(e), "{e:?} in {err}");
    }
    assert!(!out.exists());
}

#[test]
fn a_bad_format_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("small.toml");
    fs::write(&exp, SMALL).unwrap();
    let exp = exp.to_str().unwrap();
    for args in [
        &["run", "--quiet", "--format", "xlsx"][..],
        &["sweep", exp, "--quiet", "--format", "xlsx"],
        &["merge", "a", "--format", "xlsx"],
    ] {
        refused(
            args,
            &[
                "invalid value 'xlsx' for '--format <FORMAT>'",
                "csv, parquet, both",
            ],
        );
    }
}

/// A run written as Parquet alone has a report, drawn from its Parquet files.
#[test]
fn a_run_in_parquet_alone_has_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    small_run(&dir, &["--format", "parquet", "--report"]);
    let page = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(page.contains("<svg"), "charts drawn");
    assert!(!dir.join("ticks.csv").exists());
}

/// `linkage run --replicates` with both formats: replicates.parquet is replicates.csv,
/// typed; with Parquet alone, there is no CSV of it.
#[test]
fn replicates_parquet_holds_replicates_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let both = tmp.path().join("both");
    small_run(&both, &["--replicates", "3", "--format", "both"]);
    let params = fs::read_to_string(both.join("params.toml")).unwrap();
    let types = same_table(
        &both.join("replicates.parquet"),
        &both.join("replicates.csv"),
        &params,
        false,
    );
    let rows = fs::read_to_string(both.join("replicates.csv")).unwrap();
    assert_eq!(rows.lines().count(), 1 + 3 * 3, "3 regimes × 3 replicates");
    let header: Vec<&str> = rows.lines().next().unwrap().split(',').collect();
    let ty = |name: &str| types[header.iter().position(|h| *h == name).unwrap()].as_str();
    assert_eq!(
        [
            ty("regime"),
            ty("replicate"),
            ty("seed"),
            ty("created"),
            ty("trust_end")
        ],
        ["Utf8", "Int64", "Int64", "Int64", "Float64"]
    );
    let alone = tmp.path().join("alone");
    small_run(&alone, &["--replicates", "3", "--format", "parquet"]);
    assert!(alone.join("replicates.parquet").exists());
    assert!(!alone.join("replicates.csv").exists());
    assert_eq!(
        fs::read(alone.join("replicates.parquet")).unwrap(),
        fs::read(both.join("replicates.parquet")).unwrap()
    );
}

#[test]
fn incidents_rows_are_the_same_in_both_formats() {
    // A closure on day 120 sets off incidents within 250 days even at 1,000 residents.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("closure");
    succeeds(
        linkage()
            .args(["run", "--scenario", "xcity-factory-closure"])
            .args(["--residents", "1000", "--ticks", "250", "--format", "both"])
            .arg("--quiet")
            .arg("--out")
            .arg(&dir),
    );
    let rows = fs::read_to_string(dir.join("incidents.csv"))
        .unwrap()
        .lines()
        .count();
    assert!(rows > 1, "no incident to compare");
    same_tables(&dir);
}

/// A sweep of 2 regimes × 3 link strengths × 4 replicates: 24 runs of 1,500 residents
/// over 150 days (about a second and a half on one thread).
const SMALL: &str = r#"
name = "small"
seed = 5
scenarios = ["xcity-flood"]
regimes = ["fragmented", "linkage"]
replicates = 4
ticks = 150
residents = 1500
metrics = ["solution_rate", "trust_end", "incidents", "service_rate_loss_area", "service_rate_recovery_days"]

[design]
kind = "grid"

[[factors]]
path = "population.link_strength"
values = [0.2, 0.6, 1.0]
"#;

/// The four tables of a finished sweep folder.
const SWEEP_TABLES: [&str; 4] = ["runs", "summary", "series", "series-summary"];

/// `linkage sweep EXP --out OUT --quiet EXTRA...`, which must succeed; its stderr.
fn sweep(exp: &Path, out: &Path, extra: &[&str]) -> String {
    let o = succeeds(
        linkage()
            .arg("sweep")
            .arg(exp)
            .arg("--out")
            .arg(out)
            .arg("--quiet")
            .args(extra),
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Each of `files` (names in the folders) is the same bytes in `a` and `b`.
fn same_bytes(a: &Path, b: &Path, files: &[String]) {
    for f in files {
        let x = fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The names of the sweep tables in `ext` (csv or parquet).
fn sweep_files(ext: &str) -> Vec<String> {
    SWEEP_TABLES.iter().map(|t| format!("{t}.{ext}")).collect()
}

fn experiment(dir: &Path) -> std::path::PathBuf {
    let exp = dir.join("small.toml");
    fs::write(&exp, SMALL).unwrap();
    exp
}

/// A sweep with both formats: each Parquet table is its CSV file's, typed, with
/// experiment.toml's text in the metadata; the CSV files are those of a CSV sweep; a
/// sweep in Parquet alone (on another thread count) writes the same Parquet bytes and no
/// CSV; run again it runs nothing and changes nothing; its report is the both-format
/// folder's, byte for byte.
#[test]
fn a_sweep_in_parquet_holds_the_tables_of_its_csv_files() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let (both, alone, csv) = (
        tmp.path().join("both"),
        tmp.path().join("alone"),
        tmp.path().join("csv"),
    );
    sweep(&exp, &both, &["--format", "both", "--threads", "2"]);
    sweep(&exp, &csv, &[]);
    let said = sweep(
        &exp,
        &alone,
        &["--format", "parquet", "--threads", "1", "--report"],
    );
    same_bytes(&both, &csv, &sweep_files("csv"));
    same_bytes(&both, &alone, &sweep_files("parquet"));
    let params = fs::read_to_string(both.join("experiment.toml")).unwrap();
    let mut types = Vec::new();
    for t in SWEEP_TABLES {
        let pq = both.join(format!("{t}.parquet"));
        types.push(same_table(
            &pq,
            &both.join(format!("{t}.csv")),
            &params,
            true,
        ));
    }
    let h = |t: usize| -> Vec<String> {
        let text = fs::read_to_string(both.join(format!("{}.csv", SWEEP_TABLES[t]))).unwrap();
        text.lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    };
    let ty = |t: usize, name: &str| types[t][h(t).iter().position(|c| c == name).unwrap()].clone();
    for (t, name, want) in [
        (0, "run", "Int64"),
        (0, "seed", "Int64"),
        (0, "regime", "Utf8"),
        (0, "population.link_strength", "Float64"),
        (0, "incidents", "Int64"),
        (0, "trust_end", "Float64"),
        (0, "service_rate_recovery_days", "Int64"),
        (1, "n", "Int64"),
        (1, "trust_end_mean", "Float64"),
        (2, "tick", "Int64"),
        (2, "trust", "Float64"),
        (3, "trust_n", "Int64"),
        (3, "trust_ci95_low", "Float64"),
    ] {
        assert_eq!(ty(t, name), want, "{} {name}", SWEEP_TABLES[t]);
    }
    let mut want = sweep_files("parquet");
    want.extend(
        [
            "experiment.toml",
            "plots",
            "report.html",
            "scenario-0.toml",
            "sweep.lock",
        ]
        .map(String::from),
    );
    want.sort();
    assert_eq!(listing(&alone), want, "no CSV file left");
    assert!(!said.contains("runs.csv"), "{said}");
    // Run again: nothing runs, nothing changes, and no CSV file is left behind.
    let before: Vec<Vec<u8>> = sweep_files("parquet")
        .iter()
        .map(|f| fs::read(alone.join(f)).unwrap())
        .collect();
    let again = Command::new(assert_cmd::cargo::cargo_bin("linkage"))
        .arg("sweep")
        .arg(&exp)
        .arg("--out")
        .arg(&alone)
        .args(["--format", "parquet"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{err}");
    assert!(
        err.contains("24 runs (24 already done, 0 run now)"),
        "{err}"
    );
    for (f, bytes) in sweep_files("parquet").iter().zip(&before) {
        assert!(fs::read(alone.join(f)).unwrap() == *bytes, "{f} changed");
    }
    // The headline table reads summary.parquet.
    assert!(String::from_utf8_lossy(&again.stdout).contains("solution_rate"));
    assert_eq!(listing(&alone), want);
    // The report of the Parquet folder is the report of the CSV files.
    succeeds(linkage().arg("report").arg(&both));
    same_bytes(&both, &alone, &["report.html".to_string()]);
    // Finished again as CSV, the folder gets back the CSV sweep's very bytes.
    sweep(&exp, &alone, &["--format", "csv"]);
    same_bytes(&csv, &alone, &sweep_files("csv"));
    assert!(!alone.join("runs.parquet").exists());
}

/// A Parquet sweep killed twice (kill -9) and resumed writes the bytes of one that ran
/// through; while it runs, its rows are in runs.csv, and no Parquet file is written.
#[test]
fn a_killed_parquet_sweep_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let whole = tmp.path().join("whole");
    sweep(&exp, &whole, &["--format", "parquet"]);
    let dir = tmp.path().join("killed");
    let bin = assert_cmd::cargo::cargo_bin("linkage");
    for attempt in 0..2 {
        let child = Command::new(&bin)
            .arg("sweep")
            .arg(&exp)
            .arg("--out")
            .arg(&dir)
            .args(["--quiet", "--threads", "1", "--format", "parquet"])
            .spawn()
            .unwrap();
        kill_at_rows(child, &dir, 4 + 6 * attempt);
    }
    let partial = fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert!(partial.lines().count() < 25, "interrupted before the end");
    assert!(
        !dir.join("runs.parquet").exists(),
        "Parquet only when finished"
    );
    sweep(&exp, &dir, &["--format", "parquet"]);
    same_bytes(&whole, &dir, &sweep_files("parquet"));
    assert!(!dir.join("runs.csv").exists() && !dir.join("series.csv").exists());
}

/// Shards in Parquet alone, in both formats and in CSV merge into the unsharded sweep's
/// bytes in whatever format the merge writes.
#[test]
fn shards_of_either_format_merge_into_the_unsharded_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let whole = tmp.path().join("whole");
    sweep(&exp, &whole, &["--format", "both"]);
    let shards: Vec<std::path::PathBuf> = ["parquet", "both", "csv"]
        .iter()
        .enumerate()
        .map(|(k, format)| {
            let dir = tmp.path().join(format!("s{}", k + 1));
            let shard = format!("{}/3", k + 1);
            sweep(&exp, &dir, &["--shard", &shard, "--format", format]);
            dir
        })
        .collect();
    assert!(!shards[0].join("runs.csv").exists());
    for (format, files) in [
        ("parquet", sweep_files("parquet")),
        (
            "both",
            [sweep_files("csv"), sweep_files("parquet")].concat(),
        ),
        ("csv", sweep_files("csv")),
    ] {
        let merged = tmp.path().join(format!("m-{format}"));
        let o = succeeds(
            linkage()
                .arg("merge")
                .args(&shards)
                .arg("--out")
                .arg(&merged)
                .args(["--format", format]),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("24 of 24 runs"), "{err}");
        same_bytes(&whole, &merged, &files);
        let other = if format == "csv" {
            "runs.parquet"
        } else {
            "runs.csv"
        };
        assert_eq!(merged.join(other).exists(), format == "both", "{format}");
    }
    // The merged Parquet folder resumes as the whole sweep: nothing left to run.
    let merged = tmp.path().join("m-parquet");
    let said = sweep(&exp, &merged, &["--format", "parquet"]);
    assert!(said.is_empty(), "quiet: {said}");
    same_bytes(&whole, &merged, &sweep_files("parquet"));
}

/// A merged Parquet folder missing a shard's runs, resumed by the unsharded command and
/// killed before it finishes, keeps no table of the earlier finish (they would disagree
/// with its journal); resumed again, it ends as the whole sweep.
#[test]
fn a_finished_folder_that_gains_runs_drops_its_old_tables_first() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let whole = tmp.path().join("whole");
    sweep(&exp, &whole, &["--format", "parquet"]);
    let shard = tmp.path().join("s1");
    sweep(&exp, &shard, &["--shard", "1/3", "--format", "parquet"]);
    let merged = tmp.path().join("merged");
    succeeds(
        linkage()
            .arg("merge")
            .arg(&shard)
            .arg("--out")
            .arg(&merged)
            .args(["--format", "parquet"]),
    );
    assert!(merged.join("summary.parquet").exists());
    let child = Command::new(assert_cmd::cargo::cargo_bin("linkage"))
        .arg("sweep")
        .arg(&exp)
        .arg("--out")
        .arg(&merged)
        .args(["--quiet", "--threads", "1", "--format", "parquet"])
        .spawn()
        .unwrap();
    // The shard's 8 runs and the header, then one more.
    kill_at_rows(child, &merged, 10);
    let rows = fs::read_to_string(merged.join("runs.csv")).unwrap();
    assert!(rows.lines().count() < 25, "killed before the end");
    for f in [
        "runs.parquet",
        "summary.parquet",
        "series.parquet",
        "series-summary.parquet",
        "summary.csv",
        "series-summary.csv",
    ] {
        assert!(
            !merged.join(f).exists(),
            "{f} of the earlier finish is left"
        );
    }
    sweep(&exp, &merged, &["--format", "parquet"]);
    same_bytes(&whole, &merged, &sweep_files("parquet"));
}

/// `linkage analyze` on a sobol sweep finished as Parquet alone finds the indices it
/// finds in the CSV files.
#[test]
fn analyze_reads_a_sweep_finished_as_parquet() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("sobol.toml");
    let text = SMALL
        .replace("kind = \"grid\"", "kind = \"sobol\"\nsamples = 4")
        .replace("values = [0.2, 0.6, 1.0]", "range = [0.1, 0.9]")
        .replace(
            "regimes = [\"fragmented\", \"linkage\"]",
            "regimes = [\"linkage\"]",
        )
        .replace("replicates = 4", "replicates = 1")
        .replace("ticks = 150", "ticks = 40")
        + "\n[[factors]]\npath = \"mechanism.social\"\nrange = [0.0, 1.0]\n";
    fs::write(&exp, text).unwrap();
    let (csv, pq) = (tmp.path().join("csv"), tmp.path().join("pq"));
    sweep(&exp, &csv, &[]);
    sweep(&exp, &pq, &["--format", "parquet"]);
    for dir in [&csv, &pq] {
        succeeds(linkage().args(["analyze", "--resamples", "20"]).arg(dir));
    }
    same_bytes(&csv, &pq, &["indices.csv".to_string()]);
}

/// A damaged Parquet file is one line naming it, never a panic: in a shard to merge,
/// and in a folder to report on.
#[test]
fn a_damaged_parquet_file_is_one_line_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = experiment(tmp.path());
    let shard = tmp.path().join("s1");
    sweep(&exp, &shard, &["--shard", "1/3", "--format", "parquet"]);
    fs::write(shard.join("runs.parquet"), "run,cell\n0,0\n").unwrap();
    let o = linkage()
        .arg("merge")
        .arg(&shard)
        .arg("--out")
        .arg(tmp.path().join("m"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        !err.contains("panicked") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    assert!(
        err.contains("runs.parquet") && err.contains("not a Parquet file"),
        "{err}"
    );
    fs::write(shard.join("summary.parquet"), "").unwrap();
    let o = linkage().arg("report").arg(&shard).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        !err.contains("panicked") && err.trim_end().lines().count() == 1,
        "{err}"
    );
    assert!(err.contains("summary.parquet"), "{err}");
}
