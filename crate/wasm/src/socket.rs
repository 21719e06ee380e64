//! The browser transport: a `WebSocket` (window, worker or Node 22+ /
//! Node 20 with `--experimental-websocket`) under
//! [`sotto_client::relay::RelayClient`], and timers from `setTimeout`.

use std::time::Duration;

use futures_channel::mpsc;
use futures_util::StreamExt;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use sotto_client::driver::{Progress, Runtime};
use sotto_client::relay::{ClientError, Socket, WsError, ws_url};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(f: &js_sys::Function, ms: i32) -> JsValue;
}

/// Resolves after `d` (the global `setTimeout`, so it works in pages,
/// workers and Node).
pub async fn sleep(d: Duration) {
    let ms = i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
    let p = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

enum Event {
    Open,
    Message(Vec<u8>),
    Closed(Option<u16>),
    Error,
}

/// A browser WebSocket as a [`Socket`].
pub struct BrowserSocket {
    ws: WebSocket,
    rx: mpsc::UnboundedReceiver<Event>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_open: Closure<dyn FnMut(JsValue)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

impl std::fmt::Debug for BrowserSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserSocket").finish_non_exhaustive()
    }
}

impl BrowserSocket {
    /// Opens a WebSocket to `url` (a URL without a path gets `/ws`) and
    /// waits until it is open.
    pub async fn connect(url: &str) -> Result<BrowserSocket, ClientError> {
        let ws = WebSocket::new(&ws_url(url)).map_err(|_| ClientError::Ws(WsError::BadUrl))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let (tx, rx) = mpsc::unbounded();
        let t = tx.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Ok(buf) = e.data().dyn_into::<js_sys::ArrayBuffer>() {
                let _ = t.unbounded_send(Event::Message(js_sys::Uint8Array::new(&buf).to_vec()));
            }
        });
        let t = tx.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let _ = t.unbounded_send(Event::Closed(Some(e.code())));
        });
        let t = tx.clone();
        let on_open = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = t.unbounded_send(Event::Open);
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = tx.unbounded_send(Event::Error);
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut s = BrowserSocket {
            ws,
            rx,
            _on_message: on_message,
            _on_close: on_close,
            _on_open: on_open,
            _on_error: on_error,
        };
        loop {
            match s.rx.next().await {
                Some(Event::Open) => return Ok(s),
                Some(Event::Message(_)) => continue,
                Some(Event::Error) => continue, // a close event follows
                Some(Event::Closed(code)) => {
                    return Err(ClientError::Ws(WsError::NotOpened(code.unwrap_or(0))));
                }
                None => return Err(ClientError::Closed(None)),
            }
        }
    }
}

impl Drop for BrowserSocket {
    fn drop(&mut self) {
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onopen(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

impl Socket for BrowserSocket {
    async fn send(&mut self, bytes: Vec<u8>) -> Result<(), ClientError> {
        if self.ws.ready_state() != WebSocket::OPEN {
            return Err(ClientError::Closed(None));
        }
        self.ws
            .send_with_u8_array(&bytes)
            .map_err(|_| ClientError::Ws(WsError::Send))
    }

    async fn recv(&mut self) -> Result<Vec<u8>, ClientError> {
        loop {
            match self.rx.next().await {
                Some(Event::Message(b)) => return Ok(b),
                Some(Event::Closed(code)) => return Err(ClientError::Closed(code)),
                Some(Event::Open | Event::Error) => continue,
                None => return Err(ClientError::Closed(None)),
            }
        }
    }

    async fn close(&mut self) -> Result<(), ClientError> {
        self.ws.close().map_err(|_| ClientError::Ws(WsError::Close))
    }
}

/// The browser [`Runtime`]: browser sockets, `setTimeout`, and progress
/// reported to an optional JS callback.
#[derive(Debug, Default)]
pub struct BrowserRuntime {
    /// Called with each [`Progress`] as a plain object.
    pub on_progress: Option<js_sys::Function>,
}

impl Runtime for BrowserRuntime {
    type Socket = BrowserSocket;

    async fn connect(&self, url: &str) -> Result<BrowserSocket, ClientError> {
        BrowserSocket::connect(url).await
    }

    async fn sleep(&self, d: Duration) {
        sleep(d).await;
    }

    fn unix_ms(&self) -> u64 {
        // A non-negative integer number of milliseconds, far below 2^53.
        js_sys::Date::now().max(0.0) as u64
    }

    fn presence_every(&self) -> Option<Duration> {
        // The console's list of members online (docs/web.md, "Presence").
        Some(Duration::from_secs(3))
    }

    fn progress(&self, p: &Progress) {
        if let (Some(f), Ok(v)) = (&self.on_progress, super::to_js(p)) {
            let _ = f.call1(&JsValue::NULL, &v);
        }
    }
}
