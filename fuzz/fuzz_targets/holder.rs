//! `Holder::from_der` on any bytes (seeds: the NCA test certificates as DER).
//!
//! Beyond "no panic": the error sizes agree with the input; a certificate that reads has exactly
//! the length its header declares (one byte less is `Truncated { needed: 1 }`, one byte more is
//! `TrailingData`); an IIN/BIN finding is present exactly when the number fails to parse; the
//! holder serialises to JSON.
#![no_main]

use eds_profile::holder::{Finding, Holder, HolderError};
use eds_profile::ident::{Bin, Iin};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Holder::from_der(data) {
        Ok(holder) => {
            let len = data.len();
            let shorter = &data[..len - 1];
            assert_eq!(
                Holder::from_der(shorter),
                Err(HolderError::Truncated {
                    len: len - 1,
                    needed: 1
                })
            );
            let mut longer = data.to_vec();
            longer.push(0);
            assert_eq!(
                Holder::from_der(&longer),
                Err(HolderError::TrailingData {
                    offset: len,
                    extra: 1
                })
            );
            let invalid_iin = holder
                .findings
                .iter()
                .any(|f| matches!(f, Finding::InvalidIin { .. }));
            let iin_fails = holder
                .iin
                .as_deref()
                .is_some_and(|d| Iin::parse(d).is_err());
            assert_eq!(invalid_iin, iin_fails, "{holder:?}");
            let invalid_bin = holder
                .findings
                .iter()
                .any(|f| matches!(f, Finding::InvalidBin { .. }));
            let bin_fails = holder
                .bin
                .as_deref()
                .is_some_and(|d| Bin::parse(d).is_err());
            assert_eq!(invalid_bin, bin_fails, "{holder:?}");
            serde_json::to_string(&holder).unwrap();
        }
        Err(err) => {
            let _ = err.to_string();
            match err {
                HolderError::Truncated { len, needed } => {
                    assert_eq!(len, data.len());
                    assert!(needed > 0);
                }
                HolderError::TrailingData { offset, extra } => {
                    assert!(extra > 0);
                    assert_eq!(offset + extra, data.len());
                }
                _ => {}
            }
        }
    }
});
