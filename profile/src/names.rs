//! How a distinguished name is printed: one way in every report, message and summary of the
//! project (the verifier's reports, `eds sign`'s summary and warnings, `eds ca`'s output).
//!
//! The form is RFC 4514's string representation: §2.1 writes the RDNs of the sequence last
//! first, separated by `,`; §2.3 joins the attributes of one RDN with `+`; §2.4 escapes the
//! special characters of a value. x509-cert's `Display` of a `Name` writes exactly that, and
//! [`rfc4514`] writes the same text (a differential property test below holds it to that).
//!
//! Written here rather than calling `Display` for one reason: x509-cert finds each attribute's
//! short name by scanning const-oid's whole database (thousands of entries) for every attribute
//! of every name it prints — about 7,000 instructions an attribute, a twentieth of an LTA
//! signature's verification (callgrind, `verifier/benches/ltv.rs`). Here each type's short name
//! is looked up once per process and kept.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::oid::db::DB;
use x509_cert::der::{Encode as _, Tag, Tagged as _};

/// `name` in RFC 4514 form (`CN=…` of a subject encoded `C, …, CN` comes first): the text of
/// x509-cert's `Display`.
pub fn rfc4514(name: &x509_cert::name::Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.0.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, attribute) in rdn.0.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            write_attribute(attribute, &mut out);
        }
    }
    out
}

/// One attribute as x509-cert's `Display` writes it: `SHORTNAME=escaped value` when the type
/// has a name in const-oid's database and the value is one of the four string types it reads;
/// otherwise the dotted type and the value's DER in hex (RFC 4514 §2.4's `#` form).
fn write_attribute(attribute: &AttributeTypeAndValue, out: &mut String) {
    let value = &attribute.value;
    let text = match value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(value).ok().map(|s| s.as_str()),
        Tag::TeletexString => TeletexStringRef::try_from(value).ok().map(|s| s.as_str()),
        _ => None,
    };
    match (short_name(&attribute.oid), text) {
        (Some(label), Some(text)) => {
            out.extend(label.chars().map(|c| c.to_ascii_uppercase()));
            out.push('=');
            escape_value(text, out);
        }
        _ => {
            out.push_str(&attribute.oid.to_string());
            out.push_str("=#");
            // An in-memory value always encodes; x509-cert's Display fails on the same error.
            if let Ok(der) = value.to_der() {
                out.push_str(&hex_lower(&der));
            }
        }
    }
}

/// The shortest of `oid`'s names in const-oid's database (the first of equal length), as
/// x509-cert picks it. Found names are kept for the process: at most one entry per name the
/// database holds, so input cannot grow the map; a type without a name is looked up each time.
fn short_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    static KNOWN: OnceLock<RwLock<HashMap<ObjectIdentifier, &'static str>>> = OnceLock::new();
    let known = KNOWN.get_or_init(RwLock::default);
    if let Some(name) = known.read().ok().and_then(|map| map.get(oid).copied()) {
        return Some(name);
    }
    let mut best: Option<&'static str> = None;
    for name in DB.find_names_for_oid(*oid) {
        if best.is_none_or(|b| name.len() < b.len()) {
            best = Some(name);
        }
    }
    if let (Some(name), Ok(mut map)) = (best, known.write()) {
        map.insert(*oid, name);
    }
    best
}

/// Lower-case hex of `bytes`.
fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        // Writing into a String cannot fail.
        let _ = write!(text, "{b:02x}");
    }
    text
}

/// The DER encoding of a name in RFC 4514 form; `None` when it does not decode as a name.
pub fn rfc4514_der(der: &[u8]) -> Option<String> {
    use x509_cert::der::Decode as _;
    x509_cert::name::Name::from_der(der)
        .ok()
        .map(|n| rfc4514(&n))
}

/// `pairs` (short name, value) of a name's RDNs, one attribute each, in the order the
/// certificate encodes them, in RFC 4514 form: the same text as [`rfc4514`] of that name, for
/// callers that hold the attributes rather than the encoded name (the center's register).
/// Short names are upper case, as x509-cert prints them (`CN`, `SN`, `SERIALNUMBER`, `C`,
/// `GIVENNAME`).
pub fn rfc4514_pairs<'a>(pairs: impl DoubleEndedIterator<Item = (&'a str, &'a str)>) -> String {
    let mut text = String::new();
    for (i, (label, value)) in pairs.rev().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(label);
        text.push('=');
        escape_value(value, &mut text);
    }
    text
}

/// Appends `value` escaped per RFC 4514 §2.4: a leading `#` or space, a trailing space, the
/// characters `"+,;<>\` with a backslash; control characters as `\hh`.
fn escape_value(value: &str, out: &mut String) {
    let mut chars = value.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || chars.peek().is_none() => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x00'..='\x1f' | '\x7f' => {
                out.push_str(&format!("\\{:02x}", u32::from(c)));
            }
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use std::str::FromStr as _;

    use proptest::prelude::*;
    use x509_cert::Certificate;
    use x509_cert::der::asn1::SetOfVec;
    use x509_cert::der::{Any, Decode as _, DecodePem as _};
    use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};

    use super::*;

    /// Attribute types: named ones (the national profile's, RFC 4519's, e-mail) and unnamed.
    fn oid() -> impl Strategy<Value = ObjectIdentifier> {
        let named = prop::sample::select(vec![
            "2.5.4.3",
            "2.5.4.4",
            "2.5.4.5",
            "2.5.4.6",
            "2.5.4.7",
            "2.5.4.8",
            "2.5.4.10",
            "2.5.4.11",
            "2.5.4.12",
            "2.5.4.42",
            "0.9.2342.19200300.100.1.1",
            "0.9.2342.19200300.100.1.25",
            "1.2.840.113549.1.9.1",
            "1.2.398.3.3.4.1.1",
        ])
        .prop_map(ObjectIdentifier::new_unwrap);
        let any = (
            0u32..3,
            0u32..40,
            prop::collection::vec(0u32..100_000, 0..4),
        )
            .prop_filter_map("a valid OID", |(first, second, rest)| {
                let mut text = format!("{first}.{second}");
                for arc in rest {
                    text.push_str(&format!(".{arc}"));
                }
                ObjectIdentifier::new(&text).ok()
            });
        prop_oneof![3 => named, 1 => any]
    }

    /// Values: the four string types x509-cert reads and two it prints as hex, with contents
    /// that are valid for their type, special to RFC 4514, or any bytes.
    fn value() -> impl Strategy<Value = Any> {
        let tag = prop::sample::select(vec![
            Tag::PrintableString,
            Tag::Utf8String,
            Tag::Ia5String,
            Tag::TeletexString,
            Tag::BmpString,
            Tag::OctetString,
        ]);
        let bytes = prop_oneof![
            "[A-Za-z0-9 '()+,./:=?-]{0,12}".prop_map(String::into_bytes),
            "[#+,;<>\\\" a\x00\x1f\x7f]{0,8}".prop_map(String::into_bytes),
            any::<String>().prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..12),
        ];
        (tag, bytes).prop_filter_map("encodable", |(tag, bytes)| Any::new(tag, bytes).ok())
    }

    fn name() -> impl Strategy<Value = Name> {
        let attribute =
            (oid(), value()).prop_map(|(oid, value)| AttributeTypeAndValue { oid, value });
        let rdn =
            prop::collection::vec(attribute, 1..4).prop_filter_map("a SET OF", |attributes| {
                SetOfVec::try_from(attributes)
                    .ok()
                    .map(RelativeDistinguishedName::from)
            });
        prop::collection::vec(rdn, 0..6).prop_map(RdnSequence)
    }

    proptest! {
        /// The differential test of the hand-written printer: x509-cert's `Display` of the same
        /// name, for named and unnamed types, every string type and hostile contents.
        #[test]
        fn ok_rfc4514_writes_what_x509_cert_displays(name in name()) {
            prop_assert_eq!(rfc4514(&name), name.to_string());
        }
    }

    #[test]
    fn ok_rfc4514_of_the_national_centers_names_is_x509_certs() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/nca");
        let mut names = 0;
        for sub in ["ca", "certs", "p12-certs"] {
            for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                let Ok(cert) =
                    Certificate::from_der(&bytes).or_else(|_| Certificate::from_pem(&bytes))
                else {
                    continue;
                };
                for name in [&cert.tbs_certificate.subject, &cert.tbs_certificate.issuer] {
                    assert_eq!(rfc4514(name), name.to_string());
                    names += 1;
                }
            }
        }
        assert!(names >= 10, "{names} names read");
    }

    #[test]
    fn ok_rfc4514_reverses_the_sequence_and_escapes() {
        // RFC 4514 §4's examples: the string form round-trips through the encoded sequence.
        for text in [
            "UID=jsmith,DC=example,DC=net",
            "CN=James \\\"Jim\\\" Smith\\, III,DC=example,DC=net",
        ] {
            let name = Name::from_str(text).unwrap();
            assert_eq!(rfc4514(&name), text);
        }
        // The attributes' form: reversed, escaped as RFC 4514 §2.4 asks, and read back by
        // x509-cert into a name that prints the same.
        let text = rfc4514_pairs([("C", "KZ"), ("CN", "#1, \"two\"; <3> +4 \\ ")].into_iter());
        assert_eq!(text, "CN=\\#1\\, \\\"two\\\"\\; \\<3\\> \\+4 \\\\\\ ,C=KZ");
        assert_eq!(rfc4514(&Name::from_str(&text).unwrap()), text);
        // The sequence as encoded: DC=net first, UID last; printed UID first.
        let name = Name::from_str("UID=jsmith,DC=example,DC=net").unwrap();
        let first = name.0.first().map(ToString::to_string);
        assert_eq!(first.as_deref(), Some("DC=net"));
    }
}
