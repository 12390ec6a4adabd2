//! Malformed input thrown at the binary: mutations of the shipped scenarios (through
//! `linkage check`) and experiments (through `linkage sweep` with one tick, the small
//! scale and one replicate). Whatever the mutation, the binary must exit with 0 or 2,
//! never panic (101) or die of a signal (an abort on a failed allocation), and a refusal
//! must be one or more `error:` lines that each name the file. Mutations that are bad
//! whatever they hit (a number replaced by NaN, a duplicated key, an 80-part dotted key,
//! …) must be refused.
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

/// One mutation of `text`: the mutated bytes, a short description, and whether the
/// result is wrong whatever the mutation hit.
fn mutate(text: &str, d: &mut Draw) -> (Vec<u8>, String, bool) {
    let lines: Vec<&str> = text.lines().collect();
    let assignments: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i].trim_start();
            !l.starts_with('#') && !l.starts_with('[') && l.contains(" = ")
        })
        .collect();
    let numeric: Vec<usize> = assignments
        .iter()
        .copied()
        .filter(|&i| {
            let v = lines[i].split_once(" = ").map_or("", |(_, v)| v.trim());
            v.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        })
        .collect();
    let with = |i: usize, new: String| -> Vec<u8> {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out[i] = new;
        (out.join("\n") + "\n").into_bytes()
    };
    let insert = |i: usize, new: String| -> Vec<u8> {
        let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        out.insert(i, new);
        (out.join("\n") + "\n").into_bytes()
    };
    match d.below(9) {
        0 | 1 if !numeric.is_empty() => {
            let i = *d.pick(&numeric);
            let (value, bad) = *d.pick(&REPLACEMENTS);
            let key = lines[i].split_once(" = ").map_or("", |(k, _)| k);
            (
                with(i, format!("{key} = {value}")),
                format!("line {}: {key} = {value}", i + 1),
                bad,
            )
        }
        2 if !assignments.is_empty() => {
            let i = *d.pick(&assignments);
            let mut out: Vec<&str> = lines.clone();
            out.remove(i);
            (
                (out.join("\n") + "\n").into_bytes(),
                format!("line {} deleted", i + 1),
                false,
            )
        }
        3 if !assignments.is_empty() => {
            let i = *d.pick(&assignments);
            (
                insert(i + 1, lines[i].to_string()),
                format!("line {} duplicated", i + 1),
                true,
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
            )
        }
        5 => {
            let parts = 80 + d.below(1000);
            let key = vec!["a"; parts].join(".");
            let at = d.below(lines.len() + 1);
            (
                insert(at, format!("{key} = 1")),
                format!("{parts}-part key at line {}", at + 1),
                true,
            )
        }
        6 if !assignments.is_empty() => {
            let i = *d.pick(&assignments);
            let key = lines[i].split_once(" = ").map_or("", |(k, _)| k);
            let depth = 100 + d.below(2000);
            let value = "[".repeat(depth) + &"]".repeat(depth);
            (
                with(i, format!("{key} = {value}")),
                format!("line {}: {depth} nested lists", i + 1),
                true,
            )
        }
        7 => {
            let at = d.below(text.len());
            let mut bytes = text.as_bytes().to_vec();
            bytes.insert(at, 0xff);
            (bytes, format!("byte 0xff at {at}"), true)
        }
        _ => {
            let at = d.below(lines.len() + 1);
            (
                insert(at, "colour = \"red\"".to_string()),
                format!("unknown key at line {}", at + 1),
                false,
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

/// Check one outcome: exit 0 or 2 (2 when `bad`), no panic or signal, and a refusal on
/// `error:` lines that each name `file`.
fn judge(case: &str, file: &Path, bad: bool, out: &std::process::Output) -> bool {
    let err = String::from_utf8_lossy(&out.stderr);
    let name = file.file_name().unwrap().to_string_lossy();
    let why = format!("{case} ({}):\n{err}", file.display());
    let code = out.status.code();
    assert!(code.is_some(), "killed by a signal: {why}");
    assert!(!err.contains("panicked"), "panic: {why}");
    assert!(matches!(code, Some(0 | 2)), "exit {code:?}: {why}");
    if bad {
        assert_eq!(code, Some(2), "accepted: {why}");
    }
    if code == Some(2) {
        assert!(!err.trim().is_empty(), "no message: {why}");
        for line in err.lines() {
            assert!(line.starts_with("error: "), "not an error line: {why}");
            assert!(line.contains(name.as_ref()), "line without the file: {why}");
        }
    }
    code == Some(2)
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

/// Mutate `total` picks of the shipped files in `folder`, give each to the binary through
/// `command` (which adds the arguments for the case's file and its number), and judge
/// the answer.
fn fuzz(
    folder: &str,
    seed: u64,
    total: usize,
    command: impl Fn(&Path, &Path, usize) -> assert_cmd::Command,
) {
    let mut d = Draw(seed);
    let sources = shipped(folder);
    let tmp = tempfile::tempdir().unwrap();
    let mut refused = 0;
    for n in 0..total {
        let (name, text) = d.pick(&sources).clone();
        let (bytes, what, bad) = mutate(&text, &mut d);
        let path = tmp.path().join(format!("case-{n}-{name}.toml"));
        std::fs::write(&path, &bytes).unwrap();
        let out = command(tmp.path(), &path, n).output().unwrap();
        refused += judge(&format!("seed {seed} case {n}: {what}"), &path, bad, &out) as usize;
    }
    eprintln!("{folder}, seed {seed}: {refused} of {total} refused");
}

#[test]
fn mutated_scenarios_are_refused_with_a_located_message_and_never_crash() {
    let (seed, cases) = seed_and_cases();
    fuzz("scenarios", seed, cases, |_, path, _| {
        let mut cmd = linkage();
        cmd.arg("check").arg(path).timeout(Duration::from_secs(60));
        cmd
    });
}

#[test]
fn mutated_experiments_are_refused_with_a_located_message_and_never_crash() {
    let (seed, cases) = seed_and_cases();
    fuzz(
        "experiments",
        seed ^ 0x9e37_79b9_7f4a_7c15,
        cases.div_ceil(4),
        |tmp, path, n| {
            let mut cmd = linkage();
            cmd.args(["sweep", "--quiet", "--ticks", "1", "--scale", "small"])
                .args(["--replicates", "1", "--threads", "1", "--out"])
                .arg(tmp.join(format!("out-{n}")))
                .arg(path)
                .timeout(Duration::from_secs(120));
            cmd
        },
    );
}
