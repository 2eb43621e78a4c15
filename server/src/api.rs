//! The operator API and the public register, JSON under `/api/v1`.
//!
//! | call | body | answers |
//! |---|---|---|
//! | `POST /certificates` | a registration request (`csr_pem` inside); optional header `Idempotency-Key` | 201 `{certificate, certificate_pem}`, `Location`; 200 the same for a repeated key and body (`Idempotent-Replayed: true`); 422 refused (ground, article, finding, refusal id), or the key used with another body (`idempotency-key-reused`); 400 bad JSON or CSR |
//! | `POST /certificates/{serial}/revoke` | `{ground, notified_by, invalidity_date?, received_at?, note?}` | 200 `{certificate}`; 404 unknown; 409 already revoked, a CA certificate, or the OCSP responder's or TSA's (`instead`: the `eds ca rotate` command); 422 a field out of bounds (`eds_ca::fields`) |
//! | `GET /certificates/{serial}` | – | 200 `{certificate, certificate_pem}` unredacted; 404 |
//! | `GET /register?iin=&bin=&status=&limit=&offset=&include_confidential=` | – | 200 `{count, certificates}` |
//!
//! The first three need an operator's bearer token ([`crate::auth`]). The register is public and
//! redacted as EDS law art. 23 asks; `include_confidential=true` needs a token. Every call an
//! operator makes is in the audit log under the operator's name: issuance, refusal and revocation
//! by the domain's own entries, reads as `api-certificate-viewed` and `api-register-listed`.
//! A call that fails (404, 409, 400) changes nothing and records nothing, refusals excepted
//! (art. 14-1: the center records every refusal).
//!
//! `Idempotency-Key` (one per request, 1 to 255 printable ASCII characters; a UUID is usual) is
//! the operator's own: it is stored in the register with the certificate, in the same
//! transaction, so a client that lost the answer (a timeout, a killed server) retries with the
//! same key and body and gets the same certificate, after a restart too, never a second one.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::info;

use eds_ca::CaError;
use eds_ca::idempotency::Idempotent;
use eds_ca::issue::KeySource;
use eds_ca::register::{self, public_view};
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::{AuditEvent, CertificateQuery, Serial, Status, StoreError};
use eds_profile::grounds::RevocationGround;
use eds_profile::request::RegistrationRequest;

use crate::auth::{Authenticated, MaybeAuthenticated};
use crate::error::Error;
use crate::headers::{self, JSON};
use crate::{AppState, blocking};

/// The request header of an idempotent issuance (draft-ietf-httpapi-idempotency-key-header).
const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The answer header of a replayed issuance.
const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Certificates one register page holds unless `limit` says fewer.
pub(crate) const DEFAULT_PAGE: u64 = 100;
/// Most certificates one register page holds.
pub(crate) const MAX_PAGE: u64 = 1000;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(list_register))
        .route("/certificates", post(issue))
        .route("/certificates/{serial}", get(show))
        .route("/certificates/{serial}/revoke", post(revoke))
}

/// The body of `POST /certificates/{serial}/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    /// A ground's name (`key-compromise`, `death`, …).
    ground: String,
    /// Who notified the center.
    notified_by: String,
    /// When the notification was received (RFC 3339); default: now.
    #[serde(default)]
    received_at: Option<String>,
    /// When the certificate became invalid (RFC 3339).
    #[serde(default)]
    invalidity_date: Option<String>,
    /// Free text for the register.
    #[serde(default)]
    note: Option<String>,
}

/// The query of `GET /register`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterQuery {
    iin: Option<String>,
    bin: Option<String>,
    status: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
    #[serde(default)]
    include_confidential: bool,
}

/// `POST /api/v1/certificates`.
async fn issue(
    State(state): State<AppState>,
    Authenticated(op): Authenticated,
    request: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let idempotency_key = match request.get_all(IDEMPOTENCY_KEY).iter().collect::<Vec<_>>()[..] {
        [] => None,
        [one] => Some(
            one.to_str()
                .map_err(|_| Error::BadField {
                    field: "Idempotency-Key",
                    reason: "it is not printable ASCII".into(),
                })?
                .to_owned(),
        ),
        _ => {
            return Err(Error::BadField {
                field: "Idempotency-Key",
                reason: "the header is given more than once".into(),
            });
        }
    };
    if let Some(k) = &idempotency_key {
        eds_ca::idempotency::check_key(k).map_err(|e| Error::BadField {
            field: "Idempotency-Key",
            reason: e.to_string(),
        })?;
    }
    let raw = match &body {
        Ok(b) => b.clone(),
        Err(_) => Bytes::new(),
    };
    let req: RegistrationRequest = json_body(&state, &request, body)?;
    if req.csr_pem.is_none() {
        // The API never generates keys: a private key must not travel over this channel.
        return Err(Error::Ca(CaError::NoPublicKey));
    }
    let actor = op.name.clone();
    let issued = blocking(&state, move |s| {
        let now = s.clock.now();
        match idempotency_key {
            Some(key) => Ok(s.center.issue_idempotent(
                &s.key,
                &req,
                KeySource::Csr(None),
                &actor,
                &key,
                &raw,
                now,
                &s.rng,
            )?),
            None => Ok(Idempotent::Issued(
                s.center
                    .issue(
                        &s.key,
                        &req,
                        KeySource::Csr(None),
                        &actor,
                        now,
                        &s.rng,
                        &mut |_| {},
                    )?
                    .record,
            )),
        }
    })
    .await;
    let issued = match issued {
        Ok(i) => i,
        Err(e) => {
            if let Error::Ca(CaError::Refused { refusal, record }) = &e {
                info!(operator = %op.name, ground = refusal.ground().as_str(), refusal_id = record, "issuance refused");
            }
            return Err(e);
        }
    };
    let (record, status) = match &issued {
        Idempotent::Issued(r) => (r, StatusCode::CREATED),
        Idempotent::Replayed(r) => (r, StatusCode::OK),
    };
    // A cached "unknown" for this serial, however unlikely, must not outlive the issuance.
    state.responder().invalidate(&record.serial);
    if status == StatusCode::OK {
        info!(operator = %op.name, serial = %record.serial, "idempotent issuance replayed");
    } else {
        info!(operator = %op.name, serial = %record.serial, "certificate issued");
    }
    let location = format!("/api/v1/certificates/{}", record.serial);
    let mut res = (
        status,
        Json(json!({
            "certificate": public_view(record, true),
            "certificate_pem": certificate_pem(&record.der),
        })),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    if status == StatusCode::OK {
        res.headers_mut()
            .insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// `POST /api/v1/certificates/{serial}/revoke`.
async fn revoke(
    State(state): State<AppState>,
    Authenticated(op): Authenticated,
    serial: Result<Path<String>, PathRejection>,
    request: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let serial = path_serial(serial)?;
    let body: RevokeBody = json_body(&state, &request, body)?;
    let ground =
        RevocationGround::from_operator_name(&body.ground).ok_or_else(|| Error::BadField {
            field: "ground",
            reason: format!(
                "{:?} is not one of {}",
                body.ground,
                RevocationGround::ALL
                    .map(RevocationGround::as_str)
                    .join(", ")
            ),
        })?;
    if body.notified_by.trim().is_empty() {
        return Err(Error::BadField {
            field: "notified_by",
            reason: "it must name who notified the center".into(),
        });
    }
    let received_at = body
        .received_at
        .as_deref()
        .map(|t| parse_time(t, "received_at"))
        .transpose()?;
    let invalidity_date = body
        .invalidity_date
        .as_deref()
        .map(|t| parse_time(t, "invalidity_date"))
        .transpose()?;
    let actor = op.name.clone();
    let notified_by = body.notified_by;
    let note = body.note;
    let target = serial.clone();
    let record = blocking(&state, move |s| {
        let now = s.clock.now();
        let notice = RevocationNotice {
            serial: target,
            ground,
            notified_by,
            received_at: received_at.unwrap_or(now),
            invalidity_date,
            note,
        };
        Ok(s.center.revoke(&notice, &actor, now)?)
    })
    .await?;
    state.responder().invalidate(&serial);
    state.crl.request_new();
    info!(operator = %op.name, serial = %serial, ground = ground.as_str(), "certificate revoked");
    Ok(Json(json!({ "certificate": public_view(&record, true) })).into_response())
}

/// `GET /api/v1/certificates/{serial}`.
async fn show(
    State(state): State<AppState>,
    Authenticated(op): Authenticated,
    serial: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let serial = path_serial(serial)?;
    let actor = op.name;
    let record = blocking(&state, move |s| {
        let store = s.center.store();
        let record = store
            .certificate(&serial)?
            .ok_or(StoreError::UnknownSerial { serial })?;
        store.append_audit(&AuditEvent {
            at: s.clock.now(),
            actor,
            action: "api-certificate-viewed".into(),
            details: json!({ "serial": record.serial.to_string() }),
        })?;
        Ok(record)
    })
    .await?;
    Ok(Json(json!({
        "certificate": public_view(&record, true),
        "certificate_pem": certificate_pem(&record.der),
    }))
    .into_response())
}

/// `GET /api/v1/register`: public, redacted; unredacted for an operator who asks.
async fn list_register(
    State(state): State<AppState>,
    MaybeAuthenticated(op): MaybeAuthenticated,
    query: Result<Query<RegisterQuery>, QueryRejection>,
) -> Result<Response, Error> {
    let Query(q) = query.map_err(|e| Error::BadField {
        field: "query",
        reason: e.body_text(),
    })?;
    if q.include_confidential && op.is_none() {
        return Err(Error::MissingCredential);
    }
    let status = match q.status.as_deref() {
        None => None,
        Some("valid") => Some(Status::Valid),
        Some("revoked") => Some(Status::Revoked),
        Some(other) => {
            return Err(Error::BadField {
                field: "status",
                reason: format!("{other:?} is not valid or revoked"),
            });
        }
    };
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(Error::BadField {
            field: "limit",
            reason: format!("{limit} is not 1..={MAX_PAGE}"),
        });
    }
    let offset = q.offset.unwrap_or(0);
    let include_confidential = q.include_confidential;
    let query = CertificateQuery {
        iin: q.iin,
        bin: q.bin,
        status,
        issuer: None,
        limit: Some(limit),
        offset,
    };
    let views = blocking(&state, move |s| {
        let views = register::list(s.reader(), &query, include_confidential)?;
        if let Some(op) = op {
            s.center.store().append_audit(&AuditEvent {
                at: s.clock.now(),
                actor: op.name,
                action: "api-register-listed".into(),
                details: json!({
                    "iin": query.iin,
                    "bin": query.bin,
                    "include_confidential": include_confidential,
                    "limit": limit,
                    "offset": offset,
                    "count": views.len(),
                }),
            })?;
        }
        Ok(views)
    })
    .await?;
    Ok(Json(json!({ "count": views.len(), "certificates": views })).into_response())
}

/// Reads a JSON body of type `T` (`Content-Type: application/json`, or none).
fn json_body<T: DeserializeOwned>(
    state: &AppState,
    request: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Error> {
    headers::require_media_type(request, JSON, true)?;
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(Error::BodyTooLarge {
                limit: state.limits.api_body,
            });
        }
        Err(rejection) => {
            return Err(Error::BadBody {
                reason: rejection.body_text(),
            });
        }
    };
    serde_json::from_slice(&body).map_err(|e| Error::BadJson {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })
}

/// The `{serial}` of a route's path: a segment that is not UTF-8 once percent-decoded is the
/// same JSON 400 as a segment that is not hexadecimal (not axum's plain-text rejection).
fn path_serial(path: Result<Path<String>, PathRejection>) -> Result<Serial, Error> {
    match path {
        Ok(Path(text)) => parse_serial(&text),
        Err(e) => Err(Error::BadField {
            field: "serial",
            reason: e.body_text(),
        }),
    }
}

fn parse_serial(text: &str) -> Result<Serial, Error> {
    Serial::from_hex(text).map_err(|e| Error::BadField {
        field: "serial",
        reason: e.to_string(),
    })
}

fn parse_time(text: &str, field: &'static str) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| Error::BadField {
        field,
        reason: format!("{text:?} is not an RFC 3339 time like 2026-01-31T12:00:00Z: {e}"),
    })
}

fn certificate_pem(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
}
