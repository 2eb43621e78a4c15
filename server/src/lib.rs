//! The certification center on the network (issue 4): `eds serve`.
//!
//! One axum router on one port, over the same data folder and register as the command line:
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /ocsp`, `GET /ocsp/{base64}` | anyone | OCSP (RFC 6960; GET with the cache headers of RFC 5019 §6) |
//! | `GET /crl/issuing.crl` | anyone | the issuing center's current CRL, DER |
//! | `GET /crl/root.crl` | anyone | the root center's current CRL, DER ([`eds_ca::root_crl`]) |
//! | `GET /cert/root.cer`, `GET /cert/issuing.cer` | anyone | the CA certificates, DER |
//! | `GET /api/v1/register` | anyone | the public register, redacted as EDS law art. 23 asks |
//! | `POST /api/v1/certificates` | operator | issue from a registration request with a CSR |
//! | `GET /api/v1/certificates/{serial}` | operator | one certificate, unredacted, with its PEM |
//! | `POST /api/v1/certificates/{serial}/revoke` | operator | revoke on a ground of art. 18.1 / 17.1 |
//! | `POST /tsa` | anyone | timestamps (RFC 3161; [`tsa`]) |
//! | `GET /`, `POST /verify` | anyone | the verification page: upload a signed document, see the verdict ([`web`]) |
//! | `POST /api/v1/verify` | anyone | the same verification, the JSON report of `eds verify --json` |
//! | `POST /cms/verify`, `POST /x509/info` | anyone | the same verification in NCANode's v3 JSON shape ([`ncanode`]) |
//!
//! The crate is thin, as the house style asks: it decodes and checks the wire form, calls the
//! `eds-ca` domain on a blocking thread (the register is synchronous SQLite), and maps errors to
//! status codes in one place ([`Error::status`]). Operators authenticate with bearer tokens
//! ([`auth`]); every call they make is in the audit log under their name.
//!
//! HTTPS ([`tls`], `--tls-cert/--tls-key`) serves every route over TLS. On a listening address
//! beyond loopback without it, the operator routes answer 403 [`Error::OperatorApiNeedsTls`]
//! before any token is read, and the public routes answer as usual.

pub mod auth;
pub mod clock;
pub mod error;
pub mod ocsp;
pub mod tls;
pub mod tsa;

mod api;
mod headers;
mod listen;
mod ncanode;
mod publish;
mod root_crl;
pub mod web;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use ring::rand::SystemRandom;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::timeout::TimeoutLayer;
use tracing::{debug, info, warn};

use eds_ca::center::{Center, IssuingKey};
use eds_ca::store::{RegisterUrl, Store};
use eds_verifier::cancel::Cancel;

pub use clock::Clock;
pub use error::Error;
pub use ocsp::OcspResponder;
pub use tls::TlsConfig;

/// Limits that keep one client from holding the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest OCSP request body (a request for one certificate is about 100 bytes).
    pub ocsp_body: usize,
    /// Largest operator API body (a registration request with its CSR is a few KiB).
    pub api_body: usize,
    /// Longest a request may take, from its headers to the end of the answer (408 after).
    pub request_timeout: Duration,
    /// How long requests in flight may still run after SIGTERM before the server stops anyway.
    pub shutdown_grace: Duration,
    /// How long a connection may take to send a complete request head, and how long a kept-alive
    /// connection may stay idle.
    pub header_timeout: Duration,
    /// Most connections open at once; one more is accepted and closed at once, with a warning in
    /// the log (at most one per [`CAP_WARNING_EVERY`]). Lowered at start to what the open-file
    /// limit allows ([`raise_open_file_limit`]), keeping [`RESERVED_FILES`] for the register,
    /// the CRL and the key files.
    pub max_connections: usize,
}

/// Descriptors kept free of connections for the register, CRLs, keys and the log.
pub const RESERVED_FILES: u64 = 64;
/// The connection cap's warning is logged at most once in this interval.
pub const CAP_WARNING_EVERY: Duration = Duration::from_secs(10);

/// Raises this process's soft limit of open files (RLIMIT_NOFILE) to its hard limit, so that the
/// connection cap, not the default soft limit of 1,024, decides how many clients are served
/// (issue 16: 1,100 idle sockets of one client locked everyone out). Returns the soft limit
/// before and after; an unlimited limit is `u64::MAX`.
pub fn raise_open_file_limit() -> Result<(u64, u64), Error> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let before = getrlimit(Resource::Nofile);
    let soft = before.current.unwrap_or(u64::MAX);
    let hard = before.maximum.unwrap_or(u64::MAX);
    if soft >= hard {
        return Ok((soft, soft));
    }
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: before.maximum,
            maximum: before.maximum,
        },
    )
    .map_err(|e| Error::Io {
        what: format!("raise the open-file limit from {soft} to {hard}"),
        message: e.to_string(),
    })?;
    Ok((
        soft,
        getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX),
    ))
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            ocsp_body: 64 * 1024,
            api_body: 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
            header_timeout: Duration::from_secs(30),
            max_connections: 10_000,
        }
    }
}

/// What [`Server::open`] needs.
#[derive(Clone)]
pub struct Options {
    /// The center's data folder.
    pub data: PathBuf,
    /// The passphrase of the center's keys (held in memory while the server runs: it signs CRLs
    /// and certificates unattended).
    pub passphrase: Vec<u8>,
    /// The clock.
    pub clock: Clock,
    /// Size and time limits.
    pub limits: Limits,
    /// Extra read-only register connections for OCSP and credential lookups (0: share the
    /// center's own connection).
    pub readers: usize,
    /// A trust list (JSON or PEM roots, as `eds verify --trust`) whose centers the
    /// verification page trusts besides this center's root ([`web`]).
    pub verify_trust: Option<PathBuf>,
    /// The register to open instead of the one the center's configuration names.
    pub register: Option<RegisterUrl>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("data", &self.data)
            .field("passphrase", &"[elided]")
            .field("clock", &self.clock)
            .field("limits", &self.limits)
            .field("readers", &self.readers)
            .field("verify_trust", &self.verify_trust)
            .field("register", &self.register)
            .finish()
    }
}

impl Options {
    /// The defaults for a data folder and passphrase: system clock, default limits, 4 readers.
    pub fn new(data: PathBuf, passphrase: Vec<u8>) -> Self {
        Self {
            data,
            passphrase,
            clock: Clock::system(),
            limits: Limits::default(),
            readers: 4,
            verify_trust: None,
            register: None,
        }
    }
}

/// An opened, ready server: the center unlocked, the OCSP responder loaded, a current CRL.
pub struct Server {
    state: AppState,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("data", &self.state.center.dir())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Opens the center, unlocks its key, loads the OCSP responder and the timestamp authority
    /// (default [`eds_ca::tsa::TsaOptions`]) and makes sure current CRLs (issuing and root) are
    /// published. Blocking (key derivation, register, signing): call it before entering the
    /// runtime or on a blocking thread.
    pub fn open(options: Options) -> Result<Server, Error> {
        Server::open_with_tsa(options, eds_ca::tsa::TsaOptions::default())
    }

    /// [`Server::open`] with the timestamp authority's policy and accuracy.
    pub fn open_with_tsa(
        options: Options,
        tsa_options: eds_ca::tsa::TsaOptions,
    ) -> Result<Server, Error> {
        let register = match &options.register {
            Some(url) => url.clone(),
            None => Center::configured_register(&options.data)?,
        };
        let center = Center::open_with_store(&options.data, register.open()?)?;
        let key = center.unlock(&options.passphrase)?;
        let rng = SystemRandom::new();
        let now = options.clock.now();
        let responder = ocsp::load_responder(&center, &options.passphrase, now, &rng)?;
        let mut readers: Vec<Box<dyn Store>> = Vec::with_capacity(options.readers);
        for _ in 0..options.readers {
            readers.push(register.open()?);
        }
        let crl = publish::CrlState::load_or_issue(&center, &key, now)?;
        let certs = publish::CaCertificates::new(&center);
        let tsa = tsa::TsaState::load(&center, &options.passphrase, now, &rng, tsa_options)?;
        let root_crl = root_crl::RootCrlState::load_or_issue(&center, &options.passphrase, now)?;
        let state = AppState(Arc::new(Shared {
            center,
            key,
            readers,
            next_reader: AtomicUsize::new(0),
            ocsp: RwLock::new(Arc::from(responder)),
            ocsp_reloading: Mutex::new(()),
            passphrase: options.passphrase,
            crl,
            certs,
            tsa,
            root_crl,
            clock: options.clock,
            rng,
            limits: options.limits,
            verify_trust: options.verify_trust,
            in_flight: Arc::new(InFlight::default()),
            register,
            plain_beyond_loopback: OnceLock::new(),
        }));
        Ok(Server { state })
    }

    /// The modes of the data folder that opening it tightened ([`Center::tightened`]).
    pub fn tightened(&self) -> &[eds_ca::keys::Tightened] {
        self.state.center.tightened()
    }

    /// The router with every route, for tests that drive it without a socket.
    pub fn router(&self) -> Router {
        router(self.state.clone())
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting, lets requests in
    /// flight finish (at most [`Limits::shutdown_grace`]), publishes a CRL if a revocation is
    /// not in one yet, and returns.
    ///
    /// Connections are HTTP/1.1 with keep-alive; a client that has not sent a complete request
    /// head within [`Limits::header_timeout`] (a new connection, or an idle kept-alive one) is
    /// disconnected, so idle or trickling clients cannot pile up. At most
    /// [`Limits::max_connections`] are open at once (the open-file limit is first raised to its
    /// hard limit, [`raise_open_file_limit`]); one more is closed at once and the log says so.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        self.serve_with(listener, None, shutdown).await
    }

    /// [`Server::serve`], over HTTPS when `tls` is given: each connection's TLS handshake must
    /// end within [`Limits::header_timeout`]. Without TLS on an address beyond loopback, the
    /// operator routes answer 403 [`Error::OperatorApiNeedsTls`] (see [`tls`]).
    pub async fn serve_with(
        self,
        listener: TcpListener,
        tls: Option<TlsConfig>,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let addr = listener.local_addr().map_err(|e| Error::Io {
            what: "read the listening address".into(),
            message: e.to_string(),
        })?;
        if tls.is_none() && !addr.ip().is_loopback() {
            let _ = self.state.plain_beyond_loopback.set(addr);
            warn!(
                %addr,
                "plain HTTP beyond loopback: the operator API answers 403 to every request; \
                 serve HTTPS with --tls-cert and --tls-key for it"
            );
        }
        let max_connections = connection_cap(self.state.limits.max_connections);
        let permits = Arc::new(tokio::sync::Semaphore::new(max_connections));
        let mut last_cap_warning: Option<tokio::time::Instant> = None;
        let (stop_crl, crl_stopped) = watch::channel(false);
        let crl_task = tokio::spawn(publish::refresh_loop(self.state.clone(), crl_stopped));
        let stop_listening = Arc::new(AtomicBool::new(false));
        let listener_thread = {
            let state = self.state.clone();
            let stop = Arc::clone(&stop_listening);
            std::thread::Builder::new()
                .name("register-listener".into())
                .spawn(move || listen::run(&state, &stop))
                .map_err(|e| Error::Io {
                    what: "start the register listener thread".into(),
                    message: e.to_string(),
                })?
        };
        let limits = self.state.limits;
        let app = router(self.state.clone());
        let connections = GracefulShutdown::new();
        let data = self.state.center.dir().display().to_string();
        info!(%addr, %data, max_connections, tls = tls.is_some(), "serving");
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // Out of descriptors, most likely: wait rather than spin.
                            warn!(error = %e, "could not accept a connection");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    };
                    let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
                        // At the cap: closed at once (a waiting accept would leave it in the
                        // backlog, a client none the wiser), and said in the log now and then.
                        drop(stream);
                        let now = tokio::time::Instant::now();
                        if last_cap_warning.is_none_or(|t| now.duration_since(t) >= CAP_WARNING_EVERY) {
                            warn!(%peer, max_connections, "connection limit reached: closing new connections until some end");
                            last_cap_warning = Some(now);
                        }
                        continue;
                    };
                    if let Err(e) = stream.set_nodelay(true) {
                        debug!(%peer, error = %e, "could not set TCP_NODELAY");
                    }
                    let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
                    let watcher = connections.watcher();
                    let app = app.clone();
                    tokio::spawn(connection(stream, peer, acceptor, app, limits, watcher, permit));
                }
            }
        }
        drop(listener);
        info!(
            open_connections = connections.count(),
            "shutting down: no new connections, finishing requests in flight"
        );
        if tokio::time::timeout(limits.shutdown_grace, connections.shutdown())
            .await
            .is_err()
        {
            warn!(
                grace_seconds = limits.shutdown_grace.as_secs(),
                "requests still open after the grace period: closing them"
            );
        }
        // Verifications still running stop at their next check (their blocking threads would
        // otherwise keep the process alive after `serve` returns).
        self.state.in_flight.cancel_all();
        let _ = stop_crl.send(true);
        if let Err(e) = crl_task.await {
            warn!(error = %e, "the CRL task ended abnormally");
        }
        stop_listening.store(true, Ordering::SeqCst);
        if !matches!(
            tokio::task::spawn_blocking(move || listener_thread.join()).await,
            Ok(Ok(()))
        ) {
            warn!("the register listener thread ended abnormally");
        }
        info!("stopped");
        Ok(())
    }
}

/// One accepted connection, holding its `permit` of the connection cap until it ends: the TLS
/// handshake first when `acceptor` is given, then HTTP/1.1.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    limits: Limits,
    watcher: Watcher,
    permit: tokio::sync::OwnedSemaphorePermit,
) {
    match acceptor {
        None => serve_connection(TokioIo::new(stream), app, limits, watcher, peer).await,
        Some(acceptor) => {
            // A client that opens a connection and never completes the handshake is dropped
            // like one that never sends a request head.
            match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => {
                    serve_connection(TokioIo::new(stream), app, limits, watcher, peer).await;
                }
                Ok(Err(e)) => debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
    drop(permit);
}

/// Serves HTTP/1.1 on one connection (plain or TLS) until it ends or the shutdown closes it.
async fn serve_connection<I>(
    io: TokioIo<I>,
    app: Router,
    limits: Limits,
    watcher: Watcher,
    peer: SocketAddr,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, TowerToHyperService::new(app));
    if let Err(e) = watcher.watch(conn).await {
        debug!(%peer, error = %e, "connection ended with an error");
    }
}

/// The connection cap within the open-file limit, after raising it.
fn connection_cap(wanted: usize) -> usize {
    let limit = match raise_open_file_limit() {
        Ok((before, after)) => {
            if after > before {
                info!(
                    before,
                    after, "raised the open-file limit to the hard limit"
                );
            }
            after
        }
        Err(e) => {
            warn!(error = %e, "could not raise the open-file limit");
            rustix::process::getrlimit(rustix::process::Resource::Nofile)
                .current
                .unwrap_or(u64::MAX)
        }
    };
    let room = usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    let cap = wanted.min(room).max(1);
    if cap < wanted {
        warn!(
            wanted,
            cap,
            open_file_limit = limit,
            "the open-file limit allows fewer connections than asked"
        );
    }
    cap
}

/// Listens on `addr` (port 0 picks a free one).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, Error> {
    TcpListener::bind(addr).await.map_err(|e| Error::Io {
        what: format!("listen on {addr}"),
        message: e.to_string(),
    })
}

/// The state every handler shares.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub(crate) struct Shared {
    pub(crate) center: Center,
    pub(crate) key: IssuingKey,
    readers: Vec<Box<dyn Store>>,
    next_reader: AtomicUsize,
    ocsp: RwLock<Arc<dyn OcspResponder>>,
    /// Held by the one request that loads a rotated or revoked responder again.
    pub(crate) ocsp_reloading: Mutex<()>,
    /// Kept to reload the OCSP responder when its certificate is renewed.
    pub(crate) passphrase: Vec<u8>,
    pub(crate) crl: publish::CrlState,
    pub(crate) certs: publish::CaCertificates,
    pub(crate) tsa: tsa::TsaState,
    pub(crate) root_crl: root_crl::RootCrlState,
    pub(crate) clock: Clock,
    pub(crate) rng: SystemRandom,
    pub(crate) limits: Limits,
    /// The verification page's trust list beside the center's root.
    pub(crate) verify_trust: Option<PathBuf>,
    /// The cancel flags of the verifications in flight.
    pub(crate) in_flight: Arc<InFlight>,
    /// The register, to listen to what other processes commit to it ([`listen`]).
    pub(crate) register: RegisterUrl,
    /// Set when serving plain HTTP on an address beyond loopback: the operator API refuses.
    pub(crate) plain_beyond_loopback: OnceLock<SocketAddr>,
}

/// The cancel flags of the verifications in flight: each request holds a [`CancelGuard`], which
/// raises its flag when the request is dropped (answered, timed out with 408, or its client
/// went away); a shutdown raises every flag once its grace period is over, and every later one at
/// once.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    flags: Mutex<HashMap<u64, Cancel>>,
    next: AtomicU64,
    stopping: AtomicBool,
}

impl InFlight {
    /// A new flag for one request, raised already if the server is stopping.
    pub(crate) fn guard(self: &Arc<Self>) -> CancelGuard {
        let cancel = Cancel::new();
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, cancel.clone());
        // After the insert: a `cancel_all` running now either sees the flag or has set
        // `stopping` before this load.
        if self.stopping.load(Ordering::SeqCst) {
            cancel.cancel();
        }
        CancelGuard {
            id,
            cancel,
            in_flight: Arc::clone(self),
        }
    }

    /// Raises every flag in flight, and every flag made from now on.
    pub(crate) fn cancel_all(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for flag in self.lock().values() {
            flag.cancel();
        }
    }

    /// The number of requests holding a flag.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Cancel>> {
        // Single inserts and removes: a panic elsewhere cannot leave the map inconsistent.
        self.flags.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One request's cancel flag; dropping it (the request's future is dropped on a timeout or a
/// closed connection, or ends) raises the flag and forgets it.
#[derive(Debug)]
pub(crate) struct CancelGuard {
    id: u64,
    cancel: Cancel,
    in_flight: Arc<InFlight>,
}

impl CancelGuard {
    /// The flag, for the verification this request runs.
    pub(crate) fn flag(&self) -> Cancel {
        self.cancel.clone()
    }
}

impl Drop for CancelGuard {
    fn drop(&mut self) {
        self.cancel.cancel();
        self.in_flight.lock().remove(&self.id);
    }
}

impl Shared {
    /// The OCSP responder in use.
    pub(crate) fn responder(&self) -> Arc<dyn OcspResponder> {
        match self.ocsp.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the OCSP responder (a renewed signing certificate).
    pub(crate) fn set_responder(&self, responder: Box<dyn OcspResponder>) {
        let responder: Arc<dyn OcspResponder> = Arc::from(responder);
        match self.ocsp.write() {
            Ok(mut g) => *g = responder,
            Err(poisoned) => *poisoned.into_inner() = responder,
        }
    }

    /// A register connection for reads, round robin over the readers.
    pub(crate) fn reader(&self) -> &dyn Store {
        let n = self.next_reader.fetch_add(1, Ordering::Relaxed);
        match self.readers.get(n % self.readers.len().max(1)) {
            Some(s) => s.as_ref(),
            None => self.center.store(),
        }
    }
}

/// Runs `f` on a blocking thread (the register and the signing keys are synchronous).
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Shared) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(&state))
        .await
        .map_err(|e| Error::Task {
            reason: e.to_string(),
        })?
}

fn router(state: AppState) -> Router {
    let limits = state.limits;
    let ocsp = Router::new()
        .route("/ocsp", post(ocsp::post))
        .route("/ocsp/", get(ocsp::get_empty))
        .route("/ocsp/{*request}", get(ocsp::get))
        .layer(DefaultBodyLimit::max(limits.ocsp_body));
    let api = api::router().layer(DefaultBodyLimit::max(limits.api_body));
    Router::new()
        .merge(ocsp)
        .route("/crl/issuing.crl", get(publish::crl))
        .route("/cert/root.cer", get(publish::root_certificate))
        .route("/cert/issuing.cer", get(publish::issuing_certificate))
        .route("/crl/root.crl", get(root_crl::get))
        .route(
            "/tsa",
            post(tsa::post).layer(DefaultBodyLimit::max(tsa::MAX_BODY)),
        )
        .nest("/api/v1", api)
        .merge(web::router())
        .fallback(not_found)
        .layer(middleware::from_fn(access_log))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(state)
}

async fn not_found() -> Response {
    Error::NoSuchRoute.into_response()
}

/// One structured line per request: method, route, status, time taken. OCSP answers are logged
/// at debug level (tens of thousands a second would drown everything else), the rest at info.
async fn access_log(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_owned(), |m| m.as_str().to_owned());
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    if route.starts_with("/ocsp") {
        debug!(%method, route, status, micros, "request");
    } else {
        info!(%method, route, status, micros, "request");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_dropping_a_guard_raises_its_flag_and_forgets_it() {
        let in_flight = Arc::new(InFlight::default());
        let (a, b) = (in_flight.guard(), in_flight.guard());
        let (fa, fb) = (a.flag(), b.flag());
        assert_eq!(in_flight.len(), 2);
        drop(a);
        assert!(fa.is_cancelled());
        assert!(!fb.is_cancelled(), "each request has its own flag");
        assert_eq!(in_flight.len(), 1);
        drop(b);
        assert!(fb.is_cancelled());
        assert_eq!(in_flight.len(), 0);
    }

    #[test]
    fn ok_cancel_all_raises_every_flag_in_flight_and_later_ones() {
        let in_flight = Arc::new(InFlight::default());
        let a = in_flight.guard();
        assert!(!a.flag().is_cancelled());
        in_flight.cancel_all();
        assert!(a.flag().is_cancelled());
        let later = in_flight.guard();
        assert!(later.flag().is_cancelled());
    }
}
