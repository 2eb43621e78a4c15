//! RFC 5280 path rules one by one, on small PKIs made with OpenSSL's command line (which can
//! write the odd certificates these rules are about: critical key identifiers, version 1
//! certificates, empty subjects, small RSA keys, P-192). Each rule has a valid and an invalid
//! case.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use eds_verifier::cert::Cert;
use eds_verifier::path::{PathFailure, PathOptions, ValidPath, validate};
use eds_verifier::trust::TrustList;
use eds_verifier::verdict::SubIndication;
use time::OffsetDateTime;

/// A folder of keys and certificates made by `openssl`.
struct Pki {
    dir: tempfile::TempDir,
    serial: std::cell::Cell<u32>,
}

impl Pki {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            serial: std::cell::Cell::new(1),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A key: "p256", "p192", "rsa1024", "rsa2048".
    fn key(&self, name: &str, alg: &str) -> PathBuf {
        let out = self.path(&format!("{name}.key"));
        let args: Vec<&str> = match alg {
            "p256" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "p192" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-192"],
            "rsa1024" => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
            "rsa2048" => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            other => panic!("unknown key {other}"),
        };
        run(Command::new("openssl")
            .arg("genpkey")
            .args(&args)
            .arg("-out")
            .arg(&out));
        out
    }

    /// A certificate for `name`'s key (made with `alg`) with `subject`, signed by `issuer` (or
    /// self-signed), with the extension lines `ext` (an OpenSSL extension section; `None`: a
    /// version 1 certificate without extensions).
    fn cert(
        &self,
        name: &str,
        alg: &str,
        subject: &str,
        issuer: Option<&str>,
        ext: Option<&str>,
    ) -> Cert {
        self.cert_with(name, alg, subject, issuer, ext, &[])
    }

    /// [`Pki::cert`] with more arguments for `openssl x509` (signature options).
    fn cert_with(
        &self,
        name: &str,
        alg: &str,
        subject: &str,
        issuer: Option<&str>,
        ext: Option<&str>,
        extra: &[&str],
    ) -> Cert {
        let key = self.key(name, alg);
        let csr = self.path(&format!("{name}.csr"));
        run(Command::new("openssl")
            .args(["req", "-new", "-subj", subject, "-key"])
            .arg(&key)
            .arg("-out")
            .arg(&csr));
        let out = self.path(&format!("{name}.pem"));
        let serial = self.serial.get();
        self.serial.set(serial + 1);
        let mut cmd = Command::new("openssl");
        cmd.args(["x509", "-req", "-days", "3650"]);
        // `extra` may set its own serial number.
        if !extra.contains(&"-set_serial") {
            cmd.arg("-set_serial").arg(serial.to_string());
        }
        cmd.arg("-in").arg(&csr).arg("-out").arg(&out);
        match issuer {
            Some(i) => {
                cmd.arg("-CA")
                    .arg(self.path(&format!("{i}.pem")))
                    .arg("-CAkey")
                    .arg(self.path(&format!("{i}.key")));
            }
            None => {
                cmd.arg("-key").arg(&key);
            }
        }
        cmd.args(extra);
        if let Some(ext) = ext {
            let file = self.path(&format!("{name}.ext"));
            std::fs::write(&file, format!("[ext]\n{ext}\n")).unwrap();
            cmd.arg("-extfile").arg(&file).args(["-extensions", "ext"]);
        }
        run(&mut cmd);
        load(&out)
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("openssl runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn load(path: &Path) -> Cert {
    let pem = std::fs::read(path).unwrap();
    Cert::all_from_pem_or_der(&pem).unwrap().remove(0)
}

const ROOT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash";
const CA: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid";
const LEAF: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid";

fn check(leaf: &Cert, inters: &[Cert], root: &Cert) -> Result<ValidPath, PathFailure> {
    let trust = TrustList::from_certs(vec![root.clone()]).unwrap();
    let mut opts = PathOptions::at(OffsetDateTime::now_utc());
    opts.max_signature_checks = 100;
    validate(leaf, inters, &trust, &opts)
}

/// A root, an issuing CA and a leaf with the usual extensions, all P-256.
fn usual(pki: &Pki) -> (Cert, Cert, Cert) {
    let root = pki.cert("root", "p256", "/C=KZ/CN=Rules Root", None, Some(ROOT));
    let ca = pki.cert("ca", "p256", "/C=KZ/CN=Rules CA", Some("root"), Some(CA));
    let leaf = pki.cert(
        "leaf",
        "p256",
        "/C=KZ/CN=Rules Leaf",
        Some("ca"),
        Some(LEAF),
    );
    (root, ca, leaf)
}

#[test]
fn ok_usual_chain() {
    let pki = Pki::new();
    let (root, ca, leaf) = usual(&pki);
    let path = check(&leaf, std::slice::from_ref(&ca), &root).unwrap();
    assert_eq!(path.chain, vec![leaf, ca, root]);
}

#[test]
fn fail_critical_authority_or_subject_key_identifier() {
    let pki = Pki::new();
    let (root, ca, _) = usual(&pki);
    let leaf = pki.cert(
        "leaf-aki",
        "p256",
        "/CN=Critical AKI",
        Some("ca"),
        Some("basicConstraints=CA:FALSE\nauthorityKeyIdentifier=critical,keyid"),
    );
    let result = check(&leaf, std::slice::from_ref(&ca), &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 0, detail, .. }) if detail.contains("authority key identifier is marked critical")),
        "{result:?}"
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::CertificateChainGeneralFailure
    );
    let ca2 = pki.cert(
        "ca-ski",
        "p256",
        "/CN=Critical SKI CA",
        Some("root"),
        Some("basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=critical,hash"),
    );
    let leaf2 = pki.cert("leaf2", "p256", "/CN=Under SKI", Some("ca-ski"), Some(LEAF));
    let result = check(&leaf2, &[ca2], &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains("subject key identifier is marked critical")),
        "{result:?}"
    );
}

#[test]
fn fail_ca_with_empty_subject() {
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=Rules Root", None, Some(ROOT));
    let ca = pki.cert(
        "ca",
        "p256",
        "/",
        Some("root"),
        Some("basicConstraints=critical,CA:TRUE"),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Under Nobody", Some("ca"), Some(LEAF));
    let result = check(&leaf, &[ca], &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains("subject is empty")),
        "{result:?}"
    );
}

#[test]
fn fail_unknown_critical_extension_in_the_anchor_but_not_a_non_critical_one() {
    let pki = Pki::new();
    let root = pki.cert(
        "root",
        "p256",
        "/CN=Odd Root",
        None,
        Some(&format!("{ROOT}\n1.3.6.1.4.1.55555.7=critical,ASN1:NULL")),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    assert_eq!(
        check(&leaf, &[], &root),
        Err(PathFailure::UnknownCriticalExtension {
            index: 1,
            oid: "1.3.6.1.4.1.55555.7".to_owned()
        })
    );
    let pki = Pki::new();
    let root = pki.cert(
        "root",
        "p256",
        "/CN=Odd Root",
        None,
        Some(&format!("{ROOT}\n1.3.6.1.4.1.55555.7=ASN1:NULL")),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    assert!(check(&leaf, &[], &root).is_ok());
}

#[test]
fn fail_root_whose_authority_key_identifier_names_another_key() {
    let pki = Pki::new();
    let other = pki.cert("other", "p256", "/CN=Other", None, Some(ROOT));
    drop(other);
    // The root's AKI is computed from the "issuer" certificate OpenSSL is given: sign the root
    // with its own key but take the AKI from another root of the same name.
    let root = pki.cert(
        "root",
        "p256",
        "/CN=Other",
        Some("other"),
        Some("basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always"),
    );
    // `root` is signed by `other`'s key; a root needs its own signature to be an anchor, but
    // path validation trusts anchors as they are: what is judged is the AKI.
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    let result = check(&leaf, &[], &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains("another key")),
        "{result:?}"
    );
    // A root whose AKI is its own SKI is fine.
    let pki = Pki::new();
    let root = pki.cert(
        "root",
        "p256",
        "/CN=Own",
        None,
        Some("basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always"),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    assert!(check(&leaf, &[], &root).is_ok());
}

#[test]
fn ok_version_1_root_and_leaf_fail_version_1_intermediate() {
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=V1 Root", None, None);
    assert_eq!(
        root.x509().tbs_certificate.version,
        x509_cert::certificate::Version::V1
    );
    let leaf = pki.cert("leaf", "p256", "/CN=V1 Leaf", Some("root"), None);
    assert!(check(&leaf, &[], &root).is_ok());
    // A version 1 intermediate cannot show that it is a CA (§6.1.4 (k)).
    let ca = pki.cert("ca", "p256", "/CN=V1 CA", Some("root"), None);
    let below = pki.cert(
        "below",
        "p256",
        "/CN=Below V1",
        Some("ca"),
        Some("basicConstraints=CA:FALSE"),
    );
    assert_eq!(
        check(&below, std::slice::from_ref(&ca), &root),
        Err(PathFailure::NotCa {
            index: 1,
            subject: ca.subject()
        })
    );
}

#[test]
fn ok_self_issued_certificate_not_counted_against_path_length() {
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=Len Root", None, Some(ROOT));
    let ca = pki.cert(
        "ca",
        "p256",
        "/CN=Len CA",
        Some("root"),
        Some("basicConstraints=critical,CA:TRUE,pathlen:0\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"),
    );
    // The CA's new key, certified by its old one (a rollover): self-issued.
    let rollover = pki.cert(
        "rollover",
        "p256",
        "/CN=Len CA",
        Some("ca"),
        Some("basicConstraints=critical,CA:TRUE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid"),
    );
    assert!(rollover.is_self_issued());
    let leaf = pki.cert("leaf", "p256", "/CN=Len Leaf", Some("rollover"), Some(LEAF));
    let path = check(&leaf, &[ca.clone(), rollover.clone()], &root).unwrap();
    assert_eq!(path.chain, vec![leaf, rollover, ca.clone(), root.clone()]);
    // Another CA below the pathlen:0 CA is one too many.
    let sub = pki.cert("sub", "p256", "/CN=Len Sub", Some("ca"), Some(CA));
    let leaf = pki.cert("leaf2", "p256", "/CN=Len Leaf 2", Some("sub"), Some(LEAF));
    assert_eq!(
        check(&leaf, &[ca.clone(), sub], &root),
        Err(PathFailure::PathLenExceeded {
            index: 2,
            subject: ca.subject(),
            path_len: 0
        })
    );
}

#[test]
fn ok_ca_certificate_as_end_entity() {
    let pki = Pki::new();
    let (root, ca, _) = usual(&pki);
    assert!(check(&ca, &[], &root).is_ok());
}

#[test]
fn fail_small_keys_are_crypto_constraints_not_forgeries() {
    for alg in ["rsa1024", "p192"] {
        let pki = Pki::new();
        let (root, ca, _) = usual(&pki);
        let leaf = pki.cert("weak", alg, "/CN=Weak Leaf", Some("ca"), Some(LEAF));
        let result = check(&leaf, std::slice::from_ref(&ca), &root);
        assert!(
            matches!(
                &result,
                Err(PathFailure::UnsupportedAlgorithm { index: 0, .. })
            ),
            "{alg}: {result:?}"
        );
        assert_eq!(
            result.unwrap_err().sub_indication(),
            SubIndication::CryptoConstraintsFailure
        );
        // A weak issuing CA: the leaf's signature cannot be judged.
        let pki = Pki::new();
        let root = pki.cert("root", "p256", "/CN=Rules Root", None, Some(ROOT));
        let weak_ca = pki.cert("ca", alg, "/CN=Weak CA", Some("root"), Some(CA));
        let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("ca"), Some(LEAF));
        let result = check(&leaf, &[weak_ca], &root);
        assert_eq!(
            result.map(|_| ()).unwrap_err().sub_indication(),
            SubIndication::CryptoConstraintsFailure,
            "{alg}"
        );
    }
    // RSA of 2048 bits is fine.
    let pki = Pki::new();
    let (root, ca, _) = usual(&pki);
    let leaf = pki.cert("rsa", "rsa2048", "/CN=RSA Leaf", Some("ca"), Some(LEAF));
    assert!(check(&leaf, &[ca], &root).is_ok());
}

#[test]
fn ok_right_issuer_among_several_of_one_name_without_key_identifiers() {
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=Many Root", None, Some(ROOT));
    let plain_ca = "basicConstraints=critical,CA:TRUE";
    let mut decoys: Vec<Cert> = (0..5)
        .map(|i| {
            pki.cert(
                &format!("decoy{i}"),
                "p256",
                "/CN=Many CA",
                Some("root"),
                Some(plain_ca),
            )
        })
        .collect();
    let real = pki.cert("real", "p256", "/CN=Many CA", Some("root"), Some(plain_ca));
    let leaf = pki.cert(
        "leaf",
        "p256",
        "/CN=Many Leaf",
        Some("real"),
        Some("basicConstraints=CA:FALSE"),
    );
    decoys.push(real.clone());
    let path = check(&leaf, &decoys, &root).unwrap();
    assert_eq!(path.chain[1], real);
    // Without the real one, none of the same-name certificates has the leaf's key: no chain
    // (a bad signature only when key identifiers say the issuer is the one meant).
    decoys.pop();
    let result = check(&leaf, &decoys, &root);
    assert!(
        matches!(&result, Err(PathFailure::NoChain { detail }) if detail.contains("has the key that signed \"CN=Many Leaf\"")),
        "{result:?}"
    );
}

#[test]
fn fail_hundred_issuers_of_one_name_end_with_no_chain() {
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=Flood Root", None, Some(ROOT));
    let plain_ca = "basicConstraints=critical,CA:TRUE";
    let real = pki.cert("real", "p256", "/CN=Flood CA", Some("root"), Some(plain_ca));
    let leaf = pki.cert(
        "leaf",
        "p256",
        "/CN=Flood Leaf",
        Some("real"),
        Some("basicConstraints=CA:FALSE"),
    );
    // A hundred self-issued certificates of the issuer's name with other keys, each certifying
    // the next, the first certified by the real issuer (which is not supplied).
    let flood: Vec<Cert> = (0..100)
        .map(|i| {
            let name = format!("flood{i}");
            let issuer = if i == 0 {
                "real".to_owned()
            } else {
                format!("flood{}", i - 1)
            };
            pki.cert(&name, "p256", "/CN=Flood CA", Some(&issuer), Some(plain_ca))
        })
        .collect();
    // None of them signed the leaf.
    let result = check(&leaf, &flood, &root);
    assert!(
        matches!(&result, Err(PathFailure::NoChain { .. })),
        "{result:?}"
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::NoCertificateChainFound
    );
    // A leaf signed by the last of them: every step up has a hundred candidates, and the
    // search stops at its budget with no chain.
    let leaf = pki.cert(
        "leaf2",
        "p256",
        "/CN=Flood Leaf 2",
        Some("flood99"),
        Some("basicConstraints=CA:FALSE"),
    );
    let result = check(&leaf, &flood, &root);
    assert_eq!(result, Err(PathFailure::BudgetExceeded { limit: 100 }));
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::NoCertificateChainFound
    );
    // With the real issuer supplied too, the path is found through the chain of rollovers
    // when the budget allows, and refused by the step limit otherwise; never a wrong PASSED.
    let mut all = flood.clone();
    all.push(real);
    assert!(check(&leaf, &all, &root).is_err());
}

#[test]
fn ok_rsa_pss_with_any_salt_length_fail_when_tampered() {
    let pki = Pki::new();
    let root = pki.cert("root", "rsa2048", "/CN=PSS Root", None, Some(ROOT));
    for (i, salt) in ["32", "64", "max", "0"].iter().enumerate() {
        let name = format!("leaf{i}");
        let saltlen = format!("rsa_pss_saltlen:{salt}");
        let leaf = pki.cert_with(
            &name,
            "p256",
            "/CN=PSS Leaf",
            Some("root"),
            Some(LEAF),
            &[
                "-sha256",
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                &saltlen,
            ],
        );
        assert!(check(&leaf, &[], &root).is_ok(), "salt {salt}");
        // One bit of the signature flipped.
        let mut der = leaf.der().to_vec();
        let last = der.len() - 1;
        der[last] ^= 1;
        let tampered = Cert::from_der(&der).unwrap();
        assert!(
            matches!(
                check(&tampered, &[], &root),
                Err(PathFailure::BadSignature { index: 0, .. })
            ),
            "salt {salt}"
        );
    }
}

/// The RFC 5280 §4 "MUST"s of a conforming CA that the certificate alone shows, each broken once
/// (INDETERMINATE / CERTIFICATE_CHAIN_GENERAL_FAILURE naming the certificate and the section),
/// each beside the nearest conforming certificate, which passes.
#[test]
fn fail_certificates_no_conforming_ca_issues_ok_their_conforming_neighbours() {
    let pki = Pki::new();
    let (root, ca, _) = usual(&pki);
    const AKI: &str = "authorityKeyIdentifier=keyid";
    let leaf = |name: &str, subject: &str, ext: &str| {
        pki.cert(name, "p256", subject, Some("ca"), Some(ext))
    };
    let leaf_serial = |name: &str, serial: &str| {
        pki.cert_with(
            name,
            "p256",
            "/CN=Serial",
            Some("ca"),
            Some(LEAF),
            &["-set_serial", serial],
        )
    };
    // (what, the leaf, the failing certificate's index (None: passes), words of the detail)
    let cases: Vec<(&str, Cert, Option<usize>, &str)> = vec![
        ("usual leaf", leaf("ok", "/CN=Usual", LEAF), None, ""),
        (
            "no authority key identifier (§4.2.1.1)",
            leaf(
                "no-aki",
                "/CN=No AKI",
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=none",
            ),
            Some(0),
            "no authority key identifier",
        ),
        (
            "a leaf without subject key identifier (only a SHOULD, §4.2.1.2)",
            leaf(
                "no-ski",
                "/CN=No SKI",
                &format!("keyUsage=critical,digitalSignature\nsubjectKeyIdentifier=none\n{AKI}"),
            ),
            None,
            "",
        ),
        (
            "keyCertSign without cA (§4.2.1.3)",
            leaf(
                "kcs",
                "/CN=KCS",
                &format!("keyUsage=critical,digitalSignature,keyCertSign\n{AKI}"),
            ),
            Some(0),
            "keyCertSign",
        ),
        (
            "a key usage without any bit (§4.2.1.3)",
            leaf(
                "ku0",
                "/CN=KU0",
                &format!("2.5.29.15=critical,DER:03:01:00\n{AKI}"),
            ),
            Some(0),
            "no bit set",
        ),
        (
            "pathLenConstraint without cA (§4.2.1.9)",
            leaf(
                "pl",
                "/CN=PL",
                &format!("2.5.29.19=critical,DER:30:03:02:01:00\n{AKI}"),
            ),
            Some(0),
            "pathLenConstraint",
        ),
        (
            "name constraints in a leaf (§4.2.1.10)",
            leaf(
                "nc",
                "/CN=NC",
                &format!("nameConstraints=critical,permitted;DNS:example.com\n{AKI}"),
            ),
            Some(0),
            "not a CA certificate",
        ),
        (
            "an empty subject without a subject alternative name (§4.1.2.6)",
            leaf(
                "empty",
                "/",
                &format!("keyUsage=critical,digitalSignature\n{AKI}"),
            ),
            Some(0),
            "no critical subject alternative name",
        ),
        (
            "an empty subject with a non-critical subject alternative name (§4.2.1.6)",
            leaf(
                "empty-nc",
                "/",
                &format!("subjectAltName=email:a@example.kz\n{AKI}"),
            ),
            Some(0),
            "no critical subject alternative name",
        ),
        (
            "an empty subject with a critical subject alternative name",
            leaf(
                "empty-c",
                "/",
                &format!("subjectAltName=critical,email:a@example.kz\n{AKI}"),
            ),
            None,
            "",
        ),
        (
            "an empty subject alternative name (§4.2.1.6)",
            leaf("san0", "/CN=SAN0", &format!("2.5.29.17=DER:30:00\n{AKI}")),
            Some(0),
            "subject alternative name extension is empty",
        ),
        (
            "an empty extended key usage (§4.2.1.12)",
            leaf("eku0", "/CN=EKU0", &format!("2.5.29.37=DER:30:00\n{AKI}")),
            Some(0),
            "extended key usage extension is empty",
        ),
        (
            "serial 0 (§4.1.2.2)",
            leaf_serial("s0", "0"),
            Some(0),
            "serial number is zero",
        ),
        (
            "a negative serial (§4.1.2.2)",
            leaf_serial("sneg", "-5"),
            Some(0),
            "negative",
        ),
        (
            "a 21-octet serial (§4.1.2.2)",
            leaf_serial("s21", "0x7f0102030405060708090a0b0c0d0e0f1011121314"),
            Some(0),
            "21 octets",
        ),
        (
            "a 20-octet serial",
            leaf_serial("s20", "0x7f0102030405060708090a0b0c0d0e0f10111213"),
            None,
            "",
        ),
        (
            "a 20-octet serial with its top bit set (21 octets of DER)",
            leaf_serial("s20top", "0xff0102030405060708090a0b0c0d0e0f10111213"),
            None,
            "",
        ),
    ];
    for (what, leaf, fails_at, words) in cases {
        let result = check(&leaf, std::slice::from_ref(&ca), &root);
        match fails_at {
            None => assert!(result.is_ok(), "{what}: {result:?}"),
            Some(at) => {
                assert!(
                    matches!(&result, Err(PathFailure::Nonconforming { index, detail, .. })
                        if *index == at && detail.contains(words) && detail.contains("RFC 5280 §")),
                    "{what}: {result:?}"
                );
                assert_eq!(
                    result.unwrap_err().sub_indication(),
                    SubIndication::CertificateChainGeneralFailure,
                    "{what}"
                );
            }
        }
    }

    // Issuing certificates: a CA without subject key identifier (§4.2.1.2), a CA's name
    // constraints not critical or empty (§4.2.1.10); a CA's policy constraints not marked
    // critical are accepted (NIST PKITS 4.8.6 holds such a path valid).
    let ca_cases = [
        (
            "no-ski-ca",
            "subjectKeyIdentifier=none",
            Some("no subject key identifier"),
        ),
        (
            "nc-noncrit",
            "nameConstraints=permitted;DNS:example.com",
            Some("not marked critical"),
        ),
        (
            "nc-empty",
            "2.5.29.30=critical,DER:30:00",
            Some("neither permitted nor excluded"),
        ),
        (
            "pc-noncrit",
            "policyConstraints=requireExplicitPolicy:5",
            None,
        ),
    ];
    for (name, extra, fails) in ca_cases {
        // A key identifier OpenSSL cannot compute from a CA without one is written as DER.
        let below_aki = if extra.starts_with("subjectKeyIdentifier") {
            format!("2.5.29.35=DER:30:16:80:14{}", ":01".repeat(20))
        } else {
            "authorityKeyIdentifier=keyid:always".to_owned()
        };
        let ski = if extra.starts_with("subjectKeyIdentifier") {
            ""
        } else {
            "subjectKeyIdentifier=hash\n"
        };
        let sub = pki.cert(
            name,
            "p256",
            &format!("/CN=CA {name}"),
            Some("root"),
            Some(&format!(
                "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n{ski}authorityKeyIdentifier=keyid\n{extra}"
            )),
        );
        let below = pki.cert(
            &format!("{name}-leaf"),
            "p256",
            &format!("/CN=Below {name}"),
            Some(name),
            Some(&format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n{below_aki}"
            )),
        );
        let result = check(&below, std::slice::from_ref(&sub), &root);
        match fails {
            None => assert!(result.is_ok(), "{name}: {result:?}"),
            Some(words) => assert!(
                matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains(words)),
                "{name}: {result:?}"
            ),
        }
    }
}

/// Name constraints in the trust anchor's own certificate bind the whole path (RFC 5280
/// §6.1.1 (b), (c); RFC 5937 §3), as x509-limbo's `rfc5280::ca-nameconstraints-*` cases ask: a
/// leaf named outside the anchor's permitted subtree, or inside its excluded one, is refused as a
/// chain constraint; a leaf inside passes.
#[test]
fn fail_leaf_outside_the_anchors_name_constraints_ok_inside() {
    let pki = Pki::new();
    let root = pki.cert(
        "root",
        "p256",
        "/CN=Constrained Root",
        None,
        Some(&format!(
            "{ROOT}\nnameConstraints=critical,permitted;DNS:example.com,excluded;IP:192.0.2.0/255.255.255.0"
        )),
    );
    let leaf_with = |name: &str, san: &str| {
        pki.cert(
            name,
            "p256",
            "/CN=Leaf",
            Some("root"),
            Some(&format!("{LEAF}\nsubjectAltName={san}")),
        )
    };
    let inside = leaf_with("inside", "DNS:www.example.com,IP:198.51.100.1");
    assert!(check(&inside, &[], &root).is_ok());
    for (name, san, what) in [
        ("outside", "DNS:not-example.com", "not-example.com"),
        ("excluded", "DNS:www.example.com,IP:192.0.2.1", "192.0.2.1"),
    ] {
        let leaf = leaf_with(name, san);
        let result = check(&leaf, &[], &root);
        assert!(
            matches!(&result, Err(PathFailure::NameConstraints { index: 0, detail, .. }) if detail.contains(what)),
            "{name}: {result:?}"
        );
        assert_eq!(
            result.unwrap_err().sub_indication(),
            SubIndication::ChainConstraintsFailure
        );
    }
}

/// The trust anchor's certificate must name an issuer (RFC 5280 §4.1.2.4; x509-limbo
/// `rfc5280::ee-empty-issuer`), and an anchor that is not self-issued (a CA trusted directly, a
/// cross-signed root) was issued by a CA and needs the authority key identifier every issued
/// certificate carries (§4.2.1.1; `rfc5280::cross-signed-root-missing-aki`). A self-signed root
/// without one, and a cross-signed anchor with one, pass.
#[test]
fn fail_anchor_with_empty_issuer_or_issued_without_aki_ok_conforming_neighbours() {
    let pki = Pki::new();
    pki.cert("nobody", "p256", "/", None, Some(ROOT));
    let root = pki.cert("root", "p256", "/CN=Named Root", Some("nobody"), Some(CA));
    assert!(root.x509().tbs_certificate.issuer.0.is_empty());
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    let result = check(&leaf, &[], &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains("issuer is empty")),
        "{result:?}"
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::CertificateChainGeneralFailure
    );

    let pki = Pki::new();
    pki.cert("other", "p256", "/CN=Other Root", None, Some(ROOT));
    // Cross-signed by "other", no authority key identifier.
    let bare = pki.cert(
        "bare",
        "p256",
        "/CN=Bare",
        Some("other"),
        Some(&format!("{ROOT}\nauthorityKeyIdentifier=none")),
    );
    assert!(bare.authority_key_id().is_none());
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("bare"), Some(LEAF));
    let result = check(&leaf, &[], &bare);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains("no authority key identifier")),
        "{result:?}"
    );
    // The same with one passes; so does a self-signed root without one (`usual`).
    let keyed = pki.cert("keyed", "p256", "/CN=Keyed", Some("other"), Some(CA));
    let leaf = pki.cert("leaf2", "p256", "/CN=Leaf", Some("keyed"), Some(LEAF));
    assert!(check(&leaf, &[], &keyed).is_ok());
    let pki = Pki::new();
    let (root, ca, leaf) = usual(&pki);
    assert!(root.authority_key_id().is_none());
    assert!(check(&leaf, &[ca], &root).is_ok());
}

/// A version 3 trust anchor must say it is a CA, in basic constraints marked critical (RFC 5280
/// §4.2.1.9; x509-limbo `rfc5280::root-missing-basic-constraints`,
/// `rfc5280::root-non-critical-basic-constraints`). An intermediate whose basic constraints are
/// not critical still passes (NIST PKITS 4.6.4), and so does a version 1 root
/// (`ok_version_1_root_and_leaf_fail_version_1_intermediate`).
#[test]
fn fail_anchor_without_critical_basic_constraints_ok_intermediate_without() {
    let pki = Pki::new();
    let root = pki.cert(
        "root",
        "p256",
        "/CN=No BC Root",
        None,
        Some("keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash"),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    let result = check(&leaf, &[], &root);
    assert_eq!(
        result,
        Err(PathFailure::NotCa {
            index: 1,
            subject: root.subject()
        })
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::ChainConstraintsFailure
    );

    let pki = Pki::new();
    let root = pki.cert(
        "root",
        "p256",
        "/CN=Soft BC Root",
        None,
        Some("basicConstraints=CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash"),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("root"), Some(LEAF));
    let result = check(&leaf, &[], &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 1, detail, .. }) if detail.contains("basic constraints are not marked critical")),
        "{result:?}"
    );

    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=Hard BC Root", None, Some(ROOT));
    let ca = pki.cert(
        "ca",
        "p256",
        "/CN=Soft BC CA",
        Some("root"),
        Some(
            "basicConstraints=CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid",
        ),
    );
    let leaf = pki.cert("leaf", "p256", "/CN=Leaf", Some("ca"), Some(LEAF));
    assert!(check(&leaf, &[ca], &root).is_ok());
}

/// An authority or subject information access extension must be a non-empty SEQUENCE of access
/// descriptions (RFC 5280 §4.2.2.1, §4.2.2.2; x509-limbo `webpki::malformed-aia`): one that does
/// not decode makes the certificate malformed, an empty one nonconforming; a well-formed one
/// passes.
#[test]
fn fail_malformed_or_empty_information_access_ok_well_formed() {
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=AIA Root", None, Some(ROOT));
    let leaf_with = |name: &str, ext: &str| {
        pki.cert(
            name,
            "p256",
            "/CN=Leaf",
            Some("root"),
            Some(&format!("{LEAF}\n{ext}")),
        )
    };
    let good = leaf_with(
        "good",
        "authorityInfoAccess=caIssuers;URI:http://ca.example/root.crt",
    );
    assert!(check(&good, &[], &root).is_ok());
    let malformed = leaf_with("malformed", "1.3.6.1.5.5.7.1.1=ASN1:UTF8String:malformed");
    let result = check(&malformed, &[], &root);
    assert!(
        matches!(&result, Err(PathFailure::Malformed { index: 0, detail }) if detail.contains("authority information access")),
        "{result:?}"
    );
    assert_eq!(
        result.unwrap_err().sub_indication(),
        SubIndication::CertificateChainGeneralFailure
    );
    let empty = leaf_with("empty", "1.3.6.1.5.5.7.1.11=DER:3000");
    let result = check(&empty, &[], &root);
    assert!(
        matches!(&result, Err(PathFailure::Nonconforming { index: 0, detail, .. }) if detail.contains("subject information access")),
        "{result:?}"
    );
}

#[test]
fn fail_dns_names_outside_the_preferred_name_syntax_ok_their_neighbours() {
    // RFC 5280 §4.2.1.6: a dNSName is in RFC 1034's preferred name syntax; a subject alternative
    // name may carry a leading wildcard label; an iPAddress is 4 or 16 octets.
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=DNS Root", None, Some(ROOT));
    let leaf_with = |name: &str, ext: &str| {
        pki.cert(
            name,
            "p256",
            "/CN=Leaf",
            Some("root"),
            Some(&format!("{LEAF}\n{ext}")),
        )
    };
    for (name, san) in [
        ("host", "DNS:host.example.com"),
        ("wild", "DNS:*.example.com"),
        ("digits", "DNS:1st.example.com,IP:192.0.2.1,IP:2001:db8::1"),
    ] {
        let leaf = leaf_with(name, &format!("subjectAltName={san}"));
        assert!(check(&leaf, &[], &root).is_ok(), "{san}");
    }
    for (name, ext, says) in [
        (
            "underscore",
            "subjectAltName=DNS:foo_bar.example.com",
            "preferred name syntax",
        ),
        (
            "hyphen",
            "subjectAltName=DNS:-bad.example.com",
            "preferred name syntax",
        ),
        (
            "inner_wild",
            "subjectAltName=DNS:a.*.example.com",
            "preferred name syntax",
        ),
        (
            "ip5",
            "2.5.29.17=DER:30:07:87:05:c0:00:02:01:00",
            "5 octets",
        ),
    ] {
        let leaf = leaf_with(name, ext);
        let result = check(&leaf, &[], &root);
        assert!(
            matches!(&result, Err(PathFailure::Nonconforming { index: 0, detail, .. }) if detail.contains(says)),
            "{ext}: {result:?}"
        );
        assert_eq!(
            result.unwrap_err().sub_indication(),
            SubIndication::CertificateChainGeneralFailure
        );
    }
}

#[test]
fn fail_dns_name_constraint_with_a_leading_period_or_wildcard_ok_a_plain_one() {
    // RFC 5280 §4.2.1.10 writes a DNS constraint as a name ("host.example.com"): a leading
    // period or a wildcard makes it no dNSName, and the extension is refused.
    let pki = Pki::new();
    let root = pki.cert("root", "p256", "/CN=NC Root", None, Some(ROOT));
    let path_under = |ca: &str, constraint: &str| {
        let ca_cert = pki.cert(
            ca,
            "p256",
            &format!("/CN={ca}"),
            Some("root"),
            Some(&format!("{CA}\nnameConstraints=critical,{constraint}")),
        );
        let leaf = pki.cert(
            &format!("{ca}-leaf"),
            "p256",
            "/CN=Leaf",
            Some(ca),
            Some(&format!("{LEAF}\nsubjectAltName=DNS:a.example.com")),
        );
        check(&leaf, &[ca_cert], &root)
    };
    assert!(path_under("plain", "permitted;DNS:example.com").is_ok());
    for (ca, constraint) in [
        ("period", "permitted;DNS:.example.com"),
        ("wildcard", "excluded;DNS:*.example.org"),
    ] {
        let result = path_under(ca, constraint);
        let Err(failure) = &result else {
            panic!("{constraint}: accepted");
        };
        assert!(
            format!("{failure:?}").contains("preferred name syntax"),
            "{constraint}: {result:?}"
        );
        assert_eq!(
            failure.sub_indication(),
            SubIndication::ChainConstraintsFailure,
            "{constraint}: {result:?}"
        );
    }
}
