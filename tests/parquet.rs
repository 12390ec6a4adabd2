//! `linkage run --format`: the Parquet files hold the CSV files' tables column for column
//! (typed), carry the run's parameters, and do not depend on the thread count; bad use is
//! one line on stderr and exit code 2.

mod common;
use common::{linkage, succeeds};

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs;
use std::path::Path;

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

/// The value at `row` of `column` as the CSV would have it, checked against `cell`.
fn same(column: &dyn Array, row: usize, cell: &str, what: &str) {
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
            assert!(
                (v - a.value(row)).abs() <= 1e-6,
                "{what}: {cell} vs {}",
                a.value(row)
            );
        }
    } else if let Some(a) = column.as_any().downcast_ref::<StringArray>() {
        assert_eq!(a.value(row), cell, "{what}");
    } else {
        panic!("{what}: unexpected type {:?}", column.data_type());
    }
}

/// Every Parquet file of `dir` holds its CSV file's columns, in order, with equal values
/// (numerically), and carries the run's parameters and the fixed writer name.
fn same_tables(dir: &Path) {
    let params = fs::read_to_string(dir.join("params.toml")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    for t in TABLES {
        let path = dir.join(format!("{t}.parquet"));
        let (batches, created_by, kv) = read(&path);
        assert_eq!(
            created_by.as_deref(),
            Some(format!("linkage {version}").as_str())
        );
        let get = |k: &str| {
            kv.iter()
                .find(|(key, _)| key == k)
                .and_then(|(_, v)| v.clone())
        };
        assert_eq!(
            get("linkage.params").as_deref(),
            Some(params.as_str()),
            "{t}"
        );
        assert_eq!(get("linkage.version").as_deref(), Some(version), "{t}");

        let mut csv = csv::Reader::from_path(dir.join(format!("{t}.csv"))).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
        let names: Vec<String> = match batches.first() {
            Some(b) => b
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
            None => {
                let file = fs::File::open(&path).unwrap();
                let b = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
                b.schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect()
            }
        };
        assert_eq!(names, header, "{t}: the CSV's columns in order");
        let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(total, rows.len(), "{t}: rows");
        let mut r = 0;
        for b in &batches {
            for i in 0..b.num_rows() {
                for (c, name) in header.iter().enumerate() {
                    same(
                        b.column(c).as_ref(),
                        i,
                        &rows[r][c],
                        &format!("{t} row {r} {name}"),
                    );
                }
                r += 1;
            }
        }
    }
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
    let mut files: Vec<String> = fs::read_dir(&alone)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
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
    let a = linkage()
        .args(args)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for e in expect {
        assert!(err.contains(e), "{e:?} in {err}");
    }
    assert!(!out.exists());
}

#[test]
fn a_bad_format_and_a_report_without_csv_are_refused() {
    refused(
        &["run", "--format", "xlsx"],
        &[
            "invalid value 'xlsx' for '--format <FORMAT>'",
            "csv, parquet, both",
        ],
    );
    refused(
        &["run", "--format", "parquet", "--report"],
        &["--report reads the run's CSV files", "--format both"],
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
