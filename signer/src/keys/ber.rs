//! BER → DER for the key readers: the normaliser lives in [`eds_profile::ber`] (the verifier
//! needs it too, and must not depend on the signer); this module gives its faults the key
//! readers' error type.

pub use eds_profile::ber::MAX_DEPTH;
pub(crate) use eds_profile::ber::{Tlv, children, read_tlv};

use crate::key::SignError;

/// [`eds_profile::ber::ber_to_der`] with its fault as [`SignError::Malformed`] (same byte
/// offset, same text).
pub fn ber_to_der(input: &[u8]) -> Result<Vec<u8>, SignError> {
    eds_profile::ber::ber_to_der(input).map_err(|e| SignError::Malformed {
        offset: e.offset,
        what: e.what,
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_indefinite_length_becomes_definite() {
        let ber = [0x30, 0x80, 0x02, 0x01, 0x03, 0x00, 0x00];
        assert_eq!(ber_to_der(&ber).unwrap(), [0x30, 0x03, 0x02, 0x01, 0x03]);
    }

    #[test]
    fn fail_truncated_is_malformed_with_the_offset() {
        let err = ber_to_der(&[0x30, 0x80, 0x02, 0x01]).unwrap_err();
        assert_eq!(
            err,
            SignError::Malformed {
                offset: 2,
                what: "BER: length runs past the end of the data".into()
            }
        );
    }
}
