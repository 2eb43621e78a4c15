//! The verification page (issue 6, point 6): anyone uploads a signed document and sees the
//! verdict of article 10.1 of the EDS law in plain words.
//!
//! | route | answers |
//! |---|---|
//! | `GET /` | the upload form: the signature file and, for a detached signature, the signed document |
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
//! ([`eds_profile::documents::Document`]) its fields are laid out section by section in the order
//! of the form.
//!
//! Every text that comes from the upload (names, document fields, error messages) is
//! HTML-escaped by [`escape`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::{error, warn};

use eds_profile::documents::Document;
use eds_profile::holder::{Holder, Role};
use eds_verifier::cert::Cert;
use eds_verifier::engine::{Content, DocumentReport, Options, SignatureReport, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::{ChainEntry, Indication, Outcome, SubIndication, TimeBasis};

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

/// `GET /`: the upload form.
async fn form(
    State(state): State<AppState>,
    Extension(cache): Extension<Arc<VerifierCache>>,
) -> Response {
    let centers = blocking(&state, move |s| {
        Ok(cache.trusted_names(s.center.dir(), s.verify_trust.as_deref()))
    })
    .await
    .unwrap_or_default();
    page(
        StatusCode::OK,
        "Verify a signed document",
        &form_body(&centers, None),
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
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let upload = match read_form(&headers, multipart).await {
        Ok(u) => u,
        Err(e) => return problem_page(&e),
    };
    match run(&state, cache, upload).await {
        Ok(result) => page(
            StatusCode::OK,
            &format!(
                "{} — verification",
                indication_name(result.report.indication)
            ),
            &result_body(&result),
        ),
        Err(e) => problem_page(&e),
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
        let document = if report.format_error.is_some() {
            None
        } else {
            let signed = match content {
                Some(c) => Some(c),
                None => eds_verifier::cms::parse(&signature)
                    .ok()
                    .and_then(|d| d.content),
            };
            signed.and_then(|c| Document::from_json(&c).ok())
        };
        Ok(Verified {
            report,
            signature_name,
            content_name,
            document,
            trusted,
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

/// The page around a body: one HTML document with its style inline.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header class=\"top\"><div class=\"wrap\"><a class=\"brand\" href=\"/\">\
         <span class=\"mark\" aria-hidden=\"true\">✓</span> EDS signature verification</a>\
         <span class=\"tag\">EDS law art. 10 · ETSI EN 319 102-1</span></div></header>\n\
         <main class=\"wrap\">\n{body}\n</main>\n\
         <footer class=\"wrap foot\">Checked by this certification center's own server, offline: \
         its root certificate is the trust anchor and its published CRLs give the revocation \
         status. Uploaded files are held in memory for the check only and are not stored. \
         Machines: <code>POST /api/v1/verify</code> returns the same report as JSON.</footer>\n\
         </body>\n</html>\n",
        title = escape(title),
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
    res
}

fn no_store(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page for a request that could not be verified at all (too large, no file, broken form).
fn problem_page(e: &Error) -> Response {
    let status = e.status();
    let (title, text) = match e {
        Error::BodyTooLarge { .. } => (
            "The upload is too large",
            format!(
                "The signature and the signed document may weigh {} together; this upload is \
                 larger. Nothing was checked. Verify a larger document with the command line: \
                 <code>eds verify FILE.p7s --content FILE</code>.",
                size_text(MAX_UPLOAD)
            ),
        ),
        _ if status.is_server_error() => {
            error!(error = %e, "the verification page failed");
            (
                "The server could not check this upload",
                "The fault is on the server's side and is in its log; please try again later."
                    .to_owned(),
            )
        }
        _ => (
            "The upload could not be read",
            format!("{}.", escape(&e.to_string())),
        ),
    };
    let body = format!(
        "<section class=\"banner problem\" role=\"alert\"><h1>{title}</h1><p>{text}</p>\
         <p class=\"code\">HTTP {} · {}</p></section>\
         <p><a class=\"button\" href=\"/\">Back to the form</a></p>",
        status.as_u16(),
        e.code(),
    );
    page(status, title, &body)
}

fn form_body(centers: &[String], note: Option<&str>) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<section class=\"card\">\n<h1>Verify a signed document</h1>\n\
         <p class=\"lead\">Upload a file signed with an electronic digital signature (CMS / CAdES: \
         <code>.p7s</code>, <code>.cms</code>, <code>.sig</code>, PEM or DER). The page tells you \
         whether the signature is valid, who signed, when, and — for a licence, permit or other \
         licensing document — what it says.</p>\n"
    );
    if let Some(note) = note {
        let _ = write!(out, "<p class=\"note\">{}</p>", escape(note));
    }
    let _ = write!(
        out,
        "<form method=\"post\" action=\"/verify\" enctype=\"multipart/form-data\">\n\
         <div class=\"field\"><label for=\"signature\">Signature file <span class=\"req\">required</span></label>\
         <input type=\"file\" id=\"signature\" name=\"signature\" required>\
         <p class=\"hint\">The signed file. A signature with the document inside it (attached) is \
         all you need.</p></div>\n\
         <div class=\"field\"><label for=\"content\">Signed document <span class=\"opt\">only for a detached signature</span></label>\
         <input type=\"file\" id=\"content\" name=\"content\">\
         <p class=\"hint\">When the signature was made apart from the document (detached), add the \
         document here.</p></div>\n\
         <p class=\"limit\">Limit: <strong>{limit}</strong> for both files together. Larger uploads \
         are refused.</p>\n\
         <button type=\"submit\">Verify</button>\n</form>\n</section>\n",
        limit = size_text(MAX_UPLOAD),
    );
    let _ = write!(
        out,
        "<section class=\"card muted\"><h2>What is checked</h2><ol class=\"steps\">\
         <li>The document has not changed since it was signed, and the signature matches the \
         signer's certificate.</li>\
         <li>The certificate was valid and not revoked when the document was signed.</li>\
         <li>The certificate may be used for signing documents.</li>\
         <li>The certificate was issued by a trusted certification center.</li></ol>"
    );
    if centers.is_empty() {
        out.push_str(
            "<p>Trusted center: none could be loaded; every verdict will be INDETERMINATE.</p>",
        );
    } else {
        out.push_str("<p>Trusted center");
        if centers.len() > 1 {
            out.push('s');
        }
        out.push_str(": ");
        let names: Vec<String> = centers
            .iter()
            .map(|c| format!("<code>{}</code>", escape(c)))
            .collect();
        out.push_str(&names.join(", "));
        out.push_str("</p>");
    }
    out.push_str("</section>");
    out
}

fn result_body(r: &Verified) -> String {
    let report = &r.report;
    let mut out = String::new();
    let class = indication_class(report.indication);
    let first = report.signatures.first();
    // The banner: the document's verdict, with the first non-passed signature's reason.
    let (code_line, sentence) = if let Some(e) = &report.format_error {
        (
            format!("{} / FORMAT_FAILURE", indication_name(report.indication)),
            format!(
                "This file is not an electronic signature that can be read (CMS / CAdES), or it \
                 is damaged.</p><p class=\"files\">Technical detail: {}",
                escape(e)
            ),
        )
    } else {
        let worst = report
            .signatures
            .iter()
            .find(|s| s.indication == report.indication)
            .or(first);
        match worst {
            Some(s) => (
                match s.sub_indication {
                    Some(sub) => format!("{} / {}", indication_name(s.indication), sub_name(sub)),
                    None => indication_name(s.indication).to_owned(),
                },
                escape(&plain_reason(s.indication, s.sub_indication)),
            ),
            None => (indication_name(report.indication).to_owned(), String::new()),
        }
    };
    let _ = write!(
        out,
        "<section class=\"banner {class}\" role=\"status\">\
         <p class=\"kicker\">{headline}</p>\
         <h1 id=\"verdict\">{code_line}</h1>\
         <p class=\"reason\">{sentence}</p>",
        headline = if report.format_error.is_some() {
            "Failed — this file is not a signature"
        } else {
            headline(report.indication)
        },
    );
    let files = [
        r.signature_name
            .as_deref()
            .map(|n| format!("signature <strong>{}</strong>", escape(n))),
        r.content_name
            .as_deref()
            .map(|n| format!("document <strong>{}</strong>", escape(n))),
    ];
    let files: Vec<String> = files.into_iter().flatten().collect();
    let _ = writeln!(
        out,
        "<p class=\"files\">{}{}{}</p></section>",
        if files.is_empty() {
            String::new()
        } else {
            format!("Checked {}. ", files.join(" with "))
        },
        if report.detached {
            "Detached signature. "
        } else {
            ""
        },
        match report.signatures.len() {
            0 => String::new(),
            1 => "One signature.".to_owned(),
            n => format!("{n} signatures."),
        }
    );
    for (i, s) in report.signatures.iter().enumerate() {
        signature_section(&mut out, s, i, report.signatures.len());
    }
    if let Some(doc) = &r.document {
        document_section(&mut out, doc, report.indication);
    }
    if report.signatures.is_empty() && report.format_error.is_some() {
        out.push_str(
            "<section class=\"card\"><h2>What to do</h2><p>Check that you chose the signature \
             file itself (often <code>.p7s</code>, <code>.cms</code> or <code>.sig</code>), not \
             the document it signs. A signature made apart from its document goes in the first \
             field and the document in the second.</p></section>",
        );
    }
    if !r.trusted.is_empty() {
        let names: Vec<String> = r
            .trusted
            .iter()
            .map(|c| format!("<code>{}</code>", escape(c)))
            .collect();
        let _ = write!(
            out,
            "<p class=\"small\">Trusted: {}. Revocation: this center's published CRLs, offline.</p>",
            names.join(", ")
        );
    }
    out.push_str("<p><a class=\"button\" href=\"/\">Verify another document</a></p>");
    out
}

fn signature_section(out: &mut String, s: &SignatureReport, i: usize, count: usize) {
    let class = indication_class(s.indication);
    let suffix = if i == 0 {
        String::new()
    } else {
        format!("-{}", i + 1)
    };
    let title = if count > 1 {
        format!("Signature {} of {count}", i + 1)
    } else {
        "Signature".to_owned()
    };
    let verdict = match s.sub_indication {
        Some(sub) => format!("{} / {}", indication_name(s.indication), sub_name(sub)),
        None => indication_name(s.indication).to_owned(),
    };
    let _ = write!(
        out,
        "<section class=\"card\"><div class=\"card-head\"><h2>{title}</h2>\
         <span class=\"pill {class}\">{verdict}</span></div>\
         <p class=\"detail\">{}</p>",
        escape(&s.reason)
    );
    // The signer.
    out.push_str("<h3>Signer</h3><dl class=\"grid\">");
    let h = s.holder.as_deref();
    row(out, "Name", &signer_name(h, s), "signer-name", &suffix);
    if let Some(h) = h {
        if let Some(o) = &h.organization {
            row(
                out,
                "Organisation",
                &escape(o),
                "signer-organisation",
                &suffix,
            );
        }
        row(
            out,
            "IIN",
            &h.iin.as_deref().map(escape).unwrap_or_else(|| "—".into()),
            "signer-iin",
            &suffix,
        );
        if let Some(bin) = &h.bin {
            row(out, "BIN", &escape(bin), "signer-bin", &suffix);
        }
        let roles: Vec<&str> = h.roles.iter().map(|r| role_text(*r)).collect();
        row(
            out,
            "Roles",
            &if roles.is_empty() {
                "—".to_owned()
            } else {
                escape(&roles.join(", "))
            },
            "signer-roles",
            &suffix,
        );
    }
    if let Some(c) = &s.signer {
        row(
            out,
            "Certificate",
            &format!(
                "serial <code>{}</code>, valid {} to {}",
                escape(&c.serial),
                time_text(c.not_before),
                time_text(c.not_after)
            ),
            "signer-certificate",
            &suffix,
        );
    }
    out.push_str("</dl>");
    // The time.
    out.push_str("<h3>Signing time</h3><dl class=\"grid\">");
    if let Some(t) = s.timestamp_time {
        row(
            out,
            "Proven",
            &format!(
                "{} <span class=\"basis\">proven by a timestamp from a timestamp authority</span>",
                time_text(t)
            ),
            "timestamp-time",
            &suffix,
        );
    }
    if let Some(t) = s.claimed_signing_time {
        row(
            out,
            "Claimed",
            &format!(
                "{} <span class=\"basis\">stated by the signer; not a proof</span>",
                time_text(t)
            ),
            "claimed-time",
            &suffix,
        );
    }
    let basis = match s.time_basis {
        TimeBasis::Now => "the time of this check: nothing proves when the document was signed",
        TimeBasis::Given => "a time given for this check",
        TimeBasis::Timestamp => "the timestamp: a proof that the signature existed then",
    };
    row(
        out,
        "Judged at",
        &format!(
            "{} <span class=\"basis\">{basis}</span>",
            time_text(s.validation_time)
        ),
        "validation-time",
        &suffix,
    );
    out.push_str("</dl>");
    // The chain.
    if !s.chain.is_empty() {
        out.push_str("<h3>Certificate chain</h3><ol class=\"chain\">");
        for (n, c) in s.chain.iter().enumerate() {
            chain_item(out, c, n, s.chain.len());
        }
        out.push_str("</ol>");
        if let Some(center) = &s.trusted_center {
            let _ = write!(
                out,
                "<p class=\"small\">Ends at the trusted center <code>{}</code>.</p>",
                escape(center)
            );
        }
    }
    if let Some(src) = &s.revocation_source {
        let _ = write!(
            out,
            "<p class=\"small\">Revocation status from: {}</p>",
            escape(src)
        );
    }
    // Checks.
    out.push_str("<h3>Checks</h3><table class=\"checks\"><thead><tr><th>Check</th><th>Outcome</th><th>Finding</th></tr></thead><tbody>");
    for c in &s.checks {
        let (cls, text) = outcome_text(c.outcome);
        let _ = write!(
            out,
            "<tr><td>{}<br><code class=\"small\">{}</code></td><td><span class=\"pill {cls}\">{text}</span></td><td>{}</td></tr>",
            escape(check_title(c.name)),
            escape(c.name),
            escape(&c.detail)
        );
    }
    out.push_str("</tbody></table>");
    if !s.warnings.is_empty() {
        out.push_str("<h3>Warnings</h3><ul class=\"warnings\">");
        for w in &s.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>");
    }
    out.push_str("</section>\n");
}

fn chain_item(out: &mut String, c: &ChainEntry, n: usize, len: usize) {
    let role = if n == 0 {
        "signer"
    } else if n + 1 == len {
        "root center"
    } else {
        "issuing center"
    };
    let _ = write!(
        out,
        "<li><span class=\"role\">{role}</span> <span class=\"subject\">{}</span>\
         <span class=\"small\">serial <code>{}</code> · valid {} to {}</span></li>",
        escape(&c.subject),
        escape(&c.serial),
        time_text(c.not_before),
        time_text(c.not_after)
    );
}

fn row(out: &mut String, label: &str, value_html: &str, id: &str, suffix: &str) {
    let _ = write!(
        out,
        "<dt>{}</dt><dd id=\"{id}{suffix}\">{value_html}</dd>",
        escape(label)
    );
}

fn signer_name(h: Option<&Holder>, s: &SignatureReport) -> String {
    let from_holder = h.and_then(|h| {
        let parts: Vec<&str> = [
            h.surname.as_deref(),
            h.name.as_deref(),
            h.patronymic.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            h.common_name.clone()
        } else {
            Some(parts.join(" "))
        }
    });
    match (from_holder, &s.signer) {
        (Some(n), _) => escape(&n),
        (None, Some(c)) => escape(&c.subject),
        (None, None) => "unknown: the signer's certificate is not in the file".to_owned(),
    }
}

/// A licensing document laid out as its form: the fields in the form's order, a section per
/// party or group.
fn document_section(out: &mut String, doc: &Document, verdict: Indication) {
    let kind = doc.kind();
    let _ = write!(
        out,
        "<section class=\"card document\"><div class=\"card-head\"><h2>{}</h2>\
         <span class=\"pill neutral\">{}</span></div><p class=\"detail\">{}</p>",
        escape(&label(kind.as_str())),
        escape(kind.as_str()),
        escape(doc.service().title())
    );
    if verdict != Indication::TotalPassed {
        out.push_str(
            "<p class=\"note bad\">The signature over this document did not pass: what follows \
             is what the file contains, not something you can rely on.</p>",
        );
    }
    let tree = serde_json::to_string(doc)
        .ok()
        .and_then(|json| serde_json::from_str::<Node>(&json).ok());
    match tree {
        Some(Node::Map(fields)) => layout(out, &label(kind.as_str()), &fields),
        _ => out.push_str("<p>The document's fields cannot be shown.</p>"),
    }
    out.push_str("</section>\n");
}

/// Consecutive plain fields form one table; an object is a titled section of its own; a list of
/// objects one section per item.
fn layout(out: &mut String, title: &str, fields: &[(String, Node)]) {
    let mut open = false;
    // Plain fields after a section get a heading of their own, so they do not read as part of
    // the section above them.
    let mut after_section = false;
    let close = |out: &mut String, open: &mut bool| {
        if *open {
            out.push_str("</dl>");
            *open = false;
        }
    };
    for (key, value) in fields {
        if key == "kind" {
            continue;
        }
        match value {
            Node::Map(inner) => {
                close(out, &mut open);
                after_section = true;
                let _ = write!(out, "<h3>{}</h3><dl class=\"grid\">", escape(&label(key)));
                flat_rows(out, "", inner);
                out.push_str("</dl>");
            }
            Node::List(items) if items.iter().any(|n| matches!(n, Node::Map(_))) => {
                close(out, &mut open);
                after_section = true;
                for (n, item) in items.iter().enumerate() {
                    let _ = write!(
                        out,
                        "<h3>{} {}</h3><dl class=\"grid\">",
                        escape(&label(key)),
                        n + 1
                    );
                    match item {
                        Node::Map(inner) => flat_rows(out, "", inner),
                        other => field_row(out, "Value", &other.text()),
                    }
                    out.push_str("</dl>");
                }
            }
            other => {
                if !open {
                    if after_section {
                        let _ = write!(out, "<h3>{} details</h3>", escape(title));
                    }
                    out.push_str("<dl class=\"grid\">");
                    open = true;
                }
                let text = if key == "service" {
                    format!("{} ({})", other.text(), service_title(other))
                } else {
                    other.text()
                };
                field_row(out, &label(key), &text);
            }
        }
    }
    close(out, &mut open);
}

fn service_title(node: &Node) -> String {
    match node {
        Node::Scalar(s) => serde_json::from_value::<eds_profile::documents::Service>(
            serde_json::Value::String(s.clone()),
        )
        .map(|s| s.title().to_owned())
        .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Rows of an object, nested objects flattened with their key as a prefix.
fn flat_rows(out: &mut String, prefix: &str, fields: &[(String, Node)]) {
    for (key, value) in fields {
        let name = if prefix.is_empty() {
            label(key)
        } else {
            format!("{prefix} · {}", words(key, false))
        };
        match value {
            Node::Map(inner) => flat_rows(out, &name, inner),
            other => field_row(out, &name, &other.text()),
        }
    }
}

fn field_row(out: &mut String, label: &str, text: &str) {
    let _ = write!(
        out,
        "<dt>{}</dt><dd>{}</dd>",
        escape(label),
        escape(text).replace('\n', "<br>")
    );
}

/// `licence_number` → "Licence number"; `bin` → "BIN".
fn label(key: &str) -> String {
    words(key, true)
}

/// The words of a key, acronyms in capitals, the first word capitalised when `capital`.
fn words(key: &str, capital: bool) -> String {
    let words: Vec<String> = key
        .split(['_', '-'])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| match w {
            "iin" | "bin" | "id" | "kz" | "eds" => w.to_ascii_uppercase(),
            _ if i == 0 && capital => {
                let mut chars = w.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
            _ => w.to_owned(),
        })
        .collect();
    words.join(" ")
}

/// A JSON value with its object keys in the order written (serde_json's own `Value` sorts them
/// unless the crate-wide `preserve_order` feature is on, which would change every other JSON
/// output of the workspace).
enum Node {
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn text(&self) -> String {
        match self {
            Node::Scalar(s) => s.clone(),
            Node::List(items) => items.iter().map(Node::text).collect::<Vec<_>>().join("\n"),
            Node::Map(fields) => fields
                .iter()
                .map(|(k, v)| format!("{}: {}", k.replace('_', " "), v.text()))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(if v { "yes" } else { "no" }.to_owned()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar("—".to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            fields.push((k, v));
        }
        Ok(Node::Map(fields))
    }
}

// ---------------------------------------------------------------------------------------------
// Words.

/// HTML-escapes text for element content and quoted attribute values. Hand-written: five
/// characters, and no template engine is otherwise needed by the crate.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The verdict in the codes of ETSI EN 319 102-1.
fn indication_name(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

fn headline(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "Passed — the signature is valid",
        Indication::TotalFailed => "Failed — the signature is not valid",
        Indication::Indeterminate => "Indeterminate — the signature could not be confirmed",
    }
}

fn indication_class(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "passed",
        Indication::TotalFailed => "failed",
        Indication::Indeterminate => "indeterminate",
    }
}

fn sub_name(s: SubIndication) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{s:?}"))
}

/// The verdict in words a non-specialist understands.
pub fn plain_reason(indication: Indication, sub: Option<SubIndication>) -> String {
    let text = match (indication, sub) {
        (Indication::TotalPassed, _) => {
            "The document has not been changed since it was signed, the signature matches the \
             signer's certificate, and that certificate was valid, not revoked, allowed for \
             signing and issued by a trusted certification center."
        }
        (_, Some(SubIndication::FormatFailure)) => {
            "This file is not an electronic signature that can be read, or it is damaged."
        }
        (_, Some(SubIndication::HashFailure)) => {
            "The document was changed after it was signed (or it is not the document this \
             signature was made for)."
        }
        (_, Some(SubIndication::SigCryptoFailure)) => {
            "The signature does not match the signer's certificate: it is damaged or forged."
        }
        (_, Some(SubIndication::Revoked)) => {
            "The signer's certificate had been revoked before the document was signed."
        }
        (_, Some(SubIndication::Expired)) => {
            "The signer's certificate had already expired when the document was signed."
        }
        (_, Some(SubIndication::NotYetValid)) => {
            "The document was signed before the signer's certificate became valid."
        }
        (_, Some(SubIndication::SigConstraintsFailure)) => {
            "The certificate may not be used for this signature, or the signer is not the \
             person or organisation expected."
        }
        (_, Some(SubIndication::ChainConstraintsFailure)) => {
            "A certificate of the chain breaks the rules for certification centers (for \
             example, the center was not accredited when the document was signed)."
        }
        (_, Some(SubIndication::CertificateChainGeneralFailure)) => {
            "The chain of certificates from the signer to the certification center could not \
             be validated."
        }
        (_, Some(SubIndication::CryptoConstraintsFailure)) => {
            "The signature uses an algorithm or key that is not accepted here (for example \
             GOST or SHA-1)."
        }
        (_, Some(SubIndication::NoSigningCertificateFound)) => {
            "The signer's certificate is not in the file, so the signer cannot be identified."
        }
        (_, Some(SubIndication::NoCertificateChainFound)) => {
            "The signer's certificate was not issued by a certification center trusted here."
        }
        (_, Some(SubIndication::RevokedNoPoe)) => {
            "The signer's certificate has been revoked, and nothing proves the document was \
             signed before that."
        }
        (_, Some(SubIndication::RevokedCaNoPoe)) => {
            "The certification center's own certificate has been revoked, and nothing proves \
             the document was signed before that."
        }
        (_, Some(SubIndication::OutOfBoundsNoPoe)) => {
            "The signer's certificate is not valid now, and nothing proves the document was \
             signed while it was."
        }
        (_, Some(SubIndication::TryLater)) => {
            "Whether the certificate has been revoked cannot be told right now; try again later."
        }
        (_, Some(SubIndication::SignedDataNotFound)) => {
            "This signature was made apart from its document: add the signed document in the \
             form's second field."
        }
        (Indication::TotalFailed, None) => "The signature is not valid.",
        (Indication::Indeterminate, None) => "The signature could not be confirmed.",
    };
    text.to_owned()
}

fn outcome_text(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Passed => ("passed", "passed"),
        Outcome::Failed => ("failed", "failed"),
        Outcome::Indeterminate => ("indeterminate", "undecided"),
        Outcome::Skipped => ("neutral", "not run"),
    }
}

fn check_title(name: &str) -> &'static str {
    match name {
        "format" => "Signature format",
        "signing_certificate" => "Signer's certificate present",
        "message_digest" => "Document unchanged",
        "signature" => "Signature value",
        "timestamp" => "Signature timestamp",
        "chain" => "Chain to a trusted center",
        "validity" => "Certificate validity",
        "accreditation" => "Center accredited",
        "revocation" => "Not revoked",
        "scope" => "Allowed for signing",
        "expectations" => "Expected signer",
        _ => "Check",
    }
}

fn role_text(r: Role) -> &'static str {
    match r {
        Role::Individual => "individual",
        Role::LegalEntity => "acts for a legal entity",
        Role::FirstHead => "first head",
        Role::SigningRight => "right to sign",
        Role::FinancialSigningRight => "right to sign financial documents",
        Role::Hr => "human resources",
        Role::Employee => "employee without signing right",
    }
}

fn time_text(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

fn size_text(bytes: usize) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// The page's style: system fonts only, nothing fetched.
const STYLE: &str = r#"
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--brand:#0b4f6c;
--ok:#1b7f3b;--ok-bg:#e8f5ec;--bad:#b42318;--bad-bg:#fdecea;--mid:#9a6700;--mid-bg:#fff6dc}
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;background:var(--bg);color:var(--ink);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;line-height:1.5}
.wrap{max-width:62rem;margin:0 auto;padding:0 1.25rem}
.top{background:var(--brand);color:#fff}
.top .wrap{display:flex;align-items:center;justify-content:space-between;gap:1rem;min-height:3.5rem;flex-wrap:wrap}
.brand{color:#fff;text-decoration:none;font-weight:600;font-size:1.05rem;display:flex;align-items:center;gap:.6rem}
.mark{display:inline-flex;width:1.8rem;height:1.8rem;border-radius:50%;background:#fff;color:var(--brand);align-items:center;justify-content:center;font-weight:700}
.tag{font-size:.8rem;opacity:.85}
main.wrap{padding-top:1.75rem;padding-bottom:.5rem}
h1{font-size:1.5rem;margin:0 0 .5rem;line-height:1.25}
h2{font-size:1.15rem;margin:0}
h3{font-size:.8rem;margin:1.4rem 0 .5rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.4rem 1.5rem;margin:0 0 1.25rem;box-shadow:0 1px 2px rgba(16,42,67,.05)}
.card.muted{background:#fbfcfd}
.card-head{display:flex;align-items:center;justify-content:space-between;gap:1rem;flex-wrap:wrap}
.lead{color:var(--muted);margin:.25rem 0 1.25rem}
.field{margin:0 0 1.1rem}
label{display:block;font-weight:600;margin-bottom:.35rem}
.req,.opt{font-weight:400;font-size:.75rem;border-radius:999px;padding:.1rem .5rem;margin-left:.4rem;vertical-align:middle}
.req{background:#e0e8f9;color:#1d3f8f}.opt{background:#eef1f4;color:var(--muted)}
input[type=file]{display:block;width:100%;padding:.7rem;border:1px dashed #9fb3c8;border-radius:8px;background:#f8fafc;font:inherit}
.hint{margin:.3rem 0 0;font-size:.85rem;color:var(--muted)}
.limit{font-size:.9rem;color:var(--muted);margin:0 0 1rem}
button,.button{display:inline-block;background:var(--brand);color:#fff;border:0;border-radius:8px;padding:.65rem 1.4rem;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#083b51}
.steps{margin:.5rem 0 1rem;padding-left:1.3rem}.steps li{margin:.2rem 0}
.banner{border-radius:10px;padding:1.3rem 1.5rem;margin:0 0 1.25rem;border:1px solid;border-left-width:8px}
.banner.passed{background:var(--ok-bg);border-color:var(--ok)}
.banner.failed{background:var(--bad-bg);border-color:var(--bad)}
.banner.indeterminate{background:var(--mid-bg);border-color:var(--mid)}
.banner.problem{background:var(--bad-bg);border-color:var(--bad)}
.kicker{margin:0 0 .2rem;font-weight:700;font-size:1.2rem}
.banner.passed .kicker{color:var(--ok)}.banner.failed .kicker{color:var(--bad)}.banner.indeterminate .kicker{color:var(--mid)}
#verdict{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:1rem;font-weight:600;margin:0 0 .5rem;letter-spacing:.02em}
.reason{margin:0;font-size:1.05rem}
.files{margin:.6rem 0 0;font-size:.85rem;color:var(--muted)}
.code{font-family:ui-monospace,monospace;font-size:.85rem;color:var(--muted)}
.pill{display:inline-block;font-size:.75rem;font-weight:600;border-radius:999px;padding:.15rem .6rem;white-space:nowrap;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.pill.passed{background:var(--ok-bg);color:var(--ok)}.pill.failed{background:var(--bad-bg);color:var(--bad)}
.pill.indeterminate{background:var(--mid-bg);color:var(--mid)}.pill.neutral{background:#eef1f4;color:var(--muted)}
.detail{color:var(--muted);margin:.4rem 0 0}
dl.grid{display:grid;grid-template-columns:minmax(9rem,14rem) 1fr;margin:0;border-top:1px solid var(--line)}
dl.grid dt,dl.grid dd{padding:.45rem .25rem;border-bottom:1px solid var(--line);margin:0}
dl.grid dt{color:var(--muted);font-size:.9rem}
dl.grid dd{overflow-wrap:anywhere}
.basis{display:block;font-size:.8rem;color:var(--muted)}
.chain{margin:0;padding-left:1.3rem}.chain li{margin:.35rem 0}
.chain .role{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.chain .subject{display:block;overflow-wrap:anywhere}
table.checks{width:100%;border-collapse:collapse;font-size:.9rem}
table.checks th{text-align:left;font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);border-bottom:2px solid var(--line);padding:.4rem .5rem}
table.checks td{border-bottom:1px solid var(--line);padding:.5rem;vertical-align:top}
table.checks td:first-child{width:13rem}table.checks td:nth-child(2){width:7rem}
.warnings{margin:0;padding-left:1.3rem;color:var(--mid)}
.note{background:#eef4fb;border-radius:8px;padding:.6rem .8rem}
.note.bad{background:var(--bad-bg);color:var(--bad)}
.small{font-size:.8rem;color:var(--muted)}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere}
.foot{font-size:.8rem;color:var(--muted);padding-bottom:2rem}
@media (max-width:40rem){dl.grid{grid-template-columns:1fr}dl.grid dt{border-bottom:0;padding-bottom:0}table.checks td:first-child{width:auto}}
"#;

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_escape_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script>'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;"
        );
        assert_eq!(escape("Қазақстан Республикасы"), "Қазақстан Республикасы");
    }

    #[test]
    fn ok_node_keeps_the_order_written() {
        let n: Node =
            serde_json::from_str(r#"{"z":1,"a":{"y":true,"b":null},"m":["p","q"]}"#).unwrap();
        let Node::Map(fields) = n else {
            panic!("not a map")
        };
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(fields[1].1.text(), "y: yes; b: —");
        assert_eq!(fields[2].1.text(), "p\nq");
    }

    #[test]
    fn ok_every_sub_indication_has_its_own_sentence() {
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
        let mut seen = std::collections::HashSet::new();
        for s in all {
            let text = plain_reason(s.indication(), Some(s));
            assert!(
                seen.insert(text.clone()),
                "{s:?} shares its sentence: {text}"
            );
        }
    }

    #[test]
    fn ok_labels_read_as_words() {
        assert_eq!(label("licence_number"), "Licence number");
        assert_eq!(label("place-of-issue"), "Place of issue");
        assert_eq!(label("bin"), "BIN");
        assert_eq!(words("given_name", false), "given name");
        assert_eq!(words("head_iin", false), "head IIN");
        assert_eq!(size_text(MAX_UPLOAD), "10 MiB");
    }
}
