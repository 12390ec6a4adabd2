//! `linkage`: an agent-based simulator of municipal social governance (市域社会治理) that
//! compares fragmented, integrated and linkage regimes under shocks.
//!
//! Layers, top to bottom; each uses only those below it (`tests/layers.rs`):
//! - [`cli`]: the `linkage` command line.
//! - [`validation`]: reference models (Epstein, SIR, thresholds) and their checks.
//! - [`report`]: charts, sentences and the HTML page of a run or a sweep.
//! - [`experiment`]: sweeps, designs, replicates, resume, shards, statistics.
//! - [`output`]: metrics, resilience, CSV files and tables.
//! - [`engine`]: how time advances (tick phases, parallel gather, buffers).
//! - [`scenario`]: scenario values, built-ins, loading and validation.
//! - [`model`]: what is simulated, data and rules (territory, residents, government,
//!   organisations, issues, mechanisms, collective action, shocks).
//! - [`base`]: random streams, number spelling, hash, atomic files, input, pool, font.

pub mod base;
pub mod cli;
pub mod engine;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod validation;
