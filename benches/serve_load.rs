//! A class of thirty on one laptop (`cargo bench --bench serve_load`; `-- --quick` for
//! CI): thirty participants load the page of one `linkage serve`, each runs a lesson's
//! setting with its own slider value (ten distinct values, so runs are shared), watches
//! it to the end and posts it to the board; then all thirty run their setting again.
//!
//! It reports, as a table and one JSON line: participants served, distinct runs, how
//! many requests joined a run already there (the cache), the time each waited for its
//! first day and for the end, the server's peak memory, and the board's rows. It fails
//! (exit 1) if a participant is not served, a repeat is not answered from the cache,
//! the board misses a row, or peak memory passes the stated bound; it times nothing
//! against a limit.

#[path = "../tests/common/http.rs"]
mod http;

use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

/// Participants.
const CLASS: usize = 30;
/// Distinct slider values among them (`-- --distinct N` to change).
const DISTINCT: usize = 10;
/// The stated bound on the server's peak memory (docs/performance.md, "Class mode").
const PEAK_BOUND_MB: f64 = 1024.0;

struct Outcome {
    cached: bool,
    first_day: f64,
    done: f64,
    days: usize,
}

fn participant(
    addr: &str,
    k: usize,
    distinct: usize,
    residents: u64,
    days: u32,
    post: bool,
) -> Outcome {
    let start = Instant::now();
    for path in [
        "/",
        "/assets/app.js",
        "/assets/uPlot.iife.min.js",
        "/api/catalog",
    ] {
        assert_eq!(
            http::http(addr, "GET", path, &[], b"").status,
            200,
            "{path}"
        );
    }
    // The "centre as a bottleneck" lesson's shape: integrated against linkage, the
    // participant's own central-routing value.
    let routing = (k % distinct) as f64 / distinct as f64;
    let body = json!({
        "scenario": "xcity-tight-staff",
        "residents": residents,
        "days": days,
        "seed": 1,
        "regimes": [
            {"name": "integrated", "mechanisms": {"central_routing": routing}},
            {"name": "linkage"}
        ]
    })
    .to_string();
    let a = http::http(
        addr,
        "POST",
        "/api/runs",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(a.status, 200, "participant {k}: {}", a.text());
    let v = a.json();
    let id = v["id"].as_str().unwrap().to_string();
    let cached = v["cached"] == true;
    // Read the stream as it comes, noting when the first day arrives.
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    use std::io::Write;
    write!(
        s,
        "GET /api/runs/{id}/events HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut r = BufReader::new(s);
    let mut first_day = f64::NAN;
    let mut days_seen = 0;
    // Bytes, not text: a chunk's size line may fall inside a character of the Chinese
    // sentences.
    let mut bytes = Vec::new();
    let mut ended = false;
    while r.read_until(b'\n', &mut bytes).unwrap_or(0) > 0 {
        let line = String::from_utf8_lossy(&bytes).into_owned();
        if line.starts_with("event: day") {
            days_seen += 1;
            if first_day.is_nan() {
                first_day = start.elapsed().as_secs_f64();
            }
        }
        if line.starts_with("event: done") {
            ended = true;
            break;
        }
        assert!(!line.starts_with("event: error"), "participant {k}: {line}");
        bytes.clear();
    }
    assert!(ended, "participant {k}: the stream ended without done");
    let done = start.elapsed().as_secs_f64();
    if post {
        let p = http::http(
            addr,
            "POST",
            "/api/board",
            &[("Content-Type", "application/json")],
            json!({"name": format!("participant {k}"), "run": id})
                .to_string()
                .as_bytes(),
        );
        assert_eq!(p.status, 200, "participant {k}: {}", p.text());
    }
    Outcome {
        cached,
        first_day,
        done,
        days: days_seen,
    }
}

fn peak_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The server, stopped when dropped (also when a participant's check panics).
struct Stop(std::process::Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn round(
    addr: &Arc<String>,
    distinct: usize,
    residents: u64,
    days: u32,
    post: bool,
) -> (Vec<Outcome>, f64) {
    let start = Instant::now();
    let handles: Vec<_> = (0..CLASS)
        .map(|k| {
            let addr = Arc::clone(addr);
            std::thread::spawn(move || participant(&addr, k, distinct, residents, days, post))
        })
        .collect();
    let out = handles.into_iter().map(|h| h.join().unwrap()).collect();
    (out, start.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let distinct = args
        .iter()
        .position(|a| a == "--distinct")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(DISTINCT)
        .clamp(1, CLASS);
    let (residents, days) = if quick { (2_000, 60) } else { (20_000, 365) };
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkage"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("linkage serve starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = Arc::new(
        first
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .expect("the server prints its address")
            .to_string(),
    );
    let server = Stop(child);
    let (one, wall_one) = round(&addr, distinct, residents, days, true);
    let (two, wall_two) = round(&addr, distinct, residents, days, false);
    let peak = peak_mb(server.0.id());
    let board = http::http(&addr, "GET", "/api/board", &[], b"").json();
    let rows = board["rows"].as_array().map_or(0, Vec::len);
    drop(server);

    let served = one.iter().filter(|o| o.days == days as usize).count();
    let joined = one.iter().filter(|o| o.cached).count();
    let repeats = two.iter().filter(|o| o.cached).count();
    let p = |v: &[Outcome], f: fn(&Outcome) -> f64, q: f64| quantile(v.iter().map(f).collect(), q);
    println!(
        "class of {CLASS}: {residents} residents × {days} days, integrated and linkage, {distinct} distinct settings"
    );
    println!(
        "round 1: {served}/{CLASS} served in {wall_one:.1} s; {joined} joined a run already there; first day after {:.2} s (median) / {:.2} s (95%); done after {:.1} s / {:.1} s",
        p(&one, |o| o.first_day, 0.5),
        p(&one, |o| o.first_day, 0.95),
        p(&one, |o| o.done, 0.5),
        p(&one, |o| o.done, 0.95)
    );
    println!(
        "round 2 (all repeat): {repeats}/{CLASS} from the cache in {wall_two:.2} s; done after {:.3} s / {:.3} s",
        p(&two, |o| o.done, 0.5),
        p(&two, |o| o.done, 0.95)
    );
    println!("server peak memory {peak:.0} MB (bound {PEAK_BOUND_MB:.0} MB); board rows {rows}");
    println!(
        "{}",
        json!({
            "bench": "serve_load", "quick": quick, "participants": CLASS, "distinct": distinct,
            "residents": residents, "days": days,
            "served": served, "joined": joined, "repeats_cached": repeats,
            "round1_seconds": wall_one, "round2_seconds": wall_two,
            "first_day_median": p(&one, |o| o.first_day, 0.5),
            "done_median": p(&one, |o| o.done, 0.5), "done_p95": p(&one, |o| o.done, 0.95),
            "peak_mb": peak, "board_rows": rows,
        })
    );
    let mut failed = Vec::new();
    if served != CLASS || two.iter().any(|o| o.days != days as usize) {
        failed.push("a participant was not served every day".to_string());
    }
    if joined < CLASS - distinct {
        failed.push(format!(
            "only {joined} of {} repeats joined",
            CLASS - distinct
        ));
    }
    if repeats != CLASS {
        failed.push(format!("{repeats}/{CLASS} repeats from the cache"));
    }
    if rows != CLASS * 2 {
        failed.push(format!("board rows {rows}, not {}", CLASS * 2));
    }
    if peak.is_finite() && peak > PEAK_BOUND_MB {
        failed.push(format!("peak memory {peak:.0} MB over {PEAK_BOUND_MB} MB"));
    }
    if !failed.is_empty() {
        eprintln!("serve_load failed: {}", failed.join("; "));
        std::process::exit(1);
    }
}
