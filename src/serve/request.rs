//! A run asked for by the page: its JSON, checked and turned into a scenario and the
//! regimes to run, through the same checks as a scenario file, so that a bad value gets
//! the message `linkage check` gives for it. Nothing in a request names a file: the
//! scenario is a built-in one by name.

use super::catalog;
use crate::model::mechanisms::{Mechanisms, PRESET_NAMES};
use crate::scenario::{Scenario, builtin};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The residents of a run that names none (the issue's classroom default).
pub const DEFAULT_RESIDENTS: u64 = 20_000;
/// The fewest residents a run may have (as `linkage run`).
pub const MIN_RESIDENTS: u64 = 100;
/// Regimes side by side in one run.
pub const MAX_REGIMES: usize = 4;
/// The longest regime name.
const MAX_NAME: usize = 24;

/// What the server allows one request (`linkage serve --max-residents`, `--max-days`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_residents: u64,
    pub max_days: u32,
}

/// The body of `POST /api/runs` (docs/serve.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub scenario: String,
    #[serde(default)]
    pub shock: ShockChoice,
    pub residents: Option<u64>,
    pub seed: Option<u64>,
    pub days: Option<u32>,
    pub regimes: Vec<RegimeRequest>,
    #[serde(default)]
    pub settings: BTreeMap<String, f64>,
}

/// One regime of a request: a name and any of the ten mechanism settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeRequest {
    pub name: String,
    #[serde(default)]
    pub mechanisms: BTreeMap<String, f64>,
}

/// The shock of a request: the scenario's own, none, or one kind moved and scaled.
#[derive(Debug, Default, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ShockChoice {
    #[default]
    #[serde(skip)]
    Scenario,
    Named(String),
    Kind {
        kind: String,
        day: u32,
        strength: f64,
    },
}

/// A checked request: the scenario to run (its regimes the ones asked for), those
/// regimes in name order (as `linkage run` orders them), and the key identical requests
/// share.
#[derive(Clone, Debug)]
pub struct Planned {
    pub scenario: Scenario,
    pub regimes: Vec<(String, Mechanisms)>,
    pub key: String,
    /// The run as text (the scenario and the regimes): equal for equal runs.
    pub canonical: String,
}

/// Parse and check a request body. Every error is one line naming the field.
pub fn plan(body: &[u8], limits: Limits) -> Result<Planned, String> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let req: RunRequest = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path == "?" || path.is_empty() {
            format!("the request is not a run: {inner}")
        } else {
            format!("{path}: {inner}")
        }
    })?;
    de.end()
        .map_err(|e| format!("the request is not a run: {e}"))?;
    check(req, limits)
}

fn check(req: RunRequest, limits: Limits) -> Result<Planned, String> {
    let name = req.scenario.trim();
    if !builtin::NAMES.contains(&name) {
        return Err(format!(
            "scenario: '{}' is not a built-in scenario; allowed: {}",
            shorten(name),
            builtin::NAMES.join(", ")
        ));
    }
    let mut sc = Scenario::load(name).map_err(|e| e.to_string())?;
    let residents = req.residents.unwrap_or(DEFAULT_RESIDENTS);
    if !(MIN_RESIDENTS..=limits.max_residents).contains(&residents) {
        return Err(format!(
            "residents: is {residents}; allowed: {MIN_RESIDENTS} to {} on this server (linkage serve --max-residents)",
            limits.max_residents
        ));
    }
    if let Some(days) = req.days
        && !(1..=limits.max_days).contains(&days)
    {
        return Err(format!(
            "days: is {days}; allowed: 1 to {} on this server (linkage serve --max-days)",
            limits.max_days
        ));
    }
    // The shock first; a shock that would end after the run's last day is refused
    // (`linkage run --ticks` drops it; on the page that would go unnoticed).
    shock(&mut sc, &req.shock)?;
    if let Some(days) = req.days {
        if let Some(s) = sc.shocks.iter().find(|s| s.end() > days as u64) {
            let (start, _) = s.window();
            return Err(format!(
                "days: is {days}, but the shock runs days {start} to {}; allowed: {} days or more, an earlier shock, or shock \"none\"",
                s.end() - 1,
                s.end()
            ));
        }
        sc = sc.with_ticks(days);
    } else if sc.run.ticks > limits.max_days {
        return Err(format!(
            "days: scenario '{name}' runs {} days; allowed: 1 to {} on this server (linkage serve --max-days)",
            sc.run.ticks, limits.max_days
        ));
    }
    sc.run.residents = residents;
    if let Some(seed) = req.seed {
        sc.run.seed = seed;
    }
    sc = settings(sc, &req.settings)?;
    let mut regimes = regimes(&sc, &req.regimes)?;
    // In name order, as `linkage run` runs them (so that the folder is the one it writes).
    regimes.sort_by(|a, b| a.0.cmp(&b.0));
    sc.regimes = regimes.iter().cloned().collect();
    // The same checks, and messages, as a scenario file.
    sc.validate().map_err(|e| first_line(&e.to_string()))?;
    let canonical = canonical(&sc, &regimes);
    Ok(Planned {
        key: format!("{:016x}", crate::base::hash::fnv1a(canonical.as_bytes())),
        scenario: sc,
        regimes,
        canonical,
    })
}

/// The scenario's shocks as the request chooses.
fn shock(sc: &mut Scenario, choice: &ShockChoice) -> Result<(), String> {
    match choice {
        ShockChoice::Scenario => Ok(()),
        ShockChoice::Named(s) if s == "scenario" => Ok(()),
        ShockChoice::Named(s) if s == "none" => {
            sc.shocks.clear();
            Ok(())
        }
        ShockChoice::Named(s) => Err(format!(
            "shock: '{}' is not a choice; allowed: \"scenario\", \"none\" or {{\"kind\", \"day\", \"strength\"}}",
            shorten(s)
        )),
        ShockChoice::Kind {
            kind,
            day,
            strength,
        } => {
            let Some(mut s) = catalog::shock_template(kind) else {
                return Err(format!(
                    "shock.kind: '{}' is not a kind of shock; allowed: {}",
                    shorten(kind),
                    catalog::shock_kinds().join(", ")
                ));
            };
            let c = s.common_mut();
            *c.start = *day;
            *c.intensity = *strength;
            sc.shocks = vec![s];
            Ok(())
        }
    }
}

/// The scenario with the request's settings (only the catalog's paths).
fn settings(sc: Scenario, wanted: &BTreeMap<String, f64>) -> Result<Scenario, String> {
    if wanted.is_empty() {
        return Ok(sc);
    }
    let mut v = toml::Value::try_from(&sc).map_err(|e| e.to_string())?;
    for (path, &value) in wanted {
        let Some(s) = catalog::SETTINGS.iter().find(|s| s.path == path) else {
            return Err(format!(
                "settings: '{}' is not a setting the page offers; allowed: {}",
                shorten(path),
                catalog::SETTINGS
                    .iter()
                    .map(|s| s.path)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        if !(s.min..=s.max).contains(&value) {
            return Err(format!(
                "{path}: is {}; allowed: {} to {} on this page",
                crate::base::num::given(value),
                crate::base::num::given(s.min),
                crate::base::num::given(s.max)
            ));
        }
        if crate::experiment::plan::set_number(&mut v, path, value + 0.0).is_none() {
            return Err(format!("{path}: is not a number in this scenario"));
        }
    }
    v.try_into()
        .map_err(|e: toml::de::Error| first_line(&e.to_string()))
}

/// The regimes asked for, each from the scenario's regime of that name (else the preset
/// of that name, else linkage's) with the request's settings.
fn regimes(sc: &Scenario, asked: &[RegimeRequest]) -> Result<Vec<(String, Mechanisms)>, String> {
    if asked.is_empty() || asked.len() > MAX_REGIMES {
        return Err(format!(
            "regimes: has {}; allowed: 1 to {MAX_REGIMES} regimes side by side",
            asked.len()
        ));
    }
    let mut out: Vec<(String, Mechanisms)> = Vec::new();
    for (i, r) in asked.iter().enumerate() {
        let name = r.name.trim();
        let good = !name.is_empty()
            && name.len() <= MAX_NAME
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !good {
            return Err(format!(
                "regimes[{i}].name: '{}' is not a regime name; allowed: 1 to {MAX_NAME} of a-z, 0-9, _ and -",
                shorten(name)
            ));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(format!("regimes[{i}].name: '{name}' is already in the run"));
        }
        let base = sc
            .regimes
            .get(name)
            .copied()
            .or_else(|| Mechanisms::preset(name))
            .or_else(|| Mechanisms::preset(PRESET_NAMES[2]))
            .expect("linkage is a preset");
        let mut table = toml::Value::try_from(base).map_err(|e| e.to_string())?;
        for (m, &v) in &r.mechanisms {
            let Some(slot) = table.get_mut(m.as_str()) else {
                return Err(format!(
                    "regimes[{i}].mechanisms: '{}' is not a mechanism; allowed: {}",
                    shorten(m),
                    catalog::MECHANISMS
                        .iter()
                        .map(|m| m.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            // -0 and 0 are the same setting (and the same key).
            *slot = toml::Value::Float(v + 0.0);
        }
        let mech: Mechanisms = table
            .try_into()
            .map_err(|e: toml::de::Error| first_line(&e.to_string()))?;
        out.push((name.to_string(), mech));
    }
    Ok(out)
}

/// A checked request as text: identical runs (after defaults are filled in) have the
/// same text, and its hash is their key.
fn canonical(sc: &Scenario, regimes: &[(String, Mechanisms)]) -> String {
    let mut text = sc.to_toml();
    for (name, m) in regimes {
        text.push_str(&format!("\n#order {name} {m:?}"));
    }
    text
}

/// At most 60 characters of a user's text, for quoting it in an error.
fn shorten(s: &str) -> String {
    let t: String = s.chars().take(60).collect();
    if t.len() < s.len() { t + "…" } else { t }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        max_residents: 100_000,
        max_days: 730,
    };

    fn plan_json(json: &str) -> Result<Planned, String> {
        plan(json.as_bytes(), LIMITS)
    }

    #[test]
    fn a_small_request_fills_in_defaults_and_orders_the_regimes_as_linkage_run() {
        let p = plan_json(
            r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage"},{"name":"fragmented"}]}"#,
        )
        .unwrap();
        assert_eq!(p.scenario.run.residents, DEFAULT_RESIDENTS);
        assert_eq!(p.regimes[1].0, "linkage");
        assert_eq!(p.regimes[0].1, Mechanisms::preset("fragmented").unwrap());
        assert_eq!(p.scenario.shocks.len(), 1);
        // The same request is the same key; another seed another.
        let again = plan_json(r#"{"scenario":"xcity-flood","residents":20000,"regimes":[{"name":"linkage"},{"name":"fragmented"}]}"#).unwrap();
        assert_eq!(p.key, again.key);
        let other = plan_json(r#"{"scenario":"xcity-flood","seed":9,"regimes":[{"name":"linkage"},{"name":"fragmented"}]}"#).unwrap();
        assert_ne!(p.key, other.key);
    }

    #[test]
    fn a_scenarios_own_regime_starts_from_the_scenarios_settings() {
        let p =
            plan_json(r#"{"scenario":"xcity-tight-staff","regimes":[{"name":"linkage-costly"}]}"#)
                .unwrap();
        let sc = Scenario::load("xcity-tight-staff").unwrap();
        assert_eq!(p.regimes[0].1, sc.regimes["linkage-costly"]);
        // -0 and 0 are one run.
        let a = plan_json(r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage","mechanisms":{"pooling":0}}]}"#).unwrap();
        let b = plan_json(r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage","mechanisms":{"pooling":-0.0}}]}"#).unwrap();
        assert_eq!(a.key, b.key);
    }

    #[test]
    fn a_shock_the_days_would_cut_is_refused_not_dropped() {
        let e = plan_json(r#"{"scenario":"xcity-baseline","days":50,"shock":{"kind":"flood","day":40,"strength":0.5},"regimes":[{"name":"linkage"}]}"#)
            .unwrap_err();
        assert!(
            e.starts_with(
                "days: is 50, but the shock runs days 40 to 69; allowed: 70 days or more"
            ),
            "{e}"
        );
        let e =
            plan_json(r#"{"scenario":"xcity-flood","days":130,"regimes":[{"name":"linkage"}]}"#)
                .unwrap_err();
        assert!(e.contains("the shock runs days 120 to 149"), "{e}");
        assert!(plan_json(r#"{"scenario":"xcity-flood","days":130,"shock":"none","regimes":[{"name":"linkage"}]}"#).is_ok());
    }

    #[test]
    fn a_bad_mechanism_gets_the_scenario_files_message() {
        let e = plan_json(r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage","mechanisms":{"social":1.5}}]}"#)
            .unwrap_err();
        assert!(e.starts_with("regimes.linkage.social:"), "{e}");
        assert!(e.contains("1.5"), "{e}");
        let e = plan_json(r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage","mechanisms":{"charm":0.5}}]}"#)
            .unwrap_err();
        assert!(e.contains("'charm' is not a mechanism"), "{e}");
    }

    #[test]
    fn no_file_path_is_taken_for_a_scenario() {
        let e = plan_json(r#"{"scenario":"../../etc/passwd","regimes":[{"name":"linkage"}]}"#)
            .unwrap_err();
        assert!(
            e.starts_with("scenario: '../../etc/passwd' is not a built-in scenario"),
            "{e}"
        );
    }

    #[test]
    fn wrong_types_and_unknown_fields_name_their_field() {
        let e =
            plan_json(r#"{"scenario":"xcity-flood","residents":"many","regimes":[]}"#).unwrap_err();
        assert!(e.starts_with("residents:"), "{e}");
        let e =
            plan_json(r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage"}],"path":"/"}"#)
                .unwrap_err();
        assert!(e.contains("unknown field `path`"), "{e}");
        let e =
            plan_json(r#"{"scenario":"xcity-flood","regimes":[{"name":"<script>"}]}"#).unwrap_err();
        assert!(e.starts_with("regimes[0].name:"), "{e}");
        let e = plan_json("not json").unwrap_err();
        assert!(e.starts_with("the request is not a run"), "{e}");
    }

    #[test]
    fn limits_and_shocks_are_checked() {
        let e = plan_json(
            r#"{"scenario":"xcity-flood","residents":5000000,"regimes":[{"name":"linkage"}]}"#,
        )
        .unwrap_err();
        assert!(
            e.starts_with("residents: is 5000000; allowed: 100 to 100000"),
            "{e}"
        );
        let e =
            plan_json(r#"{"scenario":"xcity-flood","days":100000,"regimes":[{"name":"linkage"}]}"#)
                .unwrap_err();
        assert!(e.starts_with("days:"), "{e}");
        let p = plan_json(r#"{"scenario":"xcity-baseline","shock":{"kind":"epidemic","day":30,"strength":0.5},"regimes":[{"name":"linkage"}]}"#)
            .unwrap();
        assert_eq!(p.scenario.shock_start(), Some(30));
        let e = plan_json(r#"{"scenario":"xcity-baseline","shock":{"kind":"flood","day":30,"strength":7},"regimes":[{"name":"linkage"}]}"#)
            .unwrap_err();
        assert!(e.starts_with("shocks[0].intensity:"), "{e}");
        let p = plan_json(
            r#"{"scenario":"xcity-flood","shock":"none","regimes":[{"name":"linkage"}]}"#,
        )
        .unwrap();
        assert!(p.scenario.shocks.is_empty());
        let e = plan_json(r#"{"scenario":"xcity-flood","settings":{"run.residents":5},"regimes":[{"name":"linkage"}]}"#)
            .unwrap_err();
        assert!(
            e.starts_with("settings: 'run.residents' is not a setting"),
            "{e}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Whatever a participant's browser (or anyone on the room's network) sends, the
        /// answer is a plan or a one-line error, never a panic.
        #[test]
        fn any_body_is_planned_or_refused_in_one_line(
            residents in -10i64..200_000,
            days in -5i64..1_000,
            seed in proptest::prelude::any::<i64>(),
            value in -0.5f64..1.5,
            day in 0u32..1_000,
            strength in -10.0f64..10.0,
            kind in "(flood|epidemic|closure|rumour|fiscal_cut|land_dispute|[a-z_]{0,12})",
            name in "([a-z_-]{1,10}|\\PC{0,30})",
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
        ) {
            let body = serde_json::json!({
                "scenario": "xcity-baseline",
                "residents": residents,
                "days": days,
                "seed": seed,
                "shock": {"kind": kind, "day": day, "strength": strength},
                "regimes": [{"name": name, "mechanisms": {"social": value}}],
                "settings": {"population.link_strength": value},
            });
            for b in [serde_json::to_vec(&body).unwrap(), noise] {
                match plan(&b, LIMITS) {
                    Ok(p) => proptest::prop_assert!(p.scenario.validate().is_ok()),
                    Err(e) => proptest::prop_assert!(!e.is_empty() && !e.contains('\n'), "{}", e),
                }
            }
        }
    }
}
