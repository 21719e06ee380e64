//! HTTP routes: the WebSocket endpoint, health, metrics, read-only session
//! endpoints for browsers, and the static web app.
//!
//! | route | what |
//! |---|---|
//! | `GET /ws` | WebSocket upgrade; frames are [`sotto_wire`] |
//! | `GET /healthz` | `ok` |
//! | `GET /metrics` | Prometheus text |
//! | `GET /v1/sessions/{id}/manifest` | the manifest blob (anyone with the id) |
//! | `GET /v1/sessions/{id}/results` | JSON results; `Authorization: Bearer <read token hex>` |
//! | anything else | files from `--static DIR`, if given (not with `--no-static`): precompressed `.br`/`.gz` by `Accept-Encoding`, `/assets/` immutable, the rest `no-cache` |
//!
//! Every response carries `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: no-referrer`; HTML pages also a Content-Security-Policy
//! header (see [`security_headers`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use axum::Router;
use axum::extract::{ConnectInfo, Path, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sotto_wire::{ErrorCode, SessionId, Token};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use crate::App;
use crate::store::{Command, Reply};

/// Slack above the frame limit for the WebSocket layer, so frames slightly
/// over the limit reach our check and get a typed error frame.
const WS_SLACK: usize = 64 * 1024;

/// The web app's policy (the same as the pages' meta tag), plus
/// `frame-ancestors 'none'`, which only a header can set: no other site may
/// frame the app's pages (clickjacking an organizer or a member). The
/// widget is not framed: other sites load its module (`widget.js`) as a
/// script, which CORS allows, so it stays embeddable.
pub const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of `embed-example.html`, a model of someone else's page
/// (with its own inline styles) that embeds the widget: not framable, no
/// plugins, no base-URL change.
pub const EXAMPLE_CSP: &str = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the security headers to every response: `nosniff` and
/// `no-referrer` everywhere; on HTML pages a Content-Security-Policy
/// header and `X-Frame-Options: DENY` (for browsers without
/// `frame-ancestors`).
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let example = req.uri().path().ends_with("/embed-example.html");
    let mut res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if html {
        let csp = if example { EXAMPLE_CSP } else { APP_CSP };
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}

/// Where the build puts content-hashed files: a name there never changes
/// content, so browsers may keep them for a year without asking again.
pub const IMMUTABLE_PREFIX: &str = "/assets/";

/// `Cache-Control` of the static files: under [`IMMUTABLE_PREFIX`] a found
/// file is `public, max-age=31536000, immutable`; everything else (the
/// HTML, `widget.js` at its stable address, errors) is `no-cache`, so the
/// browser revalidates it (ETag) on every load and a new build shows at
/// once.
async fn cache_control(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let hashed = req.uri().path().starts_with(IMMUTABLE_PREFIX);
    let mut res = next.run(req).await;
    let found = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let value = if hashed && found {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    res
}

/// Builds the router.
pub fn router(app: Arc<App>, static_dir: Option<PathBuf>) -> Router {
    let r = Router::new()
        .route("/ws", get(upgrade))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .route("/v1/sessions/{id}/manifest", get(manifest))
        .route("/v1/sessions/{id}/results", get(results))
        .with_state(app);
    match static_dir {
        // The web app's files are public and carry no secret; allowing any
        // origin lets other sites embed the widget (`<sotto-vote>`), whose
        // module and wasm are fetched cross-origin.
        //
        // `FILE.br` and `FILE.gz` beside a file (made by the build) are
        // sent instead of it to a browser that accepts them, with
        // `Vary: Accept-Encoding`; see [`cache_control`] for caching.
        Some(dir) => r.fallback_service(
            Router::new()
                .fallback_service(SetResponseHeader::overriding(
                    ServeDir::new(dir).precompressed_br().precompressed_gzip(),
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                ))
                .layer(axum::middleware::from_fn(cache_control)),
        ),
        None => r,
    }
    .layer(axum::middleware::from_fn(security_headers))
}

async fn upgrade(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // Behind a trusted proxy, the client its header names (`--trusted-proxy`).
    let addr = app.proxies.client(peer, &headers);
    let slot = match app.conns.acquire(addr.ip()) {
        Ok(slot) => slot,
        Err(e) => {
            app.metrics.connections_refused.fetch_add(1, Relaxed);
            tracing::warn!(%addr, reason = %e, "connection refused");
            return (StatusCode::TOO_MANY_REQUESTS, e.to_string()).into_response();
        }
    };
    let max = app.limits.max_frame_bytes.saturating_add(WS_SLACK);
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(max.saturating_mul(2))
        .on_upgrade(move |socket| crate::ws::serve(socket, addr, app, slot))
}

async fn metrics(State(app): State<Arc<App>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(),
    )
}

fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn no_session() -> Response {
    (StatusCode::NOT_FOUND, "no such session\n").into_response()
}

async fn manifest(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Ok(session) = SessionId::from_hex(&id) else {
        return no_session();
    };
    match app.store.call(Command::GetManifest { session }).await {
        Ok(Reply::Blob(b)) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], b).into_response()
        }
        Ok(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Err(e) => {
            let (code, msg) = e.to_wire();
            (status(code), msg).into_response()
        }
    }
}

async fn results(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(session) = SessionId::from_hex(&id) else {
        return no_session();
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .and_then(|hex| Token::from_hex(hex.trim()).ok());
    let Some(token) = token else {
        return (
            StatusCode::UNAUTHORIZED,
            "Authorization: Bearer <read token> required\n",
        )
            .into_response();
    };
    match app
        .store
        .call(Command::GetResults {
            session,
            token: token.digest(),
        })
        .await
    {
        Ok(Reply::Results(r)) => {
            let list: Vec<_> =
                r.0.iter()
                    .map(|(m, blob)| serde_json::json!({ "member": m, "blob": hex::encode(blob) }))
                    .collect();
            axum::Json(serde_json::json!({ "session": id, "results": list })).into_response()
        }
        Ok(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Err(e) => {
            let (code, msg) = e.to_wire();
            (status(code), msg).into_response()
        }
    }
}
