//! The one table of GOST R 34.10-2012 algorithm identifiers, and the SubjectPublicKeyInfo reader.
//!
//! Standard identifiers: RFC 9215 §3 (TC26, `1.2.643.7.1.*`). The Kazakh national center's
//! identifiers (under `1.2.398.3.10`) as they appear in its 2015-generation certificates, CRLs
//! and OCSP responses (`fixtures/nca`): key `1.2.398.3.10.1.1.2.2` with parameters
//! `SEQUENCE { 1.2.398.3.10.1.1.2.2.1 (= TC26 512 paramSetA), 1.2.398.3.10.1.3.3 (its hash) }`,
//! signature `1.2.398.3.10.1.1.2.3.2`.
//!
//! The center's 2004 generation (ST RK 34.310-2004 over the ST RK 34.311-95 hash) is, as its
//! material shows, GOST R 34.10-2001 (the same equations as GOST R 34.10-2012 256) on the
//! CryptoPro-A curve (RFC 4357 §11.4; the key of `ca/nca_gost_test.crt` lies on it, `x‖y`
//! little-endian) over GOST R 34.11-94 with the S-box of that standard's test parameters
//! (`id-GostR3411-94-TestParamSet`, RFC 4357 §11.2), the hash read as a little-endian integer and
//! the signature `r‖s` each little-endian: with exactly these choices the 2004 CRL, certificates,
//! OCSP responses and timestamp token verify, and with no other combination of the four S-boxes
//! `gost94` offers, both hash byte orders and both signature layouts. Identifiers: key
//! `1.2.398.3.10.1.1.1.1` with parameters `SEQUENCE { 1.2.398.3.10.1.1.1.1.1 (the curve),
//! 1.2.398.3.10.1.3.1.1.0 (the hash parameters) }`, signature `1.2.398.3.10.1.1.1.2`, digest
//! `1.2.398.3.10.1.3.1`.

use der::asn1::{ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};

use crate::signature::{Encoding, Hash, PrivateKey, PublicKey};
use crate::{CurveId, Error, Size};

/// What an identifier names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A public key algorithm (SubjectPublicKeyInfo).
    PublicKey,
    /// A signature algorithm (the hash is the Streebog of the size).
    Signature,
    /// A Streebog digest algorithm.
    Digest,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithm {
    /// The identifier.
    pub oid: ObjectIdentifier,
    /// Its name.
    pub name: &'static str,
    /// What it names.
    pub kind: Kind,
    /// Key (and hash) size.
    pub size: Size,
    /// How signature values are laid out under it.
    pub encoding: Encoding,
    /// The hash (the digest itself for a digest row).
    pub hash: Hash,
}

const fn row(
    oid: &str,
    name: &'static str,
    kind: Kind,
    size: Size,
    encoding: Encoding,
) -> Algorithm {
    let hash = match size {
        Size::S256 => Hash::Streebog256,
        Size::S512 => Hash::Streebog512,
    };
    Algorithm {
        oid: ObjectIdentifier::new_unwrap(oid),
        name,
        kind,
        size,
        encoding,
        hash,
    }
}

/// A row of the 2004 generation: 256-bit, national layout, GOST R 34.11-94 (test S-box).
const fn row_2004(oid: &str, name: &'static str, kind: Kind) -> Algorithm {
    Algorithm {
        oid: ObjectIdentifier::new_unwrap(oid),
        name,
        kind,
        size: Size::S256,
        encoding: Encoding::Nca,
        hash: Hash::Gost94Test,
    }
}

/// OID → (kind, size, encoding, hash). The curve comes from the key's parameters.
pub const ALGORITHMS: [Algorithm; 12] = [
    row(
        "1.2.643.7.1.1.1.1",
        "GOST R 34.10-2012 256 (id-tc26-gost3410-12-256)",
        Kind::PublicKey,
        Size::S256,
        Encoding::Tc26,
    ),
    row(
        "1.2.643.7.1.1.1.2",
        "GOST R 34.10-2012 512 (id-tc26-gost3410-12-512)",
        Kind::PublicKey,
        Size::S512,
        Encoding::Tc26,
    ),
    row(
        "1.2.643.7.1.1.3.2",
        "GOST R 34.10-2012 256 with Streebog-256 (id-tc26-signwithdigest-gost3410-12-256)",
        Kind::Signature,
        Size::S256,
        Encoding::Tc26,
    ),
    row(
        "1.2.643.7.1.1.3.3",
        "GOST R 34.10-2012 512 with Streebog-512 (id-tc26-signwithdigest-gost3410-12-512)",
        Kind::Signature,
        Size::S512,
        Encoding::Tc26,
    ),
    row(
        "1.2.643.7.1.1.2.2",
        "Streebog-256 (id-tc26-gost3411-12-256)",
        Kind::Digest,
        Size::S256,
        Encoding::Tc26,
    ),
    row(
        "1.2.643.7.1.1.2.3",
        "Streebog-512 (id-tc26-gost3411-12-512)",
        Kind::Digest,
        Size::S512,
        Encoding::Tc26,
    ),
    row(
        "1.2.398.3.10.1.1.2.2",
        "GOST 34.10-2015 512 (national center)",
        Kind::PublicKey,
        Size::S512,
        Encoding::Nca,
    ),
    row(
        "1.2.398.3.10.1.1.2.3.2",
        "GOST 34.10-2015 512 with Streebog-512 (national center)",
        Kind::Signature,
        Size::S512,
        Encoding::Nca,
    ),
    row(
        "1.2.398.3.10.1.3.3",
        "Streebog-512 (national center)",
        Kind::Digest,
        Size::S512,
        Encoding::Nca,
    ),
    row_2004(
        "1.2.398.3.10.1.1.1.1",
        "GOST 34.310-2004 (national center)",
        Kind::PublicKey,
    ),
    row_2004(
        "1.2.398.3.10.1.1.1.2",
        "GOST 34.310-2004 with GOST 34.311-95 (national center)",
        Kind::Signature,
    ),
    row_2004(
        "1.2.398.3.10.1.3.1",
        "GOST 34.311-95 (national center)",
        Kind::Digest,
    ),
];

/// The row of an identifier.
pub fn algorithm(oid: &ObjectIdentifier) -> Option<&'static Algorithm> {
    ALGORITHMS.iter().find(|a| a.oid == *oid)
}

/// The public key of a DER SubjectPublicKeyInfo with a GOST R 34.10-2012 key (RFC 9215 §4:
/// parameters `SEQUENCE { publicKeyParamSet, digestParamSet OPTIONAL }`, the key an OCTET STRING
/// `x‖y` little-endian inside the BIT STRING), and its row of the table.
pub fn public_key_from_spki(spki_der: &[u8]) -> Result<(PublicKey, &'static Algorithm), Error> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der).map_err(|e| Error::Malformed {
        detail: format!("public key info: {e}"),
    })?;
    let alg = algorithm(&spki.algorithm.oid)
        .filter(|a| a.kind == Kind::PublicKey)
        .ok_or_else(|| Error::UnknownAlgorithm {
            oid: spki.algorithm.oid.to_string(),
        })?;
    let params = spki
        .algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| Error::Malformed {
            detail: "GOST public key without parameters (RFC 9215 §4 requires them)".into(),
        })?;
    let oids: Vec<ObjectIdentifier> = params.decode_as().map_err(|e| Error::Malformed {
        detail: format!("GOST public key parameters: {e}"),
    })?;
    let set = oids.first().ok_or_else(|| Error::Malformed {
        detail: "GOST public key parameters without a parameter set".into(),
    })?;
    let curve = CurveId::from_oid(set).ok_or_else(|| Error::UnknownParamSet {
        oid: set.to_string(),
    })?;
    if curve.size() != alg.size {
        return Err(Error::KeyMismatch {
            signature: alg.name.into(),
            key: curve.name().into(),
        });
    }
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| Error::Malformed {
            detail: "public key BIT STRING with unused bits".into(),
        })?;
    let octets = OctetStringRef::from_der(bits).map_err(|e| Error::Malformed {
        detail: format!("public key OCTET STRING: {e}"),
    })?;
    Ok((PublicKey::from_le_xy(curve, octets.as_bytes())?, alg))
}

/// Verifies `signature` over `message` under the signature algorithm `signature_algorithm` with
/// the key of `spki_der`: the algorithm's size must be the key's, and its encoding says how the
/// signature value is laid out. A public-key identifier is accepted as signature algorithm too,
/// as CMS writers do (RFC 4490 §3.2 names the key algorithm in `SignerInfo.signatureAlgorithm`).
pub fn verify_spki(
    spki_der: &[u8],
    signature_algorithm: &ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Error> {
    let sig = algorithm(signature_algorithm)
        .filter(|a| a.kind != Kind::Digest)
        .ok_or_else(|| Error::UnknownAlgorithm {
            oid: signature_algorithm.to_string(),
        })?;
    let (key, key_alg) = public_key_from_spki(spki_der)?;
    if key_alg.size != sig.size || key_alg.hash != sig.hash {
        return Err(Error::KeyMismatch {
            signature: sig.name.into(),
            key: key_alg.name.into(),
        });
    }
    key.verify_with(sig.hash, sig.encoding, message, signature)
}

/// The DER SubjectPublicKeyInfo of `key` under a public-key row of the table (the TC26 form of
/// RFC 9215 §4, or the national center's with its parameter and hash OIDs).
pub fn spki_der(key: &PublicKey, key_algorithm: &Algorithm) -> Result<Vec<u8>, Error> {
    let curve = key.curve();
    let set = match key_algorithm.encoding {
        Encoding::Tc26 => vec![curve.oid()],
        Encoding::Nca if curve == CurveId::Tc26_512A => vec![
            ObjectIdentifier::new_unwrap("1.2.398.3.10.1.1.2.2.1"),
            ObjectIdentifier::new_unwrap("1.2.398.3.10.1.3.3"),
        ],
        Encoding::Nca => {
            return Err(Error::KeyMismatch {
                signature: key_algorithm.name.into(),
                key: curve.name().into(),
            });
        }
    };
    let malformed = |e: der::Error| Error::Malformed {
        detail: e.to_string(),
    };
    let params = der::Any::encode_from(&set).map_err(malformed)?;
    let octets = OctetStringRef::new(&key.to_le_xy())
        .and_then(|o| o.to_der())
        .map_err(malformed)?;
    let spki = SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: key_algorithm.oid,
            parameters: Some(params),
        },
        subject_public_key: der::asn1::BitString::from_bytes(&octets).map_err(malformed)?,
    };
    spki.to_der().map_err(malformed)
}

/// The private key of a DER PKCS#8 PrivateKeyInfo (RFC 5958) with a GOST key: the algorithm and
/// parameters as in a SubjectPublicKeyInfo, the `privateKey` OCTET STRING holding `d`
/// little-endian, either bare or wrapped in an inner OCTET STRING (RFC 9215 §5 allows both; the
/// national center's 2015 PKCS#12 files use the wrapped form, `fixtures/nca/README.md`).
pub fn private_key_from_pkcs8(der: &[u8]) -> Result<(PrivateKey, &'static Algorithm), Error> {
    let malformed = |what: &str, e: der::Error| Error::Malformed {
        detail: format!("{what}: {e}"),
    };
    let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| Error::Malformed {
        detail: format!("private key info: {e}"),
    })?;
    let alg = algorithm(&info.algorithm.oid)
        .filter(|a| a.kind == Kind::PublicKey)
        .ok_or_else(|| Error::UnknownAlgorithm {
            oid: info.algorithm.oid.to_string(),
        })?;
    let params = info.algorithm.parameters.ok_or_else(|| Error::Malformed {
        detail: "GOST private key without parameters".into(),
    })?;
    let oids: Vec<ObjectIdentifier> = params
        .decode_as()
        .map_err(|e| malformed("GOST private key parameters", e))?;
    let set = oids.first().ok_or_else(|| Error::Malformed {
        detail: "GOST private key parameters without a parameter set".into(),
    })?;
    let curve = CurveId::from_oid(set).ok_or_else(|| Error::UnknownParamSet {
        oid: set.to_string(),
    })?;
    if curve.size() != alg.size {
        return Err(Error::KeyMismatch {
            signature: alg.name.into(),
            key: curve.name().into(),
        });
    }
    let raw = info.private_key;
    let d = if raw.len() == curve.size().bytes() {
        raw
    } else {
        OctetStringRef::from_der(raw)
            .map_err(|e| malformed("GOST private key OCTET STRING", e))?
            .as_bytes()
    };
    Ok((PrivateKey::from_le_bytes(curve, d)?, alg))
}
