//! `linkage serve`: class mode. A local web server (axum on a small tokio runtime)
//! serving one page and its assets, all compiled in, and a JSON API through which the
//! page runs the regimes side by side, streams each day as it is computed (server-sent
//! events), hands out the run folder and keeps the class board. docs/serve.md is the
//! API; docs/teaching.md the teacher's guide.
//!
//! Nothing a request carries becomes a file path, a scenario file or a thread count:
//! a scenario is a built-in one by name, the settings go through the scenario checks
//! ([`request`]), bodies are at most 16 KiB, and the simulations run on a fixed number
//! of worker threads behind a bounded queue ([`jobs`]).

pub mod board;
pub mod catalog;
pub mod jobs;
pub mod live;
pub mod net;
pub mod request;

use crate::report::lang::Lang;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jobs::{Config, Jobs, Status};
use net::Peer;
use request::Limits;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The largest request body.
pub const MAX_BODY: usize = 16 * 1024;
/// Runs waiting at most.
pub const MAX_WAITING: usize = 64;
/// How long a viewer may leave its stream unread before it is dropped.
const STALL: Duration = Duration::from_secs(30);

/// How `linkage serve` was started.
#[derive(Clone, Debug)]
pub struct Options {
    pub bind: IpAddr,
    pub port: u16,
    pub lang: Lang,
    pub limits: Limits,
    pub workers: usize,
    /// Bytes the cache of finished runs may hold.
    pub cache_bytes: usize,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setup(String),
}

static INDEX: &str = include_str!("page/index.html");
static APP_JS: &str = include_str!("page/app.js");
static APP_CSS: &str = include_str!("page/app.css");
static UPLOT_JS: &str = include_str!("../../assets/vendor/uplot/uPlot.iife.min.js");
static UPLOT_CSS: &str = include_str!("../../assets/vendor/uplot/uPlot.min.css");

/// What every handler shares.
struct App {
    jobs: Arc<Jobs>,
    limits: Limits,
    catalog: Value,
    font: Vec<u8>,
    board: Mutex<Vec<Value>>,
    posted: AtomicU64,
    /// This machine's addresses: a request from one of them is the teacher's.
    local: Vec<IpAddr>,
}

/// The app's router for [`serve`]: its state built from `options`, its workers started.
pub fn router(options: &Options, scratch: std::path::PathBuf) -> Result<Router, ServeError> {
    let catalog = catalog::catalog(options.limits, options.workers, options.lang.code())
        .map_err(ServeError::Setup)?;
    let text = format!(
        "{INDEX}{APP_JS}{}{}",
        catalog::text(&catalog),
        live::sample_text()
    );
    let font = crate::base::fonts::subset(&text).map_err(|e| ServeError::Setup(e.to_string()))?;
    let jobs = Jobs::start(
        Config {
            workers: options.workers,
            max_waiting: MAX_WAITING,
            cache_bytes: options.cache_bytes,
            lang: options.lang,
        },
        scratch,
    );
    let app = Arc::new(App {
        jobs,
        limits: options.limits,
        catalog,
        font,
        board: Mutex::new(Vec::new()),
        posted: AtomicU64::new(0),
        local: std::iter::once(options.bind)
            .chain(room_address())
            .filter(|ip| !ip.is_unspecified())
            .map(net::canonical)
            .collect(),
    });
    Ok(Router::new()
        .route("/", get(index))
        .route("/board", get(index))
        .route("/assets/{name}", get(asset))
        .route("/api/catalog", get(catalog_json))
        .route("/api/runs", axum::routing::post(create_run))
        .route("/api/runs/{id}/events", get(events))
        .route("/api/runs/{id}/download", get(download))
        .route(
            "/api/board",
            get(board_get).post(board_post).delete(board_clear),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(guard))
        .with_state(app))
}

/// Serve until Ctrl-C. Prints where to open the page (and, bound to every interface,
/// the address participants type) on stdout.
pub fn serve(options: Options) -> Result<(), ServeError> {
    // A folder of this process's own, made new (never one that was already there).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let scratch =
        std::env::temp_dir().join(format!("linkage-serve-{}-{nanos:09}", std::process::id()));
    std::fs::create_dir(&scratch)
        .map_err(|e| ServeError::Setup(format!("cannot make {}: {e}", scratch.display())))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("linkage-serve-io")
        .enable_all()
        .build()
        .map_err(|e| ServeError::Setup(format!("cannot start the server's threads: {e}")))?;
    let addr = SocketAddr::new(options.bind, options.port);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Listen { addr, source })?;
        let bound = listener
            .local_addr()
            .map_err(|source| ServeError::Listen { addr, source })?;
        let app = router(&options, scratch.clone())?;
        announce(bound, &options);
        let server = axum::serve(
            net::Limited::new(listener),
            app.into_make_service_with_connect_info::<Peer>(),
        );
        tokio::select! {
            r = server => r.map_err(|source| ServeError::Listen { addr: bound, source }),
            _ = tokio::signal::ctrl_c() => {
                println!("linkage serve: stopped (Ctrl-C); the board is cleared");
                Ok(())
            }
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    // Worker threads may be mid-run: do not wait for them.
    runtime.shutdown_background();
    result
}

/// Where to open the page.
fn announce(bound: SocketAddr, options: &Options) {
    use std::io::Write as _;
    let port = bound.port();
    let mut lines = Vec::new();
    if bound.ip().is_unspecified() {
        lines.push(format!(
            "linkage serve: listening on every interface, port {port}; on this machine open http://127.0.0.1:{port}/"
        ));
        match room_address() {
            Some(ip) => lines.push(format!(
                "participants open http://{ip}:{port}/ (this machine's address on the room's network); the board is http://{ip}:{port}/board"
            )),
            None => lines.push(
                "participants open http://<this machine's address>:{port}/ (no network address found)".replace("{port}", &port.to_string()),
            ),
        }
    } else {
        lines.push(format!("linkage serve: listening on http://{bound}/"));
        if bound.ip().is_loopback() {
            lines.push(
                "only this machine can open it; --bind 0.0.0.0 lets the room's network in".into(),
            );
        }
    }
    lines.push(format!(
        "{} simulation{} at once, at most {} residents and {} days a run; Ctrl-C stops",
        options.workers,
        if options.workers == 1 { "" } else { "s" },
        crate::output::table::thousands(options.limits.max_residents as f64),
        options.limits.max_days
    ));
    let mut out = std::io::stdout().lock();
    for l in lines {
        let _ = writeln!(out, "{l}");
    }
    let _ = out.flush();
}

/// This machine's address on its network: the one the system would send from (a UDP
/// socket's `connect` sends nothing).
fn room_address() -> Option<IpAddr> {
    let s = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    s.connect("192.0.2.1:80").ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// A JSON error answer: `{"error": message}`.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    let body = json!({ "error": message.into() }).to_string();
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

fn json_ok(v: &Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

/// Every answer's security headers; a state-changing request from another site's page
/// (its `Origin` not this server) is refused.
async fn guard(req: Request, next: Next) -> Response {
    match req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or(""))
    {
        None => {
            return with_headers(error(
                StatusCode::BAD_REQUEST,
                "the request has no Host line",
            ));
        }
        Some(h) if !net::host_allowed(h) => {
            return with_headers(error(
                StatusCode::FORBIDDEN,
                "this server answers only to its address (an IP address or localhost), not to a name",
            ));
        }
        Some(_) => {}
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        && let Some(origin) = req.headers().get(header::ORIGIN)
    {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let from = origin.to_str().unwrap_or("");
        let same = from
            .strip_prefix("http://")
            .is_some_and(|rest| !host.is_empty() && rest == host);
        if !same {
            return with_headers(error(
                StatusCode::FORBIDDEN,
                "requests from another site's page are refused",
            ));
        }
    }
    with_headers(next.run(req).await)
}

fn with_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; connect-src 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

async fn index() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX,
    )
        .into_response()
}

async fn asset(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    let (kind, body): (&str, Body) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", Body::from(APP_JS)),
        "app.css" => ("text/css; charset=utf-8", Body::from(APP_CSS)),
        "uPlot.iife.min.js" => ("text/javascript; charset=utf-8", Body::from(UPLOT_JS)),
        "uPlot.min.css" => ("text/css; charset=utf-8", Body::from(UPLOT_CSS)),
        "font.ttf" => ("font/ttf", Body::from(app.font.clone())),
        _ => return not_found().await,
    };
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such page")
}

async fn not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "this address does not take that method",
    )
}

async fn catalog_json(State(app): State<Arc<App>>) -> Response {
    json_ok(&app.catalog)
}

/// How long a request may take to send its body.
const BODY_TIME: Duration = Duration::from_secs(10);

/// The body of a JSON request (at most [`MAX_BODY`], sent within [`BODY_TIME`]), or the
/// status and words refusing it.
async fn body_of(headers: &HeaderMap, body: Body) -> Result<Bytes, (StatusCode, String)> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !json {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)".into(),
        ));
    }
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is over {} KiB", MAX_BODY / 1024),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_TIME, axum::body::to_bytes(body, MAX_BODY)).await {
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            format!("the body did not arrive within {} s", BODY_TIME.as_secs()),
        )),
        Ok(Err(e)) if e.to_string().contains("length limit") => Err(too_large()),
        Ok(Err(e)) => Err((
            StatusCode::BAD_REQUEST,
            format!("cannot read the body: {e}"),
        )),
        Ok(Ok(b)) => Ok(b),
    }
}

async fn create_run(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match body_of(&headers, body).await {
        Ok(b) => b,
        Err((status, message)) => return error(status, message),
    };
    let planned = match request::plan(&body, app.limits) {
        Ok(p) => p,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let who = net::canonical(peer.0.ip());
    let local = who.is_loopback() || app.local.contains(&who);
    let (job, joined) = match app.jobs.submit(planned, who, local) {
        Ok(j) => j,
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    };
    let sc = &job.planned.scenario;
    let shock = sc.shocks.first().map(|s| {
        let (day, end) = s.window();
        json!({"day": day, "end": end, "kind": catalog::kind_of(s)})
    });
    json_ok(&json!({
        "id": job.key(),
        "cached": joined,
        "status": format!("{:?}", job.status()).to_lowercase(),
        "place": app.jobs.place(&job).unwrap_or(0),
        "regimes": job.planned.regimes.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(),
        "units": job.units,
        "days": sc.run.ticks,
        "warmup": sc.run.warmup,
        "header": crate::output::files::ticks_header().join(","),
        "shock": shock,
    }))
}

/// Send `e` to a viewer; false when it is gone or has not read for [`STALL`].
async fn send(tx: &tokio::sync::mpsc::Sender<Result<Event, Infallible>>, e: Event) -> bool {
    matches!(
        tokio::time::timeout(STALL, tx.send(Ok(e))).await,
        Ok(Ok(()))
    )
}

async fn events(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(job) = app.jobs.get(&id) else {
        return error(
            StatusCode::NOT_FOUND,
            "no such run (finished runs are kept while memory allows; run it again)",
        );
    };
    // A small buffer, and a viewer that does not read for STALL is dropped: a stream
    // holds at most a few days' events, however slowly it is read.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(4);
    let jobs = Arc::clone(&app.jobs);
    tokio::spawn(async move {
        let mut seen = job.watch();
        let mut queue = jobs.watch_queue();
        let mut sent = 0usize;
        let mut place: Option<usize> = None;
        loop {
            seen.borrow_and_update();
            queue.borrow_and_update();
            let (batch, status) = job.since(sent);
            if status == Status::Waiting {
                let now = jobs.place(&job);
                if now != place {
                    place = now;
                    let data = json!({ "place": now.unwrap_or(0) }).to_string();
                    if !send(&tx, Event::default().event("queued").data(data)).await {
                        return;
                    }
                }
            }
            for (kind, data) in batch {
                sent += 1;
                if !send(&tx, Event::default().event(kind).data(&*data)).await {
                    return;
                }
            }
            if matches!(status, Status::Done | Status::Failed) && job.since(sent).0.is_empty() {
                return;
            }
            tokio::select! {
                r = seen.changed() => if r.is_err() { return; },
                r = queue.changed() => if r.is_err() { return; },
            }
        }
    });
    Sse::new(tokio_stream::wrappers::ReceiverStream::new(rx))
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn download(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Some(job) = app.jobs.get(&id) else {
        return error(StatusCode::NOT_FOUND, "no such run");
    };
    let Some(zip) = job.zip() else {
        return error(StatusCode::CONFLICT, "the run has not finished yet");
    };
    let name = format!(
        "attachment; filename=\"{}-{}.zip\"",
        job.planned.scenario.name,
        job.key()
    );
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        Body::from(zip.as_ref().clone()),
    )
        .into_response()
}

async fn board_get(State(app): State<Arc<App>>) -> Response {
    let rows = app.board.lock().unwrap_or_else(|p| p.into_inner()).clone();
    json_ok(&json!({ "columns": board::columns(), "rows": rows }))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Post {
    name: String,
    run: String,
}

async fn board_post(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Response {
    let body = match body_of(&headers, body).await {
        Ok(b) => b,
        Err((status, message)) => return error(status, message),
    };
    let post: Post = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("the request is not a post to the board: {e}"),
            );
        }
    };
    let name = match board::check_name(&post.name) {
        Ok(n) => n,
        Err(m) => return error(StatusCode::BAD_REQUEST, m),
    };
    let Some(job) = app.jobs.get(&post.run) else {
        return error(StatusCode::NOT_FOUND, "run: no such run");
    };
    if job.status() != Status::Done {
        return error(
            StatusCode::CONFLICT,
            "run: has not finished yet; post it when it is done",
        );
    }
    let posted = app.posted.fetch_add(1, Ordering::Relaxed) + 1;
    let rows = board::rows(&job, &name, posted);
    let added = rows.len();
    let mut b = app.board.lock().unwrap_or_else(|p| p.into_inner());
    for r in rows.into_iter().rev() {
        b.insert(0, r);
    }
    b.truncate(board::MAX_ROWS);
    json_ok(&json!({ "added": added, "rows": b.len() }))
}

async fn board_clear(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
) -> Response {
    let who = net::canonical(peer.0.ip());
    if !(who.is_loopback() || app.local.contains(&who)) {
        return error(
            StatusCode::FORBIDDEN,
            "only the teacher's machine (the one running linkage serve) can clear the board",
        );
    }
    app.board.lock().unwrap_or_else(|p| p.into_inner()).clear();
    json_ok(&json!({ "rows": 0 }))
}
