//! The server's one error type and the one place where errors become status codes.
//!
//! | status | when |
//! |---|---|
//! | 400 | the body, a field, the query or a CSR cannot be read; a registration request without `csr_pem` |
//! | 401 | no bearer token, or one the center never issued (`WWW-Authenticate: Bearer`) |
//! | 403 | the operator's credential was revoked (`eds ca operator revoke`); an operator route (or a token) over plain HTTP on an address beyond loopback (`operator-api-needs-tls`: serve HTTPS with `--tls-cert`) |
//! | 404 | unknown serial, unknown route |
//! | 408 | the request took longer than the timeout |
//! | 409 | the certificate is already revoked, or is a CA certificate, or the OCSP responder's or the TSA's (`instead` names the `eds ca rotate` command that replaces it); |
//! | 413 | the body is over the route's limit |
//! | 415 | wrong `Content-Type` |
//! | 422 | issuance refused on a ground of EDS law art. 14-1, or art. 21.1 for the key (the refusal is recorded); a revocation field out of its bounds (`eds_ca::fields`); the `Idempotency-Key` was used before with another body |
//! | 500 | the register or the center failed; nothing half done (every register call is one transaction) |
//! | 501 | the timestamp authority is not built |
//! | 503 | the register stayed locked by another writer past its timeout (`Retry-After: 1`) |
//!
//! OCSP never answers with these: a request it cannot read gets a `malformedRequest` OCSP
//! response with status 200 (RFC 6960 §2.3); only a body over the limit (413) or a wrong content
//! type (415) is refused at the HTTP level.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::error;

use eds_ca::CaError;
use eds_ca::store::StoreError;

/// Why a request or the server failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operator route was called without `Authorization: Bearer <token>` (RFC 6750 §3).
    #[error("authenticate: no bearer token; send Authorization: Bearer <token>")]
    MissingCredential,
    /// The token is malformed or not one the center issued.
    #[error("authenticate: the bearer token is not one the center issued")]
    InvalidCredential,
    /// The operator's credential was revoked.
    #[error("authenticate: the credential of operator {name:?} was revoked at {at}")]
    RevokedCredential {
        /// The operator.
        name: String,
        /// When the credential was revoked.
        at: OffsetDateTime,
    },
    /// An operator route, or a bearer token, over plain HTTP on a listening address beyond
    /// loopback: the token would cross the network unencrypted (issue 16; see [`crate::tls`]).
    #[error(
        "authenticate: the operator API takes no request over plain HTTP on {listen}, beyond \
         this machine; serve HTTPS with --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1"
    )]
    OperatorApiNeedsTls {
        /// The address the server listens on.
        listen: String,
    },
    /// The certificate chain or key of `--tls-cert/--tls-key` cannot be used.
    #[error("TLS file {path}: {reason}")]
    BadTls {
        /// The file.
        path: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// The body is not of the media type the route takes.
    #[error("read request: content type {found:?} is not {expected}")]
    UnsupportedMediaType {
        /// What the route takes.
        expected: &'static str,
        /// What came.
        found: String,
    },
    /// The body is larger than the route allows.
    #[error("read request: the body is over the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The body could not be read from the connection.
    #[error("read request body: {reason}")]
    BadBody {
        /// The transport's message.
        reason: String,
    },
    /// The body is not the JSON the route takes.
    #[error("read request JSON at line {line} column {column}: {reason}")]
    BadJson {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// What is wrong.
        reason: String,
    },
    /// A field of the path, query or body has a value the route cannot take.
    #[error("read {field}: {reason}")]
    BadField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// An operator name that `eds ca operator add` does not take.
    #[error("operator name {name:?}: {reason}")]
    BadOperatorName {
        /// The name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// No route has this path.
    #[error("find route: no such path on this server")]
    NoSuchRoute,
    /// A part of issue 4 that this server does not have.
    #[error("{what} is not part of this server yet")]
    NotImplemented {
        /// What is missing.
        what: &'static str,
    },
    /// The certification center refused or failed.
    #[error(transparent)]
    Ca(#[from] CaError),
    /// The register failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A blocking task panicked or was cancelled.
    #[error("run a blocking task: {reason}")]
    Task {
        /// The runtime's message.
        reason: String,
    },
    /// The system random generator failed.
    #[error("draw random bytes: the system generator failed")]
    Random,
    /// A socket or file operation failed.
    #[error("{what}: {message}")]
    Io {
        /// What was being done.
        what: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    /// The HTTP status of this error: the one mapping of the crate.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::MissingCredential | Error::InvalidCredential => StatusCode::UNAUTHORIZED,
            Error::RevokedCredential { .. } | Error::OperatorApiNeedsTls { .. } => {
                StatusCode::FORBIDDEN
            }
            Error::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::BadBody { .. }
            | Error::BadJson { .. }
            | Error::BadField { .. }
            | Error::BadOperatorName { .. } => StatusCode::BAD_REQUEST,
            Error::NoSuchRoute => StatusCode::NOT_FOUND,
            Error::NotImplemented { .. } => StatusCode::NOT_IMPLEMENTED,
            Error::Ca(e) => ca_status(e),
            Error::Store(e) => store_status(e),
            Error::Task { .. } | Error::Random | Error::Io { .. } | Error::BadTls { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// A stable kebab-case name of the error, the `error` field of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MissingCredential => "missing-credential",
            Error::InvalidCredential => "invalid-credential",
            Error::RevokedCredential { .. } => "revoked-credential",
            Error::OperatorApiNeedsTls { .. } => "operator-api-needs-tls",
            Error::BadTls { .. } => "bad-tls",
            Error::UnsupportedMediaType { .. } => "unsupported-media-type",
            Error::BodyTooLarge { .. } => "body-too-large",
            Error::BadBody { .. } => "bad-body",
            Error::BadJson { .. } => "bad-json",
            Error::BadField { .. } => "bad-field",
            Error::BadOperatorName { .. } => "bad-operator-name",
            Error::NoSuchRoute => "not-found",
            Error::NotImplemented { .. } => "not-implemented",
            Error::Ca(CaError::Refused { .. }) => "refused",
            Error::Ca(CaError::Ceased { .. }) => "ceased",
            Error::Ca(CaError::BadCsr { .. }) => "bad-csr",
            Error::Ca(CaError::NoPublicKey) => "no-public-key",
            Error::Ca(CaError::BadRequest { .. }) => "bad-request",
            Error::Ca(CaError::NotAnOwnerCertificate { .. }) => "not-an-owner-certificate",
            Error::Ca(CaError::InfrastructureCertificate { .. }) => "infrastructure-certificate",
            Error::Ca(CaError::InvalidField { .. }) => "invalid-field",
            Error::Ca(CaError::IdempotencyKeyReused { .. }) => "idempotency-key-reused",
            Error::Ca(CaError::RevocationNotice { .. }) => "revocation-notice-refused",
            Error::Ca(CaError::GroundNotForHolder { .. }) => "ground-not-for-holder",
            Error::Ca(CaError::Store(e)) | Error::Store(e) => store_code(e),
            Error::Ca(_) | Error::Task { .. } | Error::Random | Error::Io { .. } => "internal",
        }
    }

    /// Fields the client can act on, beside `error` and `message`.
    fn details(&self) -> Value {
        let time = |t: &OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
        match self {
            Error::Ca(CaError::Refused { refusal, record }) => json!({
                "ground": refusal.ground().as_str(),
                "article": refusal.ground().article(),
                "finding": refusal.to_string(),
                "refusal_id": record,
            }),
            Error::Ca(CaError::Store(StoreError::AlreadyRevoked { serial, at, ground }))
            | Error::Store(StoreError::AlreadyRevoked { serial, at, ground }) => json!({
                "serial": serial.to_string(),
                "revoked_at": time(at),
                "ground": ground.as_str(),
            }),
            Error::Ca(CaError::Store(StoreError::UnknownSerial { serial }))
            | Error::Store(StoreError::UnknownSerial { serial }) => {
                json!({ "serial": serial.to_string() })
            }
            Error::Ca(CaError::InfrastructureCertificate {
                serial,
                service,
                rotate,
            }) => json!({
                "serial": serial.to_string(),
                "service": service,
                "instead": rotate,
            }),
            Error::Ca(CaError::InvalidField { field, .. }) => json!({ "field": field }),
            Error::Ca(CaError::IdempotencyKeyReused { serial, .. }) => {
                json!({ "serial": serial.to_string() })
            }
            Error::BadField { field, .. } => json!({ "field": field }),
            Error::BadJson { line, column, .. } => json!({ "line": line, "column": column }),
            _ => json!({}),
        }
    }
}

fn ca_status(e: &CaError) -> StatusCode {
    match e {
        CaError::Refused { .. }
        | CaError::RevocationNotice { .. }
        | CaError::GroundNotForHolder { .. }
        | CaError::InvalidField { .. }
        | CaError::IdempotencyKeyReused { .. }
        | CaError::Ceased { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        CaError::BadRequest { .. } | CaError::BadCsr { .. } | CaError::NoPublicKey => {
            StatusCode::BAD_REQUEST
        }
        CaError::NotAnOwnerCertificate { .. } | CaError::InfrastructureCertificate { .. } => {
            StatusCode::CONFLICT
        }
        CaError::Store(s) => store_status(s),
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn store_status(e: &StoreError) -> StatusCode {
    match e {
        StoreError::UnknownSerial { .. } => StatusCode::NOT_FOUND,
        StoreError::AlreadyRevoked { .. } | StoreError::DuplicateSerial { .. } => {
            StatusCode::CONFLICT
        }
        StoreError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn store_code(e: &StoreError) -> &'static str {
    match e {
        StoreError::UnknownSerial { .. } => "not-found",
        StoreError::AlreadyRevoked { .. } => "already-revoked",
        StoreError::DuplicateSerial { .. } => "duplicate-serial",
        StoreError::Busy => "busy",
        _ => "internal",
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let internal = status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED;
        if internal {
            // The cause stays in the log; the client learns only that it was not its fault.
            error!(error = %self, code = self.code(), "request failed");
        }
        let message = if internal && status != StatusCode::SERVICE_UNAVAILABLE {
            "the server failed; nothing was changed, and the cause is in its log".to_owned()
        } else {
            self.to_string()
        };
        let mut body = json!({ "error": self.code(), "message": message });
        if let (Value::Object(b), Value::Object(extra)) = (&mut body, self.details()) {
            b.extend(extra);
        }
        let mut res = (status, Json(body)).into_response();
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match status {
            StatusCode::UNAUTHORIZED => {
                let value = if self == Error::MissingCredential {
                    r#"Bearer realm="eds""#
                } else {
                    r#"Bearer realm="eds", error="invalid_token""#
                };
                h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            _ => {}
        }
        res
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use eds_ca::store::Serial;
    use eds_profile::grounds::RevocationGround;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn ok_each_failure_has_its_status() {
        let serial = Serial::from_hex("0A").unwrap();
        let cases = [
            (Error::MissingCredential, 401),
            (Error::InvalidCredential, 401),
            (
                Error::RevokedCredential {
                    name: "a".into(),
                    at: datetime!(2026-01-01 0:00 UTC),
                },
                403,
            ),
            (Error::BodyTooLarge { limit: 1 }, 413),
            (
                Error::Ca(CaError::Store(StoreError::UnknownSerial {
                    serial: serial.clone(),
                })),
                404,
            ),
            (
                Error::Ca(CaError::Store(StoreError::AlreadyRevoked {
                    serial: serial.clone(),
                    at: datetime!(2026-01-01 0:00 UTC),
                    ground: RevocationGround::Death,
                })),
                409,
            ),
            (Error::Ca(CaError::NotAnOwnerCertificate { serial }), 409),
            (Error::Ca(CaError::NoPublicKey), 400),
            (Error::Store(StoreError::Busy), 503),
            (Error::NotImplemented { what: "x" }, 501),
            (Error::Ca(CaError::Internal { reason: "x".into() }), 500),
        ];
        for (e, status) in cases {
            assert_eq!(e.status().as_u16(), status, "{e:?}");
        }
    }

    #[test]
    fn ok_unauthorized_asks_for_a_bearer_token_and_hides_nothing_else() {
        let res = Error::InvalidCredential.into_response();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            res.headers()[header::WWW_AUTHENTICATE],
            r#"Bearer realm="eds", error="invalid_token""#
        );
    }
}
