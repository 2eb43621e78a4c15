//! HTTPS for `eds serve` (`--tls-cert FILE --tls-key FILE`): rustls on ring, TLS 1.2 and 1.3,
//! HTTP/1.1 inside.
//!
//! The operator API carries bearer tokens ([`crate::auth`]). On a loopback address they never
//! leave the machine; on any other address (`0.0.0.0`, a public or private interface) a server
//! without TLS refuses every operator request with 403 [`Error::OperatorApiNeedsTls`] before it
//! reads the token, while the public routes (OCSP, CRLs, certificates, timestamps, the
//! verification page and its APIs, the redacted register) answer as usual: relying parties fetch
//! those over plain HTTP by design (RFC 5280 §4.2.1.13 and RFC 6960 Annex A name `http` URLs).

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::error::Error;

/// A loaded certificate chain and key, ready to accept TLS connections.
#[derive(Clone)]
pub struct TlsConfig {
    pub(crate) acceptor: tokio_rustls::TlsAcceptor,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig").finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Reads the certificate chain (PEM, the server's certificate first) and its private key
    /// (PEM: PKCS#8, SEC1 or PKCS#1). A key file that the group or others may read or write is
    /// refused ([`Error::BadTls`]), as the center's passphrase file is.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsConfig, Error> {
        let bad = |path: &Path, reason: String| Error::BadTls {
            path: path.display().to_string(),
            reason,
        };
        let cert_pem = fs::read(cert).map_err(|e| bad(cert, e.to_string()))?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(cert, format!("not a PEM certificate chain: {e}")))?;
        if chain.is_empty() {
            return Err(bad(
                cert,
                "holds no CERTIFICATE block: give the server's certificate in PEM".into(),
            ));
        }
        check_private(key)?;
        let key_pem = fs::read(key).map_err(|e| bad(key, e.to_string()))?;
        let private = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            bad(
                key,
                format!("not a PEM private key (PKCS#8, SEC1 or PKCS#1): {e}"),
            )
        })?;
        let provider = Arc::new(ring_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| bad(cert, e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| {
                bad(
                    key,
                    format!("does not go with the certificate of --tls-cert: {e}"),
                )
            })?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        })
    }
}

/// rustls on ring, the workspace's one crypto library (the root Cargo.toml).
#[expect(
    deprecated,
    reason = "rustls 0.23.48 deprecates its ring provider for lacking post-quantum key exchange \
              only; the workspace keeps one crypto library, ring"
)]
pub(crate) fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// Refuses a key file that the group or others may read or write.
fn check_private(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::metadata(path).map_err(|e| Error::BadTls {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        return Err(Error::BadTls {
            path: path.display().to_string(),
            reason: format!(
                "has mode {mode:04o}: the group or others may read the TLS key; run `chmod 600 {}`",
                path.display()
            ),
        });
    }
    Ok(())
}
