//! The licensing flow of Order No. 34/қе on signed documents, as a library: `eds submission
//! check`, `eds license issue` and `eds license verify` are thin commands over it.
//!
//! * An application comes in signed by the service recipient. [`check_submission`] verifies the
//!   signature (the verifier's verdict must be TOTAL_PASSED), reads the document from the
//!   signed content (the RFC 8785 canonical JSON, attached), and checks that the signer is the
//!   applicant ([`signatory::check_applicant`]). On acceptance the body signs a receipt (EDS law
//!   art. 7.4: the sender and the time of reception) and the term of the service is computed on
//!   the working-day calendar.
//! * [`issue_result`] answers an accepted application: it checks the receipt (signed by the
//!   body, naming that application, over that very file), that the officer's certificate is the
//!   body's with a signing right, builds the result of the service's kind (or a reasoned
//!   refusal with a ground of the service's list, after the hearing paragraph 4 of the rules
//!   requires) and signs its canonical bytes.
//! * [`check_result`] is what a relying party runs on a result: the verifier's verdict plus the
//!   licensing checks (well-formed, kind of the service, provider and signer are the body).
//!
//! Every refusal is an [`Error`] variant with a stable [`Error::code`]. The clock (`now`) and
//! the randomness of signing are parameters.

mod error;
pub mod seal;

use ring::rand::SecureRandom;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use eds_profile::calendar::{Calendar, Deadline, Excluded};
use eds_profile::documents::hearing::check_refusal_after_hearing;
use eds_profile::documents::signatory;
use eds_profile::documents::{
    Applicant, AttachmentKind, Document, DocumentError, FullName, HearingNotice, HearingRecord,
    Licence, LicenceAnnex, NotificationRegistrationDecision, Officer, PermitGoods, Procedure,
    Provider, Receipt, Refusal, RefusalGround, ReissuedLicence, SalePermit, Service, StudyItem,
    StudyResult, TechnicalStudyConclusion, TradePermit, Validity, permit_recipient_address,
    trade_permit_valid_until,
};
use eds_profile::holder::Holder;
use eds_profile::ident::Bin;
use eds_signer::cms;
use eds_signer::keys::pkcs12::Pkcs12Contents;
use eds_signer::{SignOptions, SignedMessage, Signer};
use eds_verifier::engine::{DocumentReport, Verifier};
use eds_verifier::verdict::Indication;

pub use error::{Error, grounds_list};

/// The decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The result the service gives.
    Grant,
    /// A reasoned refusal.
    Refuse,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

fn kz_time(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    eds_profile::kz_time::local(t).unwrap_or(t)
}

fn indication_name(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

/// One line: indication / sub-indication — reason of the first signature that did not pass.
pub fn verdict_summary(report: &DocumentReport) -> String {
    if let Some(e) = &report.format_error {
        return format!(
            "{} / FORMAT_FAILURE — {e}",
            indication_name(report.indication)
        );
    }
    let s = report
        .signatures
        .iter()
        .find(|s| s.indication != Indication::TotalPassed)
        .or_else(|| report.signatures.first());
    match s {
        Some(s) => match s.sub_indication {
            Some(sub) => format!(
                "{} / {} — {}",
                indication_name(s.indication),
                serde_json::to_value(sub)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| format!("{sub:?}")),
                s.reason
            ),
            None => format!("{} — {}", indication_name(s.indication), s.reason),
        },
        None => format!("{} — no signature", indication_name(report.indication)),
    }
}

/// The document inside an attached signature, read strictly (canonical bytes).
fn signed_document(signed: &[u8]) -> Result<(Vec<u8>, Document), Error> {
    let invalid = |reason: String| Error::DocumentInvalid { reason };
    let der = cms::from_pem_or_der(signed).map_err(|e| invalid(e.to_string()))?;
    let message = SignedMessage::from_der(&der).map_err(|e| invalid(e.to_string()))?;
    let content = message.content().map_err(|_| Error::Detached)?;
    let doc = Document::from_signed_content(content)
        .map_err(|e| invalid(format!("the signed document: {e}")))?;
    Ok((content.to_vec(), doc))
}

/// Which refusal a document that does not verify or read gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The application at submission: its own refusals.
    Submission,
    /// The application and receipt at issue: not accepted.
    Accepted,
    /// The hearing notice of a refusal.
    Hearing,
    /// The record of a hearing.
    Record,
}

impl Stage {
    fn refuse(self, reason: String) -> Error {
        match self {
            Stage::Submission => Error::DocumentInvalid { reason },
            Stage::Accepted => Error::ApplicationNotAccepted { reason },
            Stage::Hearing => Error::HearingNoticeNotValid { reason },
            Stage::Record => Error::HearingRecordMismatch { reason },
        }
    }
}

fn verify(
    verifier: &Verifier,
    signed: &[u8],
    now: OffsetDateTime,
    what: &'static str,
) -> Result<DocumentReport, Error> {
    verifier
        .verify_document(signed, None, now)
        .map_err(|e| Error::Verify {
            what,
            reason: e.to_string(),
        })
}

/// Verifies a signed licensing document: the signatures must pass (else refused as `stage`
/// says), the content must be a valid document.
fn verified(
    verifier: &Verifier,
    signed: &[u8],
    now: OffsetDateTime,
    stage: Stage,
    what: &'static str,
) -> Result<(DocumentReport, Document), Error> {
    let report = verify(verifier, signed, now, what)?;
    if report.indication != Indication::TotalPassed {
        let verdict = verdict_summary(&report);
        return Err(match stage {
            Stage::Submission => Error::SignatureNotValid { what, verdict },
            _ => stage.refuse(format!("the {what}'s signature did not pass: {verdict}")),
        });
    }
    let (_, doc) = signed_document(signed).map_err(|e| match stage {
        Stage::Submission => e,
        _ => stage.refuse(format!("the {what}: {}", e.reason())),
    })?;
    Ok((report, doc))
}

fn holders(report: &DocumentReport) -> Vec<&Holder> {
    report
        .signatures
        .iter()
        .filter_map(|s| s.holder.as_deref())
        .collect()
}

fn applicant_of(doc: &Document) -> Option<&Applicant> {
    match doc {
        Document::Application(a) => Some(&a.applicant),
        Document::ReissueApplication(a) => Some(&a.applicant),
        _ => None,
    }
}

fn procedure_of(doc: &Document) -> Procedure {
    match doc {
        Document::ReissueApplication(_) => Procedure::Reissue,
        _ => Procedure::Issue,
    }
}

/// Checks that some signer of `report` may sign for the applicant of `doc`.
fn check_signer_is_applicant(report: &DocumentReport, doc: &Document) -> Result<Holder, Error> {
    let applicant = applicant_of(doc).ok_or(Error::NotAnApplication { kind: doc.kind() })?;
    let mut first_error = None;
    for holder in holders(report) {
        match signatory::check_applicant(holder, applicant.id()) {
            Ok(()) => return Ok(holder.clone()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(match first_error {
        Some(e) => Error::Signatory(e),
        None => Error::SignerNamesNobody,
    })
}

/// The outcome of an accepted submission.
#[derive(Debug, Serialize)]
pub struct Accepted {
    /// The application.
    pub application: Document,
    /// The receipt the body signed.
    pub receipt: Document,
    /// The signed receipt (DER).
    #[serde(skip)]
    pub receipt_der: Vec<u8>,
    /// Registration date, term and due date; `None` when the calendar does not cover them.
    pub deadline: Option<DeadlineView>,
    /// Why there is no deadline, if there is none.
    pub deadline_note: Option<String>,
    /// A reissue applied for more than 30 calendar days after the changes (paragraph 5 of the
    /// rules): accepted, and flagged.
    pub late_reissue: Option<eds_profile::documents::LateReissue>,
    /// The documents of the service's list (paragraph 8 of the Requirements) the application
    /// lacks; empty when it is complete. The receipt is still given (art. 7.4: the fact of
    /// reception); the answer to an incomplete application is the refusal on
    /// `incomplete-documents`, given at once.
    pub missing_documents: Vec<MissingDocument>,
}

/// A document of the service's list that an application lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingDocument {
    /// The kinds of attachment, any one of which would do.
    pub any_of: Vec<AttachmentKind>,
    /// The document as the list names it (and the annex whose form it takes), " or " between
    /// the kinds.
    pub title: String,
}

impl MissingDocument {
    fn of(any_of: &[AttachmentKind]) -> Self {
        Self {
            any_of: any_of.to_vec(),
            title: any_of
                .iter()
                .map(|k| k.title())
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// A deadline as printed.
#[derive(Debug, Serialize)]
pub struct DeadlineView {
    /// Registration day (the next working day for an arrival outside working hours).
    pub registered_on: String,
    /// The term in working days.
    pub working_days: u32,
    /// The last day of the term.
    pub due: String,
    /// Whether that year's calendar is not final.
    pub provisional: bool,
}

impl From<Deadline> for DeadlineView {
    fn from(d: Deadline) -> Self {
        Self {
            registered_on: d.registered_on.to_string(),
            working_days: d.working_days,
            due: d.due.to_string(),
            provisional: d.provisional,
        }
    }
}

fn deadline_of(
    service: Service,
    procedure: Procedure,
    arrived: OffsetDateTime,
    pauses: &[Excluded],
    hearing: bool,
) -> (Option<DeadlineView>, Option<String>) {
    let calendar = match Calendar::embedded() {
        Ok(c) => c,
        Err(e) => return (None, Some(format!("the embedded calendar: {e}"))),
    };
    match calendar.deadline(service, procedure, arrived, pauses, hearing) {
        Ok(Some(d)) => (Some(d.into()), None),
        Ok(None) => (
            None,
            Some(format!(
                "{} has no term for this procedure",
                service_name(service)
            )),
        ),
        Err(e) => (None, Some(format!("not computed: {e}"))),
    }
}

fn sign_document(
    key: &Pkcs12Contents,
    doc: &Document,
    what: &'static str,
    at: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<Vec<u8>, Error> {
    let bytes = doc
        .canonical_bytes()
        .map_err(|source| Error::Build { what, source })?;
    let signer =
        Signer::new(&key.key, &key.certificate_der, &key.chain_der).map_err(Error::Sign)?;
    let options = SignOptions::new(at.replace_nanosecond(0).unwrap_or(at));
    cms::sign(&signer, eds_signer::Content::Bytes(&bytes), &options, rng).map_err(Error::Sign)
}

fn officer_holder(key: &Pkcs12Contents) -> Result<Holder, Error> {
    Holder::from_der(&key.certificate_der).map_err(Error::Certificate)
}

fn full_name(h: &Holder) -> FullName {
    FullName {
        surname: h.surname.clone().unwrap_or_else(|| "-".into()),
        given_name: h
            .name
            .clone()
            .or_else(|| h.common_name.clone())
            .unwrap_or_else(|| "-".into()),
        patronymic: h.patronymic.clone(),
    }
}

/// Checks a signed application and signs the receipt with `body`'s key.
pub fn check_submission(
    verifier: &Verifier,
    signed: &[u8],
    body: &Pkcs12Contents,
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<Accepted, Error> {
    let (report, application) = verified(verifier, signed, now, Stage::Submission, "application")?;
    check_signer_is_applicant(&report, &application)?;
    let applicant = applicant_of(&application).ok_or(Error::NotAnApplication {
        kind: application.kind(),
    })?;
    let body_holder = officer_holder(body)?;
    let body_bin = body_holder
        .bin
        .as_deref()
        .and_then(|b| Bin::parse(b).ok())
        .ok_or(Error::BodyKeyNotLegalEntity)?;
    signatory::check_officer(&body_holder, &body_bin).map_err(Error::Signatory)?;
    let received_at = kz_time(now);
    let service = application.service();
    let procedure = procedure_of(&application);
    let (deadline, deadline_note) = deadline_of(service, procedure, received_at, &[], false);
    // Outside the calendar's years the arrival day stands (the note says why no term).
    let registered_on = Calendar::embedded()
        .ok()
        .and_then(|c| c.registration_date(received_at).ok())
        .unwrap_or(eds_profile::kz_time::legal_date(received_at));
    let provider_name = body_holder
        .organization
        .clone()
        .unwrap_or_else(|| match &application {
            Document::Application(a) => a.addressee.clone(),
            Document::ReissueApplication(a) => a.addressee.clone(),
            _ => String::new(),
        });
    let receipt = Document::Receipt(Receipt {
        receipt_number: format!("RCPT-{}", application.application_number().as_str()),
        service,
        received_kind: application.kind(),
        application_number: application.application_number().clone(),
        sender: applicant.to_party(),
        receiver: Provider {
            name: provider_name,
            bin: body_bin,
        },
        received_at,
        registered_on,
        content_sha256: sha256_hex(signed),
    });
    receipt.validate().map_err(|source| Error::Build {
        what: "receipt",
        source,
    })?;
    let receipt_der = sign_document(body, &receipt, "receipt", now, rng)?;
    // As for results: a receipt whose own signature would not verify is not handed out.
    let report = verify(verifier, &receipt_der, now, "receipt just signed")?;
    if report.indication != Indication::TotalPassed {
        return Err(Error::OfficerCertificateNotValid {
            what: "receipt signed with the body's key",
            verdict: verdict_summary(&report),
        });
    }
    let late_reissue = match &application {
        Document::ReissueApplication(a) => a.late_filing(),
        _ => None,
    };
    let missing_documents = missing_documents(&application)
        .into_iter()
        .map(MissingDocument::of)
        .collect();
    Ok(Accepted {
        application,
        receipt,
        receipt_der,
        deadline,
        deadline_note,
        late_reissue,
        missing_documents,
    })
}

/// What [`issue_result`] needs besides the documents.
pub struct IssueOptions {
    /// Grant or refuse.
    pub decision: Decision,
    /// The ground of a refusal, one of the service's list.
    pub ground: Option<RefusalGround>,
    /// The reasons of a refusal in words (default: the ground named).
    pub reasoning: Option<String>,
    /// Number of the result (default: derived from the application number).
    pub number: Option<String>,
    /// The officer's position as the result states it.
    pub position: String,
    /// Place of issue of a licence.
    pub place: String,
    /// Last day of validity of a trade permit (services 4 and 5).
    pub valid_until: Option<Date>,
    /// Result of a technical study for every product (service 6).
    pub study_result: StudyResult,
    /// Verify the signed result before handing it out and refuse it unless it passes (a revoked
    /// or expired officer's certificate). Only the demo turns it off, to show what a relying
    /// party catches when a signing system does not check.
    pub self_check: bool,
    /// The signed hearing notice that preceded a substantive refusal (paragraph 4 of the rules).
    pub hearing_notice: Option<Vec<u8>>,
    /// Periods outside the term of the service (samples, their study, documents asked for:
    /// [`eds_profile::calendar::exclusion_rules`]); their working days are not counted.
    pub pauses: Vec<Excluded>,
    /// The signed record of the hearing (from [`record_hearing`]), of the notice given: a
    /// substantive refusal needs it (`hearing-record-required`) and must rest on a ground that
    /// stood after the hearing (`ground-not-maintained`).
    pub hearing_record: Option<Vec<u8>>,
}

impl IssueOptions {
    /// Grant with the defaults of `eds license issue`.
    pub fn grant() -> Self {
        Self {
            decision: Decision::Grant,
            ground: None,
            reasoning: None,
            number: None,
            position: "Authorised officer of the licensing department".into(),
            place: "Astana".into(),
            valid_until: None,
            study_result: StudyResult::NeitherSpecialNorCrypto,
            self_check: true,
            hearing_notice: None,
            pauses: Vec::new(),
            hearing_record: None,
        }
    }
}

/// A signed result.
#[derive(Debug, Serialize)]
pub struct IssuedResult {
    /// The result.
    pub document: Document,
    #[serde(skip)]
    /// The signed result (DER).
    pub der: Vec<u8>,
    /// The term of the service from the receipt.
    pub deadline: Option<DeadlineView>,
    /// Why there is no deadline, if there is none.
    pub deadline_note: Option<String>,
    /// Whether the result is dated within the term.
    pub in_time: Option<bool>,
}

fn activity(service: Service) -> &'static str {
    match service {
        Service::SpecialMeansLicence => {
            "Development, production, repair and sale of special technical means intended for operational-search activities"
        }
        Service::CryptoDevelopmentLicence => {
            "Development of means of cryptographic protection of information"
        }
        _ => {
            "Services identifying technical channels of information leakage and special technical means intended for operational-search activities"
        }
    }
}

/// What [`issue_hearing_notice`] needs besides the documents.
#[derive(Debug, Clone)]
pub struct HearingNoticeOptions {
    /// The grounds of the preliminary decision to refuse, each of the service's list.
    pub grounds: Vec<RefusalGround>,
    /// The reasons in words (default: the grounds named).
    pub reasoning: Option<String>,
    /// When the hearing is held.
    pub hearing_at: OffsetDateTime,
    /// Where or how (address, video link).
    pub hearing_place: String,
    /// Number of the notice (default: derived from the application number).
    pub number: Option<String>,
    /// The officer's position as the notice states it.
    pub position: String,
    /// Periods outside the term of the service (see [`IssueOptions::pauses`]).
    pub pauses: Vec<Excluded>,
}

/// The preliminary decision to refuse and the notice of the hearing (paragraph 4 of the rules of
/// every service): one signed `hearing-notice` to the applicant naming the grounds, the time and
/// place of the hearing and the end of the term.
///
/// Checks the application and its receipt as [`issue_result`] does, then: each ground of the
/// service's list and for the procedure; none of them the incompleteness of the documents
/// (refused at once, without a hearing); the notice, dated `now` in Astana, at least
/// [`HEARING_NOTICE_WORKING_DAYS`](eds_profile::calendar::HEARING_NOTICE_WORKING_DAYS)
/// working days before the end of the term; the hearing not before the notice and no later than
/// [`HEARING_HELD_WITHIN_WORKING_DAYS`](eds_profile::calendar::HEARING_HELD_WITHIN_WORKING_DAYS)
/// working days after it. The term is the one with a hearing: service 6's is extended by
/// 2 working days; `pauses` are not counted.
#[expect(
    clippy::too_many_arguments,
    reason = "the two signed inputs, the key, the body, the options, the clock and the randomness \
              are each what the caller decides"
)]
pub fn issue_hearing_notice(
    verifier: &Verifier,
    application_signed: &[u8],
    receipt_signed: &[u8],
    officer: &Pkcs12Contents,
    body_bin: &Bin,
    opts: &HearingNoticeOptions,
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<IssuedResult, Error> {
    let (officer_h, application, receipt) = accepted(
        verifier,
        application_signed,
        receipt_signed,
        officer,
        body_bin,
        now,
    )?;
    let service = application.service();
    let procedure = procedure_of(&application);
    let applicant = applicant_of(&application).ok_or(Error::NotAnApplication {
        kind: application.kind(),
    })?;
    if opts.grounds.is_empty() {
        return Err(Error::GroundMissing { service });
    }
    for &ground in &opts.grounds {
        if !service.allows_ground(ground) {
            return Err(Error::GroundNotOfService { ground, service });
        }
        if !service.allows_ground_for(ground, procedure) {
            return Err(Error::GroundNotForProcedure {
                ground,
                application: application.application_number().clone(),
            });
        }
        if !ground.needs_hearing() {
            return Err(Error::NoHearingForIncompleteness);
        }
    }
    let calendar = Calendar::embedded().map_err(Error::Calendar)?;
    let term = calendar
        .deadline(service, procedure, receipt.received_at, &opts.pauses, true)
        .map_err(Error::Calendar)?
        .ok_or(Error::NoTerm { service })?;
    let issued_on = eds_profile::kz_time::legal_date(now);
    check_hearing_notice_timing(&calendar, term.due, issued_on, opts.hearing_at)?;
    let app_no = application.application_number().clone();
    let document = Document::HearingNotice(HearingNotice {
        notice_number: opts
            .number
            .clone()
            .unwrap_or_else(|| format!("H-{}", app_no.as_str())),
        service,
        provider: Provider {
            name: officer_h
                .organization
                .clone()
                .unwrap_or_else(|| receipt.receiver.name.clone()),
            bin: *body_bin,
        },
        recipient: applicant.to_party(),
        application_number: app_no,
        preliminary_grounds: opts.grounds.clone(),
        reasoning: opts.reasoning.clone().unwrap_or_else(|| {
            format!(
                "Preliminary decision to refuse on the grounds {} of the list of the service.",
                opts.grounds
                    .iter()
                    .map(|g| format!("\"{}\"", ground_name(*g)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        hearing_at: kz_time(opts.hearing_at),
        hearing_place: opts.hearing_place.clone(),
        term_ends_on: term.due,
        issued_on,
        officer: Officer {
            position: opts.position.clone(),
            name: full_name(&officer_h),
        },
    });
    document.validate().map_err(|source| Error::Build {
        what: "hearing notice",
        source,
    })?;
    let der = sign_document(officer, &document, "hearing notice", now, rng)?;
    let report = verify(verifier, &der, now, "hearing notice just signed")?;
    if report.indication != Indication::TotalPassed {
        return Err(Error::OfficerCertificateNotValid {
            what: "hearing notice signed with this key",
            verdict: verdict_summary(&report),
        });
    }
    Ok(IssuedResult {
        document,
        der,
        deadline: Some(term.into()),
        deadline_note: None,
        in_time: Some(true),
    })
}

/// Whether a hearing notice dated `issued_on` (in Astana) for a term ending on `term_ends_on`,
/// with the hearing at `hearing_at`, keeps the terms of paragraph 4 of the rules: the notice at
/// least 3 working days before the end of the term, the hearing on the notice's day or within
/// the 2 working days after it.
pub fn check_hearing_notice_timing(
    calendar: &Calendar,
    term_ends_on: Date,
    issued_on: Date,
    hearing_at: OffsetDateTime,
) -> Result<(), Error> {
    let latest = calendar
        .latest_hearing_notice(term_ends_on)
        .map_err(Error::Calendar)?;
    if issued_on > latest {
        return Err(Error::HearingNoticeLate {
            issued_on,
            term_ends_on,
            latest,
        });
    }
    let hearing_on = eds_profile::kz_time::legal_date(hearing_at);
    let latest_hearing = calendar
        .latest_hearing(issued_on)
        .map_err(Error::Calendar)?;
    if hearing_on < issued_on || hearing_on > latest_hearing {
        return Err(Error::HearingDateNotAllowed {
            hearing_on,
            notice_on: issued_on,
            latest: latest_hearing,
        });
    }
    Ok(())
}

/// What [`record_hearing`] needs besides the notice.
#[derive(Debug, Clone)]
pub struct HearingRecordOptions {
    /// When the hearing was held.
    pub held_at: OffsetDateTime,
    /// Whether the applicant appeared; a record of non-appearance is made no earlier than the
    /// time the notice set for the hearing.
    pub applicant_appeared: bool,
    /// The position the applicant expressed, or the note of the non-appearance.
    pub applicant_position: String,
    /// The grounds of the preliminary decision that stand; none: the decision is withdrawn.
    pub maintained_grounds: Vec<RefusalGround>,
    /// Number of the record (default: derived from the notice's).
    pub number: Option<String>,
    /// The officer's position as the record states it.
    pub position: String,
}

/// The record of the hearing's outcome (paragraph 4 of the rules): signed by the body's
/// officer on the body's signed hearing notice. The grounds that stand must be grounds of the
/// notice (`ground-not-heard`); the hearing held on the notice's day or within the 2 working
/// days after it (`hearing-date-not-allowed`) and not after `now` (`hearing-not-held-yet`); a
/// record of the applicant's non-appearance not before the time the notice set
/// (`non-appearance-before-the-set-time`).
pub fn record_hearing(
    verifier: &Verifier,
    notice_signed: &[u8],
    officer: &Pkcs12Contents,
    body_bin: &Bin,
    opts: &HearingRecordOptions,
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<IssuedResult, Error> {
    let officer_h = officer_holder(officer)?;
    signatory::check_officer(&officer_h, body_bin).map_err(Error::Signatory)?;
    let notice = signed_hearing_notice(verifier, notice_signed, body_bin, now)?;
    for &ground in &opts.maintained_grounds {
        if !notice.preliminary_grounds.contains(&ground) {
            return Err(Error::GroundNotHeard {
                ground,
                notice: notice.notice_number.clone(),
            });
        }
    }
    if opts.held_at > now {
        return Err(Error::HearingNotHeldYet {
            held_at: opts.held_at,
        });
    }
    if !opts.applicant_appeared && opts.held_at < notice.hearing_at {
        return Err(Error::NonAppearanceBeforeSetTime {
            held_at: kz_time(opts.held_at),
            hearing_at: notice.hearing_at,
        });
    }
    let calendar = Calendar::embedded().map_err(Error::Calendar)?;
    let held_on = eds_profile::kz_time::legal_date(opts.held_at);
    let latest = calendar
        .latest_hearing(notice.issued_on)
        .map_err(Error::Calendar)?;
    if held_on < notice.issued_on || held_on > latest {
        return Err(Error::HearingDateNotAllowed {
            hearing_on: held_on,
            notice_on: notice.issued_on,
            latest,
        });
    }
    let document = Document::HearingRecord(HearingRecord {
        record_number: opts
            .number
            .clone()
            .unwrap_or_else(|| format!("HR-{}", notice.notice_number)),
        service: notice.service,
        provider: notice.provider.clone(),
        recipient: notice.recipient.clone(),
        application_number: notice.application_number.clone(),
        notice_number: notice.notice_number.clone(),
        held_at: kz_time(opts.held_at),
        applicant_appeared: opts.applicant_appeared,
        applicant_position: opts.applicant_position.clone(),
        maintained_grounds: opts.maintained_grounds.clone(),
        issued_on: eds_profile::kz_time::legal_date(now),
        officer: Officer {
            position: opts.position.clone(),
            name: full_name(&officer_h),
        },
    });
    document.validate().map_err(|source| Error::Build {
        what: "hearing record",
        source,
    })?;
    let der = sign_document(officer, &document, "hearing record", now, rng)?;
    let report = verify(verifier, &der, now, "hearing record just signed")?;
    if report.indication != Indication::TotalPassed {
        return Err(Error::OfficerCertificateNotValid {
            what: "hearing record signed with this key",
            verdict: verdict_summary(&report),
        });
    }
    Ok(IssuedResult {
        document,
        der,
        deadline: None,
        deadline_note: None,
        in_time: None,
    })
}

/// A hearing notice signed by the body (its signature passing, its provider the body).
fn signed_hearing_notice(
    verifier: &Verifier,
    signed: &[u8],
    body_bin: &Bin,
    now: OffsetDateTime,
) -> Result<HearingNotice, Error> {
    let (report, doc) = verified(verifier, signed, now, Stage::Hearing, "hearing notice")?;
    let Document::HearingNotice(notice) = doc else {
        return Err(Error::HearingNoticeNotValid {
            reason: format!("the hearing notice file holds a {} document", doc.kind()),
        });
    };
    body_signed(&report, &notice.provider, body_bin, "hearing notice")
        .map_err(|reason| Error::HearingNoticeNotValid { reason })?;
    Ok(notice)
}

/// A hearing record signed by the body.
fn signed_hearing_record(
    verifier: &Verifier,
    signed: &[u8],
    body_bin: &Bin,
    now: OffsetDateTime,
) -> Result<HearingRecord, Error> {
    let (report, doc) = verified(verifier, signed, now, Stage::Record, "hearing record")?;
    let Document::HearingRecord(record) = doc else {
        return Err(Error::HearingRecordMismatch {
            reason: format!("the hearing record file holds a {} document", doc.kind()),
        });
    };
    body_signed(&report, &record.provider, body_bin, "hearing record")
        .map_err(|reason| Error::HearingRecordMismatch { reason })?;
    Ok(record)
}

/// Whether `report`'s signers are officers of the body and `provider` is the body.
fn body_signed(
    report: &DocumentReport,
    provider: &Provider,
    body_bin: &Bin,
    what: &str,
) -> Result<(), String> {
    if provider.bin != *body_bin {
        return Err(format!(
            "the {what} names the provider BIN {}, not the body's {}",
            provider.bin.as_str(),
            body_bin.as_str()
        ));
    }
    match holders(report)
        .into_iter()
        .map(|h| signatory::check_officer(h, body_bin))
        .find_map(Result::err)
    {
        Some(e) => Err(format!(
            "the {what} is not signed by the licensing body: {e}"
        )),
        None => Ok(()),
    }
}

/// A refusal on `ground` after the hearing recorded in `record`: the record of this application
/// and of the notice given, the ground among those that stood.
pub fn check_refusal_after_record(
    ground: RefusalGround,
    application: &eds_profile::documents::ApplicationNumber,
    notice: Option<&HearingNotice>,
    record: &HearingRecord,
) -> Result<(), Error> {
    if record.application_number != *application {
        return Err(Error::HearingRecordMismatch {
            reason: format!(
                "the hearing record concerns application {}, not {}",
                record.application_number.as_str(),
                application.as_str()
            ),
        });
    }
    if let Some(n) = notice
        && n.notice_number != record.notice_number
    {
        return Err(Error::HearingRecordMismatch {
            reason: format!(
                "the hearing record is of notice {}, not of notice {}",
                record.notice_number, n.notice_number
            ),
        });
    }
    if !record.maintained_grounds.contains(&ground) {
        return Err(Error::GroundNotMaintained {
            ground,
            record: record.record_number.clone(),
        });
    }
    Ok(())
}

/// The officer's holder, the application and its receipt, once the officer may sign for the body
/// and the receipt shows that body accepted that very application (EDS law art. 7.4).
fn accepted(
    verifier: &Verifier,
    application_signed: &[u8],
    receipt_signed: &[u8],
    officer: &Pkcs12Contents,
    body_bin: &Bin,
    now: OffsetDateTime,
) -> Result<(Holder, Document, Receipt), Error> {
    // The officer first: nothing else matters if this key may not sign for the body.
    let officer_h = officer_holder(officer)?;
    signatory::check_officer(&officer_h, body_bin).map_err(Error::Signatory)?;

    let (app_report, application) = verified(
        verifier,
        application_signed,
        now,
        Stage::Accepted,
        "application",
    )?;
    check_signer_is_applicant(&app_report, &application)?;
    let (receipt_report, receipt_doc) =
        verified(verifier, receipt_signed, now, Stage::Accepted, "receipt")?;
    let receipt = match receipt_doc {
        Document::Receipt(r) => r,
        other => {
            return Err(Error::ApplicationNotAccepted {
                reason: format!(
                    "the receipt file holds a {} document, not a receipt",
                    other.kind()
                ),
            });
        }
    };
    if let Some(e) = holders(&receipt_report)
        .into_iter()
        .map(|h| signatory::check_officer(h, body_bin))
        .find_map(Result::err)
    {
        return Err(Error::ApplicationNotAccepted {
            reason: format!("the receipt is not signed by the licensing body: {e}"),
        });
    }
    if receipt.receiver.bin != *body_bin {
        return Err(Error::ApplicationNotAccepted {
            reason: format!(
                "the receipt names the receiver BIN {}, not the body's {}",
                receipt.receiver.bin.as_str(),
                body_bin.as_str()
            ),
        });
    }
    if receipt.application_number != *application.application_number() {
        return Err(Error::ApplicationNotAccepted {
            reason: format!(
                "the receipt acknowledges application {}, not {}",
                receipt.application_number.as_str(),
                application.application_number().as_str()
            ),
        });
    }
    if receipt.content_sha256 != sha256_hex(application_signed) {
        return Err(Error::ApplicationNotAccepted {
 reason: "the receipt was given for another file (its SHA-256 differs from the application's)".to_owned(),
});
    }

    Ok((officer_h, application, receipt))
}

/// Checks the application and its receipt, then builds and signs the result with `officer`.
#[expect(
    clippy::too_many_arguments,
    reason = "the two signed inputs, the key, the body, the options, the clock and the randomness \
              are each what the caller decides"
)]
pub fn issue_result(
    verifier: &Verifier,
    application_signed: &[u8],
    receipt_signed: &[u8],
    officer: &Pkcs12Contents,
    body_bin: &Bin,
    opts: &IssueOptions,
    now: OffsetDateTime,
    rng: &dyn SecureRandom,
) -> Result<IssuedResult, Error> {
    let (officer_h, application, receipt) = accepted(
        verifier,
        application_signed,
        receipt_signed,
        officer,
        body_bin,
        now,
    )?;
    let service = application.service();
    let applicant = applicant_of(&application).ok_or(Error::NotAnApplication {
        kind: application.kind(),
    })?;
    let issued_on = eds_profile::kz_time::legal_date(now);
    let provider = Provider {
        name: officer_h
            .organization
            .clone()
            .unwrap_or_else(|| receipt.receiver.name.clone()),
        bin: *body_bin,
    };
    let officer_field = Officer {
        position: opts.position.clone(),
        name: full_name(&officer_h),
    };
    let app_no = application.application_number().clone();
    let number = |prefix: &str| {
        opts.number
            .clone()
            .unwrap_or_else(|| format!("{prefix}-{}", app_no.as_str()))
    };
    let recipient = applicant.to_party();
    // Completeness is a check over the typed attachments (paragraph 8 of the Requirements).
    let missing: Vec<Vec<AttachmentKind>> = missing_documents(&application)
        .into_iter()
        .map(<[AttachmentKind]>::to_vec)
        .collect();
    match (opts.decision, opts.ground) {
        (Decision::Grant, _) if !missing.is_empty() => {
            return Err(Error::DocumentsIncomplete {
                application: app_no.as_str().to_owned(),
                missing,
            });
        }
        (Decision::Refuse, Some(RefusalGround::IncompleteDocuments)) if missing.is_empty() => {
            return Err(Error::DocumentsComplete {
                application: app_no.as_str().to_owned(),
            });
        }
        _ => {}
    }
    let document = match (opts.decision, &application) {
        (Decision::Refuse, _) => {
            let ground = opts.ground.ok_or(Error::GroundMissing { service })?;
            if !service.allows_ground(ground) {
                return Err(Error::GroundNotOfService { ground, service });
            }
            if !service.allows_ground_for(ground, procedure_of(&application)) {
                return Err(Error::GroundNotForProcedure {
                    ground,
                    application: app_no,
                });
            }
            let notice = opts
                .hearing_notice
                .as_deref()
                .map(|signed| signed_hearing_notice(verifier, signed, body_bin, now))
                .transpose()?;
            let calendar = Calendar::embedded().map_err(Error::Calendar)?;
            check_refusal_after_hearing(ground, &app_no, issued_on, notice.as_ref(), &calendar)
                .map_err(Error::Hearing)?;
            // The result follows the hearing (paragraph 4): a substantive refusal rests on the
            // signed record of its outcome, the notice alone is not enough. (The notice is there:
            // `check_refusal_after_hearing` refused a substantive ground without one.)
            match (&opts.hearing_record, &notice) {
                (Some(signed), _) => {
                    let record = signed_hearing_record(verifier, signed, body_bin, now)?;
                    check_refusal_after_record(ground, &app_no, notice.as_ref(), &record)?;
                }
                (None, Some(n)) if ground.needs_hearing() => {
                    return Err(Error::HearingRecordRequired {
                        ground,
                        notice: n.notice_number.clone(),
                    });
                }
                (None, _) => {}
            }
            Document::Refusal(Refusal {
                refusal_number: number("R"),
                service,
                provider,
                recipient,
                application_number: app_no,
                application_date: filled_on(&application),
                grounds: vec![ground],
                reasoning: opts.reasoning.clone().unwrap_or_else(|| {
                    format!(
                        "Refused on the ground \"{}\" of the list of the service.",
                        ground_name(ground)
                    )
                }),
                issued_on,
                officer: officer_field,
            })
        }
        (Decision::Grant, Document::ReissueApplication(a)) => {
            Document::ReissuedLicence(ReissuedLicence {
                licence_number: opts
                    .number
                    .clone()
                    .unwrap_or_else(|| a.licence.licence_number.clone()),
                service,
                provider,
                licensee: recipient,
                activity: activity(service).into(),
                subtypes: a.subtypes.clone(),
                previous: a.licence.clone(),
                grounds: a.grounds.clone(),
                application_number: app_no,
                place_of_issue: opts.place.clone(),
                issued_on,
                officer: officer_field,
            })
        }
        (Decision::Grant, Document::Application(a)) => match service {
            // "A license and (or) annex to the license": an application naming the licence held
            // is answered with an annex to it.
            s if s.is_licence() && a.annex_to.is_some() => {
                let licence = a.annex_to.clone().ok_or(Error::Build {
                    what: "licence annex",
                    source: DocumentError::FieldRequired {
                        field: "annex_to".into(),
                        service,
                    },
                })?;
                Document::LicenceAnnex(LicenceAnnex {
                    annex_number: opts.number.clone().unwrap_or_else(|| {
                        format!("{}-A-{}", licence.licence_number, app_no.as_str())
                    }),
                    licence,
                    service,
                    provider,
                    licensee: recipient,
                    activity: activity(service).into(),
                    subtypes: a.subtypes.clone(),
                    application_number: app_no,
                    place_of_issue: opts.place.clone(),
                    issued_on,
                    officer: officer_field,
                })
            }
            s if s.is_licence() => Document::Licence(Licence {
                licence_number: number("L"),
                service,
                provider,
                licensee: recipient,
                activity: activity(service).into(),
                subtypes: a.subtypes.clone(),
                application_number: app_no,
                place_of_issue: opts.place.clone(),
                issued_on,
                officer: officer_field,
            }),
            Service::SpecialMeansTradePermit | Service::CryptoTradePermit => {
                let movement = a.movement.clone().ok_or(Error::Build {
                    what: "permit",
                    source: DocumentError::FieldRequired {
                        field: "movement".into(),
                        service,
                    },
                })?;
                let section = if service == Service::SpecialMeansTradePermit {
                    "2.17"
                } else {
                    "2.19"
                };
                Document::TradePermit(TradePermit {
                    permit_number: number("P"),
                    service,
                    provider,
                    recipient,
                    recipient_address: permit_recipient_address(service, &a.applicant),
                    application_number: app_no,
                    application_date: a.filled_on,
                    valid_until: trade_permit_valid_until(opts.valid_until, &movement),
                    movement,
                    // One line per item of the application: each is one piece.
                    goods: a
                        .goods
                        .iter()
                        .map(|g| PermitGoods {
                            name: g.name.clone(),
                            unified_list_section: section.into(),
                            commodity_code: g.commodity_code.clone().unwrap_or_default(),
                            unit: "piece".into(),
                            quantity: 1,
                        })
                        .collect(),
                    additional_info: a.additional_info.clone(),
                    issued_on,
                    officer: officer_field,
                })
            }
            Service::TechnicalStudy => {
                Document::TechnicalStudyConclusion(TechnicalStudyConclusion {
                    conclusion_number: number("C"),
                    service,
                    provider,
                    recipient,
                    application_number: app_no,
                    application_date: a.filled_on,
                    items: a
                        .goods
                        .iter()
                        .map(|g| StudyItem {
                            product_name: g.name.clone(),
                            commodity_code: g.commodity_code.clone().unwrap_or_default(),
                            result: opts.study_result,
                        })
                        .collect(),
                    validity: Validity::Indefinite,
                    issued_on,
                    officer: officer_field,
                })
            }
            Service::NotificationRegistration => {
                Document::NotificationRegistrationDecision(NotificationRegistrationDecision {
                    register_number: number("N"),
                    service,
                    provider,
                    recipient,
                    application_number: app_no,
                    application_date: a.filled_on,
                    goods_name: a
                        .goods
                        .iter()
                        .map(|g| g.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    registered_on: issued_on,
                    // Item 6 of the notification; the application's validation requires it.
                    notification_valid_until: a.notification_valid_until.ok_or(Error::Build {
                        what: "registration decision",
                        source: DocumentError::FieldRequired {
                            field: "notification_valid_until".into(),
                            service,
                        },
                    })?,
                    issued_on,
                    officer: officer_field,
                })
            }
            _ => Document::SalePermit(SalePermit {
                permit_number: number("S"),
                service,
                provider,
                recipient,
                application_number: app_no,
                application_date: a.filled_on,
                issued_on,
                officer: officer_field,
            }),
        },
        (Decision::Grant, other) => {
            return Err(Error::NotAnApplication { kind: other.kind() });
        }
    };
    document.validate().map_err(|source| Error::Build {
        what: "result",
        source,
    })?;
    let der = sign_document(officer, &document, "result", now, rng)?;
    if opts.self_check {
        // The signature carries the officer's chain, so verifying it checks the officer's
        // certificate (validity, revocation) with the same trust and CRLs as everything else.
        let report = verify(verifier, &der, now, "result just signed")?;
        if report.indication != Indication::TotalPassed {
            return Err(Error::OfficerCertificateNotValid {
                what: "result signed with this key",
                verdict: verdict_summary(&report),
            });
        }
    }
    // The term as the rules have it for this case: the periods outside it (samples, their
    // study, documents asked for) not counted, and service 6's extension after a hearing.
    let (deadline, deadline_note) = deadline_of(
        service,
        procedure_of(&application),
        receipt.received_at,
        &opts.pauses,
        opts.hearing_notice.is_some(),
    );
    let in_time = deadline.as_ref().map(|d| issued_on.to_string() <= d.due);
    Ok(IssuedResult {
        document,
        der,
        deadline,
        deadline_note,
        in_time,
    })
}

/// The entries of the service's list of documents `doc` (an application) lacks.
fn missing_documents(doc: &Document) -> Vec<&'static [AttachmentKind]> {
    match doc {
        Document::Application(a) => a.missing_documents(),
        Document::ReissueApplication(a) => a.missing_documents(),
        _ => Vec::new(),
    }
}

fn filled_on(doc: &Document) -> Date {
    match doc {
        Document::Application(a) => a.filled_on,
        Document::ReissueApplication(a) => a.filled_on,
        _ => Date::MIN,
    }
}

/// The kebab-case name of a service, as in the documents.
pub fn service_name(s: Service) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{s:?}"))
}

/// The kebab-case name of a refusal ground, as in the documents.
pub fn ground_name(g: RefusalGround) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{g:?}"))
}

/// One licensing check of a result.
#[derive(Debug, Clone, Serialize)]
pub struct LicensingCheck {
    /// Name of the check (well-formed, kind-of-service, provider, authorised-officer).
    pub name: &'static str,
    /// Whether it passed.
    pub passed: bool,
    /// What was found.
    pub detail: String,
}

/// What a relying party learns about a signed result.
#[derive(Debug, Serialize)]
pub struct ResultCheck {
    /// The signature's indication.
    pub indication: Indication,
    /// One line: indication / sub-indication — reason.
    pub verdict: String,
    /// Whether every licensing check passed.
    pub licensing_passed: bool,
    /// The licensing checks.
    pub checks: Vec<LicensingCheck>,
    /// The document, when it could be read.
    pub document: Option<Document>,
    /// The verifier's report.
    pub report: DocumentReport,
}

/// The relying party's check of a signed result.
pub fn check_result(
    verifier: &Verifier,
    signed: &[u8],
    body_bin: &Bin,
    now: OffsetDateTime,
) -> Result<ResultCheck, Error> {
    let report = verify(verifier, signed, now, "result")?;
    let mut checks = Vec::new();
    let mut check = |name, passed, detail: String| {
        checks.push(LicensingCheck {
            name,
            passed,
            detail,
        })
    };
    let document = match signed_document(signed) {
        Ok((_, doc)) => {
            check(
                "well-formed",
                true,
                format!("a valid {} in canonical JSON (RFC 8785)", doc.kind()),
            );
            Some(doc)
        }
        Err(e) => {
            check("well-formed", false, e.reason());
            None
        }
    };
    if let Some(doc) = &document {
        let service = doc.service();
        check(
            "kind-of-service",
            service.may_produce(doc.kind()),
            if service.may_produce(doc.kind()) {
                format!("{} is a result of {}", doc.kind(), service_name(service))
            } else {
                format!(
                    "{} does not produce a {}",
                    service_name(service),
                    doc.kind()
                )
            },
        );
        match doc.provider() {
            Some(p) if p.bin == *body_bin => check(
                "provider",
                true,
                format!("issued by {} (BIN {})", p.name, p.bin.as_str()),
            ),
            Some(p) => check(
                "provider",
                false,
                format!(
                    "the document names the provider BIN {}, not the body's {}",
                    p.bin.as_str(),
                    body_bin.as_str()
                ),
            ),
            None => check(
                "provider",
                false,
                "an application names no provider".to_owned(),
            ),
        }
    }
    let signers = holders(&report);
    if signers.is_empty() {
        check(
            "authorised-officer",
            false,
            "no signer's certificate could be read".to_owned(),
        );
    }
    for h in signers {
        match signatory::check_officer(h, body_bin) {
            Ok(()) => check(
                "authorised-officer",
                true,
                format!(
                    "signed by IIN {} for BIN {} ({})",
                    h.iin.as_deref().unwrap_or("-"),
                    body_bin.as_str(),
                    h.roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Err(e) => check("authorised-officer", false, format!("{}: {e}", e.code())),
        }
    }
    let licensing_passed = checks.iter().all(|c| c.passed);
    Ok(ResultCheck {
        indication: report.indication,
        verdict: verdict_summary(&report),
        licensing_passed,
        checks,
        document,
        report,
    })
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    /// Paragraph 4 of the rules: a term ending Friday 20 November 2026 takes a notice by Tuesday
    /// 17 November (3 working days before), and a hearing from the notice's day to 2 working
    /// days after it; the hearing's day is Astana's (00:30 there is still the next day).
    #[test]
    fn hearing_notice_timing_paragraph4_valid_and_invalid() {
        let cal = Calendar::embedded().unwrap_or_else(|e| panic!("{e}"));
        let ends = date!(2026 - 11 - 20);
        let check = |on, at| check_hearing_notice_timing(&cal, ends, on, at);
        assert_eq!(
            check(date!(2026 - 11 - 17), datetime!(2026-11-19 11:00 +05:00)),
            Ok(())
        );
        assert_eq!(
            check(date!(2026 - 11 - 18), datetime!(2026-11-19 11:00 +05:00)),
            Err(Error::HearingNoticeLate {
                issued_on: date!(2026 - 11 - 18),
                term_ends_on: ends,
                latest: date!(2026 - 11 - 17),
            })
        );
        // Friday 13 November: Monday and Tuesday are the 2 working days after it.
        assert_eq!(
            check(date!(2026 - 11 - 13), datetime!(2026-11-17 18:00 +05:00)),
            Ok(())
        );
        assert_eq!(
            check(date!(2026 - 11 - 13), datetime!(2026-11-17 19:30 UTC)),
            Err(Error::HearingDateNotAllowed {
                hearing_on: date!(2026 - 11 - 18),
                notice_on: date!(2026 - 11 - 13),
                latest: date!(2026 - 11 - 17),
            })
        );
        assert_eq!(
            check(date!(2026 - 11 - 13), datetime!(2026-11-12 11:00 +05:00)),
            Err(Error::HearingDateNotAllowed {
                hearing_on: date!(2026 - 11 - 12),
                notice_on: date!(2026 - 11 - 13),
                latest: date!(2026 - 11 - 17),
            })
        );
        assert_eq!(
            Error::HearingNoticeLate {
                issued_on: date!(2026 - 11 - 18),
                term_ends_on: ends,
                latest: date!(2026 - 11 - 17),
            }
            .code(),
            Some("hearing-notice-late")
        );
    }

    /// Service 6 (paragraph 4 and Annex 1, "Term"): 5 working days, 7 with a hearing; the
    /// working days of a pause (samples) are not counted. Registered Monday 2 November 2026.
    #[test]
    fn term_pauses_and_service6_hearing_extension() {
        let arrived = datetime!(2026-11-02 10:00 +05:00);
        let due = |pauses: &[Excluded], hearing| {
            deadline_of(
                Service::TechnicalStudy,
                Procedure::Issue,
                arrived,
                pauses,
                hearing,
            )
            .0
            .map(|d| (d.working_days, d.due))
        };
        assert_eq!(due(&[], false), Some((5, "2026-11-09".to_owned())));
        assert_eq!(due(&[], true), Some((7, "2026-11-11".to_owned())));
        let samples = Excluded::between(date!(2026 - 11 - 03), date!(2026 - 11 - 05));
        assert_eq!(due(&[samples], false), Some((5, "2026-11-12".to_owned())));
        assert_eq!(due(&[samples], true), Some((7, "2026-11-16".to_owned())));
    }
}
