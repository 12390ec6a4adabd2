//! The run folder's Parquet files (`linkage run --format parquet|both`): the same tables
//! as its CSV files, column for column, typed (counts as 64-bit integers, measured values
//! as 64-bit floats, names as strings; an undefined value, empty in the CSV, is null),
//! ZSTD-compressed, one row group. Each file carries the run's parameters (the text of
//! params.toml) under the key `linkage.params` and the version under `linkage.version`,
//! and names its writer `linkage <version>` whatever the parquet crate's version, so
//! that a run's bytes depend on the run alone (the same for any `--threads`).

use super::files::{OutputError, Table, ticks_header};
use super::metrics::{Cell, Kind, TICK_METRICS};
use crate::engine::run::RegimeRun;
use ::parquet::arrow::ArrowWriter;
use ::parquet::arrow::arrow_writer::ArrowWriterOptions;
use ::parquet::basic::{Compression, ZstdLevel};
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use ndarray::Array3;
use std::path::Path;
use std::sync::Arc;

/// The writer every Parquet file of a run names (`created_by`).
pub fn created_by() -> String {
    format!("linkage {}", env!("CARGO_PKG_VERSION"))
}

/// The key of the run's parameters (params.toml's text) in a file's metadata.
pub const PARAMS_KEY: &str = "linkage.params";
/// The key of linkage's version in a file's metadata.
pub const VERSION_KEY: &str = "linkage.version";

/// One column being filled.
enum Column {
    Text(Vec<String>),
    Count(Vec<Option<i64>>),
    Value(Vec<Option<f64>>),
}

impl Column {
    fn new(kind: Kind, rows: usize) -> Column {
        match kind {
            Kind::Text => Column::Text(Vec::with_capacity(rows)),
            Kind::Count => Column::Count(Vec::with_capacity(rows)),
            Kind::Value => Column::Value(Vec::with_capacity(rows)),
        }
    }

    fn push(&mut self, cell: &Cell) {
        match (self, cell) {
            (Column::Text(c), Cell::Text(s)) => c.push(s.clone()),
            (Column::Count(c), Cell::Count(v)) => c.push(v.and_then(|v| i64::try_from(v).ok())),
            (Column::Value(c), Cell::Value(v)) => c.push(v.is_finite().then_some(*v)),
            (c, cell) => panic!("a {:?} cell in a {:?} column", cell.kind(), c.kind()),
        }
    }

    fn kind(&self) -> Kind {
        match self {
            Column::Text(_) => Kind::Text,
            Column::Count(_) => Kind::Count,
            Column::Value(_) => Kind::Value,
        }
    }

    fn into_array(self) -> ArrayRef {
        match self {
            Column::Text(c) => Arc::new(StringArray::from(c)),
            Column::Count(c) => Arc::new(Int64Array::from(c)),
            Column::Value(c) => Arc::new(Float64Array::from(c)),
        }
    }
}

/// `header`'s columns as one Arrow record batch: the typed table a Parquet file stores
/// and the Python package hands over.
fn batch(header: &[String], columns: Vec<Column>) -> RecordBatch {
    assert_eq!(header.len(), columns.len(), "a type for every column");
    // Counts are nullable (a run's `end`, a resilience's `recovery_days` may be missing),
    // measured values too (undefined: empty in the CSV); names never are.
    let fields: Vec<Field> = header
        .iter()
        .zip(&columns)
        .map(|(name, c)| match c {
            Column::Text(_) => Field::new(name, DataType::Utf8, false),
            Column::Count(_) => Field::new(name, DataType::Int64, true),
            Column::Value(_) => Field::new(name, DataType::Float64, true),
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays: Vec<ArrayRef> = columns.into_iter().map(Column::into_array).collect();
    RecordBatch::try_new(schema, arrays)
        .expect("columns built to the schema, of equal length, names not null")
}

/// Write `batch` to `path` as a Parquet file with the run's `params`.
pub fn write_batch(path: &Path, batch: &RecordBatch, params: &str) -> Result<(), OutputError> {
    let fail = |e: String| OutputError::Parquet {
        path: path.display().to_string(),
        message: e,
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by(created_by())
        .set_key_value_metadata(Some(vec![
            KeyValue::new(PARAMS_KEY.to_string(), params.to_string()),
            KeyValue::new(
                VERSION_KEY.to_string(),
                env!("CARGO_PKG_VERSION").to_string(),
            ),
        ]))
        .build();
    // No embedded Arrow schema: the Parquet schema says it all, and the bytes then do not
    // depend on how the arrow crate encodes it.
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    let file = std::fs::File::create(path).map_err(|e| fail(e.to_string()))?;
    let mut w = ArrowWriter::try_new_with_options(file, batch.schema(), options)
        .map_err(|e| fail(e.to_string()))?;
    w.write(batch).map_err(|e| fail(e.to_string()))?;
    w.close().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// `table` as an Arrow record batch.
pub fn table_batch(table: &Table) -> RecordBatch {
    let mut columns: Vec<Column> = table
        .kinds
        .iter()
        .map(|&k| Column::new(k, table.rows.len()))
        .collect();
    for row in &table.rows {
        for (c, cell) in columns.iter_mut().zip(row) {
            c.push(cell);
        }
    }
    batch(&table.header, columns)
}

/// `table` as a Parquet file.
pub fn write_table(path: &Path, table: &Table, params: &str) -> Result<(), OutputError> {
    write_batch(path, &table_batch(table), params)
}

/// `ticks.parquet`: the rows of `ticks.csv` ([`super::files::write_ticks`]).
pub fn write_ticks(
    path: &Path,
    units: &[String],
    runs: &[(&RegimeRun, &Array3<f64>)],
    params: &str,
) -> Result<(), OutputError> {
    write_batch(path, &ticks_batch(units, runs), params)
}

/// The rows of `ticks.csv` as an Arrow record batch, the tick and the count metrics
/// ([`super::metrics::TickMetric::count`]) as integers.
pub fn ticks_batch(units: &[String], runs: &[(&RegimeRun, &Array3<f64>)]) -> RecordBatch {
    let rows: usize = runs.iter().map(|(_, t)| t.dim().0 * t.dim().1).sum();
    let mut kinds = vec![Kind::Count, Kind::Text, Kind::Text];
    kinds.extend(
        TICK_METRICS
            .iter()
            .map(|m| if m.count { Kind::Count } else { Kind::Value }),
    );
    let mut columns: Vec<Column> = kinds.iter().map(|&k| Column::new(k, rows)).collect();
    for (run, table) in runs {
        for t in 0..table.dim().0 {
            for (u, values) in table
                .index_axis(ndarray::Axis(0), t)
                .outer_iter()
                .enumerate()
            {
                columns[0].push(&Cell::Count(Some(t as u64)));
                columns[1].push(&Cell::Text(run.regime.clone()));
                columns[2].push(&Cell::Text(units[u].clone()));
                for (c, &v) in columns[3..].iter_mut().zip(values.iter()) {
                    match c {
                        // A count is whole and defined; were it not, null rather than
                        // a rounded number.
                        Column::Count(c) => c.push(
                            (v.is_finite() && v == v.trunc() && v.abs() < 9e15).then_some(v as i64),
                        ),
                        Column::Value(c) => c.push(v.is_finite().then_some(v)),
                        Column::Text(_) => unreachable!("tick metrics are numbers"),
                    }
                }
            }
        }
    }
    batch(&ticks_header(), columns)
}
