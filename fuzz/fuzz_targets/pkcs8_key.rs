//! `keys::key_pair_from_pkcs8` and `center_key::CenterKey::from_pkcs8` on any bytes: the parses
//! that `read_encrypted_pkcs8` and the center's `read_center_key` run on the decrypted
//! plaintext, which the `encrypted_key` target can hardly reach through the cipher.
//!
//! Beyond "no panic": a key that loads serialises to PKCS#8 that loads to the same public key;
//! a GOST center key that loads signs, and the signature verifies under its own
//! SubjectPublicKeyInfo and signature identifier.
#![no_main]

use eds_ca::center_key::CenterKey;
use eds_ca::keys::key_pair_from_pkcs8;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = key_pair_from_pkcs8(data) {
        let again = key_pair_from_pkcs8(&key.serialize_der()).unwrap();
        assert_eq!(again.public_key_raw(), key.public_key_raw());
    }
    if let Ok(key @ CenterKey::Gost(_)) = CenterKey::from_pkcs8(data) {
        let signature = key.sign(data).unwrap();
        let algorithm = key.signature_algorithm().unwrap();
        assert_eq!(
            eds_gost::verify_spki(&key.spki_der(), &algorithm.oid, data, &signature),
            Ok(())
        );
    }
});
