//! `keys::key_pair_from_pkcs8` on any bytes: the parse that `read_encrypted_pkcs8` runs on the
//! decrypted plaintext, which the `encrypted_key` target can hardly reach through the cipher.
//!
//! Beyond "no panic": a key that loads serialises to PKCS#8 that loads to the same public key.
#![no_main]

use eds_ca::keys::key_pair_from_pkcs8;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = key_pair_from_pkcs8(data) {
        let again = key_pair_from_pkcs8(&key.serialize_der()).unwrap();
        assert_eq!(again.public_key_raw(), key.public_key_raw());
    }
});
