//! `issue::csr_public_key` on any text (seeds: PKCS#10 requests for P-256, P-384, Ed25519, RSA).
//!
//! Beyond "no panic": when a request is accepted, re-encoding its PEM (dropping headers, changing
//! line lengths) gives the same public key: only the DER inside counts.
#![no_main]

use eds_ca::issue::csr_public_key;
use libfuzzer_sys::fuzz_target;
use rcgen::PublicKeyData;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match csr_public_key(&text) {
        Ok(key) => {
            let parsed = pem::parse(text.as_bytes()).unwrap();
            let again = csr_public_key(&pem::encode(&parsed)).unwrap();
            assert_eq!(again.der_bytes(), key.der_bytes());
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
