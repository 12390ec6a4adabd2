//! Scenarios: everything a run needs to know about a city, its people, its government,
//! its regimes and its shocks, as one serde value. Built-in scenarios live in
//! [`builtin`]; any scenario can be written to TOML (`params.toml` of a run) and read
//! back, so a run can be repeated exactly.

pub mod builtin;

use crate::model::behaviour::BehaviourSpec;
use crate::model::collective::CollectiveSpec;
use crate::model::government::GovernmentSpec;
use crate::model::issues::IssueSpec;
use crate::model::mechanisms::Mechanisms;
use crate::model::organisations::OrganisationSpec;
use crate::model::residents::PopulationSpec;
use crate::model::shocks::Shock;
use crate::model::territory::TerritorySpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

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
    /// Rolling window, in ticks, of the per-tick service and resolution-time metrics.
    pub window: u32,
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
    pub collective: CollectiveSpec,
    /// Named regimes: the presets plus any a user defines.
    pub regimes: BTreeMap<String, Mechanisms>,
    #[serde(default)]
    pub shocks: Vec<Shock>,
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error(
        "unknown scenario '{name}': built-in scenarios are {allowed}, or give a path to a .toml file"
    )]
    Unknown { name: String, allowed: String },
    #[error("cannot read scenario file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("scenario file {path}: {message}")]
    Parse { path: String, message: String },
    #[error("scenario '{scenario}': {field} {problem}")]
    Invalid {
        scenario: String,
        field: String,
        problem: String,
    },
}

impl Scenario {
    /// A built-in scenario by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
        if let Some(s) = builtin::get(name_or_path) {
            return Ok(s);
        }
        let path = Path::new(name_or_path);
        if !(name_or_path.ends_with(".toml") || path.exists()) {
            return Err(ScenarioError::Unknown {
                name: name_or_path.to_string(),
                allowed: builtin::NAMES.join(", "),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: name_or_path.to_string(),
            source,
        })?;
        let scenario: Scenario = toml::from_str(&text).map_err(|e| ScenarioError::Parse {
            path: name_or_path.to_string(),
            message: e
                .to_string()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        })?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as TOML, exactly as it will be read back.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("scenario serialises")
    }

    /// Checks that hold for every scenario the engine accepts: probabilities in [0,1],
    /// counts positive, names that exist. The first problem found is reported.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let bad = |field: &str, problem: String| {
            Err(ScenarioError::Invalid {
                scenario: self.name.clone(),
                field: field.to_string(),
                problem,
            })
        };
        let unit = |field: &str, v: f64| -> Result<(), ScenarioError> {
            if !(0.0..=1.0).contains(&v) {
                return bad(field, format!("is {v}; allowed: a number from 0 to 1"));
            }
            Ok(())
        };
        if self.run.ticks == 0 {
            return bad("run.ticks", "is 0; allowed: a whole number ≥ 1".into());
        }
        if self.run.residents < 100 {
            return bad(
                "run.residents",
                format!("is {}; allowed: at least 100", self.run.residents),
            );
        }
        if self.territory.counties.is_empty() {
            return bad(
                "territory.counties",
                "is empty; allowed: at least one county".into(),
            );
        }
        for c in &self.territory.counties {
            unit(
                &format!("territory.counties.{}.urban_share", c.name),
                c.urban_share,
            )?;
            if c.population_share <= 0.0 || !c.population_share.is_finite() {
                return bad(
                    &format!("territory.counties.{}.population_share", c.name),
                    format!("is {}; allowed: a number > 0", c.population_share),
                );
            }
        }
        let names: Vec<&str> = self
            .territory
            .counties
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        for [a, b] in &self.territory.adjacency {
            for n in [a, b] {
                if !names.contains(&n.as_str()) {
                    return bad(
                        "territory.adjacency",
                        format!(
                            "names '{n}', which is not a county; allowed: {}",
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        let t = &self.territory;
        for (field, v) in [
            ("territory.grid_size_urban", t.grid_size_urban),
            ("territory.grid_size_rural", t.grid_size_rural),
            (
                "territory.grids_per_community_urban",
                t.grids_per_community_urban,
            ),
            (
                "territory.grids_per_community_rural",
                t.grids_per_community_rural,
            ),
            (
                "territory.communities_per_township_urban",
                t.communities_per_township_urban,
            ),
            (
                "territory.communities_per_township_rural",
                t.communities_per_township_rural,
            ),
        ] {
            if v == 0 {
                return bad(field, "is 0; allowed: a whole number ≥ 1".into());
            }
        }
        if self.population.strong_ties > 100 || self.population.weak_ties > 100 {
            return bad(
                "population.strong_ties/weak_ties",
                "exceed 100; allowed: 0 to 100".into(),
            );
        }
        for (name, m) in &self.regimes {
            for (field, v) in m.fields() {
                unit(&format!("regimes.{name}.{field}"), v)?;
            }
        }
        for (i, shock) in self.shocks.iter().enumerate() {
            let (start, end) = shock.window();
            if end > self.run.ticks {
                return bad(
                    &format!("shocks[{i}] ({})", shock.name()),
                    format!(
                        "ends at tick {end}, after the run's {} ticks; allowed: start + duration ≤ ticks",
                        self.run.ticks
                    ),
                );
            }
            if start == end {
                return bad(
                    &format!("shocks[{i}] ({})", shock.name()),
                    "has duration 0; allowed: ≥ 1".into(),
                );
            }
            match shock {
                crate::model::shocks::Shock::Flood(f) => {
                    unit(&format!("shocks[{i}].intensity"), f.intensity)?;
                    unit(&format!("shocks[{i}].capacity_loss"), f.capacity_loss)?;
                    for n in &f.target.counties {
                        if !names.contains(&n.as_str()) {
                            return bad(
                                &format!("shocks[{i}].target.counties"),
                                format!(
                                    "names '{n}', which is not a county; allowed: {}",
                                    names.join(", ")
                                ),
                            );
                        }
                    }
                }
            }
        }
        Ok(())
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
