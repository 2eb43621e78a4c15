//! `eds-pkcs11` against a real SoftHSM2 token (a fresh one in a temporary folder,
//! `eds_fixtures::softhsm`). SoftHSM reads `SOFTHSM2_CONF` once per process, and a test may not
//! set the environment of its own process, so each test runs its body in a child process of
//! this test binary (`--exact NAME`) with the token's environment.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::process::Command;

use eds_fixtures::softhsm::{PIN, TestToken};
use eds_pkcs11::{Curve, KeyUri, TokenError, TokenKey};
use ring::signature::{ECDSA_P256_SHA256_ASN1, ECDSA_P384_SHA384_ASN1, UnparsedPublicKey};

const CHILD: &str = "EDS_PKCS11_TEST_CHILD";

/// In the parent: makes a token labelled `label`, runs test `name` again in a child with the
/// token's environment and asserts it passed; returns `None`. In the child: returns the
/// token's URI for the body to use.
fn in_child(name: &str, label: &str) -> Option<KeyUri> {
    if std::env::var_os(CHILD).is_some() {
        return Some(
            KeyUri::parse(&format!(
                "pkcs11:token={label}?module-path={}",
                TestToken::module().display()
            ))
            .unwrap(),
        );
    }
    let token = TestToken::new(label);
    let o = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads", "1"])
        .env("SOFTHSM2_CONF", token.conf())
        .env(CHILD, "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("1 passed"),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    None
}

#[test]
fn ok_generated_keys_never_leave_and_sign_what_ring_verifies() {
    let Some(token) = in_child(
        "ok_generated_keys_never_leave_and_sign_what_ring_verifies",
        "lib",
    ) else {
        return;
    };
    for (curve, label, alg) in [
        (Curve::P256, "k256", &ECDSA_P256_SHA256_ASN1),
        (Curve::P384, "k384", &ECDSA_P384_SHA384_ASN1),
    ] {
        let uri = token.with_object(label);
        let key = TokenKey::generate(&uri, PIN.as_bytes(), curve, &[7, 7]).unwrap();
        assert_eq!(key.curve(), curve);
        assert!(key.never_left_token().unwrap());
        // Opened again (a new session), by label and by the id the URI now carries.
        let again = TokenKey::open(key.uri(), PIN.as_bytes()).unwrap();
        assert_eq!(again.spki_der(), key.spki_der());
        let public = UnparsedPublicKey::new(alg, key.public_point());
        for message in [&b""[..], b"tbs", &[0xff; 1000]] {
            let sig = again.sign(message).unwrap();
            assert_eq!(public.verify(message, &sig), Ok(()));
            let mut flipped = message.to_vec();
            flipped.push(0);
            assert!(public.verify(&flipped, &sig).is_err());
        }
        assert!(key.certificate().unwrap().is_none());
    }
    // A certificate stored beside a key is found from the key (by its CKA_ID).
    let key = TokenKey::open(&token.with_object("k256"), PIN.as_bytes()).unwrap();
    let cert =
        include_bytes!("../../fixtures/pkits/certs/AllCertificatesNoPoliciesTest2EE.crt").to_vec();
    key.store_certificate(&cert).unwrap();
    assert_eq!(key.certificate().unwrap(), Some(cert));
    assert!(matches!(
        key.store_certificate(b"not a certificate").unwrap_err(),
        TokenError::Call { function, .. } if function == "C_CreateObject"
    ));
    // Two keys of one label: the certificate's public key picks one.
    let first = TokenKey::generate(
        &token.with_object("twin"),
        PIN.as_bytes(),
        Curve::P256,
        &[1],
    )
    .unwrap();
    let second = TokenKey::generate(
        &token.with_object("twin"),
        PIN.as_bytes(),
        Curve::P256,
        &[2],
    )
    .unwrap();
    let by_label = token.with_object("twin");
    assert_eq!(
        TokenKey::open(&by_label, PIN.as_bytes()).unwrap_err(),
        TokenError::AmbiguousObject {
            uri: by_label.to_string(),
            count: 2
        }
    );
    for key in [&first, &second] {
        let found = TokenKey::open_matching(&by_label, PIN.as_bytes(), key.spki_der()).unwrap();
        assert_eq!(found.spki_der(), key.spki_der());
    }
    let k256 = TokenKey::open(&token.with_object("k256"), PIN.as_bytes()).unwrap();
    assert_eq!(
        TokenKey::open_matching(&by_label, PIN.as_bytes(), k256.spki_der()).unwrap_err(),
        TokenError::ObjectNotFound {
            uri: by_label.to_string()
        }
    );
    // Destroying one twin (its public object of CKA_ID 01, then its private key) leaves the
    // other the label's only key.
    let first_spki = first.spki_der().to_vec();
    let second_spki = second.spki_der().to_vec();
    let doomed = TokenKey::open_matching(&by_label, PIN.as_bytes(), &first_spki).unwrap();
    assert_eq!(doomed.destroy().unwrap(), 2);
    assert_eq!(
        TokenKey::open_matching(&by_label, PIN.as_bytes(), &first_spki).unwrap_err(),
        TokenError::ObjectNotFound {
            uri: by_label.to_string()
        }
    );
    let left = TokenKey::open(&by_label, PIN.as_bytes()).unwrap();
    assert_eq!(left.spki_der(), second_spki);
}

#[test]
fn fail_wrong_pin_missing_token_missing_object() {
    let Some(token) = in_child("fail_wrong_pin_missing_token_missing_object", "errs") else {
        return;
    };
    let uri = token.with_object("nothing");
    assert_eq!(
        TokenKey::open(&uri, b"000000").unwrap_err(),
        TokenError::WrongPin {
            token: "errs".into()
        }
    );
    assert_eq!(
        TokenKey::open(&uri, PIN.as_bytes()).unwrap_err(),
        TokenError::ObjectNotFound {
            uri: uri.to_string()
        }
    );
    let elsewhere = KeyUri {
        token: Some("absent".into()),
        ..uri.clone()
    };
    match TokenKey::open(&elsewhere, PIN.as_bytes()).unwrap_err() {
        TokenError::TokenNotFound { token, present, .. } => {
            assert_eq!(token, "absent");
            assert!(present.contains("errs"), "{present}");
        }
        other => panic!("{other:?}"),
    }
    let no_module = KeyUri {
        module_path: Some("/nonexistent/libpkcs11.so".into()),
        ..uri
    };
    assert!(matches!(
        TokenKey::open(&no_module, PIN.as_bytes()).unwrap_err(),
        TokenError::Module { path, .. } if path == "/nonexistent/libpkcs11.so"
    ));
}
