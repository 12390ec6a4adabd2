//! `linkage serve`, driven as a class would: over HTTP, from a raw socket (so that
//! malformed and hostile requests are really sent as such) and from headless Chromium
//! over the DevTools protocol (the page loads, a slider moves, a run streams in, and the
//! rows the page received are those `linkage run` writes).

mod common;

use common::http::{Answer, http, parse_events, raw};

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `linkage serve` on a free port, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_linkage"))
            .args(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in: {first}"))
            .to_string();
        Server { child, addr }
    }

    fn get(&self, path: &str) -> Answer {
        http(&self.addr, "GET", path, &[], b"")
    }

    fn post(&self, path: &str, json: &str) -> Answer {
        http(
            &self.addr,
            "POST",
            path,
            &[("Content-Type", "application/json")],
            json.as_bytes(),
        )
    }

    /// Start a run; its id.
    fn run(&self, json: &str) -> String {
        let a = self.post("/api/runs", json);
        assert_eq!(a.status, 200, "{}", a.text());
        a.json()["id"].as_str().unwrap().to_string()
    }

    /// Every event of a run's stream, to its end: (event, data).
    fn events(&self, id: &str) -> Vec<(String, String)> {
        let a = self.get(&format!("/api/runs/{id}/events"));
        assert_eq!(a.status, 200, "{}", a.text());
        parse_events(&a.text())
    }

    /// Still answering.
    fn alive(&self) {
        assert_eq!(
            self.get("/api/catalog").status,
            200,
            "the server still answers"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Each regime's `ticks.csv` lines from a run's day events, in the order received.
fn rows_by_regime(events: &[(String, String)]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (e, d) in events {
        if e == "day" {
            let v: Value = serde_json::from_str(d).unwrap();
            for r in v["rows"].as_array().unwrap() {
                let r = r.as_str().unwrap();
                by.entry(r.split(',').nth(1).unwrap().to_string())
                    .or_default()
                    .push(r.to_string());
            }
        }
    }
    by
}

/// `linkage run` with `args`: its ticks.csv lines by regime, and its summary.csv.
fn cli_run(args: &[&str]) -> (std::collections::BTreeMap<String, Vec<String>>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    common::succeeds(
        common::linkage()
            .arg("run")
            .args(args)
            .args(["--quiet", "--out"])
            .arg(&out),
    );
    let ticks = std::fs::read_to_string(out.join("ticks.csv")).unwrap();
    let mut by: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for l in ticks.lines().skip(1) {
        by.entry(l.split(',').nth(1).unwrap().to_string())
            .or_default()
            .push(l.to_string());
    }
    (
        by,
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
    )
}

/// The file `name` of a zip.
fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

const FLOOD: &str = r#"{"scenario":"xcity-flood","residents":1500,"days":160,"seed":7,"regimes":[{"name":"linkage"},{"name":"fragmented"}]}"#;

#[test]
fn a_streamed_run_is_linkage_run_byte_for_byte_and_repeats_come_from_the_cache() {
    let server = Server::start(&["--workers", "1"]);
    let id = server.run(FLOOD);
    let events = server.events(&id);
    let kinds: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert!(kinds.contains(&"warmup"), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "day").count(), 160);
    assert_eq!(kinds.last(), Some(&"done"));
    assert!(kinds.iter().filter(|k| **k == "map").count() >= 16);
    let (cli, summary) = cli_run(&[
        "--scenario",
        "xcity-flood",
        "--residents",
        "1500",
        "--ticks",
        "160",
        "--seed",
        "7",
        "--regime",
        "fragmented,linkage",
    ]);
    let streamed = rows_by_regime(&events);
    assert_eq!(
        streamed.keys().collect::<Vec<_>>(),
        cli.keys().collect::<Vec<_>>()
    );
    for (regime, lines) in &cli {
        assert_eq!(
            &streamed[regime], lines,
            "{regime}: the streamed rows are ticks.csv's"
        );
    }
    // Each day's points are the city row's; the done event carries the summary.
    let done: Value = serde_json::from_str(&events.last().unwrap().1).unwrap();
    assert_eq!(done["summary"].as_array().unwrap().len(), 2);
    let sentence = done["sentences"]["service"].as_str().unwrap();
    assert!(
        sentence.contains("during the flood (days 120-149)"),
        "{sentence}"
    );
    assert!(
        done["sentences_zh"]["trust"]
            .as_str()
            .unwrap()
            .contains("洪涝")
    );
    // The download is the folder linkage run writes, with its report.
    let zip = server.get(&format!("/api/runs/{id}/download"));
    assert_eq!(zip.status, 200);
    assert_eq!(
        zip.header("content-type").as_deref(),
        Some("application/zip")
    );
    assert_eq!(unzip(&zip.body, "summary.csv"), summary);
    assert!(unzip(&zip.body, "report.html").contains("<html"));
    // The same request again: the same run, answered from the cache, the same bytes.
    let again = server.post("/api/runs", FLOOD).json();
    assert_eq!(again["id"].as_str(), Some(id.as_str()));
    assert_eq!(again["cached"], true);
    // (A `queued` event says where the run stood when the viewer came: not part of the
    // run.)
    let run_only = |e: Vec<(String, String)>| -> Vec<(String, String)> {
        e.into_iter().filter(|(k, _)| k != "queued").collect()
    };
    assert_eq!(run_only(server.events(&id)), run_only(events));
}

#[test]
fn waiting_participants_see_their_place_and_every_run_is_served() {
    let server = Server::start(&["--workers", "1"]);
    let body = |seed: u32| {
        format!(
            r#"{{"scenario":"xcity-baseline","residents":6000,"days":120,"seed":{seed},"regimes":[{{"name":"linkage"}}]}}"#
        )
    };
    let ids: Vec<String> = (1..=3).map(|s| server.run(&body(s))).collect();
    let last = server.events(&ids[2]);
    assert_eq!(last[0].0, "queued", "the third run waits first");
    let place: Value = serde_json::from_str(&last[0].1).unwrap();
    assert!(place["place"].as_u64().unwrap() >= 1, "{place}");
    assert_eq!(last.last().unwrap().0, "done");
    for id in &ids[..2] {
        assert_eq!(server.events(id).last().unwrap().0, "done");
    }
}

#[test]
fn bad_and_hostile_requests_get_clean_answers_and_the_server_runs_on() {
    let server = Server::start(&["--workers", "1", "--max-residents", "50000"]);
    let a = &server.addr;
    let json = [("Content-Type", "application/json")];
    // (what, answer, status, words the error must hold)
    let cases: Vec<(&str, Answer, u16, &str)> = vec![
        (
            "a body over 16 KiB",
            http(a, "POST", "/api/runs", &json, &vec![b' '; 200_000]),
            413,
            "over 16 KiB",
        ),
        (
            "not JSON",
            http(a, "POST", "/api/runs", &json, b"{{{{"),
            400,
            "the request is not a run",
        ),
        (
            "not declared JSON",
            http(a, "POST", "/api/runs", &[("Content-Type", "text/plain")], FLOOD.as_bytes()),
            415,
            "must be JSON",
        ),
        (
            "a mechanism out of range",
            server.post(
                "/api/runs",
                r#"{"scenario":"xcity-flood","regimes":[{"name":"linkage","mechanisms":{"horizontal":2}}]}"#,
            ),
            400,
            "regimes.linkage.horizontal: is 2; allowed: a number from 0 to 1",
        ),
        (
            "a number that is not one",
            server.post(
                "/api/runs",
                r#"{"scenario":"xcity-flood","seed":-1,"regimes":[{"name":"linkage"}]}"#,
            ),
            400,
            "seed:",
        ),
        (
            "too many residents",
            server.post(
                "/api/runs",
                r#"{"scenario":"xcity-flood","residents":60000,"regimes":[{"name":"linkage"}]}"#,
            ),
            400,
            "residents: is 60000; allowed: 100 to 50000",
        ),
        (
            "a file path for a scenario",
            server.post(
                "/api/runs",
                r#"{"scenario":"/etc/passwd","regimes":[{"name":"linkage"}]}"#,
            ),
            400,
            "is not a built-in scenario",
        ),
        (
            "a scenario path the page does not offer",
            server.post(
                "/api/runs",
                r#"{"scenario":"xcity-flood","settings":{"run.threads":64},"regimes":[{"name":"linkage"}]}"#,
            ),
            400,
            "is not a setting the page offers",
        ),
        (
            "script as a regime name",
            server.post(
                "/api/runs",
                r#"{"scenario":"xcity-flood","regimes":[{"name":"<img src=x onerror=alert(1)>"}]}"#,
            ),
            400,
            "regimes[0].name:",
        ),
        (
            "path traversal in an asset",
            server.get("/assets/..%2F..%2F..%2Fetc%2Fpasswd"),
            404,
            "no such page",
        ),
        (
            "path traversal in the path",
            server.get("/assets/../../../../etc/passwd"),
            404,
            "no such page",
        ),
        (
            "an unknown run",
            server.get("/api/runs/..%2Fsecret/events"),
            404,
            "no such run",
        ),
        (
            "a post from another site's page",
            http(
                a,
                "POST",
                "/api/runs",
                &[("Content-Type", "application/json"), ("Origin", "http://evil.example")],
                FLOOD.as_bytes(),
            ),
            403,
            "another site",
        ),
        (
            "a board post of an unknown run",
            server.post("/api/board", r#"{"name":"x","run":"nope"}"#),
            404,
            "no such run",
        ),
        (
            "a board post with an empty name",
            server.post("/api/board", r#"{"name":"   ","run":"nope"}"#),
            400,
            "name: has 0 characters",
        ),
    ];
    for (what, answer, status, words) in cases {
        assert_eq!(answer.status, status, "{what}: {}", answer.text());
        let v = answer.json();
        let e = v["error"].as_str().unwrap_or_else(|| panic!("{what}: {v}"));
        assert!(e.contains(words), "{what}: {e}");
        assert!(!e.contains('\n'), "{what}: one line: {e}");
        server.alive();
    }
    // The same value in a scenario file: `linkage check` says the same words.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        "extends = \"xcity-flood\"\n[regimes.linkage]\nhorizontal = 2\n",
    )
    .unwrap();
    let out = common::linkage().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("regimes.linkage.horizontal: is 2; allowed: a number from 0 to 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A request without a Host line, a bare line of garbage: refused, server alive.
    assert_eq!(
        raw(a, "GET", "/", &[], b"", false).status,
        400,
        "no Host line"
    );
    server.alive();
    // A page on another site that points its own name at this machine (DNS rebinding)
    // sends its name as the Host: refused, reading or writing.
    for method in ["GET", "POST", "DELETE"] {
        let path = if method == "GET" {
            "/api/catalog"
        } else {
            "/api/board"
        };
        let evil = raw(
            a,
            method,
            path,
            &[
                ("Host", "evil.example:8080"),
                ("Origin", "http://evil.example:8080"),
                ("Content-Type", "application/json"),
            ],
            br#"{"name":"x","run":"y"}"#,
            false,
        );
        assert_eq!(
            evil.status,
            403,
            "{method} with another Host: {}",
            evil.text()
        );
        assert!(evil.text().contains("answers only to its address"));
    }
    // A body that never arrives is given up on, and the server runs on.
    let mut slow = TcpStream::connect(a).unwrap();
    write!(
        slow,
        "POST /api/runs HTTP/1.1\r\nHost: {a}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    )
    .unwrap();
    server.alive();
    let mut answer = String::new();
    let _ = slow.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A method an address does not take: 405, with the error in JSON.
    let wrong = http(a, "PUT", "/api/catalog", &[], b"");
    assert_eq!(wrong.status, 405);
    assert!(wrong.json()["error"].is_string());
    let mut s = TcpStream::connect(a).unwrap();
    s.write_all(b"\x00\x01garbage\r\n\r\n").unwrap();
    let mut sink = Vec::new();
    let _ = s.read_to_end(&mut sink);
    server.alive();
    // Every answer forbids other sites and inline script.
    let page = server.get("/");
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(page.header("access-control-allow-origin").is_none());
}

#[test]
fn the_board_keeps_the_servers_outcomes_names_as_text_and_the_teacher_clears_it() {
    let server = Server::start(&["--workers", "1"]);
    let id = server.run(
        r#"{"scenario":"xcity-baseline","residents":1000,"days":30,"regimes":[{"name":"integrated"},{"name":"linkage"}]}"#,
    );
    let events = server.events(&id);
    let done: Value = serde_json::from_str(&events.last().unwrap().1).unwrap();
    let name = "<script>alert('x')</script> 李";
    let post = server.post(
        "/api/board",
        &serde_json::json!({"name": name, "run": id}).to_string(),
    );
    assert_eq!(post.status, 200, "{}", post.text());
    let board = server.get("/api/board").json();
    let rows = board["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "one row a regime");
    for row in rows {
        assert_eq!(row["name"].as_str(), Some(name), "kept as text, as typed");
        let regime = row["regime"].as_str().unwrap();
        let s = done["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["regime"].as_str() == Some(regime))
            .unwrap();
        assert_eq!(row["solution_rate"], s["solution_rate"], "{regime}");
        assert_eq!(row["residents"], 1000);
    }
    let columns: Vec<&str> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(columns.contains(&"central_routing") && columns.contains(&"trust_end"));
    // The teacher's machine (loopback) clears it.
    let cleared = http(&server.addr, "DELETE", "/api/board", &[], b"");
    assert_eq!(cleared.status, 200, "{}", cleared.text());
    assert!(
        server.get("/api/board").json()["rows"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_page_and_its_assets_reference_nothing_outside_and_the_font_has_every_chinese_label() {
    let server = Server::start(&["--workers", "1"]);
    let page = server.get("/").text();
    let mut all = page.clone();
    for asset in ["app.js", "app.css", "uPlot.iife.min.js", "uPlot.min.css"] {
        let a = server.get(&format!("/assets/{asset}"));
        assert_eq!(a.status, 200, "{asset}");
        all.push_str(&a.text());
    }
    for url in ["http://", "https://", "//cdn", "url(http", "@import"] {
        assert!(!all.contains(url), "an asset holds {url}");
    }
    for attr in ["src=\"", "href=\""] {
        for part in page.split(attr).skip(1) {
            assert!(
                part.starts_with('/'),
                "{attr}{}",
                &part[..part.len().min(40)]
            );
        }
    }
    // Every Chinese character of the page and of the catalog (labels, lessons) is in the
    // served font.
    let font = server.get("/assets/font.ttf").body;
    let face = ttf_parser::Face::parse(&font, 0).unwrap();
    let catalog = server.get("/api/catalog").text();
    let catalog: String = serde_json::from_str::<Value>(&catalog)
        .map(|v| v.to_string())
        .unwrap();
    let mut checked = 0;
    for c in all.chars().chain(decode_json_escapes(&catalog).chars()) {
        if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            assert!(
                face.glyph_index(c).is_some(),
                "the font has no glyph for {c}"
            );
            checked += 1;
        }
    }
    assert!(
        checked > 100,
        "the page has Chinese labels ({checked} characters)"
    );
}

/// JSON text with its `\uXXXX` escapes as characters (serde_json writes CJK as is, but
/// be safe).
fn decode_json_escapes(s: &str) -> String {
    serde_json::from_str::<Value>(s)
        .map(|v| {
            let mut out = String::new();
            collect_strings(&v, &mut out);
            out
        })
        .unwrap_or_default()
}

fn collect_strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => out.push_str(s),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

/// Headless Chromium driven over the DevTools protocol.
struct Browser {
    child: Child,
    ws: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    next: u64,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Browser {
        let exe = ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .find(|b| {
                Command::new(b)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .expect("no Chromium on this machine (apt-get install chromium); CI must have it");
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(exe)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1400,1000",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut port = None;
        let mut seen = String::new();
        for _ in 0..200 {
            let mut line = String::new();
            if err.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            seen.push_str(&line);
            if let Some(rest) = line.split("ws://127.0.0.1:").nth(1) {
                port = rest.split('/').next().map(str::to_string);
                break;
            }
        }
        let port = port.unwrap_or_else(|| panic!("Chromium gave no DevTools address: {seen}"));
        // Keep draining its stderr so that it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while err.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        let list = http(&format!("127.0.0.1:{port}"), "GET", "/json/list", &[], b"").json();
        let page = list
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .unwrap()["webSocketDebuggerUrl"]
            .as_str()
            .unwrap()
            .to_string();
        let (ws, _) = tungstenite::connect(page).unwrap();
        Browser {
            child,
            ws,
            next: 0,
            _profile: profile,
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let msg = serde_json::json!({"id": id, "method": method, "params": params});
        self.ws
            .send(tungstenite::Message::text(msg.to_string()))
            .unwrap();
        loop {
            let m = self.ws.read().unwrap();
            if let tungstenite::Message::Text(t) = m {
                let v: Value = serde_json::from_str(t.as_str()).unwrap();
                if v["id"] == id {
                    return v;
                }
            }
        }
    }

    /// The value of a JavaScript expression (awaited when a promise).
    fn eval(&mut self, js: &str) -> Value {
        let v = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": js, "returnByValue": true, "awaitPromise": true}),
        );
        if let Some(e) = v["result"]["exceptionDetails"].as_object() {
            panic!("{js}: {e:?}");
        }
        v["result"]["result"]["value"].clone()
    }

    /// Wait until `js` is true (at most `secs` seconds).
    fn until(&mut self, js: &str, secs: u64) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            if self.eval(js) == Value::Bool(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let state = self.eval("JSON.stringify(window.linkageTest && {state: linkageTest.state, err: linkageTest.lastError, box: (document.getElementById('error')||{}).textContent})");
        panic!("waited {secs} s for {js}; page: {state}");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The teacher's path: the page loads (in Chinese, its glyphs from the embedded font),
/// a slider moves, the run streams in and the charts get their points, and the rows the
/// page received are byte for byte those of `linkage run` with the same settings.
#[test]
#[cfg_attr(
    not(any(ci, has_chromium)),
    ignore = "needs Chromium: apt-get install chromium"
)]
fn chromium_runs_the_page_and_receives_linkage_runs_rows() {
    let server = Server::start(&["--workers", "1"]);
    let mut b = Browser::start();
    b.call(
        "Page.navigate",
        serde_json::json!({"url": format!("http://{}/?lang=zh", server.addr)}),
    );
    b.until(
        "!!(window.linkageTest && document.getElementById('mech-linkage-social'))",
        60,
    );
    // The Chinese labels draw with the embedded font: it has loaded, and two different
    // words set in it draw differently (a machine without a CJK font, like CI's, would
    // draw both as the same empty boxes).
    b.until("document.fonts.check('20px LinkageSans', '服务率')", 30);
    let differ = b.eval(
        "(async () => { await document.fonts.load('40px LinkageSans', '政府信任'); \
          const draw = w => { const c = document.createElement('canvas'); c.width = 200; c.height = 60; \
          const x = c.getContext('2d'); x.font = '40px LinkageSans'; x.fillText(w, 0, 45); return c.toDataURL(); }; \
          return draw('政府信任') !== draw('满意率高'); })()",
    );
    assert_eq!(differ, Value::Bool(true));
    // Settings as a participant sets them, then one slider moved.
    let set = |b: &mut Browser, id: &str, v: &str| {
        let r = b.eval(&format!(
            "(() => {{ const e = document.getElementById('{id}'); if (!e) return false; e.value = '{v}'; \
              e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()"
        ));
        assert_eq!(r, Value::Bool(true), "no control #{id}");
    };
    set(&mut b, "scenario", "xcity-flood");
    set(&mut b, "shock-kind", "scenario");
    set(&mut b, "residents", "1200");
    set(&mut b, "days", "160");
    set(&mut b, "seed", "3");
    set(&mut b, "mech-linkage-social", "0.5");
    b.eval("(() => { for (const r of ['fragmented', 'integrated', 'linkage']) { const e = document.getElementById('regime-' + r); if (e && e.checked !== (r !== 'integrated')) e.click(); } return true; })()");
    b.eval("document.getElementById('speed').value = document.getElementById('speed').options[document.getElementById('speed').options.length - 1].value; document.getElementById('speed').dispatchEvent(new Event('change', {bubbles: true})); true");
    b.eval("document.getElementById('run').click(); true");
    // A slider moved while the run goes is refused, said so, and put back.
    set(&mut b, "mech-linkage-social", "0.9");
    assert_eq!(
        b.eval("document.getElementById('mech-linkage-social').value"),
        Value::String("0.5".into()),
        "the run's value is kept"
    );
    let notice = b.eval("document.getElementById('notice').textContent");
    assert!(
        !notice.as_str().unwrap_or("").trim().is_empty(),
        "a message says why"
    );
    b.until("window.linkageTest.state === 'done'", 240);
    // Every day is shown: each chart holds a point a day, and the map was drawn.
    b.until("window.linkageTest.shownDays === 160", 120);
    let drawn = b.eval("JSON.stringify(window.linkageTest.drawn)");
    let drawn: std::collections::BTreeMap<String, u64> =
        serde_json::from_str(drawn.as_str().unwrap()).unwrap();
    assert_eq!(drawn.len(), 7, "seven charts: {drawn:?}");
    assert!(
        drawn.values().all(|&n| n == 160),
        "a point a day on every chart: {drawn:?}"
    );
    assert!(b.eval("window.linkageTest.mapsDrawn").as_u64().unwrap() >= 1);
    // The sentences are on the page: written when the page finishes the run, which may
    // come a moment after the last day is shown.
    b.until(
        "document.getElementById('sentence-service').textContent.length > 0",
        30,
    );
    let said = b.eval("document.getElementById('sentence-service').textContent");
    assert!(said.as_str().unwrap().contains("洪涝"), "{said}");
    let received = b.eval("JSON.stringify(window.linkageTest.received)");
    let received: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(received.as_str().unwrap()).unwrap();
    // The same run from the command line: social of linkage at 0.5.
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("moved.toml");
    std::fs::write(
        &file,
        "extends = \"xcity-flood\"\nname = \"xcity-flood\"\n[regimes.linkage]\nsocial = 0.5\n",
    )
    .unwrap();
    let (cli, _) = cli_run(&[
        "--scenario",
        file.to_str().unwrap(),
        "--residents",
        "1200",
        "--ticks",
        "160",
        "--seed",
        "3",
        "--regime",
        "fragmented,linkage",
    ]);
    assert_eq!(
        received.keys().collect::<Vec<_>>(),
        cli.keys().collect::<Vec<_>>()
    );
    for (regime, lines) in &cli {
        assert_eq!(
            lines.len(),
            160 * 7,
            "{regime}: six counties and the city a day"
        );
        assert_eq!(
            &received[regime], lines,
            "{regime}: the page received ticks.csv's rows"
        );
    }
}
