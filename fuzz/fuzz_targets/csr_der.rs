//! `issue::csr_public_key` on any DER, wrapped into a `CERTIFICATE REQUEST` PEM, so that the
//! fuzzer mutates the PKCS#10 structure instead of the base64 around it.
//!
//! Beyond "no panic": an accepted key is bytes of the request (nothing is made up), and the same
//! DER under the label `NEW CERTIFICATE REQUEST` gives the same key.
#![no_main]

use eds_ca::issue::csr_public_key;
use libfuzzer_sys::fuzz_target;
use rcgen::PublicKeyData;

fuzz_target!(|data: &[u8]| {
    let text = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", data));
    match csr_public_key(&text) {
        Ok(key) => {
            let raw = key.der_bytes();
            assert!(
                data.windows(raw.len()).any(|w| w == raw),
                "the key is not in the request"
            );
            let old_label = pem::encode(&pem::Pem::new("NEW CERTIFICATE REQUEST", data));
            let again = csr_public_key(&old_label).unwrap();
            assert_eq!(again.der_bytes(), raw);
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
