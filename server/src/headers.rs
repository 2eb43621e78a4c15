//! HTTP caching headers (RFC 9111, RFC 5019 §6) and media types.

use axum::http::header::{self, HeaderMap, HeaderName};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use crate::error::Error;

/// `application/ocsp-request` (RFC 6960 appendix A.1).
pub(crate) const OCSP_REQUEST: &str = "application/ocsp-request";
/// `application/ocsp-response` (RFC 6960 appendix A.1).
pub(crate) const OCSP_RESPONSE: &str = "application/ocsp-response";
/// `application/pkix-crl` (RFC 2585 §4.2).
pub(crate) const PKIX_CRL: &str = "application/pkix-crl";
/// `application/pkix-cert` (RFC 2585 §4.1).
pub(crate) const PKIX_CERT: &str = "application/pkix-cert";
/// `application/json`.
pub(crate) const JSON: &str = "application/json";

/// IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
const HTTP_DATE: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// An instant as an HTTP date.
pub(crate) fn http_date(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(HTTP_DATE)
        .unwrap_or_default()
}

/// A strong entity tag from the body's SHA-256 (the first 16 bytes, hex).
pub(crate) fn etag(body: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    format!(
        "\"{}\"",
        hex::encode(digest.as_ref().get(..16).unwrap_or_default())
    )
}

/// How a response may be cached.
#[derive(Debug, Clone)]
pub(crate) struct Caching {
    /// The `Cache-Control` value.
    pub(crate) control: String,
    /// `Last-Modified`.
    pub(crate) last_modified: Option<OffsetDateTime>,
    /// `Expires`.
    pub(crate) expires: Option<OffsetDateTime>,
    /// `ETag`.
    pub(crate) etag: Option<String>,
}

impl Caching {
    /// Seconds from `now` to `until`, at least 0.
    pub(crate) fn max_age(now: OffsetDateTime, until: OffsetDateTime) -> i64 {
        (until - now).whole_seconds().max(0)
    }
}

/// A DER body with its media type and caching headers; `304 Not Modified` when the request's
/// `If-None-Match` names the same entity tag.
pub(crate) fn der_response(
    request: &HeaderMap,
    media_type: &'static str,
    body: axum::body::Bytes,
    caching: &Caching,
) -> Response {
    let not_modified = caching.etag.as_deref().is_some_and(|tag| {
        request
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|candidate| {
                let c = candidate.trim();
                c == "*" || c.trim_start_matches("W/") == tag
            })
    });
    let mut res = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    set(h, header::CACHE_CONTROL, &caching.control);
    if let Some(t) = caching.last_modified {
        set(h, header::LAST_MODIFIED, &http_date(t));
    }
    if let Some(t) = caching.expires {
        set(h, header::EXPIRES, &http_date(t));
    }
    if let Some(tag) = &caching.etag {
        set(h, header::ETAG, tag);
    }
    res
}

fn set(h: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

/// Checks the request's `Content-Type` against `expected` (parameters such as `charset` are
/// ignored). A missing header passes when `missing_ok`.
pub(crate) fn require_media_type(
    request: &HeaderMap,
    expected: &'static str,
    missing_ok: bool,
) -> Result<(), Error> {
    let Some(value) = request.get(header::CONTENT_TYPE) else {
        return if missing_ok {
            Ok(())
        } else {
            Err(Error::UnsupportedMediaType {
                expected,
                found: String::new(),
            })
        };
    };
    let text = value.to_str().unwrap_or_default();
    let essence = text.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType {
            expected,
            found: text.to_owned(),
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn ok_http_date_is_imf_fixdate_in_gmt() {
        assert_eq!(
            http_date(datetime!(1994-11-06 14:49:37 +06:00)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }

    #[test]
    fn ok_media_type_ignores_parameters_and_case() {
        let mut h = HeaderMap::new();
        assert!(require_media_type(&h, JSON, true).is_ok());
        assert!(require_media_type(&h, JSON, false).is_err());
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/JSON; charset=utf-8"),
        );
        assert!(require_media_type(&h, JSON, false).is_ok());
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(
            require_media_type(&h, JSON, true),
            Err(Error::UnsupportedMediaType {
                expected: JSON,
                found: "text/plain".into()
            })
        );
    }

    #[test]
    fn ok_if_none_match_gives_304() {
        let caching = Caching {
            control: "public".into(),
            last_modified: None,
            expires: None,
            etag: Some(etag(b"x")),
        };
        let mut h = HeaderMap::new();
        let body = axum::body::Bytes::from_static(b"x");
        assert_eq!(
            der_response(&h, PKIX_CRL, body.clone(), &caching).status(),
            StatusCode::OK
        );
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"other\", {}", etag(b"x"))).unwrap(),
        );
        assert_eq!(
            der_response(&h, PKIX_CRL, body, &caching).status(),
            StatusCode::NOT_MODIFIED
        );
    }
}
