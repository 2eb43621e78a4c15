//! `eds_signer::keys::load_pkcs8_with_limits` on any bytes (PEM when they hold a `-----BEGIN `
//! line, DER otherwise), password `fuzz` (the passphrase of the `encrypted_key` seeds, so that
//! mutations reach the decryption and the key parse behind it). Iterations are capped at 4096.
//!
//! Seeds: the CA's key seeds, plain and encrypted:
//! `cargo fuzz run signer_pkcs8 corpus/signer_pkcs8 seeds/pkcs8_key seeds/encrypted_key`.
//!
//! Beyond "no panic": a key that loads signs, and its SubjectPublicKeyInfo is DER that the
//! BER normaliser leaves as it is.
#![no_main]

use eds_signer::SigningKey;
use eds_signer::keys::ber::ber_to_der;
use eds_signer::keys::{KeyLoadLimits, load_pkcs8_with_limits};
use libfuzzer_sys::fuzz_target;

const LIMITS: KeyLoadLimits = KeyLoadLimits {
    max_iterations: 4096,
    max_scrypt_memory: 1 << 20,
};

fuzz_target!(|data: &[u8]| {
    match load_pkcs8_with_limits(data, Some(b"fuzz"), &LIMITS) {
        Ok(key) => {
            let spki = key.public_key_info_der();
            assert_eq!(ber_to_der(&spki).unwrap(), spki);
            let rng = ring::rand::SystemRandom::new();
            key.sign(b"fuzz", &rng).unwrap();
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
