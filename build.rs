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
    lessons();
    revision();
}

/// The source revision the binary is built from, for run and sweep folders to record
/// (`LINKAGE_REVISION`: the commit, `+modified` when the work tree differs from it;
/// `unknown` outside a git checkout, e.g. built from a source archive).
fn revision() {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    // Rebuild when HEAD moves or the index changes (a commit, a checkout, an add).
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]) {
        let dir = Path::new(&dir);
        println!("cargo:rerun-if-changed={}", dir.join("HEAD").display());
        println!("cargo:rerun-if-changed={}", dir.join("index").display());
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            // A packed ref has no file of its own (and a missing file would rerun always).
            let file = dir.join(r);
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
    let revision = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let modified = git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty());
            if modified {
                format!("{commit}+modified")
            } else {
                commit
            }
        }
        None => "unknown".to_string(),
    };
    println!("cargo:rustc-env=LINKAGE_REVISION={revision}");
}

/// `linkage serve`'s lessons: every `lessons/*.toml`, compiled in as
/// `LESSON_FILES: &[(name, text)]` (sorted by name; the server orders them by `order`).
fn lessons() {
    println!("cargo:rerun-if-changed=lessons");
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("lessons");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .filter_map(|p| {
                    let stem = p.file_stem()?.to_str()?.to_string();
                    Some((stem, p.display().to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// Each `lessons/*.toml`: its name and text.\npub static LESSON_FILES: &[(&str, &str)] = &[\n",
    );
    for (name, path) in files {
        out.push_str(&format!("    ({name:?}, include_str!({path:?})),\n"));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
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
