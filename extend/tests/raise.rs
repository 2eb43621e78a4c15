//! `eds_extend::raise` against a real center (its register, CRLs and TSA in process): each
//! level reached with exactly what it adds, the verifier's verdict on what was raised, and each
//! refusal with its typed error (ETSI EN 319 122-1 §5.3–§5.5, EN 319 102-1 §5.6.2.3).

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::path::Path;
use std::sync::Arc;

use ring::rand::SystemRandom;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::store::{EntityRecord, PersonRecord};
use eds_ca::tsa::{TimestampAuthority, TsaOptions};
use eds_extend::{ExtendError, Level, Sources, Step, Tsa, raise};
use eds_profile::request::RegistrationRequest;
use eds_signer::cms::timestamp::TimestampError;
use eds_signer::keys::load_pkcs8;
use eds_signer::{Content, SignOptions, Signer};
use eds_verifier::cert::Cert;
use eds_verifier::crl::Crl;
use eds_verifier::engine::{Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::Indication;

const PASS: &[u8] = b"test passphrase";
const DOC: &[u8] = "Лицензия № KZ12LAA00000001".as_bytes();
const T_INIT: OffsetDateTime = datetime!(2026-06-01 09:00 UTC);
/// The officer signs and the TSA stamps.
const T0: OffsetDateTime = datetime!(2026-06-02 10:00 UTC);

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
    tsa: TimestampAuthority,
    leaf: Cert,
    leaf_key: Vec<u8>,
    root: Cert,
    issuing: Cert,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let rng = SystemRandom::new();
        let config = CenterConfig {
            algorithm: KeyAlgorithm::P256,
            // Nothing listens here: a download would be refused.
            base_url: "http://127.0.0.1:9".into(),
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

    /// The center's TSA answering at `at`.
    fn tsa_at(&self, at: OffsetDateTime) -> Tsa<'_> {
        Tsa::local("the center's TSA", move |request: &[u8]| {
            Ok(self.tsa.answer(self.center.store(), request, at).der)
        })
    }

    /// Offline sources: the issuing center's and the root's CRLs as of `at`.
    fn crls(&self, at: OffsetDateTime) -> Sources {
        let key = self.center.unlock(PASS).unwrap();
        let issuing = self.center.crl(&key, "test", at).unwrap().der;
        let (root, _) = self
            .center
            .issue_and_publish_root_crl(PASS, "test", at)
            .unwrap();
        Sources {
            crls: vec![
                Arc::new(Crl::parse(&issuing).unwrap()),
                Arc::new(Crl::parse(&root.der).unwrap()),
            ],
            offline: true,
            ..Sources::default()
        }
    }

    /// A certificate's subject, serial and issuer, as the errors name them.
    fn below_root(&self, cert: &Cert) -> (String, String, String) {
        (cert.subject(), cert.serial_hex(), cert.issuer())
    }

    /// The verdict at `at`, offline, with nothing but the signature and the root.
    fn verdict(&self, signature: &[u8], at: OffsetDateTime) -> Indication {
        let checker = RevocationChecker::new(RevocationOptions {
            offline: true,
            ..RevocationOptions::default()
        })
        .unwrap();
        let verifier = Verifier::new(
            Options {
                trust: TrustList::from_certs(vec![self.root.clone()]).unwrap(),
                at: Some(at),
                extra_certs: Vec::new(),
                expectations: Default::default(),
                max_signature_checks: 100,
                required_eku: None,
                policy: Default::default(),
                cancel: Default::default(),
            },
            checker,
        );
        let report = verifier.verify_document(signature, None, at).unwrap();
        let s = &report.signatures[0];
        s.indication
    }
}

fn step(level: Level, extra: &[Vec<u8>]) -> Step<'_> {
    Step {
        level,
        extra,
        content: None,
        stamp_unstamped: true,
    }
}

/// T, then LT with the root given besides and CRLs issued after the timestamp: one timestamp,
/// the root added, both CRLs, nothing stale; the result verifies TOTAL_PASSED offline a year
/// later, after the officer's certificate expired, with nothing but the root.
#[test]
fn ok_lt_from_b_verifies_offline_after_the_signer_expired() {
    let pki = Pki::new();
    let tsa = pki.tsa_at(T0);
    let root = vec![pki.root.der().to_vec()];
    let sources = pki.crls(T0 + Duration::hours(1));
    let (lt, summary) = raise(
        pki.sign_b(),
        &step(Level::Lt, &root),
        Some(&tsa),
        &sources,
        T0 + Duration::hours(2),
    )
    .unwrap();
    assert_eq!(summary.level, "LT");
    assert_eq!(summary.signature_timestamps_added, 1);
    assert_eq!(summary.crls_added, 2);
    assert_eq!(summary.ocsp_responses_added, 0);
    // The root (given besides) and the TSA's certificate; the issuing center's was there.
    assert_eq!(summary.certificates_added, 2);
    assert_eq!(summary.archive_timestamps, vec![0]);
    assert_eq!(summary.not_fresh, Vec::<String>::new());
    let later = T0 + Duration::days(400);
    assert!(pki.leaf.not_after() < later);
    assert_eq!(pki.verdict(&lt, later), Indication::TotalPassed);
    // B alone at that time has nothing to show the certificate was valid when it signed.
    assert_eq!(pki.verdict(&pki.sign_b(), later), Indication::Indeterminate);
}

/// ETSI EN 319 102-1 §5.6.2.3: CRLs issued before the signature timestamp are embedded but
/// each is named as not fresh.
#[test]
fn ok_lt_with_crls_older_than_the_timestamp_lists_each_as_not_fresh() {
    let pki = Pki::new();
    let tsa = pki.tsa_at(T0);
    let root = vec![pki.root.der().to_vec()];
    let sources = pki.crls(T0 - Duration::hours(1));
    let (_, summary) = raise(
        pki.sign_b(),
        &step(Level::Lt, &root),
        Some(&tsa),
        &sources,
        T0,
    )
    .unwrap();
    assert_eq!(summary.crls_added, 2);
    assert_eq!(summary.not_fresh.len(), 2, "{:?}", summary.not_fresh);
    for line in &summary.not_fresh {
        assert!(line.starts_with("the CRL of "), "{line}");
        assert!(line.contains("not after the signature timestamp"), "{line}");
    }
}

/// LTA adds one archive timestamp per signer; raised again, the next one (renewal).
#[test]
fn ok_lta_then_the_next_archive_timestamp() {
    let pki = Pki::new();
    let tsa = pki.tsa_at(T0);
    let root = vec![pki.root.der().to_vec()];
    let sources = pki.crls(T0 + Duration::hours(1));
    let (lta, summary) = raise(
        pki.sign_b(),
        &step(Level::Lta, &root),
        Some(&tsa),
        &sources,
        T0 + Duration::hours(2),
    )
    .unwrap();
    assert_eq!(summary.level, "LTA");
    assert_eq!(summary.archive_timestamps, vec![1]);
    // The renewal brings the CRLs of its own day (they prove the first TSA's certificate
    // unrevoked when the next archive timestamp is made).
    let renewal = T0 + Duration::days(30);
    let next_tsa = pki.tsa_at(renewal + Duration::hours(2));
    let (renewed, summary) = raise(
        lta,
        &step(Level::Lta, &root),
        Some(&next_tsa),
        &pki.crls(renewal + Duration::hours(1)),
        renewal + Duration::hours(2),
    )
    .unwrap();
    assert_eq!(summary.signature_timestamps_added, 0);
    assert_eq!(summary.archive_timestamps, vec![2]);
    assert_eq!(
        pki.verdict(&renewed, T0 + Duration::days(400)),
        Indication::TotalPassed
    );
}

/// A signature cannot be lowered to B.
#[test]
fn fail_level_b_cannot_be_lowered() {
    let pki = Pki::new();
    assert_eq!(
        raise(
            pki.sign_b(),
            &step(Level::B, &[]),
            None,
            &Sources::default(),
            T0
        ),
        Err(ExtendError::CannotLower)
    );
}

/// §5.3: T comes first: an unstamped signer and no TSA is `NeedsSignatureTimestamp`.
#[test]
fn fail_lt_of_an_unstamped_signature_without_a_tsa() {
    let pki = Pki::new();
    assert_eq!(
        raise(pki.sign_b(), &step(Level::Lt, &[]), None, &pki.crls(T0), T0),
        Err(ExtendError::NeedsSignatureTimestamp { unstamped: 1 })
    );
}

/// §5.5: the archive timestamp comes from a TSA: LTA of a T signature without one is
/// `NeedsArchiveTimestamp`.
#[test]
fn fail_lta_without_a_tsa() {
    let pki = Pki::new();
    let tsa = pki.tsa_at(T0);
    let (t, _) = raise(
        pki.sign_b(),
        &step(Level::T, &[]),
        Some(&tsa),
        &Sources::default(),
        T0,
    )
    .unwrap();
    let root = vec![pki.root.der().to_vec()];
    assert_eq!(
        raise(
            t,
            &step(Level::Lta, &root),
            None,
            &pki.crls(T0 + Duration::hours(1)),
            T0
        ),
        Err(ExtendError::NeedsArchiveTimestamp)
    );
}

/// Offline with no CRL given: the first certificate below the root has no revocation data.
/// (The SignedData's certificates are a DER SET, sorted: the issuing center's comes first.)
#[test]
fn fail_lt_offline_without_revocation_data() {
    let pki = Pki::new();
    let tsa = pki.tsa_at(T0);
    let sources = Sources {
        offline: true,
        ..Sources::default()
    };
    match raise(
        pki.sign_b(),
        &step(Level::Lt, &[]),
        Some(&tsa),
        &sources,
        T0,
    ) {
        Err(ExtendError::NotCoveredOffline {
            subject,
            serial,
            issuer,
        }) => assert_eq!(
            (subject, serial, issuer),
            pki.below_root(&pki.issuing),
            "the issuing center's certificate comes first in the signature's DER SET"
        ),
        other => panic!("{other:?}"),
    }
}

/// Online, when the certificate's distribution point refuses the connection, the error lists
/// what was tried.
#[test]
fn fail_lt_online_when_the_distribution_point_is_down() {
    let pki = Pki::new();
    let tsa = pki.tsa_at(T0);
    let sources = Sources {
        fetch: eds_verifier::fetch::FetchOptions {
            timeout: std::time::Duration::from_secs(5),
            ..Default::default()
        },
        ..Sources::default()
    };
    match raise(
        pki.sign_b(),
        &step(Level::Lt, &[]),
        Some(&tsa),
        &sources,
        T0,
    ) {
        Err(ExtendError::NoRevocationData {
            subject,
            serial,
            notes,
        }) => {
            assert_eq!(
                (subject, serial),
                (pki.issuing.subject(), pki.issuing.serial_hex())
            );
            assert!(!notes.is_empty());
            assert!(
                notes.iter().all(|n| n.starts_with("http://127.0.0.1:9/")),
                "{notes:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A TSA whose answer is not a TimeStampResp: `SignatureTimestamp` naming it, with the cause.
#[test]
fn fail_a_tsa_answering_garbage() {
    let pki = Pki::new();
    let tsa = Tsa::local("a broken TSA", |_: &[u8]| Ok(vec![0x30, 0x03, 0x02, 0x01]));
    match raise(
        pki.sign_b(),
        &step(Level::T, &[]),
        Some(&tsa),
        &Sources::default(),
        T0,
    ) {
        Err(ExtendError::SignatureTimestamp { tsa, cause }) => {
            assert_eq!(tsa, "a broken TSA");
            assert!(
                matches!(cause, TimestampError::BadResponse { .. }),
                "{cause:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}
