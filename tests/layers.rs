//! The library's layers point only down: a module may use the modules after it in
//! `LAYERS`, never one before it. This test reads the sources and fails, naming the file
//! and line, when a lower module imports a higher one (docs/architecture.md has the map).
//! Unit-test modules (`#[cfg(test)]`) are not part of the library and are not checked.

use std::path::Path;

/// From the top (the command line) to the bottom (the base layer).
const LAYERS: [&str; 10] = [
    "cli",
    "serve",
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

/// Every `crate::NAME` that starts in `code` (one line, comments removed), including
/// `crate::{a, b::{c}}` groups; a group opened on this line is read on in `after` (the
/// file's following code), so a `use` split over several lines is seen whole.
fn referenced(code: &str, after: &str) -> Vec<String> {
    let joined = format!("{code}\n{after}");
    let ident = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(i) = code[pos..].find("crate::") {
        pos += i + "crate::".len();
        let rest = &joined[pos..];
        let Some(group) = rest.strip_prefix('{') else {
            out.push(ident(rest));
            continue;
        };
        // The group's items at its own depth: `crate::{a::{b, c}, d}` gives a and d.
        let mut depth = 1;
        let mut item = String::new();
        for ch in group.chars() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 1 => out.push(ident(&std::mem::take(&mut item))),
                _ if depth == 1 => item.push(ch),
                _ => {}
            }
            if depth == 0 {
                break;
            }
        }
        out.push(ident(&item));
    }
    out.retain(|n| !n.is_empty());
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
        let raw: Vec<&str> = text.lines().collect();
        // A unit-test module (`#[cfg(test)] mod …`, by convention at the end of the
        // file) is not part of the library and may build a scenario to test a rule.
        let end = (0..raw.len())
            .find(|&i| {
                raw[i].trim_start().starts_with("#[cfg(test)]")
                    && raw
                        .get(i + 1)
                        .is_some_and(|next| next.trim_start().starts_with("mod "))
            })
            .unwrap_or(raw.len());
        let lines: Vec<&str> = raw[..end]
            .iter()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect();
        for (i, line) in lines.iter().enumerate() {
            let after = if line.contains("crate::{") {
                lines[i + 1..].join("\n")
            } else {
                String::new()
            };
            for name in referenced(line, &after) {
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
        "use crate::base::rng;\nuse crate::{base::{fs, num}, engine::World};\nuse crate::{\n    base,\n    scenario::Scenario,\n};\n// crate::cli in a comment\n#[cfg(test)]\nmod tests { use crate::cli; }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("cli/y.rs"), "use crate::model::x;\n").unwrap();
    let bad = violations(dir.path());
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].contains("x.rs:2: model uses engine"), "{}", bad[0]);
    assert!(bad[1].contains("x.rs:3: model uses scenario"), "{}", bad[1]);
}
