//! `Iin::parse` and `Bin::parse` on any text.
//!
//! Beyond "no panic": a parsed number prints as the input and parses back to itself, rebuilds from
//! its decoded fields, survives a JSON round trip; no text is both an IIN and a BIN (digit 5 is a
//! day's tens, 0–3, in an IIN and the entity type, 4–6, in a BIN); errors point inside the text.
#![no_main]

use eds_profile::ident::{Bin, IdentError, Iin, LEN};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let iin = Iin::parse(&text);
    let bin = Bin::parse(&text);
    assert!(
        !(iin.is_ok() && bin.is_ok()),
        "{text:?} parses as both IIN and BIN"
    );
    for err in [iin.as_ref().err(), bin.as_ref().err()]
        .into_iter()
        .flatten()
    {
        check_error(&text, err);
    }
    if let Ok(iin) = iin {
        assert_eq!(iin.as_str(), text);
        assert_eq!(Iin::parse(&iin.to_string()), Ok(iin));
        assert_eq!(
            Iin::from_parts(iin.birth_date(), iin.sex(), iin.serial()),
            Some(iin)
        );
        let json = serde_json::to_string(&iin).unwrap();
        assert_eq!(serde_json::from_str::<Iin>(&json).unwrap(), iin);
    }
    if let Ok(bin) = bin {
        assert_eq!(bin.as_str(), text);
        assert_eq!(Bin::parse(&bin.to_string()), Ok(bin));
        assert_eq!(
            Bin::from_parts(
                bin.registration_year(),
                bin.registration_month(),
                bin.entity_type(),
                bin.unit_kind(),
                bin.serial()
            ),
            Some(bin)
        );
        let json = serde_json::to_string(&bin).unwrap();
        assert_eq!(serde_json::from_str::<Bin>(&json).unwrap(), bin);
    }
});

fn check_error(text: &str, err: &IdentError) {
    let _ = err.to_string();
    match err {
        IdentError::WrongLength { found } => {
            assert_eq!(*found, text.chars().count());
            assert_ne!(*found, LEN);
        }
        IdentError::NonDigit { position, found } => {
            assert_eq!(text.chars().nth(*position), Some(*found));
            assert!(!found.is_ascii_digit());
        }
        IdentError::BadCheckDigit { expected, found } => {
            assert_ne!(*expected, Some(*found));
            assert!(*found <= 9);
        }
        _ => {}
    }
}
