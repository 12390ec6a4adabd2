//! What the integration tests that drive the binary share.
#![allow(dead_code)] // each test file uses its own part

use assert_cmd::Command;

/// The `linkage` binary of this build.
pub fn linkage() -> Command {
    Command::cargo_bin("linkage").unwrap()
}

/// Run `cmd`; fail the test with its stderr unless it exits with success.
pub fn succeeds(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
