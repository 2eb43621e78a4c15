//! Distinguished-name comparison by RFC 5280 §7.1, with the string preparation of RFC 4518.
//!
//! Two names are the same when they have the same number of RDNs and each RDN holds the same
//! set of attribute type-and-values (RFC 5280 §7.1; X.501 §9.4). Attribute types compare by OID.
//! Values of the `DirectoryString` types (PrintableString, UTF8String, BMPString, TeletexString
//! read as Latin-1), and IA5String values of emailAddress and domainComponent, compare after the
//! RFC 4518 preparation: characters mapped (§2.2), prohibited characters rejected (§2.4),
//! insignificant space removed (§2.6.1) and case folded (every DN attribute type of RFC 5280
//! §4.1.2.4 matches with caseIgnoreMatch, or caseIgnoreIA5Match for the IA5 ones). Unicode
//! normalisation (NFKC, §2.3) is not done: no crate of the workspace provides it, so names that
//! differ only in composed versus decomposed characters are different here (a stricter answer,
//! never a wrong match). Any other value type compares by its encoding (tag and content).
//!
//! UniversalString values cannot reach this module: `der` 0.7 has no tag for them, so a name
//! holding one does not decode (and neither does the certificate or CRL carrying it); two such
//! names are still equal when their DER is.

use der::asn1::ObjectIdentifier;
use der::{Decode, Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RelativeDistinguishedName};

/// `emailAddress` (PKCS #9, RFC 5280 §4.1.2.6): IA5String, matched ignoring case.
pub(crate) const EMAIL_ADDRESS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// `domainComponent` (RFC 4519 §2.4): IA5String, caseIgnoreIA5Match.
const DOMAIN_COMPONENT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25");

/// Whether two DER-encoded `Name`s are the same name by RFC 5280 §7.1. Byte-equal encodings are
/// equal without decoding (the path check runs this on every step; the names it is given come
/// from decoded certificates and CRLs); otherwise anything that does not decode as a `Name` is
/// equal to nothing.
pub(crate) fn names_equal(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (Ok(a), Ok(b)) = (Name::from_der(a), Name::from_der(b)) else {
        return false;
    };
    a.0.len() == b.0.len() && a.0.iter().zip(&b.0).all(|(x, y)| rdns_equal(x, y))
}

/// Whether the DER `Name` `name` lies in the directoryName subtree `base` (RFC 5280 §4.2.1.10):
/// the RDNs of `base` are the first RDNs of `name`, each the same RDN by [`names_equal`]'s
/// rules. The empty name as base contains every name. Garbage in either is `false`.
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "the DER form of name_within_decoded, for callers with DER"
    )
)]
pub(crate) fn name_within(name: &[u8], base: &[u8]) -> bool {
    if name == base {
        return true;
    }
    let (Ok(name), Ok(base)) = (Name::from_der(name), Name::from_der(base)) else {
        return false;
    };
    name_within_decoded(&name, &base)
}

/// [`name_within`] on decoded names.
pub(crate) fn name_within_decoded(name: &Name, base: &Name) -> bool {
    base.0.len() <= name.0.len() && base.0.iter().zip(&name.0).all(|(b, n)| rdns_equal(b, n))
}

/// Two RDNs hold the same set of attribute type-and-values (in any order, X.501 §9.3).
fn rdns_equal(a: &RelativeDistinguishedName, b: &RelativeDistinguishedName) -> bool {
    if a == b {
        return true;
    }
    if a.0.len() != b.0.len() {
        return false;
    }
    // Value equality below is an equivalence (equal prepared strings, or equal encodings), so
    // the sets are equal exactly when their sorted keys are.
    let mut ka: Vec<Key<'_>> = a.0.iter().map(key).collect();
    let mut kb: Vec<Key<'_>> = b.0.iter().map(key).collect();
    ka.sort();
    kb.sort();
    ka == kb
}

/// What an attribute type-and-value compares by.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key<'a> {
    oid: ObjectIdentifier,
    value: Value<'a>,
}

/// An attribute value as it compares.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Value<'a> {
    /// A string after RFC 4518 preparation.
    Prepared(String),
    /// Any other value (or a string that cannot be prepared): its tag and content octets.
    Encoded(Tag, &'a [u8]),
}

fn key(atv: &AttributeTypeAndValue) -> Key<'_> {
    let value = transcode(atv.oid, atv.value.tag(), atv.value.value())
        .and_then(|s| prepare(&s))
        .map_or(
            Value::Encoded(atv.value.tag(), atv.value.value()),
            Value::Prepared,
        );
    Key {
        oid: atv.oid,
        value,
    }
}

/// RFC 4518 §2.1 (transcode): the value as Unicode, for the string types compared by
/// preparation; `None` for other types and for strings whose octets are not of their type.
fn transcode(oid: ObjectIdentifier, tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String => std::str::from_utf8(bytes).ok().map(str::to_owned),
        Tag::PrintableString => ascii(bytes),
        Tag::Ia5String if oid == EMAIL_ADDRESS || oid == DOMAIN_COMPONENT => ascii(bytes),
        // RFC 5280 §4.1.2.4 leaves TeletexString's repertoire to the issuer; RFC 4518 §2.1 and
        // common practice read it as ISO 8859-1.
        Tag::TeletexString => Some(bytes.iter().copied().map(char::from).collect()),
        Tag::BmpString => {
            if !bytes.len().is_multiple_of(2) {
                return None;
            }
            let units = bytes
                .chunks_exact(2)
                .map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .ok()
        }
        _ => None,
    }
}

fn ascii(bytes: &[u8]) -> Option<String> {
    bytes
        .is_ascii()
        .then(|| bytes.iter().copied().map(char::from).collect())
}

/// RFC 4518 §2.2 (map), §2.4 (prohibit), case folding for caseIgnoreMatch (done with Unicode
/// lower case), and §2.6.1 insignificant space handling: leading and trailing spaces go, inner
/// runs become one space (the RFC's two-space form compares the same). `None` when the string
/// holds a prohibited character: the match is then undefined and only equal encodings match.
pub(crate) fn prepare(s: &str) -> Option<String> {
    let mut mapped = String::with_capacity(s.len());
    for c in s.chars() {
        if prohibited(c) {
            return None;
        }
        match c {
            '\u{0009}'..='\u{000D}' | '\u{0085}' => mapped.push(' '),
            _ if maps_to_nothing(c) => {}
            _ if c.is_whitespace() => mapped.push(' '),
            _ => mapped.extend(c.to_lowercase()),
        }
    }
    let mut out = String::with_capacity(mapped.len());
    for word in mapped.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Some(out)
}

/// RFC 4518 §2.2: soft hyphens, the combining grapheme joiner, variation selectors, the object
/// replacement character, zero width space, and the other control (Cc) and format (Cf)
/// characters map to nothing.
fn maps_to_nothing(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{08E2}'
                | '\u{1806}'
                | '\u{180B}'..='\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFC}'
                | '\u{110BD}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// RFC 4518 §2.4: private use code points, non-characters and the replacement character are
/// prohibited (unassigned code points are too, but telling them needs Unicode tables this
/// workspace does not carry; they compare as they are).
fn prohibited(c: char) -> bool {
    let v = u32::from(c);
    matches!(
        v,
        0xE000..=0xF8FF | 0xF_0000..=0xF_FFFD | 0x10_0000..=0x10_FFFD | 0xFDD0..=0xFDEF | 0xFFFD
    ) || (v & 0xFFFE) == 0xFFFE
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use der::Encode;
    use der::asn1::{Any, SetOfVec};

    use super::*;

    const CN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
    const O: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");
    const C: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");
    const OU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.11");

    type Attr<'a> = (ObjectIdentifier, Tag, &'a [u8]);

    /// A DER `Name` from RDNs of (type, value tag, value octets), the first RDN first.
    fn name(rdns: &[&[Attr<'_>]]) -> Vec<u8> {
        let rdns = rdns
            .iter()
            .map(|rdn| {
                let atvs = rdn
                    .iter()
                    .map(|&(oid, tag, bytes)| AttributeTypeAndValue {
                        oid,
                        value: Any::new(tag, bytes).unwrap(),
                    })
                    .collect::<Vec<_>>();
                RelativeDistinguishedName(SetOfVec::try_from(atvs).unwrap())
            })
            .collect();
        x509_cert::name::RdnSequence(rdns).to_der().unwrap()
    }

    fn p(s: &str) -> (Tag, Vec<u8>) {
        (Tag::PrintableString, s.as_bytes().to_vec())
    }

    fn u(s: &str) -> (Tag, Vec<u8>) {
        (Tag::Utf8String, s.as_bytes().to_vec())
    }

    fn bmp(s: &str) -> (Tag, Vec<u8>) {
        (
            Tag::BmpString,
            s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        )
    }

    /// `C=<c>, O=<o>, CN=<cn>` with the given value encodings.
    fn dn(c: &(Tag, Vec<u8>), o: &(Tag, Vec<u8>), cn: &(Tag, Vec<u8>)) -> Vec<u8> {
        name(&[&[(C, c.0, &c.1)], &[(O, o.0, &o.1)], &[(CN, cn.0, &cn.1)]])
    }

    #[test]
    fn ok_byte_equal_names_are_equal() {
        let a = dn(&p("KZ"), &p("Test"), &p("Test CA"));
        assert!(names_equal(&a, &a.clone()));
    }

    #[test]
    fn ok_printable_equals_utf8_with_other_case_and_spaces() {
        let a = dn(&p("KZ"), &p("Test"), &p("Test CA"));
        let b = dn(&u("kz"), &u(" TEST "), &u("test  ca"));
        assert!(names_equal(&a, &b));
        assert!(names_equal(&b, &a));
    }

    #[test]
    fn ok_bmp_and_teletex_transcoded() {
        let a = dn(&p("KZ"), &u("Қазақстан"), &u("Тест"));
        let b = dn(&p("KZ"), &bmp("ҚАЗАҚСТАН"), &bmp(" тест "));
        assert!(names_equal(&a, &b));
        // TeletexString as Latin-1: 0xC9 is 'É'.
        let t = dn(
            &p("KZ"),
            &(Tag::TeletexString, vec![0xC9, b'c', b'o', b'l', b'e']),
            &p("x"),
        );
        let v = dn(&p("KZ"), &u("école"), &p("X"));
        assert!(names_equal(&t, &v));
    }

    #[test]
    fn fail_different_value_not_equal() {
        let a = dn(&p("KZ"), &p("Test"), &p("Test CA"));
        let b = dn(&p("KZ"), &p("Test"), &p("Test CA2"));
        assert!(!names_equal(&a, &b));
        // A space inside a word is significant.
        let c = dn(&p("KZ"), &p("Test"), &p("TestCA"));
        assert!(!names_equal(&a, &c));
    }

    #[test]
    fn fail_different_attribute_type_not_equal() {
        let a = name(&[&[(O, Tag::PrintableString, b"Test")]]);
        let b = name(&[&[(OU, Tag::PrintableString, b"Test")]]);
        assert!(!names_equal(&a, &b));
    }

    #[test]
    fn fail_rdn_order_matters() {
        let a = name(&[
            &[(O, Tag::PrintableString, b"A")],
            &[(CN, Tag::PrintableString, b"B")],
        ]);
        let b = name(&[
            &[(CN, Tag::PrintableString, b"B")],
            &[(O, Tag::PrintableString, b"A")],
        ]);
        assert!(!names_equal(&a, &b));
    }

    #[test]
    fn fail_rdn_count_differs() {
        let a = name(&[&[(O, Tag::PrintableString, b"A")]]);
        let b = name(&[
            &[(O, Tag::PrintableString, b"A")],
            &[(CN, Tag::PrintableString, b"B")],
        ]);
        assert!(!names_equal(&a, &b));
        assert!(!names_equal(&b, &a));
    }

    #[test]
    fn ok_multi_valued_rdn_any_order_and_encoding() {
        let a = name(&[&[
            (O, Tag::PrintableString, b"A"),
            (CN, Tag::PrintableString, b"B"),
        ]]);
        let b = name(&[&[(CN, Tag::Utf8String, b"b"), (O, Tag::Utf8String, b" a")]]);
        assert!(names_equal(&a, &b));
    }

    #[test]
    fn fail_multi_valued_rdn_different_set() {
        let a = name(&[&[
            (O, Tag::PrintableString, b"A"),
            (CN, Tag::PrintableString, b"B"),
        ]]);
        let b = name(&[&[
            (O, Tag::PrintableString, b"A"),
            (CN, Tag::PrintableString, b"C"),
        ]]);
        let c = name(&[
            &[(O, Tag::PrintableString, b"A")],
            &[(CN, Tag::PrintableString, b"B")],
        ]);
        assert!(!names_equal(&a, &b));
        assert!(!names_equal(&a, &c));
    }

    #[test]
    fn ok_email_and_dc_ia5_ignore_case() {
        let a = name(&[
            &[(DOMAIN_COMPONENT, Tag::Ia5String, b"Example")],
            &[(EMAIL_ADDRESS, Tag::Ia5String, b"Root@Example.COM")],
        ]);
        let b = name(&[
            &[(DOMAIN_COMPONENT, Tag::Ia5String, b"example")],
            &[(EMAIL_ADDRESS, Tag::Ia5String, b"root@example.com")],
        ]);
        assert!(names_equal(&a, &b));
    }

    #[test]
    fn fail_ia5_of_other_types_compared_by_bytes() {
        // IA5String is not a DirectoryString: a CN in IA5 compares by its octets.
        let a = name(&[&[(CN, Tag::Ia5String, b"Test")]]);
        let b = name(&[&[(CN, Tag::Ia5String, b"test")]]);
        let c = name(&[&[(CN, Tag::Utf8String, b"Test")]]);
        assert!(!names_equal(&a, &b));
        assert!(!names_equal(&a, &c));
    }

    #[test]
    fn fail_other_value_types_by_encoding() {
        let a = name(&[&[(CN, Tag::OctetString, b"Test")]]);
        let b = name(&[&[(CN, Tag::OctetString, b"test")]]);
        let c = name(&[&[(CN, Tag::PrintableString, b"Test")]]);
        assert!(!names_equal(&a, &b));
        assert!(!names_equal(&a, &c));
        assert!(names_equal(
            &a,
            &name(&[&[(CN, Tag::OctetString, b"Test")]])
        ));
    }

    #[test]
    fn fail_invalid_utf8_matches_only_itself() {
        let a = name(&[&[(CN, Tag::Utf8String, &[0xFF, b'A'])]]);
        let b = name(&[&[(CN, Tag::Utf8String, &[0xFF, b'a'])]]);
        assert!(!names_equal(&a, &b));
    }

    #[test]
    fn fail_garbage_is_equal_to_nothing() {
        let a = dn(&p("KZ"), &p("Test"), &p("Test CA"));
        assert!(!names_equal(&a, b"\x30\x03\x31\x01"));
        assert!(!names_equal(b"\x30\x80", b"\x30\x81"));
        assert!(!names_equal(&a, &[]));
        for cut in 0..a.len() {
            assert!(!names_equal(&a[..cut], &a));
            assert!(!name_within(&a[..cut], &a));
            assert!(!name_within(&a, &a[..cut]));
        }
    }

    #[test]
    fn fail_mutated_names_never_panic() {
        let a = name(&[
            &[(C, Tag::PrintableString, b"KZ")],
            &[
                (O, Tag::Utf8String, "Тест".as_bytes()),
                (OU, Tag::BmpString, &[0, b'x']),
            ],
            &[(EMAIL_ADDRESS, Tag::Ia5String, b"a@b.kz")],
        ]);
        let mut equal = 0;
        for i in 0..a.len() {
            for byte in [0x00, 0x01, 0x1E, 0x30, 0x31, 0x7F, 0x80, 0xFF] {
                let mut b = a.clone();
                b[i] = byte;
                equal += usize::from(names_equal(&a, &b));
                let _ = name_within(&a, &b);
                let _ = name_within(&b, &a);
            }
        }
        // Only changes of case that preparation folds away keep the names equal.
        assert!(equal < a.len(), "{equal}");
    }

    #[test]
    fn ok_prepare_rules() {
        assert_eq!(prepare("  A \t\u{00A0} b  ").as_deref(), Some("a b"));
        assert_eq!(prepare("so\u{00AD}ft\u{200B}").as_deref(), Some("soft"));
        assert_eq!(prepare("   ").as_deref(), Some(""));
        assert_eq!(prepare("ÀÉ").as_deref(), Some("àé"));
    }

    #[test]
    fn fail_prepare_prohibited() {
        assert_eq!(prepare("a\u{E000}"), None);
        assert_eq!(prepare("a\u{FFFD}"), None);
        assert_eq!(prepare("a\u{FFFF}"), None);
    }

    #[test]
    fn ok_within_prefix_and_empty_base() {
        let name_ = dn(&p("US"), &p("Test Certificates"), &p("Alice"));
        let base = name(&[
            &[(C, Tag::Utf8String, b"us")],
            &[(O, Tag::Utf8String, b"test  certificates")],
        ]);
        assert!(name_within(&name_, &base));
        assert!(name_within(&name_, &name_));
        assert!(name_within(&name_, &name(&[])));
        assert!(name_within(&name(&[]), &name(&[])));
    }

    #[test]
    fn fail_within_not_prefix() {
        let name_ = dn(&p("US"), &p("Test Certificates"), &p("Alice"));
        let other_o = name(&[
            &[(C, Tag::PrintableString, b"US")],
            &[(O, Tag::PrintableString, b"Other")],
        ]);
        let suffix = name(&[&[(CN, Tag::PrintableString, b"Alice")]]);
        let longer = name(&[
            &[(C, Tag::PrintableString, b"US")],
            &[(O, Tag::PrintableString, b"Test Certificates")],
            &[(CN, Tag::PrintableString, b"Alice")],
            &[(OU, Tag::PrintableString, b"X")],
        ]);
        assert!(!name_within(&name_, &other_o));
        assert!(!name_within(&name_, &suffix));
        assert!(!name_within(&name_, &longer));
        assert!(!name_within(&name(&[]), &suffix));
    }
    /// `Cert::is_self_issued` compares by §7.1: issuer "test  ca" (UTF8String) is subject
    /// "Test CA" (PrintableString); another name is not.
    #[test]
    fn ok_is_self_issued_by_section_7_1() {
        use rcgen::{CertificateParams, DistinguishedName, DnType, DnValue, Issuer, KeyPair};

        let cert = |issuer_cn: &str| {
            let mut params = CertificateParams::default();
            params.distinguished_name = DistinguishedName::new();
            params.distinguished_name.push(
                DnType::CommonName,
                DnValue::PrintableString("Test CA".try_into().unwrap()),
            );
            let mut issuer = CertificateParams::default();
            issuer.distinguished_name = DistinguishedName::new();
            issuer.distinguished_name.push(
                DnType::CommonName,
                DnValue::Utf8String(issuer_cn.to_owned()),
            );
            let issuer = Issuer::new(issuer, KeyPair::generate().unwrap());
            let der = params
                .signed_by(&KeyPair::generate().unwrap(), &issuer)
                .unwrap();
            crate::cert::Cert::from_der(der.der()).unwrap()
        };
        let same = cert("test  ca");
        assert_ne!(same.subject_der(), same.issuer_der());
        assert!(same.is_self_issued());
        assert!(!cert("test ca 2").is_self_issued());
    }

    /// PKITS 4.3 (name chaining): in the valid cases every certificate's issuer is its CA's
    /// subject by §7.1, though not always byte for byte; in 4.3.1 and 4.3.2 the end entity's
    /// issuer is not its CA's subject.
    #[test]
    fn ok_pkits_4_3_name_chaining() {
        let mut not_byte_equal = 0;
        let cases = pkits::section("403");
        assert_eq!(cases.len(), 11);
        for case in cases {
            let anchor = pkits::anchor();
            let inters: Vec<_> = case.inters.iter().map(|f| pkits::cert(f)).collect();
            let ee = pkits::cert(case.ee);
            let [ca] = inters.as_slice() else {
                panic!("{}: one intermediate expected", case.id)
            };
            assert!(
                names_equal(ca.issuer_der(), anchor.subject_der()),
                "{}",
                case.id
            );
            assert_eq!(
                names_equal(ee.issuer_der(), ca.subject_der()),
                case.valid,
                "{}",
                case.id
            );
            assert_eq!(pkits::path(case).is_some(), case.valid, "{}", case.id);
            if case.valid && ee.issuer_der() != ca.subject_der() {
                not_byte_equal += 1;
            }
        }
        // Whitespace (4.3.3, 4.3.4), capitalisation (4.3.5), UTF8String/PrintableString
        // (4.3.10) and UTF8String case (4.3.11) differ in their bytes.
        assert!(not_byte_equal >= 5, "{not_byte_equal}");
    }
}

/// NIST PKITS certificates and cases for the unit tests of this module and of `constraints`.
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a missing fixture should stop the test loudly"
)]
pub(super) mod pkits {
    use crate::cert::Cert;

    use super::names_equal;

    pub(in crate::path) use eds_fixtures::pkits::{CASES, Case};

    /// The cases of one section (`"4013"` for 4.13), each once (the policy cases repeat ids).
    pub(in crate::path) fn section(prefix: &str) -> Vec<&'static Case> {
        let mut out: Vec<&'static Case> = Vec::new();
        for case in CASES.iter().filter(|c| c.id.starts_with(prefix)) {
            if !out.iter().any(|c| c.id == case.id) {
                out.push(case);
            }
        }
        out
    }

    /// A PKITS certificate by file name.
    pub(in crate::path) fn cert(file: &str) -> Cert {
        Cert::from_der(&eds_fixtures::pkits::cert_der(file)).unwrap()
    }

    /// The trust anchor of every case.
    pub(in crate::path) fn anchor() -> Cert {
        cert(eds_fixtures::pkits::ANCHOR)
    }

    /// The case's intermediates and end entity in path order (the one the anchor issued
    /// first), chained by names; `None` when no order chains.
    pub(in crate::path) fn path(case: &Case) -> Option<Vec<Cert>> {
        let anchor = anchor();
        let inters: Vec<Cert> = case.inters.iter().map(|f| cert(f)).collect();
        let ee = cert(case.ee);
        let mut chosen = Vec::new();
        order(&anchor, &inters, &mut chosen, &ee).then(|| {
            chosen
                .iter()
                .map(|&i| inters[i].clone())
                .chain([ee])
                .collect()
        })
    }

    fn order(issuer: &Cert, inters: &[Cert], chosen: &mut Vec<usize>, ee: &Cert) -> bool {
        if chosen.len() == inters.len() {
            return names_equal(ee.issuer_der(), issuer.subject_der());
        }
        for i in 0..inters.len() {
            if chosen.contains(&i) || !names_equal(inters[i].issuer_der(), issuer.subject_der()) {
                continue;
            }
            chosen.push(i);
            if order(&inters[i], inters, chosen, ee) {
                return true;
            }
            chosen.pop();
        }
        false
    }
}
