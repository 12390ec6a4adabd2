//! Scenario files: the shipped ones load, validate and run; malformed ones are refused
//! with exit code 2 and messages that say where and what is wrong.
//!
//! `scenarios/xcity-baseline.toml` is the built-in baseline written out in full; after
//! changing the baseline regenerate it with
//! `UPDATE_SCENARIOS=1 cargo test --release --test scenarios`.

mod common;
use common::{linkage, succeeds};

use linkage::engine::run::run_regime;
use linkage::model::mechanisms::Mechanisms;
use linkage::scenario::{Scenario, builtin};
use std::path::{Path, PathBuf};

fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

#[test]
fn the_baseline_file_is_the_builtin_word_for_word() {
    let s = builtin::xcity_baseline();
    let text = format!(
        "# {}\n# Built-in scenario 'xcity-baseline', written out in full: every field with its default.\n# Copy it, or better start a file with `extends = \"xcity-baseline\"` and change only what you need.\n{}",
        s.description,
        s.to_toml()
    );
    if std::env::var_os("UPDATE_SCENARIOS").is_some() {
        std::fs::write(file("xcity-baseline"), &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(file("xcity-baseline")).unwrap(),
        text,
        "regenerate scenarios/xcity-baseline.toml"
    );
}

#[test]
fn every_shipped_scenario_validates_from_its_file_and_runs_a_short_horizon() {
    for name in builtin::NAMES {
        let by_name = Scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let by_path = Scenario::load(file(name).to_str().unwrap())
            .unwrap_or_else(|e| panic!("{name}.toml: {e}"));
        assert_eq!(
            by_name.to_toml(),
            by_path.to_toml(),
            "{name}: file and built-in differ"
        );
        assert!(!by_name.description.is_empty());
        let mut small = by_name.clone();
        small.run.residents = 2000;
        small.validate().unwrap();
        let m = Mechanisms::preset("linkage").unwrap();
        let run = run_regime(&small, "linkage", m, |_| {});
        assert_eq!(run.history.len(), small.run.ticks as usize);
        let city = run.history.last().unwrap().last().unwrap();
        assert!(
            city.resolved > 0 || city.open > 0,
            "{name}: nothing happened"
        );
    }
    let full = Scenario::load("full-city").unwrap();
    assert!(full.run.residents >= 3_000_000 && full.territory.counties.len() == 6);
}

#[test]
fn problems_name_the_field_and_what_is_allowed() {
    let mut s = builtin::get("xcity-flood").unwrap();
    s.regimes.get_mut("linkage").unwrap().social = 1.5;
    s.run.ticks = 100;
    let e = s.validate().unwrap_err().to_string();
    assert!(
        e.contains("regimes.linkage.social") && e.contains("from 0 to 1"),
        "{e}"
    );
    assert!(
        e.contains("shocks[0]") && e.contains("start + duration ≤ run.ticks"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 2, "both problems at once: {e}");
}

/// `linkage check FILE` on `text`: exit 2, every expected fragment on stderr, no panic.
fn refused(dir: &Path, case: &str, text: &[u8], expect: &[&str]) {
    let path = dir.join(format!("{case}.toml"));
    std::fs::write(&path, text).unwrap();
    let out = linkage().arg("check").arg(&path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{case}: exit code, stderr:\n{err}"
    );
    assert!(!err.contains("panicked"), "{case}: {err}");
    for e in expect {
        assert!(
            err.contains(e),
            "{case}: stderr should contain {e:?}:\n{err}"
        );
    }
    assert!(out.stdout.is_empty(), "{case}: nothing on stdout");
}

#[test]
fn malformed_scenarios_are_refused_with_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let head = "extends = \"xcity-baseline\"\n";
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "wrong_type",
            format!("{head}[run]\nticks = \"many\"\n"),
            vec![
                "wrong_type.toml:3:1",
                "run.ticks",
                "is a string; allowed: a whole number",
            ],
        ),
        (
            "unknown_top_key",
            format!("{head}colour = \"red\"\n"),
            vec![":2:1", "colour", "is not a known field"],
        ),
        (
            "unknown_nested_key",
            format!("{head}[population]\nlink_strenght = 0.5\n"),
            vec![":3:1", "population.link_strenght", "link_strength"],
        ),
        (
            "probability_above_one",
            format!("{head}[regimes.linkage]\nsocial = 1.5\n"),
            vec![":3:1", "regimes.linkage.social", "from 0 to 1"],
        ),
        (
            "negative_hours",
            format!("{head}[government]\nhours_per_staff = -2.0\n"),
            vec!["government.hours_per_staff", "from 0 to 24"],
        ),
        (
            "zero_grid_size",
            format!("{head}[territory]\ngrid_size_urban = 0\n"),
            vec!["territory.grid_size_urban", "from 1"],
        ),
        (
            "missing_target_county",
            format!(
                "{head}[[shocks]]\nkind = \"flood\"\nstart = 10\nduration = 5\nintensity = 0.5\n[shocks.target]\ncounties = [\"Atlantis\"]\n"
            ),
            vec![
                ":8:1",
                "shocks[0].target.counties",
                "Atlantis",
                "North County",
            ],
        ),
        (
            "missing_township",
            format!(
                "{head}[[shocks]]\nkind = \"land_dispute\"\nstart = 10\nduration = 5\nintensity = 0.5\n[shocks.target]\ncounties = [\"East County\"]\ntownship = 99\n"
            ),
            vec!["shocks[0].target", "township 99 does not exist"],
        ),
        (
            "shock_past_the_end",
            format!(
                "{head}[[shocks]]\nkind = \"flood\"\nstart = 360\nduration = 30\nintensity = 0.5\n[shocks.target]\n"
            ),
            vec![":5:1", "shocks[0].duration", "start + duration ≤ run.ticks"],
        ),
        (
            "unknown_shock_kind",
            format!(
                "{head}[[shocks]]\nkind = \"meteor\"\nstart = 1\nduration = 1\nintensity = 1.0\n[shocks.target]\n"
            ),
            vec!["shocks[0].kind", "meteor", "flood, epidemic"],
        ),
        (
            "shock_without_intensity",
            format!(
                "{head}[[shocks]]\nkind = \"flood\"\nstart = 1\nduration = 1\n[shocks.target]\n"
            ),
            vec!["shocks[0]", "lacks `intensity`"],
        ),
        (
            "unknown_area",
            format!(
                "{head}[[shocks]]\nkind = \"rumour\"\nstart = 1\nduration = 1\nintensity = 1.0\n[shocks.target]\narea = \"suburban\"\n"
            ),
            vec!["shocks[0].target.area", "suburban", "all, urban, rural"],
        ),
        (
            "not_a_number",
            format!("{head}[population]\ntrust_mean = nan\n"),
            vec!["population.trust_mean", "finite"],
        ),
        (
            "huge_integer",
            format!("{head}[run]\nticks = 99999999999999999999\n"),
            vec![":3:", "not valid TOML"],
        ),
        (
            "huge_population",
            format!("{head}[run]\nresidents = 10000000000\n"),
            vec!["run.residents", "100000000"],
        ),
        (
            "too_wide_for_type",
            format!("{head}[run]\nticks = 5000000000\n"),
            vec!["run.ticks", "from 0 to 4294967295"],
        ),
        (
            "syntax_error",
            format!("{head}[run\nticks = 3\n"),
            vec!["syntax_error.toml:2:", "not valid TOML"],
        ),
        ("empty_file", String::new(), vec!["is empty", "extends"]),
        (
            "unknown_parent",
            "extends = \"atlantis\"\n".to_string(),
            vec!["unknown scenario 'atlantis'", "xcity-baseline"],
        ),
        (
            "extends_not_a_string",
            "extends = 3\n".to_string(),
            vec![":1:1", "extends", "allowed: a string"],
        ),
        (
            "incomplete_without_extends",
            "name = \"x\"\n".to_string(),
            vec!["lacks `run`", "without `extends`"],
        ),
        (
            "several_errors",
            format!(
                "{head}[run]\nwindow = 0\n[population]\ntrust_mean = 2.0\n[organisations]\nfunding = -1.0\n"
            ),
            vec![
                "run.window",
                "population.trust_mean",
                "organisations.funding",
            ],
        ),
    ];
    assert!(cases.len() >= 15);
    for (case, text, expect) in &cases {
        refused(d, case, text.as_bytes(), expect);
    }
    refused(
        d,
        "binary_garbage",
        &[0x00, 0xff, 0xfe, 0x13, 0x37, 0x80, 0x81],
        &["not a text file"],
    );
    // A cycle of extends.
    std::fs::write(d.join("a.toml"), "extends = \"b.toml\"\n").unwrap();
    std::fs::write(d.join("b.toml"), "extends = \"a.toml\"\n").unwrap();
    let out = linkage()
        .arg("check")
        .arg(d.join("a.toml"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cycle") && err.contains("a.toml") && err.contains("b.toml"),
        "{err}"
    );
    // Several errors: each on its own line.
    let several = String::from_utf8_lossy(
        &linkage()
            .arg("check")
            .arg(d.join("several_errors.toml"))
            .output()
            .unwrap()
            .stderr,
    )
    .into_owned();
    assert_eq!(several.lines().count(), 3, "{several}");
}

#[test]
fn an_edited_copy_runs_and_a_good_file_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("mine.toml");
    std::fs::write(
        &p,
        "extends = \"xcity-flood\"\nname = \"mine\"\n[run]\nresidents = 1500\nticks = 160\n[regimes.my-mix]\ninformation_sharing = 0.9\nvertical = 0.2\nhorizontal = 0.2\nsocial = 0.9\nspatial = 0.0\npooling = 0.0\ncentral_routing = 0.0\ngrid_first = 0.9\ncoordination_cost = 0.1\n",
    )
    .unwrap();
    let out = succeeds(linkage().arg("check").arg(&p));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok: mine (1500 residents, 160 days"));
    let out = succeeds(
        linkage()
            .args(["run", "--quiet", "--regime", "my-mix", "--scenario"])
            .arg(&p)
            .arg("--out")
            .arg(tmp.path().join("run")),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("my-mix"));
}
