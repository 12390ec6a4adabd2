//! The experiment file. Example:
//!
//! ```toml
//! name = "link-strength"
//! description = "Social linkage against link strength"
//! seed = 7
//! scenarios = ["xcity-flood"]          # built-in names or paths (relative to this file)
//! regimes = ["linkage"]                # default: every regime of the scenario
//! replicates = 10
//! ticks = 200                          # optional override of the scenario's
//! residents = 20000                    # optional override
//! metrics = ["solution_rate", "trust_end"]   # default: every summary metric
//!
//! [design]
//! kind = "grid"                        # grid | lhs (samples = N) | oat | morris
//!                                      # (trajectories = R, levels = 4) | sobol
//!                                      # (samples = N, second_order = false)
//!
//! [[factors]]
//! path = "population.link_strength"    # any numeric scenario field; mechanism.X is the
//! values = [0.1, 0.3, 0.5, 0.7, 0.9]   # run's own regime; lhs takes range = [lo, hi]
//! ```

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub seed: u64,
    pub scenarios: Vec<String>,
    #[serde(default)]
    pub regimes: Vec<String>,
    pub replicates: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticks: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residents: Option<u64>,
    #[serde(default)]
    pub metrics: Vec<String>,
    #[serde(default)]
    pub design: Design,
    #[serde(default)]
    pub factors: Vec<Factor>,
    /// Whether each run of a scenario with a shock also runs its no-shock twin, against
    /// which resilience is measured (`engine::run::run_paired`); about 1.7× the time of
    /// a run whose shock starts a third of the way in. Default true.
    #[serde(default = "twin_default")]
    pub twin: bool,
    /// Whether every cell of a replicate runs with the same seed, so that differences
    /// between cells are their settings', not the draws' (common random numbers).
    /// Default: true for `morris` and `sobol` designs, false otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_random_numbers: Option<bool>,
}

fn twin_default() -> bool {
    true
}

/// How factor settings are chosen. Every kind is a struct variant, even without fields,
/// so that a field of another kind (`samples` under `kind = "grid"`) is refused rather
/// than ignored: serde checks unknown fields only on struct variants.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Design {
    /// Every combination of every factor's `values` (full factorial).
    Grid {},
    /// `samples` points of a Latin hypercube over every factor's `range`.
    Lhs { samples: u32 },
    /// One at a time: the base point (the scenario as it is), then each factor set to
    /// each of its `values` with the others at base.
    Oat {},
    /// Morris's elementary effects: `trajectories` trajectories of (factors + 1) points
    /// on a grid of `levels` levels (even; default 4) over every factor's `range`
    /// (`experiment::sensitivity::morris`). Replicates share their seed across points
    /// (common random numbers).
    Morris {
        trajectories: u32,
        #[serde(default = "levels_default")]
        levels: u32,
    },
    /// Saltelli's sampling on a Sobol sequence: `samples` base samples, N (k + 2) points,
    /// or N (2k + 2) with `second_order` (`experiment::sensitivity::saltelli`), over every
    /// factor's `range`. Replicates share their seed across points (common random
    /// numbers).
    Sobol {
        samples: u32,
        #[serde(default)]
        second_order: bool,
    },
}

fn levels_default() -> u32 {
    4
}

impl Design {
    /// The name in the file (`kind = "…"`).
    pub fn kind(&self) -> &'static str {
        match self {
            Design::Grid {} => "grid",
            Design::Lhs { .. } => "lhs",
            Design::Oat {} => "oat",
            Design::Morris { .. } => "morris",
            Design::Sobol { .. } => "sobol",
        }
    }

    /// Whether the factors take a `range` (the others take `values`).
    pub fn takes_ranges(&self) -> bool {
        matches!(
            self,
            Design::Lhs { .. } | Design::Morris { .. } | Design::Sobol { .. }
        )
    }

    /// Whether every design point of a replicate runs with the same seed (common random
    /// numbers), so that differences between points are the factors', not the draws'.
    pub fn common_random_numbers(&self) -> bool {
        matches!(self, Design::Morris { .. } | Design::Sobol { .. })
    }
}

impl Experiment {
    /// Whether the runs use common random numbers (`common_random_numbers`, or the
    /// design's default).
    pub fn crn(&self) -> bool {
        self.common_random_numbers
            .unwrap_or_else(|| self.design.common_random_numbers())
    }

    /// A scenario as this experiment runs it, before any factor: its `ticks` (the
    /// `--ticks` rule, `Scenario::with_ticks`) and `residents`, when given. The one place
    /// both the plan and the report's fallback for older sweep folders take it from.
    pub fn as_run(&self, mut s: crate::scenario::Scenario) -> crate::scenario::Scenario {
        if let Some(t) = self.ticks {
            s = s.with_ticks(t);
        }
        if let Some(n) = self.residents {
            s.run.residents = n;
        }
        s
    }
}

impl Default for Design {
    fn default() -> Design {
        Design::Grid {}
    }
}

/// A parameter to vary, by its path in the scenario (`population.link_strength`,
/// `shocks[0].intensity`) or `mechanism.<name>` for the run's regime.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub path: String,
    #[serde(default)]
    pub values: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
}
