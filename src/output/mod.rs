//! Outputs: metric definitions (one function per metric, used by CSV, tables and tests
//! alike), resilience figures, the files of a run and the printed comparison table.
//! Data only: reports (charts, sentences, pages) live in the `report` module above.

pub mod files;
pub mod metrics;
pub mod parquet;
pub mod resilience;
pub mod table;
