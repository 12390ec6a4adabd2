//! Experiments: many runs of scenarios × regimes × factor settings × replicates.
//!
//! - [`spec`]: the experiment file (TOML) and its checks;
//! - [`plan`]: the list of runs, each with its scenario, regime and seed, derived from
//!   (experiment seed, cell, replicate) so that a run's result never depends on run order;
//! - [`sweep`]: running them in parallel, streaming one row per run to `runs.csv`,
//!   resuming after a kill, shards and merging;
//! - [`stats`]: per-cell summaries (mean, standard deviation, 95% confidence interval).

#[cfg(feature = "mpi")]
pub mod mpi;
pub mod plan;
pub mod spec;
pub mod stats;
pub mod sweep;
