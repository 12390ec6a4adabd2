//! One run of a scenario's regimes side by side: what `linkage run` does and what the
//! Python package's `linkage.run(...)` asks for, from the same checked [`Request`] to the
//! same runs, so that both give the same bytes and the same one-line errors.
//!
//! A request names a scenario (built-in or file), the regimes, and the run's seed, days,
//! residents and warm-up, and may set any numeric parameter of the scenario by its path
//! ([`Setting`], the sweep's factor syntax: `regimes.linkage.social`,
//! `shocks[0].intensity`). [`plan`] applies them in that order — settings first, as if
//! the file had been edited, then seed, days, residents and warm-up — validates the
//! result and checks that it fits in memory. [`run_regimes`] runs the regimes one after
//! another, a day at a time, asking its caller after every day whether to go on (a
//! progress bar counts; Python checks for Ctrl-C).

use super::plan::{is_whole, set_number};
use crate::engine::run::{Paired, RegimeRun, twin_split};
use crate::model::mechanisms::Mechanisms;
use crate::scenario::Scenario;

/// One numeric parameter set by its path: `linkage run --set PATH=VALUE`, or an entry
/// of Python's `overrides`.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub path: String,
    pub value: f64,
}

impl std::str::FromStr for Setting {
    type Err = String;

    /// `PATH=VALUE`, the value a number.
    fn from_str(s: &str) -> Result<Setting, String> {
        let example = "e.g. regimes.linkage.social=0.5";
        let Some((path, value)) = s.split_once('=') else {
            return Err(format!("'{s}' is not PATH=VALUE ({example})"));
        };
        let path = path.trim();
        if path.is_empty() {
            return Err(format!(
                "'{s}' has no parameter path before '=' ({example})"
            ));
        }
        match value.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Setting {
                path: path.to_string(),
                value: v,
            }),
            _ => Err(format!(
                "{path}: '{}' is not a number ({example})",
                value.trim()
            )),
        }
    }
}

/// What to run: everything that decides a run's results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    /// A built-in scenario's name or a scenario file's path.
    pub scenario: String,
    /// The regimes, in any order; empty: all of the scenario's.
    pub regimes: Vec<String>,
    pub seed: Option<u64>,
    pub ticks: Option<u32>,
    pub residents: Option<u64>,
    pub warmup: Option<u32>,
    /// Numeric parameters set by path, in order (a later one wins).
    pub settings: Vec<Setting>,
    /// Run each regime's no-shock twin (the default of `linkage run`; `--no-twin`).
    pub twin: bool,
}

/// A checked request: the scenario as it will run (holding only the regimes run) and the
/// regimes in its sorted order.
#[derive(Clone, Debug)]
pub struct Plan {
    pub scenario: Scenario,
    pub regimes: Vec<(String, Mechanisms)>,
    pub twin: bool,
}

impl Plan {
    /// Days each regime steps: warm-up, the run, and the twin's days after its split.
    pub fn days_per_regime(&self) -> u64 {
        let sc = &self.scenario;
        let ticks = sc.run.ticks as u64;
        let twin = twin_split(sc, self.twin).map_or(0, |s| ticks - s as u64);
        sc.run.warmup as u64 + ticks + twin
    }

    /// Days stepped by the whole run, every regime's.
    pub fn days(&self) -> u64 {
        self.days_per_regime() * self.regimes.len() as u64
    }
}

/// Set each of `settings` in `sc`, the scenario `given` (its name or path, as the user
/// gave it); a path that is not a number of the scenario is an error naming it
/// (`linkage params` lists the paths), and so is a whole-number field given a value it
/// cannot hold (beyond ±2^53, where a float no longer counts one by one; below that a
/// whole-number field takes the rounded value).
pub fn apply(sc: Scenario, settings: &[Setting], given: &str) -> Result<Scenario, String> {
    if settings.is_empty() {
        return Ok(sc);
    }
    let mut v = toml::Value::try_from(&sc).map_err(|e| e.to_string())?;
    for s in settings {
        let whole = is_whole(&mut v, &s.path);
        match set_number(&mut v, &s.path, s.value + 0.0) {
            None => {
                return Err(format!(
                    "{}: is not a numeric parameter of scenario {given} (`linkage params --scenario {given}` lists them)",
                    s.path
                ));
            }
            Some(used) if whole && used.abs() > 9_007_199_254_740_992.0 => {
                return Err(format!(
                    "{}: {} is not a whole number this parameter can hold",
                    s.path,
                    crate::base::num::given(s.value)
                ));
            }
            Some(_) => {}
        }
    }
    v.try_into().map_err(|e: toml::de::Error| {
        let text = e.to_string();
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Check `req` and lay out the run; an error is a problem a line (bad input: exit code 2).
pub fn plan(req: &Request) -> Result<Plan, String> {
    let loaded = Scenario::load(&req.scenario).map_err(|e| e.to_string())?;
    let mut scenario = apply(loaded, &req.settings, &req.scenario)?;
    if !req.settings.is_empty() {
        // The settings' own mistakes, before the run options could hide one (a shock
        // that a shorter run drops).
        scenario.validate().map_err(|e| e.to_string())?;
    }
    if let Some(seed) = req.seed {
        scenario.run.seed = seed;
    }
    if let Some(ticks) = req.ticks {
        scenario = scenario.with_ticks(ticks);
    }
    if let Some(n) = req.residents {
        scenario.run.residents = n;
    }
    if let Some(w) = req.warmup {
        scenario.run.warmup = w;
    }
    scenario.validate().map_err(|e| e.to_string())?;
    let mut regimes = scenario
        .select_regimes(&req.regimes)
        .map_err(|e| e.to_string())?;
    scenario
        .regimes
        .retain(|name, _| regimes.iter().any(|(n, _)| n == name));
    // Run in the scenario's (sorted) order, so that re-running params.toml, which lists
    // exactly these regimes, writes the same bytes.
    regimes.sort_by(|a, b| a.0.cmp(&b.0));
    let memory = crate::engine::memory::total_bytes();
    let what = format!("scenario {} as run", req.scenario);
    let worlds = if twin_split(&scenario, req.twin).is_some() {
        2
    } else {
        1
    };
    crate::engine::memory::check_fits(&scenario, &what, regimes.len() as u64, worlds, memory)
        .map_err(|e| e.to_string())?;
    Ok(Plan {
        scenario,
        regimes,
        twin: req.twin,
    })
}

/// Run each regime of `plan` on `sc` (the plan's scenario, or a replicate of it with
/// another seed), one after another, with its twin when the plan has one. After every
/// day stepped (warm-up and twin days included) `go_on(regime)` is asked whether to go
/// on; `None` when it said no.
pub fn run_regimes(
    plan: &Plan,
    sc: &Scenario,
    mut go_on: impl FnMut(&str) -> bool,
) -> Option<(Vec<RegimeRun>, Vec<Option<RegimeRun>>)> {
    let mut runs = Vec::with_capacity(plan.regimes.len());
    let mut twins = Vec::with_capacity(plan.regimes.len());
    for (name, mech) in &plan.regimes {
        let mut run = Paired::new(sc, name, *mech, plan.twin);
        let mut going = true;
        if !run.warm_up_while(|_| go_on(name)) {
            return None;
        }
        while going && run.step(|_| going &= go_on(name)) {}
        if !going {
            return None;
        }
        let (r, t) = run.finish();
        runs.push(r);
        twins.push(t);
    }
    Some((runs, twins))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_path_equals_number() {
        let s: Setting = " regimes.linkage.social = 0.5".parse().unwrap();
        assert_eq!(s.path, "regimes.linkage.social");
        assert_eq!(s.value, 0.5);
        for bad in ["social", "=0.5", "a.b=x", "a.b=", "a.b=inf", "a.b=NaN"] {
            let e = bad.parse::<Setting>().unwrap_err();
            assert!(!e.contains('\n'), "{e}");
            assert!(e.contains("e.g. regimes.linkage.social=0.5"), "{bad}: {e}");
        }
    }

    #[test]
    fn settings_change_the_scenario_and_unknown_paths_are_named() {
        let base = crate::scenario::builtin::get("xcity-flood").unwrap();
        let set = |path: &str, value: f64| {
            apply(
                base.clone(),
                &[Setting {
                    path: path.to_string(),
                    value,
                }],
                "xcity-flood",
            )
        };
        let s = set("regimes.linkage.social", 0.25).unwrap();
        assert_eq!(s.regimes["linkage"].social, 0.25);
        assert_ne!(base.regimes["linkage"].social, 0.25);
        // A whole-number field takes the rounded value.
        assert_eq!(set("run.residents", 2400.4).unwrap().run.residents, 2400);
        let e = set("regimes.linkage.socail", 0.5).unwrap_err();
        assert!(
            e.starts_with(
                "regimes.linkage.socail: is not a numeric parameter of scenario xcity-flood"
            ),
            "{e}"
        );
        assert!(set("name", 1.0).is_err(), "a name is not a number");
        let e = set("run.seed", 1e30).unwrap_err();
        assert!(
            e.contains("is not a whole number this parameter can hold"),
            "{e}"
        );
    }

    #[test]
    fn a_plan_applies_settings_then_the_run_options_and_validates() {
        let mut req = Request {
            scenario: "xcity-flood".into(),
            regimes: vec!["linkage".into(), "fragmented".into()],
            residents: Some(500),
            settings: vec![Setting {
                path: "run.residents".into(),
                value: 900.0,
            }],
            twin: true,
            ..Request::default()
        };
        let p = plan(&req).unwrap();
        assert_eq!(
            p.scenario.run.residents, 500,
            "--residents after the settings"
        );
        let names: Vec<&str> = p.regimes.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["fragmented", "linkage"],
            "the scenario's sorted order"
        );
        assert_eq!(p.scenario.regimes.len(), 2);
        req.settings = vec![Setting {
            path: "regimes.linkage.social".into(),
            value: 7.0,
        }];
        let e = plan(&req).unwrap_err();
        assert!(e.contains("regimes.linkage.social"), "{e}");
        req.settings.clear();
        req.regimes = vec!["nope".into()];
        assert!(plan(&req).unwrap_err().contains("nope"));
    }
}
