//! How a distinguished name is printed: one way in every report, message and summary of the
//! project (the verifier's reports, `eds sign`'s summary and warnings, `eds ca`'s output).
//!
//! The form is RFC 4514's string representation: §2.1 writes the RDNs of the sequence last
//! first, separated by `,`; §2.3 joins the attributes of one RDN with `+`; §2.4 escapes the
//! special characters of a value. x509-cert's `Display` of a `Name` writes exactly that.

/// `name` in RFC 4514 form (`CN=…` of a subject encoded `C, …, CN` comes first).
pub fn rfc4514(name: &x509_cert::name::Name) -> String {
    name.to_string()
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

    use x509_cert::name::Name;

    use super::*;

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
