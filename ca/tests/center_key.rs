//! The center's own keys through `eds_ca::center_key::CenterKey`: a GOST center made in process
//! signs its certificates with GOST (checked by `eds_gost`, not by the code that signed), and a
//! key file that is not the issuing certificate's key does not unlock.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::fs;

use der::{Decode, Encode};
use ring::rand::SystemRandom;
use time::OffsetDateTime;
use time::macros::datetime;
use x509_cert::Certificate;

use eds_ca::CaError;
use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::keys::KeyAlgorithm;

const PASS: &[u8] = b"test passphrase";
const NOW: OffsetDateTime = datetime!(2026-03-02 10:00 UTC);

fn center(algorithm: KeyAlgorithm) -> (tempfile::TempDir, Center) {
    let dir = tempfile::tempdir().unwrap();
    let config = CenterConfig {
        algorithm,
        ..CenterConfig::default()
    };
    let center = Center::init(dir.path(), config, PASS, NOW, &SystemRandom::new()).unwrap();
    (dir, center)
}

/// Checks `cert`'s signature with `issuer`'s GOST key through `eds_gost`.
fn gost_signed_by(cert: &[u8], issuer: &[u8]) -> Result<(), eds_gost::Error> {
    let cert = Certificate::from_der(cert).unwrap();
    let issuer = Certificate::from_der(issuer).unwrap();
    eds_gost::verify_spki(
        &issuer
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap(),
        &cert.signature_algorithm.oid,
        &cert.tbs_certificate.to_der().unwrap(),
        cert.signature.raw_bytes(),
    )
}

#[test]
fn ok_gost_center_root_and_issuing_certificates_verify_with_eds_gost() {
    let (_dir, center) = center(KeyAlgorithm::Gost2015_512);
    let root = center.root_der().to_vec();
    let issuing = center.issuing_der().to_vec();
    assert_eq!(gost_signed_by(&root, &root), Ok(()));
    assert_eq!(gost_signed_by(&issuing, &root), Ok(()));
    // Signed by the root, not by itself.
    assert!(gost_signed_by(&issuing, &issuing).is_err());

    let key = center.unlock(PASS).unwrap();
    assert_eq!(key.key().algorithm(), Some(KeyAlgorithm::Gost2015_512));
    assert_eq!(
        key.key().signature_algorithm().unwrap().oid.to_string(),
        "1.2.398.3.10.1.1.2.3.2"
    );
    // rcgen cannot sign with it: the center says so instead of signing wrongly.
    assert!(matches!(
        key.issuer(),
        Err(CaError::KeyFile { reason, .. }) if reason.contains("GOST")
    ));
}

#[test]
fn fail_a_key_file_of_another_key_does_not_unlock() {
    for algorithm in [KeyAlgorithm::P256, KeyAlgorithm::Gost2015_512] {
        let (dir, center) = center(algorithm);
        // The root's key, encrypted under the same passphrase, in the issuing key's place.
        fs::copy(
            dir.path().join("root.key.pem"),
            dir.path().join("issuing.key.pem"),
        )
        .unwrap();
        match center.unlock(PASS) {
            Err(CaError::KeyFile { path, reason }) => {
                assert!(path.ends_with("issuing.key.pem"), "{path}");
                assert_eq!(reason, "the key is not the issuing certificate's key");
            }
            other => panic!("{algorithm:?}: {:?}", other.map(|_| ())),
        }
    }
}
