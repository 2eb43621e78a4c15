//! `eds-gost` on any bytes: the SubjectPublicKeyInfo reader, the `x‖y` key reader on every
//! curve, both signature layouts, and verification with a fixed key (the GOST R 34.10-2012
//! appendix A.1 key) of arbitrary signature values and messages.
//!
//! Seeds: the national center's 2015 certificates' keys come out of `../fixtures/nca`; random
//! bytes reach the range checks (`r`, `s` zero or ≥ q) and the point checks.
//!
//! Beyond "no panic": a key read from an SPKI writes back to an SPKI that reads to the same key;
//! a key read from `x‖y` writes back to the same bytes; a signature value that verifies under one
//! layout is the byte reversal of one that verifies under the other.
#![no_main]

use eds_gost::curve::ALL_CURVES;
use eds_gost::{CurveId, Encoding, PublicKey, public_key_from_spki, spki_der, verify_spki};
use libfuzzer_sys::fuzz_target;

const QX: [u8; 32] = [
    0x7f, 0x2b, 0x49, 0xe2, 0x70, 0xdb, 0x6d, 0x90, 0xd8, 0x59, 0x5b, 0xec, 0x45, 0x8b, 0x50, 0xc5,
    0x85, 0x85, 0xba, 0x1d, 0x4e, 0x9b, 0x78, 0x8f, 0x66, 0x89, 0xdb, 0xd8, 0xe5, 0x6f, 0xd8, 0x0b,
];
const QY: [u8; 32] = [
    0x26, 0xf1, 0xb4, 0x89, 0xd6, 0x70, 0x1d, 0xd1, 0x85, 0xc8, 0x41, 0x3a, 0x97, 0x7b, 0x3c, 0xbb,
    0xaf, 0x64, 0xd1, 0xc5, 0x93, 0xd2, 0x66, 0x27, 0xdf, 0xfb, 0x10, 0x1a, 0x87, 0xff, 0x77, 0xda,
];

fuzz_target!(|data: &[u8]| {
    // SubjectPublicKeyInfo.
    if let Ok((key, alg)) = public_key_from_spki(data) {
        let again = spki_der(&key, alg).unwrap();
        let (back, _) = public_key_from_spki(&again).unwrap();
        assert_eq!(back, key);
        for oid in ["1.2.643.7.1.1.3.2", "1.2.643.7.1.1.3.3", "1.2.398.3.10.1.1.2.3.2"] {
            let oid = der::asn1::ObjectIdentifier::new_unwrap(oid);
            let _ = verify_spki(data, &oid, data, data);
        }
    }
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // x‖y on the curve the first byte picks.
    let curve = ALL_CURVES[usize::from(selector) % ALL_CURVES.len()];
    if let Ok(key) = PublicKey::from_le_xy(curve, rest) {
        assert_eq!(key.to_le_xy(), rest);
    }
    // Signature values and messages under a fixed valid key.
    let key = PublicKey::from_affine(CurveId::Test256, &QX, &QY).unwrap();
    let (signature, message) = rest.split_at(rest.len().min(64));
    let tc26 = key.verify(Encoding::Tc26, message, signature);
    let reversed: Vec<u8> = signature.iter().rev().copied().collect();
    let nca = key.verify(Encoding::Nca, message, &reversed);
    assert_eq!(tc26, nca);
    let _ = key.verify_prehashed(message, signature, signature);
});
