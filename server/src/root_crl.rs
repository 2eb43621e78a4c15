//! `GET /crl/root.crl`: the root center's CRL ([`eds_ca::root_crl`]) at the URL the issuing
//! center's certificate names, with the headers of the issuing CRL (`application/pkix-crl`,
//! `max-age` and `Expires` up to its nextUpdate, `Last-Modified` its thisUpdate, `ETag`).
//!
//! Served from memory. The published `crl/root.crl` is taken when it is current; otherwise, and
//! once half of the served one's validity has passed, the next request signs a new one (the
//! root key is decrypted for that signature only) while the others keep getting the current
//! one. A root CRL that `eds ca crl` publishes while the server runs is served from the next
//! request on (the file's modification time is looked at on each request, and a CRL with a
//! higher number replaces the one in memory).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::HeaderMap;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use tracing::{error, info, warn};
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;

use eds_ca::CaError;
use eds_ca::center::Center;

use crate::error::Error;
use crate::headers;
use crate::publish::crl_response;
use crate::{AppState, blocking};

/// The actor of root CRLs the server signs.
const ACTOR: &str = "server";

/// The root CRL being served.
#[derive(Debug)]
pub(crate) struct RootCrl {
    der: Bytes,
    number: Vec<u8>,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
    etag: String,
}

impl RootCrl {
    fn from_der(der: Vec<u8>) -> Option<Self> {
        let (_, crl) = CertificateRevocationList::from_der(&der).ok()?;
        let this_update = crl.last_update().to_datetime();
        let next_update = crl.next_update()?.to_datetime();
        let number = crl.crl_number()?.to_bytes_be();
        let etag = headers::etag(&der);
        Some(Self {
            der: Bytes::from(der),
            number,
            this_update,
            next_update,
            etag,
        })
    }

    fn refresh_at(&self) -> OffsetDateTime {
        self.this_update + (self.next_update - self.this_update) / 2
    }

    /// Whether this CRL's number is greater than `other`'s (big-endian magnitudes).
    fn newer_than(&self, other: &RootCrl) -> bool {
        let strip = |n: &[u8]| -> Vec<u8> { n.iter().copied().skip_while(|b| *b == 0).collect() };
        let (a, b) = (strip(&self.number), strip(&other.number));
        (a.len(), a) > (b.len(), b)
    }
}

/// The root CRL and the lock of whoever is signing a new one.
#[derive(Debug)]
pub(crate) struct RootCrlState {
    current: RwLock<Arc<RootCrl>>,
    signing: Mutex<()>,
    path: PathBuf,
    /// Modification time of `crl/root.crl` when last read or written here.
    file_modified: Mutex<Option<SystemTime>>,
}

impl RootCrlState {
    /// The published root CRL when current at `now`, else a newly signed one.
    pub(crate) fn load_or_issue(
        center: &Center,
        passphrase: &[u8],
        now: OffsetDateTime,
    ) -> Result<RootCrlState, Error> {
        let path = center.dir().join("crl").join(eds_ca::root_crl::FILE);
        let published = std::fs::read(&path).ok().and_then(RootCrl::from_der);
        let crl = match published {
            Some(c) if now >= c.this_update && now < c.refresh_at() => c,
            published => match (issue(center, passphrase, now), published) {
                (Ok(c), _) => c,
                // EDS law art. 22: a center that stopped publishes nothing until its final CRLs
                // (`eds ca cessation finalize`); the last root CRL is served meanwhile.
                (Err(Error::Ca(CaError::Ceased { stops_on, .. })), Some(c)) => {
                    warn!(%stops_on, "{CEASED_ROOT_CRL}");
                    c
                }
                (Err(e), _) => return Err(e),
            },
        };
        Ok(RootCrlState {
            current: RwLock::new(Arc::new(crl)),
            signing: Mutex::new(()),
            file_modified: Mutex::new(modified(&path)),
            path,
        })
    }

    /// Takes the published file when it changed since last seen and holds a newer CRL.
    fn adopt_published(&self) {
        let now_modified = modified(&self.path);
        let mut seen = match self.file_modified.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if *seen == now_modified {
            return;
        }
        *seen = now_modified;
        if let Some(crl) = std::fs::read(&self.path).ok().and_then(RootCrl::from_der)
            && crl.newer_than(&self.current())
        {
            info!("serving a root CRL published outside the server");
            self.replace(crl);
        }
    }

    fn current(&self) -> Arc<RootCrl> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, crl: RootCrl) {
        let crl = Arc::new(crl);
        match self.current.write() {
            Ok(mut g) => *g = crl,
            Err(poisoned) => *poisoned.into_inner() = crl,
        }
    }
}

/// What the server says when a stopped center's root CRL falls due.
const CEASED_ROOT_CRL: &str = "the center stopped its activity (EDS law art. 22): it signs no \
     new root CRL; the last one is served until `eds ca cessation finalize` publishes the final \
     one";

fn issue(center: &Center, passphrase: &[u8], now: OffsetDateTime) -> Result<RootCrl, Error> {
    let (crl, _) = center.issue_and_publish_root_crl(passphrase, ACTOR, now)?;
    info!(
        number = crl.number,
        entries = crl.entries,
        "published a new root CRL"
    );
    RootCrl::from_der(crl.der).ok_or_else(|| Error::Io {
        what: "read back the root CRL just signed".into(),
        message: "it does not parse".into(),
    })
}

/// `GET /crl/root.crl`.
pub(crate) async fn get(State(state): State<AppState>, request: HeaderMap) -> Response {
    let now = state.clock.now();
    // One stat (and rarely one read of a few hundred bytes): too small for a blocking thread.
    state.root_crl.adopt_published();
    if now >= state.root_crl.current().refresh_at() {
        let refreshed = blocking(&state, move |s| {
            let Ok(_guard) = s.root_crl.signing.try_lock() else {
                // Someone else is signing: serve the current one meanwhile.
                return Ok(());
            };
            if now < s.root_crl.current().refresh_at() {
                return Ok(());
            }
            let crl = issue(&s.center, &s.passphrase, now)?;
            s.root_crl.replace(crl);
            let mut seen = match s.root_crl.file_modified.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            *seen = modified(&s.root_crl.path);
            Ok(())
        })
        .await;
        if let Err(e) = refreshed {
            error!(error = %e, "could not publish a root CRL; serving the current one");
            let ceased = matches!(e, Error::Ca(CaError::Ceased { .. }));
            if now >= state.root_crl.current().next_update && !ceased {
                return e.into_response();
            }
        }
    }
    let crl = state.root_crl.current();
    crl_response(
        &request,
        now,
        &crl.der,
        crl.this_update,
        crl.next_update,
        &crl.etag,
    )
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
