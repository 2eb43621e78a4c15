//! CMS SignedData (RFC 5652) with the CAdES-BASELINE-B signed attributes (ETSI EN 319 122-1):
//! contentType, messageDigest, signingTime and signingCertificateV2 (RFC 5035); raised to T
//! (`cms::timestamp`), LT (`cms::lt`) and LTA (`cms::archive`) on request.
//!
//! Signing happens in three steps so that a key outside this process (a token, an HSM) fits:
//! prepare the bytes to be signed, sign them through [`SigningKey`], assemble. The clock and the
//! random generator are parameters.
//!
//! An electronic digital signature made this way is what EDS law art. 10.1 equates with a
//! handwritten one once the verifier finds its four conditions met; art. 17.2(4) has the owner
//! pass the certificate with the document, so the signer's certificate and chain are embedded.

pub mod cms;
pub mod key;
pub mod keys;

pub use cms::{CmsError, Content, Prepared, SignOptions, SignedMessage, Signer};
pub use key::{DigestAlgorithm, SignError, SignatureAlgorithm, SigningKey};
pub use keys::{
    KeyLoadLimits, Pkcs12Contents, RingSigningKey, ensure_key_matches_certificate, load_pkcs8,
    load_pkcs12,
};
