//! Property tests beside the `gost_keys` fuzz target: arbitrary bytes given to the key and
//! signature readers are refused with an error, never a panic, and the round trips hold.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]

use proptest::prelude::*;

use eds_gost::curve::ALL_CURVES;
use eds_gost::{CurveId, Encoding, Error, PrivateKey, PublicKey, public_key_from_spki, spki_der};

fn a1_key() -> PublicKey {
    let qx =
        hex::decode("7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80b").unwrap();
    let qy =
        hex::decode("26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77da").unwrap();
    PublicKey::from_affine(CurveId::Test256, &qx, &qy).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn spki_reader_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok((key, alg)) = public_key_from_spki(&data) {
            let again = spki_der(&key, alg).unwrap();
            prop_assert_eq!(public_key_from_spki(&again).unwrap().0, key);
        }
    }

    #[test]
    fn pkcs8_reader_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        if let Ok((key, _)) = eds_gost::private_key_from_pkcs8(&data) {
            prop_assert!(key.sign(Encoding::Tc26, b"m").is_ok());
        }
    }

    #[test]
    fn xy_reader_never_panics(selector in 0usize..9, data in proptest::collection::vec(any::<u8>(), 0..140)) {
        let curve = ALL_CURVES[selector % ALL_CURVES.len()];
        if let Ok(key) = PublicKey::from_le_xy(curve, &data) {
            prop_assert_eq!(key.to_le_xy(), data);
        }
    }

    #[test]
    fn random_signatures_are_refused_the_same_in_both_layouts(
        sig in proptest::collection::vec(any::<u8>(), 64),
        message in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let key = a1_key();
        let tc26 = key.verify(Encoding::Tc26, &message, &sig);
        let reversed: Vec<u8> = sig.iter().rev().copied().collect();
        prop_assert_eq!(&tc26, &key.verify(Encoding::Nca, &message, &reversed));
        prop_assert!(matches!(
            tc26,
            Err(Error::BadSignature | Error::RNotInRange | Error::SNotInRange)
        ));
    }

    #[test]
    fn sign_verify_round_trip_with_random_keys(d in proptest::collection::vec(any::<u8>(), 32), message in proptest::collection::vec(any::<u8>(), 0..64)) {
        match PrivateKey::from_be_bytes(CurveId::Tc26_256A, &d) {
            Ok(key) => {
                let sig = key.sign(Encoding::Nca, &message).unwrap();
                prop_assert_eq!(key.public_key().verify(Encoding::Nca, &message, &sig), Ok(()));
            }
            Err(e) => prop_assert_eq!(e, Error::PrivateKeyNotInRange),
        }
    }
}
