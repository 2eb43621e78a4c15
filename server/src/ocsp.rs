//! OCSP over HTTP (RFC 6960 appendix A, RFC 5019 §5–6).
//!
//! `POST /ocsp` takes the DER request as the body (`application/ocsp-request`); `GET
//! /ocsp/{request}` takes it base64-encoded in the path, percent-decoded, in the standard or the
//! URL-safe alphabet, padded or not. Both answer 200 with a DER `OCSPResponse`
//! (`application/ocsp-response`) whatever the request held: a request that does not decode gets
//! the responder's `malformedRequest` response, never an HTTP error. Only a body over the limit
//! (413) and a `Content-Type` that is not `application/ocsp-request` (415) are refused at the
//! HTTP level.
//!
//! GET answers carry the caching headers of RFC 5019 §6.2 when the response may be shared (no
//! nonce echoed): `Cache-Control: max-age=<until nextUpdate>, public, no-transform,
//! must-revalidate`, `Last-Modified` (producedAt), `Expires` (nextUpdate) and `ETag`; any other
//! answer is `Cache-Control: no-store`.
//!
//! The domain's responder sits behind [`OcspResponder`], so the HTTP layer can be tested with a
//! stand-in and the responder can be replaced while the server runs (a new signing certificate).
//!
//! Each answer checks the responder's certificate ([`OcspResponder::signer_state`]): one `stat`
//! of `ocsp.crt.pem`, and a register lookup when the register changed. When `eds ca rotate ocsp`
//! replaced it, or it was revoked, the request that finds out loads the new responder (one at a
//! time) and is answered by it; a revoked certificate signs nothing in the meantime (`tryLater`).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::{self, HeaderMap};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use ring::rand::SecureRandom;
use time::OffsetDateTime;
use tracing::debug;

use eds_ca::center::Center;
use eds_ca::store::{Serial, Store};
use eds_ca::{CaError, SignerState};

use crate::error::Error;
use crate::headers::{self, Caching, OCSP_REQUEST, OCSP_RESPONSE};
use crate::{AppState, blocking};

/// `OCSPResponse { responseStatus internalError }` (RFC 6960 §4.2.1), for when the responder
/// itself could not run (its thread panicked).
const INTERNAL_ERROR: &[u8] = &[0x30, 0x03, 0x0A, 0x01, 0x02];

/// One OCSP answer and what the HTTP layer needs for its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct OcspAnswer {
    /// The DER `OCSPResponse`.
    pub der: Vec<u8>,
    /// producedAt of a successful response.
    pub produced_at: Option<OffsetDateTime>,
    /// The earliest nextUpdate of a successful response.
    pub next_update: Option<OffsetDateTime>,
    /// The same bytes answer everyone who asks the same (no nonce, successful).
    pub cacheable: bool,
    /// Why the status is not successful, for the log.
    pub problem: Option<String>,
}

/// What the server needs of an OCSP responder.
pub trait OcspResponder: Send + Sync {
    /// Answers one DER request; never fails (a failure is the response's status).
    fn answer(&self, store: &dyn Store, request_der: &[u8], now: OffsetDateTime) -> OcspAnswer;

    /// Forgets whatever is cached about `serial` (called after a revocation through the API).
    fn invalidate(&self, serial: &Serial);

    /// Whether a new responder should be loaded (its signing certificate is about to expire).
    fn renewal_due(&self, now: OffsetDateTime) -> bool;

    /// What the last answer found of the signing certificate: anything but
    /// [`SignerState::Current`] has the server load a new responder at once.
    fn signer_state(&self) -> SignerState {
        SignerState::Current
    }
}

impl OcspResponder for eds_ca::ocsp::Responder {
    fn answer(&self, store: &dyn Store, request_der: &[u8], now: OffsetDateTime) -> OcspAnswer {
        let a = eds_ca::ocsp::Responder::answer(self, store, request_der, now);
        OcspAnswer {
            der: a.der,
            produced_at: a.produced_at,
            next_update: a.next_update,
            cacheable: a.cacheable,
            problem: a.problem.map(|p| p.to_string()),
        }
    }

    fn invalidate(&self, serial: &Serial) {
        eds_ca::ocsp::Responder::invalidate(self, serial);
    }

    fn renewal_due(&self, now: OffsetDateTime) -> bool {
        eds_ca::ocsp::Responder::renewal_due(self, now)
    }

    fn signer_state(&self) -> SignerState {
        eds_ca::ocsp::Responder::signer_state(self)
    }
}

/// Loads the center's delegated OCSP responder (issuing its signing certificate when needed).
pub fn load_responder(
    center: &Center,
    passphrase: &[u8],
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<Box<dyn OcspResponder>, CaError> {
    Ok(Box::new(eds_ca::ocsp::Responder::load(
        center, passphrase, now, rng,
    )?))
}

/// Decodes the base64 of a GET request (RFC 6960 appendix A.1; RFC 5019 §5): either alphabet,
/// with or without padding; a space stands for a `+` that a form decoder turned into one.
pub(crate) fn decode_get(text: &str) -> Option<Vec<u8>> {
    let text: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    if text.contains(['-', '_']) {
        URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()
    } else {
        STANDARD_NO_PAD.decode(text.as_bytes()).ok()
    }
}

/// `POST /ocsp`.
pub(crate) async fn post(
    State(state): State<AppState>,
    request: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if let Err(e) = headers::require_media_type(&request, OCSP_REQUEST, true) {
        return e.into_response();
    }
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Error::BodyTooLarge {
                limit: state.limits.ocsp_body,
            }
            .into_response();
        }
        Err(rejection) => {
            return Error::BadBody {
                reason: rejection.body_text(),
            }
            .into_response();
        }
    };
    let answer = answer(&state, body).await;
    let mut res = (StatusCode::OK, answer.der).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(OCSP_RESPONSE),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// `GET /ocsp/{request}`. A path that is not UTF-8 once percent-decoded (`/ocsp/%FF`) is no
/// request either: `malformedRequest`, like any other undecodable one, never a 400 page.
pub(crate) async fn get(
    State(state): State<AppState>,
    request: HeaderMap,
    encoded: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Response {
    let der = match encoded {
        Ok(Path(text)) => decode_get(&text).unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    respond_get(&state, &request, Bytes::from(der)).await
}

/// `GET /ocsp/`: no request at all, answered `malformedRequest`.
pub(crate) async fn get_empty(State(state): State<AppState>, request: HeaderMap) -> Response {
    respond_get(&state, &request, Bytes::new()).await
}

async fn respond_get(state: &AppState, request: &HeaderMap, der: Bytes) -> Response {
    let answer = answer(state, der).await;
    let now = state.clock.now();
    let caching = match (answer.cacheable, answer.produced_at, answer.next_update) {
        (true, Some(produced), Some(next)) => Caching {
            control: format!(
                "max-age={}, public, no-transform, must-revalidate",
                Caching::max_age(now, next)
            ),
            last_modified: Some(produced),
            expires: Some(next),
            etag: Some(headers::etag(&answer.der)),
        },
        _ => Caching {
            control: "no-store".to_owned(),
            last_modified: None,
            expires: None,
            etag: None,
        },
    };
    headers::der_response(request, OCSP_RESPONSE, Bytes::from(answer.der), &caching)
}

async fn answer(state: &AppState, der: Bytes) -> OcspAnswer {
    let answered = blocking(state, move |s| {
        let responder = s.responder();
        let now = s.clock.now();
        let answer = responder.answer(s.reader(), &der, now);
        if responder.signer_state() == SignerState::Current {
            return Ok(answer);
        }
        // Rotated or revoked: this request loads the new responder and is answered by it.
        Ok(match reload(s, now) {
            Some(fresh) => fresh.answer(s.reader(), &der, now),
            None => answer,
        })
    })
    .await;
    match answered {
        Ok(a) => {
            if let Some(problem) = &a.problem {
                debug!(%problem, "OCSP request not answered successfully");
            }
            a
        }
        Err(e) => {
            tracing::error!(error = %e, "OCSP responder failed to run");
            OcspAnswer {
                der: INTERNAL_ERROR.to_vec(),
                produced_at: None,
                next_update: None,
                cacheable: false,
                problem: Some(e.to_string()),
            }
        }
    }
}

/// Loads the responder again after a rotation or a revocation of its certificate, once for all
/// the requests that find out at the same time.
fn reload(s: &crate::Shared, now: OffsetDateTime) -> Option<std::sync::Arc<dyn OcspResponder>> {
    let _guard = s
        .ocsp_reloading
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let current = s.responder();
    if current.signer_state() == SignerState::Current {
        return Some(current);
    }
    match load_responder(&s.center, &s.passphrase, now, &s.rng) {
        Ok(r) => {
            s.set_responder(r);
            tracing::info!(
                previous = ?current.signer_state(),
                "loaded the OCSP responder's new certificate"
            );
            Some(s.responder())
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not load the OCSP responder's new certificate");
            None
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};

    use super::*;

    #[test]
    fn ok_get_decodes_both_alphabets_padded_or_not() {
        // Bytes whose base64 holds '+' and '/' (standard) or '-' and '_' (URL-safe), and padding.
        let der: Vec<u8> = vec![0x30, 0xFB, 0xFF, 0xBF, 0x01];
        for text in [
            STANDARD.encode(&der),
            STANDARD_NO_PAD.encode(&der),
            URL_SAFE.encode(&der),
            URL_SAFE_NO_PAD.encode(&der),
            STANDARD.encode(&der).replace('+', " "),
        ] {
            assert_eq!(decode_get(&text).as_deref(), Some(der.as_slice()), "{text}");
        }
        assert_eq!(decode_get("not base64!"), None);
        assert_eq!(decode_get(""), Some(Vec::new()));
    }

    #[test]
    fn ok_internal_error_is_a_der_ocsp_response() {
        use der::Decode;
        let r = x509_ocsp::OcspResponse::from_der(INTERNAL_ERROR).unwrap();
        assert_eq!(
            r.response_status,
            x509_ocsp::OcspResponseStatus::InternalError
        );
    }
}
