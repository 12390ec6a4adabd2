//! The MPI runner (cargo feature `mpi`): a 2-rank sweep under mpirun writes the same
//! runs.csv, summary.csv, series.csv and series-summary.csv, and with `--format both`
//! the same Parquet files, as the single-process sweep. `.ci/run` installs Open MPI and runs this with `--features mpi`; without
//! mpirun on the machine the test is ignored, saying why, and under `CI` it fails
//! (build.rs sets the cfgs `ci` and `has_mpirun`).
#![cfg(feature = "mpi")]

use std::process::Command;

const SMALL: &str = r#"
name = "mpi-small"
seed = 11
scenarios = ["xcity-flood"]
regimes = ["fragmented", "linkage"]
replicates = 3
ticks = 150
residents = 1500
[design]
kind = "grid"
[[factors]]
path = "mechanism.social"
values = [0.2, 0.8]
"#;

#[test]
#[cfg_attr(
    not(any(ci, has_mpirun)),
    ignore = "needs mpirun: apt-get install openmpi-bin libopenmpi-dev"
)]
fn two_ranks_write_what_one_process_writes() {
    assert!(
        Command::new("mpirun").arg("--version").output().is_ok(),
        "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev); CI must have it"
    );
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("small.toml");
    std::fs::write(&exp, SMALL).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("linkage");
    let single = Command::new(&bin)
        .arg("sweep")
        .arg(&exp)
        .args(["--quiet", "--format", "both"])
        .arg("--out")
        .arg(tmp.path().join("single"))
        .output()
        .unwrap();
    assert!(
        single.status.success(),
        "{}",
        String::from_utf8_lossy(&single.stderr)
    );
    let mpi = Command::new("mpirun")
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .args(["--oversubscribe", "-np", "2"])
        .arg(&bin)
        .arg("sweep")
        .arg(&exp)
        .args(["--mpi", "--quiet", "--format", "both", "--out"])
        .arg(tmp.path().join("mpi"))
        .output()
        .unwrap();
    assert!(
        mpi.status.success(),
        "mpirun failed:\n{}\n{}",
        String::from_utf8_lossy(&mpi.stdout),
        String::from_utf8_lossy(&mpi.stderr)
    );
    for f in [
        "runs.csv",
        "summary.csv",
        "series.csv",
        "series-summary.csv",
        "runs.parquet",
        "summary.parquet",
        "series.parquet",
        "series-summary.parquet",
    ] {
        let a = std::fs::read(tmp.path().join("single").join(f)).unwrap();
        let b = std::fs::read(tmp.path().join("mpi").join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between the 2-rank and the single-process sweep"
        );
    }
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("mpi/runs.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 12
    );
}

#[test]
fn mpi_needs_two_ranks() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = tmp.path().join("small.toml");
    std::fs::write(&exp, SMALL).unwrap();
    let out = Command::new(assert_cmd::cargo::cargo_bin("linkage"))
        .arg("sweep")
        .arg(&exp)
        .args(["--mpi", "--quiet", "--out"])
        .arg(tmp.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 2 ranks"));
}
