//! The class board: each posted run's settings and headline outcomes, one row a
//! regime, taken from the server's own record of the run (never from the participant),
//! kept in memory and cleared on restart or by the teacher.

use super::catalog::{MECHANISMS, SETTINGS};
use super::jobs::Job;
use serde_json::{Value, json};

/// The most rows the board keeps (the oldest go).
pub const MAX_ROWS: usize = 1_000;
/// The longest name, in characters.
pub const MAX_NAME: usize = 40;

/// The outcome columns, from the run's summary.
pub const OUTCOMES: [&str; 7] = [
    "solution_rate",
    "satisfaction_rate",
    "response_rate",
    "trust_end",
    "happiness_end",
    "protester_days",
    "staff_hours_per_solved",
];

/// The board's columns, in order.
pub fn columns() -> Vec<String> {
    let mut c: Vec<String> = [
        "name",
        "posted",
        "scenario",
        "shock",
        "residents",
        "seed",
        "days",
        "regime",
    ]
    .map(String::from)
    .to_vec();
    c.extend(MECHANISMS.iter().map(|m| m.name.to_string()));
    c.extend(SETTINGS.iter().map(|s| s.path.to_string()));
    c.extend(OUTCOMES.iter().map(|s| s.to_string()));
    c
}

/// A name as the board shows it: trimmed, 1 to [`MAX_NAME`] characters, no control
/// characters. It is text: the page sets it as text, never as markup.
pub fn check_name(name: &str) -> Result<String, String> {
    let n = name.trim();
    let count = n.chars().count();
    if count == 0 || count > MAX_NAME {
        return Err(format!(
            "name: has {count} characters; allowed: 1 to {MAX_NAME}"
        ));
    }
    // Control characters, and the invisible ones that reorder or hide text (bidi
    // overrides and isolates, zero-width characters, the byte-order mark).
    let invisible = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
    };
    if n.chars().any(invisible) {
        return Err(
            "name: has a control or invisible character; allowed: letters, digits, spaces and punctuation"
                .into(),
        );
    }
    Ok(n.to_string())
}

/// The board's rows for a finished run posted under `name`: one a regime.
pub fn rows(job: &Job, name: &str, posted: u64) -> Vec<Value> {
    let sc = &job.planned.scenario;
    let summary = job.summary();
    let shock = sc
        .shocks
        .first()
        .map(|s| {
            let (start, _) = s.window();
            let strength = super::catalog::strength_of(s).unwrap_or(f64::NAN);
            format!(
                "{} day {start} × {}",
                super::catalog::kind_of(s),
                crate::base::num::given(strength)
            )
        })
        .unwrap_or_else(|| "none".into());
    let settings = super::catalog::setting_values(sc);
    job.planned
        .regimes
        .iter()
        .map(|(regime, mech)| {
            let mut row = serde_json::Map::new();
            row.insert("name".into(), json!(name));
            row.insert("posted".into(), json!(posted));
            row.insert("scenario".into(), json!(sc.name));
            row.insert("shock".into(), json!(shock));
            row.insert("residents".into(), json!(sc.run.residents));
            row.insert("seed".into(), json!(sc.run.seed));
            row.insert("days".into(), json!(sc.run.ticks));
            row.insert("regime".into(), json!(regime));
            let m = toml::Value::try_from(mech).ok();
            for l in &MECHANISMS {
                let v = m
                    .as_ref()
                    .and_then(|m| m.get(l.name))
                    .and_then(|v| v.as_float());
                row.insert(l.name.into(), json!(v));
            }
            for (path, v) in &settings {
                row.insert(path.clone(), v.clone());
            }
            let mine = summary
                .iter()
                .find(|s| s.get("regime").and_then(|r| r.as_str()) == Some(regime));
            for o in OUTCOMES {
                let v = mine.and_then(|s| s.get(o)).cloned().unwrap_or(Value::Null);
                row.insert(o.into(), v);
            }
            Value::Object(row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(check_name("  Li Wei ").unwrap(), "Li Wei");
        assert_eq!(check_name("<script>alert(1)</script>").unwrap().len(), 25);
        assert!(check_name("   ").is_err());
        assert!(check_name(&"x".repeat(41)).is_err());
        assert!(check_name(&"李".repeat(40)).is_ok());
        assert!(check_name("a\u{7}b").is_err());
        assert!(
            check_name("abc\u{202e}fed").is_err(),
            "a right-to-left override"
        );
        assert!(check_name("a\u{200b}b").is_err(), "a zero-width space");
    }

    #[test]
    fn the_outcomes_are_summary_columns() {
        let header = crate::output::metrics::Summary::header();
        for o in OUTCOMES {
            assert!(header.iter().any(|h| h == o), "{o}");
        }
    }
}
