//! `tsa::check_request` — the timestamp authority's reading of a `TimeStampReq` — on any bytes.
//!
//! Beyond "no panic": an accepted request followed by one more byte is `Malformed` (DER has no
//! trailing data); every refusal has a failInfo whose BIT STRING encodes.
#![no_main]

use eds_ca::tsa::{TsaOptions, TsaProblem, check_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = TsaOptions::default();
    match check_request(data, &options) {
        Ok(()) => {
            let mut longer = data.to_vec();
            longer.push(0);
            assert!(matches!(
                check_request(&longer, &options),
                Err(TsaProblem::Malformed { .. })
            ));
        }
        Err(problem) => {
            assert!(problem.fail_info().bit_string().is_ok());
            assert!(!problem.to_string().is_empty());
        }
    }
});
