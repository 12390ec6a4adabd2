//! The validation suite at reduced size: the engine reproduces Epstein's Model I runs,
//! epidemic final sizes, Granovetter's threshold results and a stationary default
//! scenario. `linkage validate` runs the full sizes.

mod common;
use common::{linkage, succeeds};

use linkage::validation::checks::{PARTS, Size, run_part};

fn part_passes(part: &str) {
    let checks = run_part(part, Size::Quick).unwrap();
    assert!(!checks.is_empty());
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.pass)
        .map(|c| format!("{}: target {}, ours {}", c.name, c.target, c.ours))
        .collect();
    assert!(failed.is_empty(), "{part}: {failed:#?}");
}

#[test]
fn epstein_model_one_reproduces_table_two() {
    part_passes("epstein");
}

#[test]
fn epidemic_final_sizes_match_theory() {
    part_passes("epidemic");
}

#[test]
fn granovetter_thresholds_behave_as_published() {
    part_passes("granovetter");
}

#[test]
fn default_scenario_without_shock_is_stationary() {
    part_passes("drift");
}

#[test]
fn every_part_has_checks() {
    assert_eq!(PARTS.len(), 4);
    assert!(run_part("bogus", Size::Quick).is_none());
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
