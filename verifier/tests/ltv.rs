//! CAdES-LT and LTA signatures and past signature validation (ETSI EN 319 122-1 §5.4–§5.5,
//! EN 319 102-1 §5.6) on a clock the tests move.
//!
//! A test center (eds_ca) is set up at `T_INIT`; its certificates name an address nothing
//! listens on, and the verifier runs offline: once a signature is LT, what it carries is all
//! there is. The officer signs at `T0`, the center's TSA stamps at `T0`, the center issues CRLs
//! and OCSP answers an hour later; the validations run at `later()`, after the officer's
//! certificate (180 days) expired and while the TSA's (730 days) is valid: a timestamp is the
//! word of its TSA, worth something while the TSA's certificate is valid or a later archive
//! timestamp proves the token existed before it expired (ETSI EN 319 102-1 §5.6.3; the cases
//! after the TSA's expiry are tested on their own). Each case asserts the exact indication and
//! sub-indication.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::path::Path;

use ring::rand::SystemRandom;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::ocsp::Responder;
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::{AuditEvent, EntityRecord, NewRevocation, PersonRecord, RevocationRecord};
use eds_ca::tsa::{TimestampAuthority, TsaOptions};
use eds_profile::grounds::RevocationGround;
use eds_profile::request::RegistrationRequest;
use eds_signer::cms::archive;
use eds_signer::cms::lt::{self, ValidationData};
use eds_signer::cms::timestamp::{self, TimestampRequest};
use eds_signer::keys::load_pkcs8;
use eds_signer::{Content, SignOptions, Signer};
use eds_verifier::cancel::Cancel;
use eds_verifier::cert::Cert;
use eds_verifier::crypto::Digest;
use eds_verifier::engine::{Options, SignatureReport, Verifier};
use eds_verifier::path::PolicyOptions;
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::scope::Expectations;
use eds_verifier::trust::{TrustList, TrustListForm, TrustedCenter};
use eds_verifier::verdict::{Indication, Outcome, SubIndication, TimeBasis};

const PASS: &[u8] = b"test passphrase";
const DOC: &[u8] = "Лицензия № KZ12LAA00000001".as_bytes();
/// The center is set up and the officer's certificate issued (valid 180 days); the issuing
/// center's certificate, and with it the TSA's, is valid 730 days.
const T_INIT: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);
/// The officer signs and the TSA stamps.
const T0: OffsetDateTime = datetime!(2026-06-02 10:00 UTC);

/// 330 days after T0: the officer's certificate has expired, the TSA's has not.
fn later() -> OffsetDateTime {
    T0 + Duration::days(330)
}

/// Two years after T0: the officer's and the TSA's certificates have expired.
fn two_years_later() -> OffsetDateTime {
    T0 + Duration::days(730)
}

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

struct Pki {
    _dir: tempfile::TempDir,
    center: Center,
    leaf: Cert,
    leaf_key: Vec<u8>,
    serial: eds_ca::store::Serial,
    tsa: TimestampAuthority,
    root: Cert,
    issuing: Cert,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let config = CenterConfig {
            algorithm: KeyAlgorithm::P256,
            // Nothing listens here: the center is gone when the validations run.
            base_url: "http://127.0.0.1:9".into(),
            leaf_validity_days: 180,
            // The TSA's certificate never outlives the issuing center's: two years here, so
            // that the TSA's certificate has expired two years after T0.
            issuing_validity_days: 730,
            ..CenterConfig::default()
        };
        let center = Center::init(dir.path(), config, PASS, T_INIT, &rng).unwrap();
        let registry: Registry = serde_json::from_str(&fixture("registry.json")).unwrap();
        for p in &registry.persons {
            center.record_person(p, "test", T_INIT).unwrap();
        }
        for e in &registry.entities {
            center.record_entity(e, "test", T_INIT).unwrap();
        }
        let key = center.unlock(PASS).unwrap();
        let req: RegistrationRequest =
            serde_json::from_str(&fixture("requests/individual-signing.json")).unwrap();
        let issued = center
            .issue(
                &key,
                &req,
                KeySource::Generate(KeyAlgorithm::P256),
                "test",
                T_INIT,
                &rng,
                &mut |_| {},
            )
            .unwrap();
        let tsa =
            TimestampAuthority::load(&center, PASS, T_INIT, &rng, TsaOptions::default()).unwrap();
        Pki {
            leaf: Cert::from_der(&issued.record.der).unwrap(),
            leaf_key: issued.key.unwrap().pkcs8.to_vec(),
            serial: issued.record.serial,
            root: Cert::from_der(center.root_der()).unwrap(),
            issuing: Cert::from_der(center.issuing_der()).unwrap(),
            tsa,
            center,
            _dir: dir,
        }
    }

    /// CAdES-B at T0: the signer's certificate and the issuing center's in the SignedData.
    fn sign_b(&self) -> Vec<u8> {
        let key = load_pkcs8(&self.leaf_key, None).unwrap();
        let signer = Signer::new(&key, self.leaf.der(), &[self.issuing.der().to_vec()]).unwrap();
        eds_signer::cms::sign(
            &signer,
            Content::Bytes(DOC),
            &SignOptions::new(T0),
            &SystemRandom::new(),
        )
        .unwrap()
    }

    /// A token from the center's TSA at `at` over `data` (SHA-256 imprint).
    fn token(&self, data: &[u8], at: OffsetDateTime) -> (TimestampRequest, Vec<u8>) {
        let request = TimestampRequest::new(data, &SystemRandom::new()).unwrap();
        let answer = self.tsa.answer(self.center.store(), request.der(), at);
        let token = request.token(&answer.der).unwrap();
        (request, token)
    }

    /// CAdES-T: B plus a signature timestamp at T0.
    fn sign_t(&self) -> Vec<u8> {
        let b = self.sign_b();
        let value = timestamp::signature_values(&b).unwrap().remove(0);
        let (_, token) = self.token(&value, T0);
        timestamp::add_signature_timestamp(&b, &token).unwrap()
    }

    /// The issuing center's and the root's CRLs as of `at`.
    fn crls(&self, at: OffsetDateTime) -> Vec<Vec<u8>> {
        let key = self.center.unlock(PASS).unwrap();
        let issuing = self.center.crl(&key, "test", at).unwrap().der;
        let (root, _) = self
            .center
            .issue_and_publish_root_crl(PASS, "test", at)
            .unwrap();
        vec![issuing, root.der]
    }

    /// An OCSP answer of the center's responder about `cert` at `at`.
    fn ocsp(&self, cert: &Cert, at: OffsetDateTime) -> Vec<u8> {
        let responder = Responder::load(&self.center, PASS, at, &SystemRandom::new()).unwrap();
        let request =
            eds_verifier::ocsp::Request::new(cert, &self.issuing, Digest::Sha256, None).unwrap();
        responder.respond(self.center.store(), request.der(), at)
    }

    /// CAdES-LT: T plus the chain and the CRLs issued an hour after T0.
    fn sign_lt(&self) -> Vec<u8> {
        let t = self.sign_t();
        let (lt, added) = lt::add_validation_data(
            &t,
            &ValidationData {
                certificates: vec![self.issuing.der().to_vec(), self.root.der().to_vec()],
                crls: self.crls(T0 + Duration::hours(1)),
                ocsp_responses: Vec::new(),
            },
        )
        .unwrap();
        assert_eq!((added.certificates, added.crls), (1, 2), "{added:?}");
        lt
    }

    /// The issuing center re-keyed at `at`: a certificate of the same name with a new key
    /// (valid ten years) under the same root, and the new key as an rcgen issuer.
    fn rekeyed_issuing(
        &self,
        at: OffsetDateTime,
        serial: u8,
    ) -> (Cert, rcgen::Issuer<'static, rcgen::KeyPair>) {
        let root_key =
            eds_ca::keys::read_encrypted_pkcs8(&self.center.dir().join("root.key.pem"), PASS)
                .unwrap();
        let root_issuer =
            rcgen::Issuer::from_ca_cert_der(&self.root.der().to_vec().into(), root_key).unwrap();
        let config = self.center.config();
        let params =
            eds_ca::certs::ca_params(&config.name, [serial; 20], at, 3650, Some(0), Some(config));
        let new_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let new_issuing =
            Cert::from_der(params.signed_by(&new_key, &root_issuer).unwrap().der()).unwrap();
        assert_eq!(new_issuing.subject(), self.issuing.subject());
        assert_ne!(new_issuing.der(), self.issuing.der());
        (new_issuing, rcgen::Issuer::new(params, new_key))
    }

    /// Adds an archive timestamp at `at` to the only signer.
    fn archive(&self, message: &[u8], at: OffsetDateTime) -> Vec<u8> {
        self.archive_by(&self.tsa, message, at)
    }

    /// Adds an archive timestamp of `tsa` at `at` to the only signer.
    fn archive_by(&self, tsa: &TimestampAuthority, message: &[u8], at: OffsetDateTime) -> Vec<u8> {
        let value = timestamp::signature_values(message).unwrap().remove(0);
        let input = archive::archive_input(message, &value, None).unwrap();
        let request = TimestampRequest::new(&input.data, &SystemRandom::new()).unwrap();
        let answer = tsa.answer(self.center.store(), request.der(), at);
        let token = request.token(&answer.der).unwrap();
        archive::add_archive_timestamp(message, &value, &token, &input.hash_index).unwrap()
    }

    fn revoke(&self, at: OffsetDateTime) {
        self.center
            .revoke(
                &RevocationNotice {
                    serial: self.serial.clone(),
                    ground: RevocationGround::KeyCompromise,
                    notified_by: "holder".into(),
                    received_at: at,
                    invalidity_date: None,
                    note: None,
                },
                "test",
                at,
            )
            .unwrap();
    }

    /// Validates offline at `at` (the clock moved there), with `crls` supplied as if by --crl.
    fn verify(&self, signature: &[u8], at: OffsetDateTime, crls: &[Vec<u8>]) -> SignatureReport {
        let trust = TrustList::from_certs(vec![self.root.clone()]).unwrap();
        self.verify_with(signature, at, crls, trust)
    }

    /// Validates at `at` online: the center is shut down, every CRL distribution point and OCSP
    /// responder its certificates name refuses the connection.
    fn verify_center_gone(&self, signature: &[u8], at: OffsetDateTime) -> SignatureReport {
        let checker = RevocationChecker::new(RevocationOptions {
            offline: false,
            ..RevocationOptions::default()
        })
        .unwrap();
        let trust = TrustList::from_certs(vec![self.root.clone()]).unwrap();
        verify_by(checker, trust, signature, at)
    }

    /// A token of the center's TSA at `at` over `data`, signed again with the officer's key and
    /// carrying the officer's certificate: a token by a certificate without id-kp-timeStamping.
    fn token_by_the_officer(&self, data: &[u8], at: OffsetDateTime) -> Vec<u8> {
        let (_, token) = self.token(data, at);
        resign_token(&token, self.leaf.der(), &self.leaf_key)
    }

    /// Revokes the TSA's certificate at `at`, in the register itself: the center refuses to
    /// revoke its own service certificates through `revoke` (they are rotated), so a compromised
    /// TSA key is recorded the way an operator would record it by hand.
    fn revoke_tsa(&self, at: OffsetDateTime) {
        self.revoke_tsa_for(at, RevocationGround::KeyCompromise);
    }

    /// [`Pki::revoke_tsa`] on `ground` (its CRL reason).
    fn revoke_tsa_for(&self, at: OffsetDateTime, ground: RevocationGround) {
        let tsa = Cert::from_der(self.tsa.certificate_der()).unwrap();
        let serial =
            eds_ca::store::Serial::from_unsigned(&hex::decode(tsa.serial_hex()).unwrap()).unwrap();
        self.center
            .store()
            .revoke(
                &[NewRevocation {
                    serial,
                    record: RevocationRecord {
                        ground,
                        reason: ground.crl_reason(),
                        notified_by: "center".into(),
                        received_at: at,
                        entered_at: at,
                        invalidity_date: None,
                        note: None,
                    },
                }],
                &AuditEvent {
                    at,
                    actor: "test".into(),
                    action: "certificate-revoked".into(),
                    details: serde_json::json!({}),
                },
            )
            .unwrap();
    }

    /// [`Pki::verify`] against `trust`.
    fn verify_with(
        &self,
        signature: &[u8],
        at: OffsetDateTime,
        crls: &[Vec<u8>],
        trust: TrustList,
    ) -> SignatureReport {
        let mut checker = RevocationChecker::new(RevocationOptions {
            offline: true,
            ..RevocationOptions::default()
        })
        .unwrap();
        for (i, crl) in crls.iter().enumerate() {
            checker.add_crl(&format!("supplied-{i}"), crl).unwrap();
        }
        verify_by(checker, trust, signature, at)
    }
}

/// A TSA certificate by `issuer` (id-kp-timeStamping only, critical: RFC 3161 §2.3) valid from
/// `not_before` to `not_after`, and its key.
fn tsa_certificate<S: rcgen::SigningKey>(
    issuer: &rcgen::Issuer<'_, S>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> (Vec<u8>, rcgen::KeyPair) {
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "EDS TEST CA TSA 2");
    params.not_before = not_before;
    params.not_after = not_after;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.use_authority_key_identifier_extension = true;
    let eku = [
        0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
    ];
    let mut ext = rcgen::CustomExtension::from_oid_content(&[2, 5, 29, 37], eku.to_vec());
    ext.set_criticality(true);
    params.custom_extensions = vec![ext];
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let der = params.signed_by(&key, issuer).unwrap().der().to_vec();
    (der, key)
}

/// A CRL of `issuer` (an rcgen issuer: a re-keyed issuing center) numbered `number`, issued at
/// `this_update` for a day, listing `revoked`.
fn crl_by<S: rcgen::SigningKey>(
    issuer: &rcgen::Issuer<'_, S>,
    this_update: OffsetDateTime,
    number: u64,
    revoked: Vec<rcgen::RevokedCertParams>,
) -> Vec<u8> {
    rcgen::CertificateRevocationListParams {
        this_update,
        next_update: this_update + Duration::days(1),
        crl_number: rcgen::SerialNumber::from(number),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(issuer)
    .unwrap()
    .der()
    .to_vec()
}

/// The one signature of `signature`, judged at `at` against `trust` with `checker`'s sources.
fn verify_by(
    checker: RevocationChecker,
    trust: TrustList,
    signature: &[u8],
    at: OffsetDateTime,
) -> SignatureReport {
    let options = Options {
        trust,
        at: Some(at),
        extra_certs: Vec::new(),
        expectations: Expectations::default(),
        max_signature_checks: 100,
        required_eku: None,
        policy: PolicyOptions::default(),
        cancel: Cancel::default(),
    };
    let report = Verifier::new(options, checker)
        .verify_document(signature, None, at)
        .unwrap();
    assert_eq!(report.signatures.len(), 1, "{report:#?}");
    report.signatures[0].clone()
}

#[track_caller]
fn assert_verdict(s: &SignatureReport, indication: Indication, sub: Option<SubIndication>) {
    assert_eq!(
        (s.indication, s.sub_indication),
        (indication, sub),
        "{}\n{s:#?}",
        s.reason
    );
}

fn check<'a>(s: &'a SignatureReport, name: &str) -> &'a eds_verifier::verdict::Check {
    s.checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}: {s:#?}"))
}

#[test]
fn ok_lt_verifies_offline_after_the_signer_expired() {
    let pki = Pki::new();
    assert!(
        pki.leaf.not_after() < later(),
        "the officer's certificate expired by then"
    );
    assert!(
        pki.tsa.not_after() > later(),
        "the TSA's certificate is valid then"
    );
    let s = pki.verify(&pki.sign_lt(), later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.time_basis, TimeBasis::Timestamp);
    assert_eq!(s.validation_time, T0);
    assert_eq!(s.proofs_of_existence.len(), 1, "{s:#?}");
    assert_eq!(s.proofs_of_existence[0].proven_by, "signature timestamp");
    assert_eq!(s.proofs_of_existence[0].time, T0);
    // The officer's certificate and the issuing center's, each from a CRL in the signature.
    assert_eq!(s.revocation_data.len(), 2, "{s:#?}");
    assert_eq!(*s.revocation_data[0].serial, pki.leaf.serial_hex());
    for used in &s.revocation_data {
        assert_eq!(used.status, "good");
        let source = used.source.as_deref().unwrap();
        assert!(source.contains("CRL embedded in the signature"), "{source}");
    }
}

/// ETSI EN 319 102-1 §5.6.3: a timestamp's genTime is only the word of its TSA. Once the TSA's
/// certificate has expired, nothing shows the token was made before a leaked key could forge it:
/// an LT signature whose only proof is such a token is judged at the validation time, after the
/// officer's certificate expired.
#[test]
fn fail_lt_after_the_tsa_expired_is_out_of_bounds_no_poe() {
    let pki = Pki::new();
    assert!(pki.tsa.not_after() < two_years_later());
    let s = pki.verify(&pki.sign_lt(), two_years_later(), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty(), "{s:#?}");
    assert_eq!(s.time_basis, TimeBasis::Given);
    assert_eq!(s.timestamp_time, None);
    let warning = s
        .warnings
        .iter()
        .find(|w| w.contains("proves nothing"))
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert!(warning.starts_with("the signature timestamp of 2026-06-02T10:00:00Z proves nothing at 2028-06-01T10:00:00Z: its TSA certificate (CN=EDS TEST CA TSA"), "{warning}");
    assert!(warning.contains("eds extend --to LTA"), "{warning}");
}

/// The same after the TSA's expiry with an archive timestamp by the same TSA: it expired too,
/// so it carries nothing.
#[test]
fn fail_lta_whose_only_tsa_expired_is_out_of_bounds_no_poe() {
    let pki = Pki::new();
    let lta = pki.archive(&pki.sign_lt(), T0 + Duration::hours(2));
    let s = pki.verify(&lta, two_years_later(), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty(), "{s:#?}");
    let dropped: Vec<_> = s
        .warnings
        .iter()
        .filter(|w| w.contains("proves nothing"))
        .collect();
    assert_eq!(dropped.len(), 2, "{s:#?}");
    assert!(
        dropped[1].starts_with("the archive timestamp of 2026-06-02T12:00:00Z"),
        "{}",
        dropped[1]
    );
}

/// Renewal in time. The center's TSA certificates never outlive its issuing certificate, so
/// past the issuing center's end a signature lives on through a TSA under the re-keyed issuing
/// center: before the first TSA certificate expires, the issuing center re-keys, its new key
/// certifies the next TSA certificate, and the next archive timestamp, made with it over fresh
/// CRLs, proves every earlier token at its genTime. A month after the first TSA certificate
/// expired the signature passes on that chain of proofs; once the next one has expired as
/// well, it does not.
#[test]
fn ok_lta_renewed_by_the_next_tsa_certificate_verifies_after_the_first_expired() {
    let pki = Pki::new();
    let lta = pki.archive(&pki.sign_lt(), T0 + Duration::hours(2));
    let renewal_time = pki.tsa.not_after() - Duration::days(60);
    let (new_issuing, new_issuer) = pki.rekeyed_issuing(renewal_time - Duration::days(1), 0x43);
    // The next TSA certificate, five years.
    let (tsa2, tsa2_key) = tsa_certificate(
        &new_issuer,
        renewal_time - Duration::days(1),
        renewal_time + Duration::days(5 * 365),
    );
    let new_issuing_crl = crl_by(
        &new_issuer,
        renewal_time - Duration::minutes(30),
        1,
        Vec::new(),
    );
    let mut crls = pki.crls(renewal_time - Duration::minutes(30));
    crls.push(new_issuing_crl);
    let (refreshed, _) = lt::add_validation_data(
        &lta,
        &ValidationData {
            certificates: vec![new_issuing.der().to_vec(), tsa2.clone()],
            crls,
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    // The archive timestamp over the refreshed signature, signed with the next TSA's key.
    let value = timestamp::signature_values(&refreshed).unwrap().remove(0);
    let input = archive::archive_input(&refreshed, &value, None).unwrap();
    let (_, token) = pki.token(&input.data, renewal_time);
    let token = resign_token(&token, &tsa2, tsa2_key.serialized_der());
    let renewed =
        archive::add_archive_timestamp(&refreshed, &value, &token, &input.hash_index).unwrap();

    let after_first = pki.tsa.not_after() + Duration::days(30);
    let s = pki.verify(&renewed, after_first, &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.validation_time, T0);
    let kinds: Vec<_> = s.proofs_of_existence.iter().map(|p| p.proven_by).collect();
    assert_eq!(
        kinds,
        [
            "signature timestamp",
            "archive timestamp",
            "archive timestamp"
        ]
    );
    assert!(
        !s.warnings.iter().any(|w| w.contains("proves nothing")),
        "{s:#?}"
    );

    let after_both = renewal_time + Duration::days(5 * 365 + 1);
    let s = pki.verify(&renewed, after_both, &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty(), "{s:#?}");
}

#[test]
fn fail_t_without_lt_data_offline_after_expiry_is_out_of_bounds_no_poe() {
    // Offline, nothing shows the TSA's certificate was not revoked: the timestamp proves
    // nothing, and the officer's certificate has expired since.
    let pki = Pki::new();
    let s = pki.verify(&pki.sign_t(), later(), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty());
    assert!(
        s.warnings
            .iter()
            .any(|w| w.starts_with("a signature timestamp was ignored: the TSA certificate")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn fail_b_after_expiry_is_out_of_bounds_no_poe_even_with_the_crls() {
    let pki = Pki::new();
    let (b_with_data, _) = lt::add_validation_data(
        &pki.sign_b(),
        &ValidationData {
            certificates: vec![pki.root.der().to_vec()],
            crls: pki.crls(T0 + Duration::hours(1)),
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    let s = pki.verify(&b_with_data, later(), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert_eq!(s.time_basis, TimeBasis::Given);
    assert!(s.proofs_of_existence.is_empty());
}

#[test]
fn fail_revoked_before_t0_is_revoked() {
    let pki = Pki::new();
    pki.revoke(T0 - Duration::hours(1));
    let s = pki.verify(&pki.sign_lt(), later(), &[]);
    assert_verdict(&s, Indication::TotalFailed, Some(SubIndication::Revoked));
    assert!(
        s.reason.contains("at or before the proven signing time"),
        "{}",
        s.reason
    );
    assert_eq!(s.revocation_data[0].status, "revoked");
}

#[test]
fn ok_revoked_after_t0_passes_with_the_later_crl_too() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    pki.revoke(T0 + Duration::days(2));
    let later_crls = pki.crls(T0 + Duration::days(3));
    for supplied in [Vec::new(), later_crls] {
        let s = pki.verify(&lt, later(), &supplied);
        assert_verdict(&s, Indication::TotalPassed, None);
        if !supplied.is_empty() {
            assert_eq!(s.revocation_data[0].status, "revoked");
            assert!(
                check(&s, "revocation")
                    .detail
                    .contains("after the proven signing time"),
                "{s:#?}"
            );
        }
    }
}

#[test]
fn ok_lt_with_embedded_ocsp_answers() {
    let pki = Pki::new();
    let t = pki.sign_t();
    let tsa_cert = Cert::from_der(pki.tsa.certificate_der()).unwrap();
    let an_hour = T0 + Duration::hours(1);
    let crls = pki.crls(an_hour);
    let (lt, added) = lt::add_validation_data(
        &t,
        &ValidationData {
            certificates: vec![pki.root.der().to_vec()],
            // The root's CRL for the issuing center; OCSP for the officer and the TSA.
            crls: vec![crls[1].clone()],
            ocsp_responses: vec![pki.ocsp(&pki.leaf, an_hour), pki.ocsp(&tsa_cert, an_hour)],
        },
    )
    .unwrap();
    assert_eq!(added.ocsp_responses, 2);
    let s = pki.verify(&lt, later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    let leaf_source = s.revocation_data[0].source.as_deref().unwrap();
    assert!(
        leaf_source.contains("OCSP response embedded in the signature"),
        "{leaf_source}"
    );
}

#[test]
fn ok_lta_and_its_renewal_verify_offline() {
    let pki = Pki::new();
    let lta = pki.archive(&pki.sign_lt(), T0 + Duration::hours(2));
    assert_eq!(archive::archive_timestamp_counts(&lta).unwrap(), vec![1]);
    let s = pki.verify(&lta, later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(check(&s, "archive_timestamp").outcome, Outcome::Passed);
    let kinds: Vec<_> = s.proofs_of_existence.iter().map(|p| p.proven_by).collect();
    assert_eq!(kinds, ["signature timestamp", "archive timestamp"]);

    // Renewal before the TSA's certificate expires: fresh CRLs, then the next archive timestamp
    // over everything, the first one included.
    let renewal_time = T0 + Duration::days(300);
    let (refreshed, _) = lt::add_validation_data(
        &lta,
        &ValidationData {
            crls: pki.crls(renewal_time),
            ..ValidationData::default()
        },
    )
    .unwrap();
    let renewed = pki.archive(&refreshed, renewal_time);
    assert_eq!(
        archive::archive_timestamp_counts(&renewed).unwrap(),
        vec![2]
    );
    let s = pki.verify(&renewed, later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.proofs_of_existence.len(), 3, "{s:#?}");
}

#[test]
fn fail_lta_whose_covered_crl_was_removed_is_hash_failure() {
    let pki = Pki::new();
    let lta = pki.archive(&pki.sign_lt(), T0 + Duration::hours(2));
    // The same message with the issuing center's CRL taken out of SignedData.crls.
    let stripped = strip_crls(&lta);
    assert_ne!(stripped, lta);
    let (readded, _) = lt::add_validation_data(
        &stripped,
        &ValidationData {
            crls: vec![pki.crls(T0 + Duration::hours(1)).remove(1)],
            ..ValidationData::default()
        },
    )
    .unwrap();
    let s = pki.verify(&readded, later(), &[]);
    assert_verdict(
        &s,
        Indication::TotalFailed,
        Some(SubIndication::HashFailure),
    );
    assert!(s.reason.contains("archive timestamp 1"), "{}", s.reason);
    assert!(s.reason.contains("revocation value"), "{}", s.reason);
}

#[test]
fn fail_lta_whose_token_was_altered_is_sig_crypto_failure() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    let value = timestamp::signature_values(&lt).unwrap().remove(0);
    let input = archive::archive_input(&lt, &value, None).unwrap();
    let (_, mut token) = pki.token(&input.data, T0 + Duration::hours(2));
    // Move the token's genTime by a year inside the signed TSTInfo.
    let year = b"2026060212";
    let at = token
        .windows(year.len())
        .position(|w| w == year)
        .expect("genTime in the token");
    token[at + 3] = b'7';
    let tampered = archive::add_archive_timestamp(&lt, &value, &token, &input.hash_index).unwrap();
    let s = pki.verify(&tampered, later(), &[]);
    assert_verdict(
        &s,
        Indication::TotalFailed,
        Some(SubIndication::SigCryptoFailure),
    );
    assert!(
        s.reason
            .starts_with("archive timestamp 1: the token's signature"),
        "{}",
        s.reason
    );
}

#[test]
fn fail_lta_over_another_signature_is_hash_failure() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    let value = timestamp::signature_values(&lt).unwrap().remove(0);
    let input = archive::archive_input(&lt, &value, None).unwrap();
    let mut wrong = input.data.clone();
    wrong.push(0);
    let (_, token) = pki.token(&wrong, T0 + Duration::hours(2));
    let tampered = archive::add_archive_timestamp(&lt, &value, &token, &input.hash_index).unwrap();
    let s = pki.verify(&tampered, later(), &[]);
    assert_verdict(
        &s,
        Indication::TotalFailed,
        Some(SubIndication::HashFailure),
    );
    assert!(
        s.reason.contains("does not stamp the signature as it is"),
        "{}",
        s.reason
    );
}

/// The message without its `crls` field (RFC 5652 §5.1 `[1] IMPLICIT`).
fn strip_crls(message: &[u8]) -> Vec<u8> {
    use der::{Any, Decode, Encode, Tag, TagNumber, Tagged};
    let info = Any::from_der(message).unwrap();
    let parts = elements(info.value());
    let sd = Any::from_der(parts[1].value()).unwrap();
    let fields: Vec<Any> = elements(sd.value())
        .into_iter()
        .filter(|f| {
            f.tag()
                != (Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber::N1,
                })
        })
        .collect();
    let body: Vec<u8> = fields.iter().flat_map(|f| f.to_der().unwrap()).collect();
    let sd = Any::new(Tag::Sequence, body).unwrap().to_der().unwrap();
    let explicit = Any::new(
        Tag::ContextSpecific {
            constructed: true,
            number: TagNumber::N0,
        },
        sd,
    )
    .unwrap();
    let mut body = parts[0].to_der().unwrap();
    body.extend(explicit.to_der().unwrap());
    Any::new(Tag::Sequence, body).unwrap().to_der().unwrap()
}

fn elements(bytes: &[u8]) -> Vec<der::Any> {
    use der::{Decode, Reader};
    let mut reader = der::SliceReader::new(bytes).unwrap();
    let mut out = Vec::new();
    while !reader.is_finished() {
        out.push(der::Any::decode(&mut reader).unwrap());
    }
    out
}

/// The center's accreditation ends a day after T0 (EDS law art. 20-2): judged at the proven
/// time, an LT signature made before the end still passes years later; a signature whose only
/// time is a signingTime set back before the end, made without proof, does not.
#[test]
fn accreditation_is_judged_at_the_proven_time_and_a_backdated_claim_proves_nothing() {
    let pki = Pki::new();
    let until = T0 + Duration::days(1);
    let trust = || {
        let mut center = TrustedCenter::unbounded(pki.root.clone());
        center.accredited_until = Some(until);
        TrustList::from_centers(vec![center], TrustListForm::Json).unwrap()
    };
    let s = pki.verify_with(&pki.sign_lt(), later(), &[], trust());
    assert_verdict(&s, Indication::TotalPassed, None);
    assert!(
        check(&s, "accreditation")
            .detail
            .contains("2026-06-02T10:00:00Z"),
        "{s:#?}"
    );

    // Signed a week after the accreditation ended, signingTime set back to T0, no timestamp;
    // validated the same week with the CRLs of the day.
    let week = T0 + Duration::days(7);
    let backdated = pki.sign_b();
    let s = pki.verify_with(&backdated, week, &pki.crls(week), trust());
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert!(
        s.reason.contains("the claimed signing time proves nothing"),
        "{}",
        s.reason
    );

    // The same signature timestamped after the end: the proven time is outside.
    let value = timestamp::signature_values(&backdated).unwrap().remove(0);
    let (_, token) = pki.token(&value, week);
    let stamped = timestamp::add_signature_timestamp(&backdated, &token).unwrap();
    let s = pki.verify_with(&stamped, week, &pki.crls(week), trust());
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::ChainConstraintsFailure),
    );
    assert!(
        s.reason
            .contains("was not accredited at 2026-06-09T10:00:00Z"),
        "{}",
        s.reason
    );
}

/// Co-signatures keep their own level and verdict: the first signer's signature is LT, the
/// co-signer's (a second certificate of the center) has no timestamp; two years later the first
/// passes and the second is OUT_OF_BOUNDS_NO_POE.
#[test]
fn co_signatures_each_keep_their_own_level_and_verdict() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    let key = pki.center.unlock(PASS).unwrap();
    let req: RegistrationRequest =
        serde_json::from_str(&fixture("requests/first-head-signing.json")).unwrap();
    let second = pki
        .center
        .issue(
            &key,
            &req,
            KeySource::Generate(KeyAlgorithm::P256),
            "test",
            T_INIT,
            &rng,
            &mut |_| {},
        )
        .unwrap();
    let second_cert = Cert::from_der(&second.record.der).unwrap();
    let second_key = load_pkcs8(&second.key.unwrap().pkcs8, None).unwrap();
    let t = pki.sign_t();
    let cosigner = Signer::new(
        &second_key,
        second_cert.der(),
        &[pki.issuing.der().to_vec()],
    )
    .unwrap();
    let both = eds_signer::cms::cosign(
        &cosigner,
        &t,
        Some(Content::Bytes(DOC)),
        &SignOptions::new(T0),
        &rng,
    )
    .unwrap();
    let (lt, _) = lt::add_validation_data(
        &both,
        &ValidationData {
            certificates: vec![pki.root.der().to_vec()],
            crls: pki.crls(T0 + Duration::hours(1)),
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    let checker = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .unwrap();
    let options = Options {
        trust: TrustList::from_certs(vec![pki.root.clone()]).unwrap(),
        at: Some(later()),
        extra_certs: Vec::new(),
        expectations: Expectations::default(),
        max_signature_checks: 100,
        required_eku: None,
        policy: PolicyOptions::default(),
        cancel: Cancel::default(),
    };
    let report = Verifier::new(options, checker)
        .verify_document(&lt, None, later())
        .unwrap();
    assert_eq!(report.signatures.len(), 2);
    let by_signer = |cert: &Cert| {
        report
            .signatures
            .iter()
            .find(|s| {
                s.signer
                    .as_ref()
                    .is_some_and(|e| *e.serial == cert.serial_hex())
            })
            .unwrap_or_else(|| panic!("{report:#?}"))
    };
    assert_verdict(by_signer(&pki.leaf), Indication::TotalPassed, None);
    assert_verdict(
        by_signer(&second_cert),
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert_eq!(report.indication, Indication::Indeterminate);
}

/// `token` (a TimeStampToken) with its SignerInfo re-signed by `key_pkcs8` (P-256) and `cert_der`
/// in place of the TSA's certificate: the sid, the signingCertificateV2 hash and the
/// certificates field name `cert_der`; everything else, TSTInfo included, is the TSA's.
fn resign_token(token: &[u8], cert_der: &[u8], key_pkcs8: &[u8]) -> Vec<u8> {
    use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
    use cms::content_info::ContentInfo;
    use cms::signed_data::{CertificateSet, SignedData, SignerIdentifier, SignerInfos};
    use der::asn1::{OctetString, SetOfVec};
    use der::{Any, Decode, Encode};
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};

    const SIGNING_CERTIFICATE_V2: der::asn1::ObjectIdentifier =
        der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
    let mut info = ContentInfo::from_der(token).unwrap();
    let mut sd: SignedData = info.content.decode_as().unwrap();
    let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
    sd.certificates = Some(CertificateSet(
        SetOfVec::try_from(vec![CertificateChoices::Certificate(cert.clone())]).unwrap(),
    ));
    let mut si = sd.signer_infos.0.get(0).unwrap().clone();
    si.sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: cert.tbs_certificate.issuer.clone(),
        serial_number: cert.tbs_certificate.serial_number.clone(),
    });
    // SigningCertificateV2 { certs: [ESSCertIDv2 { certHash }] } (RFC 5035 §3), SHA-256 being
    // the default hashAlgorithm: SEQUENCE { SEQUENCE OF { SEQUENCE { OCTET STRING } } }.
    let hash = ring::digest::digest(&ring::digest::SHA256, cert_der);
    let mut ess = vec![0x30, 0x26, 0x30, 0x24, 0x30, 0x22, 0x04, 0x20];
    ess.extend_from_slice(hash.as_ref());
    let attrs: Vec<x509_cert::attr::Attribute> = si
        .signed_attrs
        .take()
        .unwrap()
        .into_vec()
        .into_iter()
        .map(|mut a| {
            if a.oid == SIGNING_CERTIFICATE_V2 {
                a.values = SetOfVec::try_from(vec![Any::from_der(&ess).unwrap()]).unwrap();
            }
            a
        })
        .collect();
    let attrs = SetOfVec::try_from(attrs).unwrap();
    let rng = SystemRandom::new();
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key_pkcs8, &rng).unwrap();
    let signature = key.sign(&rng, &attrs.to_der().unwrap()).unwrap();
    si.signed_attrs = Some(attrs);
    si.signature = OctetString::new(signature.as_ref()).unwrap();
    sd.signer_infos = SignerInfos(SetOfVec::try_from(vec![si]).unwrap());
    info.content = Any::encode_from(&sd).unwrap();
    info.to_der().unwrap()
}

/// RFC 3161 §2.3: a signature timestamp by a certificate without id-kp-timeStamping proves
/// nothing. Two years on, with the officer's certificate expired, the LT signature has no proof
/// of existence: INDETERMINATE / OUT_OF_BOUNDS_NO_POE, the token named as ignored.
#[test]
fn fail_signature_timestamp_by_a_certificate_without_the_timestamping_eku_proves_nothing() {
    let pki = Pki::new();
    let b = pki.sign_b();
    let value = timestamp::signature_values(&b).unwrap().remove(0);
    let token = pki.token_by_the_officer(&value, T0);
    let t = timestamp::add_signature_timestamp(&b, &token).unwrap();
    let (lt, _) = lt::add_validation_data(
        &t,
        &ValidationData {
            certificates: vec![pki.root.der().to_vec()],
            crls: pki.crls(T0 + Duration::hours(1)),
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    let s = pki.verify(&lt, later(), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty(), "{s:#?}");
    assert!(
        s.warnings.iter().any(|w| w.starts_with(
            "a signature timestamp was ignored: the TSA certificate is not for timestamping only"
        )),
        "{:?}",
        s.warnings
    );
    // The same signature with the TSA's own token passes: only the certificate differs.
    let s = pki.verify(&pki.sign_lt(), later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
}

/// The same for an archive timestamp: it gives no proof, and the signature it claims to
/// preserve is not passed on its strength (docs/verify-report.md: INDETERMINATE /
/// CERTIFICATE_CHAIN_GENERAL_FAILURE, as for a TSA certificate without a valid chain).
#[test]
fn fail_archive_timestamp_by_a_certificate_without_the_timestamping_eku() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    let value = timestamp::signature_values(&lt).unwrap().remove(0);
    let input = archive::archive_input(&lt, &value, None).unwrap();
    let token = pki.token_by_the_officer(&input.data, T0 + Duration::hours(2));
    let lta = archive::add_archive_timestamp(&lt, &value, &token, &input.hash_index).unwrap();
    let s = pki.verify(&lta, later(), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::CertificateChainGeneralFailure),
    );
    assert_eq!(
        check(&s, "archive_timestamp").outcome,
        Outcome::Indeterminate,
        "{s:#?}"
    );
    assert!(
        s.reason
            .starts_with("archive timestamp 1: the TSA certificate is not for timestamping only"),
        "{}",
        s.reason
    );
    let kinds: Vec<_> = s.proofs_of_existence.iter().map(|p| p.proven_by).collect();
    assert_eq!(kinds, ["signature timestamp"]);
}

/// The center shut down: its CRL distribution points and OCSP responder refuse connections.
/// An LT and an LTA signature verify online two years later on what they carry, naming the
/// embedded data; a T signature, whose TSA certificate's status nothing shows, does not.
#[test]
fn ok_lt_and_lta_verify_online_with_the_center_shut_down() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    let lta = pki.archive(&lt, T0 + Duration::hours(2));
    for (signature, proofs) in [(&lt, 1), (&lta, 2)] {
        let s = pki.verify_center_gone(signature, later());
        assert_verdict(&s, Indication::TotalPassed, None);
        assert_eq!(s.proofs_of_existence.len(), proofs, "{s:#?}");
        for used in &s.revocation_data {
            assert_eq!(used.status, "good");
            let source = used.source.as_deref().unwrap();
            assert!(source.contains("embedded in the signature"), "{source}");
        }
    }
    let s = pki.verify_center_gone(&pki.sign_t(), later());
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
}

/// An archive timestamp preserves the earlier tokens: made by the center's next TSA
/// certificate two hours after T0, it proves the signature timestamp existed then; the first
/// TSA's certificate is revoked a month later (a compromise found after the fact). With the CRL
/// that says so supplied, the signature timestamp still proves T0 and the signature passes.
/// Revoked before the signature timestamp, the token proves nothing.
#[test]
fn ok_archive_timestamp_keeps_an_earlier_token_whose_tsa_was_revoked_after_it() {
    let pki = Pki::new();
    let rng = SystemRandom::new();
    pki.center
        .issue_tsa_signer(PASS, T0 + Duration::hours(1), &rng)
        .unwrap();
    let next_tsa = TimestampAuthority::load(
        &pki.center,
        PASS,
        T0 + Duration::hours(2),
        &rng,
        TsaOptions::default(),
    )
    .unwrap();
    assert_ne!(next_tsa.certificate_der(), pki.tsa.certificate_der());
    let lta = pki.archive_by(&next_tsa, &pki.sign_lt(), T0 + Duration::hours(2));
    pki.revoke_tsa(T0 + Duration::days(30));
    let crls = pki.crls(T0 + Duration::days(31));
    let s = pki.verify(&lta, later(), &crls);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.validation_time, T0);
    let kinds: Vec<_> = s.proofs_of_existence.iter().map(|p| p.proven_by).collect();
    assert_eq!(kinds, ["signature timestamp", "archive timestamp"]);

    // A token made after its TSA's certificate was revoked proves nothing. The center's TSA
    // refuses to sign once its certificate is revoked in the register, so the token is made
    // first and the revocation (a compromise found later) is dated an hour before it.
    let pki = Pki::new();
    let lt = pki.sign_lt();
    pki.revoke_tsa(T0 - Duration::hours(1));
    let s = pki.verify(&lt, later(), &pki.crls(T0 + Duration::hours(1)));
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.starts_with("a signature timestamp was ignored: the TSA certificate")),
        "{:?}",
        s.warnings
    );
}

/// The TSA's certificate revoked a month after its token (its key compromised, found later),
/// and no later archive timestamp: whoever held the key could have made the token with any
/// genTime, so it proves nothing once the revocation is known, and the officer's expired
/// certificate is judged at the validation time (ETSI EN 319 102-1 §5.6.3).
#[test]
fn fail_lt_whose_tsa_was_revoked_after_the_token_proves_nothing() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    pki.revoke_tsa(T0 + Duration::days(30));
    let s = pki.verify(&lt, later(), &pki.crls(T0 + Duration::days(31)));
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty(), "{s:#?}");
    assert!(
        s.warnings.iter().any(|w| w
            .contains("vouches for it only until 2026-07-02T10:00:00Z (its end or revocation)")),
        "{:?}",
        s.warnings
    );
    // Without the CRL that says so, the token still stands.
    let s = pki.verify(&lt, later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
}

/// RFC 3161 §4: a TSA certificate revoked without a reason code (the center writes none for
/// "unspecified", as RFC 5280 §5.3.1 asks) makes every token of its key invalid, even one made
/// before the revocation.
#[test]
fn fail_lt_whose_tsa_was_revoked_without_a_reason_code_proves_nothing() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    pki.revoke_tsa_for(T0 + Duration::days(30), RevocationGround::HolderRequest);
    let s = pki.verify(&lt, later(), &pki.crls(T0 + Duration::days(31)));
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(
        s.warnings.iter().any(|w| w.contains(
            "without a reason code, which makes every token of its key invalid (RFC 3161 §4)"
        )),
        "{:?}",
        s.warnings
    );
}

/// RFC 3161 §4: a TSA certificate revoked for a reason that is not a compromise (superseded
/// here) leaves the tokens made before the revocation valid at any later time.
#[test]
fn ok_lt_whose_tsa_was_superseded_after_the_token_still_passes() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    pki.revoke_tsa_for(T0 + Duration::days(30), RevocationGround::NameChange);
    let s = pki.verify(&lt, later(), &pki.crls(T0 + Duration::days(31)));
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.validation_time, T0);
    assert_eq!(s.proofs_of_existence.len(), 1, "{s:#?}");
    assert_eq!(
        s.proofs_of_existence[0].tsa_valid_until,
        pki.tsa.not_after()
    );
}

/// A TSA certificate that outlives the issuing center's (five years under a two-year issuing
/// certificate): its tokens are the TSA's word only while its whole chain is valid, so once the
/// issuing certificate has expired the signature timestamp proves nothing.
#[test]
fn fail_lt_whose_tsa_outlives_its_issuer_proves_nothing_after_the_issuer_expired() {
    let pki = Pki::new();
    let issuing_key =
        eds_ca::keys::read_encrypted_pkcs8(&pki.center.dir().join("issuing.key.pem"), PASS)
            .unwrap();
    let issuing =
        rcgen::Issuer::from_ca_cert_der(&pki.issuing.der().to_vec().into(), issuing_key).unwrap();
    let (tsa, tsa_key) = tsa_certificate(&issuing, T_INIT, T_INIT + Duration::days(5 * 365));
    let b = pki.sign_b();
    let value = timestamp::signature_values(&b).unwrap().remove(0);
    let (_, token) = pki.token(&value, T0);
    let token = resign_token(&token, &tsa, tsa_key.serialized_der());
    let t = timestamp::add_signature_timestamp(&b, &token).unwrap();
    let (lt, _) = lt::add_validation_data(
        &t,
        &ValidationData {
            certificates: vec![pki.issuing.der().to_vec(), pki.root.der().to_vec()],
            crls: pki.crls(T0 + Duration::hours(1)),
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    // While the issuing certificate is valid: the token proves T0.
    let s = pki.verify(&lt, later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(
        s.proofs_of_existence[0].tsa_valid_until,
        pki.issuing.not_after()
    );
    // After it: nothing proves the signature existed while the officer's certificate was valid.
    let s = pki.verify(&lt, pki.issuing.not_after() + Duration::days(1), &[]);
    assert_verdict(
        &s,
        Indication::Indeterminate,
        Some(SubIndication::OutOfBoundsNoPoe),
    );
    assert!(s.proofs_of_existence.is_empty(), "{s:#?}");
}

/// Two signature timestamps: the first by the center's TSA (its certificate ends with the
/// issuing center's), the second, an hour later, by a TSA under the re-keyed issuing center.
/// After the first TSA certificate ended, the second still proves the signature: the verifier
/// weighs every signature timestamp, not only the first that verifies.
#[test]
fn ok_a_second_signature_timestamp_holds_when_the_first_tsa_has_ended() {
    let pki = Pki::new();
    let (new_issuing, new_issuer) = pki.rekeyed_issuing(T0 - Duration::days(1), 0x44);
    let (tsa2, tsa2_key) = tsa_certificate(
        &new_issuer,
        T0 - Duration::days(1),
        T0 + Duration::days(5 * 365),
    );
    let t = pki.sign_t();
    let value = timestamp::signature_values(&t).unwrap().remove(0);
    let (_, token) = pki.token(&value, T0 + Duration::hours(1));
    let token = resign_token(&token, &tsa2, tsa2_key.serialized_der());
    let tt = timestamp::add_signature_timestamp(&t, &token).unwrap();
    let new_issuing_crl = crl_by(&new_issuer, T0 + Duration::hours(1), 1, Vec::new());
    let mut crls = pki.crls(T0 + Duration::hours(2));
    crls.push(new_issuing_crl);
    let (lt, _) = lt::add_validation_data(
        &tt,
        &ValidationData {
            certificates: vec![
                pki.issuing.der().to_vec(),
                pki.root.der().to_vec(),
                new_issuing.der().to_vec(),
            ],
            crls,
            ocsp_responses: Vec::new(),
        },
    )
    .unwrap();
    let s = pki.verify(&lt, later(), &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.timestamp_time, Some(T0));
    assert_eq!(s.proofs_of_existence.len(), 2, "{s:#?}");

    let after_first = pki.tsa.not_after() + Duration::days(30);
    let s = pki.verify(&lt, after_first, &[]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.timestamp_time, Some(T0 + Duration::hours(1)));
    assert_eq!(s.validation_time, T0 + Duration::hours(1));
    let kinds: Vec<_> = s.proofs_of_existence.iter().map(|p| p.proven_by).collect();
    assert_eq!(kinds, ["signature timestamp"]);
    assert!(
        s.warnings.iter().any(
            |w| w.starts_with("the signature timestamp of 2026-06-02T10:00:00Z proves nothing")
        ),
        "{:?}",
        s.warnings
    );
}

/// The issuing center re-keys a month after T0: a new certificate for the same name under the
/// same root, with a new key that signs the CRLs from then on. Two years later the relying party
/// holds the new certificate and the new key's latest CRL; the LT signature is still judged on
/// the old chain it carries, at the proven time, with the old key's CRLs: TOTAL_PASSED; the
/// certificate of the same name with the new key, and the CRL it signs, do not disturb it.
#[test]
fn ok_lt_signed_before_the_issuing_centers_rekey_validates_on_the_old_chain() {
    let pki = Pki::new();
    let lt = pki.sign_lt();
    let rekey = T0 + Duration::days(30);
    let (new_issuing, new_issuer) = pki.rekeyed_issuing(rekey, 0x42);
    let new_crl = |revoked: Vec<rcgen::RevokedCertParams>| {
        crl_by(&new_issuer, later() - Duration::hours(1), 1000, revoked)
    };
    let verify = |crls: &[Vec<u8>]| {
        let mut checker = RevocationChecker::new(RevocationOptions {
            offline: true,
            ..RevocationOptions::default()
        })
        .unwrap();
        for (i, crl) in crls.iter().enumerate() {
            checker.add_crl(&format!("supplied-{i}"), crl).unwrap();
        }
        let options = Options {
            trust: TrustList::from_certs(vec![pki.root.clone()]).unwrap(),
            at: Some(later()),
            extra_certs: vec![new_issuing.clone()],
            expectations: Expectations::default(),
            max_signature_checks: 100,
            required_eku: None,
            policy: PolicyOptions::default(),
            cancel: Cancel::default(),
        };
        let report = Verifier::new(options, checker)
            .verify_document(&lt, None, later())
            .unwrap();
        report.signatures[0].clone()
    };
    let s = verify(&[new_crl(Vec::new())]);
    assert_verdict(&s, Indication::TotalPassed, None);
    assert_eq!(s.validation_time, T0);
    assert_eq!(*s.chain[1].serial, pki.issuing.serial_hex(), "{s:#?}");
    assert_eq!(s.revocation_data[0].status, "good", "{s:#?}");
}

/// One verifier judges a batch (its caches warm): an LTA signature, then the same signature
/// whose embedded issuing-center CRL has one byte of its signature value changed (same length,
/// same everything else). The changed CRL is a different cache entry, judged afresh: its
/// signature does not verify, so it proves nothing, and the archive timestamp that covered the
/// original no longer matches. Then the original again: passes.
#[test]
fn fail_a_tampered_embedded_crl_of_the_same_length_is_judged_afresh_by_a_warm_verifier() {
    let pki = Pki::new();
    let lta = pki.archive(&pki.sign_lt(), T0 + Duration::hours(2));
    let crl = eds_verifier::cms::parse(&lta).unwrap().crls.remove(0);
    let at = lta
        .windows(crl.len())
        .position(|w| w == crl.as_slice())
        .expect("the issuing CRL embedded");
    let mut tampered = lta.clone();
    let last = at + crl.len() - 1;
    tampered[last] ^= 0x01;
    assert_eq!(tampered.len(), lta.len());

    let options = Options {
        trust: TrustList::from_certs(vec![pki.root.clone()]).unwrap(),
        at: Some(later()),
        extra_certs: Vec::new(),
        expectations: Expectations::default(),
        max_signature_checks: 100,
        required_eku: None,
        policy: PolicyOptions::default(),
        cancel: Cancel::default(),
    };
    let checker = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .unwrap();
    let verifier = Verifier::new(options, checker);
    let judge = |message: &[u8]| {
        verifier
            .verify_document(message, None, later())
            .unwrap()
            .signatures[0]
            .clone()
    };
    assert_verdict(&judge(&lta), Indication::TotalPassed, None);
    let s = judge(&tampered);
    assert_verdict(
        &s,
        Indication::TotalFailed,
        Some(SubIndication::HashFailure),
    );
    assert!(s.reason.contains("revocation value"), "{}", s.reason);
    assert_verdict(&judge(&lta), Indication::TotalPassed, None);

    // The same with no archive timestamp to notice: the LT signature's tampered CRL is refused
    // for its signature, so the officer's status is unknown.
    let lt = pki.sign_lt();
    let crl = eds_verifier::cms::parse(&lt).unwrap().crls.remove(0);
    let at = lt
        .windows(crl.len())
        .position(|w| w == crl.as_slice())
        .expect("the issuing CRL embedded");
    let mut tampered = lt.clone();
    tampered[at + crl.len() - 1] ^= 0x01;
    assert_verdict(&judge(&lt), Indication::TotalPassed, None);
    let s = judge(&tampered);
    assert_ne!(s.indication, Indication::TotalPassed, "{s:#?}");
    assert!(
        s.warnings
            .iter()
            .chain(std::iter::once(&s.reason))
            .any(|w| w.contains("signature")),
        "{s:#?}"
    );
}

/// The cached timestamp token reader (TSA certificate and SignerInfo head from the verifier's
/// parse cache) gives exactly what the general reader gives: for a signature and an archive
/// token, every prefix and every byte damaged three ways, with a cold cache, a cache warmed by
/// the input and one warmed by everything before.
#[test]
fn ok_cached_token_reader_agrees_with_the_general_path() {
    use eds_verifier::cms::{self, ParseCache};
    let pki = Pki::new();
    let (_, token) = pki.token(b"some signature value", T0);
    let (_, other) = pki.token(b"another", T0 + Duration::hours(2));
    let run = ParseCache::default();
    let check = |input: &[u8], what: &str| {
        let general = cms::read_timestamp_token(input);
        let own = ParseCache::default();
        assert_eq!(
            cms::read_timestamp_token_cached(input, Some(&own)),
            general,
            "cold: {what}"
        );
        assert_eq!(
            cms::read_timestamp_token_cached(input, Some(&own)),
            general,
            "warm: {what}"
        );
        assert_eq!(
            cms::read_timestamp_token_cached(input, Some(&run)),
            general,
            "run: {what}"
        );
    };
    check(&token, "token");
    check(&other, "other token");
    assert!(cms::read_timestamp_token(&token).is_ok());
    for len in 0..token.len() {
        check(&token[..len], &format!("prefix {len}"));
    }
    for at in 0..other.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut damaged = other.clone();
            damaged[at] ^= mask;
            check(&damaged, &format!("byte {at} ^ {mask:#x}"));
        }
    }
}

/// The borrowed SignerInfo reader, which keeps the unsigned attributes as slices of the input
/// (`cms::parse_cached` once a signer's head is cached), gives exactly what the `cms` crate's
/// path gives on every SignerInfo shape these tests make: B, T, LT, LTA and a renewed LTA (two
/// archive timestamps), each signature timestamp and archive timestamp token (whose SignerInfo
/// carries the ATSHashIndexV3), and every byte of the LTA's SignerInfos and of its archive token
/// damaged; with a cold cache, a cache warmed by the input and one warmed by everything before.
#[test]
fn ok_cached_signature_reader_agrees_with_the_general_path_on_every_level() {
    use eds_verifier::cms::{self, ParseCache};
    let pki = Pki::new();
    let lt = pki.sign_lt();
    let lta = pki.archive(&lt, T0 + Duration::hours(2));
    let renewal_time = T0 + Duration::days(300);
    let (refreshed, _) = lt::add_validation_data(
        &lta,
        &ValidationData {
            crls: pki.crls(renewal_time),
            ..ValidationData::default()
        },
    )
    .unwrap();
    let renewed = pki.archive(&refreshed, renewal_time);
    let run = ParseCache::default();
    let check = |input: &[u8], what: &str| {
        let general = cms::parse(input);
        let own = ParseCache::default();
        assert_eq!(
            cms::parse_cached(input, Some(&own)),
            general,
            "cold: {what}"
        );
        assert_eq!(
            cms::parse_cached(input, Some(&own)),
            general,
            "warm: {what}"
        );
        assert_eq!(cms::parse_cached(input, Some(&run)), general, "run: {what}");
        let token = cms::read_timestamp_token(input);
        assert_eq!(
            cms::read_timestamp_token_cached(input, Some(&run)),
            token,
            "token, run: {what}"
        );
    };
    let mut archive_token = Vec::new();
    let corpus = [
        ("B", pki.sign_b()),
        ("T", pki.sign_t()),
        ("LT", lt),
        ("LTA", lta.clone()),
        ("renewed LTA", renewed),
    ];
    for (level, signature) in &corpus {
        check(signature, level);
        let doc = cms::parse(signature).unwrap();
        let signer = &doc.signers[0];
        for token in &signer.timestamp_tokens {
            check(token, &format!("{level}: signature timestamp"));
        }
        let archives =
            eds_verifier::ltv::archive_tokens(signature, signer, doc.content.as_deref()).unwrap();
        for archive in &archives {
            check(&archive.token, &format!("{level}: archive timestamp"));
            archive_token.clone_from(&archive.token);
        }
        let unsigned = signer.unsigned_types.len();
        let expected: usize = match *level {
            "B" => 0,
            "T" | "LT" => 1,
            "LTA" => 2,
            _ => 3,
        };
        assert_eq!(
            (unsigned, archives.len()),
            (expected, expected.saturating_sub(1)),
            "{level}"
        );
    }
    // Damage: every byte of the signerInfos set at the end of the LTA signature, and of an
    // archive token (its SignerInfo's unsigned attributes included).
    let message = elements(&lta);
    let content_info = elements(message[0].value());
    let signed_data = elements(content_info[1].value());
    let fields = elements(signed_data[0].value());
    let signer_infos = der::Encode::to_der(fields.last().unwrap()).unwrap().len();
    for (what, base, from) in [
        ("LTA", &lta, lta.len() - signer_infos),
        ("archive token", &archive_token, 0),
    ] {
        for at in from..base.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                if mask != 0x01 && at % 3 != 0 {
                    continue;
                }
                let mut damaged = base.clone();
                damaged[at] ^= mask;
                check(&damaged, &format!("{what}: byte {at} ^ {mask:#x}"));
            }
        }
    }
}
