//! GOST keys in the signer: the national center's 2015 PKCS#12 files (GOST 34.10-2015, 512 bits,
//! its identifiers and byte order) and TC26 PKCS#8 keys (RFC 9215) load, match their
//! certificates and sign CMS with Streebog; each signature is checked with `eds-gost` against the
//! certificate's key, and damaged ones are refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a failing test should stop loudly"
)]

use ::cms::content_info::ContentInfo;
use ::cms::signed_data::SignedData;
use der::asn1::{ObjectIdentifier, OctetString, OctetStringRef};
use der::{Any, Decode, Encode};
use ring::rand::SystemRandom;
use time::macros::datetime;

use eds_fixtures::nca_bytes;
use eds_signer::cms::{self, Content, SignOptions, Signer};
use eds_signer::keys::{ensure_key_matches_certificate, load_pkcs8, load_pkcs12};
use eds_signer::{CmsError, SignError, SignatureAlgorithm, SigningKey};

const NCA_KEYS: [&str; 2] = ["KEY_INDIVIDUAL_VALID_2015", "KEY_CEO_REVOKED_2015"];
const NCA_PASSWORD: &str = "Aa123456";
const NCA_SIGNATURE: &str = "1.2.398.3.10.1.1.2.3.2";
const NCA_STREEBOG512: &str = "1.2.398.3.10.1.3.3";
const MESSAGE: &[u8] = b"an application to the licensing body";

fn oid(s: &str) -> ObjectIdentifier {
    ObjectIdentifier::new_unwrap(s)
}

fn spki_of(cert_der: &[u8]) -> Vec<u8> {
    x509_cert::Certificate::from_der(cert_der)
        .unwrap()
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap()
}

#[test]
fn ok_nca_2015_keys_load_match_their_certificates_and_sign() {
    for name in NCA_KEYS {
        let contents = load_pkcs12(&nca_bytes(&format!("keys/{name}.p12")), NCA_PASSWORD)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(contents.key.algorithm(), SignatureAlgorithm::GostNca512);
        assert_eq!(
            contents.certificate_der,
            nca_bytes(&format!("p12-certs/{name}.cer")),
            "{name}"
        );
        // The key's SubjectPublicKeyInfo is the certificate's, byte for byte.
        assert_eq!(
            contents.key.public_key_info_der(),
            spki_of(&contents.certificate_der)
        );
        ensure_key_matches_certificate(&contents.key, &contents.certificate_der).unwrap();
        let spki = spki_of(&contents.certificate_der);
        let sig = contents.key.sign(MESSAGE, &SystemRandom::new()).unwrap();
        assert_eq!(sig.len(), 128);
        assert_eq!(
            eds_gost::verify_spki(&spki, &oid(NCA_SIGNATURE), MESSAGE, &sig),
            Ok(())
        );
        // Deterministic nonce: the same message gives the same signature.
        assert_eq!(
            contents.key.sign(MESSAGE, &SystemRandom::new()).unwrap(),
            sig
        );
        // Another message, or the TC26 reading of the same value, does not verify.
        assert_eq!(
            eds_gost::verify_spki(&spki, &oid(NCA_SIGNATURE), b"another", &sig),
            Err(eds_gost::Error::BadSignature)
        );
    }
}

#[test]
fn fail_nca_2015_key_with_the_other_holders_certificate() {
    let individual = load_pkcs12(
        &nca_bytes("keys/KEY_INDIVIDUAL_VALID_2015.p12"),
        NCA_PASSWORD,
    )
    .unwrap();
    let ceo = nca_bytes("p12-certs/KEY_CEO_REVOKED_2015.cer");
    assert_eq!(
        ensure_key_matches_certificate(&individual.key, &ceo).unwrap_err(),
        SignError::KeyCertificateMismatch
    );
    assert!(matches!(
        Signer::new(&individual.key, &ceo, &[]).unwrap_err(),
        CmsError::KeyDoesNotMatchCertificate { .. }
    ));
}

/// A CMS signed with the national center's 2015 key: Streebog-512 and the signature under the
/// center's identifiers (NULL parameters, as its own messages carry them), the messageDigest the
/// Streebog-512 of the content, the signature over the signed attributes verifying with the
/// certificate's key in the center's byte order.
#[test]
fn ok_nca_2015_cms_carries_the_centers_identifiers_and_verifies() {
    let contents = load_pkcs12(
        &nca_bytes("keys/KEY_INDIVIDUAL_VALID_2015.p12"),
        NCA_PASSWORD,
    )
    .unwrap();
    let ca = nca_bytes("ca/nca_gost2015_test.cer");
    let signer = Signer::new(&contents.key, &contents.certificate_der, &[ca]).unwrap();
    assert_eq!(signer.algorithm(), SignatureAlgorithm::GostNca512);
    let options = SignOptions::new(datetime!(2022-08-01 00:00:00 UTC));
    let der = cms::sign(
        &signer,
        Content::Bytes(MESSAGE),
        &options,
        &SystemRandom::new(),
    )
    .unwrap();

    let info = ContentInfo::from_der(&der).unwrap();
    let sd: SignedData = info.content.decode_as().unwrap();
    let null = Some(Any::null());
    let digest_alg = sd.digest_algorithms.iter().next().unwrap();
    assert_eq!(digest_alg.oid, oid(NCA_STREEBOG512));
    assert_eq!(digest_alg.parameters, null);
    assert_eq!(sd.certificates.as_ref().unwrap().0.len(), 2);
    let si = sd.signer_infos.0.iter().next().unwrap();
    assert_eq!(si.digest_alg.oid, oid(NCA_STREEBOG512));
    assert_eq!(si.signature_algorithm.oid, oid(NCA_SIGNATURE));
    assert_eq!(si.signature_algorithm.parameters, null);

    let attrs = si.signed_attrs.as_ref().unwrap();
    let md = attrs
        .iter()
        .find(|a| a.oid == oid("1.2.840.113549.1.9.4"))
        .unwrap();
    let md = md.values.iter().next().unwrap();
    let md = OctetStringRef::try_from(md).unwrap();
    assert_eq!(
        md.as_bytes(),
        eds_gost::digest(eds_gost::Size::S512, MESSAGE).as_slice()
    );

    let spki = spki_of(&contents.certificate_der);
    let signed = attrs.to_der().unwrap();
    let value = si.signature.as_bytes();
    assert_eq!(
        eds_gost::verify_spki(&spki, &oid(NCA_SIGNATURE), &signed, value),
        Ok(())
    );
    // One changed octet of the signed attributes: the signature no longer verifies.
    let mut changed = signed.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    assert_eq!(
        eds_gost::verify_spki(&spki, &oid(NCA_SIGNATURE), &changed, value),
        Err(eds_gost::Error::BadSignature)
    );
}

/// A PKCS#8 PrivateKeyInfo of a TC26 GOST key (RFC 9215 §5): `d` little-endian in an OCTET
/// STRING, the algorithm's parameters the curve alone.
fn tc26_pkcs8(key_oid: &str, curve: eds_gost::CurveId, d_le: &[u8]) -> Vec<u8> {
    let params = Any::encode_from(&vec![curve.oid()]).unwrap();
    let inner = OctetString::new(d_le).unwrap().to_der().unwrap();
    pkcs8::PrivateKeyInfo {
        algorithm: spki::AlgorithmIdentifier {
            oid: oid(key_oid),
            parameters: Some((&params).into()),
        },
        private_key: &inner,
        public_key: None,
    }
    .to_der()
    .unwrap()
}

#[test]
fn ok_tc26_pkcs8_keys_load_with_their_algorithm_and_public_key() {
    let cases = [
        (
            "1.2.643.7.1.1.1.1",
            eds_gost::CurveId::Tc26_256A,
            SignatureAlgorithm::Gost256,
            "1.2.643.7.1.1.3.2",
        ),
        (
            "1.2.643.7.1.1.1.2",
            eds_gost::CurveId::Tc26_512A,
            SignatureAlgorithm::Gost512,
            "1.2.643.7.1.1.3.3",
        ),
    ];
    for (key_oid, curve, algorithm, signature_oid) in cases {
        let d = vec![0x2b; curve.size().bytes()];
        let der = tc26_pkcs8(key_oid, curve, &d);
        let key = load_pkcs8(&der, None).unwrap_or_else(|e| panic!("{key_oid}: {e}"));
        assert_eq!(key.algorithm(), algorithm);
        let expected = eds_gost::PrivateKey::from_le_bytes(curve, &d).unwrap();
        let row = eds_gost::algorithm(&oid(key_oid)).unwrap();
        assert_eq!(
            key.public_key_info_der(),
            eds_gost::spki_der(expected.public_key(), row).unwrap()
        );
        let sig = key.sign(MESSAGE, &SystemRandom::new()).unwrap();
        assert_eq!(sig.len(), curve.size().bytes() * 2);
        assert_eq!(
            eds_gost::verify_spki(
                &key.public_key_info_der(),
                &oid(signature_oid),
                MESSAGE,
                &sig
            ),
            Ok(())
        );
        // Only its own algorithm.
        assert_eq!(
            key.with_algorithm(SignatureAlgorithm::RsaPssSha256)
                .unwrap_err(),
            SignError::AlgorithmNotForKey {
                requested: SignatureAlgorithm::RsaPssSha256,
                key: algorithm,
            }
        );
    }
}

#[test]
fn fail_tc26_pkcs8_key_out_of_range_or_on_an_unknown_curve() {
    // d = 0 is no key (GOST R 34.10-2012 §5.2).
    let der = tc26_pkcs8("1.2.643.7.1.1.1.2", eds_gost::CurveId::Tc26_512A, &[0; 64]);
    assert_eq!(
        load_pkcs8(&der, None).unwrap_err(),
        SignError::InvalidKey {
            reason: "GOST private key: private key is not in [1, q-1]".into()
        }
    );
    // A 256-bit curve under the 512-bit key algorithm.
    let der = tc26_pkcs8("1.2.643.7.1.1.1.2", eds_gost::CurveId::Tc26_256A, &[1; 32]);
    assert!(
        matches!(
            load_pkcs8(&der, None).unwrap_err(),
            SignError::InvalidKey { ref reason } if reason.contains("does not fit")
        ),
        "{:?}",
        load_pkcs8(&der, None)
    );
}

/// A GOST signature of the wrong length handed to `assemble` (a token returning something
/// else) is refused, not embedded.
#[test]
fn fail_assemble_refuses_a_gost_signature_of_the_wrong_length() {
    let contents = load_pkcs12(
        &nca_bytes("keys/KEY_INDIVIDUAL_VALID_2015.p12"),
        NCA_PASSWORD,
    )
    .unwrap();
    let signer = Signer::new(&contents.key, &contents.certificate_der, &[]).unwrap();
    let options = SignOptions::new(datetime!(2022-08-01 00:00:00 UTC));
    let prepared = cms::prepare(&signer, Content::Bytes(MESSAGE), &options).unwrap();
    assert_eq!(
        cms::assemble(prepared, &[1u8; 64]).unwrap_err(),
        CmsError::MalformedSignature {
            algorithm: SignatureAlgorithm::GostNca512,
            reason: "a GOST R 34.10-2012 512-bit signature is 128 bytes (RFC 9215 §2.2.2)",
        }
    );
}
