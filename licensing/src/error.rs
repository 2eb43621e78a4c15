//! The one error of the licensing flow: a refusal under the rules (each with a stable code), or a
//! reason the flow could not run.

use eds_profile::calendar::CalendarError;
use eds_profile::documents::hearing::HearingError;
use eds_profile::documents::signatory::SignatoryError;
use eds_profile::documents::{
    ApplicationNumber, AttachmentKind, DocumentError, Kind, RefusalGround, Service,
};
use eds_profile::holder::HolderError;
use eds_signer::CmsError;

use crate::{ground_name, service_name};

/// Why a licensing step refused, or could not run.
///
/// Refusals ([`Error::is_refusal`]) are answers under the rules: the application, receipt,
/// officer or ground is not acceptable. Each has a stable [`Error::code`] and reads
/// `refused (CODE): what was found`. The others say why the flow could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A signature did not reach TOTAL_PASSED (EDS law art. 10: only a valid signature is
    /// equivalent to a handwritten one).
    #[error("refused (signature-not-valid): the {what}'s signature did not pass: {verdict}")]
    SignatureNotValid {
        /// What was signed (application, receipt…).
        what: &'static str,
        /// The verdict summary (indication / sub-indication — reason).
        verdict: String,
    },
    /// The signed content is not a well-formed licensing document (RFC 8785 canonical JSON).
    #[error("refused (document-invalid): {reason}")]
    DocumentInvalid {
        /// What is wrong.
        reason: String,
    },
    /// The signature is detached; a licensing document is signed attached.
    #[error(
        "refused (detached): the signature is detached; a licensing document is signed attached"
    )]
    Detached,
    /// The signed document is not an application.
    #[error("refused (not-an-application): the signed document is a {kind}, not an application")]
    NotAnApplication {
        /// The kind found.
        kind: Kind,
    },
    /// No signer's certificate names anybody (no IIN or BIN could be read).
    #[error(
        "refused (signer-not-applicant): the signer's certificate names nobody (no IIN or BIN \
         could be read)"
    )]
    SignerNamesNobody,
    /// The signer may not sign for the applicant, or the officer for the body (EDS law art. 10.1
    /// and the roles of the national profile).
    #[error("refused ({code}): {0}", code = .0.code())]
    Signatory(SignatoryError),
    /// What the officer (or the body's receipt key) signed does not verify, so it is not handed
    /// out: a revoked, expired or untrusted certificate.
    #[error(
        "refused (officer-certificate-not-valid): the {what} does not verify, so it is not \
         issued: {verdict}"
    )]
    OfficerCertificateNotValid {
        /// What was signed.
        what: &'static str,
        /// The verdict summary.
        verdict: String,
    },
    /// The receipt does not show that this application was accepted by this body (EDS law
    /// art. 7.4).
    #[error("refused (application-not-accepted): {reason}")]
    ApplicationNotAccepted {
        /// What does not match.
        reason: String,
    },
    /// The signed hearing notice given could not be used (its signature or content).
    #[error("refused (hearing-required): {reason}")]
    HearingNoticeNotValid {
        /// What is wrong with it.
        reason: String,
    },
    /// A substantive refusal without the hearing paragraph 4 of the rules requires.
    #[error("refused (hearing-required): {0}")]
    Hearing(HearingError),
    /// A preliminary decision on the incompleteness of the documents: that refusal is given at
    /// once, without a hearing (paragraph 4 of the rules).
    #[error(
        "refused (no-hearing-for-incompleteness): incomplete-documents is refused at once \
         (paragraph 4 of the rules), without a preliminary decision or a hearing"
    )]
    NoHearingForIncompleteness,
    /// The hearing notice would be sent later than the required working days before the end of
    /// the term (paragraph 4 of the rules).
    #[error(
        "refused (hearing-notice-late): a notice sent on {issued_on} is late: the term ends on \
         {term_ends_on}, so the notice was due by {latest}"
    )]
    HearingNoticeLate {
        /// The day of the notice.
        issued_on: time::Date,
        /// The end of the term.
        term_ends_on: time::Date,
        /// The last day it could be sent.
        latest: time::Date,
    },
    /// The hearing is set before the notice, or later than the required working days after it
    /// (paragraph 4 of the rules).
    #[error(
        "refused (hearing-date-not-allowed): the hearing on {hearing_on} is not within the 2 \
         working days from the notice of {notice_on} (from {notice_on} to {latest})"
    )]
    HearingDateNotAllowed {
        /// The day of the hearing.
        hearing_on: time::Date,
        /// The day of the notice.
        notice_on: time::Date,
        /// The last day it could be held.
        latest: time::Date,
    },
    /// A ground recorded as standing after the hearing was not a ground of the preliminary
    /// decision, so the applicant was not heard on it.
    #[error(
        "refused (ground-not-heard): {} was not a ground of the preliminary decision of notice \
         {notice}",
        ground_name(*ground)
    )]
    GroundNotHeard {
        /// The ground.
        ground: RefusalGround,
        /// The notice's number.
        notice: String,
    },
    /// A hearing recorded as held after the moment of the record.
    #[error("refused (hearing-not-held-yet): the hearing at {held_at} has not taken place yet")]
    HearingNotHeldYet {
        /// When the record says it was held.
        held_at: time::OffsetDateTime,
    },
    /// A substantive refusal without the signed record of the hearing's outcome: paragraph 4 of
    /// the rules issues the result "based on the results of the hearing", so the refusal rests
    /// on a record of the hearing held (or of the applicant's non-appearance at the set time).
    #[error(
        "refused (hearing-record-required): a refusal on {} follows the hearing's outcome \
         (paragraph 4 of the rules): give the signed record of the hearing on notice {notice} \
         with --hearing-record (`eds license hearing-record`, with --applicant-did-not-appear \
         when the applicant did not come)",
        ground_name(*ground)
    )]
    HearingRecordRequired {
        /// The ground of the refusal.
        ground: RefusalGround,
        /// The number of the hearing notice given.
        notice: String,
    },
    /// A record of the applicant's non-appearance made before the hearing's set time.
    #[error(
        "refused (non-appearance-before-the-set-time): the applicant cannot be recorded as \
         absent at {}: the hearing is set for {}",
        rfc3339(held_at),
        rfc3339(hearing_at)
    )]
    NonAppearanceBeforeSetTime {
        /// The time the record gives.
        held_at: time::OffsetDateTime,
        /// The time the notice set.
        hearing_at: time::OffsetDateTime,
    },
    /// The record of the hearing does not belong to this application or notice.
    #[error("refused (hearing-record-mismatch): {reason}")]
    HearingRecordMismatch {
        /// What differs.
        reason: String,
    },
    /// The refusal's ground did not stand after the hearing (paragraph 4 of the rules: the
    /// result follows the hearing's outcome).
    #[error(
        "refused (ground-not-maintained): {} did not stand after the hearing (record {record})",
        ground_name(*ground)
    )]
    GroundNotMaintained {
        /// The ground.
        ground: RefusalGround,
        /// The record's number.
        record: String,
    },
    /// A grant on an application that lacks documents of the service's list (paragraph 8 of
    /// the Requirements; the rules refuse it at once, for incompleteness).
    #[error(
        "refused (documents-incomplete): application {application} lacks {}; refuse it on \
         incomplete-documents, or have the documents submitted",
        missing_list(missing)
    )]
    DocumentsIncomplete {
        /// The application.
        application: String,
        /// Each missing entry, as the kinds that would satisfy it.
        missing: Vec<Vec<AttachmentKind>>,
    },
    /// A refusal for incompleteness on an application that carries every document of the
    /// list: incompleteness is a finding, not a choice.
    #[error(
        "refused (documents-complete): application {application} carries every document of the \
         service's list, so it cannot be refused as incomplete"
    )]
    DocumentsComplete {
        /// The application.
        application: String,
    },
    /// The service has no term for this procedure, so no hearing can be set against it.
    #[error("{} has no term for this procedure", service_name(*service))]
    NoTerm {
        /// The service.
        service: Service,
    },
    /// The ground is not on the service's list.
    #[error(
        "refused (ground-not-of-service): {} is not a refusal ground of {}; its grounds: {}",
        ground_name(*ground), service_name(*service), grounds_list(*service)
    )]
    GroundNotOfService {
        /// The ground.
        ground: RefusalGround,
        /// The service.
        service: Service,
    },
    /// A division ground on a first application (they refuse only a reissue on division).
    #[error(
        "refused (ground-not-for-procedure): {} concerns only the reissue of a licence on \
         division; application {} is a first application",
        ground_name(*ground), application.as_str()
    )]
    GroundNotForProcedure {
        /// The ground.
        ground: RefusalGround,
        /// The application.
        application: ApplicationNumber,
    },
    /// A refusal (or a preliminary decision) without a ground.
    #[error("--decision refuse and a hearing notice need --ground; the grounds of this service: {}", grounds_list(*service))]
    GroundMissing {
        /// The service.
        service: Service,
    },
    /// The verifier could not run.
    #[error("verify the {what}: {reason}")]
    Verify {
        /// What was being verified.
        what: &'static str,
        /// The verifier's error.
        reason: String,
    },
    /// A certificate could not be read.
    #[error("read the certificate of the key file: {0}")]
    Certificate(HolderError),
    /// The key given to sign receipts is not a legal entity's.
    #[error(
        "the receipt key's certificate names no legal entity (BIN): give the licensing body's \
         key with --p12"
    )]
    BodyKeyNotLegalEntity,
    /// A document built by the flow did not validate (a field of the application it came from).
    #[error("the {what} built from the application is not valid: {source}")]
    Build {
        /// Receipt or result.
        what: &'static str,
        /// The rule broken.
        source: DocumentError,
    },
    /// Signing failed.
    #[error("sign the document: {0}")]
    Sign(CmsError),
    /// The working-day calendar could not answer.
    #[error("{0}")]
    Calendar(CalendarError),
}

impl Error {
    /// The stable code of a refusal; `None` when the flow could not run.
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            Error::SignatureNotValid { .. } => "signature-not-valid",
            Error::DocumentInvalid { .. } => "document-invalid",
            Error::Detached => "detached",
            Error::NotAnApplication { .. } => "not-an-application",
            Error::SignerNamesNobody => "signer-not-applicant",
            Error::Signatory(e) => e.code(),
            Error::OfficerCertificateNotValid { .. } => "officer-certificate-not-valid",
            Error::ApplicationNotAccepted { .. } => "application-not-accepted",
            Error::HearingNoticeNotValid { .. } | Error::Hearing(_) => "hearing-required",
            Error::GroundNotOfService { .. } => "ground-not-of-service",
            Error::GroundNotForProcedure { .. } => "ground-not-for-procedure",
            Error::NoHearingForIncompleteness => "no-hearing-for-incompleteness",
            Error::DocumentsIncomplete { .. } => "documents-incomplete",
            Error::DocumentsComplete { .. } => "documents-complete",
            Error::GroundNotHeard { .. } => "ground-not-heard",
            Error::HearingNotHeldYet { .. } => "hearing-not-held-yet",
            Error::HearingRecordMismatch { .. } => "hearing-record-mismatch",
            Error::HearingRecordRequired { .. } => "hearing-record-required",
            Error::NonAppearanceBeforeSetTime { .. } => "non-appearance-before-the-set-time",
            Error::GroundNotMaintained { .. } => "ground-not-maintained",
            Error::HearingNoticeLate { .. } => "hearing-notice-late",
            Error::HearingDateNotAllowed { .. } => "hearing-date-not-allowed",
            _ => return None,
        })
    }

    /// Whether this is a refusal under the rules (the CLI's exit 3).
    pub fn is_refusal(&self) -> bool {
        self.code().is_some()
    }

    /// The text after `refused (CODE): ` of a refusal, else the whole message.
    pub fn reason(&self) -> String {
        let text = self.to_string();
        match self.code() {
            Some(code) => text
                .strip_prefix(&format!("refused ({code}): "))
                .map_or_else(|| text.clone(), str::to_owned),
            None => text,
        }
    }
}

/// A time as RFC 3339 (its own offset), as the documents write it.
fn rfc3339(t: &time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// Missing entries as `a, b or c`: each entry's kinds joined by " or ".
fn missing_list(missing: &[Vec<AttachmentKind>]) -> String {
    missing
        .iter()
        .map(|any| {
            any.iter()
                .map(|k| {
                    serde_json::to_value(k)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_else(|| format!("{k:?}"))
                })
                .collect::<Vec<_>>()
                .join(" or ")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The grounds of a service, comma-separated, as the documents name them.
pub fn grounds_list(service: Service) -> String {
    service
        .refusal_grounds()
        .iter()
        .map(|g| ground_name(*g))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_have_their_code_and_reason_others_none() {
        let e = Error::GroundNotOfService {
            ground: RefusalGround::NationalSecurityHarm,
            service: Service::CryptoDevelopmentLicence,
        };
        assert_eq!(e.code(), Some("ground-not-of-service"));
        assert!(e.is_refusal());
        assert!(
            e.to_string().starts_with(
                "refused (ground-not-of-service): national-security-harm is not a refusal ground \
                 of crypto-development-licence; its grounds: "
            ),
            "{e}"
        );
        assert!(e.reason().starts_with("national-security-harm is not"));
        let e = Error::BodyKeyNotLegalEntity;
        assert_eq!(e.code(), None);
        assert!(!e.is_refusal());
        assert_eq!(e.reason(), e.to_string());
    }
}
