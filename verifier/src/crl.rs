//! Certificate revocation lists (RFC 5280 §5): parse, index, verify, judge freshness.
//!
//! A CRL of the national scale lists a million serials (about 40 MB of DER). Decoding it into
//! x509-cert's `CertificateList` allocates a `Vec` per serial, per time and per extension —
//! several allocations and about 200 bytes per entry — only to throw them away after building an
//! index. [`Crl::parse`] instead walks the DER once with absolute offsets (the TLV headers are
//! read by `der`'s own `Header` decoder, so length rules stay the crate's; the small leaf values —
//! times, OIDs, names, algorithm identifiers — are decoded with `der`/`x509-cert` types), and keeps
//! per entry only the position of the serial inside the retained DER, the revocation time and the
//! reason: 16 bytes, in one `Vec` sorted by serial. A lookup is a binary search (about twenty
//! slice comparisons for a million entries: microseconds). The test
//! `million_entries_parse_and_lookup_exact` builds such a list; the issue's benchmark times it.
//!
//! The parse keeps what RFC 5280 §6.3.3 needs to decide whether the list applies to a
//! certificate: the issuingDistributionPoint (§5.2.5) as a [`Scope`], the deltaCRLIndicator's
//! BaseCRLNumber (§5.2.4), the freshestCRL URLs (§5.2.6), ExpiredCertsOnCRL (X.509 §9.6.2.14)
//! and, for indirect CRLs, the certificate issuer of every entry (certificateIssuer, §5.3.3: it
//! holds for the following entries too). A list that must not be used — no cRLNumber or a
//! critical one (§5.2.3), an unrecognised critical CRL or CRL entry extension (§5.2, §5.3), a
//! certificateIssuer entry in a list that is not indirect — still parses; [`Crl::defect`] says
//! why it must not be used, and the revocation checker leaves a note instead of using it.

use std::fmt;

use der::asn1::ObjectIdentifier;
use der::{Decode, Header, Reader, SliceReader, Tag};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};

use crate::cert::Cert;
use crate::crypto::{self, CryptoError};

const CRL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.20");
const AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const DELTA_CRL_INDICATOR: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.27");
const ISSUING_DP: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.28");
const FRESHEST_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.46");
const AUTHORITY_INFO_ACCESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const REASON_CODE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.21");
const INVALIDITY_DATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.24");
const CERTIFICATE_ISSUER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.29");
const EXPIRED_CERTS_ON_CRL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.60");

/// The reasons of a ReasonFlags BIT STRING (RFC 5280 §4.2.1.13) as bits, `1 << n` for the
/// flag numbered n; bit 0 (unused) is never a reason.
pub type ReasonMask = u16;

/// Every reason of RFC 5280 §4.2.1.13 (keyCompromise (1) to aACompromise (8)): the
/// `all-reasons` of §6.3.2.
pub const ALL_REASONS: ReasonMask = 0b1_1111_1110;

/// The names of the reasons set in `mask`, in flag order.
pub fn reason_names(mask: ReasonMask) -> Vec<&'static str> {
    const NAMES: [&str; 9] = [
        "unused",
        "keyCompromise",
        "cACompromise",
        "affiliationChanged",
        "superseded",
        "cessationOfOperation",
        "certificateHold",
        "privilegeWithdrawn",
        "aACompromise",
    ];
    NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| *i > 0 && mask & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

/// Largest CRL accepted (bytes). A million entries take 28 to 40 MB; this leaves room for
/// entries with extensions while refusing absurd inputs before they are indexed, and stays
/// under `der`'s largest length (2^28 − 1), so every offset fits the reader.
pub const MAX_CRL_SIZE: usize = 200 * 1024 * 1024;

/// Why bytes are not a usable CRL, or a CRL is not acceptable for an issuer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrlError {
    /// The DER is not a `CertificateList` (RFC 5280 §5.1).
    #[error("CRL does not decode at byte {offset}: {detail}")]
    Malformed {
        /// Byte offset in the DER where reading stopped.
        offset: usize,
        /// What was expected there.
        detail: String,
    },
    /// PEM input without an `X509 CRL` block, or a PEM block that does not decode.
    #[error("no CRL in the PEM input: {detail} (expected DER or a PEM `X509 CRL` block)")]
    Pem {
        /// What was wrong.
        detail: String,
    },
    /// Larger than [`MAX_CRL_SIZE`].
    #[error("CRL of {size} bytes is larger than the {limit}-byte limit")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The CRL uses a feature this verifier does not implement. Parsing no longer returns it:
    /// lists that must not be used parse and say why in [`Crl::defect`].
    #[error("CRL uses an unsupported feature: {feature}")]
    Unsupported {
        /// Which one.
        feature: String,
    },
    /// The CRL's issuer name is not the candidate issuer certificate's subject, or its authority
    /// key identifier names another key (RFC 5280 §6.3.3 (b), (f)).
    #[error(
        "CRL issued by `{crl_issuer}` does not belong to the certificate issuer `{issuer}`: {why}"
    )]
    IssuerMismatch {
        /// The CRL's issuer name (RFC 4514).
        crl_issuer: String,
        /// The candidate issuer's subject.
        issuer: String,
        /// Name or key identifier.
        why: &'static str,
    },
    /// The issuer's key usage omits cRLSign (RFC 5280 §4.2.1.3, §6.3.3 (f)).
    #[error("the CRL issuer `{issuer}` may not sign CRLs (its key usage lacks cRLSign)")]
    NotCrlSigner {
        /// The issuer's subject.
        issuer: String,
    },
    /// The signature does not verify with the issuer's key (RFC 5280 §6.3.3 (g)).
    #[error("the CRL signature does not verify with the key of `{issuer}`")]
    BadSignature {
        /// The issuer's subject.
        issuer: String,
    },
    /// The signature algorithm or key cannot be used (unsupported, refused, mismatched).
    #[error("the CRL signature cannot be checked: {0}")]
    Signature(CryptoError),
}

/// A revocation reason (RFC 5280 §5.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Reason {
    /// unspecified (0).
    Unspecified,
    /// keyCompromise (1).
    KeyCompromise,
    /// cACompromise (2).
    CaCompromise,
    /// affiliationChanged (3).
    AffiliationChanged,
    /// superseded (4).
    Superseded,
    /// cessationOfOperation (5).
    CessationOfOperation,
    /// certificateHold (6).
    CertificateHold,
    /// removeFromCRL (8).
    RemoveFromCrl,
    /// privilegeWithdrawn (9).
    PrivilegeWithdrawn,
    /// aACompromise (10).
    AaCompromise,
}

impl Reason {
    /// The reason of a `CRLReason` code; `None` for codes RFC 5280 does not define (7, > 10).
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Unspecified,
            1 => Self::KeyCompromise,
            2 => Self::CaCompromise,
            3 => Self::AffiliationChanged,
            4 => Self::Superseded,
            5 => Self::CessationOfOperation,
            6 => Self::CertificateHold,
            8 => Self::RemoveFromCrl,
            9 => Self::PrivilegeWithdrawn,
            10 => Self::AaCompromise,
            _ => return None,
        })
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Self::Unspecified => 0,
            Self::KeyCompromise => 1,
            Self::CaCompromise => 2,
            Self::AffiliationChanged => 3,
            Self::Superseded => 4,
            Self::CessationOfOperation => 5,
            Self::CertificateHold => 6,
            Self::RemoveFromCrl => 8,
            Self::PrivilegeWithdrawn => 9,
            Self::AaCompromise => 10,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Unspecified => "unspecified",
            Self::KeyCompromise => "keyCompromise",
            Self::CaCompromise => "cACompromise",
            Self::AffiliationChanged => "affiliationChanged",
            Self::Superseded => "superseded",
            Self::CessationOfOperation => "cessationOfOperation",
            Self::CertificateHold => "certificateHold",
            Self::RemoveFromCrl => "removeFromCRL",
            Self::PrivilegeWithdrawn => "privilegeWithdrawn",
            Self::AaCompromise => "aACompromise",
        };
        f.write_str(name)
    }
}

/// One revoked entry as a lookup returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Revoked {
    /// revocationDate.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The reasonCode entry extension; `None` when absent (RFC 5280 §5.3.1: absent means
    /// unspecified).
    pub reason: Option<Reason>,
}

/// A parsed, indexed CRL. Its signature is not checked until [`Crl::verify`].
pub struct Crl {
    der: Vec<u8>,
    tbs: (usize, usize),
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: (usize, usize),
    /// Whether the signature BIT STRING is whole octets (unused bits 0).
    signature_aligned: bool,
    issuer: (usize, usize),
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    number: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    scope: Scope,
    delta_base: Option<Vec<u8>>,
    freshest_urls: Vec<String>,
    expired_certs_on_crl: Option<OffsetDateTime>,
    defect: Option<String>,
    /// DER names of the certificate issuers of the entries: index 0 is the CRL issuer, the
    /// others come from certificateIssuer entry extensions (RFC 5280 §5.3.3).
    entry_issuers: Vec<Vec<u8>>,
    /// Sorted by canonical serial bytes.
    entries: Vec<Entry>,
}

/// What an issuingDistributionPoint extension limits the CRL to (RFC 5280 §5.2.5).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Scope {
    /// Whether the CRL has an issuingDistributionPoint extension at all.
    pub present: bool,
    /// The distribution point URIs the CRL says it is published under (empty: not stated).
    pub distribution_point_uris: Vec<String>,
    /// The distributionPoint name, when present (§5.2.5: the CRL covers only certificates whose
    /// distribution point names it).
    #[serde(skip)]
    pub distribution_point: Option<DistributionPointName>,
    /// onlyContainsUserCerts.
    pub only_user_certs: bool,
    /// onlyContainsCACerts.
    pub only_ca_certs: bool,
    /// onlyContainsAttributeCerts (never covers a public-key certificate).
    pub only_attribute_certs: bool,
    /// onlySomeReasons as a [`ReasonMask`]; `None` when absent (all reasons).
    pub only_some_reasons: Option<ReasonMask>,
    /// indirectCRL (§5.2.5): entries may name other certificate issuers.
    pub indirect: bool,
    /// The extension's DER value, compared between a delta and its base (§6.3.3 (c)).
    #[serde(skip)]
    pub der: Option<Vec<u8>>,
}

/// 16 bytes per revoked certificate: where its serial lies in the DER, its certificate issuer
/// (index into `entry_issuers`), when and why.
#[derive(Clone, Copy)]
struct Entry {
    serial_at: u32,
    serial_len: u8,
    reason: u8,
    issuer: u16,
    time: i64,
}

/// `reason` value meaning "no reasonCode extension".
const NO_REASON: u8 = u8::MAX;

impl Crl {
    /// Parses a DER CRL, or the first `X509 CRL` block of PEM input, and indexes its entries.
    pub fn parse(input: &[u8]) -> Result<Self, CrlError> {
        let first = input.iter().position(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|i| input[i..].starts_with(b"-----BEGIN")) {
            let blocks = pem::parse_many(input).map_err(|e| CrlError::Pem {
                detail: e.to_string(),
            })?;
            let block = blocks
                .into_iter()
                .find(|b| b.tag() == "X509 CRL")
                .ok_or_else(|| CrlError::Pem {
                    detail: "no `X509 CRL` block".into(),
                })?;
            return Self::from_der(block.into_contents());
        }
        Self::from_der(input.to_vec())
    }

    /// Parses and indexes DER, taking ownership of the bytes (kept for the serials and the
    /// signature check).
    pub fn from_der(der: Vec<u8>) -> Result<Self, CrlError> {
        if der.len() > MAX_CRL_SIZE {
            return Err(CrlError::TooLarge {
                size: der.len(),
                limit: MAX_CRL_SIZE,
            });
        }
        let parsed = Parsed::walk(&der)?;
        Ok(Self {
            der,
            tbs: parsed.tbs,
            signature_algorithm: parsed.signature_algorithm,
            signature: parsed.signature,
            signature_aligned: parsed.signature_aligned,
            issuer: parsed.issuer,
            this_update: parsed.this_update,
            next_update: parsed.next_update,
            number: parsed.number,
            authority_key_id: parsed.authority_key_id,
            scope: parsed.scope,
            delta_base: parsed.delta_base,
            freshest_urls: parsed.freshest_urls,
            expired_certs_on_crl: parsed.expired_certs_on_crl,
            defect: parsed.defect,
            entry_issuers: parsed.entry_issuers,
            entries: parsed.entries,
        })
    }

    /// The whole DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// SHA-256 of the DER (identifies the list in caches and reports).
    pub fn sha256(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(ring::digest::digest(&ring::digest::SHA256, &self.der).as_ref());
        out
    }

    /// The DER of the issuer name.
    pub fn issuer_der(&self) -> &[u8] {
        &self.der[self.issuer.0..self.issuer.1]
    }

    /// The issuer name in RFC 4514 form (the hex DER when it does not decode as a name).
    pub fn issuer(&self) -> String {
        x509_cert::name::Name::from_der(self.issuer_der())
            .map(|n| eds_profile::names::rfc4514(&n))
            .unwrap_or_else(|_| hex::encode(self.issuer_der()))
    }

    /// thisUpdate.
    pub fn this_update(&self) -> OffsetDateTime {
        self.this_update
    }

    /// nextUpdate (`None` when the CRL has none).
    pub fn next_update(&self) -> Option<OffsetDateTime> {
        self.next_update
    }

    /// The cRLNumber's content bytes (big-endian), when present.
    pub fn number(&self) -> Option<&[u8]> {
        self.number.as_deref()
    }

    /// The authority key identifier's keyIdentifier, when present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// The issuingDistributionPoint limits (defaults when the extension is absent).
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The BaseCRLNumber of a delta CRL (RFC 5280 §5.2.4) as big-endian bytes; `None` for a
    /// complete CRL.
    pub fn delta_base(&self) -> Option<&[u8]> {
        self.delta_base.as_deref()
    }

    /// Whether this is a delta CRL (it has a deltaCRLIndicator, RFC 5280 §5.2.4).
    pub fn is_delta(&self) -> bool {
        self.delta_base.is_some()
    }

    /// The freshestCRL URLs (RFC 5280 §5.2.6): where the delta CRLs of this list are published.
    pub fn freshest_urls(&self) -> &[String] {
        &self.freshest_urls
    }

    /// ExpiredCertsOnCRL (X.509 §9.6.2.14, 2.5.29.60): entries of certificates that expired on
    /// or after this date are kept on the list.
    pub fn expired_certs_on_crl(&self) -> Option<OffsetDateTime> {
        self.expired_certs_on_crl
    }

    /// Why this CRL must not be used for any certificate, when it must not: no cRLNumber or a
    /// critical one (RFC 5280 §5.2.3), an unrecognised critical CRL or entry extension (§5.2,
    /// §5.3), a certificateIssuer entry in a CRL that is not indirect (§5.3.3).
    pub fn defect(&self) -> Option<&str> {
        self.defect.as_deref()
    }

    /// The signature algorithm.
    pub fn signature_algorithm(&self) -> &AlgorithmIdentifierOwned {
        &self.signature_algorithm
    }

    /// How many revoked certificates the list holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for a serial (content bytes of the INTEGER, as [`Cert::serial`] gives them).
    pub fn lookup(&self, serial: &[u8]) -> Option<Revoked> {
        let key = canonical_serial(serial);
        let i = self
            .entries
            .binary_search_by(|e| self.serial_of(e).cmp(key))
            .ok()?;
        let e = self.entries.get(i)?;
        Some(Revoked {
            time: OffsetDateTime::from_unix_timestamp(e.time).ok()?,
            reason: Reason::from_code(e.reason),
        })
    }

    /// The entry for a serial issued by the certificate issuer `issuer` (DER name): in an
    /// indirect CRL the entries carry their certificate issuer (RFC 5280 §5.3.3); otherwise it
    /// is the CRL issuer. Names are compared by RFC 5280 §7.1.
    pub fn lookup_for(&self, serial: &[u8], issuer: &[u8]) -> Option<Revoked> {
        let key = canonical_serial(serial);
        let start = self.entries.partition_point(|e| self.serial_of(e) < key);
        self.entries
            .get(start..)?
            .iter()
            .take_while(|e| self.serial_of(e) == key)
            .find(|e| {
                self.entry_issuers
                    .get(usize::from(e.issuer))
                    .is_some_and(|n| crate::path::names::names_equal(n, issuer))
            })
            .and_then(|e| {
                Some(Revoked {
                    time: OffsetDateTime::from_unix_timestamp(e.time).ok()?,
                    reason: Reason::from_code(e.reason),
                })
            })
    }

    /// Whether `at` lies inside [thisUpdate, nextUpdate]; never when nextUpdate is absent (the
    /// list then says nothing about how long it stays current, RFC 5280 §5.1.2.5).
    pub fn is_fresh(&self, at: OffsetDateTime) -> bool {
        self.this_update <= at && self.next_update.is_some_and(|n| at <= n)
    }

    /// Checks that `issuer` issued this CRL: issuer name equal to its subject (RFC 5280 §7.1),
    /// the authority key identifier (when both sides have one) equal to its subject key
    /// identifier, cRLSign allowed when it has a key usage, and the signature verifying over the
    /// TBS bytes as encoded.
    pub fn verify(&self, issuer: &Cert) -> Result<(), CrlError> {
        if !crate::path::names::names_equal(self.issuer_der(), issuer.subject_der()) {
            return Err(CrlError::IssuerMismatch {
                crl_issuer: self.issuer(),
                issuer: issuer.subject(),
                why: "the CRL issuer name differs from the certificate's subject",
            });
        }
        if let (Some(aki), Some(ski)) = (self.authority_key_id(), issuer.subject_key_id())
            && aki != ski.as_slice()
        {
            return Err(CrlError::IssuerMismatch {
                crl_issuer: self.issuer(),
                issuer: issuer.subject(),
                why: "the CRL's authority key identifier names another key of that name",
            });
        }
        match issuer.key_usage() {
            Ok(Some(ku)) if !ku.crl_sign => {
                return Err(CrlError::NotCrlSigner {
                    issuer: issuer.subject(),
                });
            }
            Ok(_) => {}
            Err(_) => {
                return Err(CrlError::NotCrlSigner {
                    issuer: issuer.subject(),
                });
            }
        }
        if !self.signature_aligned {
            return Err(CrlError::BadSignature {
                issuer: issuer.subject(),
            });
        }
        let tbs = &self.der[self.tbs.0..self.tbs.1];
        let sig = &self.der[self.signature.0..self.signature.1];
        crypto::verify(issuer.spki_der(), &self.signature_algorithm, None, tbs, sig).map_err(|e| {
            match e {
                CryptoError::BadSignature => CrlError::BadSignature {
                    issuer: issuer.subject(),
                },
                other => CrlError::Signature(other),
            }
        })
    }

    fn serial_of(&self, e: &Entry) -> &[u8] {
        let start = usize::try_from(e.serial_at).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::from(e.serial_len));
        self.der.get(start..end).unwrap_or(&[])
    }
}

impl fmt::Debug for Crl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crl")
            .field("issuer", &self.issuer())
            .field("this_update", &self.this_update)
            .field("next_update", &self.next_update)
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// The minimal two's-complement form of INTEGER content bytes: redundant leading 0x00 (or 0xFF
/// before a negative byte) removed, so that a serial encoded non-minimally by a careless issuer
/// still matches.
pub(crate) fn canonical_serial(mut s: &[u8]) -> &[u8] {
    while let [first, second, ..] = s {
        let redundant =
            (*first == 0 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0);
        if !redundant {
            break;
        }
        s = &s[1..];
    }
    s
}

/// One TLV found by [`tlv`]: tag, and absolute offsets of the whole element and its content.
#[derive(Clone, Copy)]
pub(crate) struct Tlv {
    pub(crate) tag: Tag,
    pub(crate) start: usize,
    pub(crate) content: usize,
    pub(crate) end: usize,
}

/// Reads the DER TLV starting at `at`, not past `limit`. The header is decoded by `der`.
pub(crate) fn tlv(buf: &[u8], at: usize, limit: usize) -> Result<Tlv, (usize, String)> {
    let slice = buf
        .get(at..limit)
        .ok_or_else(|| (at, "unexpected end of data".to_owned()))?;
    let mut reader = SliceReader::new(slice).map_err(|e| (at, e.to_string()))?;
    let header = Header::decode(&mut reader).map_err(|e| (at, e.to_string()))?;
    let header_len = usize::try_from(reader.position()).map_err(|e| (at, e.to_string()))?;
    let len = usize::try_from(header.length).map_err(|e| (at, e.to_string()))?;
    let content = at + header_len;
    let end = content
        .checked_add(len)
        .filter(|end| *end <= limit)
        .ok_or_else(|| {
            (
                at,
                format!("length {len} runs past the end of the enclosing value"),
            )
        })?;
    Ok(Tlv {
        tag: header.tag,
        start: at,
        content,
        end,
    })
}

/// The fields found by one walk over the DER.
struct Parsed {
    tbs: (usize, usize),
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: (usize, usize),
    /// Whether the signature BIT STRING is whole octets (unused bits 0).
    signature_aligned: bool,
    issuer: (usize, usize),
    this_update: OffsetDateTime,
    next_update: Option<OffsetDateTime>,
    number: Option<Vec<u8>>,
    authority_key_id: Option<Vec<u8>>,
    scope: Scope,
    delta_base: Option<Vec<u8>>,
    freshest_urls: Vec<String>,
    expired_certs_on_crl: Option<OffsetDateTime>,
    defect: Option<String>,
    entry_issuers: Vec<Vec<u8>>,
    entries: Vec<Entry>,
}

type WalkResult<T> = Result<T, CrlError>;

fn malformed((offset, detail): (usize, String)) -> CrlError {
    CrlError::Malformed { offset, detail }
}

fn expect(buf: &[u8], at: usize, limit: usize, tag: Tag, what: &str) -> WalkResult<Tlv> {
    let t = tlv(buf, at, limit).map_err(|(o, d)| malformed((o, format!("{what}: {d}"))))?;
    if t.tag != tag {
        return Err(CrlError::Malformed {
            offset: at,
            detail: format!("{what}: expected {tag}, found {}", t.tag),
        });
    }
    Ok(t)
}

fn decode_at<'a, T: Decode<'a>>(buf: &'a [u8], t: Tlv, what: &str) -> WalkResult<T> {
    T::from_der(&buf[t.start..t.end]).map_err(|e| CrlError::Malformed {
        offset: t.start,
        detail: format!("{what}: {e}"),
    })
}

fn time_at(buf: &[u8], t: Tlv, what: &str) -> WalkResult<OffsetDateTime> {
    let time: x509_cert::time::Time = decode_at(buf, t, what)?;
    let secs =
        i64::try_from(time.to_unix_duration().as_secs()).map_err(|_| CrlError::Malformed {
            offset: t.start,
            detail: format!("{what}: out of range"),
        })?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|e| CrlError::Malformed {
        offset: t.start,
        detail: format!("{what}: {e}"),
    })
}

fn is_time(tag: Tag) -> bool {
    matches!(tag, Tag::UtcTime | Tag::GeneralizedTime)
}

impl Parsed {
    fn walk(der: &[u8]) -> WalkResult<Self> {
        let outer = expect(der, 0, der.len(), Tag::Sequence, "CertificateList")?;
        if outer.end != der.len() {
            return Err(CrlError::Malformed {
                offset: outer.end,
                detail: "trailing data after the CertificateList".into(),
            });
        }
        let tbs = expect(der, outer.content, outer.end, Tag::Sequence, "tbsCertList")?;
        let alg = expect(der, tbs.end, outer.end, Tag::Sequence, "signatureAlgorithm")?;
        let signature_algorithm: AlgorithmIdentifierOwned =
            decode_at(der, alg, "signatureAlgorithm")?;
        let sig = expect(der, alg.end, outer.end, Tag::BitString, "signatureValue")?;
        if sig.end != outer.end {
            return Err(CrlError::Malformed {
                offset: sig.end,
                detail: "data after signatureValue".into(),
            });
        }
        // The first content octet counts the unused bits (X.690 §8.6.2.2): more than 7, or none
        // at all, is not a BIT STRING. A count of 1-7 is a well-formed BIT STRING but no signature
        // this verifier knows (RSA, ECDSA, GOST) is one, so such a CRL parses and its signature
        // never verifies (NIST PKITS 4.4.4 is exactly this).
        let signature_aligned = match der.get(sig.content) {
            Some(0) => true,
            Some(1..=7) => false,
            _ => {
                return Err(CrlError::Malformed {
                    offset: sig.content,
                    detail: "signatureValue is not a BIT STRING (no or bad unused-bits octet)"
                        .into(),
                });
            }
        };
        let signature = (sig.content + 1, sig.end);

        // TBSCertList (RFC 5280 §5.1.2).
        let end = tbs.end;
        let mut at = tbs.content;
        let mut t = tlv(der, at, end).map_err(malformed)?;
        if t.tag == Tag::Integer {
            let version: u8 = decode_at(der, t, "version")?;
            if version != 1 {
                return Err(CrlError::Malformed {
                    offset: t.start,
                    detail: format!("version {version} (only v2, encoded 1, is defined)"),
                });
            }
            at = t.end;
            t = tlv(der, at, end).map_err(malformed)?;
        }
        if t.tag != Tag::Sequence {
            return Err(CrlError::Malformed {
                offset: at,
                detail: format!("signature: expected SEQUENCE, found {}", t.tag),
            });
        }
        let inner_alg: AlgorithmIdentifierOwned = decode_at(der, t, "signature")?;
        if inner_alg != signature_algorithm {
            return Err(CrlError::Malformed {
                offset: t.start,
                detail: "the signature algorithm inside tbsCertList differs from the outer one \
                         (RFC 5280 §5.1.1.2)"
                    .into(),
            });
        }
        let issuer = expect(der, t.end, end, Tag::Sequence, "issuer")?;
        let _: x509_cert::name::Name = decode_at(der, issuer, "issuer")?;
        let this = tlv(der, issuer.end, end).map_err(malformed)?;
        if !is_time(this.tag) {
            return Err(CrlError::Malformed {
                offset: this.start,
                detail: format!("thisUpdate: expected a time, found {}", this.tag),
            });
        }
        let this_update = time_at(der, this, "thisUpdate")?;
        at = this.end;
        let mut next_update = None;
        let mut entries = Vec::new();
        let mut number = None;
        let mut number_critical = false;
        let mut authority_key_id = None;
        let mut scope = Scope::default();
        let mut delta_base = None;
        let mut freshest_urls = Vec::new();
        let mut expired_certs_on_crl = None;
        let mut defect: Option<String> = None;
        let mut entry_issuers = vec![der[issuer.start..issuer.end].to_vec()];
        let mut entry_defect = None;
        if at < end {
            let t = tlv(der, at, end).map_err(malformed)?;
            if is_time(t.tag) {
                next_update = Some(time_at(der, t, "nextUpdate")?);
                at = t.end;
            }
        }
        if at < end {
            let t = tlv(der, at, end).map_err(malformed)?;
            if t.tag == Tag::Sequence {
                (entries, entry_defect) = walk_entries(der, t, &mut entry_issuers)?;
                at = t.end;
            }
        }
        if at < end {
            let t = tlv(der, at, end).map_err(malformed)?;
            let explicit0 = Tag::ContextSpecific {
                constructed: true,
                number: der::TagNumber::N0,
            };
            if t.tag != explicit0 {
                return Err(CrlError::Malformed {
                    offset: at,
                    detail: format!("crlExtensions: expected [0], found {}", t.tag),
                });
            }
            let exts = expect(der, t.content, t.end, Tag::Sequence, "crlExtensions")?;
            for ext in extensions(der, exts)? {
                match ext.oid {
                    CRL_NUMBER => {
                        let n: der::asn1::UintRef<'_> = der::asn1::UintRef::from_der(ext.value)
                            .map_err(|e| CrlError::Malformed {
                                offset: ext.at,
                                detail: format!("cRLNumber: {e}"),
                            })?;
                        number = Some(n.as_bytes().to_vec());
                        number_critical = ext.critical;
                    }
                    AUTHORITY_KEY_ID => {
                        let aki = x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(ext.value)
                            .map_err(|e| CrlError::Malformed {
                                offset: ext.at,
                                detail: format!("authorityKeyIdentifier: {e}"),
                            })?;
                        authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
                    }
                    DELTA_CRL_INDICATOR => {
                        let n: der::asn1::UintRef<'_> = der::asn1::UintRef::from_der(ext.value)
                            .map_err(|e| CrlError::Malformed {
                                offset: ext.at,
                                detail: format!("deltaCRLIndicator: {e}"),
                            })?;
                        delta_base = Some(n.as_bytes().to_vec());
                        if !ext.critical {
                            defect.get_or_insert_with(|| {
                                "its deltaCRLIndicator is not critical (RFC 5280 §5.2.4)".into()
                            });
                        }
                    }
                    ISSUING_DP => scope = issuing_dp(&ext)?,
                    FRESHEST_CRL => freshest_urls = freshest(&ext)?,
                    EXPIRED_CERTS_ON_CRL => {
                        let t: der::asn1::GeneralizedTime =
                            der::asn1::GeneralizedTime::from_der(ext.value).map_err(|e| {
                                CrlError::Malformed {
                                    offset: ext.at,
                                    detail: format!("expiredCertsOnCRL: {e}"),
                                }
                            })?;
                        let secs = i64::try_from(t.to_unix_duration().as_secs()).ok();
                        expired_certs_on_crl =
                            secs.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
                    }
                    AUTHORITY_INFO_ACCESS => {}
                    other if ext.critical => {
                        defect.get_or_insert_with(|| {
                            format!(
                                "it has the critical CRL extension {other}, which this verifier \
                                 does not process (RFC 5280 §5.2)"
                            )
                        });
                    }
                    _ => {}
                }
            }
            at = t.end;
        }
        if at != end {
            return Err(CrlError::Malformed {
                offset: at,
                detail: "unexpected data at the end of tbsCertList".into(),
            });
        }
        if number.is_none() {
            defect.get_or_insert_with(|| "it has no cRLNumber (RFC 5280 §5.2.3)".into());
        } else if number_critical {
            defect.get_or_insert_with(|| {
                "its cRLNumber is marked critical (RFC 5280 §5.2.3: non-critical)".into()
            });
        }
        if let Some(d) = entry_defect {
            defect.get_or_insert(d);
        }
        if entry_issuers.len() > 1 && !scope.indirect {
            defect.get_or_insert_with(|| {
                "an entry names a certificateIssuer but the CRL is not indirect \
                 (RFC 5280 §5.3.3)"
                    .into()
            });
        }
        Ok(Self {
            tbs: (tbs.start, tbs.end),
            signature_algorithm,
            signature,
            signature_aligned,
            issuer: (issuer.start, issuer.end),
            this_update,
            next_update,
            number,
            authority_key_id,
            scope,
            delta_base,
            freshest_urls,
            expired_certs_on_crl,
            defect,
            entry_issuers,
            entries,
        })
    }
}

/// One extension, borrowed.
struct Ext<'a> {
    at: usize,
    oid: ObjectIdentifier,
    critical: bool,
    value: &'a [u8],
}

/// The extensions of a SEQUENCE OF Extension (RFC 5280 §4.1).
fn extensions(der: &[u8], seq: Tlv) -> WalkResult<Vec<Ext<'_>>> {
    let mut out = Vec::new();
    let mut at = seq.content;
    while at < seq.end {
        let e = expect(der, at, seq.end, Tag::Sequence, "Extension")?;
        let id = expect(der, e.content, e.end, Tag::ObjectIdentifier, "extnID")?;
        let oid: ObjectIdentifier = decode_at(der, id, "extnID")?;
        let mut next = tlv(der, id.end, e.end).map_err(malformed)?;
        let mut critical = false;
        if next.tag == Tag::Boolean {
            critical = decode_at(der, next, "critical")?;
            next = tlv(der, next.end, e.end).map_err(malformed)?;
        }
        if next.tag != Tag::OctetString || next.end != e.end {
            return Err(CrlError::Malformed {
                offset: next.start,
                detail: "extnValue: expected a final OCTET STRING".into(),
            });
        }
        out.push(Ext {
            at: e.start,
            oid,
            critical,
            value: &der[next.content..next.end],
        });
        at = e.end;
    }
    Ok(out)
}

fn issuing_dp(ext: &Ext<'_>) -> WalkResult<Scope> {
    let idp = IssuingDistributionPoint::from_der(ext.value).map_err(|e| CrlError::Malformed {
        offset: ext.at,
        detail: format!("issuingDistributionPoint: {e}"),
    })?;
    let mut uris = Vec::new();
    if let Some(DistributionPointName::FullName(names)) = &idp.distribution_point {
        for name in names {
            if let GeneralName::UniformResourceIdentifier(uri) = name {
                uris.push(uri.to_string());
            }
        }
    }
    Ok(Scope {
        present: true,
        distribution_point_uris: uris,
        distribution_point: idp.distribution_point,
        only_user_certs: idp.only_contains_user_certs,
        only_ca_certs: idp.only_contains_ca_certs,
        only_attribute_certs: idp.only_contains_attribute_certs,
        only_some_reasons: idp.only_some_reasons.map(|r| r.bits() & ALL_REASONS),
        indirect: idp.indirect_crl,
        der: Some(ext.value.to_vec()),
    })
}

/// The URIs of a freshestCRL extension (RFC 5280 §5.2.6, the syntax of cRLDistributionPoints).
fn freshest(ext: &Ext<'_>) -> WalkResult<Vec<String>> {
    let points = x509_cert::ext::pkix::CrlDistributionPoints::from_der(ext.value).map_err(|e| {
        CrlError::Malformed {
            offset: ext.at,
            detail: format!("freshestCRL: {e}"),
        }
    })?;
    let mut uris = Vec::new();
    for point in points.0 {
        if let Some(DistributionPointName::FullName(names)) = point.distribution_point {
            for name in names {
                if let GeneralName::UniformResourceIdentifier(uri) = name {
                    uris.push(uri.to_string());
                }
            }
        }
    }
    Ok(uris)
}

/// Walks revokedCertificates, building the sorted index. `issuers` starts with the CRL issuer;
/// certificateIssuer extensions add names. The second value is why an entry makes the list
/// unusable (an unrecognised critical entry extension), if one does.
fn walk_entries(
    der: &[u8],
    seq: Tlv,
    issuers: &mut Vec<Vec<u8>>,
) -> WalkResult<(Vec<Entry>, Option<String>)> {
    let mut entries = Vec::new();
    let mut current_issuer: u16 = 0;
    let mut defect = None;
    let mut at = seq.content;
    while at < seq.end {
        let e = expect(der, at, seq.end, Tag::Sequence, "revokedCertificate")?;
        let serial = expect(der, e.content, e.end, Tag::Integer, "userCertificate")?;
        let raw = &der[serial.content..serial.end];
        if raw.is_empty() {
            return Err(CrlError::Malformed {
                offset: serial.start,
                detail: "userCertificate: empty INTEGER".into(),
            });
        }
        let canonical = canonical_serial(raw);
        let skipped = raw.len() - canonical.len();
        let serial_at =
            u32::try_from(serial.content + skipped).map_err(|_| CrlError::TooLarge {
                size: der.len(),
                limit: MAX_CRL_SIZE,
            })?;
        let serial_len = u8::try_from(canonical.len()).map_err(|_| CrlError::Malformed {
            offset: serial.start,
            detail: "userCertificate: serial longer than 255 bytes".into(),
        })?;
        let date = tlv(der, serial.end, e.end).map_err(malformed)?;
        if !is_time(date.tag) {
            return Err(CrlError::Malformed {
                offset: date.start,
                detail: format!("revocationDate: expected a time, found {}", date.tag),
            });
        }
        let time = time_at(der, date, "revocationDate")?.unix_timestamp();
        let mut reason = NO_REASON;
        if date.end < e.end {
            let exts = expect(der, date.end, e.end, Tag::Sequence, "crlEntryExtensions")?;
            if exts.end != e.end {
                return Err(CrlError::Malformed {
                    offset: exts.end,
                    detail: "data after crlEntryExtensions".into(),
                });
            }
            for ext in extensions(der, exts)? {
                match ext.oid {
                    REASON_CODE => {
                        // ENUMERATED: tag 10, one content byte for every defined code.
                        match ext.value {
                            [0x0A, 0x01, code] if Reason::from_code(*code).is_some() => {
                                reason = *code;
                            }
                            _ => {
                                return Err(CrlError::Malformed {
                                    offset: ext.at,
                                    detail: "reasonCode: not a defined CRLReason".into(),
                                });
                            }
                        }
                    }
                    INVALIDITY_DATE => {}
                    CERTIFICATE_ISSUER => {
                        let names = x509_cert::ext::pkix::name::GeneralNames::from_der(ext.value)
                            .map_err(|e| CrlError::Malformed {
                            offset: ext.at,
                            detail: format!("certificateIssuer: {e}"),
                        })?;
                        // The directoryName is the certificate issuer; a list naming none
                        // matches no certificate (an empty name equals no issuer's).
                        let name = names
                            .iter()
                            .find_map(|n| match n {
                                GeneralName::DirectoryName(d) => der::Encode::to_der(d).ok(),
                                _ => None,
                            })
                            .unwrap_or_default();
                        current_issuer = match issuers.iter().position(|n| *n == name) {
                            Some(i) => u16::try_from(i).map_err(|_| too_many(ext.at))?,
                            None => {
                                issuers.push(name);
                                u16::try_from(issuers.len() - 1).map_err(|_| too_many(ext.at))?
                            }
                        };
                    }
                    other if ext.critical => {
                        defect.get_or_insert_with(|| {
                            format!(
                                "an entry has the critical CRL entry extension {other}, which \
                                 this verifier does not process (RFC 5280 §5.3)"
                            )
                        });
                    }
                    _ => {}
                }
            }
        }
        entries.push(Entry {
            serial_at,
            serial_len,
            reason,
            issuer: current_issuer,
            time,
        });
        at = e.end;
    }
    entries.sort_unstable_by(|a, b| {
        let sa = entry_serial(der, a);
        let sb = entry_serial(der, b);
        sa.cmp(sb)
    });
    Ok((entries, defect))
}

fn too_many(offset: usize) -> CrlError {
    CrlError::Malformed {
        offset,
        detail: "certificateIssuer: more than 65535 certificate issuers".into(),
    }
}

fn entry_serial<'a>(der: &'a [u8], e: &Entry) -> &'a [u8] {
    let start = usize::try_from(e.serial_at).unwrap_or(usize::MAX);
    let end = start.saturating_add(usize::from(e.serial_len));
    der.get(start..end).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;

    #[test]
    fn canonical_serials() {
        assert_eq!(canonical_serial(&[0, 0, 1]), &[1]);
        assert_eq!(canonical_serial(&[0, 0x80]), &[0, 0x80]);
        assert_eq!(canonical_serial(&[0xFF, 0x80]), &[0x80]);
        assert_eq!(canonical_serial(&[0]), &[0]);
    }

    #[test]
    fn reasons_round_trip() {
        for code in 0..=12u8 {
            if let Some(r) = Reason::from_code(code) {
                assert_eq!(r.code(), code);
            } else {
                assert!(code == 7 || code > 10);
            }
        }
    }

    #[test]
    fn garbage_is_malformed_with_offset() {
        assert!(matches!(
            Crl::parse(b"\x30\x05\x30\x00"),
            Err(CrlError::Malformed { offset: 0, .. })
        ));
        assert!(matches!(
            Crl::parse(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
            Err(CrlError::Pem { .. })
        ));
    }
}
