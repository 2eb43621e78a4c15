//! `eds_licensing::seal::seal` called directly: the rules of the body's seal (B untouched, a
//! timestamp needed above B, the caller's raise error handed back whole, a raised document that
//! does not verify refused), with a stand-in for the timestamp authority and the revocation data
//! (the command line's `eds license issue` tests run the real ones: tests/licensing_lt.rs).

#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::cell::Cell;

use ring::rand::SystemRandom;
use time::Duration;

use eds_fixtures::pki::{FIXED_TIME, TestPki};
use eds_licensing::seal::{Raised, SealError, SealLevel, seal};
use eds_signer::cms::{self as sign, Content, SignOptions, Signer};
use eds_signer::keys::pkcs8::load_pkcs8;
use eds_verifier::cert::Cert;
use eds_verifier::engine::{Options, Verifier};
use eds_verifier::revocation::{RevocationChecker, RevocationOptions};
use eds_verifier::trust::TrustList;

const DOC: &[u8] = b"{\"kind\":\"receipt\",\"number\":\"KZ12LAA00000001\"}";

/// A document the body signed (CAdES-B) and a verifier that passes it at [`FIXED_TIME`].
fn signed() -> (Verifier, Vec<u8>) {
    let pki = TestPki::new();
    let chain = pki.chain();
    let key = load_pkcs8(chain.leaf.key_pkcs8_der(), None).unwrap();
    let signer = Signer::new(&key, chain.leaf.der(), &chain.intermediates_der()).unwrap();
    let der = sign::sign(
        &signer,
        Content::Bytes(DOC),
        &SignOptions::new(FIXED_TIME - Duration::hours(1)),
        &SystemRandom::new(),
    )
    .unwrap();
    let mut revocation = RevocationChecker::new(RevocationOptions {
        offline: true,
        ..RevocationOptions::default()
    })
    .unwrap();
    revocation
        .add_crl("issuing", pki.crl(pki.issuing()).build().der())
        .unwrap();
    revocation
        .add_crl("root", pki.crl(pki.root()).build().der())
        .unwrap();
    let verifier = Verifier::new(
        Options {
            trust: TrustList::from_certs(vec![Cert::from_der(pki.root().der()).unwrap()]).unwrap(),
            at: Some(FIXED_TIME),
            extra_certs: Vec::new(),
            expectations: Default::default(),
            max_signature_checks: 100,
            required_eku: None,
            policy: Default::default(),
            cancel: Default::default(),
        },
        revocation,
    );
    (verifier, der)
}

/// B is the document as signed: the raise is not called, nothing is checked.
#[test]
fn ok_level_b_is_the_document_as_signed() {
    let (verifier, der) = signed();
    let called = Cell::new(false);
    let raise = |d: Vec<u8>, _: SealLevel| -> Result<Raised, String> {
        called.set(true);
        Ok(Raised {
            der: d,
            not_fresh: Vec::new(),
        })
    };
    let sealed = seal(
        der.clone(),
        SealLevel::B,
        Some(&raise),
        Some(&verifier),
        FIXED_TIME,
    );
    assert_eq!(
        sealed,
        Ok(Raised {
            der,
            not_fresh: Vec::new()
        })
    );
    assert!(!called.get());
}

/// Above B a timestamp authority is needed: without a raise, `NeedsTimestamp` for each level.
#[test]
fn fail_above_b_without_a_timestamp_authority() {
    let (verifier, der) = signed();
    for level in [SealLevel::T, SealLevel::Lt, SealLevel::Lta] {
        assert_eq!(
            seal::<String>(der.clone(), level, None, Some(&verifier), FIXED_TIME),
            Err(SealError::NeedsTimestamp { level })
        );
    }
}

/// The raise is asked for the level; its error comes back whole, with the level.
#[test]
fn fail_the_raise_error_is_handed_back_whole() {
    let (verifier, der) = signed();
    let raise = |_: Vec<u8>, level: SealLevel| -> Result<Raised, String> {
        Err(format!("the TSA did not answer a {} request", level.name()))
    };
    assert_eq!(
        seal(
            der,
            SealLevel::Lta,
            Some(&raise),
            Some(&verifier),
            FIXED_TIME
        ),
        Err(SealError::Raise {
            level: SealLevel::Lta,
            cause: "the TSA did not answer a LTA request".to_owned()
        })
    );
}

/// A raised document that verifies is returned with the raise's freshness warnings; one whose
/// signed content was changed on the way does not verify and is refused, TOTAL_FAILED named.
#[test]
fn ok_a_raised_document_that_verifies_fail_one_that_does_not() {
    let (verifier, der) = signed();
    let stale = vec!["the issuing CRL predates the signature timestamp".to_owned()];
    let raise = |d: Vec<u8>, _: SealLevel| -> Result<Raised, String> {
        Ok(Raised {
            der: d,
            not_fresh: stale.clone(),
        })
    };
    assert_eq!(
        seal(
            der.clone(),
            SealLevel::Lt,
            Some(&raise),
            Some(&verifier),
            FIXED_TIME
        ),
        Ok(Raised {
            der: der.clone(),
            not_fresh: stale.clone()
        })
    );

    let at = der.windows(DOC.len()).position(|w| w == DOC).unwrap();
    let mut tampered = der.clone();
    tampered[at + 2] ^= 0x01;
    let raise = |_: Vec<u8>, _: SealLevel| -> Result<Raised, String> {
        Ok(Raised {
            der: tampered.clone(),
            not_fresh: Vec::new(),
        })
    };
    match seal(
        der,
        SealLevel::Lt,
        Some(&raise),
        Some(&verifier),
        FIXED_TIME,
    ) {
        Err(SealError::DoesNotVerify { level, verdict }) => {
            assert_eq!(level, SealLevel::Lt);
            assert!(verdict.starts_with("TOTAL_FAILED / "), "{verdict}");
        }
        other => panic!("{other:?}"),
    }
}
