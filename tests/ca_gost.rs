//! A GOST test PKI made with `eds_ca::gost` — root, issuing center and owners from the center's
//! own templates (`eds_ca::certs`, the national profile), a CRL from register entries — checked
//! by `eds cert verify` (our verifier) in the national center's encoding, and by OpenSSL's GOST
//! engine (the outside judge) in the TC26 one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

mod common;

use std::path::Path;
use std::process::Command;

use ring::rand::SystemRandom;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use eds_ca::certs::{self, OwnerTemplate};
use eds_ca::config::CenterConfig;
use eds_ca::gost::{self, CrlContent, GostKey, GostProfile};
use eds_ca::store::{RevokedEntry, Serial};
use eds_fixtures::openssl_pki::require_gost_engine;
use eds_profile::grounds::CrlReason;
use eds_profile::holder::{HolderKind, KeyPurpose};

use common::{Center, stdout};

const T0: OffsetDateTime = datetime!(2026-03-02 09:00:00 UTC);
const REVOKED_AT: OffsetDateTime = datetime!(2026-03-03 09:00:00 UTC);
const CHECKED_AT: &str = "2026-03-04T09:00:00Z";

/// A root, an issuing center and two owners (the second revoked), all with keys of `profile`,
/// and the issuing center's CRL; DER files in `dir`.
struct GostPki {
    root: Vec<u8>,
    issuing: Vec<u8>,
    owner: Vec<u8>,
    revoked: Vec<u8>,
    crl: Vec<u8>,
    root_crl: Vec<u8>,
}

fn serial(n: u8) -> [u8; 20] {
    let mut s = [0x11; 20];
    s[19] = n;
    s
}

fn make_pki(profile: GostProfile) -> GostPki {
    let rng = SystemRandom::new();
    let cfg = CenterConfig::default();
    let key = || GostKey::generate(profile, &rng).unwrap().0;
    let (root_key, issuing_key) = (key(), key());
    let root = gost::certificate(
        certs::ca_params("EDS GOST TEST ROOT", serial(1), T0, 3650, None, None),
        root_key.spki_der(),
        None,
        &root_key,
    )
    .unwrap();
    let issuing = gost::certificate(
        certs::ca_params(&cfg.name, serial(2), T0, 1825, Some(0), Some(&cfg)),
        issuing_key.spki_der(),
        Some(&root),
        &root_key,
    )
    .unwrap();
    let subject = eds_fixtures::pki::individual_subject();
    let owner_cert = |n: u8| {
        let owner_key = key();
        let (params, _) = certs::owner_params(
            &OwnerTemplate {
                subject: &subject,
                kind: HolderKind::Individual,
                roles: &[],
                purpose: KeyPurpose::Signing,
                serial: serial(n),
                not_before: T0,
                not_after: T0 + Duration::days(365),
                email: None,
            },
            &cfg,
        )
        .unwrap();
        gost::certificate(params, owner_key.spki_der(), Some(&issuing), &issuing_key).unwrap()
    };
    let (owner, revoked) = (owner_cert(3), owner_cert(4));
    let entries = [RevokedEntry {
        serial: Serial::from_der_content(&serial(4)).unwrap(),
        revoked_at: REVOKED_AT,
        reason: CrlReason::KeyCompromise,
        invalidity_date: None,
    }];
    let crl = gost::crl(
        &CrlContent {
            this_update: REVOKED_AT,
            next_update: REVOKED_AT + Duration::days(7),
            number: 1,
            revoked: &entries,
        },
        &issuing,
        &issuing_key,
    )
    .unwrap();
    // The root's CRL: empty, so the issuing center's status is known too.
    let root_crl = gost::crl(
        &CrlContent {
            this_update: REVOKED_AT,
            next_update: REVOKED_AT + Duration::days(30),
            number: 1,
            revoked: &[],
        },
        &root,
        &root_key,
    )
    .unwrap();
    GostPki {
        root,
        issuing,
        owner,
        revoked,
        crl,
        root_crl,
    }
}

fn write(dir: &Path, name: &str, der: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, der).unwrap();
    path.display().to_string()
}

/// `eds cert verify` of `leaf` under the PKI's root, issuing certificate and both CRLs, the
/// clock after the CRLs were issued.
fn verify(pki: &GostPki, leaf: &[u8]) -> (serde_json::Value, i32) {
    let mut c = Center::new();
    c.set_now(CHECKED_AT);
    let dir = c.path("");
    let root = write(&dir, "root.der", &pki.root);
    let issuing = write(&dir, "issuing.der", &pki.issuing);
    let crl = write(&dir, "issuing.crl", &pki.crl);
    let root_crl = write(&dir, "root.crl", &pki.root_crl);
    let leaf = write(&dir, "leaf.der", leaf);
    let o = c.run(&[
        "cert",
        "verify",
        &leaf,
        "--untrusted",
        &issuing,
        "--trust",
        &root,
        "--crl",
        &crl,
        "--crl",
        &root_crl,
        "--offline",
        "--at",
        CHECKED_AT,
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON report");
    (v, o.status.code().unwrap())
}

/// The national center's profile: its key and signature identifiers, NULL parameters, the
/// signature `r‖s` little-endian — and the chain, the CRL and the owner verify.
#[test]
fn ok_nca_profile_pki_verifies_and_uses_the_centers_identifiers() {
    let pki = make_pki(GostProfile::Nca2015_512);
    for der in [&pki.root, &pki.issuing, &pki.owner] {
        let cert = x509_parser::parse_x509_certificate(der).unwrap().1;
        assert_eq!(
            cert.signature_algorithm.algorithm.to_id_string(),
            "1.2.398.3.10.1.1.2.3.2"
        );
        assert_eq!(
            cert.tbs_certificate
                .subject_pki
                .algorithm
                .algorithm
                .to_id_string(),
            "1.2.398.3.10.1.1.2.2"
        );
        assert_eq!(cert.signature_value.data.len(), 128);
    }
    let (v, code) = verify(&pki, &pki.owner);
    assert_eq!(v["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(code, 0);
}

#[test]
fn fail_nca_profile_revoked_owner_is_revoked_by_the_gost_crl() {
    let pki = make_pki(GostProfile::Nca2015_512);
    let (v, code) = verify(&pki, &pki.revoked);
    assert_eq!(v["indication"], "TOTAL_FAILED", "{v}");
    assert_eq!(v["sub_indication"], "REVOKED", "{v}");
    assert_eq!(code, 1);
    assert_eq!(
        v["reason"],
        "the signing certificate was revoked at 2026-03-03T09:00:00Z (keyCompromise), at or \
         before the claimed signing time 2026-03-04T09:00:00Z"
    );
}

#[test]
fn fail_nca_profile_forged_owner_signature() {
    let pki = make_pki(GostProfile::Nca2015_512);
    let mut forged = pki.owner.clone();
    let at = forged.len() - 5; // inside the signature value
    forged[at] ^= 1;
    let (v, code) = verify(&pki, &forged);
    assert_eq!(v["indication"], "INDETERMINATE", "{v}");
    assert_eq!(
        v["sub_indication"], "CERTIFICATE_CHAIN_GENERAL_FAILURE",
        "{v}"
    );
    assert_eq!(code, 2);
}

fn pem(dir: &Path, name: &str, label: &str, der: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, pem::encode(&pem::Pem::new(label, der.to_vec()))).unwrap();
    path.display().to_string()
}

/// The outside judge: the engine verifies the TC26-encoded chain and CRL (`openssl verify
/// -crl_check`), passes the owner and reports the revoked one as revoked.
#[test]
fn ok_the_engine_verifies_the_tc26_chain_and_crl() {
    require_gost_engine(None);
    for profile in [GostProfile::Tc26_512, GostProfile::Tc26_256] {
        let pki = make_pki(profile);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let root = pem(dir, "root.pem", "CERTIFICATE", &pki.root);
        let issuing = pem(dir, "issuing.pem", "CERTIFICATE", &pki.issuing);
        let crl = pem(dir, "issuing.crl.pem", "X509 CRL", &pki.crl);
        let owner = pem(dir, "owner.pem", "CERTIFICATE", &pki.owner);
        let revoked = pem(dir, "revoked.pem", "CERTIFICATE", &pki.revoked);
        let attime = REVOKED_AT.unix_timestamp() + 86_400;
        let run = |leaf: &str| {
            Command::new("openssl")
                .args([
                    "verify",
                    "-engine",
                    "gost",
                    "-attime",
                    &attime.to_string(),
                    "-crl_check",
                    "-CRLfile",
                    &crl,
                    "-CAfile",
                    &root,
                    "-untrusted",
                    &issuing,
                    leaf,
                ])
                .output()
                .unwrap()
        };
        let o = run(&owner);
        let out =
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{profile:?}: {out}");
        assert!(out.contains("owner.pem: OK"), "{profile:?}: {out}");
        let o = run(&revoked);
        let out =
            String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{profile:?}: {out}");
        assert!(out.contains("certificate revoked"), "{profile:?}: {out}");
    }
}
