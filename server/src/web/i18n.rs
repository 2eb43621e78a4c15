//! The page's words in Kazakh, Russian and English: one [`Texts`] table per language, so a
//! string missing in one language is a compile error (a struct literal must name every field,
//! and every `match` over an enum must cover every variant).
//!
//! The language of a request ([`choose`]): the `lang` query parameter (the switch in the page's
//! header; it also sets the `eds_lang` cookie for a year), else that cookie, else the best match
//! of `Accept-Language` (RFC 9110 §12.5.4: quality values, `q=0` refuses), else English.
//!
//! Terms: электрондық цифрлық қолтаңба (ЭЦҚ) in Kazakh, электронная цифровая подпись (ЭЦП) in
//! Russian, as the EDS law's own Kazakh and Russian texts name it; the certificate is тіркеу
//! куәлігі in Kazakh and, in plain Russian, сертификат (the law's регистрационное свидетельство).
//!
//! The page keeps no upload, so the switch on a result page opens the form in the chosen
//! language (the choice is remembered for the next check). The verifier's own findings (the
//! details of each check, error messages) are English in every language; the page says so.

use axum::http::{HeaderMap, header};

use eds_profile::documents::{Kind, Service};
use eds_profile::holder::Role;
use eds_verifier::verdict::{Indication, SubIndication};

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// Kazakh (`kk`).
    Kk,
    /// Russian (`ru`).
    Ru,
    /// English (`en`).
    En,
}

/// The cookie that remembers the switch.
pub(crate) const COOKIE: &str = "eds_lang";

impl Lang {
    /// The three, in the order of the switch.
    pub(crate) const ALL: [Self; 3] = [Self::Kk, Self::Ru, Self::En];

    /// The BCP 47 code (`lang` attribute, query parameter, cookie).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Kk => "kk",
            Self::Ru => "ru",
            Self::En => "en",
        }
    }

    /// The language whose code is `code` (primary subtag, any case).
    pub(crate) fn from_code(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(primary))
    }

    /// The words of this language.
    pub(crate) fn texts(self) -> &'static Texts {
        match self {
            Self::Kk => &KK,
            Self::Ru => &RU,
            Self::En => &EN,
        }
    }
}

/// How the language was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Choice {
    /// The language.
    pub(crate) lang: Lang,
    /// Whether it came from the query parameter (the answer then sets the cookie).
    pub(crate) from_query: bool,
}

/// The language of a request: `?lang=`, the cookie, `Accept-Language`, English.
pub(crate) fn choose(query: Option<&str>, headers: &HeaderMap) -> Choice {
    if let Some(lang) = query.and_then(query_lang) {
        return Choice {
            lang,
            from_query: true,
        };
    }
    let from_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| k.trim() == COOKIE)
        .and_then(|(_, v)| Lang::from_code(v));
    let lang = from_cookie
        .or_else(|| {
            let values: Vec<&str> = headers
                .get_all(header::ACCEPT_LANGUAGE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            accept_language(&values.join(","))
        })
        .unwrap_or(Lang::En);
    Choice {
        lang,
        from_query: false,
    }
}

/// The `lang` parameter of a query string, when it names one of the three.
fn query_lang(query: &str) -> Option<Lang> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == "lang")
        .and_then(|(_, v)| Lang::from_code(v))
}

/// The best of the three by an `Accept-Language` value (RFC 9110 §12.5.4): the highest quality
/// wins, the first listed among equals; `q=0` means "not this one"; `*` stands for English.
pub(crate) fn accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(u16, Lang)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let mut q: u16 = 1000;
        for p in parts {
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = quality(v.trim()).unwrap_or(0);
            }
        }
        let lang = if tag == "*" {
            Some(Lang::En)
        } else {
            Lang::from_code(tag)
        };
        if let Some(lang) = lang
            && q > 0
            && best.is_none_or(|(bq, _)| q > bq)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, l)| l)
}

/// A quality value ("0", "0.8", "1.000") in thousandths; `None` when malformed.
fn quality(v: &str) -> Option<u16> {
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let mut digits = frac.to_owned();
    while digits.len() < 3 {
        digits.push('0');
    }
    let frac: u16 = digits.parse().ok()?;
    let q = whole.checked_add(frac)?;
    (q <= 1000).then_some(q)
}

/// Every word of the page in one language.
pub(crate) struct Texts {
    /// The language's own name, for the switch.
    pub(crate) name: &'static str,
    /// The label of the switch (for screen readers).
    pub(crate) switch: &'static str,
    /// The header's title.
    pub(crate) brand: &'static str,
    /// The footer.
    pub(crate) footer: &'static str,
    /// "Machines: POST /api/v1/verify returns the same report as JSON."
    pub(crate) footer_api: &'static str,
    /// The city whose time is shown beside UTC.
    pub(crate) astana: &'static str,

    /// The form's title (and the page title).
    pub(crate) form_title: &'static str,
    /// The text under it.
    pub(crate) form_lead: &'static str,
    /// The first field.
    pub(crate) signature_label: &'static str,
    /// "required".
    pub(crate) required: &'static str,
    /// The first field's hint.
    pub(crate) signature_hint: &'static str,
    /// The second field.
    pub(crate) content_label: &'static str,
    /// "only for a detached signature".
    pub(crate) content_optional: &'static str,
    /// The second field's hint.
    pub(crate) content_hint: &'static str,
    /// "Limit:" before the size.
    pub(crate) limit_before: &'static str,
    /// After the size.
    pub(crate) limit_after: &'static str,
    /// The button.
    pub(crate) submit: &'static str,
    /// "What is checked".
    pub(crate) checked_title: &'static str,
    /// The four steps.
    pub(crate) checked_steps: [&'static str; 4],
    /// "Trusted center(s):".
    pub(crate) trusted_centers: &'static str,
    /// No trusted center could be loaded.
    pub(crate) trusted_none: &'static str,

    /// The upload is over the limit: title.
    pub(crate) too_large_title: &'static str,
    /// … text before the size.
    pub(crate) too_large_before: &'static str,
    /// … text after the size, before the command.
    pub(crate) too_large_after: &'static str,
    /// A fault of the server: title.
    pub(crate) server_fault_title: &'static str,
    /// … text.
    pub(crate) server_fault_text: &'static str,
    /// The upload could not be read: title (the reason follows, in English).
    pub(crate) unreadable_title: &'static str,
    /// "The reason, as the server states it:".
    pub(crate) reason_as_stated: &'static str,
    /// "Back to the form".
    pub(crate) back: &'static str,

    /// The banner's first line by indication.
    pub(crate) headline_passed: &'static str,
    /// …
    pub(crate) headline_failed: &'static str,
    /// …
    pub(crate) headline_indeterminate: &'static str,
    /// The file is no signature at all.
    pub(crate) headline_not_signature: &'static str,
    /// "Technical detail:".
    pub(crate) technical_detail: &'static str,
    /// The verdict in plain words.
    pub(crate) reason: fn(Indication, Option<SubIndication>) -> &'static str,
    /// "Signed by".
    pub(crate) signed_by: &'static str,
    /// "Signature file".
    pub(crate) file_signature: &'static str,
    /// "Document file".
    pub(crate) file_document: &'static str,
    /// "Detached signature: the document was checked from the second file."
    pub(crate) detached: &'static str,
    /// "Signatures in the file".
    pub(crate) signature_count: &'static str,
    /// "What to do" after a file that is not a signature.
    pub(crate) what_to_do_title: &'static str,
    /// … its text.
    pub(crate) what_to_do: &'static str,
    /// "Trusted:" under the result.
    pub(crate) trusted_short: &'static str,
    /// "Revocation: this center's published CRLs, offline."
    pub(crate) revocation_offline: &'static str,
    /// "Verify another document".
    pub(crate) another: &'static str,

    /// A document's kind.
    pub(crate) kind: fn(Kind) -> &'static str,
    /// A service's name.
    pub(crate) service: fn(Service) -> &'static str,
    /// "Service".
    pub(crate) service_label: &'static str,
    /// "Issued by".
    pub(crate) provider: &'static str,
    /// "Application".
    pub(crate) application: &'static str,
    /// The document's signature did not pass.
    pub(crate) not_reliable: &'static str,
    /// "Download the signed content".
    pub(crate) download: &'static str,
    /// "bytes, exactly as signed".
    pub(crate) download_hint: &'static str,
    /// "Signed content".
    pub(crate) content_title: &'static str,
    /// The content is not a licensing document.
    pub(crate) content_other: &'static str,
    /// "All fields of the document".
    pub(crate) all_fields: &'static str,
    /// "details" after a document's kind.
    pub(crate) details: &'static str,
    /// The fields cannot be shown.
    pub(crate) fields_unavailable: &'static str,
    /// "yes" / "no" in the document's fields.
    pub(crate) yes_no: [&'static str; 2],
    /// A field's label by its JSON key; `None` for a key without a translation (the key's
    /// English words are shown).
    pub(crate) field: fn(&str) -> Option<&'static str>,

    /// "Technical details".
    pub(crate) technical: &'static str,
    /// "Signature".
    pub(crate) signature: &'static str,
    /// "of" in "Signature 2 of 3".
    pub(crate) of: &'static str,
    /// "Signer".
    pub(crate) signer: &'static str,
    /// "Name".
    pub(crate) name_label: &'static str,
    /// "Organisation".
    pub(crate) organisation: &'static str,
    /// "Roles".
    pub(crate) roles: &'static str,
    /// A role of the certificate.
    pub(crate) role: fn(Role) -> &'static str,
    /// "Certificate".
    pub(crate) certificate: &'static str,
    /// "serial".
    pub(crate) serial: &'static str,
    /// "valid from".
    pub(crate) valid_from: &'static str,
    /// "to".
    pub(crate) valid_to: &'static str,
    /// The signer's certificate is not in the file.
    pub(crate) signer_unknown: &'static str,
    /// "Signing time".
    pub(crate) signing_time: &'static str,
    /// "Proven".
    pub(crate) proven: &'static str,
    /// … by a timestamp.
    pub(crate) proven_basis: &'static str,
    /// "Claimed".
    pub(crate) claimed: &'static str,
    /// … not a proof.
    pub(crate) claimed_basis: &'static str,
    /// "Judged at".
    pub(crate) judged_at: &'static str,
    /// The time basis: now, given, timestamp.
    pub(crate) basis: [&'static str; 3],
    /// "Certificate chain".
    pub(crate) chain: &'static str,
    /// The places in the chain: signer, issuing center, root center.
    pub(crate) chain_roles: [&'static str; 3],
    /// "Ends at the trusted center".
    pub(crate) ends_at: &'static str,
    /// "Revocation status from:".
    pub(crate) revocation_from: &'static str,
    /// "Checks".
    pub(crate) checks: &'static str,
    /// Outcomes: passed, failed, undecided, not run.
    pub(crate) outcomes: [&'static str; 4],
    /// The titles of the verifier's checks.
    pub(crate) check_titles: CheckTitles,
    /// "Warnings".
    pub(crate) warnings: &'static str,
    /// The findings of the checks are in English.
    pub(crate) findings_in_english: &'static str,
}

/// The titles of the verifier's checks, one field per check name of the report.
pub(crate) struct CheckTitles {
    /// `format`.
    pub(crate) format: &'static str,
    /// `signing_certificate`.
    pub(crate) signing_certificate: &'static str,
    /// `message_digest`.
    pub(crate) message_digest: &'static str,
    /// `signature`.
    pub(crate) signature: &'static str,
    /// `timestamp`.
    pub(crate) timestamp: &'static str,
    /// `chain`.
    pub(crate) chain: &'static str,
    /// `validity`.
    pub(crate) validity: &'static str,
    /// `accreditation`.
    pub(crate) accreditation: &'static str,
    /// `revocation`.
    pub(crate) revocation: &'static str,
    /// `scope`.
    pub(crate) scope: &'static str,
    /// `expectations`.
    pub(crate) expectations: &'static str,
    /// Any other.
    pub(crate) other: &'static str,
}

impl CheckTitles {
    /// The title of the check named `name` in the report.
    pub(crate) fn of(&self, name: &str) -> &'static str {
        match name {
            "format" => self.format,
            "signing_certificate" => self.signing_certificate,
            "message_digest" => self.message_digest,
            "signature" => self.signature,
            "timestamp" => self.timestamp,
            "chain" => self.chain,
            "validity" => self.validity,
            "accreditation" => self.accreditation,
            "revocation" => self.revocation,
            "scope" => self.scope,
            "expectations" => self.expectations,
            _ => self.other,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// English.

const EN: Texts = Texts {
    name: "English",
    switch: "Language",
    brand: "EDS signature verification",
    footer: "Checked by this certification center's own server, offline: its root certificate is \
             the trust anchor and its published CRLs give the revocation status. Uploaded files \
             are held in memory for the check only and are not stored.",
    footer_api: "Machines: POST /api/v1/verify returns the same report as JSON.",
    astana: "Astana",
    form_title: "Verify a signed document",
    form_lead: "Upload a file signed with an electronic digital signature (CMS / CAdES: .p7s, \
                .cms, .sig, PEM or DER). The page tells you whether the signature is valid, who \
                signed, when, and — for a licence, permit or other licensing document — what it \
                says.",
    signature_label: "Signature file",
    required: "required",
    signature_hint: "The signed file. A signature with the document inside it (attached) is all \
                     you need.",
    content_label: "Signed document",
    content_optional: "only for a detached signature",
    content_hint: "When the signature was made apart from the document (detached), add the \
                   document here.",
    limit_before: "Limit:",
    limit_after: "for both files together. Larger uploads are refused.",
    submit: "Verify",
    checked_title: "What is checked",
    checked_steps: [
        "The document has not changed since it was signed, and the signature matches the \
         signer's certificate.",
        "The certificate was valid and not revoked when the document was signed.",
        "The certificate may be used for signing documents.",
        "The certificate was issued by a trusted certification center.",
    ],
    trusted_centers: "Trusted centers:",
    trusted_none: "Trusted center: none could be loaded; every verdict will be INDETERMINATE.",
    too_large_title: "The upload is too large",
    too_large_before: "The signature and the signed document may weigh",
    too_large_after: "together; this upload is larger. Nothing was checked. Verify a larger \
                      document with the command line:",
    server_fault_title: "The server could not check this upload",
    server_fault_text: "The fault is on the server's side and is in its log; please try again \
                        later.",
    unreadable_title: "The upload could not be read",
    reason_as_stated: "The reason:",
    back: "Back to the form",
    headline_passed: "Passed — the signature is valid",
    headline_failed: "Failed — the signature is not valid",
    headline_indeterminate: "Indeterminate — the signature could not be confirmed",
    headline_not_signature: "Failed — this file is not a signature",
    technical_detail: "Technical detail:",
    reason: reason_en,
    signed_by: "Signed by",
    file_signature: "Signature file",
    file_document: "Document file",
    detached: "Detached signature: the document was checked from the second file.",
    signature_count: "Signatures in the file",
    what_to_do_title: "What to do",
    what_to_do: "Check that you chose the signature file itself (often .p7s, .cms or .sig), not \
                 the document it signs. A signature made apart from its document goes in the \
                 first field and the document in the second.",
    trusted_short: "Trusted:",
    revocation_offline: "Revocation: this center's published CRLs, offline.",
    another: "Verify another document",
    kind: kind_en,
    service: service_en,
    service_label: "Service",
    provider: "Issued by",
    application: "Application",
    not_reliable: "The signature over this document did not pass: what follows is what the file \
                   contains, not something you can rely on.",
    download: "Download the signed content",
    download_hint: "bytes, exactly as signed",
    content_title: "Signed content",
    content_other: "The signed content is not a licensing document; download it to open it.",
    all_fields: "All fields of the document",
    details: "details",
    fields_unavailable: "The document's fields cannot be shown.",
    yes_no: ["yes", "no"],
    field: field_en,
    technical: "Technical details",
    signature: "Signature",
    of: "of",
    signer: "Signer",
    name_label: "Name",
    organisation: "Organisation",
    roles: "Roles",
    role: role_en,
    certificate: "Certificate",
    serial: "serial",
    valid_from: "valid from",
    valid_to: "to",
    signer_unknown: "unknown: the signer's certificate is not in the file",
    signing_time: "Signing time",
    proven: "Proven",
    proven_basis: "proven by a timestamp from a timestamp authority",
    claimed: "Claimed",
    claimed_basis: "stated by the signer; not a proof",
    judged_at: "Judged at",
    basis: [
        "the time of this check: nothing proves when the document was signed",
        "a time given for this check",
        "the timestamp: a proof that the signature existed then",
    ],
    chain: "Certificate chain",
    chain_roles: ["signer", "issuing center", "root center"],
    ends_at: "Ends at the trusted center",
    revocation_from: "Revocation status from:",
    checks: "Checks",
    outcomes: ["passed", "failed", "undecided", "not run"],
    check_titles: CheckTitles {
        format: "Signature format",
        signing_certificate: "Signer's certificate present",
        message_digest: "Document unchanged",
        signature: "Signature value",
        timestamp: "Signature timestamp",
        chain: "Chain to a trusted center",
        validity: "Certificate validity",
        accreditation: "Center accredited",
        revocation: "Not revoked",
        scope: "Allowed for signing",
        expectations: "Expected signer",
        other: "Check",
    },
    warnings: "Warnings",
    findings_in_english: "",
};

fn reason_en(indication: Indication, sub: Option<SubIndication>) -> &'static str {
    match (indication, sub) {
        (Indication::TotalPassed, _) => {
            "The document has not been changed since it was signed, the signature matches the \
             signer's certificate, and that certificate was valid, not revoked, allowed for \
             signing and issued by a trusted certification center."
        }
        (_, Some(SubIndication::FormatFailure)) => {
            "This file is not an electronic signature that can be read, or it is damaged."
        }
        (_, Some(SubIndication::HashFailure)) => {
            "The document was changed after it was signed (or it is not the document this \
             signature was made for)."
        }
        (_, Some(SubIndication::SigCryptoFailure)) => {
            "The signature does not match the signer's certificate: it is damaged or forged."
        }
        (_, Some(SubIndication::Revoked)) => {
            "The signer's certificate had been revoked before the document was signed."
        }
        (_, Some(SubIndication::Expired)) => {
            "The signer's certificate had already expired when the document was signed."
        }
        (_, Some(SubIndication::NotYetValid)) => {
            "The document was signed before the signer's certificate became valid."
        }
        (_, Some(SubIndication::SigConstraintsFailure)) => {
            "The certificate may not be used for this signature, or the signer is not the \
             person or organisation expected."
        }
        (_, Some(SubIndication::ChainConstraintsFailure)) => {
            "A certificate of the chain breaks the rules for certification centers (for \
             example, the center was not accredited when the document was signed)."
        }
        (_, Some(SubIndication::CertificateChainGeneralFailure)) => {
            "The chain of certificates from the signer to the certification center could not \
             be validated."
        }
        (_, Some(SubIndication::CryptoConstraintsFailure)) => {
            "The signature uses an algorithm or key that is not accepted here (for example \
             GOST or SHA-1)."
        }
        (_, Some(SubIndication::NoSigningCertificateFound)) => {
            "The signer's certificate is not in the file, so the signer cannot be identified."
        }
        (_, Some(SubIndication::NoCertificateChainFound)) => {
            "The signer's certificate was not issued by a certification center trusted here."
        }
        (_, Some(SubIndication::RevokedNoPoe)) => {
            "The signer's certificate has been revoked, and nothing proves the document was \
             signed before that."
        }
        (_, Some(SubIndication::RevokedCaNoPoe)) => {
            "The certification center's own certificate has been revoked, and nothing proves \
             the document was signed before that."
        }
        (_, Some(SubIndication::OutOfBoundsNoPoe)) => {
            "The signer's certificate is not valid now, and nothing proves the document was \
             signed while it was."
        }
        (_, Some(SubIndication::TryLater)) => {
            "Whether the certificate has been revoked cannot be told right now; try again later."
        }
        (_, Some(SubIndication::SignedDataNotFound)) => {
            "This signature was made apart from its document: add the signed document in the \
             form's second field."
        }
        (Indication::TotalFailed, None) => "The signature is not valid.",
        (Indication::Indeterminate, None) => "The signature could not be confirmed.",
    }
}

fn kind_en(k: Kind) -> &'static str {
    match k {
        Kind::Application => "Application",
        Kind::ReissueApplication => "Application to reissue a licence",
        Kind::Licence => "Licence",
        Kind::ReissuedLicence => "Reissued licence",
        Kind::LicenceAnnex => "Annex to a licence",
        Kind::TradePermit => "Conclusion (permit) for import, export or transit",
        Kind::TechnicalStudyConclusion => "Conclusion on a technical study",
        Kind::NotificationRegistrationDecision => "Decision on registering a notification",
        Kind::SalePermit => "Permit for sale",
        Kind::Refusal => "Reasoned refusal",
        Kind::HearingNotice => "Notice of a hearing",
        Kind::HearingRecord => "Record of a hearing",
        Kind::Receipt => "Receipt of an electronic document",
    }
}

fn service_en(s: Service) -> &'static str {
    s.title()
}

fn role_en(r: Role) -> &'static str {
    match r {
        Role::Individual => "individual",
        Role::LegalEntity => "acts for a legal entity",
        Role::FirstHead => "first head",
        Role::SigningRight => "right to sign",
        Role::FinancialSigningRight => "right to sign financial documents",
        Role::Hr => "human resources",
        Role::Employee => "employee without signing right",
    }
}

/// English labels are the keys' own words (see `label` in the page module).
fn field_en(_key: &str) -> Option<&'static str> {
    None
}

// ---------------------------------------------------------------------------------------------
// Russian.

const RU: Texts = Texts {
    name: "Русский",
    switch: "Язык",
    brand: "Проверка электронной цифровой подписи",
    footer: "Проверку выполняет сервер этого удостоверяющего центра, без обращения к сети: его \
             корневой сертификат служит точкой доверия, а опубликованные им списки отозванных \
             сертификатов (CRL) показывают, отозван ли сертификат. Загруженные файлы хранятся в \
             памяти только на время проверки и нигде не сохраняются.",
    footer_api: "Для программ: POST /api/v1/verify возвращает тот же отчёт в формате JSON.",
    astana: "Астана",
    form_title: "Проверка подписанного документа",
    form_lead: "Загрузите файл, подписанный электронной цифровой подписью (ЭЦП) в формате CMS / \
                CAdES: .p7s, .cms, .sig, PEM или DER. Страница покажет, действительна ли \
                подпись, кто и когда подписал, а для лицензии, разрешения или другого \
                разрешительного документа — что в нём написано.",
    signature_label: "Файл подписи",
    required: "обязательно",
    signature_hint: "Подписанный файл. Если документ находится внутри подписи (присоединённая \
                     подпись), больше ничего не нужно.",
    content_label: "Подписанный документ",
    content_optional: "только для отсоединённой подписи",
    content_hint: "Если подпись создана отдельно от документа (отсоединённая подпись), добавьте \
                   документ сюда.",
    limit_before: "Предел:",
    limit_after: "на оба файла вместе. Файлы большего размера не принимаются.",
    submit: "Проверить",
    checked_title: "Что проверяется",
    checked_steps: [
        "Документ не изменялся после подписания, и подпись соответствует сертификату \
         подписавшего.",
        "Сертификат был действителен и не отозван в момент подписания.",
        "Сертификат разрешено использовать для подписания документов.",
        "Сертификат выдан доверенным удостоверяющим центром.",
    ],
    trusted_centers: "Доверенные центры:",
    trusted_none: "Доверенный центр загрузить не удалось; каждая проверка закончится \
                   результатом INDETERMINATE (не определено).",
    too_large_title: "Файл слишком большой",
    too_large_before: "Подпись и подписанный документ вместе могут занимать не более",
    too_large_after: "— загруженные файлы больше. Ничего не проверено. Большой документ \
                      можно проверить в командной строке:",
    server_fault_title: "Сервер не смог проверить файл",
    server_fault_text: "Ошибка на стороне сервера, она записана в его журнал; попробуйте \
                        позже.",
    unreadable_title: "Не удалось прочитать загруженные данные",
    reason_as_stated: "Причина (на английском):",
    back: "Вернуться к форме",
    headline_passed: "Подпись действительна",
    headline_failed: "Подпись недействительна",
    headline_indeterminate: "Подпись не удалось подтвердить",
    headline_not_signature: "Этот файл не является подписью",
    technical_detail: "Техническая подробность (на английском):",
    reason: reason_ru,
    signed_by: "Подписал",
    file_signature: "Файл подписи",
    file_document: "Файл документа",
    detached: "Отсоединённая подпись: документ проверен по второму файлу.",
    signature_count: "Подписей в файле",
    what_to_do_title: "Что делать",
    what_to_do: "Убедитесь, что выбран сам файл подписи (обычно .p7s, .cms или .sig), а не \
                 подписанный им документ. Отсоединённая подпись загружается в первое поле, а \
                 документ — во второе.",
    trusted_short: "Доверенные центры:",
    revocation_offline: "Отзыв сертификатов: опубликованные списки этого центра (CRL), без \
                         обращения к сети.",
    another: "Проверить другой документ",
    kind: kind_ru,
    service: service_ru,
    service_label: "Государственная услуга",
    provider: "Выдал",
    application: "Заявление",
    not_reliable: "Подпись под этим документом не прошла проверку: ниже показано содержимое \
                   файла, полагаться на него нельзя.",
    download: "Скачать подписанное содержимое",
    download_hint: "байт, точно как подписано",
    content_title: "Подписанное содержимое",
    content_other: "Подписанное содержимое не является документом лицензирования; скачайте его, \
                    чтобы открыть.",
    all_fields: "Все поля документа",
    details: "сведения",
    fields_unavailable: "Поля документа показать не удалось.",
    yes_no: ["да", "нет"],
    field: field_ru,
    technical: "Технические подробности",
    signature: "Подпись",
    of: "из",
    signer: "Подписавший",
    name_label: "ФИО",
    organisation: "Организация",
    roles: "Роли",
    role: role_ru,
    certificate: "Сертификат",
    serial: "серийный номер",
    valid_from: "действует с",
    valid_to: "по",
    signer_unknown: "неизвестен: сертификата подписавшего нет в файле",
    signing_time: "Время подписания",
    proven: "Доказано",
    proven_basis: "подтверждено меткой времени службы меток времени",
    claimed: "Заявлено",
    claimed_basis: "указано подписавшим; не является доказательством",
    judged_at: "Проверено на момент",
    basis: [
        "время этой проверки: момент подписания ничем не подтверждён",
        "время, заданное для этой проверки",
        "метка времени: доказательство, что подпись тогда уже существовала",
    ],
    chain: "Цепочка сертификатов",
    chain_roles: ["подписавший", "выдающий центр", "корневой центр"],
    ends_at: "Заканчивается доверенным центром",
    revocation_from: "Сведения об отзыве:",
    checks: "Проверки",
    outcomes: ["пройдена", "не пройдена", "не определено", "не выполнялась"],
    check_titles: CheckTitles {
        format: "Формат подписи",
        signing_certificate: "Сертификат подписавшего есть в файле",
        message_digest: "Документ не изменён",
        signature: "Значение подписи",
        timestamp: "Метка времени подписи",
        chain: "Цепочка до доверенного центра",
        validity: "Срок действия сертификата",
        accreditation: "Центр аккредитован",
        revocation: "Сертификат не отозван",
        scope: "Разрешён для подписания",
        expectations: "Ожидаемый подписавший",
        other: "Проверка",
    },
    warnings: "Предупреждения",
    findings_in_english: "Подробности проверок приводятся на английском языке.",
};

fn reason_ru(indication: Indication, sub: Option<SubIndication>) -> &'static str {
    match (indication, sub) {
        (Indication::TotalPassed, _) => {
            "Документ не изменялся после подписания, подпись соответствует сертификату \
             подписавшего, а сертификат был действителен, не отозван, разрешён для подписания \
             и выдан доверенным удостоверяющим центром."
        }
        (_, Some(SubIndication::FormatFailure)) => {
            "Этот файл не является читаемой электронной цифровой подписью или повреждён."
        }
        (_, Some(SubIndication::HashFailure)) => {
            "Документ изменён после подписания (или это не тот документ, для которого создана \
             подпись)."
        }
        (_, Some(SubIndication::SigCryptoFailure)) => {
            "Подпись не соответствует сертификату подписавшего: она повреждена или подделана."
        }
        (_, Some(SubIndication::Revoked)) => {
            "Сертификат подписавшего был отозван до подписания документа."
        }
        (_, Some(SubIndication::Expired)) => {
            "Срок действия сертификата подписавшего истёк до подписания документа."
        }
        (_, Some(SubIndication::NotYetValid)) => {
            "Документ подписан до начала срока действия сертификата подписавшего."
        }
        (_, Some(SubIndication::SigConstraintsFailure)) => {
            "Сертификат нельзя использовать для этой подписи, или подписал не тот человек или \
             не та организация, которые ожидались."
        }
        (_, Some(SubIndication::ChainConstraintsFailure)) => {
            "Один из сертификатов цепочки нарушает правила для удостоверяющих центров \
             (например, центр не был аккредитован в момент подписания)."
        }
        (_, Some(SubIndication::CertificateChainGeneralFailure)) => {
            "Не удалось проверить цепочку сертификатов от подписавшего до удостоверяющего \
             центра."
        }
        (_, Some(SubIndication::CryptoConstraintsFailure)) => {
            "Подпись использует алгоритм или ключ, которые здесь не принимаются (например, ГОСТ \
             или SHA-1)."
        }
        (_, Some(SubIndication::NoSigningCertificateFound)) => {
            "Сертификата подписавшего нет в файле, поэтому установить подписавшего нельзя."
        }
        (_, Some(SubIndication::NoCertificateChainFound)) => {
            "Сертификат подписавшего выдан не тем удостоверяющим центром, которому здесь \
             доверяют."
        }
        (_, Some(SubIndication::RevokedNoPoe)) => {
            "Сертификат подписавшего отозван, и ничто не доказывает, что документ подписан до \
             отзыва."
        }
        (_, Some(SubIndication::RevokedCaNoPoe)) => {
            "Сертификат самого удостоверяющего центра отозван, и ничто не доказывает, что \
             документ подписан до отзыва."
        }
        (_, Some(SubIndication::OutOfBoundsNoPoe)) => {
            "Сертификат подписавшего сейчас недействителен, и ничто не доказывает, что документ \
             подписан, пока он действовал."
        }
        (_, Some(SubIndication::TryLater)) => {
            "Сейчас нельзя узнать, отозван ли сертификат; попробуйте позже."
        }
        (_, Some(SubIndication::SignedDataNotFound)) => {
            "Эта подпись создана отдельно от документа: добавьте подписанный документ во второе \
             поле формы."
        }
        (Indication::TotalFailed, None) => "Подпись недействительна.",
        (Indication::Indeterminate, None) => "Подпись не удалось подтвердить.",
    }
}

fn kind_ru(k: Kind) -> &'static str {
    match k {
        Kind::Application => "Заявление",
        Kind::ReissueApplication => "Заявление о переоформлении лицензии",
        Kind::Licence => "Лицензия",
        Kind::ReissuedLicence => "Переоформленная лицензия",
        Kind::LicenceAnnex => "Приложение к лицензии",
        Kind::TradePermit => "Заключение (разрешительный документ) на ввоз, вывоз или транзит",
        Kind::TechnicalStudyConclusion => "Заключение по техническому исследованию",
        Kind::NotificationRegistrationDecision => "Решение о регистрации нотификации",
        Kind::SalePermit => "Разрешение на реализацию",
        Kind::Refusal => "Мотивированный отказ",
        Kind::HearingNotice => "Уведомление о заслушивании",
        Kind::HearingRecord => "Протокол заслушивания",
        Kind::Receipt => "Расписка о получении электронного документа",
    }
}

fn service_ru(s: Service) -> &'static str {
    match s {
        Service::SpecialMeansLicence => {
            "Выдача лицензии на осуществление деятельности по разработке, производству, ремонту \
             и реализации специальных технических средств, предназначенных для проведения \
             оперативно-розыскных мероприятий"
        }
        Service::CryptoDevelopmentLicence => {
            "Выдача лицензии на разработку средств криптографической защиты информации"
        }
        Service::LeakageChannelsLicence => {
            "Выдача лицензии на оказание услуг по выявлению технических каналов утечки \
             информации и специальных технических средств, предназначенных для проведения \
             оперативно-розыскных мероприятий"
        }
        Service::SpecialMeansTradePermit => {
            "Выдача заключения (разрешительного документа) на ввоз, вывоз и транзит специальных \
             технических средств, предназначенных для негласного получения информации"
        }
        Service::CryptoTradePermit => {
            "Выдача заключения (разрешительного документа) на ввоз, вывоз и транзит \
             шифровальных (криптографических) средств"
        }
        Service::TechnicalStudy => {
            "Выдача заключения по техническому исследованию об отнесении товаров к средствам \
             криптографической защиты информации и специальным техническим средствам, \
             предназначенным для проведения оперативно-розыскных мероприятий"
        }
        Service::NotificationRegistration => {
            "Регистрация нотификаций о характеристиках товаров (продукции), содержащих \
             шифровальные (криптографические) средства"
        }
        Service::CryptoSalePermit => {
            "Выдача разрешения на реализацию (в том числе иную передачу) средств \
             криптографической защиты информации"
        }
    }
}

fn role_ru(r: Role) -> &'static str {
    match r {
        Role::Individual => "физическое лицо",
        Role::LegalEntity => "действует от имени юридического лица",
        Role::FirstHead => "первый руководитель",
        Role::SigningRight => "право подписи",
        Role::FinancialSigningRight => "право подписи финансовых документов",
        Role::Hr => "сотрудник кадровой службы",
        Role::Employee => "сотрудник без права подписи",
    }
}

fn field_ru(key: &str) -> Option<&'static str> {
    Some(match key {
        "activity" => "Вид деятельности",
        "actual_address" => "Фактический адрес",
        "additional_info" => "Дополнительные сведения",
        "address" => "Адрес",
        "addressee" => "Адресат",
        "annex_number" => "Номер приложения",
        "annex_to" => "Приложение к",
        "applicant" => "Заявитель",
        "applicant_position" => "Позиция заявителя",
        "applicant_appeared" => "Заявитель явился на заслушивание",
        "application_date" => "Дата заявления",
        "application_number" => "Номер заявления",
        "attachments" => "Приложенные документы",
        "bank" => "Банк",
        "bank_account" => "Банковский счёт",
        "bin" => "БИН",
        "building" => "Здание",
        "changes_on" => "Дата изменений",
        "commodity_code" => "Код ТН ВЭД ЕАЭС",
        "conclusion_number" => "Номер заключения",
        "contact_person" => "Контактное лицо",
        "contacts" => "Контакты",
        "content_sha256" => "SHA-256 содержимого",
        "contract" => "Договор",
        "country" => "Страна",
        "documents" => "Документы",
        "email" => "Электронная почта",
        "fax" => "Факс",
        "fee_paid_via_gateway" => "Сбор оплачен через платёжный шлюз",
        "filled_on" => "Дата заполнения",
        "given_name" => "Имя",
        "goods" => "Товары",
        "goods_name" => "Наименование товара",
        "grounds" => "Основания",
        "head" => "Руководитель",
        "hearing_at" => "Время заслушивания",
        "hearing_place" => "Место заслушивания",
        "held_at" => "Время проведения",
        "iban" => "IBAN",
        "iin" => "ИИН",
        "issued_on" => "Дата выдачи",
        "items" => "Позиции",
        "kind" => "Вид",
        "licence" => "Лицензия",
        "licence_number" => "Номер лицензии",
        "licensee" => "Лицензиат",
        "licensor" => "Лицензиар",
        "locality" => "Населённый пункт",
        "maintained_grounds" => "Оставленные основания",
        "manufacturing_number" => "Заводской номер",
        "movement" => "Перемещение",
        "name" => "Наименование",
        "notice_number" => "Номер уведомления",
        "notification_valid_until" => "Нотификация действует до",
        "object_address" => "Адрес объекта",
        "officer" => "Уполномоченное лицо",
        "partner" => "Партнёр",
        "patronymic" => "Отчество",
        "permit_number" => "Номер разрешения",
        "phones" => "Телефоны",
        "place_of_issue" => "Место выдачи",
        "position" => "Должность",
        "postal_code" => "Почтовый индекс",
        "preliminary_grounds" => "Предварительные основания",
        "previous" => "Прежняя лицензия",
        "product_name" => "Наименование продукции",
        "provider" => "Услугодатель",
        "purpose" => "Цель",
        "quantity" => "Количество",
        "reasoning" => "Обоснование",
        "receipt_number" => "Номер расписки",
        "received_at" => "Время получения",
        "received_kind" => "Вид полученного документа",
        "receiver" => "Получатель документа",
        "recipient" => "Услугополучатель",
        "recipient_address" => "Адрес услугополучателя",
        "record_number" => "Номер протокола",
        "refusal_number" => "Номер отказа",
        "region" => "Область",
        "register_number" => "Регистрационный номер",
        "registered_on" => "Дата регистрации",
        "reorganisation" => "Реорганизация",
        "result" => "Результат",
        "sender" => "Отправитель",
        "serial_number" => "Серийный номер",
        "service" => "Государственная услуга",
        "sha256" => "SHA-256",
        "street" => "Улица",
        "subtypes" => "Подвиды деятельности",
        "surname" => "Фамилия",
        "temporary_until" => "Временно до",
        "term_ends_on" => "Срок оказания услуги истекает",
        "transit_country" => "Страна транзита",
        "type" => "Тип",
        "unified_list_section" => "Раздел единого перечня",
        "unit" => "Единица измерения",
        "valid_until" => "Действует до",
        "validity" => "Срок действия",
        "website" => "Веб-сайт",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Kazakh.

const KK: Texts = Texts {
    name: "Қазақша",
    switch: "Тіл",
    brand: "Электрондық цифрлық қолтаңбаны тексеру",
    footer: "Тексеруді осы куәландырушы орталықтың өз сервері желіге жүгінбей жүргізеді: оның \
             түбірлік тіркеу куәлігі сенім нүктесі болып табылады, ал ол жариялаған кері \
             қайтарып алынған тіркеу куәліктерінің тізімдері (CRL) тіркеу куәлігінің кері \
             қайтарып алынғанын көрсетеді. Жүктелген файлдар тек тексеру кезінде жадта болады \
             және еш жерде сақталмайды.",
    footer_api: "Бағдарламалар үшін: POST /api/v1/verify дәл осы есепті JSON түрінде қайтарады.",
    astana: "Астана",
    form_title: "Қол қойылған құжатты тексеру",
    form_lead: "Электрондық цифрлық қолтаңбамен (ЭЦҚ) қол қойылған файлды жүктеңіз (CMS / CAdES: \
                .p7s, .cms, .sig, PEM немесе DER). Бет қолтаңбаның жарамдылығын, кім және қашан \
                қол қойғанын, ал лицензия, рұқсат немесе басқа рұқсат беру құжаты үшін — онда не \
                жазылғанын көрсетеді.",
    signature_label: "Қолтаңба файлы",
    required: "міндетті",
    signature_hint: "Қол қойылған файл. Құжат қолтаңбаның ішінде болса (біріктірілген \
                     қолтаңба), басқа ештеңе қажет емес.",
    content_label: "Қол қойылған құжат",
    content_optional: "тек бөлек қолтаңба үшін",
    content_hint: "Қолтаңба құжаттан бөлек жасалса (бөлек қолтаңба), құжатты осында қосыңыз.",
    limit_before: "Шек:",
    limit_after: "екі файлға бірге. Бұдан үлкен файлдар қабылданбайды.",
    submit: "Тексеру",
    checked_title: "Не тексеріледі",
    checked_steps: [
        "Құжат қол қойылғаннан кейін өзгертілмеген, ал қолтаңба қол қоюшының тіркеу \
         куәлігіне сәйкес келеді.",
        "Қол қойылған кезде тіркеу куәлігі жарамды болған және кері қайтарып алынбаған.",
        "Тіркеу куәлігін құжаттарға қол қою үшін пайдалануға болады.",
        "Тіркеу куәлігін сенімді куәландырушы орталық берген.",
    ],
    trusted_centers: "Сенімді орталықтар:",
    trusted_none: "Сенімді орталықты жүктеу мүмкін болмады; әр тексерудің нәтижесі \
                   INDETERMINATE (анықталмады) болады.",
    too_large_title: "Файл тым үлкен",
    too_large_before: "Қолтаңба мен қол қойылған құжаттың жалпы көлемі",
    too_large_after: "шегінен аспауы тиіс, ал жүктелген файлдар одан үлкен. Ештеңе \
                      тексерілмеді. Үлкен құжатты пәрмен жолымен тексеруге болады:",
    server_fault_title: "Сервер бұл файлды тексере алмады",
    server_fault_text: "Қате сервер жағында, ол сервер журналына жазылды; кейінірек қайталап \
                        көріңіз.",
    unreadable_title: "Жүктелген деректерді оқу мүмкін болмады",
    reason_as_stated: "Себебі (ағылшын тілінде):",
    back: "Нысанға оралу",
    headline_passed: "Қолтаңба жарамды",
    headline_failed: "Қолтаңба жарамсыз",
    headline_indeterminate: "Қолтаңбаны растау мүмкін болмады",
    headline_not_signature: "Бұл файл қолтаңба емес",
    technical_detail: "Техникалық мәлімет (ағылшын тілінде):",
    reason: reason_kk,
    signed_by: "Қол қойған",
    file_signature: "Қолтаңба файлы",
    file_document: "Құжат файлы",
    detached: "Бөлек қолтаңба: құжат екінші файл бойынша тексерілді.",
    signature_count: "Файлдағы қолтаңбалар саны",
    what_to_do_title: "Не істеу керек",
    what_to_do: "Қол қойылған құжатты емес, қолтаңба файлының өзін (әдетте .p7s, .cms немесе \
                 .sig) таңдағаныңызды тексеріңіз. Бөлек қолтаңба бірінші өріске, ал құжат \
                 екінші өріске жүктеледі.",
    trusted_short: "Сенімді орталықтар:",
    revocation_offline: "Кері қайтарып алу: осы орталық жариялаған тізімдер (CRL), желіге \
                         жүгінбей.",
    another: "Басқа құжатты тексеру",
    kind: kind_kk,
    service: service_kk,
    service_label: "Мемлекеттік қызмет",
    provider: "Берген",
    application: "Өтініш",
    not_reliable: "Бұл құжаттағы қолтаңба тексеруден өтпеді: төменде файлдың мазмұны \
                   көрсетілген, оған сенуге болмайды.",
    download: "Қол қойылған мазмұнды жүктеп алу",
    download_hint: "байт, қол қойылған күйінде",
    content_title: "Қол қойылған мазмұн",
    content_other: "Қол қойылған мазмұн лицензиялау құжаты емес; оны ашу үшін жүктеп алыңыз.",
    all_fields: "Құжаттың барлық өрістері",
    details: "мәліметтері",
    fields_unavailable: "Құжаттың өрістерін көрсету мүмкін болмады.",
    yes_no: ["иә", "жоқ"],
    field: field_kk,
    technical: "Техникалық мәліметтер",
    signature: "Қолтаңба",
    of: "/",
    signer: "Қол қоюшы",
    name_label: "Аты-жөні",
    organisation: "Ұйым",
    roles: "Рөлдері",
    role: role_kk,
    certificate: "Тіркеу куәлігі",
    serial: "сериялық нөмірі",
    valid_from: "жарамдылық мерзімі",
    valid_to: "—",
    signer_unknown: "белгісіз: қол қоюшының тіркеу куәлігі файлда жоқ",
    signing_time: "Қол қойылған уақыт",
    proven: "Дәлелденген",
    proven_basis: "уақыт белгілері қызметінің уақыт белгісімен расталған",
    claimed: "Мәлімделген",
    claimed_basis: "қол қоюшы көрсеткен; дәлел емес",
    judged_at: "Тексерілген сәт",
    basis: [
        "осы тексеру уақыты: қол қойылған сәт ештеңемен расталмаған",
        "осы тексеру үшін берілген уақыт",
        "уақыт белгісі: қолтаңбаның сол кезде болғанының дәлелі",
    ],
    chain: "Тіркеу куәліктерінің тізбегі",
    chain_roles: ["қол қоюшы", "беруші орталық", "түбірлік орталық"],
    ends_at: "Сенімді орталықпен аяқталады",
    revocation_from: "Кері қайтарып алу туралы мәлімет:",
    checks: "Тексерулер",
    outcomes: ["өтті", "өтпеді", "анықталмады", "жүргізілмеді"],
    check_titles: CheckTitles {
        format: "Қолтаңба пішімі",
        signing_certificate: "Қол қоюшының тіркеу куәлігі файлда бар",
        message_digest: "Құжат өзгертілмеген",
        signature: "Қолтаңба мәні",
        timestamp: "Қолтаңбаның уақыт белгісі",
        chain: "Сенімді орталыққа дейінгі тізбек",
        validity: "Тіркеу куәлігінің жарамдылық мерзімі",
        accreditation: "Орталық аккредиттелген",
        revocation: "Кері қайтарып алынбаған",
        scope: "Қол қою үшін рұқсат етілген",
        expectations: "Күтілген қол қоюшы",
        other: "Тексеру",
    },
    warnings: "Ескертулер",
    findings_in_english: "Тексерулердің мәліметтері ағылшын тілінде берілген.",
};

fn reason_kk(indication: Indication, sub: Option<SubIndication>) -> &'static str {
    match (indication, sub) {
        (Indication::TotalPassed, _) => {
            "Құжат қол қойылғаннан кейін өзгертілмеген, қолтаңба қол қоюшының тіркеу куәлігіне \
             сәйкес келеді, ал тіркеу куәлігі жарамды болған, кері қайтарып алынбаған, қол \
             қоюға рұқсат етілген және оны сенімді куәландырушы орталық берген."
        }
        (_, Some(SubIndication::FormatFailure)) => {
            "Бұл файл оқылатын электрондық цифрлық қолтаңба емес немесе ол зақымдалған."
        }
        (_, Some(SubIndication::HashFailure)) => {
            "Құжат қол қойылғаннан кейін өзгертілген (немесе бұл қолтаңба жасалған құжат емес)."
        }
        (_, Some(SubIndication::SigCryptoFailure)) => {
            "Қолтаңба қол қоюшының тіркеу куәлігіне сәйкес келмейді: ол зақымдалған немесе \
             жалған."
        }
        (_, Some(SubIndication::Revoked)) => {
            "Қол қоюшының тіркеу куәлігі құжатқа қол қойылғанға дейін кері қайтарып алынған."
        }
        (_, Some(SubIndication::Expired)) => {
            "Құжатқа қол қойылған кезде қол қоюшының тіркеу куәлігінің мерзімі өтіп кеткен."
        }
        (_, Some(SubIndication::NotYetValid)) => {
            "Құжатқа қол қоюшының тіркеу куәлігі күшіне енгенге дейін қол қойылған."
        }
        (_, Some(SubIndication::SigConstraintsFailure)) => {
            "Тіркеу куәлігін бұл қолтаңба үшін пайдалануға болмайды немесе қол қойған адам \
             не ұйым күтілгендей емес."
        }
        (_, Some(SubIndication::ChainConstraintsFailure)) => {
            "Тізбектегі бір тіркеу куәлігі куәландырушы орталықтарға қойылатын қағидаларды \
             бұзады (мысалы, қол қойылған кезде орталық аккредиттелмеген)."
        }
        (_, Some(SubIndication::CertificateChainGeneralFailure)) => {
            "Қол қоюшыдан куәландырушы орталыққа дейінгі тіркеу куәліктерінің тізбегін \
             тексеру мүмкін болмады."
        }
        (_, Some(SubIndication::CryptoConstraintsFailure)) => {
            "Қолтаңбада мұнда қабылданбайтын алгоритм немесе кілт пайдаланылған (мысалы, ГОСТ \
             немесе SHA-1)."
        }
        (_, Some(SubIndication::NoSigningCertificateFound)) => {
            "Қол қоюшының тіркеу куәлігі файлда жоқ, сондықтан қол қоюшыны анықтау мүмкін \
             емес."
        }
        (_, Some(SubIndication::NoCertificateChainFound)) => {
            "Қол қоюшының тіркеу куәлігін мұнда сенім білдірілген куәландырушы орталық \
             бермеген."
        }
        (_, Some(SubIndication::RevokedNoPoe)) => {
            "Қол қоюшының тіркеу куәлігі кері қайтарып алынған, ал құжатқа одан бұрын қол \
             қойылғанын ештеңе дәлелдемейді."
        }
        (_, Some(SubIndication::RevokedCaNoPoe)) => {
            "Куәландырушы орталықтың өз тіркеу куәлігі кері қайтарып алынған, ал құжатқа одан \
             бұрын қол қойылғанын ештеңе дәлелдемейді."
        }
        (_, Some(SubIndication::OutOfBoundsNoPoe)) => {
            "Қол қоюшының тіркеу куәлігі қазір жарамсыз, ал құжатқа ол жарамды кезде қол \
             қойылғанын ештеңе дәлелдемейді."
        }
        (_, Some(SubIndication::TryLater)) => {
            "Тіркеу куәлігінің кері қайтарып алынғанын қазір анықтау мүмкін емес; кейінірек \
             қайталап көріңіз."
        }
        (_, Some(SubIndication::SignedDataNotFound)) => {
            "Бұл қолтаңба құжаттан бөлек жасалған: қол қойылған құжатты нысанның екінші өрісіне \
             қосыңыз."
        }
        (Indication::TotalFailed, None) => "Қолтаңба жарамсыз.",
        (Indication::Indeterminate, None) => "Қолтаңбаны растау мүмкін болмады.",
    }
}

fn kind_kk(k: Kind) -> &'static str {
    match k {
        Kind::Application => "Өтініш",
        Kind::ReissueApplication => "Лицензияны қайта ресімдеу туралы өтініш",
        Kind::Licence => "Лицензия",
        Kind::ReissuedLicence => "Қайта ресімделген лицензия",
        Kind::LicenceAnnex => "Лицензияға қосымша",
        Kind::TradePermit => "Әкелуге, әкетуге немесе транзиттеуге қорытынды (рұқсат беру құжаты)",
        Kind::TechnicalStudyConclusion => "Техникалық зерттеу бойынша қорытынды",
        Kind::NotificationRegistrationDecision => "Нотификацияны тіркеу туралы шешім",
        Kind::SalePermit => "Өткізуге рұқсат",
        Kind::Refusal => "Дәлелді бас тарту",
        Kind::HearingNotice => "Тыңдау туралы хабарлама",
        Kind::HearingRecord => "Тыңдау хаттамасы",
        Kind::Receipt => "Электрондық құжатты алғаны туралы қолхат",
    }
}

fn service_kk(s: Service) -> &'static str {
    match s {
        Service::SpecialMeansLicence => {
            "Жедел-іздестіру іс-шараларын жүргізуге арналған арнайы техникалық құралдарды \
             әзірлеу, өндіру, жөндеу және өткізу жөніндегі қызметпен айналысуға лицензия беру"
        }
        Service::CryptoDevelopmentLicence => {
            "Ақпаратты криптографиялық қорғау құралдарын әзірлеуге лицензия беру"
        }
        Service::LeakageChannelsLicence => {
            "Ақпараттың жылыстауының техникалық арналарын және жедел-іздестіру іс-шараларын \
             жүргізуге арналған арнайы техникалық құралдарды анықтау жөніндегі қызметтер \
             көрсетуге лицензия беру"
        }
        Service::SpecialMeansTradePermit => {
            "Ақпаратты жасырын алуға арналған арнайы техникалық құралдарды әкелуге, әкетуге және \
             транзиттеуге қорытынды (рұқсат беру құжатын) беру"
        }
        Service::CryptoTradePermit => {
            "Шифрлау (криптографиялық) құралдарын әкелуге, әкетуге және транзиттеуге қорытынды \
             (рұқсат беру құжатын) беру"
        }
        Service::TechnicalStudy => {
            "Тауарларды ақпаратты криптографиялық қорғау құралдарына және жедел-іздестіру \
             іс-шараларын жүргізуге арналған арнайы техникалық құралдарға жатқызу туралы \
             техникалық зерттеу бойынша қорытынды беру"
        }
        Service::NotificationRegistration => {
            "Құрамында шифрлау (криптографиялық) құралдары бар тауарлардың (өнімдердің) \
             сипаттамалары туралы нотификацияларды тіркеу"
        }
        Service::CryptoSalePermit => {
            "Ақпаратты криптографиялық қорғау құралдарын өткізуге (оның ішінде өзгеше беруге) \
             рұқсат беру"
        }
    }
}

fn role_kk(r: Role) -> &'static str {
    match r {
        Role::Individual => "жеке тұлға",
        Role::LegalEntity => "заңды тұлғаның атынан әрекет етеді",
        Role::FirstHead => "бірінші басшы",
        Role::SigningRight => "қол қою құқығы",
        Role::FinancialSigningRight => "қаржы құжаттарына қол қою құқығы",
        Role::Hr => "кадр қызметінің қызметкері",
        Role::Employee => "қол қою құқығы жоқ қызметкер",
    }
}

fn field_kk(key: &str) -> Option<&'static str> {
    Some(match key {
        "activity" => "Қызмет түрі",
        "actual_address" => "Нақты мекенжайы",
        "additional_info" => "Қосымша мәліметтер",
        "address" => "Мекенжайы",
        "addressee" => "Кімге",
        "annex_number" => "Қосымшаның нөмірі",
        "annex_to" => "Қосымша",
        "applicant" => "Өтініш беруші",
        "applicant_position" => "Өтініш берушінің ұстанымы",
        "applicant_appeared" => "Өтініш беруші тыңдауға келді",
        "application_date" => "Өтініштің күні",
        "application_number" => "Өтініштің нөмірі",
        "attachments" => "Қоса берілген құжаттар",
        "bank" => "Банк",
        "bank_account" => "Банктік шот",
        "bin" => "БСН",
        "building" => "Ғимарат",
        "changes_on" => "Өзгерістер күні",
        "commodity_code" => "ЕАЭО СЭҚ ТН коды",
        "conclusion_number" => "Қорытындының нөмірі",
        "contact_person" => "Байланысатын адам",
        "contacts" => "Байланыс деректері",
        "content_sha256" => "Мазмұнның SHA-256 мәні",
        "contract" => "Шарт",
        "country" => "Ел",
        "documents" => "Құжаттар",
        "email" => "Электрондық пошта",
        "fax" => "Факс",
        "fee_paid_via_gateway" => "Алым төлем шлюзі арқылы төленді",
        "filled_on" => "Толтырылған күні",
        "given_name" => "Аты",
        "goods" => "Тауарлар",
        "goods_name" => "Тауардың атауы",
        "grounds" => "Негіздер",
        "head" => "Басшы",
        "hearing_at" => "Тыңдау уақыты",
        "hearing_place" => "Тыңдау орны",
        "held_at" => "Өткізілген уақыты",
        "iban" => "IBAN",
        "iin" => "ЖСН",
        "issued_on" => "Берілген күні",
        "items" => "Позициялар",
        "kind" => "Түрі",
        "licence" => "Лицензия",
        "licence_number" => "Лицензияның нөмірі",
        "licensee" => "Лицензиат",
        "licensor" => "Лицензиар",
        "locality" => "Елді мекен",
        "maintained_grounds" => "Қалдырылған негіздер",
        "manufacturing_number" => "Зауыттық нөмірі",
        "movement" => "Өткізу",
        "name" => "Атауы",
        "notice_number" => "Хабарламаның нөмірі",
        "notification_valid_until" => "Нотификация мерзімі",
        "object_address" => "Объектінің мекенжайы",
        "officer" => "Уәкілетті тұлға",
        "partner" => "Серіктес",
        "patronymic" => "Әкесінің аты",
        "permit_number" => "Рұқсаттың нөмірі",
        "phones" => "Телефондар",
        "place_of_issue" => "Берілген жері",
        "position" => "Лауазымы",
        "postal_code" => "Пошта индексі",
        "preliminary_grounds" => "Алдын ала негіздер",
        "previous" => "Бұрынғы лицензия",
        "product_name" => "Өнімнің атауы",
        "provider" => "Көрсетілетін қызметті беруші",
        "purpose" => "Мақсаты",
        "quantity" => "Саны",
        "reasoning" => "Негіздеме",
        "receipt_number" => "Қолхаттың нөмірі",
        "received_at" => "Алынған уақыты",
        "received_kind" => "Алынған құжаттың түрі",
        "receiver" => "Құжатты алушы",
        "recipient" => "Көрсетілетін қызметті алушы",
        "recipient_address" => "Көрсетілетін қызметті алушының мекенжайы",
        "record_number" => "Хаттаманың нөмірі",
        "refusal_number" => "Бас тартудың нөмірі",
        "region" => "Облыс",
        "register_number" => "Тіркеу нөмірі",
        "registered_on" => "Тіркелген күні",
        "reorganisation" => "Қайта ұйымдастыру",
        "result" => "Нәтиже",
        "sender" => "Жіберуші",
        "serial_number" => "Сериялық нөмірі",
        "service" => "Мемлекеттік қызмет",
        "sha256" => "SHA-256",
        "street" => "Көше",
        "subtypes" => "Қызметтің кіші түрлері",
        "surname" => "Тегі",
        "temporary_until" => "Уақытша мерзімі",
        "term_ends_on" => "Қызмет көрсету мерзімі аяқталады",
        "transit_country" => "Транзит елі",
        "type" => "Түрі",
        "unified_list_section" => "Бірыңғай тізбенің бөлімі",
        "unit" => "Өлшем бірлігі",
        "valid_until" => "Жарамдылық мерзімі",
        "validity" => "Жарамдылығы",
        "website" => "Веб-сайт",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                k.clone(),
                HeaderValue::from_str(v).unwrap_or_else(|e| panic!("{e}")),
            );
        }
        h
    }

    #[test]
    fn ok_accept_language_takes_the_highest_quality() {
        assert_eq!(accept_language("ru-RU,ru;q=0.9,en;q=0.8"), Some(Lang::Ru));
        assert_eq!(accept_language("en-US,en;q=0.9,kk;q=0.95"), Some(Lang::En));
        assert_eq!(
            accept_language("de;q=1, kk-KZ;q=0.5, ru;q=0.4"),
            Some(Lang::Kk)
        );
        assert_eq!(accept_language("kk;q=0.5, ru;q=0.5"), Some(Lang::Kk));
        assert_eq!(accept_language("KK"), Some(Lang::Kk));
        assert_eq!(accept_language("*;q=0.1, ru;q=0.2"), Some(Lang::Ru));
    }

    #[test]
    fn fail_accept_language_refused_or_unknown_gives_none() {
        assert_eq!(accept_language("ru;q=0"), None);
        assert_eq!(accept_language("de, fr;q=0.9"), None);
        assert_eq!(accept_language(""), None);
        assert_eq!(accept_language("ru;q=1.5"), None);
        assert_eq!(accept_language("ru;q=abc"), None);
        assert_eq!(accept_language("kkk, rus"), None);
    }

    #[test]
    fn ok_query_beats_cookie_beats_accept_language() {
        let h = headers(&[
            (header::COOKIE, "a=b; eds_lang=ru"),
            (header::ACCEPT_LANGUAGE, "kk"),
        ]);
        assert_eq!(
            choose(Some("x=1&lang=en"), &h),
            Choice {
                lang: Lang::En,
                from_query: true
            }
        );
        assert_eq!(choose(None, &h).lang, Lang::Ru);
        assert_eq!(choose(Some("lang=xx"), &h).lang, Lang::Ru);
        let h = headers(&[(header::ACCEPT_LANGUAGE, "kk-KZ,ru;q=0.8")]);
        assert_eq!(choose(None, &h).lang, Lang::Kk);
        assert_eq!(choose(None, &HeaderMap::new()).lang, Lang::En);
    }
}
