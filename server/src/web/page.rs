//! The page's HTML, written with maud: every value spliced into a template is escaped by
//! construction (maud's `(expr)` escapes `&`, `<`, `>`, `"` and `'`), and nothing here builds
//! HTML as a string. The words come from the [`Texts`] of the request's language.
//!
//! Layout of a result, top to bottom: the verdict in plain words; the signed document's own
//! fields (kind, number, holder, service, issuer, date) with the download of the signed content;
//! the document's other fields; then the technical details of each signature (signer,
//! times, chain, checks). Every time is shown in Astana's time (UTC+5 since 1 March 2024,
//! UTC+6 before; [`eds_profile::kz_time`]) beside UTC.

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use time::OffsetDateTime;
use time::macros::format_description;

use eds_profile::documents::Document;
use eds_profile::holder::Holder;
use eds_verifier::engine::SignatureReport;
use eds_verifier::verdict::{ChainEntry, Indication, Outcome, SubIndication, TimeBasis};

use super::i18n::{Lang, Texts};
use super::{MAX_UPLOAD, Verified};

/// What a page needs besides its body.
pub(crate) struct Frame<'a> {
    /// The language.
    pub(crate) lang: Lang,
    /// The `<title>`.
    pub(crate) title: &'a str,
}

/// One HTML document: the header with the language switch, the body, the footer.
pub(crate) fn document(frame: &Frame<'_>, body: Markup) -> String {
    let t = frame.lang.texts();
    html! {
        (DOCTYPE)
        html lang=(frame.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (frame.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.top {
                    div.wrap {
                        a.brand href={ "/?lang=" (frame.lang.code()) } {
                            span.mark aria-hidden="true" { "✓" }
                            " " (t.brand)
                        }
                        nav.langs aria-label=(t.switch) {
                            @for l in Lang::ALL {
                                @if l == frame.lang {
                                    span.lang.current lang=(l.code()) aria-current="true" { (l.texts().name) }
                                } @else {
                                    a.lang id={ "lang-" (l.code()) } lang=(l.code()) hreflang=(l.code()) href={ "/?lang=" (l.code()) } { (l.texts().name) }
                                }
                            }
                        }
                    }
                }
                main.wrap { (body) }
                footer.wrap.foot {
                    p { (t.footer) }
                    p { (t.footer_api) }
                    p { "EDS law art. 10 · ETSI EN 319 102-1" }
                }
            }
        }
    }
    .into_string()
}

/// The upload form.
pub(crate) fn form(lang: Lang, centers: &[String]) -> Markup {
    let t = lang.texts();
    html! {
        section.card {
            h1 { (t.form_title) }
            p.lead { (t.form_lead) }
            form method="post" action={ "/verify?lang=" (lang.code()) } enctype="multipart/form-data" {
                div.field {
                    label for="signature" { (t.signature_label) " " span.req { (t.required) } }
                    input type="file" id="signature" name="signature" required;
                    p.hint { (t.signature_hint) }
                }
                div.field {
                    label for="content" { (t.content_label) " " span.opt { (t.content_optional) } }
                    input type="file" id="content" name="content";
                    p.hint { (t.content_hint) }
                }
                p.limit { (t.limit_before) " " strong { (size_text(MAX_UPLOAD)) } " " (t.limit_after) }
                button type="submit" { (t.submit) }
            }
        }
        section.card.muted {
            h2 { (t.checked_title) }
            ol.steps { @for s in t.checked_steps { li { (s) } } }
            @if centers.is_empty() {
                p { (t.trusted_none) }
            } @else {
                p { (t.trusted_centers) " " @for (i, c) in centers.iter().enumerate() {
                    @if i > 0 { ", " } code { (c) }
                } }
            }
        }
    }
}

/// Why nothing was checked.
pub(crate) enum Problem {
    /// Over [`MAX_UPLOAD`].
    TooLarge,
    /// The server's fault.
    ServerFault,
    /// The request could not be read; the reason as the error states it (English).
    Unreadable(String),
}

/// A request that could not be verified at all; returns the title and the body.
pub(crate) fn problem(lang: Lang, p: &Problem, status: u16, code: &str) -> (&'static str, Markup) {
    let t = lang.texts();
    let title = match p {
        Problem::TooLarge => t.too_large_title,
        Problem::ServerFault => t.server_fault_title,
        Problem::Unreadable(_) => t.unreadable_title,
    };
    let body = html! {
        section.banner.problem role="alert" {
            h1 { (title) }
            @match p {
                Problem::TooLarge => p {
                    (t.too_large_before) " " strong { (size_text(MAX_UPLOAD)) } " " (t.too_large_after)
                    " " code { "eds verify FILE.p7s --content FILE" }
                },
                Problem::ServerFault => p { (t.server_fault_text) },
                Problem::Unreadable(reason) => p { (t.reason_as_stated) " " span.detail-text { (reason) "." } },
            }
            p.code { "HTTP " (status) " · " (code) }
        }
        p { a.button href={ "/?lang=" (lang.code()) } { (t.back) } }
    };
    (title, body)
}

/// The title of a result page.
pub(crate) fn result_title(lang: Lang, r: &Verified) -> String {
    let t = lang.texts();
    let head = if r.report.format_error.is_some() {
        t.headline_not_signature
    } else {
        headline(t, r.report.indication)
    };
    format!("{} — {}", indication_name(r.report.indication), head)
}

/// The result page's body.
pub(crate) fn result(lang: Lang, r: &Verified) -> Markup {
    let t = lang.texts();
    let report = &r.report;
    let first = report.signatures.first();
    let worst = report
        .signatures
        .iter()
        .find(|s| s.indication == report.indication)
        .or(first);
    let (code_line, sentence) = match (&report.format_error, worst) {
        (Some(_), _) => (
            format!("{} / FORMAT_FAILURE", indication_name(report.indication)),
            (t.reason)(report.indication, Some(SubIndication::FormatFailure)),
        ),
        (None, Some(s)) => (
            verdict_code(s.indication, s.sub_indication),
            (t.reason)(s.indication, s.sub_indication),
        ),
        (None, None) => (indication_name(report.indication).to_owned(), ""),
    };
    let head = if report.format_error.is_some() {
        t.headline_not_signature
    } else {
        headline(t, report.indication)
    };
    html! {
        section class={ "banner " (indication_class(report.indication)) } role="status" {
            p.kicker { (head) }
            h1 #verdict { (code_line) }
            p.reason { (sentence) }
            @if let Some(e) = &report.format_error {
                p.files { (t.technical_detail) " " (e) }
            }
            @if let Some(s) = first {
                dl.grid.compact {
                    dt { (t.signed_by) }
                    dd #signed-by { (signer_name(t, s.holder.as_deref(), s)) }
                    @if let Some(when_) = s.timestamp_time.or(s.claimed_signing_time) {
                        dt { (t.signing_time) }
                        dd #signed-at { (when(t, when_)) }
                    }
                }
            }
            p.files {
                @if let Some(n) = &r.signature_name { (t.file_signature) ": " strong.filename #signature-name { (n) } ". " }
                @if let Some(n) = &r.content_name { (t.file_document) ": " strong.filename #content-name { (n) } ". " }
                @if report.detached { (t.detached) " " }
                @if report.signatures.len() > 1 { (t.signature_count) ": " (report.signatures.len()) "." }
            }
        }
        @if let Some(doc) = &r.document {
            (document_card(t, doc, report.indication, r))
        } @else if r.embedded.is_some() {
            section.card.document {
                h2 { (t.content_title) }
                @if report.indication != Indication::TotalPassed {
                    p.note.bad { (t.not_reliable) }
                }
                p { (t.content_other) }
                (download(t, r))
            }
        }
        @if report.signatures.is_empty() && report.format_error.is_some() {
            section.card { h2 { (t.what_to_do_title) } p { (t.what_to_do) } }
        }
        @if !report.signatures.is_empty() {
            h2.section-title { (t.technical) }
            @if !t.findings_in_english.is_empty() { p.small { (t.findings_in_english) } }
            @for (i, s) in report.signatures.iter().enumerate() {
                (signature_card(t, s, i, report.signatures.len()))
            }
        }
        @if !r.trusted.is_empty() {
            p.small { (t.trusted_short) " " @for (i, c) in r.trusted.iter().enumerate() {
                @if i > 0 { ", " } code { (c) }
            } ". " (t.revocation_offline) }
        }
        p { a.button href={ "/?lang=" (lang.code()) } { (t.another) } }
    }
}

/// The download of the embedded content: a `data:` link (the page keeps nothing on the server,
/// so the bytes travel in the page itself), `application/octet-stream` so the browser saves
/// rather than shows it, under a file name cut down to safe characters.
fn download(t: &Texts, r: &Verified) -> Markup {
    let Some(bytes) = &r.embedded else {
        return html! {};
    };
    let href = format!(
        "data:application/octet-stream;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    );
    let name = download_name(r.signature_name.as_deref(), r.document.is_some());
    html! {
        p.download {
            a.button #download href=(href) download=(name) type="application/octet-stream" { (t.download) }
            " " span.small { code.filename { (name) } " · " (bytes.len()) " " (t.download_hint) }
        }
    }
}

/// A safe name for the downloaded content: the signature file's name without its folder and
/// its signature extension (`.p7s`, `.p7m`, `.cms`, `.sig`, `.pem`, `.der`), letters, digits,
/// `.`, `-` and `_` only (anything else becomes `_`), no leading dot, at most 100 characters;
/// `.json` added for a licensing document that has no extension left.
pub(crate) fn download_name(signature_name: Option<&str>, is_document: bool) -> String {
    let base = signature_name
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let stripped = [".p7s", ".p7m", ".cms", ".sig", ".pem", ".der"]
        .iter()
        .find_map(|ext| {
            let at = base.len().checked_sub(ext.len()).filter(|n| *n > 0)?;
            base.get(at..)
                .filter(|tail| tail.eq_ignore_ascii_case(ext))
                .and_then(|_| base.get(..at))
        });
    let stem = stripped.unwrap_or(base);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe: String = safe
        .trim_start_matches(['.', '_'])
        .chars()
        .take(100)
        .collect();
    let has_ext = safe.rsplit_once('.').is_some_and(|(_, e)| !e.is_empty());
    let ext = if is_document { ".json" } else { ".bin" };
    if safe.is_empty() {
        format!("signed-content{ext}")
    } else if stripped.is_none() {
        // No signature extension to take off: say the file is the content.
        format!("{safe}.content")
    } else if has_ext {
        safe
    } else {
        format!("{safe}{ext}")
    }
}

/// The document's own fields first, then all its fields.
fn document_card(t: &Texts, doc: &Document, verdict: Indication, r: &Verified) -> Markup {
    let kind = doc.kind();
    let tree = serde_json::to_string(doc)
        .ok()
        .and_then(|json| serde_json::from_str::<Node>(&json).ok());
    let fields: &[(String, Node)] = match &tree {
        Some(Node::Map(f)) => f,
        _ => &[],
    };
    let summary = Summary::of(t, fields);
    html! {
        section.card.document #document {
            div.card-head {
                h2 #document-kind { ((t.kind)(kind)) }
                span.pill.neutral { (kind.as_str()) }
            }
            @if verdict != Indication::TotalPassed {
                p.note.bad { (t.not_reliable) }
            }
            dl.grid.summary {
                @if let Some((key, value)) = &summary.number {
                    dt { (field_label(t, key)) } dd #document-number { (value) }
                }
                @if let Some((key, name, id)) = &summary.holder {
                    dt { (field_label(t, key)) }
                    dd #document-holder { (name) @if let Some(id) = id { br; span.small { (id) } } }
                }
                dt { (t.service_label) } dd #document-service { ((t.service)(doc.service())) }
                @if let Some(p) = &summary.provider {
                    dt { (t.provider) } dd #document-provider { (p) }
                }
                @if let Some((key, value)) = &summary.date {
                    dt { (field_label(t, key)) } dd #document-date { (value) }
                }
                @if summary.number.as_ref().is_none_or(|(k, _)| k != "application_number") {
                    dt { (t.application) } dd #document-application { (doc.application_number().as_str()) }
                }
            }
            (download(t, r))
            details.all-fields {
                summary { (t.all_fields) }
                @if fields.is_empty() {
                    p { (t.fields_unavailable) }
                } @else {
                    (layout(t, (t.kind)(kind), fields))
                }
            }
        }
    }
}

/// The few fields a reader looks for first, read from the document's JSON.
struct Summary {
    /// The document's own number (`licence_number`, `permit_number`, …), by key.
    number: Option<(String, String)>,
    /// The holder: key (`licensee`, `recipient`, …), name, identification number.
    holder: Option<(String, String, Option<String>)>,
    /// The issuing body's name.
    provider: Option<String>,
    /// The date of issue (or registration, or filling in), by key.
    date: Option<(String, String)>,
}

impl Summary {
    fn of(t: &Texts, fields: &[(String, Node)]) -> Self {
        let get = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let first = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| get(k).map(|v| ((*k).to_owned(), v.text())))
        };
        let number = first(&[
            "licence_number",
            "annex_number",
            "permit_number",
            "conclusion_number",
            "register_number",
            "refusal_number",
            "notice_number",
            "record_number",
            "receipt_number",
            "application_number",
        ]);
        let holder = ["licensee", "recipient", "applicant", "sender"]
            .iter()
            .find_map(|k| get(k).map(|v| ((*k).to_owned(), v)))
            .map(|(k, v)| {
                let (name, id) = party(t, v);
                (k, name, id)
            });
        let provider = ["provider", "receiver"]
            .iter()
            .find_map(|k| get(k))
            .and_then(|v| v.field("name").map(Node::text));
        let date = first(&["issued_on", "registered_on", "filled_on"]);
        Self {
            number,
            holder,
            provider,
            date,
        }
    }
}

/// A party's name and "BIN …" / "IIN …".
fn party(t: &Texts, node: &Node) -> (String, Option<String>) {
    let name = match node.field("name") {
        Some(Node::Map(parts)) => ["surname", "given_name", "patronymic"]
            .iter()
            .filter_map(|k| parts.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.text()))
            .collect::<Vec<_>>()
            .join(" "),
        Some(other) => other.text(),
        None => node.text(),
    };
    let id = node
        .field("bin")
        .map(|b| format!("{} {}", field_label(t, "bin"), b.text()))
        .or_else(|| {
            node.field("iin")
                .map(|i| format!("{} {}", field_label(t, "iin"), i.text()))
        });
    (name, id)
}

/// Consecutive plain fields form one table; an object is a titled section of its own; a list of
/// objects one section per item.
fn layout(t: &Texts, title: &str, fields: &[(String, Node)]) -> Markup {
    // Group the fields: runs of plain fields, and sections.
    enum Part<'a> {
        Plain(Vec<&'a (String, Node)>, bool),
        Section(String, &'a [(String, Node)]),
        Value(String, String),
    }
    let mut parts: Vec<Part<'_>> = Vec::new();
    let mut after_section = false;
    for entry in fields {
        let (key, value) = entry;
        if key == "kind" {
            continue;
        }
        match value {
            Node::Map(inner) => {
                after_section = true;
                parts.push(Part::Section(field_label(t, key), inner));
            }
            Node::List(items) if items.iter().any(|n| matches!(n, Node::Map(_))) => {
                after_section = true;
                for (n, item) in items.iter().enumerate() {
                    let heading = format!("{} {}", field_label(t, key), n + 1);
                    match item {
                        Node::Map(inner) => parts.push(Part::Section(heading, inner)),
                        other => parts.push(Part::Value(heading, other.text())),
                    }
                }
            }
            _ => match parts.last_mut() {
                Some(Part::Plain(run, _)) => run.push(entry),
                _ => parts.push(Part::Plain(vec![entry], after_section)),
            },
        }
    }
    html! {
        @for part in &parts {
            @match part {
                Part::Plain(run, titled) => {
                    @if *titled { h3 { (title) " — " (t.details) } }
                    dl.grid {
                        @for (key, value) in run {
                            dt { (field_label(t, key)) }
                            dd { (multiline(&value_text(t, key, value))) }
                        }
                    }
                },
                Part::Section(heading, inner) => {
                    h3 { (heading) }
                    dl.grid { (flat_rows(t, "", inner)) }
                },
                Part::Value(heading, text) => {
                    h3 { (heading) }
                    p { (multiline(text)) }
                },
            }
        }
    }
}

/// A field's value as shown: the service by its name, yes/no in the page's language.
fn value_text(t: &Texts, key: &str, value: &Node) -> String {
    match (key, value) {
        ("service", Node::Scalar(s)) => serde_json::from_value::<eds_profile::documents::Service>(
            serde_json::Value::String(s.clone()),
        )
        .map(|svc| format!("{} ({s})", (t.service)(svc)))
        .unwrap_or_else(|_| s.clone()),
        (_, Node::Bool(b)) => t.yes_no[usize::from(!*b)].to_owned(),
        _ => value.text(),
    }
}

/// Rows of an object, nested objects flattened with their key as a prefix.
fn flat_rows(t: &Texts, prefix: &str, fields: &[(String, Node)]) -> Markup {
    html! {
        @for (key, value) in fields {
            // A person's name is an object (surname, given name, patronymic): "Name", not an
            // organisation's "name".
            @let own = if key == "name" && matches!(value, Node::Map(_)) {
                t.name_label.to_owned()
            } else {
                field_label(t, key)
            };
            @let name = if prefix.is_empty() {
                own
            } else {
                format!(
                    "{prefix} · {}",
                    (t.field)(key).map_or_else(|| words(key, false), str::to_owned)
                )
            };
            @match value {
                Node::Map(inner) => (flat_rows(t, &name, inner)),
                other => { dt { (name) } dd { (multiline(&value_text(t, key, other))) } },
            }
        }
    }
}

/// Lines of text with `<br>` between them (each line escaped).
fn multiline(text: &str) -> Markup {
    html! {
        @for (i, line) in text.split('\n').enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

/// The label of a JSON key in the page's language; the key's English words when the language
/// has none.
pub(crate) fn field_label(t: &Texts, key: &str) -> String {
    (t.field)(key).map_or_else(|| label(key), str::to_owned)
}

fn signature_card(t: &Texts, s: &SignatureReport, i: usize, count: usize) -> Markup {
    let suffix = if i == 0 {
        String::new()
    } else {
        format!("-{}", i + 1)
    };
    let id = |name: &str| format!("{name}{suffix}");
    let h = s.holder.as_deref();
    let roles: Vec<&str> = h
        .map(|h| h.roles.iter().map(|r| (t.role)(*r)).collect())
        .unwrap_or_default();
    html! {
        section.card {
            div.card-head {
                h2 {
                    (t.signature)
                    @if count > 1 { " " (i + 1) " " (t.of) " " (count) }
                }
                span class={ "pill " (indication_class(s.indication)) } { (verdict_code(s.indication, s.sub_indication)) }
            }
            p.detail { (s.reason) }
            h3 { (t.signer) }
            dl.grid {
                dt { (t.name_label) } dd id=(id("signer-name")) { (signer_name(t, h, s)) }
                @if let Some(h) = h {
                    @if let Some(o) = &h.organization {
                        dt { (t.organisation) } dd id=(id("signer-organisation")) { (o) }
                    }
                    dt { (field_label(t, "iin")) } dd id=(id("signer-iin")) { (h.iin.as_deref().unwrap_or("—")) }
                    @if let Some(bin) = &h.bin {
                        dt { (field_label(t, "bin")) } dd id=(id("signer-bin")) { (bin) }
                    }
                    dt { (t.roles) } dd id=(id("signer-roles")) {
                        @if roles.is_empty() { "—" } @else { (roles.join(", ")) }
                    }
                }
                @if let Some(c) = &s.signer {
                    dt { (t.certificate) }
                    dd id=(id("signer-certificate")) {
                        (t.serial) " " code { (c.serial) }
                        br; (t.valid_from) " " (when(t, c.not_before))
                        br; (t.valid_to) " " (when(t, c.not_after))
                    }
                }
            }
            h3 { (t.signing_time) }
            dl.grid {
                @if let Some(at) = s.timestamp_time {
                    dt { (t.proven) }
                    dd id=(id("timestamp-time")) { (when(t, at)) span.basis { (t.proven_basis) } }
                }
                @if let Some(at) = s.claimed_signing_time {
                    dt { (t.claimed) }
                    dd id=(id("claimed-time")) { (when(t, at)) span.basis { (t.claimed_basis) } }
                }
                dt { (t.judged_at) }
                dd id=(id("validation-time")) {
                    (when(t, s.validation_time))
                    span.basis { (t.basis[match s.time_basis {
                        TimeBasis::Now => 0,
                        TimeBasis::Given => 1,
                        TimeBasis::Timestamp => 2,
                    }]) }
                }
            }
            @if !s.chain.is_empty() {
                h3 { (t.chain) }
                ol.chain {
                    @for (n, c) in s.chain.iter().enumerate() {
                        (chain_item(t, c, n, s.chain.len()))
                    }
                }
                @if let Some(center) = &s.trusted_center {
                    p.small { (t.ends_at) " " code { (center) } "." }
                }
            }
            @if let Some(src) = &s.revocation_source {
                p.small { (t.revocation_from) " " (src) }
            }
            h3 { (t.checks) }
            ul.checks {
                @for c in &s.checks {
                    @let (cls, n) = outcome_index(c.outcome);
                    li {
                        div.check-head {
                            span.check-title { (t.check_titles.of(c.name)) }
                            " " span class={ "pill " (cls) } { (t.outcomes[n]) }
                        }
                        code.small { (c.name) }
                        p.finding { (c.detail) }
                    }
                }
            }
            @if !s.warnings.is_empty() {
                h3 { (t.warnings) }
                ul.warnings { @for w in &s.warnings { li { (w) } } }
            }
        }
    }
}

fn chain_item(t: &Texts, c: &ChainEntry, n: usize, len: usize) -> Markup {
    let role = if n == 0 {
        t.chain_roles[0]
    } else if n + 1 == len {
        t.chain_roles[2]
    } else {
        t.chain_roles[1]
    };
    html! {
        li {
            span.role { (role) } " "
            span.subject { (c.subject) }
            span.small.block {
                (t.serial) " " code { (c.serial) }
                br; (t.valid_from) " " (when(t, c.not_before))
                br; (t.valid_to) " " (when(t, c.not_after))
            }
        }
    }
}

fn signer_name(t: &Texts, h: Option<&Holder>, s: &SignatureReport) -> String {
    let from_holder = h.and_then(|h| {
        let parts: Vec<&str> = [
            h.surname.as_deref(),
            h.name.as_deref(),
            h.patronymic.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            h.common_name.clone()
        } else {
            Some(parts.join(" "))
        }
    });
    match (from_holder, &s.signer) {
        (Some(n), _) => n,
        (None, Some(c)) => c.subject.to_string(),
        (None, None) => t.signer_unknown.to_owned(),
    }
}

/// An instant in Astana's time beside UTC, with a machine-readable `datetime`.
pub(crate) fn when(t: &Texts, at: OffsetDateTime) -> Markup {
    let at = at.replace_nanosecond(0).unwrap_or(at);
    let utc = at.to_offset(time::UtcOffset::UTC);
    let local = eds_profile::kz_time::local(at).unwrap_or(utc);
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let hours = local.offset().whole_hours();
    html! {
        span.when {
            time datetime=(utc.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()) {
                span.local { (local.format(&fmt).unwrap_or_default()) " " (t.astana) " (UTC+" (hours) ")" }
                " · "
                span.utc { (utc.format(&fmt).unwrap_or_default()) " UTC" }
            }
        }
    }
}

/// The verdict in the codes of ETSI EN 319 102-1.
pub(crate) fn indication_name(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "TOTAL_PASSED",
        Indication::TotalFailed => "TOTAL_FAILED",
        Indication::Indeterminate => "INDETERMINATE",
    }
}

fn verdict_code(i: Indication, sub: Option<SubIndication>) -> String {
    match sub {
        Some(sub) => format!("{} / {}", indication_name(i), sub_name(sub)),
        None => indication_name(i).to_owned(),
    }
}

fn headline(t: &Texts, i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => t.headline_passed,
        Indication::TotalFailed => t.headline_failed,
        Indication::Indeterminate => t.headline_indeterminate,
    }
}

fn indication_class(i: Indication) -> &'static str {
    match i {
        Indication::TotalPassed => "passed",
        Indication::TotalFailed => "failed",
        Indication::Indeterminate => "indeterminate",
    }
}

fn sub_name(s: SubIndication) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{s:?}"))
}

fn outcome_index(o: Outcome) -> (&'static str, usize) {
    match o {
        Outcome::Passed => ("passed", 0),
        Outcome::Failed => ("failed", 1),
        Outcome::Indeterminate => ("indeterminate", 2),
        Outcome::Skipped => ("neutral", 3),
    }
}

pub(crate) fn size_text(bytes: usize) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// `licence_number` → "Licence number"; `bin` → "BIN".
fn label(key: &str) -> String {
    words(key, true)
}

/// The words of a key, acronyms in capitals, the first word capitalised when `capital`.
fn words(key: &str, capital: bool) -> String {
    let words: Vec<String> = key
        .split(['_', '-'])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| match w {
            "iin" | "bin" | "id" | "kz" | "eds" => w.to_ascii_uppercase(),
            _ if i == 0 && capital => {
                let mut chars = w.chars();
                chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            }
            _ => w.to_owned(),
        })
        .collect();
    words.join(" ")
}

/// A JSON value with its object keys in the order written (serde_json's own `Value` sorts them
/// unless the crate-wide `preserve_order` feature is on, which would change every other JSON
/// output of the workspace).
pub(crate) enum Node {
    Scalar(String),
    Bool(bool),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn text(&self) -> String {
        match self {
            Node::Scalar(s) => s.clone(),
            Node::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            Node::List(items) => items.iter().map(Node::text).collect::<Vec<_>>().join("\n"),
            Node::Map(fields) => fields
                .iter()
                .map(|(k, v)| format!("{}: {}", k.replace('_', " "), v.text()))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    fn field(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(fields) => fields.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_owned()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar("—".to_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            fields.push((k, v));
        }
        Ok(Node::Map(fields))
    }
}

/// The page's style: system fonts only, nothing fetched. Long values (serials, names, base64)
/// wrap anywhere, so nothing scrolls sideways at 360 px.
const STYLE: &str = r#"
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff;--brand:#0b4f6c;
--ok:#1b7f3b;--ok-bg:#e8f5ec;--bad:#b42318;--bad-bg:#fdecea;--mid:#9a6700;--mid-bg:#fff6dc}
*{box-sizing:border-box}
html{font-size:16px;-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",Arial,sans-serif;line-height:1.5;overflow-wrap:anywhere}
.wrap{max-width:62rem;margin:0 auto;padding:0 1rem}
.top{background:var(--brand);color:#fff}
.top .wrap{display:flex;align-items:center;justify-content:space-between;gap:.5rem 1rem;min-height:3.5rem;flex-wrap:wrap;padding-top:.4rem;padding-bottom:.4rem}
.brand{color:#fff;text-decoration:none;font-weight:600;font-size:1.05rem;display:flex;align-items:center;gap:.6rem;min-width:0}
.mark{display:inline-flex;flex:none;width:1.8rem;height:1.8rem;border-radius:50%;background:#fff;color:var(--brand);align-items:center;justify-content:center;font-weight:700}
.langs{display:flex;gap:.25rem;flex-wrap:wrap}
.lang{color:#fff;text-decoration:none;font-size:.9rem;padding:.2rem .6rem;border-radius:999px;border:1px solid rgba(255,255,255,.5)}
.lang.current{background:#fff;color:var(--brand);font-weight:600}
a.lang:hover{background:rgba(255,255,255,.15)}
main.wrap{padding-top:1.5rem;padding-bottom:.5rem}
h1{font-size:1.5rem;margin:0 0 .5rem;line-height:1.25}
h2{font-size:1.15rem;margin:0}
h2.section-title{margin:1.75rem 0 .75rem;font-size:1.05rem;color:var(--muted)}
h3{font-size:.8rem;margin:1.4rem 0 .5rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1.25rem;margin:0 0 1.25rem;box-shadow:0 1px 2px rgba(16,42,67,.05)}
.card.muted{background:#fbfcfd}
.card-head{display:flex;align-items:center;justify-content:space-between;gap:.5rem 1rem;flex-wrap:wrap}
.lead{color:var(--muted);margin:.25rem 0 1.25rem}
.field{margin:0 0 1.1rem}
label{display:block;font-weight:600;margin-bottom:.35rem}
.req,.opt{font-weight:400;font-size:.75rem;border-radius:999px;padding:.1rem .5rem;vertical-align:middle}
.req{background:#e0e8f9;color:#1d3f8f}.opt{background:#eef1f4;color:var(--muted)}
input[type=file]{display:block;width:100%;max-width:100%;padding:.7rem;border:1px dashed #9fb3c8;border-radius:8px;background:#f8fafc;font:inherit}
.hint{margin:.3rem 0 0;font-size:.85rem;color:var(--muted)}
.limit{font-size:.9rem;color:var(--muted);margin:0 0 1rem}
button,.button{display:inline-block;background:var(--brand);color:#fff;border:0;border-radius:8px;padding:.65rem 1.4rem;font:inherit;font-weight:600;cursor:pointer;text-decoration:none;max-width:100%}
button:hover,.button:hover{background:#083b51}
.steps{margin:.5rem 0 1rem;padding-left:1.3rem}.steps li{margin:.2rem 0}
.banner{border-radius:10px;padding:1.2rem 1.25rem;margin:0 0 1.25rem;border:1px solid;border-left-width:8px}
.banner.passed{background:var(--ok-bg);border-color:var(--ok)}
.banner.failed{background:var(--bad-bg);border-color:var(--bad)}
.banner.indeterminate{background:var(--mid-bg);border-color:var(--mid)}
.banner.problem{background:var(--bad-bg);border-color:var(--bad)}
.kicker{margin:0 0 .2rem;font-weight:700;font-size:1.2rem}
.banner.passed .kicker{color:var(--ok)}.banner.failed .kicker{color:var(--bad)}.banner.indeterminate .kicker{color:var(--mid)}
#verdict{font-family:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:1rem;font-weight:600;margin:0 0 .5rem;letter-spacing:.02em}
.reason{margin:0;font-size:1.05rem}
.files{margin:.6rem 0 0;font-size:.85rem;color:var(--muted)}
.code{font-family:ui-monospace,monospace;font-size:.85rem;color:var(--muted)}
.pill{display:inline-block;font-size:.75rem;font-weight:600;border-radius:999px;padding:.15rem .6rem;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
.pill.passed{background:var(--ok-bg);color:var(--ok)}.pill.failed{background:var(--bad-bg);color:var(--bad)}
.pill.indeterminate{background:var(--mid-bg);color:var(--mid)}.pill.neutral{background:#eef1f4;color:var(--muted)}
.detail{color:var(--muted);margin:.4rem 0 0}
dl.grid{display:grid;grid-template-columns:minmax(8rem,14rem) minmax(0,1fr);margin:0;border-top:1px solid var(--line)}
dl.grid dt,dl.grid dd{padding:.45rem .25rem;border-bottom:1px solid var(--line);margin:0;min-width:0}
dl.grid dt{color:var(--muted);font-size:.9rem}
dl.grid.compact{margin-top:.8rem;border-top-color:rgba(0,0,0,.1)}
dl.grid.compact dt,dl.grid.compact dd{border-bottom-color:rgba(0,0,0,.1)}
dl.summary dd{font-weight:600}
#document-number{font-size:1.15rem}
.basis{display:block;font-size:.8rem;color:var(--muted)}
.when .utc{color:var(--muted);font-size:.9em}
.block{display:block}
.chain{margin:0;padding-left:1.3rem}.chain li{margin:.35rem 0}
.chain .role{font-size:.75rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.chain .subject{display:block}
ul.checks{list-style:none;margin:0;padding:0;border-top:1px solid var(--line)}
ul.checks li{padding:.5rem .25rem;border-bottom:1px solid var(--line)}
.check-head{display:flex;justify-content:space-between;gap:.5rem;flex-wrap:wrap;font-weight:600}
.finding{margin:.2rem 0 0;font-size:.9rem}
.warnings{margin:0;padding-left:1.3rem;color:var(--mid)}
.note{background:#eef4fb;border-radius:8px;padding:.6rem .8rem}
.note.bad{background:var(--bad-bg);color:var(--bad)}
.download{margin:1rem 0 0}
details.all-fields{margin-top:1rem}
details.all-fields summary{cursor:pointer;font-weight:600;color:var(--brand)}
.small{font-size:.8rem;color:var(--muted)}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85em;overflow-wrap:anywhere;word-break:break-all}
.filename{word-break:break-all}
.foot{font-size:.8rem;color:var(--muted);padding-bottom:2rem}
@media (max-width:40rem){dl.grid{grid-template-columns:minmax(0,1fr)}dl.grid dt{border-bottom:0;padding-bottom:0}.card{padding:1rem}.banner{padding:1rem}}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_labels_read_as_words() {
        assert_eq!(label("licence_number"), "Licence number");
        assert_eq!(label("place-of-issue"), "Place of issue");
        assert_eq!(label("bin"), "BIN");
        assert_eq!(words("given_name", false), "given name");
        assert_eq!(words("head_iin", false), "head IIN");
        assert_eq!(size_text(MAX_UPLOAD), "10 MiB");
    }

    #[test]
    fn ok_download_name_is_cut_to_safe_characters() {
        assert_eq!(
            download_name(Some("licence.json.p7s"), true),
            "licence.json"
        );
        assert_eq!(download_name(Some("LICENCE.P7S"), true), "LICENCE.json");
        assert_eq!(download_name(Some("C:\\docs\\a b.cms"), false), "a_b.bin");
        assert_eq!(
            download_name(Some("<script>alert(1).p7s"), false),
            "script_alert_1_.bin"
        );
        assert_eq!(
            download_name(Some("<script>x</script>.p7s"), true),
            "script_.json"
        );
        assert_eq!(
            download_name(Some("../../etc/passwd.sig"), false),
            "passwd.bin"
        );
        assert_eq!(download_name(Some("..p7s"), true), "signed-content.json");
        assert_eq!(download_name(None, false), "signed-content.bin");
        assert_eq!(
            download_name(Some("report.pdf"), false),
            "report.pdf.content"
        );
        assert_eq!(
            download_name(Some("Лицензия №5.p7s"), true),
            "Лицензия__5.json"
        );
        let long = format!("{}.p7s", "a".repeat(300));
        assert_eq!(download_name(Some(&long), false).chars().count(), 104);
    }

    #[test]
    fn ok_time_is_shown_in_astana_and_utc() {
        let t = Lang::En.texts();
        let at = time::macros::datetime!(2026-03-23 14:05:07.5 UTC);
        let html = when(t, at).into_string();
        assert!(
            html.contains("2026-03-23 19:05:07 Astana (UTC+5)"),
            "{html}"
        );
        assert!(html.contains("2026-03-23 14:05:07 UTC"), "{html}");
        assert!(html.contains("datetime=\"2026-03-23T14:05:07Z\""), "{html}");
        // Before the single zone (1 March 2024) Astana kept UTC+6.
        let old = time::macros::datetime!(2023-12-31 20:00 UTC);
        let html = when(Lang::Kk.texts(), old).into_string();
        assert!(
            html.contains("2024-01-01 02:00:00 Астана (UTC+6)"),
            "{html}"
        );
    }
}
