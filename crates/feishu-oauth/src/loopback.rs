//! The loopback listener (RFC 8252 §7.3): an HTTP server on `127.0.0.1:<registered port>` that waits
//! for the one callback carrying the pending sign-in's `state`.
//!
//! A `localhost` redirect is served on both loopback addresses a browser may resolve it to
//! (127.0.0.1 and ::1); `127.0.0.1` is the one to register (RFC 8252 §8.3). A request whose `Host`
//! is not the redirect's own authority (or the address it was accepted on) is refused: a web page
//! that rebinds its own DNS name to 127.0.0.1 cannot talk to the listener.
//!
//! Anything else (a favicon request, a scanner, a forged or replayed callback, garbage bytes) gets
//! its own answer and the wait goes on. Headers are bounded in size and read time, connections in
//! number and lifetime. When the callback arrives, the timeout passes or the wait is dropped
//! (cancelled), the listening socket is closed at once, so the port is free again.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use http_body_util::Full;
use hyper::{body::Bytes, server::conn::http1, service::service_fn, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    net::TcpListener,
    sync::{mpsc, oneshot, Semaphore},
};
use tracing::{debug, info, warn};

use crate::{
    authorize::StateMatcher,
    callback::{Callback, CallbackError},
    error::{Error, Result},
    language::Language,
    pages::{self, Page, Tone},
    redirect::{CallbackRoute, RedirectUri},
};

/// The most connections served at once; more are closed unanswered.
const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send its request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes buffered for a request head (hyper's minimum is 8 KiB).
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long one connection may live, whatever it does.
const CONNECTION_DEADLINE: Duration = Duration::from_secs(60);
/// How long the browser waits for the outcome of the code exchange before it is told to look at
/// the app.
const OUTCOME_WAIT: Duration = Duration::from_secs(45);

/// A bound listener, not yet serving.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    /// For a `localhost` redirect, the IPv6 loopback listener beside the IPv4 one.
    ipv6: Option<TcpListener>,
    redirect_uri: RedirectUri,
    language: Language,
}

/// The genuine callback, and the way to answer the browser that brought it.
#[derive(Debug)]
pub struct Arrival {
    /// The callback (its `state` already checked).
    pub callback: Callback,
    /// Answers the browser; dropping it sends a neutral "return to the app" page.
    pub responder: Responder,
}

/// How long a responder waits for the page to be written before letting the caller go on (a
/// process that exits right after would otherwise cut the page off).
const DELIVERY_WAIT: Duration = Duration::from_secs(3);

/// Sends the outcome page to the browser that delivered the callback.
#[derive(Debug)]
pub struct Responder {
    outcome: oneshot::Sender<Response<Full<Bytes>>>,
    delivered: oneshot::Receiver<()>,
    language: Language,
}

impl Responder {
    /// The sign-in succeeded. Returns once the page has been written (or after a few seconds).
    pub async fn succeeded(self, who: &str) {
        self.send(Page::SignedIn(who)).await;
    }

    /// The sign-in failed with `error`: the page sends the person back to the app, which says
    /// why; a declined consent is told as the person's own choice.
    pub async fn failed(self, error: &Error) {
        let page = match error {
            Error::AccessDenied => Page::Declined,
            _ => Page::Failed,
        };
        self.send(page).await;
    }

    async fn send(self, page: Page<'_>) {
        let status = if page.tone() == Tone::Failure {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
        if self
            .outcome
            .send(respond(status, page, self.language))
            .is_ok()
        {
            let _ = tokio::time::timeout(DELIVERY_WAIT, self.delivered).await;
        }
    }
}

/// Set by the handler that served the genuine callback; fired by its connection task once the
/// connection is done, i.e. the page was written.
type DeliverySlot = Arc<Mutex<Option<oneshot::Sender<()>>>>;

/// What every connection task shares.
struct Shared {
    redirect_uri: RedirectUri,
    /// The `Host` values a genuine browser request carries: the redirect's authority and the
    /// addresses listened on.
    hosts: Vec<String>,
    matcher: StateMatcher,
    language: Language,
    /// Taken by the first genuine callback; later ones (replays) find it empty.
    arrival: Mutex<Option<mpsc::Sender<Arrival>>>,
}

impl LoopbackListener {
    /// Binds the redirect URI's loopback address (never all interfaces). Binding happens before
    /// the browser opens, so the callback cannot arrive to a closed port.
    pub async fn bind(redirect_uri: &RedirectUri) -> Result<Self> {
        let CallbackRoute::Loopback(addr) = redirect_uri.route() else {
            return Err(Error::config(
                "FEISHU_REDIRECT_URI / redirect_uri",
                format!("`{redirect_uri}` is not a loopback redirect"),
            ));
        };
        let listen = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Listen {
                    addr: addr.to_string(),
                    source,
                })
        };
        let listener = listen(addr).await?;
        // A browser may resolve `localhost` to either loopback address, so both are served.
        let ipv6 = if redirect_uri.url().host_str() == Some("localhost") {
            let v6 = SocketAddr::new(std::net::Ipv6Addr::LOCALHOST.into(), addr.port());
            match listen(v6).await {
                Ok(listener) => Some(listener),
                // No IPv6 on this machine: no browser here can reach ::1 either.
                Err(Error::Listen { source, .. })
                    if matches!(
                        source.kind(),
                        std::io::ErrorKind::AddrNotAvailable | std::io::ErrorKind::Unsupported
                    ) || source.raw_os_error() == Some(97) =>
                {
                    None
                }
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        info!(%addr, ipv6 = ipv6.is_some(), "listening for the sign-in callback");
        Ok(Self {
            listener,
            ipv6,
            redirect_uri: redirect_uri.clone(),
            language: Language::default(),
        })
    }

    /// Words the browser's pages in `language` (English unless told).
    #[must_use]
    pub fn speaking(mut self, language: Language) -> Self {
        self.language = language;
        self
    }

    /// The bound address.
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener.local_addr().map_err(|source| Error::Listen {
            addr: self.redirect_uri.to_string(),
            source,
        })
    }

    /// Serves until the callback for `matcher`'s sign-in arrives, or `timeout` passes. Dropping the
    /// future cancels the wait and frees the port.
    pub async fn wait(self, matcher: StateMatcher, timeout: Duration) -> Result<Arrival> {
        let (tx, mut rx) = mpsc::channel(1);
        let redirect_uri = self.redirect_uri.clone();
        let mut hosts = redirect_authorities(&redirect_uri);
        for listener in std::iter::once(&self.listener).chain(&self.ipv6) {
            if let Ok(addr) = listener.local_addr() {
                hosts.push(addr.to_string());
            }
        }
        let shared = Arc::new(Shared {
            redirect_uri: redirect_uri.clone(),
            hosts,
            matcher,
            language: self.language,
            arrival: Mutex::new(Some(tx)),
        });
        // The accept loop runs inside this future, not in a task of its own: when the wait ends the
        // listening socket is dropped right there, and the port is free before this returns.
        tokio::select! {
            arrival = rx.recv() => arrival.ok_or(Error::Cancelled),
            () = accept_loop(self.listener, self.ipv6, shared) => Err(Error::Cancelled),
            () = tokio::time::sleep(timeout) => Err(Error::Timeout { timeout, redirect_uri: redirect_uri.to_string() }),
        }
    }
}

/// The redirect URI's `host:port`, as a browser sends it in `Host` (just `host` for a port-less
/// URI, whose default port a browser leaves out).
fn redirect_authorities(redirect_uri: &RedirectUri) -> Vec<String> {
    let url = redirect_uri.url();
    let host = url.host_str().unwrap_or_default().to_owned();
    match (url.port(), url.port_or_known_default()) {
        (Some(port), _) => vec![format!("{host}:{port}")],
        (None, Some(port)) => vec![format!("{host}:{port}"), host],
        (None, None) => vec![host],
    }
}

async fn accept_loop(listener: TcpListener, ipv6: Option<TcpListener>, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let accept_ipv6 = || async {
        match &ipv6 {
            Some(listener) => listener.accept().await,
            None => std::future::pending().await,
        }
    };
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            accepted = accept_ipv6() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: pause rather than spin.
                warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
            debug!(%peer, "too many connections; closing this one");
            continue;
        };
        let shared = Arc::clone(&shared);
        let delivery: DeliverySlot = Arc::default();
        let delivery_for_handler = Arc::clone(&delivery);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                handle(
                    request,
                    Arc::clone(&shared),
                    Arc::clone(&delivery_for_handler),
                )
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service);
            match tokio::time::timeout(CONNECTION_DEADLINE, connection).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => debug!(%peer, error = %e, "connection ended with an error"),
                Err(_) => debug!(%peer, "connection deadline passed"),
            }
            if let Some(delivered) = delivery
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
            {
                let _ = delivered.send(());
            }
            drop(permit);
        });
    }
}

async fn handle(
    request: Request<hyper::body::Incoming>,
    shared: Arc<Shared>,
    delivery: DeliverySlot,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let language = shared.language;
    if request.method() != hyper::Method::GET {
        return Ok(respond(
            StatusCode::METHOD_NOT_ALLOWED,
            Page::NotAllowed,
            language,
        ));
    }
    let host = request
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !shared.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        warn!("request for another host refused (a DNS-rebinding page, or a misdirected request)");
        return Ok(respond(
            StatusCode::MISDIRECTED_REQUEST,
            Page::WrongAddress,
            language,
        ));
    }
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", hyper::http::uri::PathAndQuery::as_str);
    let callback = match Callback::parse_request_target(target, &shared.redirect_uri) {
        Ok(callback) => callback,
        Err(CallbackError::NotTheRedirect) => {
            debug!(path = request.uri().path(), "stray request");
            return Ok(respond(StatusCode::NOT_FOUND, Page::NotFound, language));
        }
        Err(e) => {
            warn!(error = %e, "malformed callback ignored");
            return Ok(respond(
                StatusCode::BAD_REQUEST,
                Page::NotACallback(&e.to_string()),
                language,
            ));
        }
    };
    if !shared.matcher.matches(callback.state()) {
        warn!("callback with a state that matches no pending sign-in ignored");
        return Ok(respond(
            StatusCode::BAD_REQUEST,
            Page::UnknownSignIn,
            language,
        ));
    }
    let Some(sender) = shared
        .arrival
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
    else {
        warn!("replayed callback ignored");
        return Ok(respond(
            StatusCode::BAD_REQUEST,
            Page::AlreadyUsed,
            language,
        ));
    };
    let (outcome_tx, outcome_rx) = oneshot::channel();
    let (delivered_tx, delivered_rx) = oneshot::channel();
    *delivery.lock().unwrap_or_else(PoisonError::into_inner) = Some(delivered_tx);
    let responder = Responder {
        outcome: outcome_tx,
        delivered: delivered_rx,
        language,
    };
    if sender
        .send(Arrival {
            callback,
            responder,
        })
        .await
        .is_err()
    {
        return Ok(respond(StatusCode::GONE, Page::Ended, language));
    }
    info!("sign-in callback received");
    let response = match tokio::time::timeout(OUTCOME_WAIT, outcome_rx).await {
        Ok(Ok(response)) => response,
        _ => respond(StatusCode::OK, Page::Received, language),
    };
    Ok(response)
}

fn respond(status: StatusCode, page: Page<'_>, language: Language) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(page.render(language))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    for (name, value) in pages::SECURITY_HEADERS {
        headers.insert(name, hyper::header::HeaderValue::from_static(value));
    }
    response
}
