//! GOST R 34.10-2012 digital signatures (adopted in Kazakhstan as ST RK GOST R 34.10-2015) over
//! the Streebog hash (GOST R 34.11-2012, RFC 6986), in pure Rust.
//!
//! - [`curve`]: the curves (RFC 7836, RFC 4357, the test curves of RFC 7091) and their
//!   arithmetic, written here on `crypto-bigint` because no maintained crate implements them.
//! - [`PublicKey::verify`] / [`PrivateKey::sign`]: GOST R 34.10-2012 §6.1 (signing) and §6.2
//!   (verification) for 256- and 512-bit keys, the message hashed with Streebog-256/512.
//! - [`Encoding`]: the two byte orders in use. Both write the public key as `x‖y`, each
//!   little-endian, and read the Streebog output as a little-endian integer; they differ in the
//!   signature: TC26 (RFC 9215 §2.2.2, RFC 4491 §2.2.2) writes `s‖r` big-endian, the Kazakh
//!   national center `r‖s` each little-endian — the first is the byte reversal of the second.
//! - [`algorithm`]: the one table OID → (kind, size, encoding) and the SubjectPublicKeyInfo
//!   reader; [`verify_spki`] is what the verifier calls.
//!
//! Signing is constant time in the private key and the nonce (see [`curve`]); the nonce is
//! derived deterministically from the key and the hash, as RFC 6979 §3 and Ed25519 (RFC 8032
//! §5.1.6) derive theirs: `k = T mod q` (1 in place of 0) for `T` the HMAC-Streebog-512 (RFC 7836
//! §4.1.1) keyed with `d` of the hash, 512 bits for 256-bit curves and two blocks, 1024 bits, for
//! 512-bit ones, so the reduction leaves a bias below `2^-250` (FIPS 186-5 appendix A.3.1 asks for
//! 64 extra bits). The same key and message always give the same signature, and no random
//! number generator can leak the key. Before, the nonce was RFC 6979 §3.2's HMAC_DRBG, which
//! costs four to eight HMACs per signature against one or two here (`signature::nonce` gives
//! the argument in full).

pub mod algorithm;
pub mod curve;
mod field;
mod signature;

pub use algorithm::{
    ALGORITHMS, Algorithm, Kind, algorithm, private_key_from_pkcs8, public_key_from_spki, spki_der,
    verify_spki,
};
pub use curve::{CurveId, Size};
pub use signature::{Encoding, Hash, PrivateKey, PublicKey, digest};

/// Why a GOST key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The signature value has the wrong length (64 bytes for 256-bit keys, 128 for 512).
    #[error("signature of {found} bytes, a GOST R 34.10-2012 {bits}-bit signature has {expected}")]
    SignatureLength {
        /// Key size.
        bits: &'static str,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// The public key has the wrong length (64 bytes `x‖y` for 256-bit keys, 128 for 512).
    #[error("public key of {found} bytes, a GOST R 34.10-2012 {bits}-bit key has {expected}")]
    PublicKeyLength {
        /// Key size.
        bits: &'static str,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// A hash or integer input has the wrong length for the key size.
    #[error("{what} of {found} bytes, {expected} expected for a {bits}-bit key")]
    InputLength {
        /// Which input.
        what: &'static str,
        /// Key size.
        bits: &'static str,
        /// Expected length.
        expected: usize,
        /// Length found.
        found: usize,
    },
    /// `r` is 0 or not below `q` (GOST R 34.10-2012 §6.2 step 1).
    #[error("signature part r is not in [1, q-1]")]
    RNotInRange,
    /// `s` is 0 or not below `q` (GOST R 34.10-2012 §6.2 step 1).
    #[error("signature part s is not in [1, q-1]")]
    SNotInRange,
    /// A public key coordinate is not below the field prime `p`.
    #[error("public key coordinate not below the field prime")]
    CoordinateNotInField,
    /// The public key point does not satisfy the curve equation (GOST R 34.10-2012 §5.2).
    #[error("public key point is not on the curve {curve}")]
    PointNotOnCurve {
        /// Curve name.
        curve: &'static str,
    },
    /// The private key is 0 or not below `q` (GOST R 34.10-2012 §5.2).
    #[error("private key is not in [1, q-1]")]
    PrivateKeyNotInRange,
    /// A nonce given to [`PrivateKey::sign_prehashed_with_k`] is 0 or not below `q`, or gives
    /// `r = 0` or `s = 0` (§6.1 steps 3 and 5 then ask for another).
    #[error("nonce k is not in [1, q-1] or gives r = 0 or s = 0")]
    NonceRejected,
    /// The signature does not verify (GOST R 34.10-2012 §6.2 step 7: `R ≠ r`).
    #[error("the GOST R 34.10-2012 signature does not verify")]
    BadSignature,
    /// The algorithm OID is not a GOST R 34.10-2012 one this crate knows.
    #[error("unknown GOST algorithm {oid}")]
    UnknownAlgorithm {
        /// Dotted OID.
        oid: String,
    },
    /// The public key's parameter set is not a curve this crate knows.
    #[error("unknown GOST parameter set {oid}")]
    UnknownParamSet {
        /// Dotted OID.
        oid: String,
    },
    /// The signature algorithm does not fit the key (size or kind).
    #[error("signature algorithm {signature} does not fit the key {key}")]
    KeyMismatch {
        /// Signature algorithm name.
        signature: String,
        /// Key description.
        key: String,
    },
    /// The SubjectPublicKeyInfo or its parameters do not decode.
    #[error("malformed GOST public key info: {detail}")]
    Malformed {
        /// What did not decode.
        detail: String,
    },
}
