//! What the center issues reads back through the profile's own parser with every field right,
//! and its CRLs name the issuing center's key identifier as written in its certificate.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::path::Path;

use ring::rand::SystemRandom;
use time::macros::datetime;
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::{EntityRecord, PersonRecord};
use eds_profile::grounds::RevocationGround;
use eds_profile::holder::{Holder, HolderKind, KeyPurpose, Role};
use eds_profile::request::RegistrationRequest;

const PASS: &[u8] = b"test passphrase";

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn center(dir: &Path, algorithm: KeyAlgorithm) -> Center {
    let rng = SystemRandom::new();
    let now = datetime!(2026-11-22 09:00 UTC);
    let config = CenterConfig {
        algorithm,
        ..CenterConfig::default()
    };
    let center = Center::init(dir, config, PASS, now, &rng).unwrap();
    let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
    for p in &registry.persons {
        center.record_person(p, "test", now).unwrap();
    }
    for e in &registry.entities {
        center.record_entity(e, "test", now).unwrap();
    }
    center
}

fn issue(center: &Center, request: &str) -> Vec<u8> {
    let rng = SystemRandom::new();
    let key = center.unlock(PASS).unwrap();
    let req: RegistrationRequest =
        serde_json::from_str(&fixture(&format!("requests/{request}.json"))).unwrap();
    let issued = center
        .issue(
            &key,
            &req,
            KeySource::Generate(KeyAlgorithm::P256),
            "test",
            datetime!(2026-11-22 10:00 UTC),
            &rng,
            &mut |_| {},
        )
        .unwrap();
    issued.record.der
}

#[test]
fn ok_issued_certificates_read_back_with_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let center = center(dir.path(), KeyAlgorithm::P256);

    let h = Holder::from_der(&issue(&center, "individual-signing")).unwrap();
    assert_eq!(h.kind, Some(HolderKind::Individual));
    assert_eq!(h.iin.as_deref(), Some("850314300122"));
    assert_eq!(h.bin, None);
    assert_eq!(h.common_name.as_deref(), Some("АХМЕТОВ ЕРЛАН"));
    assert_eq!(h.surname.as_deref(), Some("АХМЕТОВ"));
    assert_eq!(h.name.as_deref(), Some("ЕРЛАН"));
    assert_eq!(h.patronymic.as_deref(), Some("СЕРІКҰЛЫ"));
    assert_eq!(h.country.as_deref(), Some("KZ"));
    assert_eq!(h.roles, vec![Role::Individual]);
    assert_eq!(h.key_purpose, Some(KeyPurpose::Signing));
    assert_eq!(h.policies, vec!["1.2.398.3.3.2".to_owned()]);
    assert_eq!(h.findings, vec![]);

    let h = Holder::from_der(&issue(&center, "individual-authentication")).unwrap();
    assert_eq!(h.key_purpose, Some(KeyPurpose::Authentication));
    assert_eq!(h.common_name.as_deref(), Some("ҚАСЫМОВА ӘЙГЕРІМ"));
    assert_eq!(h.findings, vec![]);

    let h = Holder::from_der(&issue(&center, "first-head-signing")).unwrap();
    assert_eq!(h.kind, Some(HolderKind::LegalEntity));
    assert_eq!(h.bin.as_deref(), Some("080540001238"));
    assert_eq!(h.organization.as_deref(), Some("ТОО «ҚАЗАҚ КРИПТО»"));
    assert_eq!(h.roles, vec![Role::LegalEntity, Role::FirstHead]);
    assert_eq!(h.findings, vec![]);

    let h = Holder::from_der(&issue(&center, "employee-signing-right")).unwrap();
    assert_eq!(
        h.roles,
        vec![
            Role::LegalEntity,
            Role::SigningRight,
            Role::FinancialSigningRight
        ]
    );
    assert_eq!(h.patronymic, None);
    assert_eq!(h.findings, vec![]);
}

fn extension_key_id(der: &[u8], authority: bool) -> Vec<u8> {
    let (_, cert) = X509Certificate::from_der(der).unwrap();
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) if !authority => Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) if authority => {
                a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => None,
        })
        .unwrap()
}

#[test]
fn ok_crl_names_the_issuing_key_identifier_and_numbers_increase() {
    for alg in [
        KeyAlgorithm::P256,
        KeyAlgorithm::P384,
        KeyAlgorithm::Ed25519,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let center = center(dir.path(), alg);
        let leaf = issue(&center, "individual-signing");
        let serial = eds_ca::store::Serial::from_der_content(
            X509Certificate::from_der(&leaf).unwrap().1.raw_serial(),
        )
        .unwrap();
        assert_eq!(
            extension_key_id(&leaf, true),
            extension_key_id(center.issuing_der(), false)
        );
        let key = center.unlock(PASS).unwrap();
        center
            .revoke(
                &RevocationNotice {
                    serial,
                    ground: RevocationGround::Death,
                    notified_by: "registry office".into(),
                    received_at: datetime!(2026-11-22 11:00 UTC),
                    invalidity_date: Some(datetime!(2026-11-22 10:30 UTC)),
                    note: None,
                },
                "test",
                datetime!(2026-11-22 11:05 UTC),
            )
            .unwrap();
        let first = center
            .crl(&key, "test", datetime!(2026-11-22 12:00 UTC))
            .unwrap();
        let second = center
            .crl(&key, "test", datetime!(2026-11-22 13:00 UTC))
            .unwrap();
        assert_eq!((first.number, second.number), (1, 2), "{alg:?}");
        assert_eq!(first.entries, 1);
        assert_eq!(
            second.next_update - second.this_update,
            time::Duration::hours(24)
        );

        let (_, crl) =
            x509_parser::revocation_list::CertificateRevocationList::from_der(&second.der).unwrap();
        let aki = crl
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(
            aki,
            extension_key_id(center.issuing_der(), false),
            "{alg:?}"
        );
        let entry = crl.iter_revoked_certificates().next().unwrap();
        assert_eq!(
            entry.reason_code().map(|(_, r)| r.0),
            Some(5),
            "cessationOfOperation"
        );
        assert_eq!(
            entry.revocation_date.to_datetime(),
            datetime!(2026-11-22 11:05 UTC)
        );
    }
}

#[test]
fn fail_a_second_crl_never_reuses_a_number_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let first = {
        let c = center(dir.path(), KeyAlgorithm::P256);
        let key = c.unlock(PASS).unwrap();
        c.crl(&key, "test", datetime!(2026-11-22 12:00 UTC))
            .unwrap()
            .number
    };
    let c = Center::open(dir.path()).unwrap();
    let key = c.unlock(PASS).unwrap();
    let second = c
        .crl(&key, "test", datetime!(2026-11-22 12:00 UTC))
        .unwrap()
        .number;
    assert_eq!((first, second), (1, 2));
}
