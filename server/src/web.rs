//! The verification page (issue 6, point 6): anyone uploads a signed document and sees the
//! verdict of article 10.1 of the EDS law in plain words.
//!
//! | route | answers |
//! |---|---|
//! | `GET /` | the upload form: the signature file and, for a detached signature, the signed document; `?lang=kk`, `ru` or `en` switches the language (and remembers it in the `eds_lang` cookie) |
//! | `POST /verify` | `multipart/form-data` from that form → an HTML result page |
//! | `POST /api/v1/verify` | the same form, or the signature alone as the raw body → the JSON report of `eds verify --json` |
//!
//! The pages are self-contained (inline CSS, no script, no font, no image), so they work on a
//! machine with no network. Uploads are held in memory only and never written anywhere; together
//! they may be [`MAX_UPLOAD`] bytes (413 above it, stated on the form).
//!
//! Trust and revocation are the server's own center, offline: the root certificate of the data
//! folder is the only trust anchor, the issuing center's certificate helps build chains, and the
//! revocation status comes from the center's published CRLs (`crl/issuing.crl`, `crl/root.crl`).
//! Those files are re-signed on every revocation, so each request looks at their size and
//! modification time and rebuilds the verifier when they changed. Nothing is fetched over the
//! network from inside the server.
//!
//! The verdict is the engine's (`eds-verifier`, ETSI EN 319 102-1): passed, failed or
//! indeterminate with a sub-indication, shown with a sentence a non-specialist understands and
//! the code beside it. When the signed content is a licensing document
//! ([`eds_profile::documents::Document`]) its own fields (number, holder, service, issuer, date)
//! come right after the verdict, before the technical details; the content of an attached
//! signature can be downloaded, byte for byte.
//!
//! The page speaks Kazakh, Russian and English (`i18n`: the switch, the cookie,
//! `Accept-Language`), shows every time in Astana's time beside UTC, and fits a 360 px phone.
//! Its HTML is written with maud templates (`page`), which escape every value they splice in,
//! so no text from the upload (names, document fields, file names, error messages) reaches the
//! page unescaped.

mod i18n;
mod page;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use tracing::{error, warn};

use eds_profile::documents::Document;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{Content, DocumentReport, Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::TrustList;

use crate::error::Error;
use crate::{AppState, blocking};

/// The most the signature and the signed document may weigh together (10 MiB).
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// What the multipart framing (boundaries, part headers) may add to [`MAX_UPLOAD`].
const FORM_OVERHEAD: usize = 64 * 1024;

/// The largest request body the verification routes read.
const MAX_BODY: usize = MAX_UPLOAD + FORM_OVERHEAD;

/// Path-building budget per signature (signature checks), as `eds verify` uses.
const MAX_SIGNATURE_CHECKS: usize = 100;

/// The routes of the page, with the verifier they share.
pub(crate) fn router() -> Router<AppState> {
    let cache = Arc::new(VerifierCache::default());
    Router::new()
        .route("/", get(form))
        .route("/verify", post(verify_page).get(form_redirect))
        .route("/api/v1/verify", post(verify_api))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        // The NCANode-compatible calls share this verifier; they set their own body limit.
        .merge(crate::ncanode::router())
        .layer(Extension(cache))
}

/// `GET /`: the upload form (`?lang=kk|ru|en` switches the language and remembers it).
async fn form(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<VerifierCache>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let choice = language(&uri, &headers);
    let centers = blocking(&state, move |s| {
        Ok(cache.trusted_names(s.center.dir(), s.verify_trust.as_deref()))
    })
    .await
    .unwrap_or_default();
    page(
        StatusCode::OK,
        choice,
        choice.lang.texts().form_title,
        page::form(choice.lang, &centers),
    )
}

/// `GET /verify` (a reload of the result page, a bookmark): back to the form.
async fn form_redirect() -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/"));
    res
}

/// `POST /verify`: the HTML result page.
async fn verify_page(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<VerifierCache>>,
    uri: Uri,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    // The form posts to `/verify?lang=…` of its own language; that choice is not a switch, so
    // it sets no cookie.
    let choice = i18n::Choice {
        from_query: false,
        ..language(&uri, &headers)
    };
    let upload = match read_form(&headers, multipart).await {
        Ok(u) => u,
        Err(e) => return problem_page(choice, &e),
    };
    match run(&state, cache, upload).await {
        Ok(result) => page(
            StatusCode::OK,
            choice,
            &page::result_title(choice.lang, &result),
            page::result(choice.lang, &result),
        ),
        Err(e) => problem_page(choice, &e),
    }
}

/// `POST /api/v1/verify`: the JSON report. The body is the form of `POST /verify`, or the
/// signature itself (any other content type) for an attached signature.
async fn verify_api(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<VerifierCache>>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    let upload = if is_form {
        let multipart = Multipart::from_request(request, &()).await;
        read_form(&headers, multipart).await
    } else {
        read_raw(&headers, request).await
    };
    let upload = match upload {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    match run(&state, cache, upload).await {
        Ok(result) => {
            let mut res = Json(&result.report).into_response();
            no_store(res.headers_mut());
            res
        }
        Err(e) => e.into_response(),
    }
}

/// What was uploaded.
pub(crate) struct Upload {
    pub(crate) signature: Vec<u8>,
    pub(crate) signature_name: Option<String>,
    pub(crate) content: Option<Vec<u8>>,
    pub(crate) content_name: Option<String>,
}

/// The verdict and what the page shows beside it.
pub(crate) struct Verified {
    pub(crate) report: DocumentReport,
    signature_name: Option<String>,
    content_name: Option<String>,
    /// The signed content read as a licensing document, when it is one.
    document: Option<Document>,
    /// The centers the verdict trusted.
    trusted: Vec<String>,
    /// The content embedded in an attached signature (offered for download).
    embedded: Option<Vec<u8>>,
}

/// Refuses a body announced larger than the limit before reading any of it.
fn check_length(headers: &HeaderMap) -> Result<(), Error> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match announced {
        Some(n) if n > u64::try_from(MAX_BODY).unwrap_or(u64::MAX) => {
            Err(Error::BodyTooLarge { limit: MAX_UPLOAD })
        }
        _ => Ok(()),
    }
}

/// Reads the form's two file fields, `signature` and `content` (optional; an empty file input
/// sends an empty part, taken as absent). Other fields are ignored.
async fn read_form(
    headers: &HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Upload, Error> {
    check_length(headers)?;
    let mut multipart = multipart.map_err(|e| Error::UnsupportedMediaType {
        expected: "multipart/form-data",
        found: format!(
            "{} ({})",
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none"),
            e.body_text()
        ),
    })?;
    let mut upload = Upload {
        signature: Vec::new(),
        signature_name: None,
        content: None,
        content_name: None,
    };
    let mut total = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(&e)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        if name != "signature" && name != "content" {
            continue;
        }
        let bytes = field.bytes().await.map_err(|e| multipart_error(&e))?;
        total = total.saturating_add(bytes.len());
        if total > MAX_UPLOAD {
            return Err(Error::BodyTooLarge { limit: MAX_UPLOAD });
        }
        if name == "signature" {
            upload.signature = bytes.to_vec();
            upload.signature_name = file_name;
        } else if !bytes.is_empty() {
            upload.content = Some(bytes.to_vec());
            upload.content_name = file_name;
        }
    }
    if upload.signature.is_empty() {
        return Err(Error::BadField {
            field: "signature",
            reason: "no signature file was sent; choose the signature file (.p7s, .cms, .sig) \
                     in the form's first field"
                .into(),
        });
    }
    Ok(upload)
}

/// Reads a raw body as the signature.
async fn read_raw(headers: &HeaderMap, request: Request) -> Result<Upload, Error> {
    check_length(headers)?;
    let bytes = Bytes::from_request(request, &())
        .await
        .map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Error::BodyTooLarge { limit: MAX_UPLOAD },
            _ => Error::BadBody {
                reason: e.body_text(),
            },
        })?;
    if bytes.len() > MAX_UPLOAD {
        return Err(Error::BodyTooLarge { limit: MAX_UPLOAD });
    }
    if bytes.is_empty() {
        return Err(Error::BadField {
            field: "signature",
            reason: "the body is empty; send the signature (DER, BER or PEM) as the body, or \
                     the form with a `signature` file"
                .into(),
        });
    }
    Ok(Upload {
        signature: bytes.to_vec(),
        signature_name: None,
        content: None,
        content_name: None,
    })
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::BodyTooLarge { limit: MAX_UPLOAD }
    } else {
        Error::BadBody {
            reason: format!("the form cannot be read: {}", e.body_text()),
        }
    }
}

/// Verifies on a blocking thread (signature checks and path building are CPU work), under
/// this request's cancel flag: when the request's future is dropped (the 408 of the request
/// timeout, a client that went away) the guard raises it, and a shutdown raises it when its grace
/// period ends, so the thread stops at the verifier's next check instead of working on for
/// nobody.
pub(crate) async fn run(
    state: &AppState,
    cache: Arc<VerifierCache>,
    upload: Upload,
) -> Result<Verified, Error> {
    let guard = state.in_flight.guard();
    let cancel = guard.flag();
    let verified = blocking(state, move |s| {
        let now = s.clock.now();
        let (verifier, trusted) = cache.get(s.center.dir(), s.verify_trust.as_deref())?;
        let Upload {
            signature,
            signature_name,
            content,
            content_name,
        } = upload;
        let report = verifier
            .verify_document_with(
                &signature,
                content.as_deref().map(Content::Bytes),
                now,
                &cancel,
            )
            .map_err(|e| Error::BadBody {
                reason: e.to_string(),
            })?;
        let embedded = if report.format_error.is_some() {
            None
        } else {
            eds_verifier::cms::parse(&signature)
                .ok()
                .and_then(|d| d.content)
        };
        let document = if report.format_error.is_some() {
            None
        } else {
            content
                .as_deref()
                .or(embedded.as_deref())
                .and_then(|c| Document::from_json(c).ok())
        };
        Ok(Verified {
            report,
            signature_name,
            content_name,
            document,
            trusted,
            embedded,
        })
    })
    .await;
    drop(guard);
    verified
}

/// The files the verifier is built from, and what they looked like when it was built.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint(Vec<Option<(u64, Option<SystemTime>)>>);

impl Fingerprint {
    fn of(paths: &[PathBuf]) -> Self {
        Self(
            paths
                .iter()
                .map(|p| {
                    std::fs::metadata(p)
                        .ok()
                        .map(|m| (m.len(), m.modified().ok()))
                })
                .collect(),
        )
    }
}

/// The verifier of the page, rebuilt when the center's certificates or CRLs change on disk.
#[derive(Default)]
pub(crate) struct VerifierCache {
    current: Mutex<Option<Built>>,
}

struct Built {
    fingerprint: Fingerprint,
    verifier: Arc<Verifier>,
    trusted: Vec<String>,
}

impl VerifierCache {
    /// The files: trust anchor, issuing certificate, issuing CRL, root CRL, and the extra trust
    /// list (`eds serve --trust`) when there is one.
    fn files(data: &Path, extra_trust: Option<&Path>) -> Vec<PathBuf> {
        let mut files = vec![
            data.join("root.crt.pem"),
            data.join("issuing.crt.pem"),
            data.join("crl").join("issuing.crl"),
            data.join("crl").join(eds_ca::root_crl::FILE),
        ];
        files.extend(extra_trust.map(Path::to_path_buf));
        files
    }

    /// The current verifier and the names of the centers it trusts.
    pub(crate) fn get(
        &self,
        data: &Path,
        extra_trust: Option<&Path>,
    ) -> Result<(Arc<Verifier>, Vec<String>), Error> {
        let files = Self::files(data, extra_trust);
        let fingerprint = Fingerprint::of(&files);
        let mut guard = match self.current.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(built) = guard.as_ref()
            && built.fingerprint == fingerprint
        {
            return Ok((Arc::clone(&built.verifier), built.trusted.clone()));
        }
        let built = build(&files, fingerprint)?;
        let out = (Arc::clone(&built.verifier), built.trusted.clone());
        *guard = Some(built);
        Ok(out)
    }

    /// The trusted centers' names for the form ("" entries skipped; empty when none).
    fn trusted_names(&self, data: &Path, extra_trust: Option<&Path>) -> Vec<String> {
        match self.get(data, extra_trust) {
            Ok((_, names)) => names,
            Err(e) => {
                warn!(error = %e, "the verification page has no verifier");
                Vec::new()
            }
        }
    }
}

fn io_error(what: &Path, e: impl std::fmt::Display) -> Error {
    Error::Io {
        what: format!("read {}", what.display()),
        message: e.to_string(),
    }
}

/// Builds the verifier from the data folder's files (see [`VerifierCache::files`]).
fn build(files: &[PathBuf], fingerprint: Fingerprint) -> Result<Built, Error> {
    let (root, issuing, issuing_crl, root_crl, extra) = match files {
        [root, issuing, issuing_crl, root_crl] => (root, issuing, issuing_crl, root_crl, None),
        [root, issuing, issuing_crl, root_crl, extra] => {
            (root, issuing, issuing_crl, root_crl, Some(extra))
        }
        _ => {
            return Err(Error::Io {
                what: "list the center's files".into(),
                message: "four or five files expected".into(),
            });
        }
    };
    let own = TrustList::load(root).map_err(|e| io_error(root, e))?;
    let trust = match extra {
        None => own,
        Some(path) => {
            let extra = TrustList::load(path).map_err(|e| io_error(path, e))?;
            let mut centers = own.centers().to_vec();
            centers.extend(
                extra
                    .centers()
                    .iter()
                    .filter(|c| !centers.iter().any(|o| o.cert.sha256() == c.cert.sha256()))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            TrustList::from_centers(centers, extra.form()).map_err(|e| io_error(path, e))?
        }
    };
    let trusted = trust.centers().iter().map(|c| c.name.clone()).collect();
    let extra_certs = match std::fs::read(issuing) {
        Ok(bytes) => Cert::all_from_pem_or_der(&bytes).map_err(|e| io_error(issuing, e))?,
        Err(e) => {
            warn!(file = %issuing.display(), error = %e, "no issuing certificate for chains");
            Vec::new()
        }
    };
    let mut revocation = RevocationChecker::new(RevocationOptions {
        offline: true,
        ocsp: false,
        fetch_crls: false,
        cache_dir: None,
        ..RevocationOptions::default()
    })
    .map_err(|e| Error::Io {
        what: "set up revocation checking".into(),
        message: e.to_string(),
    })?;
    for crl in [issuing_crl, root_crl] {
        match std::fs::read(crl) {
            Ok(bytes) => {
                // The label shows in reports: the file's place in the data folder, not the
                // server's own paths.
                let name = crl
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let label = format!("this center's crl/{name}");
                if let Err(e) = revocation.add_crl(&label, &bytes) {
                    // A half-written file is replaced atomically, so this is a real fault;
                    // verdicts then say TRY_LATER for what the CRL would have covered.
                    error!(file = %crl.display(), error = %e, "the center's CRL does not parse");
                }
            }
            Err(e) => warn!(file = %crl.display(), error = %e, "no CRL of the center"),
        }
    }
    let options = Options {
        trust,
        at: None,
        extra_certs,
        expectations: Expectations::default(),
        max_signature_checks: MAX_SIGNATURE_CHECKS,
        required_eku: None,
        policy: Default::default(),
        cancel: Default::default(),
    };
    Ok(Built {
        fingerprint,
        verifier: Arc::new(Verifier::new(options, revocation)),
        trusted,
    })
}

// ---------------------------------------------------------------------------------------------
// Pages.

/// The language of a request, from its query string and headers.
fn language(uri: &Uri, headers: &HeaderMap) -> i18n::Choice {
    i18n::choose(uri.query(), headers)
}

/// An HTML answer: the page in the chosen language, with the headers every page carries.
fn page(status: StatusCode, choice: i18n::Choice, title: &str, body: maud::Markup) -> Response {
    let html = page::document(
        &page::Frame {
            lang: choice.lang,
            title,
        },
        body,
    );
    let mut res = (status, Html(html)).into_response();
    let h = res.headers_mut();
    no_store(h);
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(choice.lang.code()),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("accept-language, cookie"),
    );
    if choice.from_query {
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
            i18n::COOKIE,
            choice.lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.insert(header::SET_COOKIE, v);
        }
    }
    res
}

fn no_store(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page for a request that could not be verified at all (too large, no file, broken form).
fn problem_page(choice: i18n::Choice, e: &Error) -> Response {
    let status = e.status();
    let problem = match e {
        Error::BodyTooLarge { .. } => page::Problem::TooLarge,
        _ if status.is_server_error() => {
            error!(error = %e, "the verification page failed");
            page::Problem::ServerFault
        }
        _ => page::Problem::Unreadable(e.to_string()),
    };
    let (title, body) = page::problem(choice.lang, &problem, status.as_u16(), e.code());
    page(status, choice, title, body)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use eds_verifier::verdict::SubIndication;

    use super::i18n::Lang;
    use super::page::Node;

    #[test]
    fn ok_node_keeps_the_order_written() {
        let n: Node =
            serde_json::from_str(r#"{"z":1,"a":{"y":true,"b":null},"m":["p","q"]}"#).unwrap();
        let Node::Map(fields) = n else {
            panic!("not a map")
        };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    /// Every sub-indication has a sentence of its own, in each language.
    #[test]
    fn ok_every_sub_indication_has_its_own_sentence_in_each_language() {
        use SubIndication::*;
        let all = [
            FormatFailure,
            HashFailure,
            SigCryptoFailure,
            Revoked,
            Expired,
            NotYetValid,
            SigConstraintsFailure,
            ChainConstraintsFailure,
            CertificateChainGeneralFailure,
            CryptoConstraintsFailure,
            NoSigningCertificateFound,
            NoCertificateChainFound,
            RevokedNoPoe,
            RevokedCaNoPoe,
            OutOfBoundsNoPoe,
            TryLater,
            SignedDataNotFound,
        ];
        let mut everywhere = std::collections::HashSet::new();
        for lang in Lang::ALL {
            let t = lang.texts();
            let mut seen = std::collections::HashSet::new();
            for s in all {
                let text = (t.reason)(s.indication(), Some(s));
                assert!(
                    seen.insert(text),
                    "{lang:?}: {s:?} shares its sentence: {text}"
                );
                assert!(
                    everywhere.insert(text),
                    "{lang:?}: {s:?} is not translated: {text}"
                );
            }
        }
    }

    /// Every key of every licensing document's JSON Schema has a Kazakh and a Russian label.
    #[test]
    fn ok_every_document_field_has_a_kazakh_and_russian_label() {
        fn keys(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    if let Some(serde_json::Value::Object(props)) = m.get("properties") {
                        out.extend(props.keys().cloned());
                    }
                    m.values().for_each(|v| keys(v, out));
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
                _ => {}
            }
        }
        let mut all = std::collections::BTreeSet::new();
        for (_, schema) in eds_profile::documents::schema::schemas() {
            keys(&schema, &mut all);
        }
        assert!(all.len() > 50, "{all:?}");
        for lang in [Lang::Kk, Lang::Ru] {
            let missing: Vec<&String> = all
                .iter()
                .filter(|k| (lang.texts().field)(k).is_none())
                .collect();
            assert!(missing.is_empty(), "{lang:?} lacks labels for {missing:?}");
        }
    }
}
