//! Sweeps: resume after kill -9, shard + merge equality, statistics, bad experiment files.

mod common;
use common::{kill_at_rows, linkage, succeeds};

use std::path::Path;

/// A small experiment: 2 regimes × 3 link strengths × 4 replicates = 24 short runs.
const SMALL: &str = r#"
name = "small"
seed = 5
scenarios = ["xcity-flood"]
regimes = ["fragmented", "linkage"]
replicates = 4
ticks = 150
residents = 1500
metrics = ["solution_rate", "trust_end", "incidents", "service_rate_loss_area"]

[design]
kind = "grid"

[[factors]]
path = "population.link_strength"
values = [0.2, 0.6, 1.0]
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn sweep(exp: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    linkage()
        .arg("sweep")
        .arg(exp)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn a_sweep_writes_one_row_per_run_and_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    let out = sweep(&exp, &tmp.path().join("a"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_to_string(tmp.path().join("a/runs.csv")).unwrap();
    let lines: Vec<&str> = runs.lines().collect();
    assert_eq!(
        lines[0],
        "run,cell,replicate,seed,scenario,regime,population.link_strength,solution_rate,trust_end,incidents,service_rate_loss_area"
    );
    assert_eq!(lines.len(), 25);
    for (i, l) in lines[1..].iter().enumerate() {
        assert!(l.starts_with(&format!("{i},")), "sorted by run id: {l}");
    }
    let summary = std::fs::read_to_string(tmp.path().join("a/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 7, "6 cells");
    assert!(
        summary
            .lines()
            .next()
            .unwrap()
            .contains("solution_rate_ci95_low")
    );
    assert!(
        summary.lines().nth(1).unwrap().contains(",4,"),
        "n = 4 replicates"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("solution_rate"),
        "headline table"
    );
    // Seeds depend on (experiment seed, cell, replicate), never on order or threads.
    let one = sweep(&exp, &tmp.path().join("b"), &["--threads", "1"]);
    assert!(one.status.success());
    assert_same_files(&tmp.path().join("a"), &tmp.path().join("b"));
}

/// Without a `metrics` list a sweep records every summary metric, and prints the
/// hotline's grades per cell after the headline table: response, closure, solution and
/// satisfaction rates, trips and staff-hours per solved issue.
#[test]
fn a_sweep_prints_the_hotline_grades_of_each_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(
        tmp.path(),
        "hotline.toml",
        r#"
name = "hotline"
seed = 2
scenarios = ["xcity-baseline"]
regimes = ["fragmented", "linkage"]
replicates = 1
ticks = 60
residents = 1200
"#,
    );
    let out = sweep(&exp, &tmp.path().join("h"), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = std::fs::read_to_string(tmp.path().join("h/summary.csv")).unwrap();
    let header = summary.lines().next().unwrap();
    let hotline = stdout
        .lines()
        .find(|l| l.contains("response_rate"))
        .unwrap_or_else(|| panic!("a hotline table:\n{stdout}"));
    for m in [
        "response_rate",
        "closure_rate",
        "solution_rate",
        "satisfaction_rate",
        "trips_per_solved",
        "staff_hours_per_solved",
    ] {
        assert!(hotline.contains(m), "{m} in the hotline table: {hotline}");
        assert!(header.contains(&format!("{m}_mean")), "{m} in summary.csv");
    }
    // One row per cell (two regimes) under the hotline table's header and rule.
    let rows = stdout
        .lines()
        .skip_while(|l| !l.contains("response_rate"))
        .skip(2)
        .take_while(|l| !l.trim().is_empty())
        .count();
    assert_eq!(rows, 2, "{stdout}");
}

/// The files a finished sweep folder holds, compared byte for byte.
const FILES: [&str; 4] = [
    "runs.csv",
    "summary.csv",
    "series.csv",
    "series-summary.csv",
];

fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// series.csv has one line per run and day, sorted; series-summary.csv one per cell and
/// day, with n, mean, sd and a 95% interval that brackets the mean wherever runs differ.
#[test]
fn a_sweep_records_each_runs_days_and_summarises_them_per_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    let dir = tmp.path().join("a");
    assert!(sweep(&exp, &dir, &[]).status.success());
    // The folder says what produced it: the version and the source revision.
    let experiment = std::fs::read_to_string(dir.join("experiment.toml")).unwrap();
    assert!(
        experiment.starts_with(&format!(
            "# linkage {} (source revision ",
            env!("CARGO_PKG_VERSION")
        )),
        "{experiment}"
    );
    let series = std::fs::read_to_string(dir.join("series.csv")).unwrap();
    let lines: Vec<&str> = series.lines().collect();
    assert_eq!(lines[0], "run,tick,service_rate,trust,happiness");
    assert_eq!(lines.len(), 1 + 24 * 150, "24 runs × 150 days");
    for (i, l) in lines[1..].iter().enumerate() {
        assert!(
            l.starts_with(&format!("{},{},", i / 150, i % 150)),
            "sorted by run and day: line {i}: {l}"
        );
    }
    let mut r = csv::Reader::from_path(dir.join("series-summary.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        h[..6],
        [
            "cell",
            "scenario",
            "regime",
            "population.link_strength",
            "tick",
            "service_rate_n"
        ]
    );
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 6 * 150, "6 cells × 150 days");
    let mut noisy = 0;
    for row in &rows {
        for m in ["service_rate", "trust", "happiness"] {
            let get = |s: &str| row[col(&format!("{m}_{s}"))].parse::<f64>().ok();
            let (Some(mean), Some(sd), Some(lo), Some(hi)) =
                (get("mean"), get("sd"), get("ci95_low"), get("ci95_high"))
            else {
                continue;
            };
            if sd > 0.0 {
                assert!(lo < mean && mean < hi, "{m}: {lo} < {mean} < {hi}");
                noisy += 1;
            }
        }
        assert_eq!(&row[col("trust_n")], "4", "4 replicates a cell");
    }
    assert!(noisy > 1000, "runs differ on most days ({noisy})");
    // The mean of day 100's trust in cell 0 is the mean of its 4 runs' values.
    let runs: Vec<f64> = lines[1..]
        .iter()
        .filter(|l| {
            l.split(',').nth(1) == Some("100")
                && l.split(',').next().unwrap().parse::<u32>().unwrap() < 4
        })
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(runs.len(), 4);
    let mean: f64 = rows[100][col("trust_mean")].parse().unwrap();
    assert!((mean - runs.iter().sum::<f64>() / 4.0).abs() < 1e-6);
}

#[test]
fn one_replicate_has_means_without_intervals() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(
        tmp.path(),
        "one.toml",
        &SMALL.replace("replicates = 4", "replicates = 1"),
    );
    let dir = tmp.path().join("o");
    assert!(sweep(&exp, &dir, &[]).status.success());
    let text = std::fs::read_to_string(dir.join("series-summary.csv")).unwrap();
    let row: Vec<&str> = text.lines().nth(101).unwrap().split(',').collect();
    // trust: n, mean, sd, low, high are columns 10..15.
    assert_eq!(row[10], "1");
    assert!(row[11].parse::<f64>().is_ok());
    assert_eq!(row[12..15], ["", "", ""]);
}

#[test]
fn a_killed_sweep_resumes_to_the_same_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    assert!(sweep(&exp, &tmp.path().join("whole"), &[]).status.success());
    let whole = std::fs::read(tmp.path().join("whole/runs.csv")).unwrap();
    let dir = tmp.path().join("killed");
    let bin = assert_cmd::cargo::cargo_bin("linkage");
    for attempt in 0..2 {
        // Start, wait for a few rows, kill -9.
        let child = std::process::Command::new(&bin)
            .arg("sweep")
            .arg(&exp)
            .arg("--out")
            .arg(&dir)
            .arg("--quiet")
            .arg("--threads")
            .arg("1")
            .spawn()
            .unwrap();
        kill_at_rows(child, &dir, 4 + 6 * attempt);
    }
    let partial = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert!(
        partial.lines().count() < 25,
        "the sweep was interrupted before it finished"
    );
    let resumed = sweep(&exp, &dir, &[]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(
        std::fs::read(dir.join("runs.csv")).unwrap(),
        whole,
        "resumed rows equal an uninterrupted sweep's"
    );
    assert_same_files(&tmp.path().join("whole"), &dir);
    // Running it again changes nothing.
    assert!(sweep(&exp, &dir, &[]).status.success());
    assert_same_files(&tmp.path().join("whole"), &dir);
}

#[test]
fn a_torn_last_line_is_cut_off_on_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    let dir = tmp.path().join("t");
    assert!(sweep(&exp, &dir, &[]).status.success());
    let whole = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    // Keep the header and 5 rows, then half a row, as a kill mid-write would.
    let keep: String = whole.lines().take(6).map(|l| format!("{l}\n")).collect();
    let half = &whole.lines().nth(6).unwrap()[..10];
    std::fs::write(dir.join("runs.csv"), format!("{keep}{half}")).unwrap();
    // series.csv as a kill leaves it: the blocks of runs 0-4 (which have rows), run 5's
    // whole block without its row (killed between the two writes), and run 6's block
    // torn in the middle of a line.
    let series = std::fs::read_to_string(dir.join("series.csv")).unwrap();
    let kept: String = series
        .lines()
        .take(1 + 6 * 150 + 70)
        .map(|l| format!("{l}\n"))
        .collect();
    let torn = &series.lines().nth(1 + 6 * 150 + 70).unwrap()[..9];
    std::fs::write(dir.join("series.csv"), format!("{kept}{torn}")).unwrap();
    let series_summary = std::fs::read(dir.join("series-summary.csv")).unwrap();
    std::fs::remove_file(dir.join("series-summary.csv")).unwrap();
    assert!(sweep(&exp, &dir, &[]).status.success());
    assert_eq!(
        std::fs::read_to_string(dir.join("runs.csv")).unwrap(),
        whole
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("series.csv")).unwrap(),
        series,
        "one whole block per run, no duplicate or torn lines"
    );
    assert_eq!(
        std::fs::read(dir.join("series-summary.csv")).unwrap(),
        series_summary
    );
}

#[test]
fn a_changed_experiment_is_refused_unless_restarted() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    let dir = tmp.path().join("c");
    assert!(sweep(&exp, &dir, &[]).status.success());
    write(
        tmp.path(),
        "small.toml",
        &SMALL.replace("seed = 5", "seed = 6"),
    );
    let refused = sweep(&exp, &dir, &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--restart"));
    let again = sweep(&exp, &dir, &["--restart"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // An override is part of the experiment too.
    assert_eq!(
        sweep(&exp, &dir, &["--replicates", "2"]).status.code(),
        Some(2)
    );
}

#[test]
fn shards_merge_into_the_unsharded_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    assert!(sweep(&exp, &tmp.path().join("whole"), &[]).status.success());
    for k in 1..=3 {
        let out = sweep(
            &exp,
            &tmp.path().join(format!("s{k}")),
            &["--shard", &format!("{k}/3")],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows = std::fs::read_to_string(tmp.path().join(format!("s{k}/runs.csv")))
            .unwrap()
            .lines()
            .count()
            - 1;
        assert_eq!(rows, 8, "shard {k} runs a third");
    }
    succeeds(
        linkage()
            .arg("merge")
            .args(["s1", "s2", "s3"].map(|s| tmp.path().join(s)))
            .arg("--out")
            .arg(tmp.path().join("m")),
    );
    assert_same_files(&tmp.path().join("whole"), &tmp.path().join("m"));
    // Shards of different experiments do not merge.
    let other = write(
        tmp.path(),
        "other.toml",
        &SMALL.replace("seed = 5", "seed = 9"),
    );
    assert!(
        sweep(&other, &tmp.path().join("x"), &["--shard", "1/3"])
            .status
            .success()
    );
    let bad = linkage()
        .arg("merge")
        .arg(tmp.path().join("s1"))
        .arg(tmp.path().join("x"))
        .arg("--out")
        .arg(tmp.path().join("n"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn bad_experiment_files_are_refused_with_clear_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "is empty"),
        (
            "syntax",
            "name = \"x\"\nseed = \n".into(),
            "bad_syntax.toml:2:",
        ),
        (
            "unknown_key",
            SMALL.replace("replicates = 4", "replicates = 4\ncolour = 1"),
            "unknown field `colour`",
        ),
        (
            "zero_replicates",
            SMALL.replace("replicates = 4", "replicates = 0"),
            "replicates: is 0",
        ),
        (
            "unknown_scenario",
            SMALL.replace("\"xcity-flood\"", "\"atlantis\""),
            "unknown scenario 'atlantis'",
        ),
        (
            "unknown_regime",
            SMALL.replace("\"fragmented\", ", "\"anarchy\", "),
            "unknown regime 'anarchy'",
        ),
        (
            "bad_path",
            SMALL.replace("population.link_strength", "population.link_strenght"),
            "factors[0].path: 'population.link_strenght' is not a number",
        ),
        (
            "out_of_range",
            SMALL.replace("[0.2, 0.6, 1.0]", "[0.2, 1.5]"),
            "population.link_strength: is 1.5; allowed: a number from 0 to 1",
        ),
        (
            "unknown_metric",
            SMALL.replace("\"incidents\"", "\"joy\""),
            "metrics: names 'joy'",
        ),
        (
            "lhs_without_range",
            SMALL.replace("kind = \"grid\"", "kind = \"lhs\"\nsamples = 4"),
            "factors[0].range: is missing",
        ),
        (
            "wrong_type",
            SMALL.replace("replicates = 4", "replicates = \"four\""),
            "replicates",
        ),
        (
            "samples_under_grid",
            SMALL.replace("kind = \"grid\"", "kind = \"grid\"\nsamples = 4"),
            "unknown field `samples`",
        ),
        (
            "unknown_design",
            SMALL.replace("kind = \"grid\"", "kind = \"taguchi\""),
            "taguchi",
        ),
        (
            "sobol_without_samples",
            SMALL.replace("kind = \"grid\"", "kind = \"sobol\""),
            "samples",
        ),
        (
            "sobol_without_range",
            SMALL.replace("kind = \"grid\"", "kind = \"sobol\"\nsamples = 4"),
            "a sobol design needs it",
        ),
        (
            "morris_with_odd_levels",
            SMALL
                .replace(
                    "kind = \"grid\"",
                    "kind = \"morris\"\ntrajectories = 4\nlevels = 5",
                )
                .replace("values = [0.2, 0.6, 1.0]", "range = [0.1, 0.9]"),
            "levels must be even",
        ),
    ];
    for (case, text, expect) in cases {
        let p = write(tmp.path(), &format!("bad_{case}.toml"), &text);
        let out = sweep(&p, &tmp.path().join(case), &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{case}: {err}");
        assert!(
            err.contains(expect),
            "{case}: expected {expect:?} in:\n{err}"
        );
        assert!(!err.contains("panicked"), "{case}");
    }
    let bad_shard = sweep(
        &write(tmp.path(), "ok.toml", SMALL),
        &tmp.path().join("z"),
        &["--shard", "4/3"],
    );
    assert_eq!(bad_shard.status.code(), Some(2));
}

#[test]
fn latin_hypercube_and_one_at_a_time_designs() {
    let tmp = tempfile::tempdir().unwrap();
    let lhs = SMALL
        .replace("kind = \"grid\"", "kind = \"lhs\"\nsamples = 5")
        .replace("values = [0.2, 0.6, 1.0]", "range = [0.1, 0.9]")
        .replace("replicates = 4", "replicates = 1");
    let out = sweep(
        &write(tmp.path(), "lhs.toml", &lhs),
        &tmp.path().join("l"),
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = std::fs::read_to_string(tmp.path().join("l/runs.csv")).unwrap();
    // One value per stratum of [0.1, 0.9] in each regime.
    let mut strata: Vec<usize> = runs
        .lines()
        .skip(1)
        .take(5)
        .map(|l| ((l.split(',').nth(6).unwrap().parse::<f64>().unwrap() - 0.1) / 0.16) as usize)
        .collect();
    strata.sort();
    assert_eq!(strata, vec![0, 1, 2, 3, 4]);
    let oat = SMALL
        .replace("kind = \"grid\"", "kind = \"oat\"")
        .replace("replicates = 4", "replicates = 1");
    let out = sweep(
        &write(tmp.path(), "oat.toml", &oat),
        &tmp.path().join("o"),
        &[],
    );
    assert!(out.status.success());
    let summary = std::fs::read_to_string(tmp.path().join("o/summary.csv")).unwrap();
    assert_eq!(
        summary.lines().count(),
        1 + 2 * 4,
        "base + 3 values, per regime"
    );
}

/// Morris and Sobol designs lay out their points over the factors' ranges, and every
/// point of a replicate runs with the same seed (common random numbers).
#[test]
fn morris_and_sobol_designs_run_with_common_random_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let two = |kind: &str| {
        SMALL
            .replace("kind = \"grid\"", kind)
            .replace("values = [0.2, 0.6, 1.0]", "range = [0.1, 0.9]")
            .replace(
                "regimes = [\"fragmented\", \"linkage\"]",
                "regimes = [\"linkage\"]",
            )
            .replace("replicates = 4", "replicates = 2")
            .replace("ticks = 150", "ticks = 40")
            + "\n[[factors]]\npath = \"mechanism.social\"\nrange = [0.0, 1.0]\n"
    };
    // (design, points): Sobol with N = 4 and k = 2 is N (k + 2) = 16 points; Morris
    // with 3 trajectories is 3 (k + 1) = 9.
    for (name, kind, points) in [
        ("sobol", "kind = \"sobol\"\nsamples = 4", 16),
        ("morris", "kind = \"morris\"\ntrajectories = 3", 9),
    ] {
        let out = sweep(
            &write(tmp.path(), &format!("{name}.toml"), &two(kind)),
            &tmp.path().join(name),
            &[],
        );
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let runs = std::fs::read_to_string(tmp.path().join(name).join("runs.csv")).unwrap();
        let mut lines = runs.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let (rep, seed, f1, f2) = (
            col("replicate"),
            col("seed"),
            col("population.link_strength"),
            col("mechanism.social"),
        );
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        assert_eq!(rows.len(), points * 2, "{name}");
        for r in &rows {
            let (a, b): (f64, f64) = (r[f1].parse().unwrap(), r[f2].parse().unwrap());
            assert!(
                (0.1..=0.9).contains(&a) && (0.0..=1.0).contains(&b),
                "{name}: {r:?}"
            );
            let same_rep = rows.iter().filter(|o| o[rep] == r[rep]);
            assert!(
                same_rep.clone().all(|o| o[seed] == r[seed]),
                "{name}: seeds differ"
            );
        }
        let seeds: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r[seed].as_str()).collect();
        assert_eq!(seeds.len(), 2, "{name}: one seed a replicate");
        let distinct: std::collections::BTreeSet<(&str, &str)> = rows
            .iter()
            .map(|r| (r[f1].as_str(), r[f2].as_str()))
            .collect();
        assert!(distinct.len() >= points / 2, "{name}: {distinct:?}");
        // The finished sweep analysed: one row an index, a factor, a metric.
        let out = linkage()
            .args(["analyze", "--resamples", "50"])
            .arg(tmp.path().join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let indices = std::fs::read_to_string(tmp.path().join(name).join("indices.csv")).unwrap();
        // Every metric that varies: two factors × (first, total) or (μ, μ*, σ) each.
        let per_factor = if name == "sobol" { 2 } else { 3 };
        let analysed: std::collections::BTreeSet<&str> = indices
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(3).unwrap())
            .collect();
        assert!(analysed.contains("solution_rate") && analysed.contains("trust_end"));
        assert_eq!(
            indices.lines().count(),
            1 + analysed.len() * 2 * per_factor,
            "{name}:\n{indices}"
        );
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains("mechanism.social"), "{name}: {said}");
        // The flood's loss is empty (the 40 days end before the flood): said, not hidden.
        assert!(
            said.contains("service_rate_loss_area (xcity-flood, linkage): is empty in some runs"),
            "{name}: {said}"
        );
        assert!(!analysed.contains("service_rate_loss_area"));
    }
    // A grid sweep has no sensitivity indices: a clear refusal, exit code 2.
    let grid = SMALL
        .replace("replicates = 4", "replicates = 1")
        .replace("ticks = 150", "ticks = 20");
    let out = sweep(
        &write(tmp.path(), "grid.toml", &grid),
        &tmp.path().join("g"),
        &[],
    );
    assert!(out.status.success());
    let out = linkage()
        .arg("analyze")
        .arg(tmp.path().join("g"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("design is grid") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!tmp.path().join("g/indices.csv").exists());
}

/// `linkage attribute`: Shapley values over the hybrids sum to the difference, the
/// command resumes, and bad input is one line and exit code 2.
#[test]
fn attribution_sums_to_the_difference_and_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a");
    let args = [
        "attribute",
        "--from",
        "fragmented",
        "--to",
        "linkage",
        "--mechanisms",
        "social,vertical",
        "--replicates",
        "2",
        "--residents",
        "1500",
        "--ticks",
        "40",
        "--no-twin",
        "--metrics",
        "solution_rate,trust_end",
        "--quiet",
        "--out",
    ];
    let first = linkage().args(args).arg(&out).output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let said = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(said.contains("the values sum to"), "{said}");
    let csv = std::fs::read_to_string(out.join("attribution.csv")).unwrap();
    // Per metric: baseline, 2 mechanisms, total, 1 interaction.
    assert_eq!(csv.lines().count(), 1 + 2 * 5, "{csv}");
    for metric in ["solution_rate", "trust_end"] {
        let value = |part: &str| -> f64 {
            csv.lines()
                .find(|l| l.starts_with(&format!("{metric},{part},")))
                .unwrap()
                .split(',')
                .nth(5)
                .unwrap()
                .parse()
                .unwrap()
        };
        let sum = value("social") + value("vertical");
        assert!(
            (sum - value("total")).abs() < 2e-6,
            "{metric}: {sum} against {}",
            value("total")
        );
    }
    // The hybrids' runs: 4 hybrids × 2 replicates, one seed a replicate.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 8);
    // Again: everything is done, the same table comes out.
    let again = linkage().args(args).arg(&out).output().unwrap();
    assert!(again.status.success());
    assert_eq!(String::from_utf8_lossy(&again.stdout), said);
    // In two shards, merged: the same command on the merged folder runs nothing and
    // attributes the same.
    for k in ["1/2", "2/2"] {
        let o = linkage()
            .args(args)
            .arg(tmp.path().join(format!("s{}", &k[..1])))
            .args(["--shard", k])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("linkage merge"));
    }
    let merged = tmp.path().join("m");
    succeeds(
        linkage()
            .arg("merge")
            .arg(tmp.path().join("s1"))
            .arg(tmp.path().join("s2"))
            .arg("--out")
            .arg(&merged),
    );
    let m = linkage().args(args).arg(&merged).output().unwrap();
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    assert_eq!(String::from_utf8_lossy(&m.stdout), said);
    assert_eq!(
        std::fs::read_to_string(merged.join("attribution.csv")).unwrap(),
        csv
    );
    for (bad, expect) in [
        (["fragmented", "linkage", "bogus"], "is not a mechanism"),
        // Supervision is 0.6 in both integrated and linkage.
        (
            ["integrated", "linkage", "supervision"],
            "switching it changes nothing",
        ),
        (["fragmented", "fragmented", "social"], "the same regime"),
        (
            ["fragmented", "nowhere", "social"],
            "has no regime 'nowhere'",
        ),
    ] {
        let mut cmd = linkage();
        cmd.args(["attribute", "--quiet", "--from", bad[0], "--to", bad[1]]);
        cmd.args(["--mechanisms", bad[2]]);
        let o = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {err}");
        assert!(
            err.contains(expect) && err.lines().count() == 1,
            "{bad:?}: {err}"
        );
    }
}

#[cfg(not(feature = "mpi"))]
#[test]
fn mpi_flag_without_the_feature_says_how_to_build_it() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    let out = sweep(&exp, &tmp.path().join("m"), &["--mpi"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--features mpi"));
}

/// A second sweep into a folder that a running sweep holds stops at once with one line,
/// and writes nothing; once the first lets go, the folder is usable again.
#[test]
fn a_folder_in_use_by_another_sweep_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "small.toml", SMALL);
    let out = tmp.path().join("busy");
    std::fs::create_dir_all(&out).unwrap();
    let holder = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(out.join("sweep.lock"))
        .unwrap();
    holder.try_lock().expect("the test takes the lock first");
    let refused = sweep(&exp, &out, &[]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(err.contains("another sweep is writing into"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!out.join("runs.csv").exists());
    drop(holder);
    let ok = sweep(&exp, &out, &[]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.join("summary.csv").exists());
}

/// Two scenarios, one cell each: the flood keeps its shock at 150 days, the epidemic's
/// ends later and is dropped.
const TWO_SCENARIOS: &str = r#"
name = "recorded"
seed = 3
scenarios = ["xcity-flood", "xcity-epidemic"]
regimes = ["linkage"]
replicates = 2
ticks = 150
residents = 1500
"#;

/// `scenario-<k>.toml` is the k-th entry of `scenarios` as run (after `ticks` and
/// `residents`, with every regime), the same bytes in every shard and in the merge, and
/// an earlier sweep's extra scenario files are removed.
#[test]
fn each_scenario_is_recorded_as_run_in_every_shard_and_the_merge() {
    use linkage::scenario::Scenario;
    let tmp = tempfile::tempdir().unwrap();
    let exp = write(tmp.path(), "two.toml", TWO_SCENARIOS);
    let whole = tmp.path().join("whole");
    succeeds(&mut sweep_cmd(&exp, &whole, &[]));
    for (k, name) in ["xcity-flood", "xcity-epidemic"].iter().enumerate() {
        let text = std::fs::read_to_string(whole.join(format!("scenario-{k}.toml"))).unwrap();
        let mut want = Scenario::load(name).unwrap().with_ticks(150);
        want.run.residents = 1500;
        assert_eq!(text, want.to_toml(), "scenario-{k}.toml is {name} as run");
        let read =
            Scenario::load(whole.join(format!("scenario-{k}.toml")).to_str().unwrap()).unwrap();
        assert_eq!(read.regimes.len(), 3, "every regime, not only the ones run");
        assert_eq!(
            read.shocks.is_empty(),
            k == 1,
            "the epidemic's shock is dropped"
        );
    }
    assert!(!whole.join("scenario-2.toml").exists());
    for k in 1..=2 {
        let shard = tmp.path().join(format!("s{k}"));
        succeeds(&mut sweep_cmd(
            &exp,
            &shard,
            &["--shard", &format!("{k}/2")],
        ));
    }
    let merged = tmp.path().join("m");
    succeeds(
        linkage()
            .arg("merge")
            .args(["s1", "s2"].map(|s| tmp.path().join(s)))
            .arg("--out")
            .arg(&merged),
    );
    for dir in ["s1", "s2", "m"].map(|s| tmp.path().join(s)) {
        for f in ["scenario-0.toml", "scenario-1.toml", "experiment.toml"] {
            assert_eq!(
                std::fs::read(whole.join(f)).unwrap(),
                std::fs::read(dir.join(f)).unwrap(),
                "{f} of {}",
                dir.display()
            );
        }
    }
    // Restarted with one scenario, the folder records one.
    let one = write(
        tmp.path(),
        "one.toml",
        &TWO_SCENARIOS.replace(r#", "xcity-epidemic""#, ""),
    );
    succeeds(&mut sweep_cmd(&one, &whole, &["--restart"]));
    assert!(whole.join("scenario-0.toml").exists());
    assert!(!whole.join("scenario-1.toml").exists());
}

fn sweep_cmd(exp: &Path, out: &Path, extra: &[&str]) -> assert_cmd::Command {
    let mut c = linkage();
    c.arg("sweep")
        .arg(exp)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra);
    c
}
