//! `issue::csr_key_der` on any DER, wrapped into a `CERTIFICATE REQUEST` PEM, so that
//! the fuzzer mutates the PKCS#10 structure instead of the base64 around it; under a policy that
//! takes every key type a center of any algorithm certifies, so GOST requests (seeds
//! `gost2012_*_tc26.der`) reach their self-signature check in `eds-gost`.
//!
//! Beyond "no panic": an accepted key is bytes of the request (nothing is made up), and the same
//! DER under the label `NEW CERTIFICATE REQUEST` gives the same key.
#![no_main]

use eds_ca::config::KeyPolicy;
use eds_ca::issue::csr_key_der;
use eds_ca::keys::KeyAlgorithm;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut policy = KeyPolicy::default();
    policy.allow_gost_of(KeyAlgorithm::Gost2015_512);
    policy.allow_gost_of(KeyAlgorithm::Gost2012_512Tc26);
    let text = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", data));
    match csr_key_der(&text, &policy) {
        Ok(raw) => {
            assert!(
                data.windows(raw.len()).any(|w| w == raw),
                "the key is not in the request"
            );
            let old_label = pem::encode(&pem::Pem::new("NEW CERTIFICATE REQUEST", data));
            let again = csr_key_der(&old_label, &policy).unwrap();
            assert_eq!(again, raw);
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
