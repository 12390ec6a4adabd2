//! `linkage`: an agent-based simulator of municipal social governance (市域社会治理) that
//! compares fragmented, integrated and linkage regimes under shocks.
//!
//! - [`model`]: what is simulated (territory, residents, government, organisations,
//!   issues, mechanisms, collective action, shocks).
//! - [`engine`]: how time advances (tick phases, parallel update, random streams).
//! - [`scenario`]: scenario values, built-ins, loading and validation.
//! - [`output`]: metrics, resilience, CSV files and tables.
//! - [`report`]: charts, sentences and the HTML page of a run or a sweep.
//! - [`cli`]: the `linkage` command line.

pub mod base;
pub mod cli;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod validation;
