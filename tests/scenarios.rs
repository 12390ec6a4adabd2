//! The shipped scenario files in `scenarios/` are the built-in scenarios, word for word,
//! and load through the same path a user's file does. Regenerate them after changing a
//! built-in with `UPDATE_SCENARIOS=1 cargo test --release --test scenarios`.

use linkage::scenario::{Scenario, builtin};
use std::path::PathBuf;

fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

#[test]
fn shipped_files_match_the_builtins() {
    for name in builtin::NAMES {
        let s = builtin::get(name).unwrap();
        let text = format!(
            "# {}\n# Built-in scenario '{name}'; copy and edit, then run with --scenario <file>.\n{}",
            s.description,
            s.to_toml()
        );
        if std::env::var_os("UPDATE_SCENARIOS").is_some() {
            std::fs::write(file(name), &text).unwrap();
        }
        let shipped = std::fs::read_to_string(file(name))
            .unwrap_or_else(|e| panic!("scenarios/{name}.toml: {e}"));
        assert_eq!(
            shipped, text,
            "scenarios/{name}.toml differs from the built-in; regenerate it"
        );
        let loaded = Scenario::load(file(name).to_str().unwrap()).unwrap();
        assert_eq!(loaded.to_toml(), s.to_toml());
    }
}

#[test]
fn invalid_values_name_the_field_and_what_is_allowed() {
    let mut s = builtin::xcity_flood();
    s.regimes.get_mut("linkage").unwrap().social = 1.5;
    let e = s.validate().unwrap_err().to_string();
    assert!(
        e.contains("regimes.linkage.social") && e.contains("from 0 to 1"),
        "{e}"
    );
    let mut s = builtin::xcity_flood();
    s.run.ticks = 100;
    let e = s.validate().unwrap_err().to_string();
    assert!(
        e.contains("shocks[0]") && e.contains("start + duration ≤ ticks"),
        "{e}"
    );
    let mut s = builtin::xcity_baseline();
    s.territory
        .adjacency
        .push(["Core District".into(), "Atlantis".into()]);
    let e = s.validate().unwrap_err().to_string();
    assert!(e.contains("Atlantis") && e.contains("North County"), "{e}");
}
