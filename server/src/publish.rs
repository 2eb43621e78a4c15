//! CRL and CA certificate distribution at the URLs the certificates name
//! ([`eds_ca::config::CenterConfig::crl_url`], [`eds_ca::config::CenterConfig::ca_cert_url`]).
//!
//! The CRL is served from memory and kept current by [`refresh_loop`]: a new one is signed and
//! published (`crl/issuing.crl` and `.pem` in the data folder, as `eds ca crl` does) right after
//! a revocation through the API — several revocations close together share one CRL — and when
//! half of the current one's validity has passed, so a CRL is always replaced well before its
//! nextUpdate (EDS law art. 18.3 gives it at most a day). A CRL that `eds ca crl` or another
//! server publishes while the server runs is picked up within [`POLL`]; on a PostgreSQL register
//! at once, as its publisher announces it ([`crate::listen`]). Every server of one register serves
//! the newest CRL of the shared data folder: publishers take the register's publication lock
//! (`eds_ca::store::Publication::Crl`), so CRL numbers, signatures and files follow each other,
//! and a server only replaces what it serves by a CRL of a higher number. The same loop reloads
//! the OCSP responder when its signing certificate is due for renewal.
//!
//! Caching: the CRL may be kept until its nextUpdate (`Expires`, `max-age`), with
//! `Last-Modified` its thisUpdate; the CA certificates for a day.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::HeaderMap;
use axum::response::Response;
use time::{Duration, OffsetDateTime};
use tokio::sync::{Notify, watch};
use tracing::{error, info, warn};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use eds_ca::CaError;
use eds_ca::center::{Center, IssuingKey};
use eds_ca::crl::Crl;

use crate::error::Error;
use crate::headers::{self, Caching, PKIX_CERT, PKIX_CRL};
use crate::{AppState, blocking, ocsp};

/// How often the loop looks at the CRL file and the clock when nothing wakes it.
pub(crate) const POLL: std::time::Duration = std::time::Duration::from_secs(30);

/// How long after a failed CRL signing the loop tries again.
const RETRY: std::time::Duration = std::time::Duration::from_secs(60);

/// How long the CA certificates may be cached.
const CERT_MAX_AGE: Duration = Duration::days(1);

/// What the server says when a stopped center's CRL falls due.
const CEASED_CRL: &str = "the center stopped its activity (EDS law art. 22): it signs no new \
     CRL; the last one published is served until `eds ca cessation finalize` publishes the final \
     CRL, which is then served";

/// The actor of CRLs the server signs on its own.
const ACTOR: &str = "server";

/// The CRL being served.
#[derive(Debug)]
pub(crate) struct CrlSnapshot {
    der: Bytes,
    number: u64,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    etag: String,
}

impl CrlSnapshot {
    fn from_crl(crl: &Crl) -> Self {
        Self {
            der: Bytes::from(crl.der.clone()),
            number: crl.number,
            this_update: crl.this_update,
            next_update: crl.next_update,
            etag: headers::etag(&crl.der),
        }
    }

    /// Reads a published CRL; `None` when it does not parse or has no nextUpdate or number.
    fn from_der(der: Vec<u8>) -> Option<Self> {
        let (_, crl) = CertificateRevocationList::from_der(&der).ok()?;
        let this_update = crl.last_update().to_datetime();
        let next_update = crl.next_update()?.to_datetime();
        let number_bytes = crl.crl_number()?.to_bytes_be();
        if number_bytes.len() > 8 {
            return None;
        }
        let mut be = [0u8; 8];
        be.get_mut(8 - number_bytes.len()..)?
            .copy_from_slice(&number_bytes);
        let etag = headers::etag(&der);
        Some(Self {
            der: Bytes::from(der),
            number: u64::from_be_bytes(be),
            this_update,
            next_update,
            etag,
        })
    }

    /// When this CRL should be replaced: half way through its validity.
    fn refresh_at(&self) -> OffsetDateTime {
        self.this_update + (self.next_update - self.this_update) / 2
    }
}

/// The current CRL and what asks for a new one.
#[derive(Debug)]
pub(crate) struct CrlState {
    current: RwLock<Arc<CrlSnapshot>>,
    wake: Notify,
    /// Another process published a CRL: look at the folder now rather than at the next poll.
    adopt: Notify,
    /// A revocation happened that the current CRL may not list yet.
    dirty: AtomicBool,
    /// The center has stopped (EDS law art. 22): no CRL is signed here any more; a published
    /// one (the final CRL of `eds ca cessation finalize`) is still adopted.
    ceased: AtomicBool,
    /// Modification time of `crl/issuing.crl` when last read or written by the server.
    file_modified: Mutex<Option<SystemTime>>,
}

impl CrlState {
    /// Serves the published CRL when it is current, else signs and publishes a new one.
    pub(crate) fn load_or_issue(
        center: &Center,
        key: &IssuingKey,
        now: OffsetDateTime,
    ) -> Result<CrlState, Error> {
        let path = crl_path(center.dir());
        let published = std::fs::read(&path).ok().and_then(CrlSnapshot::from_der);
        let mut ceased = false;
        let snapshot = match published {
            Some(s) if now >= s.this_update && now < s.refresh_at() => {
                info!(number = s.number, "serving the published CRL");
                s
            }
            published => match (center.issue_and_publish_crl(key, ACTOR, now), published) {
                (Ok((crl, _)), _) => {
                    info!(
                        number = crl.number,
                        entries = crl.entries,
                        "published a new CRL"
                    );
                    CrlSnapshot::from_crl(&crl)
                }
                // EDS law art. 22: a center that stopped publishes nothing; until `eds ca
                // cessation finalize` publishes the final CRL, the last one is served as it is.
                (Err(CaError::Ceased { stops_on, .. }), Some(s)) => {
                    ceased = true;
                    warn!(%stops_on, number = s.number, "{CEASED_CRL}");
                    s
                }
                (Err(e), _) => return Err(e.into()),
            },
        };
        Ok(CrlState {
            current: RwLock::new(Arc::new(snapshot)),
            wake: Notify::new(),
            adopt: Notify::new(),
            dirty: AtomicBool::new(false),
            ceased: AtomicBool::new(ceased),
            file_modified: Mutex::new(modified(&path)),
        })
    }

    /// The CRL being served.
    pub(crate) fn current(&self) -> Arc<CrlSnapshot> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Asks the loop to look for a CRL another process published (its announcement on a shared
    /// register, [`crate::listen`]).
    pub(crate) fn adopt_soon(&self) {
        self.adopt.notify_one();
    }

    /// Asks for a new CRL soon (after a revocation).
    pub(crate) fn request_new(&self) {
        self.dirty.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    fn replace(&self, snapshot: CrlSnapshot, path: &Path) {
        let snapshot = Arc::new(snapshot);
        match self.current.write() {
            Ok(mut g) => *g = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
        self.set_file_modified(modified(path));
    }

    fn set_file_modified(&self, t: Option<SystemTime>) {
        match self.file_modified.lock() {
            Ok(mut g) => *g = t,
            Err(poisoned) => *poisoned.into_inner() = t,
        }
    }

    fn file_modified(&self) -> Option<SystemTime> {
        match self.file_modified.lock() {
            Ok(g) => *g,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// The CA certificates, DER, with their caching facts.
#[derive(Debug)]
pub(crate) struct CaCertificates {
    root: CertFile,
    issuing: CertFile,
}

#[derive(Debug)]
struct CertFile {
    der: Bytes,
    not_before: Option<OffsetDateTime>,
    etag: String,
}

impl CertFile {
    fn new(der: &[u8]) -> Self {
        let not_before = X509Certificate::from_der(der)
            .ok()
            .map(|(_, c)| c.validity().not_before.to_datetime());
        Self {
            der: Bytes::copy_from_slice(der),
            not_before,
            etag: headers::etag(der),
        }
    }
}

impl CaCertificates {
    pub(crate) fn new(center: &Center) -> Self {
        Self {
            root: CertFile::new(center.root_der()),
            issuing: CertFile::new(center.issuing_der()),
        }
    }
}

/// `GET /crl/issuing.crl`.
pub(crate) async fn crl(State(state): State<AppState>, request: HeaderMap) -> Response {
    let crl = state.crl.current();
    let now = state.clock.now();
    crl_response(
        &request,
        now,
        &crl.der,
        crl.this_update,
        crl.next_update,
        &crl.etag,
    )
}

/// A CRL's DER (the issuing center's or the root's) with its caching headers: cacheable until
/// its nextUpdate, last modified at its thisUpdate, `etag` its entity tag.
pub(crate) fn crl_response(
    request: &HeaderMap,
    now: OffsetDateTime,
    der: &Bytes,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    etag: &str,
) -> Response {
    let caching = Caching {
        control: format!(
            "max-age={}, public, no-transform",
            Caching::max_age(now, next_update)
        ),
        last_modified: Some(this_update),
        expires: Some(next_update),
        etag: Some(etag.to_owned()),
    };
    headers::der_response(request, PKIX_CRL, der.clone(), &caching)
}

/// `GET /cert/root.cer`.
pub(crate) async fn root_certificate(
    State(state): State<AppState>,
    request: HeaderMap,
) -> Response {
    certificate(&state, &request, &state.certs.root)
}

/// `GET /cert/issuing.cer`.
pub(crate) async fn issuing_certificate(
    State(state): State<AppState>,
    request: HeaderMap,
) -> Response {
    certificate(&state, &request, &state.certs.issuing)
}

fn certificate(state: &AppState, request: &HeaderMap, cert: &CertFile) -> Response {
    let now = state.clock.now();
    let caching = Caching {
        control: format!("max-age={}, public", CERT_MAX_AGE.whole_seconds()),
        last_modified: cert.not_before,
        expires: Some(now + CERT_MAX_AGE),
        etag: Some(cert.etag.clone()),
    };
    headers::der_response(request, PKIX_CERT, cert.der.clone(), &caching)
}

/// Keeps the CRL current and the OCSP responder's certificate renewed until `stop` turns true;
/// then publishes one last CRL if a revocation is not in one yet.
pub(crate) async fn refresh_loop(state: AppState, mut stop: watch::Receiver<bool>) {
    let mut retry_at: Option<tokio::time::Instant> = None;
    loop {
        let now = state.clock.now();
        // A stopped center's CRL is never due here: only a published one is looked for.
        let refresh_in = if state.crl.ceased.load(Ordering::SeqCst) {
            POLL
        } else {
            (state.crl.current().refresh_at() - now)
                .try_into()
                .unwrap_or(std::time::Duration::ZERO)
                .min(POLL)
        };
        let sleep_for = match retry_at {
            Some(at) => at.saturating_duration_since(tokio::time::Instant::now()),
            None => refresh_in,
        };
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            () = state.crl.wake.notified(), if retry_at.is_none() => {
                retry_at = publish(&state).await;
            }
            () = state.crl.adopt.notified() => {
                adopt_published(&state).await;
            }
            () = tokio::time::sleep(sleep_for) => {
                adopt_published(&state).await;
                let due = state.clock.now() >= state.crl.current().refresh_at();
                if due || retry_at.is_some() || state.crl.dirty.load(Ordering::SeqCst) {
                    retry_at = publish(&state).await;
                }
                renew_responder(&state).await;
            }
        }
    }
    if state.crl.dirty.load(Ordering::SeqCst) {
        publish(&state).await;
    }
}

/// Signs and publishes a new CRL; on failure returns when to try again.
async fn publish(state: &AppState) -> Option<tokio::time::Instant> {
    state.crl.dirty.store(false, Ordering::SeqCst);
    if state.crl.ceased.load(Ordering::SeqCst) {
        return None;
    }
    let now = state.clock.now();
    let issued = blocking(state, move |s| {
        Ok(s.center.issue_and_publish_crl(&s.key, ACTOR, now)?)
    })
    .await;
    match issued {
        Ok((crl, _)) => {
            info!(
                number = crl.number,
                entries = crl.entries,
                "published a new CRL"
            );
            state
                .crl
                .replace(CrlSnapshot::from_crl(&crl), &crl_path(state.center.dir()));
            None
        }
        Err(Error::Ca(CaError::Ceased { stops_on, .. })) => {
            state.crl.ceased.store(true, Ordering::SeqCst);
            warn!(%stops_on, "{CEASED_CRL}");
            None
        }
        Err(e) => {
            state.crl.dirty.store(true, Ordering::SeqCst);
            error!(error = %e, retry_seconds = RETRY.as_secs(), "could not publish a CRL");
            Some(tokio::time::Instant::now() + RETRY)
        }
    }
}

/// Serves a CRL that someone else (`eds ca crl`) published, when it is newer.
async fn adopt_published(state: &AppState) {
    let path = crl_path(state.center.dir());
    let seen = state.crl.file_modified();
    let read = blocking(state, move |_| {
        let now_modified = modified(&path);
        if now_modified == seen {
            return Ok(None);
        }
        let snapshot = std::fs::read(&path).ok().and_then(CrlSnapshot::from_der);
        Ok(Some((snapshot, now_modified, path)))
    })
    .await;
    if let Ok(Some((snapshot, now_modified, path))) = read {
        match snapshot {
            Some(s) if s.number > state.crl.current().number => {
                info!(
                    number = s.number,
                    "serving a CRL published outside the server"
                );
                state.crl.replace(s, &path);
            }
            _ => state.crl.set_file_modified(now_modified),
        }
    }
}

/// Loads a new OCSP responder when the current one's certificate is due for renewal.
async fn renew_responder(state: &AppState) {
    let now = state.clock.now();
    if !state.responder().renewal_due(now) {
        return;
    }
    let loaded = blocking(state, move |s| {
        Ok(ocsp::load_responder(&s.center, &s.passphrase, now, &s.rng)?)
    })
    .await;
    match loaded {
        Ok(r) => {
            state.set_responder(r);
            info!("loaded a renewed OCSP responder");
        }
        Err(e) => warn!(error = %e, "could not renew the OCSP responder; keeping the current one"),
    }
}

fn crl_path(dir: &Path) -> std::path::PathBuf {
    dir.join("crl").join("issuing.crl")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn ok_refresh_is_half_way_through_validity() {
        let s = CrlSnapshot {
            der: Bytes::new(),
            number: 1,
            this_update: datetime!(2026-03-02 10:00 UTC),
            next_update: datetime!(2026-03-03 10:00 UTC),
            etag: String::new(),
        };
        assert_eq!(s.refresh_at(), datetime!(2026-03-02 22:00 UTC));
    }
}
