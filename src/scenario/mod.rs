//! Scenarios: everything a run needs to know about a city, its people, its government,
//! its regimes and its shocks, as one serde value. Built-in scenarios live in
//! [`builtin`]; any scenario can be written to TOML (`params.toml` of a run) and read
//! back, so a run can be repeated exactly.

pub mod builtin;
pub mod file;
pub mod sources;
mod validate;

use crate::model::assessment::AssessmentSpec;
use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::CollectiveSpec;
use crate::model::costs::CostSpec;
use crate::model::government::GovernmentSpec;
use crate::model::issues::IssueSpec;
use crate::model::mechanisms::Mechanisms;
use crate::model::organisations::OrganisationSpec;
use crate::model::residents::{LinkSpec, PopulationSpec};
use crate::model::shocks::Shock;
use crate::model::silos::SiloSpec;
use crate::model::territory::TerritorySpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Run settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// Ticks (days) to simulate.
    pub ticks: u32,
    pub seed: u64,
    /// Residents; unit counts and staff scale with it.
    pub residents: u64,
    /// Ticks before the first shock that do not count towards baselines.
    pub burn_in: u32,
    /// Days stepped before day 0 and not reported (no shocks, draws of their own), so
    /// that a run starts from the model's stationary state, not from the drawn initial
    /// one (older files: 365).
    #[serde(default = "default_warmup")]
    pub warmup: u32,
    /// Rolling window, in ticks, of the per-tick service and resolution-time metrics.
    pub window: u32,
}

/// The warm-up of a file that names none: a year, which settles trust, link strength and
/// the sense of gain (their slowest relaxations take 100–200 days).
fn default_warmup() -> u32 {
    365
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub run: RunSpec,
    pub territory: TerritorySpec,
    pub population: PopulationSpec,
    pub government: GovernmentSpec,
    pub organisations: OrganisationSpec,
    pub issues: IssueSpec,
    pub behaviour: BehaviourSpec,
    /// Link strength as a state, and shared goals (`002`'s two elements); every field
    /// defaulted, so older files load.
    #[serde(default)]
    pub links: LinkSpec,
    pub collective: CollectiveSpec,
    /// Assessment, supervision, callbacks and the residents' verdict (older files: the
    /// defaults).
    #[serde(default)]
    pub assessment: AssessmentSpec,
    /// Silos, buck-passing, the county boundary and residents' trips (older files: the
    /// defaults).
    #[serde(default)]
    pub silos: SiloSpec,
    /// Costs of spatial linkage, the platform and the leading group (older files: the
    /// defaults).
    #[serde(default)]
    pub costs: CostSpec,
    /// Named regimes: the presets plus any a user defines.
    pub regimes: BTreeMap<String, Mechanisms>,
    #[serde(default)]
    pub shocks: Vec<Shock>,
}

/// One thing wrong with a scenario: where (file, line and column when known), which
/// field, and what is wrong with it including what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub location: Option<String>,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = &self.location {
            write!(f, "{l}: ")?;
        }
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Everything wrong with a scenario, all reported at once: one problem a line.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", one_a_line(.problems))]
pub struct ScenarioError {
    pub problems: Vec<Problem>,
}

fn one_a_line(problems: &[Problem]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    lines.join("\n")
}

impl ScenarioError {
    pub fn one(location: Option<String>, field: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            problems: vec![Problem {
                location,
                field: field.to_string(),
                message: message.into(),
            }],
        }
    }
}

/// A regime name the scenario does not define.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("unknown regime '{name}'; allowed: {}", allowed.join(", "))]
pub struct UnknownRegime {
    pub name: String,
    pub allowed: Vec<String>,
}

impl Scenario {
    /// A built-in scenario by name, or a TOML file by path (see [`file`]).
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        file::load(name_or_path)
    }

    /// The scenario as TOML, exactly as it will be read back.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("scenario serialises")
    }

    /// Every range and reference check, as (field path, problem) pairs; empty when valid.
    /// Paths are dotted, with `[i]` for list items (`shocks[0].intensity`).
    pub fn problems(&self) -> Vec<(String, String)> {
        validate::check(self)
    }

    /// All problems as one error (without file locations), or `Ok`.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let problems: Vec<Problem> = self
            .problems()
            .into_iter()
            .map(|(field, message)| Problem {
                location: None,
                field,
                message,
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError { problems })
        }
    }

    /// The scenario run for `ticks` days instead: shocks that end after the last day are
    /// dropped, and a burn-in that no longer fits is shortened to `ticks - 1`. The one
    /// `--ticks` rule, used by `run`, `sweep` and the reports alike.
    pub fn with_ticks(mut self, ticks: u32) -> Scenario {
        self.run.ticks = ticks;
        self.shocks.retain(|s| s.window().1 <= ticks);
        self.run.burn_in = self.run.burn_in.min(ticks.saturating_sub(1));
        self
    }

    /// The regimes named, in the order given, each once (names are trimmed); all of the
    /// scenario's regimes, in its sorted order, when `names` is empty. An unknown name is
    /// an error that lists the allowed ones.
    pub fn select_regimes(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, Mechanisms)>, UnknownRegime> {
        if names.is_empty() {
            return Ok(self.regimes.iter().map(|(n, m)| (n.clone(), *m)).collect());
        }
        let mut out: Vec<(String, Mechanisms)> = Vec::new();
        for name in names {
            let name = name.trim();
            match self.regimes.get(name) {
                Some(_) if out.iter().any(|(n, _)| n == name) => {}
                Some(m) => out.push((name.to_string(), *m)),
                None => {
                    return Err(UnknownRegime {
                        name: name.to_string(),
                        allowed: self.regimes.keys().cloned().collect(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// The first tick of the earliest shock, if any.
    pub fn shock_start(&self) -> Option<u32> {
        self.shocks.iter().map(|s| s.window().0).min()
    }

    /// The last tick (exclusive) of the latest shock, if any.
    pub fn shock_end(&self) -> Option<u32> {
        self.shocks.iter().map(|s| s.window().1).max()
    }
}
