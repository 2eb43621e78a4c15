//! Refusals, each with its exact error (GOST R 34.10-2012 §6.2 step 1, §5.2; RFC 9215 §2, §4).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use eds_gost::{
    ALGORITHMS, CurveId, Encoding, Error, Kind, PrivateKey, PublicKey, public_key_from_spki,
    spki_der, verify_spki,
};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

// GOST R 34.10-2012 appendix A.1 (RFC 7091 §7.1).
const QX: &str = "7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80b";
const QY: &str = "26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77da";
const E: &str = "2dfbc1b372d89a1188c09c52e0eec61fce52032ab1022e8e67ece6672b043ee5";
const R: &str = "41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493";
const S: &str = "01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40";
const D: &str = "7a929ade789bb9be10ed359dd39a72c11b60961f49397eee1d19ce9891ec3b28";
/// q and p of the appendix A.1 curve.
const Q: &str = "8000000000000000000000000000000150fe8a1892976154c59cfc193accf5b3";
const P: &str = "8000000000000000000000000000000000000000000000000000000000000431";
const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn key() -> PublicKey {
    PublicKey::from_affine(CurveId::Test256, &h(QX), &h(QY)).unwrap()
}

#[test]
fn ok_the_example_itself_verifies() {
    assert_eq!(key().verify_prehashed(&h(E), &h(R), &h(S)), Ok(()));
}

#[test]
fn fail_r_zero() {
    assert_eq!(
        key().verify_prehashed(&h(E), &h(ZERO), &h(S)),
        Err(Error::RNotInRange)
    );
}

#[test]
fn fail_s_zero() {
    assert_eq!(
        key().verify_prehashed(&h(E), &h(R), &h(ZERO)),
        Err(Error::SNotInRange)
    );
}

#[test]
fn fail_r_equal_to_q_or_above() {
    assert_eq!(
        key().verify_prehashed(&h(E), &h(Q), &h(S)),
        Err(Error::RNotInRange)
    );
    let ff = "ff".repeat(32);
    assert_eq!(
        key().verify_prehashed(&h(E), &h(&ff), &h(S)),
        Err(Error::RNotInRange)
    );
}

#[test]
fn fail_s_equal_to_q_or_above() {
    assert_eq!(
        key().verify_prehashed(&h(E), &h(R), &h(Q)),
        Err(Error::SNotInRange)
    );
}

#[test]
fn fail_point_not_on_curve() {
    let mut y = h(QY);
    y[31] ^= 1;
    assert_eq!(
        PublicKey::from_affine(CurveId::Test256, &h(QX), &y),
        Err(Error::PointNotOnCurve {
            curve: "id-GostR3410-2001-TestParamSet"
        })
    );
}

#[test]
fn fail_coordinate_not_below_p() {
    assert_eq!(
        PublicKey::from_affine(CurveId::Test256, &h(P), &h(QY)),
        Err(Error::CoordinateNotInField)
    );
}

#[test]
fn fail_wrong_lengths() {
    let sig = [h(S), h(R)].concat();
    assert_eq!(
        key().verify(Encoding::Tc26, b"m", &sig[1..]),
        Err(Error::SignatureLength {
            bits: "256",
            expected: 64,
            found: 63
        })
    );
    let mut long = sig.clone();
    long.push(0);
    assert_eq!(
        key().verify(Encoding::Nca, b"m", &long),
        Err(Error::SignatureLength {
            bits: "256",
            expected: 64,
            found: 65
        })
    );
    let xy = key().to_le_xy();
    assert_eq!(
        PublicKey::from_le_xy(CurveId::Test256, &xy[1..]),
        Err(Error::PublicKeyLength {
            bits: "256",
            expected: 64,
            found: 63
        })
    );
    assert_eq!(
        PublicKey::from_le_xy(CurveId::Tc26_512A, &xy),
        Err(Error::PublicKeyLength {
            bits: "512",
            expected: 128,
            found: 64
        })
    );
    assert_eq!(
        key().verify_prehashed(&h(E)[1..], &h(R), &h(S)),
        Err(Error::InputLength {
            what: "hash",
            bits: "256",
            expected: 32,
            found: 31
        })
    );
}

#[test]
fn fail_wrong_hash() {
    let mut e = h(E);
    e[31] ^= 1;
    assert_eq!(
        key().verify_prehashed(&e, &h(R), &h(S)),
        Err(Error::BadSignature)
    );
}

#[test]
fn fail_tampered_signature_and_message() {
    let private = PrivateKey::from_be_bytes(CurveId::Test256, &h(D)).unwrap();
    let sig = private.sign(Encoding::Tc26, b"contract").unwrap();
    assert_eq!(key().verify(Encoding::Tc26, b"contract", &sig), Ok(()));
    assert_eq!(
        key().verify(Encoding::Tc26, b"contracT", &sig),
        Err(Error::BadSignature)
    );
    let mut bad = sig.clone();
    bad[40] ^= 0x01; // inside r (the second half in the TC26 layout)
    assert_eq!(
        key().verify(Encoding::Tc26, b"contract", &bad),
        Err(Error::BadSignature)
    );
}

#[test]
fn fail_private_key_out_of_range() {
    assert_eq!(
        PrivateKey::from_be_bytes(CurveId::Test256, &h(ZERO)).unwrap_err(),
        Error::PrivateKeyNotInRange
    );
    assert_eq!(
        PrivateKey::from_be_bytes(CurveId::Test256, &h(Q)).unwrap_err(),
        Error::PrivateKeyNotInRange
    );
}

#[test]
fn fail_nonce_out_of_range() {
    let private = PrivateKey::from_be_bytes(CurveId::Test256, &h(D)).unwrap();
    assert_eq!(
        private.sign_prehashed_with_k(&h(E), &h(ZERO)),
        Err(Error::NonceRejected)
    );
    assert_eq!(
        private.sign_prehashed_with_k(&h(E), &h(Q)),
        Err(Error::NonceRejected)
    );
}

fn row(oid: &str) -> &'static eds_gost::Algorithm {
    ALGORITHMS
        .iter()
        .find(|a| a.oid.to_string() == oid)
        .unwrap()
}

#[test]
fn ok_spki_round_trip_tc26_and_national() {
    let d512 = "289da7963ffbafca2c1cd301f1e3baa3c53af3d6aaeaa5b18a80e38ea81fdc65534ca4d962de546ef7cbbeaba17969e461585a7586e9803f2a368c18825b9332";
    let private = PrivateKey::from_be_bytes(CurveId::Tc26_512A, &h(d512)).unwrap();
    for (key_oid, sig_oid) in [
        ("1.2.643.7.1.1.1.2", "1.2.643.7.1.1.3.3"),
        ("1.2.398.3.10.1.1.2.2", "1.2.398.3.10.1.1.2.3.2"),
    ] {
        let spki = spki_der(private.public_key(), row(key_oid)).unwrap();
        let (parsed, alg) = public_key_from_spki(&spki).unwrap();
        assert_eq!(&parsed, private.public_key());
        assert_eq!(alg.kind, Kind::PublicKey);
        let sig_row = row(sig_oid);
        let sig = private.sign(sig_row.encoding, b"tbs").unwrap();
        assert_eq!(verify_spki(&spki, &sig_row.oid, b"tbs", &sig), Ok(()));
        assert_eq!(
            verify_spki(&spki, &sig_row.oid, b"tbS", &sig),
            Err(Error::BadSignature)
        );
    }
}

#[test]
fn fail_spki_size_mismatch_and_unknown() {
    let private = PrivateKey::from_be_bytes(CurveId::CryptoProA, &h(D)).unwrap();
    let spki = spki_der(private.public_key(), row("1.2.643.7.1.1.1.1")).unwrap();
    let sig = private.sign(Encoding::Tc26, b"tbs").unwrap();
    assert_eq!(
        verify_spki(&spki, &row("1.2.643.7.1.1.3.2").oid, b"tbs", &sig),
        Ok(())
    );
    assert_eq!(
        verify_spki(&spki, &row("1.2.643.7.1.1.3.3").oid, b"tbs", &sig),
        Err(Error::KeyMismatch {
            signature:
                "GOST R 34.10-2012 512 with Streebog-512 (id-tc26-signwithdigest-gost3410-12-512)"
                    .into(),
            key: "GOST R 34.10-2012 256 (id-tc26-gost3410-12-256)".into(),
        })
    );
    // Same size, other hash: the 2004 generation's signature algorithm with a Streebog key.
    let gost2004 = der::asn1::ObjectIdentifier::new_unwrap("1.2.398.3.10.1.1.1.2");
    assert_eq!(
        verify_spki(&spki, &gost2004, b"tbs", &sig),
        Err(Error::KeyMismatch {
            signature: "GOST 34.310-2004 with GOST 34.311-95 (national center)".into(),
            key: "GOST R 34.10-2012 256 (id-tc26-gost3410-12-256)".into(),
        })
    );
    // GOST R 34.11-94 with GOST R 34.10-2001 (RFC 4491): not in the table.
    let gost2001 = der::asn1::ObjectIdentifier::new_unwrap("1.2.643.2.2.3");
    assert_eq!(
        verify_spki(&spki, &gost2001, b"tbs", &sig),
        Err(Error::UnknownAlgorithm {
            oid: "1.2.643.2.2.3".into()
        })
    );
    // A 256-bit key declared under the 512-bit key OID.
    let wrong = spki_der(private.public_key(), row("1.2.643.7.1.1.1.2")).unwrap();
    assert_eq!(
        public_key_from_spki(&wrong).unwrap_err(),
        Error::KeyMismatch {
            signature: "GOST R 34.10-2012 512 (id-tc26-gost3410-12-512)".into(),
            key: "id-GostR3410-2001-CryptoPro-A-ParamSet".into(),
        }
    );
}

/// A PKCS#8 PrivateKeyInfo as the national center's 2015 PKCS#12 files hold it (version 0, the
/// key algorithm with its parameters, `privateKey` an OCTET STRING wrapping the 64-byte `d`
/// little-endian), built here around a known scalar.
fn pkcs8(alg: &str, params: &[&str], inner: &[u8], wrap: bool) -> Vec<u8> {
    use der::Encode;
    let oids: Vec<der::asn1::ObjectIdentifier> = params
        .iter()
        .map(|o| der::asn1::ObjectIdentifier::new_unwrap(o))
        .collect();
    let key = if wrap {
        der::asn1::OctetStringRef::new(inner)
            .unwrap()
            .to_der()
            .unwrap()
    } else {
        inner.to_vec()
    };
    let params = der::Any::encode_from(&oids).unwrap();
    let info = pkcs8::PrivateKeyInfo {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: der::asn1::ObjectIdentifier::new_unwrap(alg),
            parameters: Some(der::asn1::AnyRef::from(&params)),
        },
        private_key: &key,
        public_key: None,
    };
    info.to_der().unwrap()
}

#[test]
fn ok_pkcs8_private_keys_national_and_tc26() {
    let d512 = h(
        "289da7963ffbafca2c1cd301f1e3baa3c53af3d6aaeaa5b18a80e38ea81fdc65534ca4d962de546ef7cbbeaba17969e461585a7586e9803f2a368c18825b9332",
    );
    let mut le = d512.clone();
    le.reverse();
    let expected = PrivateKey::from_be_bytes(CurveId::Tc26_512A, &d512).unwrap();
    for (alg, params, wrap) in [
        (
            "1.2.398.3.10.1.1.2.2",
            &["1.2.398.3.10.1.1.2.2.1", "1.2.398.3.10.1.3.3"][..],
            true,
        ),
        ("1.2.643.7.1.1.1.2", &["1.2.643.7.1.2.1.2.1"][..], false),
    ] {
        let der = pkcs8(alg, params, &le, wrap);
        let (key, row) = eds_gost::private_key_from_pkcs8(&der).unwrap();
        assert_eq!(key.public_key(), expected.public_key(), "{alg}");
        assert_eq!(row.oid.to_string(), alg);
    }
    // The zero scalar is refused.
    let der = pkcs8(
        "1.2.643.7.1.1.1.2",
        &["1.2.643.7.1.2.1.2.1"],
        &[0; 64],
        true,
    );
    assert_eq!(
        eds_gost::private_key_from_pkcs8(&der).unwrap_err(),
        Error::PrivateKeyNotInRange
    );
}

/// The private key promises to wipe its secrets on drop (`zeroize::ZeroizeOnDrop`): the scalar
/// is held in `Zeroizing`, and signing wipes its integer copies of `d`, `k` and the nonce
/// generator's state.
#[test]
fn ok_private_key_zeroizes_on_drop() {
    fn wipes_on_drop<T: zeroize::ZeroizeOnDrop>(_: &T) {}
    let key = PrivateKey::from_be_bytes(CurveId::Tc26_512A, &[0x1a; 64]).unwrap();
    wipes_on_drop(&key);
    // Signing still works with the wiped temporaries (the KATs pin the values).
    let sig = key.sign(Encoding::Tc26, b"zeroize").unwrap();
    assert_eq!(
        key.public_key().verify(Encoding::Tc26, b"zeroize", &sig),
        Ok(())
    );
}
