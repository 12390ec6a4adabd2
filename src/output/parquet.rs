//! The Parquet files: the same tables as the CSV files, column for column, typed (counts
//! as 64-bit integers, measured values as 64-bit floats, names as strings; an undefined
//! value, empty in the CSV, is null), ZSTD-compressed. Each file carries the parameters
//! of what it came from (a run's params.toml, a sweep's experiment.toml) under the key
//! `linkage.params` and the version under `linkage.version`, and names its writer
//! `linkage <version>` whatever the parquet crate's version, so that the bytes depend on
//! the run or sweep alone (the same for any `--threads`).
//!
//! Written whole ([`write_table`], [`write_batch`]) or batch by batch ([`TableWriter`],
//! for a sweep's tables, which need not fit in memory); read back as CSV text
//! ([`CsvText`]), so that every reader of a folder (reports, `analyze`, a sweep's resume
//! and merge) reads either format through the csv crate.

use super::files::{OutputError, Table, ticks_header};
use super::metrics::{Cell, Kind, TICK_METRICS};
use crate::engine::run::RegimeRun;
use ::parquet::arrow::ArrowWriter;
use ::parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use ::parquet::arrow::arrow_writer::ArrowWriterOptions;
use ::parquet::basic::{Compression, ZstdLevel};
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::WriterProperties;
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use ndarray::Array3;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The writer every Parquet file of a run names (`created_by`).
pub fn created_by() -> String {
    format!("linkage {}", crate::base::version::VERSION)
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

/// The Arrow schema of a table of `header` with each column's `kinds`. Counts are
/// nullable (a run's `end`, a resilience's `recovery_days` may be missing), measured
/// values too (undefined: empty in the CSV); names never are.
fn schema(header: &[String], kinds: &[Kind]) -> SchemaRef {
    assert_eq!(header.len(), kinds.len(), "a type for every column");
    let fields: Vec<Field> = header
        .iter()
        .zip(kinds)
        .map(|(name, k)| match k {
            Kind::Text => Field::new(name, DataType::Utf8, false),
            Kind::Count => Field::new(name, DataType::Int64, true),
            Kind::Value => Field::new(name, DataType::Float64, true),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// `header`'s columns as one Arrow record batch: the typed table a Parquet file stores
/// and the Python package hands over.
fn batch(header: &[String], columns: Vec<Column>) -> RecordBatch {
    let kinds: Vec<Kind> = columns.iter().map(Column::kind).collect();
    let arrays: Vec<ArrayRef> = columns.into_iter().map(Column::into_array).collect();
    RecordBatch::try_new(schema(header, &kinds), arrays)
        .expect("columns built to the schema, of equal length, names not null")
}

/// A Parquet writer of `schema` into `sink`, carrying `params`: ZSTD, the fixed
/// `created_by`, no embedded Arrow schema (the Parquet schema says it all, and the bytes
/// then do not depend on how the arrow crate encodes it).
fn writer<W: Write + Send>(
    sink: W,
    schema: SchemaRef,
    params: &str,
) -> Result<ArrowWriter<W>, ParquetError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by(created_by())
        .set_key_value_metadata(Some(vec![
            KeyValue::new(PARAMS_KEY.to_string(), params.to_string()),
            KeyValue::new(
                VERSION_KEY.to_string(),
                crate::base::version::VERSION.to_string(),
            ),
        ]))
        .build();
    let options = ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    ArrowWriter::try_new_with_options(sink, schema, options)
}

/// Write `batch` to `path` as a Parquet file with the run's `params`.
pub fn write_batch(path: &Path, batch: &RecordBatch, params: &str) -> Result<(), OutputError> {
    let fail = |e: String| OutputError::Parquet {
        path: path.display().to_string(),
        message: e,
    };
    let file = File::create(path).map_err(|e| fail(e.to_string()))?;
    let mut w = writer(file, batch.schema(), params).map_err(|e| fail(e.to_string()))?;
    w.write(batch).map_err(|e| fail(e.to_string()))?;
    w.close().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

/// A table written into a Parquet file a batch of rows at a time, for tables that need
/// not fit in memory (a sweep's). Where the batches are cut is part of what decides the
/// bytes, so a caller that wants the same bytes for the same rows cuts them at fixed row
/// counts.
pub struct TableWriter<W: Write + Send> {
    header: Vec<String>,
    kinds: Vec<Kind>,
    writer: ArrowWriter<W>,
}

impl<W: Write + Send> TableWriter<W> {
    /// Start a table of `header`, each column of its `kinds`, into `sink`.
    pub fn new(
        sink: W,
        header: Vec<String>,
        kinds: Vec<Kind>,
        params: &str,
    ) -> Result<TableWriter<W>, ParquetError> {
        let writer = writer(sink, schema(&header, &kinds), params)?;
        Ok(TableWriter {
            header,
            kinds,
            writer,
        })
    }

    /// Write `rows` (each cell of its column's kind) as one batch.
    pub fn write(&mut self, rows: &[Vec<Cell>]) -> Result<(), ParquetError> {
        let mut columns: Vec<Column> = self
            .kinds
            .iter()
            .map(|&k| Column::new(k, rows.len()))
            .collect();
        for row in rows {
            for (c, cell) in columns.iter_mut().zip(row) {
                c.push(cell);
            }
        }
        self.writer.write(&batch(&self.header, columns))
    }

    /// Write the footer and hand back the sink.
    pub fn finish(self) -> Result<W, ParquetError> {
        self.writer.into_inner()
    }
}

/// How a float column is spelled when a Parquet table is read back as CSV text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// The shortest spelling that reads back as the stored number
    /// ([`crate::base::num::given`]): the value exactly, for readers that parse it.
    Given,
    /// Six decimals, as [`crate::base::num::decimal`] spells: a value stored from a CSV
    /// cell so spelled reads back as that very cell (a stored -0 as `-0.000000`, the only
    /// cell it can have come from), so a sweep's journal comes back byte for byte.
    Decimal,
}

/// A cell of a float column as `spelling` spells it (empty when not finite: a foreign
/// file's NaN is as undefined as a null).
fn spell_float(v: f64, spelling: Spelling) -> String {
    match spelling {
        _ if !v.is_finite() => String::new(),
        Spelling::Given => crate::base::num::given(v),
        Spelling::Decimal => format!("{v:.6}"),
    }
}

/// A Parquet table read back as CSV text: the header line, then one line a row, each
/// ending in `\n` and quoted as the csv crate quotes; integers as integers, floats as the
/// column's [`Spelling`] says, null as an empty cell. Reads batch by batch, so memory
/// does not grow with the table. Only the columns linkage writes are read: 64-bit
/// integers, 64-bit floats and strings.
pub struct CsvText {
    path: PathBuf,
    batches: ParquetRecordBatchReader,
    spellings: Vec<Spelling>,
    buf: Vec<u8>,
    pos: usize,
}

/// `cells` as one CSV line, as the CSV text spells its lines.
fn csv_line<I: AsRef<[u8]>>(cells: impl IntoIterator<Item = I>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(cells);
    w.into_inner().unwrap_or_default()
}

impl CsvText {
    /// Read `file` (the Parquet file at `path`), each float column spelled as `spelling`
    /// says for its index and name. Refuses a file that is not Parquet, or has a column
    /// of another type.
    pub fn open(
        file: File,
        path: &Path,
        spelling: impl Fn(usize, &str) -> Spelling,
    ) -> Result<CsvText, OutputError> {
        let fail = |message: String| OutputError::ParquetRead {
            path: path.display().to_string(),
            message,
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| fail(format!("not a Parquet file linkage can read ({e})")))?;
        let schema = builder.schema().clone();
        let mut spellings = Vec::with_capacity(schema.fields().len());
        for (i, f) in schema.fields().iter().enumerate() {
            spellings.push(match f.data_type() {
                DataType::Float64 => spelling(i, f.name()),
                DataType::Int64 | DataType::Utf8 => Spelling::Given,
                other => {
                    return Err(fail(format!(
                        "column {} is of type {other}; allowed: Int64, Float64 and Utf8, the types linkage writes",
                        f.name()
                    )));
                }
            });
        }
        let batches = builder
            .with_batch_size(8192)
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let buf = csv_line(schema.fields().iter().map(|f| f.name().as_bytes()));
        Ok(CsvText {
            path: path.to_path_buf(),
            batches,
            spellings,
            buf,
            pos: 0,
        })
    }

    /// Spell the next batch into the buffer; false at the end of the table.
    fn fill(&mut self) -> std::io::Result<bool> {
        let batch = match self.batches.next() {
            None => return Ok(false),
            Some(b) => b.map_err(|e| {
                std::io::Error::other(format!("reading {}: {e}", self.path.display()))
            })?,
        };
        let columns: Vec<&dyn Array> = batch.columns().iter().map(|c| c.as_ref()).collect();
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::with_capacity(batch.num_rows() * 64));
        let mut row: Vec<String> = Vec::with_capacity(columns.len());
        for r in 0..batch.num_rows() {
            row.clear();
            for (c, &spelling) in columns.iter().zip(&self.spellings) {
                row.push(if c.is_null(r) {
                    String::new()
                } else if let Some(a) = c.as_any().downcast_ref::<Int64Array>() {
                    a.value(r).to_string()
                } else if let Some(a) = c.as_any().downcast_ref::<Float64Array>() {
                    spell_float(a.value(r), spelling)
                } else if let Some(a) = c.as_any().downcast_ref::<StringArray>() {
                    a.value(r).to_string()
                } else {
                    String::new() // refused when opened
                });
            }
            w.write_record(&row)?;
        }
        self.buf = w.into_inner().map_err(|e| e.into_error())?;
        self.pos = 0;
        Ok(true)
    }
}

impl Read for CsvText {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            if !self.fill()? {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The Parquet twin of a folder's CSV table: `summary.csv` → `summary.parquet`.
pub fn twin(csv: &Path) -> PathBuf {
    csv.with_extension("parquet")
}

/// Where a folder's table is: the CSV file at `csv` if it exists, else its Parquet twin
/// if that does, else `None`.
pub fn locate(csv: &Path) -> Option<PathBuf> {
    let present = |p: &Path| p.exists() || std::fs::symlink_metadata(p).is_ok();
    if present(csv) {
        Some(csv.to_path_buf())
    } else {
        let t = twin(csv);
        present(&t).then_some(t)
    }
}

/// The table file at `path` (opened as `file`) as CSV text: a CSV file as it is, a
/// Parquet file (by its extension) read back with every float exact ([`Spelling::Given`]).
pub fn read_text(path: &Path, file: File) -> Result<Box<dyn Read>, OutputError> {
    if path.extension().is_some_and(|e| e == "parquet") {
        Ok(Box::new(CsvText::open(file, path, |_, _| Spelling::Given)?))
    } else {
        Ok(Box::new(file))
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::num::{decimal, given};

    /// Rows of CSV text written through [`TableWriter`] (cut into batches of 3) and read
    /// back through [`CsvText`].
    fn round_trip(
        header: &[&str],
        kinds: &[Kind],
        lines: &[Vec<String>],
        given_until: usize,
    ) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        let mut w =
            TableWriter::new(File::create(&path).unwrap(), header, kinds.to_vec(), "p").unwrap();
        let rows: Vec<Vec<Cell>> = lines
            .iter()
            .map(|l| {
                l.iter()
                    .zip(kinds)
                    .map(|(t, &k)| Cell::read(k, t).unwrap())
                    .collect()
            })
            .collect();
        for chunk in rows.chunks(3) {
            w.write(chunk).unwrap();
        }
        w.finish().unwrap();
        let mut text = String::new();
        let spell = |i: usize, _: &str| {
            if i < given_until {
                Spelling::Given
            } else {
                Spelling::Decimal
            }
        };
        CsvText::open(File::open(&path).unwrap(), &path, spell)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn csv_cells_come_back_from_parquet_byte_for_byte() {
        // Values as decimal spells them (tiny negatives, large sums, undefined), factor
        // settings as given spells them, counts, names that need quoting.
        let values = [
            0.5,
            -1e-9,
            -0.0,
            1.0 / 3.0,
            12_345_678_901.234_567,
            8.6e9 + 0.000_001,
            -2.5e-7,
            f64::NAN,
            1e17,
            0.000_000_5,
        ];
        let settings = [
            0.15,
            0.1 + 0.2,
            3.0,
            -0.0,
            0.387_452_575_535_576,
            1e21,
            5e-324,
        ];
        let mut lines = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let s = settings[i % settings.len()];
            let count = if i % 4 == 3 {
                String::new()
            } else {
                (i as u64 * 1_000_003).to_string()
            };
            let name = ["xcity-flood", "a,b", "say \"x\"", ""][i % 4].to_string();
            lines.push(vec![given(s), name, count, decimal(*v)]);
        }
        let kinds = [Kind::Value, Kind::Text, Kind::Count, Kind::Value];
        let mut want = String::from("setting,name,count,value\n");
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for l in &lines {
            w.write_record(l).unwrap();
        }
        want.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
        let got = round_trip(&["setting", "name", "count", "value"], &kinds, &lines, 1);
        assert_eq!(got, want);
    }

    #[test]
    fn an_empty_table_keeps_its_header() {
        let got = round_trip(&["run", "tick"], &[Kind::Count, Kind::Count], &[], 0);
        assert_eq!(got, "run,tick\n");
    }

    #[test]
    fn a_file_that_is_not_parquet_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.parquet");
        std::fs::write(&path, "run,cell\n0,0\n").unwrap();
        let e = CsvText::open(File::open(&path).unwrap(), &path, |_, _| Spelling::Given)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("runs.parquet") && e.contains("not a Parquet file"),
            "{e}"
        );
    }
}
