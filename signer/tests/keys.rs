//! Keys from files: PKCS#8 (RFC 5958) and PKCS#12 (RFC 7292) made by OpenSSL, and the national
//! center's own PKCS#12 files (BER, legacy 3DES/RC2 encryption, RSA and GOST keys).
//!
//! OpenSSL's command line makes the files (it must be on PATH; `scripts/test` installs it);
//! ring verifies every signature against the certificate's public key.
#![allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use der::Decode;
use eds_fixtures::{nca_bytes, nca_files};
use eds_signer::keys::{load_pkcs8_with_limits, load_pkcs12_with_limits};
use eds_signer::{
    KeyLoadLimits, SignError, SignatureAlgorithm, SigningKey, ensure_key_matches_certificate,
    load_pkcs8, load_pkcs12,
};
use ring::rand::SystemRandom;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};

const PASSWORD: &str = "correct horse";
const MESSAGE: &[u8] = b"signed attributes stand-in";

/// The key kinds OpenSSL makes for these tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    P256,
    P384,
    Ed25519,
    Rsa,
}

const KINDS: [Kind; 4] = [Kind::P256, Kind::P384, Kind::Ed25519, Kind::Rsa];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::P256 => "p256",
            Kind::P384 => "p384",
            Kind::Ed25519 => "ed25519",
            Kind::Rsa => "rsa",
        }
    }

    fn genpkey_args(self) -> &'static [&'static str] {
        match self {
            Kind::P256 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Kind::P384 => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            Kind::Ed25519 => &["-algorithm", "ED25519"],
            Kind::Rsa => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        }
    }

    fn algorithm(self) -> SignatureAlgorithm {
        match self {
            Kind::P256 => SignatureAlgorithm::EcdsaP256Sha256,
            Kind::P384 => SignatureAlgorithm::EcdsaP384Sha384,
            Kind::Ed25519 => SignatureAlgorithm::Ed25519,
            Kind::Rsa => SignatureAlgorithm::RsaPkcs1Sha256,
        }
    }
}

/// Files OpenSSL made once for all tests, in a temporary folder.
struct Made {
    dir: tempfile::TempDir,
}

impl Made {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    /// The DER certificate of `kind`.
    fn cert_der(&self, kind: Kind) -> Vec<u8> {
        self.bytes(&format!("{}.cert.der", kind.name()))
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl must be on PATH (scripts/test installs it): {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Keys of each kind (`openssl genpkey`), self-signed certificates, PKCS#12 files (modern and
/// `-legacy`), PKCS#8 in every form; plus a small CA and a leaf for chain order.
fn made() -> &'static Made {
    static MADE: OnceLock<Made> = OnceLock::new();
    MADE.get_or_init(|| {
        let made = Made {
            dir: tempfile::tempdir().unwrap(),
        };
        let d = made.dir.path();
        let pass = format!("pass:{PASSWORD}");
        for kind in KINDS {
            let n = kind.name();
            let key = format!("{n}.key.pem");
            let cert = format!("{n}.cert.pem");
            let mut args = vec!["genpkey"];
            args.extend_from_slice(kind.genpkey_args());
            args.extend_from_slice(&["-out", &key]);
            openssl(d, &args);
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-x509",
                    "-key",
                    &key,
                    "-subj",
                    &format!("/CN={n}"),
                    "-days",
                    "30",
                    "-out",
                    &cert,
                ],
            );
            openssl(
                d,
                &[
                    "x509",
                    "-in",
                    &cert,
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{n}.cert.der"),
                ],
            );
            openssl(
                d,
                &[
                    "pkcs8",
                    "-topk8",
                    "-nocrypt",
                    "-in",
                    &key,
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{n}.key.der"),
                ],
            );
            for (suffix, extra) in [("modern", None), ("legacy", Some("-legacy"))] {
                let mut args = vec![
                    "pkcs12", "-export", "-inkey", &key, "-in", &cert, "-passout", &pass,
                ];
                args.extend(extra);
                let out = format!("{n}.{suffix}.p12");
                args.extend_from_slice(&["-out", &out]);
                openssl(d, &args);
            }
            for (form, out) in [
                ("PEM", format!("{n}.enc.pem")),
                ("DER", format!("{n}.enc.der")),
            ] {
                openssl(
                    d,
                    &[
                        "pkcs8",
                        "-topk8",
                        "-v2",
                        "aes-256-cbc",
                        "-in",
                        &key,
                        "-passout",
                        &pass,
                        "-outform",
                        form,
                        "-out",
                        &out,
                    ],
                );
            }
        }
        // Legacy forms and the PKCS#12 PBE scheme inside PKCS#8.
        openssl(
            d,
            &[
                "rsa",
                "-in",
                "rsa.key.pem",
                "-traditional",
                "-out",
                "rsa.traditional.pem",
            ],
        );
        openssl(d, &["ec", "-in", "p256.key.pem", "-out", "p256.sec1.pem"]);
        openssl(
            d,
            &[
                "ec",
                "-in",
                "p256.key.pem",
                "-outform",
                "DER",
                "-out",
                "p256.sec1.der",
            ],
        );
        openssl(
            d,
            &[
                "rsa",
                "-in",
                "rsa.key.pem",
                "-traditional",
                "-outform",
                "DER",
                "-out",
                "rsa.traditional.der",
            ],
        );
        openssl(
            d,
            &[
                "pkcs8",
                "-topk8",
                "-v1",
                "PBE-SHA1-3DES",
                "-in",
                "p256.key.pem",
                "-passout",
                &pass,
                "-out",
                "p256.pbe1.pem",
            ],
        );
        // Files without a key, without a certificate, with an empty password.
        openssl(
            d,
            &[
                "pkcs12",
                "-export",
                "-nokeys",
                "-in",
                "p256.cert.pem",
                "-passout",
                &pass,
                "-out",
                "nokey.p12",
            ],
        );
        openssl(
            d,
            &[
                "pkcs12",
                "-export",
                "-nocerts",
                "-inkey",
                "p256.key.pem",
                "-passout",
                &pass,
                "-out",
                "nocert.p12",
            ],
        );
        openssl(
            d,
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "p256.key.pem",
                "-in",
                "p256.cert.pem",
                "-passout",
                "pass:",
                "-out",
                "empty.p12",
            ],
        );
        // A CA, an intermediate and a leaf: chain order from the leaf up.
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "root.key.pem",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-x509",
                "-key",
                "root.key.pem",
                "-subj",
                "/CN=root",
                "-days",
                "30",
                "-out",
                "root.pem",
            ],
        );
        std::fs::write(d.join("ca.ext"), "basicConstraints=critical,CA:TRUE\n").unwrap();
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                "mid.key.pem",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "mid.key.pem",
                "-subj",
                "/CN=mid",
                "-out",
                "mid.csr",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "mid.csr",
                "-CA",
                "root.pem",
                "-CAkey",
                "root.key.pem",
                "-CAcreateserial",
                "-extfile",
                "ca.ext",
                "-days",
                "30",
                "-out",
                "mid.pem",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "p384.key.pem",
                "-subj",
                "/CN=leaf",
                "-out",
                "leaf.csr",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "mid.pem",
                "-CAkey",
                "mid.key.pem",
                "-CAcreateserial",
                "-days",
                "30",
                "-out",
                "leaf.pem",
            ],
        );
        let bundle = [made.bytes("root.pem"), made.bytes("mid.pem")].concat();
        std::fs::write(d.join("bundle.pem"), bundle).unwrap();
        openssl(
            d,
            &[
                "pkcs12",
                "-export",
                "-inkey",
                "p384.key.pem",
                "-in",
                "leaf.pem",
                "-certfile",
                "bundle.pem",
                "-passout",
                &pass,
                "-out",
                "chain.p12",
            ],
        );
        for name in ["root", "mid", "leaf"] {
            openssl(
                d,
                &[
                    "x509",
                    "-in",
                    &format!("{name}.pem"),
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{name}.der"),
                ],
            );
        }
        made
    })
}

/// ring's verifier for what `key` signs with.
fn verifier(algorithm: SignatureAlgorithm) -> &'static dyn VerificationAlgorithm {
    match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_ASN1,
        SignatureAlgorithm::EcdsaP384Sha384 => &signature::ECDSA_P384_SHA384_ASN1,
        SignatureAlgorithm::Ed25519 => &signature::ED25519,
        SignatureAlgorithm::RsaPkcs1Sha256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        SignatureAlgorithm::RsaPssSha256 => &signature::RSA_PSS_2048_8192_SHA256,
        other => panic!("no verifier for {other:?}"),
    }
}

/// Signs `MESSAGE` with `key` and verifies the signature with ring against the public key of the
/// certificate `cert_der`.
fn assert_signs_for(key: &dyn SigningKey, cert_der: &[u8]) {
    let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
    let public = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let sig = key.sign(MESSAGE, &SystemRandom::new()).unwrap();
    UnparsedPublicKey::new(verifier(key.algorithm()), &public)
        .verify(MESSAGE, &sig)
        .unwrap_or_else(|_| panic!("{:?} signature does not verify", key.algorithm()));
}

// ---------------------------------------------------------------------------------------------
// PKCS#12 made by OpenSSL

#[test]
fn ok_pkcs12_modern_and_legacy_load_sign_and_verify() {
    let m = made();
    for kind in KINDS {
        for suffix in ["modern", "legacy"] {
            let p12 = m.bytes(&format!("{}.{suffix}.p12", kind.name()));
            let contents =
                load_pkcs12(&p12, PASSWORD).unwrap_or_else(|e| panic!("{kind:?} {suffix}: {e}"));
            assert_eq!(
                contents.key.algorithm(),
                kind.algorithm(),
                "{kind:?} {suffix}"
            );
            assert_eq!(contents.certificate_der, m.cert_der(kind));
            assert!(contents.chain_der.is_empty());
            assert!(contents.local_key_id.is_some());
            assert_signs_for(&contents.key, &contents.certificate_der);
        }
    }
}

#[test]
fn ok_pkcs12_rsa_key_signs_with_pss_when_asked() {
    let m = made();
    let contents = load_pkcs12(&m.bytes("rsa.modern.p12"), PASSWORD).unwrap();
    let key = contents
        .key
        .with_algorithm(SignatureAlgorithm::RsaPssSha256)
        .unwrap();
    assert_eq!(key.algorithm(), SignatureAlgorithm::RsaPssSha256);
    assert_signs_for(&key, &contents.certificate_der);
    let back = key
        .with_algorithm(SignatureAlgorithm::RsaPkcs1Sha256)
        .unwrap();
    assert_signs_for(&back, &contents.certificate_der);
}

#[test]
fn fail_pkcs12_wrong_password() {
    let m = made();
    for name in ["p256.modern.p12", "rsa.legacy.p12", "ed25519.legacy.p12"] {
        let err = load_pkcs12(&m.bytes(name), "wrong").unwrap_err();
        assert_eq!(err, SignError::WrongPassword, "{name}");
    }
}

#[test]
fn ok_pkcs12_empty_password() {
    let m = made();
    let contents = load_pkcs12(&m.bytes("empty.p12"), "").unwrap();
    assert_eq!(contents.certificate_der, m.cert_der(Kind::P256));
    assert_eq!(
        load_pkcs12(&m.bytes("empty.p12"), "x").unwrap_err(),
        SignError::WrongPassword
    );
}

#[test]
fn ok_pkcs12_chain_ordered_from_leaf_up() {
    let m = made();
    let contents = load_pkcs12(&m.bytes("chain.p12"), PASSWORD).unwrap();
    assert_eq!(contents.certificate_der, m.bytes("leaf.der"));
    assert_eq!(
        contents.chain_der,
        vec![m.bytes("mid.der"), m.bytes("root.der")]
    );
    assert_signs_for(&contents.key, &contents.certificate_der);
}

#[test]
fn fail_pkcs12_without_key() {
    let err = load_pkcs12(&made().bytes("nokey.p12"), PASSWORD).unwrap_err();
    assert_eq!(err, SignError::NoKey);
}

#[test]
fn fail_pkcs12_without_certificate() {
    let err = load_pkcs12(&made().bytes("nocert.p12"), PASSWORD).unwrap_err();
    assert_eq!(err, SignError::NoCertificate);
}

#[test]
fn fail_pkcs12_key_of_another_certificate() {
    // OpenSSL refuses to pack a key with a foreign certificate; p12-keystore (the writer the
    // center uses for owners' files) does not check.
    let m = made();
    let key = m.bytes("p256.key.der");
    let cert = p12_keystore::Certificate::from_der(&m.cert_der(Kind::P384)).unwrap();
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "owner",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            key,
            b"id",
            [cert],
        )),
    );
    let p12 = store
        .writer(PASSWORD)
        .encryption_iterations(1000)
        .mac_iterations(1000)
        .write()
        .unwrap();
    assert_eq!(
        load_pkcs12(&p12, PASSWORD).unwrap_err(),
        SignError::KeyCertificateMismatch
    );
}

#[test]
fn ok_pkcs12_written_by_p12_keystore() {
    let m = made();
    let cert = p12_keystore::Certificate::from_der(&m.cert_der(Kind::Ed25519)).unwrap();
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(
        "owner",
        p12_keystore::KeyStoreEntry::PrivateKeyChain(p12_keystore::PrivateKeyChain::new(
            m.bytes("ed25519.key.der"),
            b"id",
            [cert],
        )),
    );
    let p12 = store
        .writer(PASSWORD)
        .encryption_iterations(1000)
        .mac_iterations(1000)
        .write()
        .unwrap();
    let contents = load_pkcs12(&p12, PASSWORD).unwrap();
    assert_eq!(contents.friendly_name.as_deref(), Some("owner"));
    assert_eq!(contents.local_key_id.as_deref(), Some(&b"id"[..]));
    assert_signs_for(&contents.key, &contents.certificate_der);
}

#[test]
fn fail_pkcs12_given_other_files() {
    let m = made();
    let cases: [(&str, &str); 4] = [
        ("p256.key.pem", "a PEM block labelled PRIVATE KEY"),
        ("p256.cert.pem", "a PEM block labelled CERTIFICATE"),
        ("p256.cert.der", "an X.509 certificate"),
        ("p256.key.der", "a PKCS#8 private key"),
    ];
    for (name, found) in cases {
        assert_eq!(
            load_pkcs12(&m.bytes(name), PASSWORD).unwrap_err(),
            SignError::NotPkcs12 {
                found: found.into()
            },
            "{name}"
        );
    }
}

#[test]
fn fail_pkcs12_iterations_over_the_limit() {
    let limits = KeyLoadLimits {
        max_iterations: 1000,
        ..KeyLoadLimits::default()
    };
    let err =
        load_pkcs12_with_limits(&made().bytes("p256.modern.p12"), PASSWORD, &limits).unwrap_err();
    assert_eq!(
        err,
        SignError::KdfLimitExceeded {
            parameter: "iterations",
            value: 2048,
            limit: 1000
        }
    );
}

// ---------------------------------------------------------------------------------------------
// PKCS#8

#[test]
fn ok_pkcs8_plain_pem_and_der() {
    let m = made();
    for kind in KINDS {
        for form in ["pem", "der"] {
            let key = load_pkcs8(&m.bytes(&format!("{}.key.{form}", kind.name())), None)
                .unwrap_or_else(|e| panic!("{kind:?} {form}: {e}"));
            assert_eq!(key.algorithm(), kind.algorithm());
            ensure_key_matches_certificate(&key, &m.cert_der(kind)).unwrap();
            assert_signs_for(&key, &m.cert_der(kind));
        }
    }
}

#[test]
fn ok_pkcs8_encrypted_pem_and_der() {
    let m = made();
    for kind in KINDS {
        for form in ["pem", "der"] {
            let key = load_pkcs8(
                &m.bytes(&format!("{}.enc.{form}", kind.name())),
                Some(PASSWORD.as_bytes()),
            )
            .unwrap_or_else(|e| panic!("{kind:?} {form}: {e}"));
            assert_signs_for(&key, &m.cert_der(kind));
        }
    }
}

#[test]
fn ok_pkcs8_pkcs12_pbe_scheme() {
    let m = made();
    let key = load_pkcs8(&m.bytes("p256.pbe1.pem"), Some(PASSWORD.as_bytes())).unwrap();
    assert_signs_for(&key, &m.cert_der(Kind::P256));
    assert_eq!(
        load_pkcs8(&m.bytes("p256.pbe1.pem"), Some(b"nope")).unwrap_err(),
        SignError::WrongPassword
    );
}

#[test]
fn ok_pkcs8_legacy_rsa_and_ec_pem() {
    let m = made();
    let rsa = load_pkcs8(&m.bytes("rsa.traditional.pem"), None).unwrap();
    assert_eq!(rsa.algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    ensure_key_matches_certificate(&rsa, &m.cert_der(Kind::Rsa)).unwrap();
    let rsa_der = load_pkcs8(&m.bytes("rsa.traditional.der"), None).unwrap();
    assert_signs_for(&rsa_der, &m.cert_der(Kind::Rsa));
    for name in ["p256.sec1.pem", "p256.sec1.der"] {
        let ec = load_pkcs8(&m.bytes(name), None).unwrap();
        assert_eq!(ec.algorithm(), SignatureAlgorithm::EcdsaP256Sha256);
        assert_signs_for(&ec, &m.cert_der(Kind::P256));
    }
}

#[test]
fn fail_pkcs8_encrypted_wrong_password() {
    let m = made();
    for kind in KINDS {
        for form in ["pem", "der"] {
            let err = load_pkcs8(
                &m.bytes(&format!("{}.enc.{form}", kind.name())),
                Some(b"wrong"),
            )
            .unwrap_err();
            assert_eq!(err, SignError::WrongPassword, "{kind:?} {form}");
        }
    }
}

#[test]
fn fail_pkcs8_encrypted_without_password() {
    let err = load_pkcs8(&made().bytes("p256.enc.pem"), None).unwrap_err();
    assert_eq!(err, SignError::PasswordRequired);
}

#[test]
fn fail_pkcs8_certificate_given_as_key() {
    let m = made();
    assert_eq!(
        load_pkcs8(&m.bytes("p256.cert.pem"), None).unwrap_err(),
        SignError::NotPkcs8 {
            found: "a PEM block labelled CERTIFICATE".into()
        }
    );
    assert_eq!(
        load_pkcs8(&m.bytes("p256.cert.der"), None).unwrap_err(),
        SignError::NotPkcs8 {
            found: "an X.509 certificate".into()
        }
    );
    assert_eq!(
        load_pkcs8(&m.bytes("p256.modern.p12"), None).unwrap_err(),
        SignError::NotPkcs8 {
            found: "a PKCS#12 file".into()
        }
    );
}

#[test]
fn fail_pkcs8_truncated_der() {
    let der = made().bytes("rsa.key.der");
    let err = load_pkcs8(&der[..der.len() / 2], None).unwrap_err();
    assert_eq!(
        err,
        SignError::Malformed {
            offset: 0,
            what: "BER: length runs past the end of the data".into()
        }
    );
}

/// The content ranges of the elements of a DER SEQUENCE (definite lengths).
fn element_ranges(der: &[u8]) -> Vec<std::ops::Range<usize>> {
    let header = |pos: usize| -> (usize, usize) {
        let first = usize::from(der[pos + 1]);
        if first < 0x80 {
            return (pos + 2, first);
        }
        let count = first & 0x7f;
        let len = der[pos + 2..pos + 2 + count]
            .iter()
            .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
        (pos + 2 + count, len)
    };
    let (mut pos, len) = header(0);
    let end = pos + len;
    let mut out = Vec::new();
    while pos < end {
        let (start, len) = header(pos);
        out.push(start..start + len);
        pos = start + len;
    }
    out
}

#[test]
fn fail_pkcs8_rsa_key_with_damaged_crt_exponent() {
    // Found by the `signer_pkcs12` fuzz target: a damaged block in the decrypted key of a file
    // without a MAC gave a key that loaded and matched its certificate but could not sign.
    // RSAPrivateKey (RFC 8017 A.1.2): version, n, e, d, p, q, dP, dQ, qInv.
    let mut der = made().bytes("rsa.traditional.der");
    // ring catches an even dP (a flipped last bit) but not damage in the middle.
    let d_p = element_ranges(&der)[6].clone();
    der[d_p.start + d_p.len() / 2] ^= 0x5a;
    assert_eq!(
        load_pkcs8(&der, None).unwrap_err(),
        SignError::InvalidKey {
            reason: "the RSA key's private components are inconsistent".into()
        }
    );
}

#[test]
fn fail_pkcs8_key_of_another_certificate() {
    let m = made();
    let key = load_pkcs8(&m.bytes("p256.key.pem"), None).unwrap();
    assert_eq!(
        ensure_key_matches_certificate(&key, &m.cert_der(Kind::P384)),
        Err(SignError::KeyCertificateMismatch)
    );
}

#[test]
fn fail_pkcs8_pss_asked_of_an_ec_key() {
    let key = load_pkcs8(&made().bytes("p256.key.pem"), None).unwrap();
    assert_eq!(
        key.with_algorithm(SignatureAlgorithm::RsaPssSha256)
            .unwrap_err(),
        SignError::AlgorithmNotForKey {
            requested: SignatureAlgorithm::RsaPssSha256,
            key: SignatureAlgorithm::EcdsaP256Sha256
        }
    );
}

#[test]
fn fail_pkcs8_iterations_over_the_limit() {
    let limits = KeyLoadLimits {
        max_iterations: 100,
        ..KeyLoadLimits::default()
    };
    let err = load_pkcs8_with_limits(
        &made().bytes("p256.enc.pem"),
        Some(PASSWORD.as_bytes()),
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            SignError::KdfLimitExceeded {
                parameter: "iterations",
                limit: 100,
                ..
            }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The national center's files

const NCA_RSA_KEYS: [&str; 3] = [
    "KEY_INDIVIDUAL_VALID_SIGN_2004",
    "KEY_INDIVIDUAL_SIGN_REVOKED_2004",
    "KEY_INDIVIDUAL_AUTH_REVOKED_2004",
];

fn nca_password(name: &str) -> &'static str {
    if name.contains("2015") {
        "Aa123456"
    } else {
        "Qwerty12"
    }
}

#[test]
fn ok_nca_rsa_key_loads_matches_and_signs() {
    let p12 = nca_bytes("keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12");
    let contents = load_pkcs12(&p12, "Qwerty12").unwrap();
    assert_eq!(contents.key.algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    assert_eq!(
        contents.certificate_der,
        nca_bytes("p12-certs/KEY_INDIVIDUAL_VALID_SIGN_2004.cer")
    );
    ensure_key_matches_certificate(&contents.key, &contents.certificate_der).unwrap();
    assert_signs_for(&contents.key, &contents.certificate_der);
}

#[test]
fn ok_nca_every_rsa_key_loads() {
    for name in NCA_RSA_KEYS {
        let contents = load_pkcs12(&nca_bytes(&format!("keys/{name}.p12")), "Qwerty12")
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            contents.certificate_der,
            nca_bytes(&format!("p12-certs/{name}.cer")),
            "{name}"
        );
        assert_signs_for(&contents.key, &contents.certificate_der);
    }
}

/// The 2004 generation's keys (GOST 34.310-2004 over GOST 34.311-95) are named and refused;
/// the 2015 ones sign (`tests/gost.rs`).
#[test]
fn fail_nca_gost_2004_key_unsupported() {
    let name = "KEY_CEO_SIGN_REVOKED_2004";
    let err = load_pkcs12(&nca_bytes(&format!("keys/{name}.p12")), nca_password(name)).unwrap_err();
    assert_eq!(
        err,
        SignError::UnsupportedAlgorithm {
            oid: "1.2.398.3.10.1.1.1.1".into(),
            name: "GOST 34.310-2004 signing".into()
        }
    );
    assert!(err.to_string().contains("GOST"), "{err}");
}

#[test]
fn fail_nca_wrong_password() {
    for file in nca_files("keys").iter().filter(|f| f.ends_with(".p12")) {
        assert_eq!(
            load_pkcs12(&nca_bytes(file), "Qwerty13").unwrap_err(),
            SignError::WrongPassword,
            "{file}"
        );
    }
}

/// The PFX without its MacData (RFC 7292 §4: optional), so that damage reaches the decryption
/// and the bags instead of stopping at the MAC.
fn without_mac(p12: &[u8]) -> Vec<u8> {
    // The center's PFX has a DER outer SEQUENCE with a two-octet length: 30 82 hi lo.
    assert_eq!(&p12[..2], &[0x30, 0x82]);
    // version (3 octets) + authSafe: the authSafe is a SEQUENCE with a two-octet length.
    let auth_start = 4 + 3;
    assert_eq!(&p12[auth_start..auth_start + 2], &[0x30, 0x82]);
    let auth_len = usize::from(p12[auth_start + 2]) << 8 | usize::from(p12[auth_start + 3]);
    let body = &p12[4..auth_start + 4 + auth_len];
    let len = u16::try_from(body.len()).unwrap().to_be_bytes();
    [&[0x30, 0x82, len[0], len[1]][..], body].concat()
}

#[test]
fn ok_nca_without_mac_still_loads() {
    let p12 = without_mac(&nca_bytes("keys/KEY_INDIVIDUAL_VALID_SIGN_2004.p12"));
    let contents = load_pkcs12(&p12, "Qwerty12").unwrap();
    assert_signs_for(&contents.key, &contents.certificate_der);
    assert_eq!(
        load_pkcs12(&p12, "Qwerty13").unwrap_err(),
        SignError::WrongPassword
    );
}

#[test]
fn ok_nca_truncations_and_byte_flips_never_panic() {
    let limits = KeyLoadLimits {
        max_iterations: 2048,
        ..KeyLoadLimits::default()
    };
    // Every position in the headers, then a prime stride through the rest: the fuzz target
    // `signer_pkcs12` covers every byte; this keeps the test quick.
    let positions = |len: usize| (0..len).filter(|i| *i < 96 || i % 7 == 0);
    for name in [
        "KEY_INDIVIDUAL_VALID_SIGN_2004",
        "KEY_INDIVIDUAL_VALID_2015",
    ] {
        let original = nca_bytes(&format!("keys/{name}.p12"));
        let password = nca_password(name);
        for file in [original.clone(), without_mac(&original)] {
            for len in positions(file.len()) {
                let _ = load_pkcs12_with_limits(&file[..len], password, &limits);
                let _ = load_pkcs8_with_limits(&file[..len], Some(password.as_bytes()), &limits);
            }
            for i in positions(file.len()) {
                let mut damaged = file.clone();
                damaged[i] ^= 0xff;
                let _ = load_pkcs12_with_limits(&damaged, password, &limits);
                let _ = load_pkcs8_with_limits(&damaged, Some(password.as_bytes()), &limits);
            }
        }
    }
}
