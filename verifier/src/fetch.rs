//! Fetching revocation data: CRLs by HTTP GET, OCSP by HTTP POST (RFC 6960 Appendix A.1), and a
//! file cache of CRLs keyed by URL.
//!
//! The client is `ureq` 3 with its default features off: CRL distribution points and OCSP
//! responders are plain `http://` URLs (the data is signed; RFC 5280 §4.2.1.13 and RFC 6960
//! Appendix A warn against https there, since checking the TLS certificate would itself need
//! revocation data), so no TLS stack is linked. `ureq` is blocking, which fits the verifier's
//! thread-per-document batch; the workspace's hyper client would need a tokio runtime inside a
//! library call. Every request has an overall timeout and every body a size limit, so a slow or
//! hostile server cannot hold or exhaust the verifier. Proxies come from the usual environment
//! variables (`HTTP_PROXY`, `NO_PROXY`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Why a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Not an `http://` URL (ldap://, https:// and the like are not fetched).
    #[error("cannot fetch {url}: only http:// URLs are fetched ({why})")]
    UnsupportedUrl {
        /// The URL.
        url: String,
        /// Why.
        why: &'static str,
    },
    /// Connection, DNS, protocol or timeout failure.
    #[error("fetching {url} failed: {detail}")]
    Network {
        /// The URL.
        url: String,
        /// The client's message.
        detail: String,
    },
    /// The server answered with a status other than 200.
    #[error("fetching {url} failed: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The body exceeds the limit.
    #[error("the answer from {url} exceeds the {limit}-byte limit")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// The cache folder could not be written.
    #[error("cannot write the CRL cache file {path}: {detail}")]
    Cache {
        /// The file.
        path: PathBuf,
        /// The system's message.
        detail: String,
    },
}

/// Timeouts and size limits of [`Fetcher`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FetchOptions {
    /// Whole-request timeout (connect, send, receive).
    pub timeout: Duration,
    /// Largest CRL body accepted.
    pub max_crl_bytes: u64,
    /// Largest OCSP response body accepted.
    pub max_ocsp_bytes: u64,
}

impl Default for FetchOptions {
    /// 10 s per request; CRLs up to 128 MiB (a million entries are about 40 MB); OCSP answers up
    /// to 64 KiB (one answer with a responder certificate is about 2 KiB).
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_crl_bytes: 128 * 1024 * 1024,
            max_ocsp_bytes: 64 * 1024,
        }
    }
}

/// A blocking HTTP client for CRLs and OCSP. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Fetcher {
    agent: ureq::Agent,
    options: FetchOptions,
}

impl Fetcher {
    /// A client with these limits.
    pub fn new(options: FetchOptions) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .max_redirects(3)
            .user_agent(concat!("eds-verifier/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: ureq::Agent::new_with_config(config),
            options,
        }
    }

    /// The limits in force.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// GETs a CRL.
    pub fn get_crl(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        check_url(url)?;
        let response = self
            .agent
            .get(url)
            .header("Accept", "application/pkix-crl")
            .call()
            .map_err(|e| network(url, e))?;
        body(url, response, self.options.max_crl_bytes)
    }

    /// POSTs a DER OCSP request (`application/ocsp-request`) and returns the response body.
    pub fn post_ocsp(&self, url: &str, request_der: &[u8]) -> Result<Vec<u8>, FetchError> {
        check_url(url)?;
        let response = self
            .agent
            .post(url)
            .header("Content-Type", "application/ocsp-request")
            .header("Accept", "application/ocsp-response")
            .send(request_der)
            .map_err(|e| network(url, e))?;
        body(url, response, self.options.max_ocsp_bytes)
    }
}

/// CRLs fetched from distribution points, one file per URL (named by the SHA-256 of the URL)
/// under a folder. Whether a cached CRL is still usable (its nextUpdate) is decided by the
/// caller after parsing it; the cache only stores bytes.
#[derive(Debug, Clone)]
pub struct CrlCache {
    dir: PathBuf,
}

impl CrlCache {
    /// A cache under `dir` (created on the first store).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file a URL's CRL is kept in.
    pub fn path_for(&self, url: &str) -> PathBuf {
        let digest = ring::digest::digest(&ring::digest::SHA256, url.as_bytes());
        self.dir
            .join(format!("{}.crl", hex::encode(digest.as_ref())))
    }

    /// The cached bytes for a URL, if any.
    pub fn load(&self, url: &str) -> Option<Vec<u8>> {
        fs::read(self.path_for(url)).ok()
    }

    /// Stores a URL's CRL, atomically (a temporary file renamed over the old one), so that
    /// concurrent readers see the old or the new list, never a half-written one.
    pub fn store(&self, url: &str, der: &[u8]) -> Result<(), FetchError> {
        let path = self.path_for(url);
        let err = |e: std::io::Error| FetchError::Cache {
            path: path.clone(),
            detail: e.to_string(),
        };
        fs::create_dir_all(&self.dir).map_err(err)?;
        let mut tmp = tempfile_in(&self.dir).map_err(err)?;
        tmp.1.write_all(der).map_err(err)?;
        tmp.1.sync_all().map_err(err)?;
        drop(tmp.1);
        fs::rename(&tmp.0, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp.0);
            err(e)
        })
    }
}

/// A new file in `dir` with a name no other writer uses.
fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, fs::File)> {
    let mut n = 0u32;
    loop {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = dir.join(format!(".tmp-{}-{nanos}-{n}", std::process::id()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

fn check_url(url: &str) -> Result<(), FetchError> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") {
        return Ok(());
    }
    let why = if lower.starts_with("https://") {
        "this build has no TLS; revocation data is signed and served over http"
    } else if lower.starts_with("ldap") {
        "LDAP distribution points are not supported"
    } else {
        "unknown scheme"
    };
    Err(FetchError::UnsupportedUrl {
        url: url.to_owned(),
        why,
    })
}

fn network(url: &str, e: ureq::Error) -> FetchError {
    FetchError::Network {
        url: url.to_owned(),
        detail: e.to_string(),
    }
}

fn body(
    url: &str,
    mut response: ureq::http::Response<ureq::Body>,
    limit: u64,
) -> Result<Vec<u8>, FetchError> {
    let status = response.status().as_u16();
    if status != 200 {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status,
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
                url: url.to_owned(),
                limit,
            },
            other => network(url, other),
        })
}
