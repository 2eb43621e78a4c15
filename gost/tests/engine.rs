//! Outside judge: the GOST engine of OpenSSL 3 (Debian package `libengine-gost-openssl`,
//! installed by `scripts/test`). It verifies signatures and a certificate this crate makes in the
//! TC26 encoding (RFC 9215), and this crate verifies the ones it makes, for 256- and 512-bit keys.
//!
//! When the engine does not load (package missing), each test fails with how to install it
//! (`scripts/test` does): an outside judge that is not there must not let a test pass.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]

use std::path::Path;
use std::process::{Command, Output};

use der::{Decode, Encode};
use x509_cert::Certificate;

use eds_fixtures::openssl_pki::require_gost_engine;

use eds_gost::{
    ALGORITHMS, CurveId, Encoding, Error, PrivateKey, algorithm, public_key_from_spki, spki_der,
    verify_spki,
};

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl")
}

fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let o = openssl(dir, args);
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// (engine algorithm, paramset, our curve, engine digest, TC26 signature OID)
/// The engine names the 256-bit sets A, B, C after CryptoPro and TCA for TC26 paramSetA.
const CASES: [(&str, &str, CurveId, &str, &str); 6] = [
    (
        "gost2012_256",
        "TCA",
        CurveId::Tc26_256A,
        "-md_gost12_256",
        SIG256,
    ),
    (
        "gost2012_256",
        "A",
        CurveId::CryptoProA,
        "-md_gost12_256",
        SIG256,
    ),
    (
        "gost2012_256",
        "B",
        CurveId::CryptoProB,
        "-md_gost12_256",
        SIG256,
    ),
    (
        "gost2012_256",
        "C",
        CurveId::CryptoProC,
        "-md_gost12_256",
        SIG256,
    ),
    (
        "gost2012_512",
        "A",
        CurveId::Tc26_512A,
        "-md_gost12_512",
        SIG512,
    ),
    (
        "gost2012_512",
        "C",
        CurveId::Tc26_512C,
        "-md_gost12_512",
        SIG512,
    ),
];
const SIG256: &str = "1.2.643.7.1.1.3.2";
const SIG512: &str = "1.2.643.7.1.1.3.3";

fn key_row(curve: CurveId) -> &'static eds_gost::Algorithm {
    let oid = match curve.size() {
        eds_gost::Size::S256 => "1.2.643.7.1.1.1.1",
        eds_gost::Size::S512 => "1.2.643.7.1.1.1.2",
    };
    ALGORITHMS
        .iter()
        .find(|a| a.oid.to_string() == oid)
        .unwrap()
}

#[test]
fn ok_we_verify_signatures_and_certificates_the_engine_makes() {
    require_gost_engine(None);
    for (alg, set, curve, md, _) in CASES {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let paramset = format!("paramset:{set}");
        openssl_ok(
            dir,
            &[
                "genpkey",
                "-engine",
                "gost",
                "-algorithm",
                alg,
                "-pkeyopt",
                &paramset,
                "-out",
                "key.pem",
            ],
        );
        openssl_ok(
            dir,
            &[
                "pkey", "-engine", "gost", "-in", "key.pem", "-pubout", "-outform", "DER", "-out",
                "pub.der",
            ],
        );
        std::fs::write(dir.join("msg"), b"a document for the outside judge").unwrap();
        openssl_ok(
            dir,
            &[
                "dgst", "-engine", "gost", md, "-sign", "key.pem", "-out", "sig.bin", "msg",
            ],
        );
        let (key, _) = public_key_from_spki(&std::fs::read(dir.join("pub.der")).unwrap()).unwrap();
        assert_eq!(key.curve(), curve, "{alg} {set}");
        let sig = std::fs::read(dir.join("sig.bin")).unwrap();
        assert_eq!(
            key.verify(Encoding::Tc26, b"a document for the outside judge", &sig),
            Ok(())
        );
        assert_eq!(
            key.verify(Encoding::Tc26, b"a document for the outside judgE", &sig),
            Err(Error::BadSignature)
        );
        // A self-signed certificate.
        openssl_ok(
            dir,
            &[
                "req",
                "-x509",
                "-engine",
                "gost",
                "-key",
                "key.pem",
                "-subj",
                "/CN=engine",
                md,
                "-days",
                "30",
                "-outform",
                "DER",
                "-out",
                "cert.der",
            ],
        );
        let cert = Certificate::from_der(&std::fs::read(dir.join("cert.der")).unwrap()).unwrap();
        let spki = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap();
        assert_eq!(
            verify_spki(
                &spki,
                &cert.signature_algorithm.oid,
                &cert.tbs_certificate.to_der().unwrap(),
                cert.signature.raw_bytes()
            ),
            Ok(()),
            "{alg} {set} certificate"
        );
    }
}

#[test]
fn ok_the_engine_verifies_signatures_and_certificates_we_make() {
    require_gost_engine(None);
    for (alg, set, curve, md, sig_oid) in CASES {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // Our key, from a fixed scalar.
        let d = vec![0x1a; curve.size().bytes()];
        let ours = PrivateKey::from_be_bytes(curve, &d).unwrap();
        let spki = spki_der(ours.public_key(), key_row(curve)).unwrap();
        let pem = pem::encode(&pem::Pem::new("PUBLIC KEY", spki.clone()));
        std::fs::write(dir.join("pub.pem"), pem).unwrap();
        let message = b"signed by eds-gost";
        std::fs::write(dir.join("msg"), message).unwrap();
        let sig = ours.sign(Encoding::Tc26, message).unwrap();
        std::fs::write(dir.join("sig.bin"), &sig).unwrap();
        let out = openssl_ok(
            dir,
            &[
                "dgst",
                "-engine",
                "gost",
                md,
                "-verify",
                "pub.pem",
                "-signature",
                "sig.bin",
                "msg",
            ],
        );
        assert!(out.contains("Verified OK"), "{alg} {set}: {out}");
        // A changed message: the engine refuses it.
        std::fs::write(dir.join("msg"), b"signed by eds-gosT").unwrap();
        let o = openssl(
            dir,
            &[
                "dgst",
                "-engine",
                "gost",
                md,
                "-verify",
                "pub.pem",
                "-signature",
                "sig.bin",
                "msg",
            ],
        );
        assert!(
            !o.status.success(),
            "{alg} {set}: the engine accepted a changed message"
        );

        // A certificate: the engine's self-signed template with our key, signed by us.
        let paramset = format!("paramset:{set}");
        openssl_ok(
            dir,
            &[
                "genpkey",
                "-engine",
                "gost",
                "-algorithm",
                alg,
                "-pkeyopt",
                &paramset,
                "-out",
                "key.pem",
            ],
        );
        openssl_ok(
            dir,
            &[
                "req",
                "-x509",
                "-engine",
                "gost",
                "-key",
                "key.pem",
                "-subj",
                "/CN=eds-gost",
                md,
                "-days",
                "30",
                "-outform",
                "DER",
                "-out",
                "template.der",
            ],
        );
        let mut cert =
            Certificate::from_der(&std::fs::read(dir.join("template.der")).unwrap()).unwrap();
        assert_eq!(cert.signature_algorithm.oid.to_string(), sig_oid);
        cert.tbs_certificate.subject_public_key_info =
            spki::SubjectPublicKeyInfoOwned::from_der(&spki).unwrap();
        let tbs = cert.tbs_certificate.to_der().unwrap();
        let row = algorithm(&cert.signature_algorithm.oid).unwrap();
        let value = ours.sign(row.encoding, &tbs).unwrap();
        cert.signature = der::asn1::BitString::from_bytes(&value).unwrap();
        let pem = pem::encode(&pem::Pem::new("CERTIFICATE", cert.to_der().unwrap()));
        std::fs::write(dir.join("ours.pem"), pem).unwrap();
        let out = openssl_ok(
            dir,
            &[
                "verify",
                "-engine",
                "gost",
                "-check_ss_sig",
                "-CAfile",
                "ours.pem",
                "ours.pem",
            ],
        );
        assert!(out.contains("ours.pem: OK"), "{alg} {set}: {out}");
        // The same certificate with one bit of the signature changed: refused.
        let mut bad = value.clone();
        bad[0] ^= 1;
        cert.signature = der::asn1::BitString::from_bytes(&bad).unwrap();
        let pem = pem::encode(&pem::Pem::new("CERTIFICATE", cert.to_der().unwrap()));
        std::fs::write(dir.join("bad.pem"), pem).unwrap();
        let o = openssl(
            dir,
            &[
                "verify",
                "-engine",
                "gost",
                "-check_ss_sig",
                "-CAfile",
                "bad.pem",
                "bad.pem",
            ],
        );
        assert!(
            !o.status.success(),
            "{alg} {set}: the engine accepted a forged certificate"
        );
    }
}
