//! `eds_signer::keys::ber::ber_to_der`, the hand-written BER → DER normaliser (X.690 §8 → §10)
//! under the PKCS#12 reader, on any bytes.
//!
//! Seeds: the center's BER files, `fixtures/nca/keys/`:
//! `cargo fuzz run signer_ber corpus/signer_ber ../fixtures/nca/keys`.
//!
//! Beyond "no panic": DER is a fixed point (normalising the output again changes nothing), and
//! the output is never longer than the input plus the length octets that definite lengths add.
#![no_main]

use eds_signer::keys::ber::ber_to_der;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(der) = ber_to_der(data) {
        assert_eq!(ber_to_der(&der).unwrap(), der, "DER must be a fixed point");
        assert!(der.len() <= data.len() * 5, "output out of proportion");
    }
});
