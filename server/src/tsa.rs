//! The timestamp authority over HTTP (RFC 3161 §3.4): `POST /tsa` with a DER `TimeStampReq`
//! (`application/timestamp-query`) answers 200 with a DER `TimeStampResp`
//! (`application/timestamp-reply`, `Cache-Control: no-store`), whatever the request held: a body
//! that does not decode gets a `rejection` with failInfo `badDataFormat`, an unsupported hash
//! `badAlg` ([`eds_ca::tsa`] has the table). Only a body over [`MAX_BODY`] (413) and a
//! `Content-Type` other than `application/timestamp-query` (415) are refused at the HTTP level.
//! Anyone may ask.
//!
//! A center that has stopped (EDS law art. 22: its cessation's stop day has come) timestamps
//! nothing: every request is answered 200 with a `rejection`, failInfo `timeNotAvailable` and
//! the status text "timestamp: the center stopped its activity on DAY (EDS law art. 22); …".
//! A server opened after the stop day loads no authority (so no TSA key is certified); one that
//! runs across it is refused by the authority itself.
//!
//! The authority is loaded when the server opens and loaded again by the first request that finds
//! it due (a renewed TSA certificate), replaced on disk (`eds ca rotate tsa`) or revoked; that
//! request is answered by the new authority, and a revoked certificate never signs.

use std::sync::{Arc, Mutex, RwLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::header::{self, HeaderMap};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ring::rand::SecureRandom;
use time::OffsetDateTime;
use tracing::{debug, info, warn};

use eds_ca::center::{Activity, Center};
use eds_ca::tsa::{TimestampAuthority, TsaOptions};
use eds_ca::{CaError, SignerState};

use crate::error::Error;
use crate::headers;
use crate::{AppState, blocking};

/// Media type of a request (RFC 3161 §3.4).
pub const TIMESTAMP_QUERY: &str = "application/timestamp-query";
/// Media type of a response (RFC 3161 §3.4).
pub const TIMESTAMP_REPLY: &str = "application/timestamp-reply";
/// Largest request body: a `TimeStampReq` with a SHA-512 imprint and a nonce is under 150
/// bytes; this leaves room for policies and extensions without letting a client send megabytes.
pub const MAX_BODY: usize = 16 * 1024;

/// `TimeStampResp { status { rejection, failInfo systemFailure } }` (RFC 3161 §2.4.2), for when
/// the authority itself could not run (its thread panicked).
const SYSTEM_FAILURE: &[u8] = &[
    0x30, 0x0C, 0x30, 0x0A, 0x02, 0x01, 0x02, 0x03, 0x05, 0x06, 0x00, 0x00, 0x00, 0x40,
];

/// The authority in use, replaced when its certificate is renewed; none for a center that had
/// stopped when the server opened (EDS law art. 22: no TSA key is loaded or certified, every
/// request gets the rejection [`eds_ca::tsa::TsaProblem::Ceased`]).
pub(crate) struct TsaState {
    current: RwLock<Option<Arc<TimestampAuthority>>>,
    options: TsaOptions,
    /// Held by the one request that reloads a due authority.
    reloading: Mutex<()>,
}

impl TsaState {
    /// Loads the authority (issuing its certificate when there is none usable).
    pub(crate) fn load(
        center: &Center,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
        options: TsaOptions,
    ) -> Result<TsaState, CaError> {
        let authority = match center.check_active_for(now, Activity::Timestamp) {
            Err(CaError::Ceased { stops_on, .. }) => {
                info!(%stops_on, "the center has stopped (EDS law art. 22): timestamp requests are refused");
                None
            }
            Err(e) => return Err(e),
            Ok(()) => {
                let authority =
                    TimestampAuthority::load(center, passphrase, now, rng, options.clone())?;
                info!(policy = %authority.policy(), not_after = %authority.not_after(), "timestamp authority loaded");
                Some(Arc::new(authority))
            }
        };
        Ok(TsaState {
            current: RwLock::new(authority),
            options,
            reloading: Mutex::new(()),
        })
    }

    pub(crate) fn current(&self) -> Option<Arc<TimestampAuthority>> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn replace(&self, authority: TimestampAuthority) {
        let authority = Some(Arc::new(authority));
        match self.current.write() {
            Ok(mut g) => *g = authority,
            Err(poisoned) => *poisoned.into_inner() = authority,
        }
    }
}

/// `POST /tsa`.
pub(crate) async fn post(
    State(state): State<AppState>,
    request: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = headers::require_media_type(&request, TIMESTAMP_QUERY, true) {
        return e.into_response();
    }
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Error::BodyTooLarge { limit: MAX_BODY }.into_response();
        }
        Err(rejection) => {
            return Error::BadBody {
                reason: rejection.body_text(),
            }
            .into_response();
        }
    };
    let answered = blocking(&state, move |s| {
        let now = s.clock.now();
        let Some(mut authority) = s.tsa.current() else {
            return Ok(eds_ca::tsa::answer_without_authority(s.center.dir(), now));
        };
        if authority.renewal_due(now) {
            authority = reload(s, now).unwrap_or(authority);
        }
        let mut a = authority.answer(s.center.store(), &body, now);
        if authority.signer_state() != SignerState::Current
            && let Some(fresh) = reload(s, now)
        {
            // Rotated or revoked: answered again by the new authority (a granted token of the
            // old one is dropped, its serial unused: RFC 3161 asks for uniqueness, not sequence).
            a = fresh.answer(s.center.store(), &body, now);
        }
        Ok(a)
    })
    .await;
    let der = match answered {
        Ok(a) => {
            match (&a.problem, a.serial) {
                (Some(problem), _) => debug!(%problem, "timestamp request refused"),
                (None, Some(serial)) => debug!(serial, "timestamp granted"),
                (None, None) => {}
            }
            a.der
        }
        Err(e) => {
            tracing::error!(error = %e, "timestamp authority failed to run");
            SYSTEM_FAILURE.to_vec()
        }
    };
    let mut res = (StatusCode::OK, der).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TIMESTAMP_REPLY),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Loads a renewed authority, once for all requests that find the current one due.
fn reload(s: &crate::Shared, now: OffsetDateTime) -> Option<Arc<TimestampAuthority>> {
    let _guard = match s.tsa.reloading.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let current = s.tsa.current()?;
    if !current.renewal_due(now) && current.signer_state() == SignerState::Current {
        return Some(current);
    }
    if s.center
        .check_active_for(now, Activity::CertifySigner)
        .is_err()
    {
        // A center that stopped certifies no new TSA key (EDS law art. 22); the current
        // authority refuses every request itself.
        return None;
    }
    match TimestampAuthority::load(&s.center, &s.passphrase, now, &s.rng, s.tsa.options.clone()) {
        Ok(a) => {
            info!(not_after = %a.not_after(), previous = ?current.signer_state(), "loaded a new timestamp authority");
            s.tsa.replace(a);
            s.tsa.current()
        }
        Err(e) => {
            warn!(error = %e, "could not renew the TSA certificate; keeping the current one");
            None
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use der::Decode;
    use eds_ca::tsa::{FailInfo, Response, STATUS_REJECTION};

    use super::*;

    #[test]
    fn ok_system_failure_is_a_der_rejection() {
        let r = Response::from_der(SYSTEM_FAILURE).unwrap();
        assert_eq!(r.status.status, STATUS_REJECTION);
        assert_eq!(
            r.status.fail_info,
            Some(FailInfo::SystemFailure.bit_string().unwrap())
        );
        assert!(r.time_stamp_token.is_none());
    }
}
