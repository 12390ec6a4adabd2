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
            vec![":2:1", "shocks[0].intensity: is missing"],
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
            vec!["run: is missing", "without `extends`"],
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

/// A population without ties is allowed (`strong_ties = 0`, `weak_ties = 0`) and must
/// run: the gather's prefetch of a row 32 residents ahead once indexed past the end of
/// an empty tie list.
#[test]
fn a_population_without_ties_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("alone.toml");
    std::fs::write(
        &p,
        "extends = \"xcity-baseline\"\nname = \"alone\"\n[run]\nresidents = 3000\nticks = 120\nburn_in = 10\n[population]\nstrong_ties = 0\nweak_ties = 0\n",
    )
    .unwrap();
    succeeds(
        linkage()
            .args([
                "run",
                "--quiet",
                "--regime",
                "linkage",
                "--warmup",
                "0",
                "--no-twin",
            ])
            .args(["--threads", "2", "--scenario"])
            .arg(&p)
            .arg("--out")
            .arg(tmp.path().join("run")),
    );
    assert!(tmp.path().join("run").join("summary.csv").exists());
}

/// The machine's total memory in bytes, as the binary reads it.
fn machine_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line
        .trim_start_matches("MemTotal:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

#[test]
fn counts_densities_and_sizes_have_upper_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let head = "extends = \"xcity-baseline\"\n";
    let huge = "1.7976931348623157e308";
    let cases = [
        (
            "organisations_rural",
            format!("{head}[organisations]\nper_community_rural = {huge}\n"),
            vec![
                "organisations_rural.toml:3:1",
                "organisations.per_community_rural",
                "is 1.7976931348623157e308",
                "from 0 to 1000",
            ],
        ),
        (
            "organisations_urban",
            format!("{head}[organisations]\nper_community_urban = {huge}\n"),
            vec!["organisations.per_community_urban", "from 0 to 1000"],
        ),
        (
            "staff",
            format!("{head}[government]\ngrid_staff_urban = {huge}\n"),
            vec!["government.grid_staff_urban", "from 0 to 1000"],
        ),
        (
            "issue_rate",
            format!("{head}[issues.routine]\nrate = 5000.0\n"),
            vec!["issues.routine.rate", "from 0 to 1000"],
        ),
        (
            "ties",
            format!("{head}[population]\nstrong_ties = 4294967295\n"),
            vec!["population.strong_ties", "from 0 to 100"],
        ),
        (
            "grids",
            format!("{head}[run]\nresidents = 100000000\n[territory]\ngrid_size_rural = 1\n"),
            vec!["territory.grid_size_rural", "at most 2000000 grids"],
        ),
        (
            "shock_past_the_end_of_u32",
            format!(
                "{head}[[shocks]]\nkind = \"flood\"\nstart = 4294967295\nduration = 1\nintensity = 0.5\n[shocks.target]\n"
            ),
            vec!["shocks[0].start", "is 4294967295", "not inside the run"],
        ),
    ];
    for (case, text, expect) in &cases {
        refused(d, case, text.as_bytes(), expect);
    }
    // The wrapping sum is not mistaken for a zero duration.
    let err = String::from_utf8_lossy(
        &linkage()
            .arg("check")
            .arg(d.join("shock_past_the_end_of_u32.toml"))
            .output()
            .unwrap()
            .stderr,
    )
    .into_owned();
    assert!(!err.contains("is 0"), "{err}");
}

#[test]
fn a_scenario_larger_than_the_machine_is_refused_with_an_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("big.toml");
    // Within every bound, but about 120 GB: 100 million residents with 200 ties each.
    std::fs::write(
        &p,
        "extends = \"xcity-baseline\"\n[run]\nresidents = 100000000\n[population]\nstrong_ties = 100\nweak_ties = 100\n",
    )
    .unwrap();
    let mut s = Scenario::load(p.to_str().unwrap()).unwrap();
    let needed = linkage::engine::memory::world_bytes(&s, 3);
    // CI's machine (24 GiB, Linux) must check this; elsewhere it may not apply.
    let under_ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    let Some(total) = machine_bytes() else {
        assert!(
            !under_ci,
            "no /proc/meminfo under CI: the refusal is not checked"
        );
        eprintln!("no /proc/meminfo: nothing is refused for its size here");
        return;
    };
    assert!(needed > 100 << 30, "{needed}");
    if total >= needed {
        assert!(
            !under_ci,
            "CI's machine has {total} bytes: the refusal is not checked"
        );
        eprintln!("this machine has {total} bytes: the scenario fits, not refused");
        return;
    }
    for args in [
        vec!["check".to_string(), p.display().to_string()],
        vec![
            "run".to_string(),
            "--quiet".to_string(),
            "--scenario".to_string(),
            p.display().to_string(),
            "--out".to_string(),
            tmp.path().join("run").display().to_string(),
        ],
    ] {
        let out = linkage().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("big.toml") && err.contains("GB of memory") && err.contains("machine's"),
            "{err}"
        );
    }
    assert!(!tmp.path().join("run").exists(), "refused before writing");
    // A sweep refuses its runs' scenarios too.
    let e = tmp.path().join("e.toml");
    std::fs::write(
        &e,
        "name = \"big\"\nseed = 1\nscenarios = [\"big.toml\"]\nregimes = [\"linkage\"]\nreplicates = 1\n",
    )
    .unwrap();
    let out = linkage()
        .args(["sweep", "--quiet", "--threads", "1"])
        .arg(&e)
        .arg("--out")
        .arg(tmp.path().join("sweep"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("e.toml") && err.contains("GB of memory"),
        "{err}"
    );
    s.run.residents = 1000;
    assert!(linkage::engine::memory::world_bytes(&s, 3) < 100 << 20);
}

#[test]
fn input_files_that_are_not_regular_or_too_large_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let expect_refused = |args: &[&std::ffi::OsStr], fragments: &[&str]| {
        let out = linkage()
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        for f in fragments {
            assert!(err.contains(f), "{args:?}: {f:?} in {err}");
        }
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    // extends = a device, directly or through a symlink.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/dev/zero", d.join("zero.toml")).unwrap();
        for (case, parent) in [
            ("zero", "/dev/zero"),
            ("urandom", "/dev/urandom"),
            ("link", "zero.toml"),
        ] {
            let p = d.join(format!("{case}.extends.toml"));
            std::fs::write(&p, format!("extends = \"{parent}\"\n")).unwrap();
            expect_refused(
                &[&os("check"), p.as_os_str()],
                &[
                    ".extends.toml:1:1",
                    "character device",
                    "not a regular file",
                ],
            );
        }
        expect_refused(
            &[
                &os("run"),
                &os("--scenario"),
                &os("/dev/zero"),
                &os("--quiet"),
            ],
            &["/dev/zero", "character device"],
        );
        // A FIFO would block a reader forever.
        let fifo = d.join("fifo.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        expect_refused(&[&os("check"), fifo.as_os_str()], &["fifo.toml", "FIFO"]);
        expect_refused(
            &[&os("sweep"), fifo.as_os_str(), &os("--quiet")],
            &["experiment file", "fifo.toml", "FIFO"],
        );
    }
    // A folder, and a file over the 16 MiB cap (sparse: no disk used).
    expect_refused(&[&os("check"), d.as_os_str()], &["not a regular file"]);
    let big = d.join("big.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    expect_refused(&[&os("check"), big.as_os_str()], &["big.toml", "16 MiB"]);
    expect_refused(&[&os("sweep"), big.as_os_str()], &["big.toml", "16 MiB"]);
}

#[test]
fn a_thousand_part_dotted_key_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    let key = vec!["a"; 1000].join(".");
    for (case, text) in [
        ("key", format!("extends = \"xcity-baseline\"\n{key} = 1\n")),
        (
            "table",
            format!("extends = \"xcity-baseline\"\n\n[{key}]\n"),
        ),
    ] {
        let p = tmp.path().join(format!("{case}.toml"));
        std::fs::write(&p, text).unwrap();
        let out = linkage().arg("check").arg(&p).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let line = if case == "key" { 2 } else { 3 };
        assert!(
            err.contains(&format!("{case}.toml:{line}:")) && err.contains("fewer than 80 parts"),
            "{err}"
        );
    }
}

#[test]
fn a_problem_inside_a_restated_list_is_located_in_the_file_that_restates_it() {
    // Lists replace the parent's: the shock without `kind` is this file's, even though
    // the parent (xcity-flood) has a `kind` at the same place.
    let tmp = tempfile::tempdir().unwrap();
    refused(
        tmp.path(),
        "restated",
        b"extends = \"xcity-flood\"\n\n[[shocks]]\nstart = 120\nduration = 30\nintensity = 0.8\n[shocks.target]\n",
        &["restated.toml:3:1: shocks[0].kind: is missing"],
    );
}
