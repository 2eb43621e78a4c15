//! `store::Serial::from_der_content` (and `from_unsigned`) on any bytes.
//!
//! Beyond "no panic": accepted content octets are kept as given, print as hex that parses back,
//! and rebuild from their unsigned value; whatever `from_unsigned` makes is minimal DER content
//! that `from_der_content` accepts.
#![no_main]

use eds_ca::store::Serial;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(serial) = Serial::from_der_content(data) {
        assert_eq!(serial.as_bytes(), data);
        assert_eq!(Serial::from_hex(&serial.to_string()).as_ref(), Ok(&serial));
        assert_eq!(
            Serial::from_unsigned(serial.unsigned_bytes()).as_ref(),
            Ok(&serial)
        );
    }
    if let Ok(serial) = Serial::from_unsigned(data) {
        assert_eq!(
            Serial::from_der_content(serial.as_bytes()).as_ref(),
            Ok(&serial)
        );
    }
});
