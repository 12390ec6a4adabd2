//! Reading scenario files: `extends`, merging, strict checking, and errors that point at
//! the file, line and column.
//!
//! A scenario file is TOML. With `extends = "<built-in name or path>"` it starts from that
//! scenario and overrides only what it names: tables merge key by key, everything else
//! (numbers, strings, lists such as `shocks`) is replaced. A path in `extends` is relative
//! to the file that names it. Without `extends` a file must give every field (a run's
//! `params.toml` does).
//!
//! Files are read through `base::input::read_text`: regular files of at most 16 MiB of
//! UTF-8 only, so `/dev/zero`, a FIFO or a huge file is refused before it is read.
//!
//! Checking happens in three passes, each reporting every problem it finds:
//! 1. syntax (the TOML parser; one error, with line and column);
//! 2. shape: unknown keys, missing keys, wrong types, numbers out of their type's range,
//!    unknown names for kinds and areas — against the shape of the built-in baseline;
//! 3. meaning: ranges and references (`Scenario::problems`).
//!
//! Problems of passes 2 and 3 are located in the file that set the value (the last file
//! of the `extends` chain to mention it; inside a list, the last file that sets the list,
//! since lists are replaced). A syntax error the parser gives no position for (a dotted
//! key beyond its nesting limit) is located by scanning for the key.

use super::{Problem, Scenario, ScenarioError, builtin};
use crate::base::input::{InputError, line_col, read_text, toml_position};
use crate::model::mechanisms::PRESET_NAMES;
use crate::model::shocks::{KINDS, REQUIRED as SHOCK_REQUIRED};
use std::path::{Path, PathBuf};
use toml::{Table, Value};

/// A step of a field path.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Parse `a.b[2].c` back into segments.
fn parse_path(s: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    for part in s.split('.') {
        let mut rest = part;
        if let Some(b) = rest.find('[') {
            if b > 0 {
                out.push(Seg::Key(rest[..b].to_string()));
            }
            rest = &rest[b..];
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']').unwrap_or(stripped.len());
                if let Ok(i) = stripped[..end].parse() {
                    out.push(Seg::Index(i));
                }
                rest = stripped.get(end + 1..).unwrap_or("");
            }
        } else if !rest.is_empty() {
            out.push(Seg::Key(rest.to_string()));
        }
    }
    out
}

/// One file of an `extends` chain, kept for locating problems.
struct Source {
    label: String,
    text: String,
    doc: toml_edit::Document<String>,
}

impl Source {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }

    /// The span of the deepest part of `path` present in this file, and how deep it is.
    fn find(&self, path: &[Seg]) -> Option<(usize, std::ops::Range<usize>)> {
        find_in(self.doc.as_table(), path, 0)
    }
}

type Span = std::ops::Range<usize>;

fn find_in(t: &dyn toml_edit::TableLike, path: &[Seg], depth: usize) -> Option<(usize, Span)> {
    let Some(Seg::Key(k)) = path.first() else {
        return None;
    };
    let (key, item) = t.get_key_value(k)?;
    let here = key.span().or_else(|| item.span()).map(|sp| (depth + 1, sp));
    let rest = &path[1..];
    let deeper = match rest.first() {
        None => None,
        Some(Seg::Key(_)) => item
            .as_table_like()
            .and_then(|tl| find_in(tl, rest, depth + 1)),
        Some(Seg::Index(i)) => {
            if let Some(aot) = item.as_array_of_tables() {
                aot.get(*i).and_then(|tab| {
                    let at = tab.span().map(|sp| (depth + 2, sp));
                    find_in(tab, &rest[1..], depth + 2).or(at)
                })
            } else if let Some(arr) = item.as_array() {
                arr.get(*i).and_then(|v| {
                    let at = v.span().map(|sp| (depth + 2, sp));
                    v.as_inline_table()
                        .and_then(|it| find_in(it, &rest[1..], depth + 2))
                        .or(at)
                })
            } else {
                None
            }
        }
    };
    deeper.or(here)
}

/// Whether `path` goes through a list that this table (a file) sets. Lists are replaced,
/// not merged, so such a file owns everything inside the list.
fn sets_list(t: &dyn toml_edit::TableLike, path: &[Seg]) -> bool {
    match path {
        [Seg::Key(k), Seg::Index(_), ..] => t
            .get(k)
            .is_some_and(|i| i.is_array() || i.is_array_of_tables()),
        [Seg::Key(k), rest @ ..] if !rest.is_empty() => t
            .get(k)
            .and_then(|i| i.as_table_like())
            .is_some_and(|tl| sets_list(tl, rest)),
        _ => false,
    }
}

/// Where `path` is set: the file (latest in the chain) and line:column. Inside a list,
/// the latest file that sets the list (an earlier file's list was replaced).
fn locate(sources: &[Source], path: &[Seg]) -> Option<String> {
    if let Some(s) = sources.iter().find(|s| sets_list(s.doc.as_table(), path)) {
        return Some(s.find(path).map_or(s.label.clone(), |(_, span)| {
            let (line, col) = s.line_col(span.start);
            format!("{}:{line}:{col}", s.label)
        }));
    }
    let mut best: Option<(usize, String)> = None;
    for s in sources {
        if let Some((depth, span)) = s.find(path) {
            let (line, col) = s.line_col(span.start);
            if best.as_ref().is_none_or(|(d, _)| depth > *d) {
                best = Some((depth, format!("{}:{line}:{col}", s.label)));
            }
        }
    }
    best.map(|(_, l)| l)
        .or_else(|| sources.first().map(|s| s.label.clone()))
}

/// Load a built-in scenario by name or a file by path, with every check.
pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
    let mut sources = Vec::new();
    let mut chain = Vec::new();
    let table = resolve(name_or_path, None, &mut chain, &mut sources)?;
    finish(table, &sources)
}

/// Check a merged table and turn it into a scenario.
fn finish(table: Table, sources: &[Source]) -> Result<Scenario, ScenarioError> {
    let mut shape = Vec::new();
    check_shape(&table, &mut shape);
    let located = |path: &[Seg], message: String| Problem {
        location: locate(sources, path),
        field: path_string(path),
        message,
    };
    if !shape.is_empty() {
        return Err(ScenarioError {
            problems: shape.into_iter().map(|(p, m)| located(&p, m)).collect(),
        });
    }
    let scenario: Scenario = Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| {
            ScenarioError::one(
                sources.first().map(|s| s.label.clone()),
                "",
                e.message().trim().to_string(),
            )
        })?;
    let problems: Vec<Problem> = scenario
        .problems()
        .into_iter()
        .map(|(f, m)| located(&parse_path(&f), m))
        .collect();
    if problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioError { problems })
    }
}

/// Resolve `name` (relative to `base_dir` when it is a path) into a merged table,
/// following `extends`. `chain` holds what is being resolved, to catch cycles.
fn resolve(
    name: &str,
    base_dir: Option<&Path>,
    chain: &mut Vec<String>,
    sources: &mut Vec<Source>,
) -> Result<Table, ScenarioError> {
    if name == builtin::BASELINE {
        return Ok(baseline_table());
    }
    let text = read_source(name, base_dir)?;
    enter(chain, &text)?;
    let (source, mut own) = parse_source(text.label, text.text)?;
    sources.insert(0, source);
    let Some(parent) = take_extends(&mut own, &sources[..1])? else {
        return Ok(own);
    };
    // The parent's sources go after this file's: later files win when locating.
    let mut parent_sources = Vec::new();
    let mut base =
        resolve(&parent, text.dir.as_deref(), chain, &mut parent_sources).map_err(|mut e| {
            for p in &mut e.problems {
                if p.location.is_none() {
                    p.location = locate(&sources[..1], &[Seg::Key("extends".into())]);
                }
            }
            e
        })?;
    sources.extend(parent_sources);
    merge(&mut base, own);
    chain.pop();
    Ok(base)
}

/// The built-in baseline as a TOML table (the root of every `extends` chain).
fn baseline_table() -> Table {
    match Value::try_from(builtin::xcity_baseline()).expect("baseline serialises") {
        Value::Table(t) => t,
        _ => unreachable!("a scenario is a table"),
    }
}

/// The text of one scenario of a chain, before parsing.
struct SourceText {
    /// How messages name it: `built-in NAME` or the path.
    label: String,
    text: String,
    /// The folder its relative `extends` paths start from (none for a built-in).
    dir: Option<PathBuf>,
    /// What identifies it in a cycle: `builtin:NAME` or the canonical path.
    id: String,
}

/// Read the built-in scenario `name`, or the file `name` (relative to `base_dir`)
/// through [`read_text`] (regular files of at most 16 MiB of UTF-8).
fn read_source(name: &str, base_dir: Option<&Path>) -> Result<SourceText, ScenarioError> {
    if let Some(text) = builtin::toml_source(name) {
        return Ok(SourceText {
            label: format!("built-in {name}"),
            text: text.to_string(),
            dir: None,
            id: format!("builtin:{name}"),
        });
    }
    let path = match base_dir {
        Some(d) if Path::new(name).is_relative() => d.join(name),
        _ => PathBuf::from(name),
    };
    if !name.ends_with(".toml") && !path.exists() {
        return Err(ScenarioError::one(
            None,
            "",
            format!(
                "unknown scenario '{name}': built-in scenarios are {}, or give a path to a .toml file",
                builtin::NAMES.join(", ")
            ),
        ));
    }
    let label = path.display().to_string();
    // The message names the file.
    let text = read_text(&path, "scenario file")
        .map_err(|e: InputError| ScenarioError::one(None, "", e.to_string()))?;
    let id = std::fs::canonicalize(&path).map_or(label.clone(), |p| p.display().to_string());
    Ok(SourceText {
        label,
        text,
        dir: path.parent().map(Path::to_path_buf),
        id,
    })
}

/// Add `text` to the chain being resolved, refusing a cycle and an empty file.
fn enter(chain: &mut Vec<String>, text: &SourceText) -> Result<(), ScenarioError> {
    let label = Some(text.label.clone());
    if chain.contains(&text.id) {
        chain.push(text.id.clone());
        return Err(ScenarioError::one(
            label,
            "extends",
            format!(
                "forms a cycle ({}); allowed: a chain that ends in a built-in or a complete file",
                chain.join(" → ")
            ),
        ));
    }
    chain.push(text.id.clone());
    if text.text.trim().is_empty() {
        return Err(ScenarioError::one(
            label,
            "",
            "is empty; a scenario needs at least `extends = \"xcity-baseline\"` and the fields it changes",
        ));
    }
    Ok(())
}

/// Parse one file's text: its document (kept to locate problems) and its table.
fn parse_source(label: String, text: String) -> Result<(Source, Table), ScenarioError> {
    let syntax = |message: &str, span: Option<Span>| {
        let (at, hint) = toml_position(&text, span);
        let location = at.map_or(label.clone(), |(l, c)| format!("{label}:{l}:{c}"));
        ScenarioError::one(
            Some(location),
            "",
            format!("not valid TOML: {}{hint}", message.trim()),
        )
    };
    let doc =
        toml_edit::Document::parse(text.clone()).map_err(|e| syntax(e.message(), e.span()))?;
    let own: Table = toml::from_str(&text).map_err(|e| syntax(e.message(), e.span()))?;
    Ok((Source { label, text, doc }, own))
}

/// Remove `extends` from a file's own table: the parent it names, if any. `source` is
/// the file (to locate a wrong type).
fn take_extends(own: &mut Table, source: &[Source]) -> Result<Option<String>, ScenarioError> {
    match own.remove("extends") {
        None => Ok(None),
        Some(Value::String(p)) => Ok(Some(p)),
        Some(other) => Err(ScenarioError::one(
            locate(source, &[Seg::Key("extends".into())]),
            "extends",
            format!(
                "is a {}; allowed: a string naming a built-in scenario or a .toml path",
                other.type_str()
            ),
        )),
    }
}

/// Merge `over` into `base`: tables key by key, everything else replaced.
fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The shape every scenario must have: the built-in baseline, with one shock of each kind.
fn schema() -> (Table, Table, Table) {
    let base = match Value::try_from(builtin::xcity_baseline()).expect("serialises") {
        Value::Table(t) => t,
        _ => unreachable!(),
    };
    let mech = base["regimes"]
        .as_table()
        .and_then(|r| r.values().next())
        .and_then(|v| v.as_table())
        .cloned()
        .unwrap_or_default();
    let mut shocks = Table::new();
    for s in builtin::example_shocks() {
        if let Value::Table(mut t) = Value::try_from(&s).expect("serialises") {
            let kind = t
                .remove("kind")
                .and_then(|k| k.as_str().map(String::from))
                .unwrap_or_default();
            if let Some(Value::Table(target)) = t.get_mut("target") {
                target.insert("township".into(), Value::Integer(0));
            }
            shocks.insert(kind, Value::Table(t));
        }
    }
    (base, mech, shocks)
}

/// Integer fields that are 64-bit (everything else whole is at most 32-bit).
const WIDE: [&str; 2] = ["seed", "residents"];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

fn allowed_keys(schema: &Table) -> String {
    let keys: Vec<&str> = schema.keys().map(|k| k.as_str()).collect();
    keys.join(", ")
}

/// Pass 2: compare `table` with the schema, collecting (path, problem).
fn check_shape(table: &Table, out: &mut Vec<(Vec<Seg>, String)>) {
    let (base, mech, shocks) = schema();
    let mut path = Vec::new();
    check_table(
        table,
        &base,
        &mut path,
        out,
        false,
        &|path, key, value, out| {
            // Special places: named regimes, the shock list, the counties list.
            let at = path_string(path);
            match (at.as_str(), key) {
                ("", "regimes") => {
                    let Some(regimes) = value.as_table() else {
                        return false;
                    };
                    for (name, m) in regimes {
                        path.push(Seg::Key("regimes".into()));
                        path.push(Seg::Key(name.clone()));
                        match m.as_table() {
                            Some(t) => check_table(t, &mech, path, out, false, &no_special),
                            None => out.push((
                                path.clone(),
                                format!(
                                    "is {}; allowed: a table of the nine mechanisms",
                                    type_name(m)
                                ),
                            )),
                        }
                        path.truncate(path.len() - 2);
                    }
                    true
                }
                ("", "shocks") => {
                    path.push(Seg::Key("shocks".into()));
                    match value.as_array() {
                        None => out.push((
                            path.clone(),
                            format!(
                                "is {}; allowed: a list of [[shocks]] tables",
                                type_name(value)
                            ),
                        )),
                        Some(list) => {
                            for (i, s) in list.iter().enumerate() {
                                path.push(Seg::Index(i));
                                check_shock(s, &shocks, path, out);
                                path.pop();
                            }
                        }
                    }
                    path.pop();
                    true
                }
                _ => false,
            }
        },
    );
}

fn check_shock(s: &Value, shocks: &Table, path: &mut Vec<Seg>, out: &mut Vec<(Vec<Seg>, String)>) {
    let Some(t) = s.as_table() else {
        out.push((
            path.clone(),
            format!("is {}; allowed: a [[shocks]] table", type_name(s)),
        ));
        return;
    };
    let kind = t.get("kind").and_then(|k| k.as_str());
    let Some(schema) = kind.and_then(|k| shocks.get(k)).and_then(|v| v.as_table()) else {
        path.push(Seg::Key("kind".into()));
        let what = match t.get("kind") {
            None => "is missing".to_string(),
            Some(Value::String(k)) => format!("is '{k}'"),
            Some(v) => format!("is {}", type_name(v)),
        };
        out.push((
            path.clone(),
            format!("{what}; allowed: {}", KINDS.join(", ")),
        ));
        path.pop();
        return;
    };
    let mut rest = t.clone();
    rest.remove("kind");
    for req in SHOCK_REQUIRED {
        if !rest.contains_key(req) {
            let mut at = path.clone();
            at.push(Seg::Key(req.to_string()));
            out.push((
                at,
                format!(
                    "is missing; a {} needs {}",
                    kind.unwrap_or(""),
                    SHOCK_REQUIRED.join(", ")
                ),
            ));
        }
    }
    // Only present keys are checked; the others have defaults.
    check_table(&rest, schema, path, out, true, &no_special);
}

type Special<'a> = dyn Fn(&mut Vec<Seg>, &str, &Value, &mut Vec<(Vec<Seg>, String)>) -> bool + 'a;

/// Check `t` against `schema`: unknown keys, value shapes and, unless `partial` (a
/// table whose missing keys have defaults), missing keys. `special` may claim a key
/// first and check it itself.
fn check_table(
    t: &Table,
    schema: &Table,
    path: &mut Vec<Seg>,
    out: &mut Vec<(Vec<Seg>, String)>,
    partial: bool,
    special: &Special,
) {
    for (k, v) in t {
        if special(path, k, v, out) {
            continue;
        }
        path.push(Seg::Key(k.clone()));
        match schema.get(k) {
            None => out.push((
                path.clone(),
                format!(
                    "is not a known field; allowed here: {}",
                    allowed_keys(schema)
                ),
            )),
            Some(s) => check_value(v, s, path, out, partial),
        }
        path.pop();
    }
    if partial {
        return;
    }
    for k in schema.keys() {
        if !t.contains_key(k) && k != "shocks" && !has_default(path, k) {
            let mut at = path.clone();
            at.push(Seg::Key(k.clone()));
            out.push((
                at,
                "is missing; a file without `extends` must give every field".to_string(),
            ));
        }
    }
}

/// Whether the field `key` of the table at `path` has a default: a field added after
/// files were written (so an older `params.toml` still loads) reads without it.
fn has_default(path: &[Seg], key: &str) -> bool {
    let Ok(Value::Table(mut base)) = Value::try_from(builtin::xcity_baseline()) else {
        return false;
    };
    let mut t = &mut base;
    for (i, seg) in path.iter().enumerate() {
        // A regime of any name has the fields of the shipped ones.
        let named_regime = i == 1 && matches!(path.first(), Some(Seg::Key(r)) if r == "regimes");
        match seg {
            Seg::Key(_) if named_regime => match t.get_mut(PRESET_NAMES[0]) {
                Some(Value::Table(inner)) => t = inner,
                _ => return false,
            },
            Seg::Key(k) => match t.get_mut(k) {
                Some(Value::Table(inner)) => t = inner,
                _ => return false,
            },
            Seg::Index(_) => return false,
        }
    }
    t.remove(key);
    Value::Table(base).try_into::<Scenario>().is_ok()
}

/// A `Special` that claims no key.
fn no_special(_: &mut Vec<Seg>, _: &str, _: &Value, _: &mut Vec<(Vec<Seg>, String)>) -> bool {
    false
}

/// Allowed words for string fields that name a kind.
fn words(path: &[Seg]) -> Option<&'static [&'static str]> {
    let last = match path.last() {
        Some(Seg::Key(k)) => k.as_str(),
        _ => return None,
    };
    let in_counties = path.iter().any(|s| *s == Seg::Key("counties".into()))
        && path.first() == Some(&Seg::Key("territory".into()));
    match last {
        "kind" if in_counties => Some(&["district", "county_city", "county"]),
        "area" => Some(&["all", "urban", "rural"]),
        _ => None,
    }
}

fn check_value(
    v: &Value,
    schema: &Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<(Vec<Seg>, String)>,
    partial: bool,
) {
    let key = match path.last() {
        Some(Seg::Key(k)) => k.clone(),
        _ => String::new(),
    };
    match (schema, v) {
        (Value::Float(_), Value::Float(_) | Value::Integer(_)) => {}
        (Value::Integer(_), Value::Integer(n)) => {
            let max = if WIDE.contains(&key.as_str()) {
                i64::MAX
            } else if key == "mediation_days" {
                u8::MAX as i64
            } else {
                u32::MAX as i64
            };
            if *n < 0 || *n > max {
                out.push((
                    path.clone(),
                    format!("is {n}; allowed: a whole number from 0 to {max}"),
                ));
            }
        }
        (Value::String(_), Value::String(s)) => {
            if let Some(w) = words(path)
                && !w.contains(&s.as_str())
            {
                out.push((path.clone(), format!("is '{s}'; allowed: {}", w.join(", "))));
            }
        }
        (Value::Boolean(_), Value::Boolean(_)) => {}
        (Value::Table(s), Value::Table(t)) => check_table(t, s, path, out, partial, &no_special),
        (Value::Array(s), Value::Array(items)) => {
            // Lists: items take the shape of the schema's first item (counties, adjacency
            // pairs, target counties); an empty schema list allows strings.
            let item_schema = s.first().cloned().unwrap_or(Value::String(String::new()));
            for (i, it) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                check_value(it, &item_schema, path, out, partial);
                path.pop();
            }
            if let (Some(Value::Array(pair)), true) = (s.first(), key == "adjacency") {
                for (i, it) in items.iter().enumerate() {
                    if it.as_array().is_some_and(|a| a.len() != pair.len()) {
                        out.push((
                            vec![
                                Seg::Key("territory".into()),
                                Seg::Key("adjacency".into()),
                                Seg::Index(i),
                            ],
                            "is not a pair; allowed: [\"County A\", \"County B\"]".into(),
                        ));
                    }
                }
            }
        }
        (s, v) => out.push((
            path.clone(),
            format!("is {}; allowed: {}", type_name(v), type_name(s)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip() {
        let p = parse_path("shocks[2].target.counties[0]");
        assert_eq!(path_string(&p), "shocks[2].target.counties[0]");
        assert_eq!(p[1], Seg::Index(2));
    }
}
