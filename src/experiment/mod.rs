//! Experiments: many runs of scenarios × regimes × factor settings × replicates.
//!
//! - [`spec`]: the experiment file (TOML) and its checks;
//! - [`plan`]: the list of runs, each with its scenario, regime and seed, derived from
//!   (experiment seed, cell, replicate) so that a run's result never depends on run order;
//! - [`sweep`]: running them in parallel, streaming one row per run to `runs.csv`,
//!   resuming after a kill, shards and merging (one file per job: folder and lock,
//!   running and resume, finish and merge, aggregates);
//! - [`stats`]: per-cell summaries (mean, standard deviation, 95% confidence interval);
//! - [`attribution`]: Shapley values of the difference between two regimes over the
//!   2^k hybrids of their mechanisms (`linkage attribute`);
//! - [`calibrate`]: fitting scenario parameters to empirical targets by ABC-SMC
//!   (`linkage calibrate`);
//! - [`analyze`]: a finished `morris` or `sobol` sweep read back into indices
//!   (`linkage analyze`; `indices.csv`);
//! - [`sensitivity`]: Morris's screening and Sobol's variance-based indices (designs on
//!   the unit hypercube and their estimators, checked against functions with known
//!   indices);
//! - [`influence`]: the one-at-a-time influence (±20%) of every parameter on a few
//!   headline metrics, for `docs/parameters.md` (`linkage params --influence`);
//! - [`single`]: one run of a scenario's regimes side by side, checked from a request
//!   (`linkage run`, and Python's `linkage.run`), stoppable after any day;
//! - `mpi` (cargo feature `mpi`): the same sweep with runs spread over MPI ranks.
//!
//! Layering: this module uses `output` (metrics), `engine`, `scenario` and `base`, and
//! never `report` or `cli`; command-line types (clap) stay in `cli`, which converts them
//! (e.g. `--scale` into [`plan::Scale`]). Errors are typed: [`plan::PlanError`] and
//! [`sweep::SweepError`], each a one-line message.

pub mod analyze;
pub mod attribution;
pub mod calibrate;
pub mod influence;
#[cfg(feature = "mpi")]
pub mod mpi;
pub mod plan;
pub mod sensitivity;
pub mod single;
pub mod spec;
pub mod stats;
pub mod sweep;
