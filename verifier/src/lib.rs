//! The verifier: is a signed document authentic, and was its signer's certificate valid when it
//! was signed? The four conditions of article 10.1 of the EDS law, checked in order:
//!
//! 1. the signature verifies with the public key of a registration certificate ([`cms`],
//!    [`crypto`]);
//! 2. the signer lawfully held the key: the certificate was valid and not revoked at the signing
//!    time ([`path`], [`crl`], [`ocsp`], [`revocation`]);
//! 3. the signature is used as the certificate allows: key usage, extended key usage, policy, role
//!    ([`scope`]);
//! 4. the certificate was issued by an accredited center (art. 20-2) or a registered foreign one
//!    (art. 13) ([`trust`]).
//!
//! [`engine`] runs them and returns a [`verdict`] per signature (ETSI EN 319 102-1). Clock, trust
//! list, revocation sources and budgets are parameters; nothing here prints or exits.

mod bounded;
pub mod cancel;
pub mod cert;
pub mod cms;
pub mod crl;
pub mod crypto;
pub mod engine;
pub mod fetch;
pub mod ltv;
pub mod ocsp;
pub mod path;
pub mod revocation;
pub mod scope;
pub mod trust;
pub mod verdict;
