//! The validation suite at reduced size: the engine reproduces Epstein's Model I runs,
//! epidemic final sizes, Granovetter's threshold results, a stationary default
//! scenario and face-valid collective action (issue 13). `linkage validate` runs the full sizes.

mod common;
use common::{linkage, succeeds};

use linkage::validation::checks::{Check, PARTS, Size, run_part};

/// Run `part` at the quick size. It has the `expected` checks in order (each name starts
/// with its entry), and each states its part, a published target, our figure and a
/// tolerance; and every one passes.
fn part_passes(part: &str, expected: &[&str]) {
    assert_checks(part, &run_part(part, Size::Quick).unwrap(), expected);
}

/// What [`part_passes`] asserts, on checks already run.
fn assert_checks(part: &str, checks: &[Check], expected: &[&str]) {
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(checks.len(), expected.len(), "{part}: {names:#?}");
    for (c, e) in checks.iter().zip(expected) {
        assert_eq!(c.part, part, "{}", c.name);
        assert!(
            c.name.starts_with(e),
            "{part}: expected {e:?}, found {:?}",
            c.name
        );
        assert!(!c.target.trim().is_empty(), "{}: no target", c.name);
        assert!(
            c.ours.chars().any(|ch| ch.is_ascii_digit()),
            "{}: our figure {:?} has no number",
            c.name,
            c.ours
        );
        assert!(
            c.tolerance == "exact" || c.tolerance.chars().any(|ch| ch.is_ascii_digit()),
            "{}: tolerance {:?} is neither exact nor a number",
            c.name,
            c.tolerance
        );
    }
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| format!("{}: target {}, ours {}", c.name, c.target, c.ours))
        .collect();
    assert!(failed.is_empty(), "{part}: {failed:#?}");
}

#[test]
fn each_shock_kind_is_face_valid() {
    part_passes(
        "shocks",
        &[
            "flood: ",
            "epidemic: ",
            "factory closure: ",
            "land dispute: ",
            "rumour: ",
            "fiscal cut: ",
        ],
    );
}

#[test]
fn collective_action_is_face_valid_in_the_shock_scenarios() {
    part_passes(
        "incidents",
        &[
            "shock scenarios × regimes: incidents by police band",
            "land dispute: peak protesters",
            "land dispute: the best regime's protest",
            "land dispute: protester-days",
            "wrong answer: policing backfires",
            "wrong answer: tolerating",
            "wrong answer: a token concession",
            "wrong answer: mediation is too slow",
            "wrong answer: escalation",
        ],
    );
}

#[test]
fn epstein_model_one_reproduces_table_two() {
    part_passes(
        "epstein",
        &["Run 2, floor", "Run 2, literal", "Runs 3-4", "Run 5"],
    );
}

#[test]
fn epidemic_final_sizes_match_theory() {
    part_passes(
        "epidemic",
        &[
            "SEIR on Erdős–Rényi, z = 4, T = 0.5",
            "below threshold",
            "well mixed, R0 = 2",
        ],
    );
}

#[test]
fn granovetter_thresholds_behave_as_published() {
    part_passes(
        "granovetter",
        &[
            "thresholds 0..99",
            "threshold-1 person moved to 2",
            "normal thresholds, mean 25",
        ],
    );
}

/// Every regime, each with the same headline metrics in the same order, each within
/// ± 2% between the two halves of ten years.
#[test]
fn default_scenario_without_shock_is_stationary() {
    let checks = run_part("drift", Size::Quick).unwrap();
    let regimes = ["fragmented", "integrated", "linkage"];
    let per_regime = checks.len() / regimes.len();
    assert!(per_regime >= 3, "{} checks", checks.len());
    let metrics: Vec<&str> = checks[..per_regime]
        .iter()
        .map(|c| c.name.split_once(": ").unwrap().1)
        .collect();
    let expected: Vec<String> = regimes
        .iter()
        .flat_map(|r| metrics.iter().map(move |m| format!("{r}: {m}")))
        .collect();
    for c in &checks {
        assert!(c.name.ends_with(", year 1 vs years 6-10"), "{}", c.name);
        assert_eq!(c.tolerance, "± 2%", "{}", c.name);
    }
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_checks("drift", &checks, &expected);
}

#[test]
fn the_suite_has_six_parts_and_refuses_others_by_name() {
    assert_eq!(
        PARTS,
        [
            "epstein",
            "epidemic",
            "granovetter",
            "drift",
            "incidents",
            "shocks"
        ]
    );
    let e = run_part("bogus", Size::Quick).unwrap_err().to_string();
    assert_eq!(
        e,
        "unknown validation part 'bogus'; allowed: epstein, epidemic, granovetter, drift, incidents, shocks"
    );
}

#[test]
fn epstein_command_writes_one_row_per_tick() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("e.csv");
    let out = linkage()
        .args([
            "epstein",
            "--legitimacy",
            "0.82",
            "--cop-density",
            "0.04",
            "--citizen-density",
            "0.7",
            "--vision",
            "7",
            "--max-jail",
            "30",
        ])
        .args([
            "--threshold",
            "0.1",
            "--rule",
            "floor",
            "--neighbourhood",
            "disc",
            "--ticks",
            "50",
            "--seed",
            "3",
            "--csv",
        ])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("agent-steps per second"));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "tick,quiet,active,jailed");
    assert_eq!(lines.len(), 51);
    for l in &lines[1..] {
        let v: Vec<u32> = l.split(',').map(|x| x.parse().unwrap()).collect();
        assert_eq!(v[1] + v[2] + v[3], 1120, "citizens are conserved: {l}");
    }
    // Same seed, same bytes; infinite jail accepted.
    let again = linkage()
        .args([
            "epstein",
            "--ticks",
            "50",
            "--seed",
            "3",
            "--rule",
            "floor",
            "--neighbourhood",
            "disc",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), text);
    linkage()
        .args(["epstein", "--ticks", "5", "--max-jail", "inf"])
        .assert()
        .success();
}

#[test]
fn bad_validation_input_exits_two() {
    let out = linkage().args(["validate", "bogus"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("allowed: epstein, epidemic, granovetter, drift")
    );
    for args in [
        vec!["epstein", "--legitimacy", "1.5"],
        vec!["epstein", "--rule", "ceiling"],
        vec!["epstein", "--neighbourhood", "hexagon"],
        vec![
            "epstein",
            "--cop-density",
            "0.5",
            "--citizen-density",
            "0.7",
        ],
        vec!["epstein", "--ticks", "0"],
    ] {
        let out = linkage().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr)
                .trim_end()
                .lines()
                .count(),
            1,
            "{args:?}"
        );
    }
}

#[test]
fn validate_draws_its_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = succeeds(
        linkage()
            .args(["validate", "granovetter", "--quick", "--charts"])
            .arg(tmp.path()),
    );
    for f in ["epstein-run2.svg", "epidemic-final-size.svg"] {
        let svg = std::fs::read_to_string(tmp.path().join(f)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline") && svg.len() > 5000,
            "{f} is a drawn chart"
        );
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 passed, 0 failed"));
}
