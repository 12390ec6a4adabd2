//! `linkage bench` and the cost figures of `linkage run`: the record is complete and
//! consistent. Nothing here is timed; the speed targets are checked by `linkage bench
//! --check` and `cargo bench`, not by tests.

mod common;
use common::linkage;

#[test]
fn bench_json_record_has_every_figure_and_same_results_across_threads() {
    let out = linkage()
        .args([
            "bench",
            "--sizes",
            "2000,20000",
            "--threads",
            "1,2",
            "--ticks",
            "5",
        ])
        .args(["--no-full-city", "--no-scaling", "--json", "--quiet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The table goes to stderr, the record alone to stdout.
    assert!(stderr.contains("ms/tick") && stderr.contains("speed-up 1 → 2 threads"));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "one JSON record: {stdout}"
    );
    let rec: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let ms = rec["measurements"].as_array().unwrap();
    assert_eq!(ms.len(), 4);
    for m in ms {
        let n = m["residents"].as_f64().unwrap();
        let rate = m["resident_ticks_per_second"].as_f64().unwrap();
        let per_tick = m["ms_per_tick"].as_f64().unwrap();
        let threads = m["threads"].as_f64().unwrap();
        assert!(rate > 0.0 && per_tick > 0.0);
        // The figures agree with each other.
        assert!((rate * per_tick / 1e3 / n - 1.0).abs() < 1e-6, "{m}");
        let per_core = m["resident_ticks_per_second_per_core"].as_f64().unwrap();
        assert!((per_core * threads / rate - 1.0).abs() < 1e-9);
        assert_eq!(m["ticks"], 5);
        if cfg!(target_os = "linux") {
            let peak = m["peak_bytes"].as_f64().unwrap();
            assert!(peak > 1e6, "{m}");
            assert!((m["peak_bytes_per_resident"].as_f64().unwrap() * n / peak - 1.0).abs() < 1e-9);
        }
    }
    // The same size ends in the same state on 1 and 2 threads.
    for n in [2000, 20000] {
        let sums: Vec<&serde_json::Value> = ms
            .iter()
            .filter(|m| m["residents"] == n)
            .map(|m| &m["checksum"])
            .collect();
        assert_eq!(sums.len(), 2);
        assert_eq!(sums[0], sums[1], "{n} residents");
    }
    assert_eq!(rec["speedup"].as_array().unwrap().len(), 2);
    assert!(rec["cost_ratio_10x"].as_f64().unwrap() > 0.0);
    assert!(rec["full_city"].is_null());
    assert!(rec["scaling"].is_null());
    // The machine's memory was probed and the hot loop set against it.
    assert!(rec["memory"]["read_gb_s_1_thread"].as_f64().unwrap() > 0.0);
    assert!(rec["memory"]["random_load_ns"].as_f64().unwrap() > 0.0);
    // The core's clock, at the start and the end (x86-64 only): within what a core
    // runs at, so a chain folded away (infinite) or stalled (near zero) fails.
    if cfg!(target_arch = "x86_64") {
        for at in ["start_ghz", "end_ghz"] {
            let ghz = rec["clock"][at].as_f64().unwrap();
            assert!((0.5..8.0).contains(&ghz), "clock {at} {ghz} GHz");
        }
    }
    let bytes = rec["roofline"]["bytes_per_resident_tick"].as_f64().unwrap();
    assert!(
        (150.0..400.0).contains(&bytes),
        "{bytes} bytes a resident-tick"
    );
    assert_eq!(rec["roofline"]["residents"], 20000);
    let targets = rec["targets"].as_array().unwrap();
    let same = targets
        .iter()
        .find(|t| t["name"] == "same results whatever the thread count")
        .expect("the determinism check is listed");
    assert_eq!(same["pass"], true);
    assert!(
        targets
            .iter()
            .any(|t| t["name"].as_str().unwrap().starts_with("speed-up"))
    );
    assert!(
        targets
            .iter()
            .any(|t| t["name"].as_str().unwrap().starts_with("cost linear"))
    );
}

/// `--quick` measures whole runs and sweeps small: the figures agree with each other,
/// and a run or a sweep writes the same files on 1 and 2 threads.
#[test]
fn bench_quick_measures_whole_runs_and_sweeps_with_the_same_files_on_any_thread_count() {
    let out = linkage()
        .args(["bench", "--quick", "--json", "--quiet"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("whole run (linkage run") && stderr.contains("runs/s"));
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sc = &rec["scaling"];
    let whole = sc["whole_runs"].as_array().unwrap();
    assert_eq!(whole.len(), 2);
    assert_eq!(whole[0]["threads"], 1);
    assert_eq!(whole[1]["threads"], 2);
    assert_eq!(whole[0]["checksum"], whole[1]["checksum"]);
    let x = sc["whole_run_speedup"].as_f64().unwrap();
    let s0 = whole[0]["seconds"].as_f64().unwrap();
    let s1 = whole[1]["seconds"].as_f64().unwrap();
    assert!((x - s0 / s1).abs() < 1e-9);
    let sweeps = sc["sweeps"].as_array().unwrap();
    // The long sweep on 1 and 2 threads, the short one on 2.
    assert_eq!(sweeps.len(), 3);
    for m in sweeps {
        let runs = m["runs"].as_f64().unwrap();
        let seconds = m["seconds"].as_f64().unwrap();
        let per_s = m["runs_per_second"].as_f64().unwrap();
        assert!((per_s * seconds / runs - 1.0).abs() < 1e-9, "{m}");
        let work = runs * m["residents"].as_f64().unwrap() * m["ticks"].as_f64().unwrap();
        let rate = m["resident_ticks_per_second"].as_f64().unwrap();
        assert!((rate * seconds / work - 1.0).abs() < 1e-9, "{m}");
        if cfg!(target_os = "linux") {
            assert!(m["peak_bytes"].as_f64().unwrap() > 1e6, "{m}");
        }
    }
    assert_eq!(sweeps[0]["checksum"], sweeps[1]["checksum"]);
    assert!(sc["sweep_speedup"].as_f64().unwrap() > 0.0);
    if cfg!(target_os = "linux") {
        assert!(sc["sweep_memory_growth"].as_f64().unwrap() > 0.0);
    }
    let targets = rec["targets"].as_array().unwrap();
    for name in [
        "a whole run's files, whatever the thread count",
        "a sweep's files, whatever the thread count",
    ] {
        let t = targets
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} is listed"));
        assert_eq!(t["pass"], true, "{t}");
    }
}

#[test]
fn bench_refuses_bad_input_with_one_line() {
    for args in [
        &["bench", "--sizes", "5"][..],
        &["bench", "--threads", "0"],
        &["bench", "--regime", "nope", "--quick"],
        &["bench", "--scenario", "no-such.toml", "--quick"],
    ] {
        let out = linkage().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn run_reports_build_and_tick_time_and_peak_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let out = linkage()
        .args([
            "run",
            "--regime",
            "linkage",
            "--residents",
            "2000",
            "--ticks",
            "5",
        ])
        .args(["--threads", "1", "--out"])
        .arg(tmp.path().join("r"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("s building") && err.contains("ms a tick"),
        "{err}"
    );
    if cfg!(target_os = "linux") {
        assert!(err.contains("bytes a resident"), "{err}");
    }
}
