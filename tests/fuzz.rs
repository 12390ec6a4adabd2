//! Malformed input thrown at the binary: mutations of the shipped scenarios (through
//! `linkage check`) and experiments (through `linkage sweep` with one tick, the small
//! scale and one replicate). Whatever the mutation, the binary must exit with 0 or 2,
//! never panic (101) or die of a signal (an abort on a failed allocation), and a refusal
//! must be one or more `error:` lines that each name the file and are located: either
//! `FILE:LINE:COLUMN: …` or `FILE: KEY.PATH: …` (a dotted key path from a top-level key;
//! `FILE: is empty` only for a blank file). Mutations that are bad whatever they hit (a
//! number replaced by NaN, a duplicated key, an 80-part dotted key, …) must be refused,
//! and a refusal must point where the mutation is:
//! - a syntax error (a duplicated key, a dotted key of 80 or more parts, lists nested
//!   past the parser's limit, a byte that is not UTF-8) at the mutated line;
//! - a replaced value or an unknown key: in a scenario, at its line *and* by its key path
//!   (`FILE:12:1: population.residents: …`), or at its line alone when the value is not
//!   valid TOML (an integer beyond 64 bits); in an experiment, a type error or unknown
//!   key at its line, a value the plan refuses by its key path (`FILE: design.samples: …`);
//! - a deleted key by its name (`shocks[0].start: is missing`, `missing field `seed``).
//!
//! The cases are drawn from a fixed seed so a failure repeats; `FUZZ_SEED=n` draws
//! others, `FUZZ_CASES=n` changes how many scenario cases are drawn (a quarter as many
//! experiment cases are drawn too).

mod common;
use common::linkage;

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A small deterministic generator (xorshift64*): no dependency, same cases everywhere.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that replace a number: (value, whether it is wrong wherever it goes).
const REPLACEMENTS: [(&str, bool); 15] = [
    ("1.7976931348623157e308", true),
    ("-1", true),
    ("nan", true),
    ("inf", true),
    ("-inf", true),
    ("\"many\"", true),
    ("true", true),
    ("{}", true),
    ("18446744073709551616", true),
    ("4294967295", false),
    ("0", false),
    ("1e-320", false),
    ("0.5", false),
    ("100000000", false),
    ("[]", false),
];

/// Where a refusal of a mutation must point, at the least (every line must be located
/// in any case: see [`located`]).
#[derive(Debug)]
enum Expect {
    /// Nothing more (a truncation can break the file anywhere).
    Located,
    /// A line at this line of the file: `FILE:LINE:COLUMN: ` (a TOML syntax error).
    Line(usize),
    /// A value replaced at `line`, whose key is `path` (`population.residents`,
    /// `shocks[1].intensity`): a TOML type error at the line, or a value that fails
    /// validation, named by its path (a scenario's problems have both).
    Value { line: usize, path: String },
    /// A key `path` deleted: the problem names it (`shocks[0].start: is missing`, or the
    /// parser's "missing field `start`").
    Missing { path: String },
}

/// The dotted path of the key `key` set at line `at` of `lines`: the tables opened by
/// the headers above it (`[[shocks]]` counted, so `shocks[1].target.area`), then `key`.
fn key_path(lines: &[&str], at: usize, key: &str) -> String {
    let mut lists: Vec<(String, usize)> = Vec::new();
    let mut prefix = String::new();
    for l in &lines[..at] {
        let l = l.trim();
        let (name, list) = if let Some(n) = l.strip_prefix("[[").and_then(|n| n.strip_suffix("]]"))
        {
            (n.trim(), true)
        } else if let Some(n) = l.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            (n.trim(), false)
        } else {
            continue;
        };
        if list {
            match lists.iter_mut().find(|(n, _)| n == name) {
                Some((_, k)) => *k += 1,
                None => lists.push((name.to_string(), 0)),
            }
        }
        // Each part that names a list of tables gets the index of its latest table.
        let (mut plain, mut path) = (String::new(), String::new());
        for part in name.split('.') {
            if !plain.is_empty() {
                plain.push('.');
                path.push('.');
            }
            plain.push_str(part);
            path.push_str(part);
            if let Some((_, k)) = lists.iter().find(|(n, _)| *n == plain) {
                path.push_str(&format!("[{k}]"));
            }
        }
        prefix = path;
    }
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A shipped file's lines, to mutate.
struct Lines<'a>(Vec<&'a str>);

impl Lines<'_> {
    /// The lines that set a key (`key = value`, not comments or headers).
    fn assignments(&self) -> Vec<usize> {
        (0..self.0.len())
            .filter(|&i| {
                let l = self.0[i].trim_start();
                !l.starts_with('#') && !l.starts_with('[') && l.contains(" = ")
            })
            .collect()
    }

    /// Those of `assignments` whose value is a number.
    fn numeric(&self, assignments: &[usize]) -> Vec<usize> {
        assignments
            .iter()
            .copied()
            .filter(|&i| {
                let v = self.0[i].split_once(" = ").map_or("", |(_, v)| v.trim());
                v.starts_with(|c: char| c.is_ascii_digit() || c == '-')
            })
            .collect()
    }

    /// The key set at line `i`.
    fn key(&self, i: usize) -> &str {
        self.0[i].split_once(" = ").map_or("", |(k, _)| k)
    }

    /// The text with the lines changed by `edit`.
    fn edited(&self, edit: impl FnOnce(&mut Vec<String>)) -> Vec<u8> {
        let mut out: Vec<String> = self.0.iter().map(|l| l.to_string()).collect();
        edit(&mut out);
        (out.join("\n") + "\n").into_bytes()
    }
}

/// One mutation of `text`: the mutated bytes, a short description, whether the result is
/// wrong whatever the mutation hit, and where a refusal must point.
fn mutate(text: &str, d: &mut Draw) -> (Vec<u8>, String, bool, Expect) {
    let lines = Lines(text.lines().collect());
    let assignments = lines.assignments();
    let numeric = lines.numeric(&assignments);
    match d.below(9) {
        0 | 1 if !numeric.is_empty() => {
            let i = *d.pick(&numeric);
            let (value, bad) = *d.pick(&REPLACEMENTS);
            let key = lines.key(i);
            (
                lines.edited(|o| o[i] = format!("{key} = {value}")),
                format!("line {}: {key} = {value}", i + 1),
                bad,
                Expect::Value {
                    line: i + 1,
                    path: key_path(&lines.0, i, key),
                },
            )
        }
        2 if !assignments.is_empty() => {
            let i = *d.pick(&assignments);
            let key = lines.key(i);
            (
                lines.edited(|o| {
                    o.remove(i);
                }),
                format!("line {} deleted", i + 1),
                false,
                // Without `extends` every field is missing, none of them `extends`.
                if key == "extends" {
                    Expect::Located
                } else {
                    Expect::Missing {
                        path: key_path(&lines.0, i, key),
                    }
                },
            )
        }
        3 if !assignments.is_empty() => {
            let i = *d.pick(&assignments);
            (
                lines.edited(|o| o.insert(i + 1, lines.0[i].to_string())),
                format!("line {} duplicated", i + 1),
                true,
                Expect::Line(i + 2),
            )
        }
        4 => {
            let mut cut = d.below(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            (
                text.as_bytes()[..cut].to_vec(),
                format!("truncated at byte {cut}"),
                false,
                Expect::Located,
            )
        }
        5 => {
            let parts = 80 + d.below(1000);
            let key = vec!["a"; parts].join(".");
            let at = d.below(lines.0.len() + 1);
            (
                lines.edited(|o| o.insert(at, format!("{key} = 1"))),
                format!("{parts}-part key at line {}", at + 1),
                true,
                Expect::Line(at + 1),
            )
        }
        6 if !assignments.is_empty() => {
            let i = *d.pick(&assignments);
            let key = lines.key(i);
            let depth = 100 + d.below(2000);
            let value = "[".repeat(depth) + &"]".repeat(depth);
            (
                lines.edited(|o| o[i] = format!("{key} = {value}")),
                format!("line {}: {depth} nested lists", i + 1),
                true,
                Expect::Line(i + 1),
            )
        }
        7 => {
            let at = d.below(text.len());
            let mut bytes = text.as_bytes().to_vec();
            bytes.insert(at, 0xff);
            let line = text.as_bytes()[..at]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            (
                bytes,
                format!("byte 0xff at {at}"),
                true,
                Expect::Line(line),
            )
        }
        _ => {
            let at = d.below(lines.0.len() + 1);
            (
                lines.edited(|o| o.insert(at, "colour = \"red\"".to_string())),
                format!("unknown key at line {}", at + 1),
                true,
                Expect::Value {
                    line: at + 1,
                    path: key_path(&lines.0, at, "colour"),
                },
            )
        }
    }
}

fn shipped(folder: &str) -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no TOML files in {folder}/");
    files
        .iter()
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect()
}

/// Where an `error:` line points, after the file's name.
#[derive(Debug)]
enum Loc {
    /// `FILE:LINE:COLUMN: REST`.
    At(usize, String),
    /// `FILE: PATH: REST`, PATH a dotted key path that starts with a top-level key.
    Path(String, String),
    /// `FILE: is empty…`, for a file with nothing but white space.
    Empty,
}

impl Loc {
    /// The text after the file's name and position: `PATH: message` or `message`.
    fn text(&self) -> String {
        match self {
            Loc::At(_, rest) => rest.clone(),
            Loc::Path(path, rest) => format!("{path}: {rest}"),
            Loc::Empty => String::new(),
        }
    }
}

/// Whether `path` is a dotted key path (`shocks[1].target.area`) whose first key is one
/// of `top` (the top-level keys of the shipped files).
fn is_key_path(path: &str, top: &[String]) -> bool {
    let mut parts = path.split('.').map(|part| {
        let name = part.split('[').next().unwrap_or("");
        let indices = part[name.len()..].split_terminator(']').all(|i| {
            i.strip_prefix('[')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
        let word = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        (
            name,
            word && indices && part.ends_with([']']) == part.contains('['),
        )
    });
    parts
        .next()
        .is_some_and(|(first, ok)| ok && top.iter().any(|k| k == first))
        && parts.all(|(_, ok)| ok)
}

/// Where one `error:` line about `file` points, or `None` if it is not located: a line
/// and column, or a key path (`is empty` only for a `blank` file).
fn located(line: &str, file: &Path, top: &[String], blank: bool) -> Option<Loc> {
    let rest = line.strip_prefix("error: ")?.strip_prefix(file.to_str()?)?;
    if let Some(r) = rest.strip_prefix(": ") {
        if blank && r.starts_with("is empty") {
            return Some(Loc::Empty);
        }
        let (path, message) = r.split_once(": ")?;
        return is_key_path(path, top).then(|| Loc::Path(path.into(), message.into()));
    }
    let (l, r) = rest.strip_prefix(':')?.split_once(':')?;
    let (c, r) = r.split_once(": ")?;
    c.parse::<usize>().ok()?;
    Some(Loc::At(l.parse().ok()?, r.to_string()))
}

/// The shipped files of one kind, as the binary is given them.
struct Files {
    folder: &'static str,
    /// Whether every problem is located by line and key path together (a scenario's
    /// are; an experiment's type errors have a line and its plan's problems a path).
    both: bool,
}

/// Check one outcome: exit 0 or 2 (2 when `bad`), no panic or signal, and a refusal on
/// `error:` lines that each name `file` and are each located ([`located`]), one of them
/// where `expect` says.
fn judge(
    case: &str,
    file: &Path,
    (files, top, blank): (&Files, &[String], bool),
    (bad, expect): (bool, &Expect),
    out: &std::process::Output,
) -> bool {
    let err = String::from_utf8_lossy(&out.stderr);
    let why = format!("{case} ({}):\n{err}", file.display());
    let code = out.status.code();
    assert!(code.is_some(), "killed by a signal: {why}");
    assert!(!err.contains("panicked"), "panic: {why}");
    assert!(matches!(code, Some(0 | 2)), "exit {code:?}: {why}");
    if bad {
        assert_eq!(code, Some(2), "accepted: {why}");
    }
    if code != Some(2) {
        return false;
    }
    assert!(!err.trim().is_empty(), "no message: {why}");
    let locs: Vec<Loc> = err
        .lines()
        .map(|line| {
            located(line, file, top, blank)
                .unwrap_or_else(|| panic!("not a located error line: {line:?}\n{why}"))
        })
        .collect();
    let found = match expect {
        Expect::Located => true,
        Expect::Line(n) => locs.iter().any(|l| matches!(l, Loc::At(m, _) if m == n)),
        Expect::Value { line, path } => locs.iter().any(|l| match l {
            Loc::At(m, rest) => {
                m == line
                    && (!files.both
                        || rest.starts_with(&format!("{path}: "))
                        || rest.starts_with("not valid TOML"))
            }
            Loc::Path(p, _) => !files.both && p == path,
            Loc::Empty => false,
        }),
        Expect::Missing { path } => {
            let key = path.rsplit('.').next().unwrap_or(path);
            locs.iter().any(|l| {
                let text = l.text();
                text.starts_with(&format!("{path}: is missing"))
                    || !files.both
                        && (text.starts_with(&format!("{path}: "))
                            || text.contains(&format!("missing field `{key}`")))
            })
        }
    };
    assert!(found, "not located as {expect:?}: {why}");
    true
}

fn seed_and_cases() -> (u64, usize) {
    let get = |k: &str, default: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    (
        get("FUZZ_SEED", 20221).max(1),
        get("FUZZ_CASES", 240) as usize,
    )
}

/// The top-level keys of the shipped files (what a key path in a message starts with).
fn top_keys(sources: &[(String, String)]) -> Vec<String> {
    let mut keys: Vec<String> = sources
        .iter()
        .flat_map(|(_, text)| {
            text.parse::<toml::Table>()
                .unwrap()
                .into_iter()
                .map(|(k, _)| k)
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Mutate `total` picks of the shipped `files`, give each to the binary through
/// `command` (which adds the arguments for the case's file and its number), and judge
/// the answer.
fn fuzz(
    files: Files,
    seed: u64,
    total: usize,
    command: impl Fn(&Path, &Path, usize) -> assert_cmd::Command,
) {
    let mut d = Draw(seed);
    let sources = shipped(files.folder);
    let top = top_keys(&sources);
    let tmp = tempfile::tempdir().unwrap();
    let mut refused = 0;
    for n in 0..total {
        let (name, text) = d.pick(&sources).clone();
        let (bytes, what, bad, expect) = mutate(&text, &mut d);
        let blank = String::from_utf8_lossy(&bytes).trim().is_empty();
        let path = tmp.path().join(format!("case-{n}-{name}.toml"));
        std::fs::write(&path, &bytes).unwrap();
        let out = command(tmp.path(), &path, n).output().unwrap();
        let case = format!("seed {seed} case {n}: {what}");
        refused += judge(&case, &path, (&files, &top, blank), (bad, &expect), &out) as usize;
    }
    eprintln!(
        "{}, seed {seed}: {refused} of {total} refused",
        files.folder
    );
}

#[test]
fn mutated_scenarios_are_refused_with_a_located_message_and_never_crash() {
    let (seed, cases) = seed_and_cases();
    let files = Files {
        folder: "scenarios",
        both: true,
    };
    fuzz(files, seed, cases, |_, path, _| {
        let mut cmd = linkage();
        cmd.arg("check").arg(path).timeout(Duration::from_secs(60));
        cmd
    });
}

#[test]
fn mutated_experiments_are_refused_with_a_located_message_and_never_crash() {
    let (seed, cases) = seed_and_cases();
    let files = Files {
        folder: "experiments",
        both: false,
    };
    fuzz(
        files,
        seed ^ 0x9e37_79b9_7f4a_7c15,
        cases.div_ceil(4),
        |tmp, path, n| {
            let mut cmd = linkage();
            let name = path.file_name().unwrap().to_string_lossy();
            if name.contains("-calibrate") {
                // A calibration file: checked, not run (a run is thousands of runs).
                cmd.args(["calibrate", "--check"]).arg(path);
            } else {
                // A sixty-fourth of the runs: a Sobol design has thousands of points.
                cmd.args(["sweep", "--quiet", "--ticks", "1", "--scale", "small"])
                    .args(["--replicates", "1", "--threads", "1", "--shard", "1/64"])
                    .arg("--out")
                    .arg(tmp.join(format!("out-{n}")))
                    .arg(path);
            }
            cmd.timeout(Duration::from_secs(120));
            cmd
        },
    );
}
