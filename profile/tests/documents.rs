//! Licensing documents: every example in `fixtures/documents/` reads, validates and round-trips;
//! each invalid field gives its own error; the canonical bytes follow RFC 8785; the published
//! schemas are what the types generate.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use eds_profile::documents::{
    ApplicationNumberError, Document, DocumentError, Kind, PartyId, RefusalGround, ReissueGround,
    Service, Subtype, canonicalize_json, refusal_grounds, result_kinds, schema,
};
use eds_profile::ident::{Bin, IdentError, Iin};
use serde_json::{Value, json};
use time::macros::date;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture_paths() -> Vec<PathBuf> {
    let dir = root().join("fixtures/documents");
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
}

fn fixture(name: &str) -> Value {
    let path = root().join(format!("fixtures/documents/{name}.json"));
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read(value: &Value) -> Result<Document, DocumentError> {
    Document::from_json(value.to_string().as_bytes())
}

/// Reads `name` after `edit` changed it, expecting `expected`.
fn fails(name: &str, edit: impl FnOnce(&mut Value), expected: DocumentError) {
    let mut v = fixture(name);
    edit(&mut v);
    assert_eq!(read(&v), Err(expected), "{name}");
}

fn s(x: &str) -> String {
    x.to_owned()
}

// ---- valid documents ----

#[test]
fn ok_every_fixture_reads_validates_and_round_trips() {
    let mut kinds = BTreeSet::new();
    for path in fixture_paths() {
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let doc = Document::from_json(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        kinds.insert(doc.kind().as_str());
        assert!(
            doc.service().may_produce(doc.kind())
                || doc.kind().is_application()
                || doc.kind() == Kind::Receipt
        );
        // JSON out and back in gives the same document and the same canonical bytes.
        let pretty = doc.to_json_pretty().unwrap_or_else(|e| panic!("{e}"));
        let again = Document::from_json(pretty.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, doc, "{}", path.display());
        let canonical = doc.canonical_bytes().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.canonical_bytes(), Ok(canonical.clone()));
        // The canonical bytes are themselves a document that reads back to the same one.
        assert_eq!(Document::from_json(&canonical), Ok(doc.clone()));
        // The fixture's own bytes canonicalise to the same bytes.
        assert_eq!(
            canonicalize_json(&bytes),
            Ok(canonical),
            "{}",
            path.display()
        );
    }
    let all: BTreeSet<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, all, "a fixture for every kind");
}

#[test]
fn ok_accessors() {
    let doc = read(&fixture("application-legal-entity")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.kind(), Kind::Application);
    assert_eq!(doc.service(), Service::SpecialMeansLicence);
    assert_eq!(doc.application_number().as_str(), "KZ12LAA00012345");
    assert_eq!(
        doc.recipient_id(),
        PartyId::Bin(Bin::parse("150540000007").unwrap_or_else(|e| panic!("{e}")))
    );
    assert_eq!(doc.provider(), None);

    let doc = read(&fixture("sale-permit")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.kind(), Kind::SalePermit);
    assert_eq!(doc.service(), Service::CryptoSalePermit);
    assert_eq!(
        doc.recipient_id(),
        PartyId::Iin(Iin::parse("850312400009").unwrap_or_else(|e| panic!("{e}")))
    );
    assert_eq!(
        doc.provider().map(|p| p.bin.as_str().to_owned()),
        Some(s("991240000003"))
    );
}

#[test]
fn ok_key_order_and_white_space_do_not_change_the_signed_bytes() {
    let original = fixture("licence");
    let canonical = read(&original)
        .and_then(|d| d.canonical_bytes())
        .unwrap_or_else(|e| panic!("{e}"));
    // Same document written with keys reversed at every level and with odd white space.
    fn reversed(v: &Value) -> String {
        match v {
            Value::Object(m) => {
                let parts: Vec<String> = m
                    .iter()
                    .rev()
                    .map(|(k, v)| format!("\n\t {} :  {}", Value::String(k.clone()), reversed(v)))
                    .collect();
                format!("{{ {} \r\n}}", parts.join(" ,"))
            }
            Value::Array(a) => {
                let parts: Vec<String> = a.iter().map(reversed).collect();
                format!("[ {} ]", parts.join(" , "))
            }
            other => other.to_string(),
        }
    }
    let rewritten = reversed(&original);
    assert_ne!(rewritten.as_bytes(), original.to_string().as_bytes());
    let doc = Document::from_json(rewritten.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(doc.canonical_bytes(), Ok(canonical.clone()));
    assert_eq!(
        canonicalize_json(rewritten.as_bytes()),
        Ok(canonical.clone())
    );
    // Keys sorted, no white space outside strings.
    let text = String::from_utf8(canonical).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.starts_with("{\"activity\":"), "{text}");
    assert!(!text.contains("\n"));
}

#[test]
fn ok_a_changed_field_changes_the_signed_bytes() {
    let a = read(&fixture("licence")).and_then(|d| d.canonical_bytes());
    let mut v = fixture("licence");
    v["licence_number"] = json!("26000457");
    let b = read(&v).and_then(|d| d.canonical_bytes());
    assert!(a.is_ok() && b.is_ok());
    assert_ne!(a, b);
}

// ---- RFC 8785 ----

#[test]
fn ok_rfc8785_sample_of_section_3_2_2() {
    // RFC 8785 §3.2.2: the input with numbers, an escaped string and literals, and §3.2.4's
    // expected output.
    let input = br#"{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}"#;
    let expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
    let got = canonicalize_json(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8(got).unwrap_or_default(), expected);
}

#[test]
fn ok_rfc8785_sorting_of_section_3_2_3() {
    // RFC 8785 §3.2.3: keys are sorted by their UTF-16 code units, not by UTF-8 bytes or code
    // points (U+1F600 as a surrogate pair sorts before U+FB33).
    let input = r#"{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}"#;
    let got = canonicalize_json(input.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
    assert_eq!(String::from_utf8(got).unwrap_or_default(), expected);
}

#[test]
fn ok_rfc8785_numbers_of_appendix_b() {
    // RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
    let cases: [(u64, &str); 20] = [
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];
    for (bits, expected) in cases {
        let value = f64::from_bits(bits);
        let got = serde_json_canonicalizer::to_string(&value).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, expected, "{bits:#018x}");
    }
}

// ---- services ----

#[test]
fn ok_result_kinds_and_grounds_per_service() {
    use Kind as K;
    assert_eq!(
        result_kinds(Service::SpecialMeansLicence),
        &[
            K::Licence,
            K::ReissuedLicence,
            K::LicenceAnnex,
            K::Refusal,
            K::HearingNotice,
            K::HearingRecord
        ]
    );
    assert_eq!(
        result_kinds(Service::CryptoTradePermit),
        &[
            K::TradePermit,
            K::Refusal,
            K::HearingNotice,
            K::HearingRecord
        ]
    );
    assert_eq!(
        result_kinds(Service::TechnicalStudy),
        &[
            K::TechnicalStudyConclusion,
            K::Refusal,
            K::HearingNotice,
            K::HearingRecord
        ]
    );
    assert_eq!(
        result_kinds(Service::NotificationRegistration),
        &[
            K::NotificationRegistrationDecision,
            K::Refusal,
            K::HearingNotice,
            K::HearingRecord
        ]
    );
    assert_eq!(
        result_kinds(Service::CryptoSalePermit),
        &[
            K::SalePermit,
            K::Refusal,
            K::HearingNotice,
            K::HearingRecord
        ]
    );
    assert!(
        refusal_grounds(Service::SpecialMeansTradePermit)
            .contains(&RefusalGround::NationalSecurityHarm)
    );
    assert!(
        !refusal_grounds(Service::CryptoTradePermit).contains(&RefusalGround::NationalSecurityHarm)
    );
    assert!(
        refusal_grounds(Service::NotificationRegistration)
            .contains(&RefusalGround::NegativeExpertConclusion)
    );
    assert!(
        !refusal_grounds(Service::CryptoSalePermit).contains(&RefusalGround::LicenceFeeNotPaid)
    );
    for service in Service::ALL {
        assert_eq!(
            refusal_grounds(service).first(),
            Some(&RefusalGround::IncompleteDocuments)
        );
    }
    let terms: Vec<(u8, Option<u32>, Option<u32>)> = Service::ALL
        .iter()
        .map(|s| {
            (
                s.annex(),
                s.term_working_days(eds_profile::documents::Procedure::Issue),
                s.term_working_days(eds_profile::documents::Procedure::Reissue),
            )
        })
        .collect();
    assert_eq!(
        terms,
        vec![
            (1, Some(15), Some(3)),
            (2, Some(15), Some(3)),
            (3, Some(15), Some(3)),
            (4, Some(8), None),
            (5, Some(8), None),
            (6, Some(5), None),
            (7, Some(5), None),
            (8, Some(8), None),
        ]
    );
    assert_eq!(
        Service::SpecialMeansLicence.subtypes(),
        &[Subtype::DevelopmentProduction, Subtype::RepairSale]
    );
    assert_eq!(Service::CryptoDevelopmentLicence.subtypes(), &[]);
}

// ---- reading: JSON, kind, identifiers ----

#[test]
fn fail_not_json() {
    assert!(matches!(
        Document::from_json(b"{\"kind\": \"licence\""),
        Err(DocumentError::Json { line: 1, .. })
    ));
}

#[test]
fn fail_missing_and_unknown_kind() {
    fails(
        "licence",
        |v| {
            v.as_object_mut().map(|m| m.remove("kind"));
        },
        DocumentError::MissingKind,
    );
    fails(
        "licence",
        |v| v["kind"] = json!("licence-2"),
        DocumentError::UnknownKind {
            found: s("licence-2"),
        },
    );
}

#[test]
fn fail_unknown_field_and_unknown_service() {
    let mut v = fixture("licence");
    v["colour"] = json!("red");
    assert!(
        matches!(read(&v), Err(DocumentError::Json { message, .. }) if message.contains("colour"))
    );
    let mut v = fixture("licence");
    v["service"] = json!("fishing-licence");
    assert!(
        matches!(read(&v), Err(DocumentError::Json { message, .. }) if message.contains("fishing-licence"))
    );
}

#[test]
fn fail_bad_iin() {
    fails(
        "application-individual",
        |v| v["applicant"]["iin"] = json!("850312400008"),
        DocumentError::Iin {
            field: s("applicant.iin"),
            source: IdentError::BadCheckDigit {
                expected: Some(9),
                found: 8,
            },
        },
    );
    fails(
        "sale-permit",
        |v| v["recipient"]["iin"] = json!("8503124000"),
        DocumentError::Iin {
            field: s("recipient.iin"),
            source: IdentError::WrongLength { found: 10 },
        },
    );
}

#[test]
fn fail_bad_bin() {
    fails(
        "application-legal-entity",
        |v| v["applicant"]["bin"] = json!("151340000007"),
        DocumentError::Bin {
            field: s("applicant.bin"),
            source: IdentError::BadMonth { found: 13 },
        },
    );
    fails(
        "licence",
        |v| v["provider"]["bin"] = json!("850312400009"),
        DocumentError::Bin {
            field: s("provider.bin"),
            source: IdentError::BadEntityType { found: 1 },
        },
    );
}

#[test]
fn fail_bad_application_number() {
    fails(
        "licence",
        |v| v["application_number"] = json!("12LAA00012345"),
        DocumentError::ApplicationNumber {
            field: s("application_number"),
            source: ApplicationNumberError::MissingPrefix,
        },
    );
    fails(
        "receipt",
        |v| v["application_number"] = json!("KZ12laa00012345"),
        DocumentError::ApplicationNumber {
            field: s("application_number"),
            source: ApplicationNumberError::BadCharacter {
                position: 4,
                found: 'l',
            },
        },
    );
    fails(
        "application-legal-entity",
        |v| v["application_number"] = json!("KZ1"),
        DocumentError::ApplicationNumber {
            field: s("application_number"),
            source: ApplicationNumberError::WrongLength { found: 1 },
        },
    );
}

// ---- field checks, one error per field ----

#[test]
fn fail_empty_fields() {
    let cases: [(&str, &str, &str); 7] = [
        ("application-legal-entity", "/addressee", "addressee"),
        (
            "application-legal-entity",
            "/applicant/name",
            "applicant.name",
        ),
        (
            "application-individual",
            "/applicant/name/surname",
            "applicant.name.surname",
        ),
        ("licence", "/officer/position", "officer.position"),
        ("licence", "/place_of_issue", "place_of_issue"),
        ("refusal", "/reasoning", "reasoning"),
        (
            "application-trade-permit",
            "/movement/partner",
            "movement.partner",
        ),
    ];
    for (name, pointer, field) in cases {
        fails(
            name,
            |v| {
                if let Some(x) = v.pointer_mut(pointer) {
                    *x = json!("  ");
                }
            },
            DocumentError::EmptyField { field: s(field) },
        );
    }
    fails(
        "application-legal-entity",
        |v| v["contacts"]["phones"] = json!([]),
        DocumentError::EmptyField {
            field: s("contacts.phones"),
        },
    );
    fails(
        "refusal",
        |v| v["grounds"] = json!([]),
        DocumentError::EmptyField {
            field: s("grounds"),
        },
    );
    fails(
        "reissue-application-individual",
        |v| v["grounds"] = json!([]),
        DocumentError::EmptyField {
            field: s("grounds"),
        },
    );
}

#[test]
fn fail_too_long() {
    fails(
        "refusal",
        |v| v["reasoning"] = json!("x".repeat(2001)),
        DocumentError::TooLong {
            field: s("reasoning"),
            max: 2000,
            found: 2001,
        },
    );
}

#[test]
fn fail_contacts_and_accounts() {
    fails(
        "application-legal-entity",
        |v| v["contacts"]["email"] = json!("office.example.kz"),
        DocumentError::BadEmail {
            field: s("contacts.email"),
            found: s("office.example.kz"),
        },
    );
    fails(
        "application-legal-entity",
        |v| v["contacts"]["phones"] = json!(["+7 7172 55-01-02", "call me"]),
        DocumentError::BadPhone {
            field: s("contacts.phones[1]"),
            found: s("call me"),
        },
    );
    fails(
        "application-legal-entity",
        |v| v["contacts"]["fax"] = json!("12"),
        DocumentError::BadPhone {
            field: s("contacts.fax"),
            found: s("12"),
        },
    );
    fails(
        "application-legal-entity",
        |v| v["bank_account"]["iban"] = json!("KZ87125KZT5004100100"),
        DocumentError::BadIban {
            field: s("bank_account.iban"),
            found: s("KZ87125KZT5004100100"),
        },
    );
    fails(
        "application-individual",
        |v| v["applicant"]["address"]["postal_code"] = json!("5000"),
        DocumentError::BadPostalCode {
            field: s("applicant.address.postal_code"),
            found: s("5000"),
        },
    );
}

#[test]
fn ok_foreign_postal_code_is_free_text() {
    let mut v = fixture("application-legal-entity");
    v["applicant"]["address"]["country"] = json!("DE");
    v["applicant"]["address"]["postal_code"] = json!("10115");
    assert!(read(&v).is_ok());
}

#[test]
fn fail_commodity_code_and_digest() {
    fails(
        "application-trade-permit",
        |v| v["goods"][0]["commodity_code"] = json!("85176200"),
        DocumentError::BadCommodityCode {
            field: s("goods[0].commodity_code"),
            found: s("85176200"),
        },
    );
    fails(
        "trade-permit",
        |v| v["goods"][0]["commodity_code"] = json!("8519A10009"),
        DocumentError::BadCommodityCode {
            field: s("goods[0].commodity_code"),
            found: s("8519A10009"),
        },
    );
    fails(
        "technical-study-conclusion",
        |v| v["items"][0]["commodity_code"] = json!(""),
        DocumentError::BadCommodityCode {
            field: s("items[0].commodity_code"),
            found: s(""),
        },
    );
    fails(
        "receipt",
        |v| {
            v["content_sha256"] =
                json!("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")
        },
        DocumentError::BadDigest {
            field: s("content_sha256"),
        },
    );
}

#[test]
fn fail_kind_not_of_service() {
    fails(
        "licence",
        |v| v["service"] = json!("crypto-trade-permit"),
        DocumentError::KindNotOfService {
            kind: Kind::Licence,
            service: Service::CryptoTradePermit,
        },
    );
    fails(
        "trade-permit",
        |v| v["service"] = json!("technical-study"),
        DocumentError::KindNotOfService {
            kind: Kind::TradePermit,
            service: Service::TechnicalStudy,
        },
    );
    fails(
        "reissue-application-individual",
        |v| v["service"] = json!("crypto-sale-permit"),
        DocumentError::KindNotOfService {
            kind: Kind::ReissueApplication,
            service: Service::CryptoSalePermit,
        },
    );
    fails(
        "receipt",
        |v| v["received_kind"] = json!("licence"),
        DocumentError::KindNotOfService {
            kind: Kind::Licence,
            service: Service::SpecialMeansLicence,
        },
    );
}

#[test]
fn fail_subtypes() {
    fails(
        "licence",
        |v| v["subtypes"] = json!([]),
        DocumentError::SubtypesMissing {
            field: s("subtypes"),
            service: Service::SpecialMeansLicence,
        },
    );
    fails(
        "licence",
        |v| v["subtypes"] = json!(["repair-sale", "repair-sale"]),
        DocumentError::DuplicateSubtype {
            field: s("subtypes[1]"),
            subtype: Subtype::RepairSale,
        },
    );
    fails(
        "application-individual",
        |v| v["subtypes"] = json!(["development-production"]),
        DocumentError::SubtypeNotOfService {
            field: s("subtypes[0]"),
            subtype: Subtype::DevelopmentProduction,
            service: Service::CryptoDevelopmentLicence,
        },
    );
}

#[test]
fn fail_refusal_ground_of_another_service() {
    fails(
        "refusal",
        |v| v["service"] = json!("crypto-trade-permit"),
        DocumentError::GroundNotOfService {
            field: s("grounds[1]"),
            ground: RefusalGround::NationalSecurityHarm,
            service: Service::CryptoTradePermit,
        },
    );
    fails(
        "hearing-notice",
        |v| v["preliminary_grounds"] = json!(["negative-expert-conclusion"]),
        DocumentError::GroundNotOfService {
            field: s("preliminary_grounds[0]"),
            ground: RefusalGround::NegativeExpertConclusion,
            service: Service::CryptoDevelopmentLicence,
        },
    );
}

#[test]
fn fail_reissue_ground_of_the_other_form() {
    fails(
        "reissue-application-individual",
        |v| v["grounds"] = json!(["location-change"]),
        DocumentError::ReissueGroundNotForApplicant {
            field: s("grounds[0]"),
            ground: ReissueGround::LocationChange,
            applicant: "an individual",
        },
    );
    fails(
        "reissue-application-legal-entity",
        |v| v["grounds"] = json!(["name-change", "personal-name-change"]),
        DocumentError::ReissueGroundNotForApplicant {
            field: s("grounds[1]"),
            ground: ReissueGround::PersonalNameChange,
            applicant: "a legal entity",
        },
    );
}

#[test]
fn fail_sections_required_or_not_allowed() {
    let svc = Service::CryptoTradePermit;
    fails(
        "application-trade-permit",
        |v| {
            v.as_object_mut().map(|m| m.remove("movement"));
        },
        DocumentError::FieldRequired {
            field: s("movement"),
            service: svc,
        },
    );
    fails(
        "application-trade-permit",
        |v| v["goods"] = json!([]),
        DocumentError::FieldRequired {
            field: s("goods"),
            service: svc,
        },
    );
    fails(
        "application-trade-permit",
        |v| {
            v["goods"][0]
                .as_object_mut()
                .map(|m| m.remove("commodity_code"));
        },
        DocumentError::FieldRequired {
            field: s("goods[0].commodity_code"),
            service: svc,
        },
    );
    fails(
        "application-trade-permit",
        |v| v["movement"]["kind"] = json!("temporary-import"),
        DocumentError::FieldRequired {
            field: s("movement.temporary_until"),
            service: svc,
        },
    );
    fails(
        "application-trade-permit",
        |v| v["movement"]["kind"] = json!("transit"),
        DocumentError::FieldRequired {
            field: s("movement.transit_country"),
            service: svc,
        },
    );
    fails(
        "trade-permit",
        |v| v["movement"]["kind"] = json!("export"),
        DocumentError::FieldNotAllowed {
            field: s("movement.temporary_until"),
            service: Service::SpecialMeansTradePermit,
        },
    );
    fails(
        "application-legal-entity",
        |v| v["goods"] = json!([{ "name": "x" }]),
        DocumentError::FieldNotAllowed {
            field: s("goods"),
            service: Service::SpecialMeansLicence,
        },
    );
    fails(
        "application-legal-entity",
        |v| v["actual_address"] = v["object_address"].clone(),
        DocumentError::FieldNotAllowed {
            field: s("actual_address"),
            service: Service::SpecialMeansLicence,
        },
    );
    fails(
        "application-trade-permit",
        |v| v["bank_account"] = json!({ "iban": "KZ86125KZT5004100100", "bank": "Example Bank" }),
        DocumentError::FieldNotAllowed {
            field: s("bank_account"),
            service: svc,
        },
    );
    fails(
        "application-technical-study",
        |v| v["contact_person"] = json!("Nurlanova A. B."),
        DocumentError::FieldNotAllowed {
            field: s("contact_person"),
            service: Service::TechnicalStudy,
        },
    );
    fails(
        "application-sale-permit",
        |v| v["contract"] = json!("No. 1"),
        DocumentError::FieldNotAllowed {
            field: s("contract"),
            service: Service::CryptoSalePermit,
        },
    );
    fails(
        "reissue-application-legal-entity",
        |v| {
            v.as_object_mut().map(|m| m.remove("reorganisation"));
        },
        DocumentError::FieldRequired {
            field: s("reorganisation"),
            service: Service::LeakageChannelsLicence,
        },
    );
    fails(
        "reissue-application-individual",
        |v| v["reorganisation"] = json!("merger"),
        DocumentError::FieldNotAllowed {
            field: s("reorganisation"),
            service: Service::SpecialMeansLicence,
        },
    );
}

#[test]
fn fail_dates_out_of_order() {
    fails(
        "trade-permit",
        |v| v["valid_until"] = json!("2026-02-11"),
        DocumentError::DateBefore {
            field: s("valid_until"),
            date: date!(2026 - 02 - 11),
            other_field: s("issued_on"),
            other: date!(2026 - 02 - 12),
        },
    );
    fails(
        "refusal",
        |v| v["issued_on"] = json!("2026-03-01"),
        DocumentError::DateBefore {
            field: s("issued_on"),
            date: date!(2026 - 03 - 01),
            other_field: s("application_date"),
            other: date!(2026 - 03 - 02),
        },
    );
    fails(
        "hearing-notice",
        |v| v["hearing_at"] = json!("2026-06-10T23:00:00+05:00"),
        DocumentError::DateBefore {
            field: s("hearing_at"),
            date: date!(2026 - 06 - 10),
            other_field: s("issued_on"),
            other: date!(2026 - 06 - 11),
        },
    );
    fails(
        "receipt",
        // 20:15 in Astana is 15:15 UTC on the same day; registration the day before is wrong.
        |v| v["registered_on"] = json!("2026-03-01"),
        DocumentError::DateBefore {
            field: s("registered_on"),
            date: date!(2026 - 03 - 01),
            other_field: s("received_at"),
            other: date!(2026 - 03 - 02),
        },
    );
    fails(
        "reissue-application-legal-entity",
        |v| v["filled_on"] = json!("2026-05-31"),
        DocumentError::DateBefore {
            field: s("filled_on"),
            date: date!(2026 - 05 - 31),
            other_field: s("changes_on"),
            other: date!(2026 - 06 - 01),
        },
    );
    fails(
        "notification-registration-decision",
        |v| v["notification_valid_until"] = json!("2026-05-07"),
        DocumentError::DateBefore {
            field: s("notification_valid_until"),
            date: date!(2026 - 05 - 07),
            other_field: s("registered_on"),
            other: date!(2026 - 05 - 08),
        },
    );
    let mut v = fixture("reissued-licence");
    v["issued_on"] = json!("2026-01-19");
    assert_eq!(
        read(&v),
        Err(DocumentError::DateBefore {
            field: s("issued_on"),
            date: date!(2026 - 01 - 19),
            other_field: s("previous.issued_on"),
            other: date!(2026 - 01 - 20),
        })
    );
}

#[test]
fn fail_technical_study_validity_is_indefinite_only() {
    let mut v = fixture("technical-study-conclusion");
    v["validity"] = json!("2027-01-01");
    assert!(
        matches!(read(&v), Err(DocumentError::Json { message, .. }) if message.contains("indefinite"))
    );
    let mut v = fixture("technical-study-conclusion");
    v["items"][0]["result"] = json!("crypto");
    assert!(
        matches!(read(&v), Err(DocumentError::Json { message, .. }) if message.contains("incomplete-description"))
    );
}

#[test]
fn ok_reissue_filed_in_time() {
    let Ok(Document::ReissueApplication(mut app)) =
        read(&fixture("reissue-application-legal-entity"))
    else {
        panic!("not a reissue application");
    };
    assert!(app.filed_in_time());
    app.filled_on = date!(2026 - 07 - 01); // 30 days after 1 June
    assert!(app.filed_in_time());
    app.filled_on = date!(2026 - 07 - 02);
    assert!(!app.filed_in_time());
}

/// Paragraph 5 of the rules of services 1–3: a reissue applied for more than 30 calendar days
/// after the changes is flagged (not a refusal ground); within the 30 days it is not.
#[test]
fn reissue_paragraph5_late_filing_is_flagged() {
    let Ok(Document::ReissueApplication(mut app)) =
        read(&fixture("reissue-application-legal-entity"))
    else {
        panic!("not a reissue application");
    };
    app.filled_on = date!(2026 - 07 - 01);
    assert_eq!(app.late_filing(), None);
    app.filled_on = date!(2026 - 07 - 02);
    let late = app.late_filing();
    assert_eq!(
        late,
        Some(eds_profile::documents::LateReissue {
            changes_on: date!(2026 - 06 - 01),
            filled_on: date!(2026 - 07 - 02),
            days: 31,
        })
    );
    assert_eq!(
        late.map(|l| l.to_string()),
        Some(
            "the reissue is applied for on 2026-07-02, 31 calendar days after the changes of \
             2026-06-01; paragraph 5 of the rules asks for at most 30"
                .to_owned()
        )
    );
}

// ---- schemas ----

#[test]
fn ok_published_schemas_are_the_generated_ones() {
    let dir = root().join("docs/schemas");
    let update = std::env::var_os("EDS_UPDATE_SCHEMAS").is_some();
    for (file, schema) in schema::schemas() {
        let text = serde_json::to_string_pretty(&schema).unwrap_or_else(|e| panic!("{e}")) + "\n";
        let path = dir.join(&file);
        if update {
            fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
            fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
        }
        let committed = fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run EDS_UPDATE_SCHEMAS=1 cargo test -p eds-profile --test documents",
                path.display()
            )
        });
        assert_eq!(
            committed, text,
            "{file} differs from the types; rerun with EDS_UPDATE_SCHEMAS=1"
        );
    }
}

#[test]
fn ok_schema_of_each_kind_names_its_kind_and_required_fields() {
    for kind in Kind::ALL {
        let schema = schema::schema_of(kind);
        assert_eq!(schema["properties"]["kind"]["const"], json!(kind.as_str()));
        assert_eq!(schema["required"][0], json!("kind"));
        assert_eq!(schema["additionalProperties"], json!(false), "{kind}");
    }
    let licence = schema::schema_of(Kind::Licence);
    let required: Vec<&str> = licence["required"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        required,
        [
            "kind",
            "licence_number",
            "service",
            "provider",
            "licensee",
            "activity",
            "application_number",
            "place_of_issue",
            "issued_on",
            "officer"
        ]
    );
}

// ---- strict reading of signed content ----

#[test]
fn fail_duplicate_key() {
    // Two "iin" keys: serde_json alone would keep the second without a word.
    let text = fixture("sale-permit").to_string().replacen(
        "\"iin\":\"850312400009\"",
        "\"iin\":\"850312400009\",\"iin\":\"900115400129\"",
        1,
    );
    assert!(matches!(
        Document::from_json(text.as_bytes()),
        Err(DocumentError::DuplicateKey { key, line: 1, .. }) if key == "iin"
    ));
    // Also in plain canonicalisation, and for keys that need escaping.
    assert!(matches!(
        canonicalize_json(br#"{"a\"b": 1, "a\"b": 2}"#),
        Err(DocumentError::DuplicateKey { key, .. }) if key == "a\"b"
    ));
}

#[test]
fn ok_and_fail_signed_content_must_be_canonical() {
    let doc = read(&fixture("licence")).unwrap_or_else(|e| panic!("{e}"));
    let canonical = doc.canonical_bytes().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Document::from_signed_content(&canonical), Ok(doc.clone()));
    let pretty = doc.to_json_pretty().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        Document::from_signed_content(pretty.as_bytes()),
        Err(DocumentError::NotCanonical)
    );
    // A trailing newline is already a different byte string.
    let mut newline = canonical.clone();
    newline.push(b'\n');
    assert_eq!(
        Document::from_signed_content(&newline),
        Err(DocumentError::NotCanonical)
    );
}

#[test]
fn fail_number_above_exact_json_integers() {
    fails(
        "trade-permit",
        |v| v["goods"][0]["quantity"] = json!(9_007_199_254_740_992_u64),
        DocumentError::NumberTooLarge {
            field: s("goods[0].quantity"),
            found: 9_007_199_254_740_992,
            max: 9_007_199_254_740_991,
        },
    );
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;

    fn all_fixtures() -> Vec<Vec<u8>> {
        fixture_paths()
            .iter()
            .map(|p| fs::read(p).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random bytes never panic the reader.
        #[test]
        fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Document::from_json(&bytes);
            let _ = canonicalize_json(&bytes);
        }

        /// A fixture with one byte changed, inserted or removed never panics the reader, and
        /// whatever it accepts round-trips to the same canonical bytes.
        #[test]
        fn mutated_fixtures(which in 0usize..64, at in 0usize..4096, byte in any::<u8>(), op in 0u8..3) {
            let fixtures = all_fixtures();
            let mut bytes = fixtures[which % fixtures.len()].clone();
            let i = at % bytes.len();
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
            if let Ok(doc) = Document::from_json(&bytes) {
                let canonical = doc.canonical_bytes().unwrap_or_else(|e| panic!("{e}"));
                prop_assert_eq!(Document::from_signed_content(&canonical), Ok(doc));
            }
        }
    }
}

// ---- validity and addresses of permits and registrations (issue 15) ----

/// Service 5's permit (Annex 2 of its rules: "legal address of the service recipient") takes
/// the applicant's location, not the actual address; service 4's form names no address.
#[test]
fn service5_permit_takes_the_legal_address() {
    let Ok(Document::Application(app)) = read(&fixture("application-trade-permit")) else {
        panic!("not an application");
    };
    let eds_profile::documents::Applicant::LegalEntity { address, .. } = &app.applicant else {
        panic!("not a legal entity");
    };
    assert_ne!(
        app.actual_address.as_ref(),
        Some(address),
        "the fixture must differ"
    );
    assert_eq!(
        eds_profile::documents::permit_recipient_address(
            Service::CryptoTradePermit,
            &app.applicant
        ),
        Some(address.clone())
    );
    assert_eq!(
        eds_profile::documents::permit_recipient_address(
            Service::SpecialMeansTradePermit,
            &app.applicant
        ),
        None
    );
}

/// Services 4 and 5: "valid until" is the stated date or the end of a temporary movement, and
/// nothing otherwise (no one-year default); a permit without it is valid.
#[test]
fn trade_permit_validity_not_invented() {
    let Ok(Document::Application(app)) = read(&fixture("application-trade-permit")) else {
        panic!("not an application");
    };
    let mut movement = app
        .movement
        .clone()
        .unwrap_or_else(|| panic!("no movement"));
    assert_eq!(movement.temporary_until, None);
    assert_eq!(
        eds_profile::documents::trade_permit_valid_until(None, &movement),
        None
    );
    assert_eq!(
        eds_profile::documents::trade_permit_valid_until(Some(date!(2027 - 01 - 31)), &movement),
        Some(date!(2027 - 01 - 31))
    );
    movement.temporary_until = Some(date!(2026 - 09 - 30));
    assert_eq!(
        eds_profile::documents::trade_permit_valid_until(None, &movement),
        Some(date!(2026 - 09 - 30))
    );
    let mut permit = fixture("trade-permit");
    permit
        .as_object_mut()
        .map(|o| o.remove("valid_until"))
        .unwrap_or_else(|| panic!("not an object"));
    assert!(matches!(read(&permit), Ok(Document::TradePermit(p)) if p.valid_until.is_none()));
}

/// Service 7: the registration's validity is item 6 of the notification, required on its
/// application and refused on any other form.
#[test]
fn notification_registration_validity_from_the_application() {
    fails(
        "application-notification",
        |v| {
            v.as_object_mut()
                .map(|o| o.remove("notification_valid_until"));
        },
        DocumentError::FieldRequired {
            field: s("notification_valid_until"),
            service: Service::NotificationRegistration,
        },
    );
    fails(
        "application-trade-permit",
        |v| v["notification_valid_until"] = json!("2031-04-30"),
        DocumentError::FieldNotAllowed {
            field: s("notification_valid_until"),
            service: Service::CryptoTradePermit,
        },
    );
    fails(
        "application-notification",
        |v| v["notification_valid_until"] = json!("2026-04-29"),
        DocumentError::DateBefore {
            field: s("notification_valid_until"),
            date: date!(2026 - 04 - 29),
            other_field: s("filled_on"),
            other: date!(2026 - 04 - 30),
        },
    );
}

/// Services 1–3: the division grounds refuse only a reissue, never a first application; other
/// grounds of the list serve both; no service allows a ground outside its list.
#[test]
fn division_grounds_only_for_a_reissue() {
    use eds_profile::documents::Procedure;
    for service in [
        Service::SpecialMeansLicence,
        Service::CryptoDevelopmentLicence,
        Service::LeakageChannelsLicence,
    ] {
        for ground in [
            RefusalGround::DivisionDocumentsMissing,
            RefusalGround::DivisionQualificationNotMet,
            RefusalGround::DivisionAlreadyReissued,
        ] {
            assert!(ground.reissue_only());
            assert!(
                !service.allows_ground_for(ground, Procedure::Issue),
                "{ground:?}"
            );
            assert!(
                service.allows_ground_for(ground, Procedure::Reissue),
                "{ground:?}"
            );
        }
        assert!(service.allows_ground_for(RefusalGround::LicenceFeeNotPaid, Procedure::Issue));
    }
    assert!(
        !Service::CryptoTradePermit
            .allows_ground_for(RefusalGround::LicenceFeeNotPaid, Procedure::Issue)
    );
}

/// Paragraph 4 of every rules: a substantive refusal follows a preliminary decision and a
/// hearing; incompleteness is refused at once. The fixture notice (term ends 17 June 2026,
/// notice 11 June, hearing 12 June) is in time.
#[test]
fn hearing_required_before_a_substantive_refusal() {
    use eds_profile::calendar::Calendar;
    use eds_profile::documents::hearing::{HearingError, check_refusal_after_hearing};
    let cal = Calendar::embedded().unwrap_or_else(|e| panic!("{e}"));
    let Ok(Document::HearingNotice(notice)) = read(&fixture("hearing-notice")) else {
        panic!("not a hearing notice");
    };
    let app = notice.application_number.clone();
    let heard = RefusalGround::QualificationRequirementsNotMet;
    let on = date!(2026 - 06 - 15);
    assert_eq!(
        check_refusal_after_hearing(RefusalGround::IncompleteDocuments, &app, on, None, &cal),
        Ok(())
    );
    assert_eq!(
        check_refusal_after_hearing(heard, &app, on, None, &cal),
        Err(HearingError::HearingRequired { ground: heard })
    );
    assert_eq!(
        check_refusal_after_hearing(heard, &app, on, Some(&notice), &cal),
        Ok(())
    );
    assert_eq!(
        check_refusal_after_hearing(
            RefusalGround::LicenceFeeNotPaid,
            &app,
            on,
            Some(&notice),
            &cal
        ),
        Err(HearingError::GroundNotHeard {
            ground: RefusalGround::LicenceFeeNotPaid
        })
    );
    assert_eq!(
        check_refusal_after_hearing(heard, &app, date!(2026 - 06 - 11), Some(&notice), &cal),
        Err(HearingError::RefusalBeforeHearing {
            refused_on: date!(2026 - 06 - 11),
            hearing_on: date!(2026 - 06 - 12)
        })
    );
    let mut late = notice.clone();
    late.issued_on = date!(2026 - 06 - 15);
    late.hearing_at = time::macros::datetime!(2026-06-16 11:00 +05:00);
    assert_eq!(
        check_refusal_after_hearing(heard, &app, date!(2026 - 06 - 17), Some(&late), &cal),
        Err(HearingError::NoticeLate {
            issued_on: date!(2026 - 06 - 15),
            term_ends_on: date!(2026 - 06 - 17),
            latest: date!(2026 - 06 - 12)
        })
    );
    // The hearing no later than 2 working days from the notice (paragraph 4), and not before it.
    let mut far = notice.clone();
    far.hearing_at = time::macros::datetime!(2026-06-17 11:00 +05:00);
    assert_eq!(
        check_refusal_after_hearing(heard, &app, date!(2026 - 06 - 17), Some(&far), &cal),
        Err(HearingError::HearingOutOfTerm {
            hearing_on: date!(2026 - 06 - 17),
            notice_on: notice.issued_on,
            latest: cal
                .add_working_days(notice.issued_on, 2)
                .unwrap_or_else(|e| panic!("{e}")),
        })
    );
    let mut early = notice.clone();
    early.hearing_at = time::macros::datetime!(2026-06-09 11:00 +05:00);
    assert_eq!(
        check_refusal_after_hearing(heard, &app, on, Some(&early), &cal),
        Err(HearingError::HearingOutOfTerm {
            hearing_on: date!(2026 - 06 - 09),
            notice_on: notice.issued_on,
            latest: cal
                .add_working_days(notice.issued_on, 2)
                .unwrap_or_else(|e| panic!("{e}")),
        })
    );
    let Ok(Document::Application(other)) = read(&fixture("application-legal-entity")) else {
        panic!("not an application");
    };
    assert!(matches!(
        check_refusal_after_hearing(heard, &other.application_number, on, Some(&notice), &cal),
        Err(HearingError::NoticeOfAnotherApplication { .. })
    ));
}

/// Paragraph 4 of the rules, the hearing's outcome: a record is valid with the grounds that stand
/// (or none: the preliminary decision withdrawn); not dated before the hearing, and each ground
/// standing one of the service's list.
#[test]
fn hearing_record_paragraph4_valid_and_invalid() {
    let Ok(Document::HearingRecord(record)) = read(&fixture("hearing-record")) else {
        panic!("not a hearing record");
    };
    assert_eq!(record.validate(), Ok(()));
    let mut withdrawn = record.clone();
    withdrawn.maintained_grounds.clear();
    assert_eq!(withdrawn.validate(), Ok(()));
    // The record of the applicant's non-appearance is a record of the hearing too.
    assert!(record.applicant_appeared);
    let mut absent = record.clone();
    absent.applicant_appeared = false;
    absent.applicant_position = "The applicant did not appear at the hearing.".into();
    assert_eq!(absent.validate(), Ok(()));
    let mut silent = absent.clone();
    silent.applicant_position.clear();
    assert_eq!(
        silent.validate(),
        Err(DocumentError::EmptyField {
            field: "applicant_position".into()
        })
    );
    let mut early = record.clone();
    early.issued_on = date!(2026 - 06 - 11);
    assert_eq!(
        early.validate(),
        Err(DocumentError::DateBefore {
            field: "issued_on".into(),
            date: date!(2026 - 06 - 11),
            other_field: "held_at".into(),
            other: date!(2026 - 06 - 12),
        })
    );
    let mut foreign = record;
    foreign.maintained_grounds = vec![RefusalGround::NationalSecurityHarm];
    assert_eq!(
        foreign.validate(),
        Err(DocumentError::GroundNotOfService {
            field: "maintained_grounds[0]".into(),
            ground: RefusalGround::NationalSecurityHarm,
            service: Service::CryptoDevelopmentLicence,
        })
    );
}

/// Each kind of attachment is named as the list of documents names it, the forms with their
/// annex: what `eds submission check` prints for a missing document.
#[test]
fn attachment_titles_name_the_list_and_the_annex() {
    use eds_profile::documents::AttachmentKind as A;
    let all = [
        A::FeePayment,
        A::QualificationForm,
        A::QualificationFormOperationalCenter,
        A::LicensingRequirementsForm,
        A::ChangeDocuments,
        A::TradeContract,
        A::TechnicalDocumentation,
        A::SourceCodes,
        A::Notification,
        A::NotificationSpreadsheet,
        A::ManufacturerAuthority,
    ];
    let titles: std::collections::BTreeSet<&str> = all.iter().map(|k| k.title()).collect();
    assert_eq!(titles.len(), all.len(), "each kind has its own title");
    let annex = |k: A| {
        let t = k.title();
        t.find("(Annex ").map(|i| t[i..].to_owned())
    };
    assert_eq!(
        annex(A::QualificationForm).as_deref(),
        Some("(Annex 4 of the rules)")
    );
    assert_eq!(
        annex(A::QualificationFormOperationalCenter).as_deref(),
        Some("(Annex 5 of the rules of service 3)")
    );
    assert_eq!(
        annex(A::LicensingRequirementsForm).as_deref(),
        Some("(Annex 4 of the rules)")
    );
    assert_eq!(
        annex(A::Notification).as_deref(),
        Some("(Annex 3 of the rules)")
    );
    assert_eq!(annex(A::FeePayment), None);
}

/// Paragraph 8 of the Requirements ("list of documents"), typed: each fixture is complete; a
/// licence application without the fee's proof lacks it unless paid through the gateway; service
/// 3 takes its Annex 5 form in place of Annex 4; a kind not of the service's list, a bad digest
/// and a count that differs from the list are invalid.
#[test]
fn attachments_list_of_documents_valid_and_invalid() {
    use eds_profile::documents::{Attachment, AttachmentKind as A};
    for name in [
        "application-individual",
        "application-legal-entity",
        "application-notification",
        "application-sale-permit",
        "application-technical-study",
        "application-trade-permit",
    ] {
        let Ok(Document::Application(a)) = read(&fixture(name)) else {
            panic!("{name}: not an application");
        };
        assert!(a.missing_documents().is_empty(), "{name}");
    }
    for name in [
        "reissue-application-individual",
        "reissue-application-legal-entity",
    ] {
        let Ok(Document::ReissueApplication(a)) = read(&fixture(name)) else {
            panic!("{name}: not a reissue application");
        };
        assert!(a.missing_documents().is_empty(), "{name}");
    }
    let Ok(Document::Application(app)) = read(&fixture("application-legal-entity")) else {
        panic!("not an application");
    };
    let mut no_fee = app.clone();
    no_fee.documents.retain(|d| d.kind != A::FeePayment);
    no_fee.attachments = 1;
    assert_eq!(no_fee.validate(), Ok(()));
    assert_eq!(no_fee.missing_documents(), vec![&[A::FeePayment][..]]);
    no_fee.fee_paid_via_gateway = true;
    assert!(no_fee.missing_documents().is_empty());

    // Service 3: the Annex 5 form (operational center) in place of Annex 4; not for service 1.
    let mut annex5 = app.clone();
    annex5.subtypes.clear();
    annex5.service = Service::LeakageChannelsLicence;
    for d in &mut annex5.documents {
        if d.kind == A::QualificationForm {
            d.kind = A::QualificationFormOperationalCenter;
        }
    }
    assert_eq!(annex5.validate(), Ok(()));
    assert!(annex5.missing_documents().is_empty());
    let mut wrong = app.clone();
    wrong.documents = annex5.documents.clone();
    assert_eq!(
        wrong.validate(),
        Err(DocumentError::AttachmentNotOfService {
            field: "documents[1].kind".into(),
            kind: A::QualificationFormOperationalCenter,
            service: Service::SpecialMeansLicence,
        })
    );
    assert_eq!(wrong.missing_documents(), vec![&[A::QualificationForm][..]]);

    let mut bad = app.clone();
    bad.documents.push(Attachment {
        kind: A::FeePayment,
        name: "again.pdf".into(),
        sha256: "ABC".into(),
    });
    bad.attachments = 3;
    assert_eq!(
        bad.validate(),
        Err(DocumentError::BadDigest {
            field: "documents[2].sha256".into()
        })
    );
    let mut count = app;
    count.attachments = 5;
    assert_eq!(
        count.validate(),
        Err(DocumentError::AttachmentCount {
            stated: 5,
            listed: 2
        })
    );
}

/// The licence forms ask for "a license and (or) annex to the license": an annex names the
/// licence it belongs to, is a result of a licence service only, not dated before its licence;
/// an application asks for one by naming the licence held (licence forms only).
#[test]
fn licence_annex_valid_and_invalid() {
    let Ok(Document::LicenceAnnex(annex)) = read(&fixture("licence-annex")) else {
        panic!("not a licence annex");
    };
    assert_eq!(annex.validate(), Ok(()));
    let mut early = annex.clone();
    early.issued_on = date!(2026 - 03 - 01);
    assert_eq!(
        early.validate(),
        Err(DocumentError::DateBefore {
            field: "issued_on".into(),
            date: date!(2026 - 03 - 01),
            other_field: "licence.issued_on".into(),
            other: date!(2026 - 03 - 23),
        })
    );
    let mut permit = annex.clone();
    permit.service = Service::CryptoTradePermit;
    permit.subtypes.clear();
    assert_eq!(
        permit.validate(),
        Err(DocumentError::KindNotOfService {
            kind: Kind::LicenceAnnex,
            service: Service::CryptoTradePermit
        })
    );

    let Ok(Document::Application(mut app)) = read(&fixture("application-legal-entity")) else {
        panic!("not an application");
    };
    app.annex_to = Some(annex.licence.clone());
    assert_eq!(
        app.validate(),
        Err(DocumentError::DateBefore {
            field: "filled_on".into(),
            date: date!(2026 - 03 - 02),
            other_field: "annex_to.issued_on".into(),
            other: date!(2026 - 03 - 23),
        })
    );
    app.filled_on = date!(2026 - 09 - 10);
    assert_eq!(app.validate(), Ok(()));
    let Ok(Document::Application(mut trade)) = read(&fixture("application-trade-permit")) else {
        panic!("not an application");
    };
    trade.annex_to = Some(annex.licence);
    assert_eq!(
        trade.validate(),
        Err(DocumentError::FieldNotAllowed {
            field: "annex_to".into(),
            service: Service::CryptoTradePermit
        })
    );
}
