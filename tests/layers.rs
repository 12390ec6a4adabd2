//! The library's layers point only down: a module may use the modules after it in
//! `LAYERS`, never one before it. This test reads the sources and fails, naming the file
//! and line, when a lower module imports a higher one (docs/architecture.md has the map).
//! Unit-test modules (`#[cfg(test)]`) are not part of the library and are not checked.

use std::path::Path;

/// From the top (the command line) to the bottom (the base layer).
const LAYERS: [&str; 9] = [
    "cli",
    "validation",
    "report",
    "experiment",
    "output",
    "engine",
    "scenario",
    "model",
    "base",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|&m| m == module)
}

/// Every `crate::NAME` a line refers to, including `crate::{a, b::c}` groups.
fn referenced(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer violations in the tree under `src`, as `file:line: a uses b` lines.
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut bad = Vec::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        let Some(own) = rank(&module) else {
            continue; // lib.rs, main.rs
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            // A unit-test module (`#[cfg(test)] mod …`, by convention at the end of the
            // file) is not part of the library and may build a scenario to test a rule.
            if trimmed.starts_with("#[cfg(test)]")
                && lines
                    .get(i + 1)
                    .is_some_and(|next| next.trim_start().starts_with("mod "))
            {
                break;
            }
            if trimmed.starts_with("//") {
                continue;
            }
            for name in referenced(line) {
                if let Some(r) = rank(&name)
                    && r < own
                {
                    bad.push(format!(
                        "{}:{}: {module} uses {name}, a higher layer",
                        file.display(),
                        i + 1
                    ));
                }
            }
        }
    }
    bad
}

#[test]
fn every_top_level_module_has_a_layer() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for line in lib.lines() {
        if let Some(name) = line.trim().strip_prefix("pub mod ") {
            let name = name.trim_end_matches(';');
            assert!(
                rank(name).is_some(),
                "src/lib.rs: module {name} has no layer in LAYERS"
            );
        }
    }
}

#[test]
fn layers_only_point_down() {
    let bad = violations(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(
        bad.is_empty(),
        "imports against the layer order:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_import() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("model")).unwrap();
    std::fs::create_dir_all(dir.path().join("cli")).unwrap();
    std::fs::write(
        dir.path().join("model/x.rs"),
        "use crate::base::rng;\nuse crate::{engine::World, base};\n// crate::cli in a comment\n#[cfg(test)]\nmod tests { use crate::cli; }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("cli/y.rs"), "use crate::model::x;\n").unwrap();
    let bad = violations(dir.path());
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("x.rs:2: model uses engine"), "{}", bad[0]);
}
