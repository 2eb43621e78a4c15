//! Why a licensing document is not valid: one variant per rule a field breaks.

use time::Date;

use super::fields::ApplicationNumberError;
use super::service::{RefusalGround, Service, Subtype};
use super::{Kind, ReissueGround};
use crate::ident::IdentError;

/// Why a licensing document could not be read or is not valid.
///
/// `field` is the JSON path of the offending field (`applicant.bin`, `goods[1].name`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// The input is not JSON, or a field has the wrong JSON type or an unknown value.
    #[error(
        "document is not well-formed JSON of its kind at line {line}, column {column}: {message}"
    )]
    Json {
        /// Line of the error (1-based), 0 when not known.
        line: usize,
        /// Column of the error (1-based), 0 when not known.
        column: usize,
        /// What the JSON parser reported.
        message: String,
    },
    /// An object has the same key twice. RFC 8785 builds on I-JSON (RFC 7493 §2.3), which
    /// forbids duplicate names: two readers could take different values from one document.
    #[error("key {key:?} appears twice in one object at line {line}, column {column}")]
    DuplicateKey {
        /// The key.
        key: String,
        /// Line of the second occurrence (1-based).
        line: usize,
        /// Column just after it (1-based).
        column: usize,
    },
    /// Signed content is not in the canonical form of the document it holds, so the bytes
    /// signed are not [`super::Document::canonical_bytes`].
    #[error("content is not in RFC 8785 canonical form; sign Document::canonical_bytes()")]
    NotCanonical,
    /// An integer is above 2^53 - 1, the largest that every JSON reader keeps exactly (RFC 7493
    /// §2.2, which RFC 8785 follows).
    #[error("{field} is {found}, above the largest exact JSON integer {max}")]
    NumberTooLarge {
        /// Path of the field.
        field: String,
        /// The value.
        found: u64,
        /// 2^53 - 1.
        max: u64,
    },
    /// The top level is not an object with a `kind` string.
    #[error("document has no \"kind\" field; add one of the kinds listed in docs/schemas")]
    MissingKind,
    /// `kind` names no document kind.
    #[error("document kind {found:?} is not known; see docs/schemas for the kinds")]
    UnknownKind {
        /// The `kind` as written.
        found: String,
    },
    /// An `iin` field is not a valid individual identification number.
    #[error("{field} is not a valid IIN: {source}")]
    Iin {
        /// Path of the field.
        field: String,
        /// Why the number is invalid.
        source: IdentError,
    },
    /// A `bin` field is not a valid business identification number.
    #[error("{field} is not a valid BIN: {source}")]
    Bin {
        /// Path of the field.
        field: String,
        /// Why the number is invalid.
        source: IdentError,
    },
    /// An `application_number` field is not of the form `KZ…`.
    #[error("{field} is not a valid application number: {source}")]
    ApplicationNumber {
        /// Path of the field.
        field: String,
        /// Why the number is invalid.
        source: ApplicationNumberError,
    },
    /// A required text or list is empty (or only white space).
    #[error("{field} is empty; the form requires it")]
    EmptyField {
        /// Path of the field.
        field: String,
    },
    /// A text is longer than the model allows.
    #[error("{field} has {found} characters, at most {max} are allowed")]
    TooLong {
        /// Path of the field.
        field: String,
        /// The limit.
        max: usize,
        /// The length found.
        found: usize,
    },
    /// An e-mail address is not `local@domain.tld`.
    #[error("{field} {found:?} is not an e-mail address")]
    BadEmail {
        /// Path of the field.
        field: String,
        /// The value as written.
        found: String,
    },
    /// A phone or fax number has characters other than digits, `+`, spaces, `-`, `(`, `)`, or
    /// fewer than 7 digits.
    #[error("{field} {found:?} is not a phone number")]
    BadPhone {
        /// Path of the field.
        field: String,
        /// The value as written.
        found: String,
    },
    /// A Kazakh postal code is not six digits.
    #[error("{field} {found:?} is not a six-digit postal code")]
    BadPostalCode {
        /// Path of the field.
        field: String,
        /// The value as written.
        found: String,
    },
    /// A bank account is not a Kazakh IBAN (`KZ`, 2 check digits, 16 letters or digits) or
    /// its check digits are wrong (ISO 13616 mod 97).
    #[error("{field} {found:?} is not a valid Kazakh IBAN")]
    BadIban {
        /// Path of the field.
        field: String,
        /// The value as written.
        found: String,
    },
    /// A commodity code of the EAEU nomenclature (TN VED) is not ten digits.
    #[error("{field} {found:?} is not a ten-digit EAEU commodity code")]
    BadCommodityCode {
        /// Path of the field.
        field: String,
        /// The value as written.
        found: String,
    },
    /// A SHA-256 digest is not 64 lowercase hexadecimal digits.
    #[error("{field} is not 64 lowercase hexadecimal digits")]
    BadDigest {
        /// Path of the field.
        field: String,
    },
    /// The document kind is not a result (or application) of the service it names.
    #[error("a {kind} document cannot belong to service {service:?}")]
    KindNotOfService {
        /// The document's kind.
        kind: Kind,
        /// The service it names.
        service: Service,
    },
    /// A subtype of activity that the service's licence does not have.
    #[error("{field}: subtype {subtype:?} does not exist for service {service:?}")]
    SubtypeNotOfService {
        /// Path of the field.
        field: String,
        /// The subtype named.
        subtype: Subtype,
        /// The service.
        service: Service,
    },
    /// A licence of service 1 names no subtype of activity (paragraph 4: "a license indicating
    /// a subtype(s) of activities").
    #[error("{field}: the licence of service {service:?} must name at least one subtype")]
    SubtypesMissing {
        /// Path of the field.
        field: String,
        /// The service.
        service: Service,
    },
    /// A subtype is named twice.
    #[error("{field}: subtype {subtype:?} is named twice")]
    DuplicateSubtype {
        /// Path of the field.
        field: String,
        /// The subtype.
        subtype: Subtype,
    },
    /// A refusal ground that is not in the service's list (Annex 1, "Grounds for refusal").
    #[error("{field}: ground {ground:?} is not a refusal ground of service {service:?}")]
    GroundNotOfService {
        /// Path of the field.
        field: String,
        /// The ground named.
        ground: RefusalGround,
        /// The service.
        service: Service,
    },
    /// A reissue ground that the applicant's form does not offer (Annex 5 for a legal entity,
    /// Annex 6 for an individual).
    #[error("{field}: reissue ground {ground:?} is not on the form of {applicant}")]
    ReissueGroundNotForApplicant {
        /// Path of the field.
        field: String,
        /// The ground named.
        ground: ReissueGround,
        /// "a legal entity" or "an individual".
        applicant: &'static str,
    },
    /// A section the service's form requires is missing.
    #[error("{field} is required for service {service:?}")]
    FieldRequired {
        /// Path of the field.
        field: String,
        /// The service.
        service: Service,
    },
    /// A section the service's form does not have is present.
    #[error("{field} is not part of the form of service {service:?}; remove it")]
    FieldNotAllowed {
        /// Path of the field.
        field: String,
        /// The service.
        service: Service,
    },
    /// A date comes before the date it must not precede.
    #[error("{field} ({date}) is before {other_field} ({other})")]
    DateBefore {
        /// Path of the field.
        field: String,
        /// Its date.
        date: Date,
        /// Path of the field it must not precede.
        other_field: String,
        /// That field's date.
        other: Date,
    },
    /// An attachment of a kind the service's list of documents does not have.
    #[error("{field}: a {kind:?} is not among the documents of service {service:?}")]
    AttachmentNotOfService {
        /// Path of the field.
        field: String,
        /// The kind attached.
        kind: super::attachments::AttachmentKind,
        /// The service.
        service: Service,
    },
    /// The form's number of documents attached differs from the documents listed.
    #[error("attachments says {stated} document(s) attached, documents lists {listed}")]
    AttachmentCount {
        /// The number on the form.
        stated: u32,
        /// The documents listed.
        listed: usize,
    },
    /// The document could not be serialised (should not happen for a valid document).
    #[error("document could not be serialised: {message}")]
    Serialise {
        /// What the serialiser reported.
        message: String,
    },
}
