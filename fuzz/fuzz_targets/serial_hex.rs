//! `store::Serial::from_hex` on any text.
//!
//! Beyond "no panic": a parsed serial prints as hex that parses back to itself, its DER content
//! octets and its unsigned value rebuild it, it survives a JSON round trip; an invalid digit is
//! reported at the byte offset where it stands.
#![no_main]

use eds_ca::store::{Serial, SerialError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match Serial::from_hex(&text) {
        Ok(serial) => {
            assert_eq!(Serial::from_hex(&serial.to_string()).as_ref(), Ok(&serial));
            assert_eq!(
                Serial::from_der_content(serial.as_bytes()).as_ref(),
                Ok(&serial)
            );
            assert_eq!(
                Serial::from_unsigned(serial.unsigned_bytes()).as_ref(),
                Ok(&serial)
            );
            let json = serde_json::to_string(&serial).unwrap();
            assert_eq!(serde_json::from_str::<Serial>(&json).unwrap(), serial);
        }
        Err(SerialError::InvalidDigit { offset, found }) => {
            assert_eq!(
                text.get(offset..).and_then(|s| s.chars().next()),
                Some(found)
            );
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
});
