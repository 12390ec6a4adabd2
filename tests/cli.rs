//! The real `linkage` binary, driven as a user would: a small run writes its table and
//! files; bad input gets one line on stderr, exit code 2, and leaves nothing behind.

mod common;
use common::linkage;

use std::fs;
use std::path::Path;

/// A run small enough for a test: 3,000 residents, 160 days (the flood still fits).
fn small_run(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = linkage();
    cmd.args([
        "run",
        "--residents",
        "3000",
        "--ticks",
        "160",
        "--quiet",
        "--out",
    ])
    .arg(out)
    .args(extra);
    cmd.assert()
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Nothing but the listed entries in `dir` (no temporary folders left behind).
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn run_prints_the_comparison_and_writes_the_run_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let a = small_run(&out, &[]).success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    for regime in ["fragmented", "integrated", "linkage"] {
        assert!(stdout.contains(regime), "table lacks {regime}:\n{stdout}");
    }
    for col in [
        "solved",
        "median d",
        "p90 d",
        "trust end",
        "U-R gap",
        "incidents",
        "incident-d",
        "protester-d",
        "staff-h",
        "recovery",
        "loss",
        "response",
        "closure",
        "solution",
        "satisfied",
        "reopened",
        "latent",
        "trips/solved",
        "petitions",
    ] {
        assert!(stdout.contains(col), "table lacks column {col}:\n{stdout}");
    }
    assert_eq!(
        entries(&out),
        [
            "incidents.csv",
            "params.toml",
            "summary.csv",
            "territory.csv",
            "ticks.csv"
        ]
    );
    assert_eq!(
        entries(tmp.path()),
        ["run"],
        "no temporary folder left behind"
    );

    let ticks = fs::read_to_string(out.join("ticks.csv")).unwrap();
    let header = ticks.lines().next().unwrap();
    assert!(header.starts_with("tick,regime,unit,created,resolved,expired,open"));
    // 160 ticks × 3 regimes × (6 counties + city), plus the header.
    assert_eq!(ticks.lines().count(), 1 + 160 * 3 * 7);
    assert!(ticks.lines().any(|l| l.contains(",linkage,city,")));
    assert!(
        ticks
            .lines()
            .flat_map(|l| l.split(','))
            .all(|c| !["NaN", "inf", "-inf"].contains(&c)),
        "no NaN or infinite cell"
    );

    let summary = fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 4);
    assert!(
        summary
            .lines()
            .next()
            .unwrap()
            .contains("service_rate_recovery_days")
    );
    collective_action_is_summed_from_the_days(&ticks, &summary);
}

/// `summary.csv`'s `incidents`, `incident_days` and `protester_days` are the city rows of
/// `ticks.csv` summed over days: onsets, communities in an incident, protesters.
fn collective_action_is_summed_from_the_days(ticks: &str, summary: &str) {
    let col = |header: &str, name: &str| header.split(',').position(|h| h == name).unwrap();
    let th = ticks.lines().next().unwrap();
    let sh = summary.lines().next().unwrap();
    for (tick_col, summary_col) in [
        ("incidents_new", "incidents"),
        ("incidents_active", "incident_days"),
        ("protesters", "protester_days"),
    ] {
        let (t, s) = (col(th, tick_col), col(sh, summary_col));
        for row in summary.lines().skip(1) {
            let cells: Vec<&str> = row.split(',').collect();
            let summed: u64 = ticks
                .lines()
                .skip(1)
                .map(|l| l.split(',').collect::<Vec<_>>())
                .filter(|c| c[1] == cells[0] && c[2] == "city")
                .map(|c| c[t].parse::<u64>().unwrap())
                .sum();
            assert_eq!(
                cells[s].parse::<u64>().unwrap(),
                summed,
                "{summary_col} of {} is {tick_col} summed over days",
                cells[0]
            );
        }
    }
}

#[test]
fn params_toml_repeats_the_run_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    small_run(&first, &["--regime", "linkage,fragmented", "--seed", "7"]).success();
    let second = tmp.path().join("second");
    linkage()
        .args(["run", "--quiet", "--scenario"])
        .arg(first.join("params.toml"))
        .arg("--out")
        .arg(&second)
        .assert()
        .success();
    assert_eq!(
        fs::read(first.join("ticks.csv")).unwrap(),
        fs::read(second.join("ticks.csv")).unwrap()
    );
    assert_eq!(
        fs::read(first.join("summary.csv")).unwrap(),
        fs::read(second.join("summary.csv")).unwrap()
    );
    // It says what produced it: the version and the source revision.
    let params = fs::read_to_string(first.join("params.toml")).unwrap();
    let head = params.lines().next().unwrap();
    assert!(
        head.starts_with(&format!(
            "# linkage {} (source revision ",
            env!("CARGO_PKG_VERSION")
        )),
        "{head}"
    );
}

/// `--warmup` sets the days stepped before day 0: params.toml records it (so the run
/// repeats), and a run without it starts elsewhere.
#[test]
fn the_warm_up_is_an_option_recorded_in_params() {
    let tmp = tempfile::tempdir().unwrap();
    let (cold, warm) = (tmp.path().join("cold"), tmp.path().join("warm"));
    small_run(&cold, &["--regime", "linkage", "--warmup", "0"]).success();
    small_run(&warm, &["--regime", "linkage", "--warmup", "30"]).success();
    let params = fs::read_to_string(cold.join("params.toml")).unwrap();
    assert!(params.contains("warmup = 0"), "{params}");
    assert_ne!(
        fs::read(cold.join("ticks.csv")).unwrap(),
        fs::read(warm.join("ticks.csv")).unwrap()
    );
}

#[test]
fn output_bytes_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    small_run(&one, &["--threads", "1"]).success();
    small_run(&two, &["--threads", "2"]).success();
    for f in ["ticks.csv", "summary.csv", "params.toml"] {
        assert_eq!(
            fs::read(one.join(f)).unwrap(),
            fs::read(two.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn regimes_can_be_chosen_by_repeating_or_by_commas() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    small_run(&a, &["--regime", "linkage,fragmented"]).success();
    let summary = fs::read_to_string(a.join("summary.csv")).unwrap();
    assert!(
        summary.contains("\nlinkage,")
            && summary.contains("\nfragmented,")
            && !summary.contains("\nintegrated,")
    );
    let b = tmp.path().join("b");
    small_run(&b, &["--regime", "integrated", "--regime", "linkage"]).success();
    assert_eq!(
        fs::read_to_string(b.join("summary.csv"))
            .unwrap()
            .lines()
            .count(),
        3
    );
}

#[test]
fn set_changes_a_parameter_before_the_run_options_and_params_toml_records_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (plain, set) = (tmp.path().join("plain"), tmp.path().join("set"));
    let regime = ["--regime", "linkage"];
    small_run(&plain, &regime).success();
    small_run(
        &set,
        &[
            "--regime",
            "linkage",
            "--set",
            "regimes.linkage.social=0.9",
            "--set",
            "run.residents=5000",
        ],
    )
    .success();
    let params = fs::read_to_string(set.join("params.toml")).unwrap();
    assert!(params.contains("\nsocial = 0.9\n"), "{params}");
    // --residents (3,000 in small_run) applies after the settings.
    assert!(params.contains("residents = 3000"), "{params}");
    assert_ne!(
        fs::read(plain.join("ticks.csv")).unwrap(),
        fs::read(set.join("ticks.csv")).unwrap(),
        "the setting changes the run"
    );
    // params.toml repeats the run with the setting, without --set.
    let again = tmp.path().join("again");
    let mut cmd = linkage();
    cmd.args(["run", "--quiet", "--scenario"])
        .arg(set.join("params.toml"))
        .arg("--out")
        .arg(&again);
    cmd.assert().success();
    assert_eq!(
        fs::read(set.join("ticks.csv")).unwrap(),
        fs::read(again.join("ticks.csv")).unwrap()
    );
}

#[test]
fn a_bad_set_is_rejected() {
    rejects(
        &["run", "--set", "regimes.linkage.socail=0.5"],
        &[
            "regimes.linkage.socail: is not a numeric parameter of scenario xcity-flood",
            "linkage params",
        ],
    );
    rejects(
        &["run", "--set", "regimes.linkage.social"],
        &["is not PATH=VALUE", "e.g. regimes.linkage.social=0.5"],
    );
    rejects(
        &["run", "--set", "regimes.linkage.social=lots"],
        &["'lots' is not a number"],
    );
    rejects(
        &["run", "--set", "regimes.linkage.social=7"],
        &["regimes.linkage.social"],
    );
}

/// Bad input: exit 2, a single line on stderr that names the problem and what is
/// allowed, and no output folder.
fn rejects(args: &[&str], expect: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut cmd = linkage();
    cmd.args(args).arg("--out").arg(&out).arg("--quiet");
    let a = cmd.assert().code(2);
    let err = stderr_of(&a);
    assert_one_line(&err, args, expect);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "nothing may be written for {args:?}");
    assert!(
        entries(tmp.path()).is_empty(),
        "no temporary files for {args:?}: {:?}",
        entries(tmp.path())
    );
}

#[test]
fn unknown_regime_is_rejected() {
    rejects(
        &["run", "--regime", "anarchy"],
        &[
            "unknown regime 'anarchy'",
            "fragmented, integrated, linkage",
        ],
    );
}

#[test]
fn zero_or_negative_tick_counts_are_rejected() {
    rejects(&["run", "--ticks", "0"], &["tick count", "from 1"]);
    rejects(&["run", "--ticks", "-5"], &["tick count", "from 1"]);
    rejects(&["run", "--ticks", "ten"], &["tick count", "whole number"]);
}

#[test]
fn bad_seeds_are_rejected() {
    rejects(&["run", "--seed", "-1"], &["seed", "whole number from 0"]);
    rejects(&["run", "--seed", "1.5"], &["seed", "whole number from 0"]);
    rejects(
        &["run", "--seed", "99999999999999999999999"],
        &["seed", "9223372036854775807"],
    );
    rejects(
        &["run", "--seed", "9223372036854775808"],
        &["seed", "9223372036854775807"],
    );
}

#[test]
fn bad_sizes_and_threads_are_rejected() {
    rejects(&["run", "--residents", "10"], &["resident count", "100"]);
    rejects(&["run", "--warmup", "3651"], &["warm-up", "0 to 3650"]);
    rejects(&["run", "--threads", "0"], &["thread count", "from 1"]);
}

#[test]
fn unknown_scenario_is_rejected() {
    rejects(
        &["run", "--scenario", "atlantis"],
        &["unknown scenario 'atlantis'", "xcity-flood"],
    );
    rejects(
        &["run", "--scenario", "/nonexistent/city.toml"],
        &["cannot read scenario file"],
    );
}

#[test]
fn a_malformed_scenario_file_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    fs::write(&bad, "name = \"x\"\nnot toml at all [[[\n").unwrap();
    rejects(
        &["run", "--scenario", bad.to_str().unwrap()],
        &["bad.toml:2:5", "not valid TOML"],
    );
}

#[test]
fn unwritable_output_folder_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    fs::write(&file, "x").unwrap();
    // A path under a regular file cannot be created.
    let a = linkage()
        .args([
            "run",
            "--quiet",
            "--residents",
            "200",
            "--ticks",
            "2",
            "--out",
        ])
        .arg(file.join("run"))
        .assert()
        .code(2);
    let err = stderr_of(&a);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("cannot write output folder"), "{err}");
    // An existing file where the folder should be.
    let a = linkage()
        .args([
            "run",
            "--quiet",
            "--residents",
            "200",
            "--ticks",
            "2",
            "--out",
        ])
        .arg(&file)
        .assert()
        .code(2);
    assert!(stderr_of(&a).contains("is not a folder"));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "x",
        "the file is untouched"
    );
    assert_eq!(entries(tmp.path()), ["a-file"]);
}

#[test]
fn scenarios_are_listed() {
    let a = linkage().arg("scenarios").assert().success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(out.contains("xcity-flood") && out.contains("xcity-baseline"));
}

#[test]
fn help_exits_zero_and_missing_command_exits_two() {
    linkage().arg("--help").assert().success();
    linkage().assert().code(2);
}

/// `err` is one line that contains every one of `expect`.
fn assert_one_line(err: &str, args: &[&str], expect: &[&str]) {
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected for {args:?}, got:\n{err}"
    );
    for e in expect {
        assert!(
            err.contains(e),
            "stderr for {args:?} should mention {e:?}:\n{err}"
        );
    }
}

/// Exit 2 and one line on stderr that contains every one of `expect`.
fn one_line_error(args: &[&str], expect: &[&str]) {
    let a = linkage().args(args).assert().code(2);
    let err = stderr_of(&a);
    assert_one_line(&err, args, expect);
    assert!(a.get_output().stdout.is_empty(), "{args:?}");
}

#[test]
fn missing_arguments_are_named() {
    one_line_error(
        &["merge", "--out", "m"],
        &[
            "required arguments were not provided: <DIRS>...",
            "linkage merge --help",
        ],
    );
    one_line_error(
        &["merge", "a", "b"],
        &["required arguments were not provided: --out <OUT>"],
    );
    one_line_error(&["merge"], &["<DIRS>...", "--out <OUT>"]);
    one_line_error(
        &["check"],
        &["not provided: <SCENARIO>", "linkage check --help"],
    );
    one_line_error(&["report"], &["not provided: <DIR>"]);
}

#[test]
fn other_argument_errors_keep_their_particulars() {
    // The allowed values of a value enum.
    one_line_error(
        &["epstein", "--rule", "ceiling"],
        &[
            "invalid value 'ceiling' for '--rule <RULE>'",
            "literal, floor, round",
        ],
    );
    one_line_error(
        &["report", ".", "--lang", "fr"],
        &["invalid value 'fr'", "possible values: en"],
    );
    // A misspelt option, with clap's suggestion.
    one_line_error(
        &["run", "--regme", "linkage"],
        &["'--regme'", "tip:", "'--regime'"],
    );
    one_line_error(
        &["frobnicate"],
        &["unrecognized subcommand 'frobnicate'", "linkage --help"],
    );
    one_line_error(
        &["run", "--threads"],
        &["a value is required for '--threads"],
    );
    one_line_error(
        &["run", "--quiet", "--quiet"],
        &["'--quiet' cannot be used multiple times"],
    );
    one_line_error(
        &["validate", "epstein", "drift"],
        &["unexpected argument 'drift'"],
    );
}

/// `linkage params` lists every numeric parameter of the scenario, each with a unit and a
/// source, and says the command that made the page.
#[test]
fn params_lists_every_parameter_of_the_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("parameters.md");
    common::succeeds(linkage().args(["params", "--quiet", "--out"]).arg(&out));
    let page = fs::read_to_string(&out).unwrap();
    let s = linkage::scenario::Scenario::load("xcity-flood").unwrap();
    let leaves = linkage::scenario::sources::leaves(&s);
    assert!(leaves.len() > 150, "{} parameters", leaves.len());
    for leaf in &leaves {
        assert!(
            page.contains(&format!("\n| `{}` |", leaf.path)),
            "no row for {}",
            leaf.path
        );
    }
    assert!(
        !page.contains("**missing**"),
        "every parameter has a source"
    );
    assert!(page.contains("Generated by `linkage params --scenario xcity-flood --out "));
    assert_eq!(entries(tmp.path()), ["parameters.md"]);
}

/// `--influence` runs each side of each parameter and reports the change of every
/// headline metric; the page does not depend on the thread count.
#[test]
fn params_influence_measures_both_sides_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let page = |threads: &str| {
        // The same file name in two folders: the page names its --out.
        let dir = tmp.path().join(threads);
        fs::create_dir(&dir).unwrap();
        let out = dir.join("p.md");
        common::succeeds(
            linkage()
                .args([
                    "params",
                    "--influence",
                    "--residents",
                    "300",
                    "--ticks",
                    "40",
                ])
                .args([
                    "--only",
                    "government.patrol",
                    "--quiet",
                    "--threads",
                    threads,
                ])
                .arg("--out")
                .arg(&out),
        );
        let text = fs::read_to_string(&out).unwrap();
        text.replace(&format!("{}", tmp.path().display()), "TMP")
    };
    let one = page("1");
    assert_eq!(
        one,
        page("2").replace("TMP/2/", "TMP/1/"),
        "the same page on 1 and 2 threads"
    );
    assert!(one.contains("## Most influential"));
    assert!(one.contains("--influence --scenario xcity-flood --residents 300 --ticks 40"));
    let row = one
        .lines()
        .find(|l| l.starts_with("| `government.patrol_rate` |"))
        .expect("a row for patrol_rate");
    let cells: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cells.len(), 10, "{row}");
    assert_eq!(cells[4], "0.24 / 0.36", "the values tried: {row}");
    // Solution rate, trust and staff-hours change on each side; protester- and
    // incident-days may be none at all in so small a city (issue 13: protest is of
    // adults, costly and tiring), so their change is n/a.
    for (k, effect) in cells[5..].iter().enumerate() {
        let measured = effect.chars().any(|c| c.is_ascii_digit());
        assert!(
            effect.contains(" / ") && (measured || k == 2 || k == 3),
            "a change on each side: {row}"
        );
    }
    assert!(!one.contains("| `population."), "--only keeps the rest out");
}

#[test]
fn params_rejects_what_it_cannot_do() {
    rejects(
        &["params", "--only", "nothing."],
        &["--only 'nothing.'", "matches no parameter", "government"],
    );
    rejects(
        &["params", "--influence", "--regime", "anarchy"],
        &["unknown regime 'anarchy'", "linkage"],
    );
    rejects(&["params", "--residents", "10"], &["resident count", "100"]);
}

/// A scenario with a second regime set exactly as `linkage`: the two must come out alike.
const TWINS: &str = r#"
extends = "xcity-baseline"
name = "twins"

[regimes.linkage-again]
information_sharing = 0.8
vertical = 0.8
horizontal = 0.8
social = 0.8
spatial = 0.6
pooling = 0.5
central_routing = 0.15
grid_first = 0.8
coordination_cost = 0.25
supervision = 0.6
"#;

/// `(mean, low, high)` of a cell written "0.512 (0.503–0.521)" or "1.00 (-1.48 to 3.48)".
fn interval_cell(cell: &str) -> Option<(f64, f64, f64)> {
    let (mean, rest) = cell.split_once(" (")?;
    let rest = rest.strip_suffix(')')?;
    let (lo, hi) = rest.split_once(" to ").or_else(|| rest.split_once('–'))?;
    Some((mean.parse().ok()?, lo.parse().ok()?, hi.parse().ok()?))
}

/// `--replicates 2`: the folder's usual files are replicate 1's, byte for byte those of
/// the same run without replicates; replicates.csv has each regime twice, replicate 1
/// with the run's own seed; every mean printed lies in its interval; two regimes set
/// alike cannot be told apart, and the report says so too.
#[test]
fn replicates_give_intervals_and_say_when_regimes_cannot_be_told_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("twins.toml");
    fs::write(&scenario, TWINS).unwrap();
    let run = |out: &Path, extra: &[&str]| {
        let mut cmd = linkage();
        cmd.args([
            "run",
            "--residents",
            "300",
            "--ticks",
            "20",
            "--warmup",
            "0",
        ])
        .args(["--regime", "fragmented,linkage,linkage-again", "--quiet"])
        .arg("--scenario")
        .arg(&scenario)
        .arg("--out")
        .arg(out)
        .args(extra);
        let a = cmd.assert().success();
        String::from_utf8_lossy(&a.get_output().stdout).into_owned()
    };
    let one = tmp.path().join("one");
    let single = run(&one, &[]);
    let two = tmp.path().join("two");
    let said = run(&two, &["--replicates", "2", "--report"]);
    for f in [
        "ticks.csv",
        "summary.csv",
        "territory.csv",
        "incidents.csv",
        "params.toml",
    ] {
        assert_eq!(
            fs::read(one.join(f)).unwrap(),
            fs::read(two.join(f)).unwrap(),
            "{f} is replicate 1's"
        );
    }
    assert!(
        !one.join("replicates.csv").exists(),
        "no replicates, no file"
    );
    assert!(said.starts_with(&single), "the same table first:\n{said}");
    let csv = fs::read_to_string(two.join("replicates.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 6, "{csv}");
    for regime in ["fragmented", "linkage", "linkage-again"] {
        let mine: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == regime).collect();
        assert_eq!(mine.len(), 2, "{regime}");
        assert_eq!(
            (mine[0][1], mine[0][2]),
            ("1", "20221"),
            "replicate 1, own seed"
        );
        assert_eq!(mine[1][1], "2");
        assert_ne!(mine[1][2], "20221", "replicate 2 has its own seed");
    }
    // The intervals: every cell of the table over the replicates holds its mean.
    let table = said
        .split("each regime's mean with its 95% interval:")
        .nth(1)
        .unwrap();
    let mut cells = 0;
    // The table's rows; the sentences below it open with "metric: ".
    for line in table
        .lines()
        .filter(|l| l.contains(" (") && !l.contains(": "))
    {
        for cell in line.split("  ").map(str::trim).filter(|c| c.contains(" (")) {
            let (mean, lo, hi) = interval_cell(cell).unwrap_or_else(|| panic!("{cell:?}"));
            assert!(lo <= mean && mean <= hi, "{cell}");
            cells += 1;
        }
    }
    assert!(cells >= 3 * 8, "{cells} cells:\n{table}");
    assert!(
        said.contains("solution_rate: ")
            && said.contains("linkage and linkage-again cannot be told apart"),
        "{said}"
    );
    let html = fs::read_to_string(two.join("report.html")).unwrap();
    assert!(html.contains("Over 2 replicates: each regime's mean with its 95% interval"));
    assert!(html.contains("linkage and linkage-again cannot be told apart"));
    // Back to one replicate in the same folder: the earlier replicates.csv goes.
    run(&two, &[]);
    assert!(!two.join("replicates.csv").exists());
}

#[test]
fn zero_replicates_are_rejected() {
    rejects(
        &["run", "--replicates", "0"],
        &["replicate count", "from 1"],
    );
    rejects(
        &["run", "--replicates", "-2"],
        &["replicate count", "from 1"],
    );
}
