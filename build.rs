//! Build-time facts for the tests that need a tool from outside Rust: whether this is a
//! CI run, and which of those tools are on PATH. Nothing here affects the library or the
//! binary; the cfgs are read only by `#[cfg_attr(..., ignore = ...)]` on such tests.
//!
//! - `ci`: the environment variable `CI` is set (to anything but "", "0" or "false").
//! - `has_chromium`: `chromium`, `chromium-browser` or `google-chrome` is on PATH.
//! - `has_mpirun`: `mpirun` is on PATH.
//!
//! A test that needs a tool carries
//! `#[cfg_attr(not(any(ci, has_tool)), ignore = "needs ...: how to install it")]`: without
//! the tool it is ignored with that reason, except under CI, where it runs and fails, so
//! that CI cannot pass without checking. The cfgs are worked out again when `CI` or
//! `PATH` changes; after installing a tool into a folder already on PATH, run the ignored
//! tests with `cargo test -- --include-ignored` (or `touch build.rs`).

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=PATH");
    for cfg in ["ci", "has_chromium", "has_mpirun"] {
        println!("cargo:rustc-check-cfg=cfg({cfg})");
    }
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    if ci {
        println!("cargo:rustc-cfg=ci");
    }
    if ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .any(|t| on_path(t))
    {
        println!("cargo:rustc-cfg=has_chromium");
    }
    if on_path("mpirun") {
        println!("cargo:rustc-cfg=has_mpirun");
    }
}

/// Whether an executable file named `tool` is in a folder of PATH.
fn on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| is_executable(&dir.join(tool)))
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file() || file.with_extension("exe").is_file()
}
