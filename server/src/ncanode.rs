//! Calls shaped like NCANode's v3 JSON API (issue 17, point 7), so that a system written against
//! NCANode (the open-source Kazakh signing service) can verify against this server by changing
//! its base URL.
//!
//! | route | body | answers |
//! |---|---|---|
//! | `POST /cms/verify` | `{"cms": base64, "data"?: base64, "revocationCheck"?: ["OCSP", "CRL"]}` | 200 `{status, message, valid, signers: [{certificates, status, subIndication?, message, …}]}` |
//! | `POST /x509/info` | `{"certs": [base64 DER…], "revocationCheck"?: [...]}` | 200 `{status, message, valid, signers: [certificate info…]}` |
//!
//! Errors answer `{"status": <HTTP status>, "message": …, "error": <our error code>}` with that
//! HTTP status: 400 for bad JSON, bad base64, a CMS or certificate that cannot be read; 413 over
//! the limit; 415 for a body that is not JSON.
//!
//! The verdict is the same engine, trust and revocation data as `POST /api/v1/verify` (the
//! center's root, its published CRLs, offline; see [`crate::web`]). `valid` is `true` only for
//! TOTAL_PASSED (ETSI EN 319 102-1 §5.1.3). The full mapping, and the NCANode fields that have
//! no equivalent here, are in `docs/ncanode-api.md`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::error;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use eds_profile::holder::{Holder, Role};
use eds_verifier::cert::Cert;
use eds_verifier::verdict::{Indication, Outcome, SubIndication};

use crate::error::Error;
use crate::headers::{self, JSON};
use crate::web::{MAX_UPLOAD, Upload, VerifierCache};
use crate::{AppState, blocking};

/// Most certificates one `POST /x509/info` may ask about.
pub(crate) const MAX_CERTS: usize = 100;

/// The largest body read: [`MAX_UPLOAD`] bytes in base64 (4 characters per 3 bytes) and room
/// for the JSON around them.
const MAX_BODY: usize = MAX_UPLOAD / 3 * 4 + 64 * 1024;

/// The routes, with the verifier cache of [`crate::web`] as an extension.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/cms/verify", post(cms_verify))
        .route("/x509/info", post(x509_info))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// A revocation method named in `revocationCheck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Method {
    #[serde(rename = "OCSP")]
    Ocsp,
    #[serde(rename = "CRL")]
    Crl,
}

/// The body of `POST /cms/verify`. Unknown fields are ignored, as NCANode ignores them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CmsVerifyBody {
    cms: String,
    #[serde(default)]
    data: Option<String>,
    #[serde(default)]
    revocation_check: Vec<Method>,
}

/// The body of `POST /x509/info`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct X509InfoBody {
    certs: Vec<String>,
    #[serde(default)]
    revocation_check: Vec<Method>,
}

/// An error in NCANode's shape.
struct NcaError(Error);

impl From<Error> for NcaError {
    fn from(e: Error) -> Self {
        Self(e)
    }
}

impl IntoResponse for NcaError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = e.status();
        let internal = status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE;
        let message = if internal {
            error!(error = %e, code = e.code(), "request failed");
            "the server failed; the cause is in its log".to_owned()
        } else {
            e.to_string()
        };
        let body = json!({ "status": status.as_u16(), "message": message, "error": e.code() });
        let mut res = (status, Json(body)).into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        res
    }
}

/// `POST /cms/verify`.
async fn cms_verify(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<VerifierCache>>,
    request: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, NcaError> {
    let body: CmsVerifyBody = json_body(&request, body)?;
    let cms = decode_base64("cms", &body.cms)?;
    if cms.is_empty() {
        return Err(bad(
            "cms",
            "it is empty; send the CMS signature in base64".into(),
        )
        .into());
    }
    let data = body
        .data
        .as_deref()
        .map(|d| decode_base64("data", d))
        .transpose()?;
    if cms.len().saturating_add(data.as_ref().map_or(0, Vec::len)) > MAX_UPLOAD {
        return Err(Error::BodyTooLarge { limit: MAX_UPLOAD }.into());
    }
    let revocation = !body.revocation_check.is_empty();
    let upload = Upload {
        signature: cms.clone(),
        signature_name: None,
        content: data,
        content_name: None,
    };
    let verified = crate::web::run(&state, cache, upload).await?;
    let report = verified.report;
    if let Some(reason) = &report.format_error {
        return Err(bad("cms", format!("it is not a CMS signature: {reason}")).into());
    }
    // The certificates the signature carries, to describe each signer's certificate.
    let carried = eds_verifier::cms::parse(&cms)
        .map(|d| d.certificates)
        .unwrap_or_default();
    let signers: Vec<Value> = report
        .signatures
        .iter()
        .map(|s| {
            let cert = s.signer.as_ref().and_then(|entry| {
                carried
                    .iter()
                    .find(|c| *hex::encode(c.sha256()) == *entry.sha256)
            });
            let cert_valid = ["chain", "validity", "revocation"].iter().all(|name| {
                s.checks
                    .iter()
                    .any(|c| c.name == *name && c.outcome == Outcome::Passed)
            });
            let revoked = matches!(
                s.sub_indication,
                Some(
                    SubIndication::Revoked
                        | SubIndication::RevokedNoPoe
                        | SubIndication::RevokedCaNoPoe
                )
            );
            let revocation_known = s
                .checks
                .iter()
                .any(|c| c.name == "revocation" && c.outcome != Outcome::Indeterminate);
            let certificates: Vec<Value> = cert
                .map(|c| {
                    certificate_info(
                        c,
                        cert_valid,
                        revocation.then_some((revoked, revocation_known)),
                    )
                })
                .into_iter()
                .flatten()
                .collect();
            let mut signer = json!({
                "certificates": certificates,
                "status": status_name(s.indication),
                "message": s.reason,
                "adesLevel": if s.timestamp_time.is_some() { "T" } else { "B" },
                "bestSignatureTime": rfc3339(s.timestamp_time.unwrap_or(s.validation_time)),
                "etsiIndication": s.indication,
            });
            if let (Value::Object(o), Some(sub)) = (&mut signer, s.sub_indication) {
                o.insert("etsiSubIndication".into(), json!(sub));
                if let Some(theirs) = their_sub_indication(sub) {
                    o.insert("subIndication".into(), json!(theirs));
                }
            }
            signer
        })
        .collect();
    let valid = report.indication == Indication::TotalPassed && !report.signatures.is_empty();
    Ok(ok(json!({
        "status": 200,
        "message": "OK",
        "valid": valid,
        "signers": signers,
        "etsiIndication": report.indication,
    })))
}

/// `POST /x509/info`.
async fn x509_info(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<VerifierCache>>,
    request: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, NcaError> {
    let body: X509InfoBody = json_body(&request, body)?;
    if body.certs.is_empty() {
        return Err(bad(
            "certs",
            "it is empty; send at least one certificate in base64".into(),
        )
        .into());
    }
    if body.certs.len() > MAX_CERTS {
        return Err(bad(
            "certs",
            format!(
                "{} certificates is more than the {MAX_CERTS} one call takes",
                body.certs.len()
            ),
        )
        .into());
    }
    let mut certs = Vec::with_capacity(body.certs.len());
    for (i, text) in body.certs.iter().enumerate() {
        let der = decode_base64("certs", text)?;
        let cert = Cert::from_der(&der).map_err(|e| {
            bad(
                "certs",
                format!(
                    "certificate {} is not a DER X.509 certificate: {e}",
                    i.saturating_add(1)
                ),
            )
        })?;
        // The description below reads the certificate a second time with x509-parser; refuse
        // here rather than answer with a hole.
        if X509Certificate::from_der(&der).is_err() {
            return Err(bad(
                "certs",
                format!("certificate {} cannot be read", i.saturating_add(1)),
            )
            .into());
        }
        certs.push(cert);
    }
    let revocation = !body.revocation_check.is_empty();
    let guard = state.in_flight.guard();
    let cancel = guard.flag();
    let reports = blocking(&state, move |s| {
        let now = s.clock.now();
        let (verifier, _) = cache.get(s.center.dir(), s.verify_trust.as_deref())?;
        let mut out = Vec::with_capacity(certs.len());
        for cert in certs {
            if cancel.is_cancelled() {
                return Err(Error::Task {
                    reason: "the request was cancelled".into(),
                });
            }
            let report = verifier.verify_certificate(&cert, &[], now);
            out.push((cert, report));
        }
        Ok(out)
    })
    .await;
    drop(guard);
    let reports = reports?;
    let mut all_valid = true;
    let mut infos = Vec::with_capacity(reports.len());
    for (cert, r) in &reports {
        let valid = r.indication == Indication::TotalPassed;
        all_valid &= valid;
        let revoked = matches!(
            r.sub_indication,
            Some(
                SubIndication::Revoked
                    | SubIndication::RevokedNoPoe
                    | SubIndication::RevokedCaNoPoe
            )
        );
        let known = r
            .checks
            .iter()
            .any(|c| c.name == "revocation" && c.outcome != Outcome::Indeterminate);
        if let Some(mut info) =
            certificate_info(cert, valid, revocation.then_some((revoked, known)))
        {
            if let Value::Object(o) = &mut info {
                o.insert("etsiIndication".into(), json!(r.indication));
                if let Some(sub) = r.sub_indication {
                    o.insert("etsiSubIndication".into(), json!(sub));
                }
                o.insert("message".into(), json!(r.reason));
            }
            infos.push(info);
        }
    }
    Ok(ok(json!({
        "status": 200,
        "message": "OK",
        "valid": all_valid,
        "signers": infos,
    })))
}

/// A 200 JSON answer that no cache keeps.
fn ok(body: Value) -> Response {
    let mut res = Json(body).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn bad(field: &'static str, reason: String) -> Error {
    Error::BadField { field, reason }
}

/// Reads a JSON body (`Content-Type: application/json`, or none).
fn json_body<T: serde::de::DeserializeOwned>(
    request: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, NcaError> {
    headers::require_media_type(request, JSON, true)?;
    let body = match body {
        Ok(b) => b,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(Error::BodyTooLarge { limit: MAX_BODY }.into());
        }
        Err(rejection) => {
            return Err(Error::BadBody {
                reason: rejection.body_text(),
            }
            .into());
        }
    };
    serde_json::from_slice(&body).map_err(|e| {
        Error::BadJson {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        }
        .into()
    })
}

/// Standard base64 (RFC 4648 §4), white space ignored as NCANode ignores it.
fn decode_base64(field: &'static str, text: &str) -> Result<Vec<u8>, Error> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact.as_bytes()).map_err(|e| {
        bad(
            field,
            format!("it is not standard base64 (RFC 4648 §4): {e}"),
        )
    })
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// NCANode's signer status for our indication.
fn status_name(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "VALID",
        Indication::TotalFailed => "INVALID",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

/// NCANode's sub-indication for ours, where it has one with the same meaning.
fn their_sub_indication(s: SubIndication) -> Option<&'static str> {
    match s {
        SubIndication::FormatFailure => Some("FORMAT_FAILURE"),
        SubIndication::SigCryptoFailure => Some("SIG_CRYPTO_FAILURE"),
        SubIndication::Revoked => Some("CERT_REVOKED"),
        SubIndication::RevokedNoPoe | SubIndication::RevokedCaNoPoe => Some("REVOKED_NO_POE"),
        SubIndication::Expired | SubIndication::NotYetValid | SubIndication::OutOfBoundsNoPoe => {
            Some("OUT_OF_BOUNDS_NO_POE")
        }
        SubIndication::NoSigningCertificateFound => Some("NO_SIGNING_CERTIFICATE_FOUND"),
        SubIndication::NoCertificateChainFound => Some("CHAIN_INCOMPLETE"),
        SubIndication::TryLater => Some("REVOCATION_DATA_MISSING"),
        _ => None,
    }
}

/// NCANode's certificate description: `valid`, dates, key usage and users, serial, algorithm,
/// key, signature, subject and issuer; `revocations` when a check was asked for (`Some((revoked,
/// known))`). `None` when x509-parser cannot read the certificate (checked by the callers first).
fn certificate_info(ours: &Cert, valid: bool, revocation: Option<(bool, bool)>) -> Option<Value> {
    let der = ours.der();
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let holder = Holder::from_der(der).ok();
    let validity = cert.validity();
    let not_before = OffsetDateTime::from_unix_timestamp(validity.not_before.timestamp()).ok()?;
    let not_after = OffsetDateTime::from_unix_timestamp(validity.not_after.timestamp()).ok()?;
    let key_usage = match cert.key_usage() {
        Ok(Some(ku)) if ku.value.non_repudiation() => "SIGN",
        Ok(Some(ku)) if ku.value.digital_signature() || ku.value.key_encipherment() => "AUTH",
        _ => "UNKNOWN",
    };
    let key_user: Vec<&str> = holder
        .as_ref()
        .map(|h| h.roles.iter().map(|r| key_user(*r)).collect())
        .unwrap_or_default();
    let serial = {
        let hex = hex::encode(cert.raw_serial());
        let trimmed = hex.trim_start_matches('0');
        if trimmed.is_empty() {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        }
    };
    let mut info = json!({
        "valid": valid,
        "notBefore": rfc3339(not_before),
        "notAfter": rfc3339(not_after),
        "keyUsage": key_usage,
        "keyUser": key_user,
        "serialNumber": serial,
        "signAlg": signature_algorithm(&cert.signature_algorithm.algorithm.to_id_string()),
        "publicKey": STANDARD.encode(cert.public_key().raw),
        "signature": STANDARD.encode(&cert.signature_value.data),
        "subject": name_fields(cert.subject(), ours.subject()),
        "issuer": name_fields(cert.issuer(), ours.issuer()),
    });
    if let (Some((revoked, known)), Value::Object(o)) = (revocation, &mut info) {
        // The server checks the center's published CRLs (offline), whichever method was asked.
        let entry = if known || revoked {
            json!({ "revoked": revoked, "by": "CRL" })
        } else {
            json!({ "revoked": Value::Null, "by": "CRL" })
        };
        o.insert("revocations".into(), json!([entry]));
    }
    Some(info)
}

/// NCANode's name for a role of the national profile (the EKU role OIDs `1.2.398.3.3.4.1.*`).
fn key_user(r: Role) -> &'static str {
    match r {
        Role::Individual => "INDIVIDUAL",
        Role::LegalEntity => "ORGANIZATION",
        Role::FirstHead => "CEO",
        Role::SigningRight => "CAN_SIGN",
        Role::FinancialSigningRight => "CAN_SIGN_FINANCIAL",
        Role::Hr => "HR",
        Role::Employee => "EMPLOYEE",
    }
}

/// A name for a signature algorithm OID, in the Java form NCANode shows; the dotted OID when
/// unknown.
fn signature_algorithm(oid: &str) -> String {
    let name = match oid {
        "1.2.840.113549.1.1.11" => "SHA256withRSA",
        "1.2.840.113549.1.1.12" => "SHA384withRSA",
        "1.2.840.113549.1.1.13" => "SHA512withRSA",
        "1.2.840.113549.1.1.5" => "SHA1withRSA",
        "1.2.840.10045.4.3.2" => "SHA256withECDSA",
        "1.2.840.10045.4.3.3" => "SHA384withECDSA",
        "1.2.840.10045.4.3.4" => "SHA512withECDSA",
        "1.3.101.112" => "Ed25519",
        "1.2.398.3.10.1.1.1.2" => "ECGOST34310",
        "1.2.398.3.10.1.1.2.3.1" => "ECGOST3410-2015-256",
        "1.2.398.3.10.1.1.2.3.2" => "ECGOST3410-2015-512",
        other => other,
    };
    name.to_owned()
}

/// The fields NCANode reads from a distinguished name. `SERIALNUMBER` gives `bin` when it starts
/// with `BIN`, else `iin` (with an `IIN` prefix removed); an `OU` gives `bin` (prefix `BIN`
/// removed); `GIVENNAME` (where the national center writes the patronymic) goes to the field
/// NCANode calls `lastName`. `dn` is the whole name in RFC 4514 form.
fn name_fields(name: &X509Name<'_>, dn: String) -> Value {
    let mut out = serde_json::Map::new();
    for rdn in name.iter_rdn() {
        for attr in rdn.iter() {
            let Ok(value) = attr.as_str() else { continue };
            let value = value.to_owned();
            let (key, value) = match attr.attr_type().to_id_string().as_str() {
                "2.5.4.3" => ("commonName", value),
                "2.5.4.4" => ("surName", value),
                "2.5.4.5" => match value.strip_prefix("BIN") {
                    Some(bin) => ("bin", bin.to_owned()),
                    None => (
                        "iin",
                        value.strip_prefix("IIN").unwrap_or(&value).to_owned(),
                    ),
                },
                "2.5.4.6" => ("country", value),
                "2.5.4.7" => ("locality", value),
                "2.5.4.8" => ("state", value),
                "2.5.4.10" => ("organization", value),
                "2.5.4.11" => (
                    "bin",
                    value.strip_prefix("BIN").unwrap_or(&value).to_owned(),
                ),
                "2.5.4.42" => ("lastName", value),
                "1.2.840.113549.1.9.1" => ("email", value),
                _ => continue,
            };
            out.insert(key.to_owned(), Value::String(value));
        }
    }
    out.insert("dn".to_owned(), Value::String(dn));
    Value::Object(out)
}
