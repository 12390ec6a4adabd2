//! Outputs: metric definitions (one function per metric, used by CSV, tables and tests
//! alike), resilience figures, the files of a run and the printed comparison table.

pub mod files;
pub mod fonts;
pub mod metrics;
pub mod report;
pub mod resilience;
pub mod table;
