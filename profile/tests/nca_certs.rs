//! Reads every certificate of the national center's test material (`fixtures/nca`, see its
//! `SOURCE.md`) with [`Holder::from_der`] and checks every field against what OpenSSL shows:
//!
//! ```sh
//! openssl x509 -in fixtures/nca/certs/ceo_valid_sign_2004_gost.cer -noout -text \
//!     -nameopt RFC2253,-esc_msb
//! ```
//!
//! The IINs (`123456789011`, `123456789012`) and the BIN (`123456789021`) of the test certificates
//! are not valid numbers: digit 7 of the IINs is `7`, which encodes no century, and digits 3–4 of
//! the BIN are month `34`. A reader reports them as findings and still reads everything else.

#![expect(
    clippy::expect_used,
    reason = "a fixture that does not decode must stop the test"
)]

use eds_fixtures::{nca_bytes, nca_files};
use eds_profile::holder::{
    Finding, Holder, HolderError, HolderKind, KeyPurpose, KeyUsageBits, Role,
};
use eds_profile::ident::IdentError;
use x509_parser::pem::parse_x509_pem;

/// The DER bytes of a fixture certificate, PEM or DER.
fn der(rel: &str) -> Vec<u8> {
    let bytes = nca_bytes(rel);
    if bytes.starts_with(b"-----BEGIN") {
        let (rest, pem) = parse_x509_pem(&bytes).expect("fixture PEM must decode");
        assert!(
            rest.iter().all(u8::is_ascii_whitespace),
            "{rel}: one certificate per file"
        );
        assert_eq!(pem.label, "CERTIFICATE", "{rel}");
        pem.contents
    } else {
        bytes
    }
}

fn read(rel: &str) -> Holder {
    Holder::from_der(&der(rel)).unwrap_or_else(|err| panic!("{rel}: {err}"))
}

fn s(value: &str) -> Option<String> {
    Some(value.to_owned())
}

const SIGNING: KeyUsageBits = KeyUsageBits {
    digital_signature: true,
    non_repudiation: true,
    key_encipherment: false,
    data_encipherment: false,
    key_agreement: false,
    key_cert_sign: false,
    crl_sign: false,
    encipher_only: false,
    decipher_only: false,
};

const AUTHENTICATION: KeyUsageBits = KeyUsageBits {
    non_repudiation: false,
    key_encipherment: true,
    ..SIGNING
};

/// The 2015 generation writes one key for both: digitalSignature, nonRepudiation,
/// keyEncipherment.
const SIGNING_2015: KeyUsageBits = KeyUsageBits {
    key_encipherment: true,
    ..SIGNING
};

const CA: KeyUsageBits = KeyUsageBits {
    digital_signature: false,
    non_repudiation: false,
    key_cert_sign: true,
    crl_sign: true,
    ..SIGNING
};

fn invalid_iin(value: &str) -> Finding {
    Finding::InvalidIin {
        value: value.to_owned(),
        error: IdentError::BadCentury { found: 7 },
    }
}

fn invalid_bin() -> Finding {
    Finding::InvalidBin {
        value: "123456789021".to_owned(),
        error: IdentError::BadMonth { found: 34 },
    }
}

/// ТЕСТОВ ТЕСТ ТЕСТОВИЧ, the individual of the 2004 generation.
fn individual_2004(key_purpose: KeyPurpose, policy: &str, key_usage: KeyUsageBits) -> Holder {
    Holder {
        kind: Some(HolderKind::Individual),
        iin: s("123456789011"),
        bin: None,
        common_name: s("ТЕСТОВ ТЕСТ"),
        surname: s("ТЕСТОВ"),
        name: s("ТЕСТ"),
        patronymic: s("ТЕСТОВИЧ"),
        organization: None,
        country: s("KZ"),
        email: None,
        roles: vec![Role::Individual],
        key_purpose: Some(key_purpose),
        policies: vec![policy.to_owned()],
        key_usage: Some(key_usage),
        findings: vec![invalid_iin("123456789011")],
    }
}

/// ТЕСТОВ ТЕСТ ТЕСТОВИЧ, first head of АО "ТЕСТ".
fn first_head(policy: &str, key_usage: KeyUsageBits) -> Holder {
    Holder {
        kind: Some(HolderKind::LegalEntity),
        iin: s("123456789011"),
        bin: s("123456789021"),
        common_name: s("ТЕСТОВ ТЕСТ"),
        surname: s("ТЕСТОВ"),
        name: s("ТЕСТ"),
        patronymic: s("ТЕСТОВИЧ"),
        organization: s("АО \"ТЕСТ\""),
        country: s("KZ"),
        email: None,
        roles: vec![Role::LegalEntity, Role::FirstHead],
        key_purpose: Some(KeyPurpose::Signing),
        policies: vec![policy.to_owned()],
        key_usage: Some(key_usage),
        findings: vec![invalid_iin("123456789011"), invalid_bin()],
    }
}

/// A CA certificate: no holder data of the profile.
fn ca(common_name: &str, policy: &str) -> Holder {
    Holder {
        kind: None,
        iin: None,
        bin: None,
        common_name: s(common_name),
        surname: None,
        name: None,
        patronymic: None,
        organization: None,
        country: s("KZ"),
        email: None,
        roles: vec![],
        key_purpose: None,
        policies: vec![policy.to_owned()],
        key_usage: Some(CA),
        findings: vec![
            Finding::MissingIin,
            Finding::MissingKindRole,
            Finding::NoKeyPurpose,
        ],
    }
}

/// Every certificate of the test material and what it says.
fn expected() -> Vec<(&'static str, Holder)> {
    let rsa_ca = ca("ҰКО 3.0 (RSA TEST)", "1.2.398.3.3.1.1");
    let gost_ca = ca("ҰКО 3.0 (GOST TEST)", "1.2.398.3.3.1.1");
    let gost_2015_ca = ca(
        "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST 2022",
        "1.2.398.3.3.2",
    );
    let sign = individual_2004(KeyPurpose::Signing, "1.2.398.3.3.2.3", SIGNING);
    let auth = individual_2004(
        KeyPurpose::Authentication,
        "1.2.398.3.3.2.4",
        AUTHENTICATION,
    );
    let individual_2015 = Holder {
        iin: s("123456789012"),
        common_name: s("ТЕСТТОВ ТЕСТТ"),
        surname: s("ТЕСТТОВ"),
        name: s("ТЕСТТ"),
        patronymic: s("ТЕСТТОВИЧ"),
        policies: vec!["1.2.398.3.3.2".to_owned()],
        key_usage: Some(SIGNING_2015),
        findings: vec![invalid_iin("123456789012")],
        ..sign.clone()
    };
    vec![
        ("ca/nca_gost2015_test.cer", gost_2015_ca.clone()),
        ("ca/nca_gost_test.crt", gost_ca.clone()),
        ("ca/nca_rsa_test.crt", rsa_ca.clone()),
        (
            "certs/ceo_valid_sign_2004_gost.cer",
            first_head("1.2.398.3.3.2.1", SIGNING),
        ),
        ("certs/individual_valid_sign_2004_rsa.cer", sign.clone()),
        (
            "certs/individual_valid_sign_2004_rsa_auth.cer",
            auth.clone(),
        ),
        ("keys/NCA_2004_GOST_CERT.pem", gost_ca),
        ("keys/NCA_2004_RSA_CERT.pem", rsa_ca),
        ("keys/NCA_2015_CERT.der", gost_2015_ca),
        (
            "p12-certs/KEY_CEO_REVOKED_2015.cer",
            first_head("1.2.398.3.3.2", SIGNING_2015),
        ),
        (
            "p12-certs/KEY_CEO_SIGN_REVOKED_2004.cer",
            first_head("1.2.398.3.3.2.1", SIGNING),
        ),
        ("p12-certs/KEY_INDIVIDUAL_AUTH_REVOKED_2004.cer", auth),
        (
            "p12-certs/KEY_INDIVIDUAL_SIGN_REVOKED_2004.cer",
            sign.clone(),
        ),
        ("p12-certs/KEY_INDIVIDUAL_VALID_2015.cer", individual_2015),
        ("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer", sign),
    ]
}

#[test]
fn ok_every_fixture_certificate_reads_exactly() {
    for (rel, holder) in expected() {
        assert_eq!(read(rel), holder, "{rel}");
    }
}

#[test]
fn ok_the_table_covers_every_certificate_file() {
    let mut files: Vec<String> = ["ca", "certs", "p12-certs"]
        .into_iter()
        .flat_map(nca_files)
        .chain(
            nca_files("keys")
                .into_iter()
                .filter(|f| f.ends_with(".pem") || f.ends_with(".der")),
        )
        .collect();
    files.sort();
    let covered: Vec<&str> = expected().into_iter().map(|(rel, _)| rel).collect();
    assert_eq!(files, covered);
}

#[test]
fn ok_json_report_of_the_first_head() {
    let json = serde_json::to_value(read("certs/ceo_valid_sign_2004_gost.cer"))
        .expect("a holder serialises");
    assert_eq!(
        json,
        serde_json::json!({
            "kind": "legal-entity",
            "iin": "123456789011",
            "bin": "123456789021",
            "common_name": "ТЕСТОВ ТЕСТ",
            "surname": "ТЕСТОВ",
            "name": "ТЕСТ",
            "patronymic": "ТЕСТОВИЧ",
            "organization": "АО \"ТЕСТ\"",
            "country": "KZ",
            "email": null,
            "roles": ["legal-entity", "first-head"],
            "key_purpose": "signing",
            "policies": ["1.2.398.3.3.2.1"],
            "key_usage": {
                "digital_signature": true,
                "non_repudiation": true,
                "key_encipherment": false,
                "data_encipherment": false,
                "key_agreement": false,
                "key_cert_sign": false,
                "crl_sign": false,
                "encipher_only": false,
                "decipher_only": false
            },
            "findings": [
                {
                    "finding": "invalid-iin",
                    "value": "123456789011",
                    "error": "century and sex digit is 7, expected 1 to 6"
                },
                {
                    "finding": "invalid-bin",
                    "value": "123456789021",
                    "error": "registration month is 34, expected 01 to 12"
                }
            ]
        })
    );
}

#[test]
fn fail_every_prefix_of_a_real_certificate_is_truncated() {
    for rel in [
        "certs/individual_valid_sign_2004_rsa.cer",
        "ca/nca_gost2015_test.cer",
    ] {
        let full = der(rel);
        // Both start with a four-byte header: 0x30 0x82 and a two-byte length.
        assert_eq!(full[..2], [0x30, 0x82], "{rel}");
        for len in 0..full.len() {
            let known = match len {
                0 | 1 => 2,
                2 | 3 => 4,
                _ => full.len(),
            };
            assert_eq!(
                Holder::from_der(&full[..len]),
                Err(HolderError::Truncated {
                    len,
                    needed: known - len
                }),
                "{rel}, first {len} bytes"
            );
        }
    }
}

#[test]
fn ok_no_panic_on_any_single_byte_change_of_a_real_certificate() {
    let full = der("certs/ceo_valid_sign_2004_gost.cer");
    for position in 0..full.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut changed = full.clone();
            changed[position] ^= flip;
            // Either outcome is fine; the test is that it returns.
            let _ = Holder::from_der(&changed);
        }
    }
}

#[test]
fn fail_garbage_is_malformed_or_truncated() {
    // A fixed pseudo-random stream (64-bit LCG), so the inputs are the same on every run.
    let mut state: u64 = 0x2003_0107_0000_0370;
    for len in 0..512 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                state.to_be_bytes()[0]
            })
            .collect();
        let got = Holder::from_der(&bytes);
        assert!(
            matches!(
                got,
                Err(HolderError::Malformed { .. } | HolderError::Truncated { .. })
            ),
            "{bytes:02x?}: {got:?}"
        );
    }
    assert_eq!(
        Holder::from_der(b"-----BEGIN CERTIFICATE-----"),
        Err(HolderError::Malformed {
            reason: "expected a SEQUENCE (tag 0x30) at offset 0, found tag 0x2d".to_owned()
        })
    );
}
