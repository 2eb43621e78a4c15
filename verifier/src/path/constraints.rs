//! Name constraints over a path (RFC 5280 §4.2.1.10, §6.1.3(b)-(c), §6.1.4(g)).
//!
//! The state of §6.1.2(b)-(c): the permitted subtrees, kept as one list per CA that set some
//! (a name must lie in some subtree of its form in every list that has subtrees of that form,
//! which is the intersection §6.1.4(g)(i) asks for, an empty intersection included), and the
//! excluded subtrees, one union (§6.1.4(g)(ii)). Forms a CA does not name stay unbounded.
//!
//! rfc822Name, dNSName, uniformResourceIdentifier, iPAddress and directoryName are processed.
//! otherName, x400Address, ediPartyName and registeredID are not: a name of such a form below a
//! CA that constrains the form is a violation (§4.2.1.10: process the constraint or reject).
//!
//! The extensions are read with x509-cert's `GeneralName` for every form it knows; the subtree
//! bases and the subjectAltName entries are first taken as bare TLVs because x509-cert 0.2's
//! `GeneralName` has no x400Address, and an extension holding one must still be read.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use der::asn1::AnyRef;
use der::oid::AssociatedOid;
use der::{Decode, Encode, Sequence, Tag, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{NameConstraints, SubjectAltName};
use x509_cert::name::Name;

use super::names::{self, EMAIL_ADDRESS};
use crate::cert::Cert;

/// A certificate of the path whose names a CA above it does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameConstraintViolation {
    /// The certificate's index in the path: 0 is the one the trust anchor issued, the last is
    /// the target.
    pub(crate) index: usize,
    /// Which name and which constraint, in words.
    pub(crate) detail: String,
}

/// Applies the name constraints of every CA in `path` to the certificates below it. `path` runs
/// from the top to the target (the last). The path validation passes the trust anchor's own
/// certificate as index 0, so that name constraints it carries bound the whole path (RFC 5280
/// §6.1.1 (b), (c) leave the initial subtrees to the relying party; RFC 5937 §3 takes them from
/// the anchor); its own names are checked against nothing, as no constraint is set above it.
///
/// For each certificate (RFC 5280 §6.1.3(b)-(c)): unless it is self-issued and not the target,
/// its subject (directoryName; each emailAddress attribute as an rfc822Name) and every name of
/// its subjectAltName must lie within a permitted subtree of its form, wherever that form is
/// constrained, and within no excluded subtree. Then, unless it is the target, its
/// nameConstraints extension narrows the permitted subtrees and adds to the excluded ones
/// (§6.1.4(g)). A nameConstraints extension that does not decode, has an empty list, or a
/// subtree with a minimum other than 0 or any maximum (§4.2.1.10: "minimum MUST be zero, and
/// maximum MUST be absent") is a violation of the certificate carrying it.
pub(crate) fn check_name_constraints(path: &[&Cert]) -> Result<(), NameConstraintViolation> {
    let mut state = State::default();
    let last = path.len().saturating_sub(1);
    for (index, cert) in path.iter().enumerate() {
        // Nothing to check (the common case) costs no name comparison.
        if state.constrains_anything()
            && (index == last || !names::names_equal(cert.subject_der(), cert.issuer_der()))
        {
            state
                .check_certificate(cert)
                .map_err(|detail| NameConstraintViolation { index, detail })?;
        }
        if index != last {
            state
                .add_constraints(index, cert)
                .map_err(|detail| NameConstraintViolation { index, detail })?;
        }
    }
    Ok(())
}

/// A GeneralName form (RFC 5280 §4.2.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    OtherName,
    Rfc822,
    Dns,
    X400,
    Directory,
    EdiParty,
    Uri,
    Ip,
    RegisteredId,
}

impl Form {
    /// The form of a GeneralName by its context-specific tag number.
    fn from_tag(tag: Tag) -> Option<Self> {
        let Tag::ContextSpecific { number, .. } = tag else {
            return None;
        };
        Some(match number.value() {
            0 => Self::OtherName,
            1 => Self::Rfc822,
            2 => Self::Dns,
            3 => Self::X400,
            4 => Self::Directory,
            5 => Self::EdiParty,
            6 => Self::Uri,
            7 => Self::Ip,
            8 => Self::RegisteredId,
            _ => return None,
        })
    }
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OtherName => "otherName",
            Self::Rfc822 => "rfc822Name",
            Self::Dns => "dNSName",
            Self::X400 => "x400Address",
            Self::Directory => "directoryName",
            Self::EdiParty => "ediPartyName",
            Self::Uri => "uniformResourceIdentifier",
            Self::Ip => "iPAddress",
            Self::RegisteredId => "registeredID",
        })
    }
}

/// A name or a subtree base, in the form its matching rule reads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// rfc822Name, dNSName, uniformResourceIdentifier.
    Text(String),
    /// iPAddress: 4 or 16 octets for a name, 8 or 32 (address and mask) for a subtree.
    Ip(Vec<u8>),
    /// directoryName, decoded.
    Directory(Name),
    /// A form this module does not process.
    Unprocessed,
}

/// A subtree of a CA's nameConstraints.
#[derive(Debug, Clone)]
struct Subtree {
    form: Form,
    base: Value,
    /// The path index of the CA that set it.
    source: usize,
}

/// The name constraints state (RFC 5280 §6.1.2(b)-(c)).
#[derive(Debug, Default)]
struct State {
    /// One entry per CA with permittedSubtrees.
    permitted: Vec<Vec<Subtree>>,
    excluded: Vec<Subtree>,
}

/// `GeneralSubtree` (RFC 5280 §4.2.1.10) with its base left as a TLV.
#[derive(Sequence)]
struct RawSubtree<'a> {
    base: AnyRef<'a>,
    #[asn1(
        context_specific = "0",
        tag_mode = "IMPLICIT",
        default = "Default::default"
    )]
    minimum: u32,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    maximum: Option<u32>,
}

/// `NameConstraints` (RFC 5280 §4.2.1.10; x509-cert's [`NameConstraints`]) with raw bases.
#[derive(Sequence)]
struct RawNameConstraints<'a> {
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    permitted: Option<Vec<RawSubtree<'a>>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    excluded: Option<Vec<RawSubtree<'a>>>,
}

impl State {
    fn constrains_anything(&self) -> bool {
        !self.permitted.is_empty() || !self.excluded.is_empty()
    }

    /// §6.1.4(g): the CA at `index` narrows the permitted subtrees and widens the excluded.
    fn add_constraints(&mut self, index: usize, cert: &Cert) -> Result<(), String> {
        let Some((_, der)) = cert.extension(NameConstraints::OID) else {
            return Ok(());
        };
        let malformed = |why: String| format!("name constraints extension is malformed: {why}");
        let raw = RawNameConstraints::from_der(der).map_err(|e| malformed(e.to_string()))?;
        // An extension with neither list (which CAs must not issue) constrains nothing.
        if let Some(list) = raw.permitted {
            let level = subtrees(index, &list).map_err(|e| malformed(format!("permitted {e}")))?;
            self.permitted.push(level);
        }
        if let Some(list) = raw.excluded {
            let more = subtrees(index, &list).map_err(|e| malformed(format!("excluded {e}")))?;
            self.excluded.extend(more);
        }
        Ok(())
    }

    /// §6.1.3(b)-(c) for one certificate.
    fn check_certificate(&self, cert: &Cert) -> Result<(), String> {
        let subject = &cert.x509().tbs_certificate.subject;
        // An empty subject names no one (the names are then in subjectAltName, §4.1.2.6).
        if !subject.0.is_empty() {
            let label = || format!("subject {subject}");
            self.check_name(&label, Form::Directory, &Value::Directory(subject.clone()))?;
        }
        for atv in subject.0.iter().flat_map(|rdn| rdn.0.iter()) {
            if atv.oid == EMAIL_ADDRESS {
                let (label, value) = subject_email(atv);
                self.check_name(&|| label.clone(), Form::Rfc822, &value)?;
            }
        }
        let Some((_, der)) = cert.extension(SubjectAltName::OID) else {
            return Ok(());
        };
        let entries = Vec::<AnyRef<'_>>::from_der(der)
            .map_err(|e| format!("subject alternative name does not decode: {e}"))?;
        for entry in entries {
            let (form, value) = general_name(entry)
                .map_err(|e| format!("subject alternative name does not decode: {e}"))?;
            let label = || format!("subject alternative name {form} {}", show(&value));
            self.check_name(&label, form, &value)?;
        }
        Ok(())
    }

    /// One name of form `form` against the state; `label` says which name, for the message
    /// (made only on a violation: formatting a name costs more than checking it).
    fn check_name(
        &self,
        label: &dyn Fn() -> String,
        form: Form,
        name: &Value,
    ) -> Result<(), String> {
        let all = self.permitted.iter().flatten().chain(&self.excluded);
        if let Value::Unprocessed = name {
            if let Some(s) = all.clone().find(|s| s.form == form) {
                return Err(format!(
                    "{}: the {form} form cannot be processed and certificate {} constrains it",
                    label(),
                    s.source
                ));
            }
            return Ok(());
        }
        for level in &self.permitted {
            let mut of_form = level.iter().filter(|s| s.form == form).peekable();
            let Some(first) = of_form.peek() else {
                continue;
            };
            let source = first.source;
            let mut bases = Vec::new();
            let mut inside = false;
            for subtree in of_form {
                if within(form, name, &subtree.base).map_err(|e| format!("{} {e}", label()))? {
                    inside = true;
                    break;
                }
                bases.push(show(&subtree.base));
            }
            if !inside {
                return Err(format!(
                    "{} is not within any permitted {form} subtree of certificate {source} ({})",
                    label(),
                    bases.join(", ")
                ));
            }
        }
        for subtree in self.excluded.iter().filter(|s| s.form == form) {
            let hit = within(form, name, &subtree.base).map_err(|e| format!("{} {e}", label()))?
                || (form == Form::Dns && wildcard_covers(name, &subtree.base));
            if hit {
                return Err(format!(
                    "{} is within excluded {form} subtree {} of certificate {}",
                    label(),
                    show(&subtree.base),
                    subtree.source
                ));
            }
        }
        Ok(())
    }
}

/// The subtrees of one list of a CA's extension.
fn subtrees(source: usize, list: &[RawSubtree<'_>]) -> Result<Vec<Subtree>, String> {
    // GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
    if list.is_empty() {
        return Err("subtrees are an empty list".to_owned());
    }
    let mut out = Vec::with_capacity(list.len());
    for raw in list {
        if raw.minimum != 0 || raw.maximum.is_some() {
            return Err(format!(
                "subtree has minimum {} and maximum {:?} (must be 0 and absent)",
                raw.minimum, raw.maximum
            ));
        }
        let (form, base) = general_name(raw.base).map_err(|e| format!("subtree base {e}"))?;
        // §4.2.1.10 writes a DNS constraint as a name ("host.example.com"): one with a leading
        // period or a wildcard is no dNSName (the empty name, which every name is under, is).
        if let (Form::Dns, Value::Text(text)) = (form, &base)
            && !text.is_empty()
        {
            dns_name_syntax(text, false).map_err(|e| format!("dNSName subtree {e}"))?;
        }
        if let Value::Ip(bytes) = &base
            && bytes.len() != 8
            && bytes.len() != 32
        {
            return Err(format!(
                "iPAddress subtree has {} octets (8 or 32 expected)",
                bytes.len()
            ));
        }
        out.push(Subtree { form, base, source });
    }
    Ok(out)
}

/// RFC 5280 §4.2.1.6: a dNSName is in the "preferred name syntax" of RFC 1034 §3.5 (as RFC 1123
/// §2.1 relaxed it: a label may start with a digit): labels of letters, digits and hyphens, 1 to
/// 63 characters, neither starting nor ending with a hyphen, at most 253 characters in all (one
/// final period, the root, allowed). With `wildcard`, the first label may be `*` (a subject
/// alternative name's wildcard, RFC 6125 §6.4.3); a name constraint has none.
pub(crate) fn dns_name_syntax(name: &str, wildcard: bool) -> Result<(), String> {
    let body = name.strip_suffix('.').unwrap_or(name);
    let body = if wildcard {
        body.strip_prefix("*.").unwrap_or(body)
    } else {
        body
    };
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 63
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && bytes.first() != Some(&b'-')
            && bytes.last() != Some(&b'-')
    };
    if body.is_empty() || body.len() > 253 || !body.split('.').all(label_ok) {
        return Err(format!(
            "{name:?} is not a DNS name in the preferred name syntax (RFC 1034 §3.5: labels of \
             letters, digits and inner hyphens; RFC 5280 §4.2.1.6)"
        ));
    }
    Ok(())
}

/// A GeneralName from its TLV: the processed forms decoded by x509-cert, the others only named.
fn general_name(tlv: AnyRef<'_>) -> Result<(Form, Value), String> {
    let form = Form::from_tag(tlv.tag()).ok_or_else(|| format!("has tag {}", tlv.tag()))?;
    if matches!(
        form,
        Form::OtherName | Form::X400 | Form::EdiParty | Form::RegisteredId
    ) {
        return Ok((form, Value::Unprocessed));
    }
    let der = tlv.to_der().map_err(|e| e.to_string())?;
    let name = GeneralName::from_der(&der).map_err(|e| format!("{form} does not decode: {e}"))?;
    let value = match name {
        GeneralName::Rfc822Name(s) | GeneralName::DnsName(s) => Value::Text(s.as_str().to_owned()),
        GeneralName::UniformResourceIdentifier(s) => Value::Text(s.as_str().to_owned()),
        GeneralName::IpAddress(o) => Value::Ip(o.as_bytes().to_vec()),
        GeneralName::DirectoryName(n) => Value::Directory(n),
        GeneralName::OtherName(_) | GeneralName::EdiPartyName(_) | GeneralName::RegisteredId(_) => {
            Value::Unprocessed
        }
    };
    Ok((form, value))
}

/// An emailAddress attribute of the subject (PKCS #9: IA5String) as an rfc822Name; a value of
/// another type is checked as an unreadable mailbox.
fn subject_email(atv: &AttributeTypeAndValue) -> (String, Value) {
    let bytes = atv.value.value();
    let text = match atv.value.tag() {
        Tag::Ia5String | Tag::PrintableString if bytes.is_ascii() => {
            std::str::from_utf8(bytes).ok()
        }
        Tag::Utf8String => std::str::from_utf8(bytes).ok(),
        _ => None,
    };
    match text {
        Some(t) => (
            format!("subject emailAddress \"{t}\" (rfc822Name)"),
            Value::Text(t.to_owned()),
        ),
        // Never within any subtree: matching reports it as not a mailbox.
        None => (
            format!("subject emailAddress of type {}", atv.value.tag()),
            Value::Text(String::new()),
        ),
    }
}

/// Whether `name` lies within `base`, both of `form` (RFC 5280 §4.2.1.10); `Err` when the name
/// cannot be read as its form, which is a violation wherever the form is constrained.
fn within(form: Form, name: &Value, base: &Value) -> Result<bool, String> {
    match (form, name, base) {
        (Form::Rfc822, Value::Text(n), Value::Text(b)) => mailbox_within(n, b),
        (Form::Dns, Value::Text(n), Value::Text(b)) => dns_within(n, b),
        (Form::Uri, Value::Text(n), Value::Text(b)) => {
            let host = uri_host(n)?;
            Ok(host_matches(&host, b))
        }
        (Form::Ip, Value::Ip(n), Value::Ip(b)) => ip_within(n, b),
        (Form::Directory, Value::Directory(n), Value::Directory(b)) => {
            Ok(names::name_within_decoded(n, b))
        }
        _ => Err(format!("cannot be matched against a {form} subtree")),
    }
}

/// rfc822Name: a base with `@` is one mailbox (local part exact, host ignoring case, RFC 5280
/// §7.5); a base without is a host (the mailbox's host exactly) or, with a leading period, any
/// host under that domain. A base with nothing before its `@` is read as its host, as OpenSSL
/// does. One final period of a host is dropped.
fn mailbox_within(name: &str, base: &str) -> Result<bool, String> {
    let Some((local, host)) = name.rsplit_once('@') else {
        return Err("is not a mailbox (no @)".to_owned());
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if local.is_empty() || host.is_empty() {
        return Err("is not a mailbox (empty local part or host)".to_owned());
    }
    Ok(match base.rsplit_once('@') {
        Some(("", base_host)) => host_matches(host, base_host),
        Some((base_local, base_host)) => {
            let base_host = base_host.strip_suffix('.').unwrap_or(base_host);
            local == base_local && host.eq_ignore_ascii_case(base_host)
        }
        None => host_matches(host, base.strip_suffix('.').unwrap_or(base)),
    })
}

/// A host against a host constraint: with a leading period, any host with more labels under the
/// domain (".example.com" matches "a.example.com", not "example.com"); without, that host only.
/// An empty constraint matches every host. Case is ignored.
fn host_matches(host: &str, base: &str) -> bool {
    if base.is_empty() {
        return true;
    }
    if base.starts_with('.') {
        return host.len() > base.len() && ends_with_ignore_case(host, base);
    }
    host.eq_ignore_ascii_case(base)
}

/// dNSName: the name is the base with zero or more labels added on the left ("example.com"
/// matches "example.com" and "a.example.com", not "badexample.com"). A base with a leading
/// period matches the names under it only. Case is ignored; one final period is dropped.
fn dns_within(name: &str, base: &str) -> Result<bool, String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let base = base.strip_suffix('.').unwrap_or(base);
    if name.is_empty() || name.starts_with('.') {
        return Err("is not a DNS name".to_owned());
    }
    if base.is_empty() {
        return Ok(true);
    }
    if base.starts_with('.') {
        return Ok(name.len() > base.len() && ends_with_ignore_case(name, base));
    }
    Ok(name.eq_ignore_ascii_case(base)
        || (name.len() > base.len()
            && ends_with_ignore_case(name, base)
            && name.as_bytes().get(name.len() - base.len() - 1) == Some(&b'.')))
}

/// A wildcard dNSName ("*.example.com") stands for names it would match: it falls in an excluded
/// subtree that lies strictly under its parent domain ("bad.example.com").
fn wildcard_covers(name: &Value, base: &Value) -> bool {
    let (Value::Text(name), Value::Text(base)) = (name, base) else {
        return false;
    };
    let Some(parent) = name.strip_prefix("*.") else {
        return false;
    };
    let base = base.strip_prefix('.').unwrap_or(base);
    dns_within(base, parent).unwrap_or(false) && !base.eq_ignore_ascii_case(parent)
}

/// The host of a URI (RFC 3986 §3.2.2), lower-cased, one final period dropped. RFC 5280
/// §4.2.1.10: a URI without an authority, or whose host is an IP address, cannot meet a URI
/// constraint. A percent-encoded host is refused too (it could spell an excluded host), and a
/// backslash ends the authority as it does in web browsers.
fn uri_host(uri: &str) -> Result<String, String> {
    let no_host = || "has no host name".to_owned();
    let (scheme, rest) = uri.split_once(':').ok_or_else(no_host)?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Err("is not a URI".to_owned());
    }
    let rest = rest.strip_prefix("//").ok_or_else(no_host)?;
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host_port.starts_with('[') {
        return Err("has an IP address as host".to_owned());
    }
    let host = host_port.split(':').next().unwrap_or_default();
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return Err(no_host());
    }
    if host.contains('%') {
        return Err("has a percent-encoded host".to_owned());
    }
    if host.parse::<Ipv4Addr>().is_ok() {
        return Err("has an IP address as host".to_owned());
    }
    Ok(host.to_ascii_lowercase())
}

/// iPAddress: an address of the base's family whose masked bits equal the base's.
fn ip_within(name: &[u8], base: &[u8]) -> Result<bool, String> {
    if name.len() != 4 && name.len() != 16 {
        return Err(format!("has {} octets (4 or 16 expected)", name.len()));
    }
    if base.len() != name.len() * 2 {
        return Ok(false);
    }
    let (addr, mask) = base.split_at(name.len());
    Ok(name
        .iter()
        .zip(addr)
        .zip(mask)
        .all(|((n, a), m)| n & m == a & m))
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// A name or base for messages.
fn show(value: &Value) -> String {
    match value {
        Value::Text(t) => format!("\"{t}\""),
        Value::Ip(b) => show_ip(b),
        Value::Directory(n) => format!("\"{n}\""),
        Value::Unprocessed => "(not processed)".to_owned(),
    }
}

fn show_ip(bytes: &[u8]) -> String {
    let one = |b: &[u8]| -> Option<String> {
        if let Ok(v4) = <[u8; 4]>::try_from(b) {
            return Some(Ipv4Addr::from(v4).to_string());
        }
        <[u8; 16]>::try_from(b)
            .ok()
            .map(|v6| Ipv6Addr::from(v6).to_string())
    };
    let half = bytes.len() / 2;
    let text = match bytes.len() {
        4 | 16 => one(bytes),
        8 | 32 => one(&bytes[..half])
            .zip(one(&bytes[half..]))
            .map(|(a, m)| format!("{a}/{m}")),
        _ => None,
    };
    text.unwrap_or_else(|| format!("0x{}", hex::encode(bytes)))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use std::net::IpAddr;

    use der::asn1::Ia5String;
    use rcgen::{
        CertificateParams, CidrSubnet, CustomExtension, DistinguishedName, DnType, DnValue,
        GeneralSubtree as Gs, IsCa, Issuer, KeyPair, NameConstraints as Nc, SanType,
    };
    use x509_cert::ext::pkix::constraints::name::GeneralSubtree;

    use super::super::names::pkits;
    use super::*;

    type Rdns<'a> = &'a [(DnType, &'a str)];

    const ROOT: Rdns<'static> = &[
        (DnType::CountryName, "KZ"),
        (DnType::OrganizationName, "Root"),
    ];
    const CA: Rdns<'static> = &[
        (DnType::CountryName, "KZ"),
        (DnType::OrganizationName, "Test"),
        (DnType::OrganizationalUnitName, "CA"),
    ];
    const SUB: Rdns<'static> = &[
        (DnType::CountryName, "KZ"),
        (DnType::OrganizationName, "Test"),
        (DnType::OrganizationalUnitName, "Sub"),
    ];
    const NAME_CONSTRAINTS: &[u64] = &[2, 5, 29, 30];
    const SUBJECT_ALT_NAME: &[u64] = &[2, 5, 29, 17];

    fn dn(rdns: Rdns<'_>) -> DistinguishedName {
        let mut dn = DistinguishedName::new();
        for (ty, value) in rdns {
            dn.push(
                ty.clone(),
                DnValue::PrintableString((*value).try_into().unwrap()),
            );
        }
        dn
    }

    /// A certificate with subject `subject`, issued by a CA named `issuer` (signatures are not
    /// what this module checks).
    fn issue(mut params: CertificateParams, subject: Rdns<'_>, issuer: Rdns<'_>) -> Cert {
        params.distinguished_name = dn(subject);
        let key = KeyPair::generate().unwrap();
        let mut issuer_params = CertificateParams::default();
        issuer_params.distinguished_name = dn(issuer);
        let issuer_key = KeyPair::generate().unwrap();
        let issuer = Issuer::new(issuer_params, issuer_key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        Cert::from_der(cert.der()).unwrap()
    }

    fn ca_params(permitted: Vec<Gs>, excluded: Vec<Gs>) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.name_constraints = Some(Nc {
            permitted_subtrees: permitted,
            excluded_subtrees: excluded,
        });
        params
    }

    /// A CA `CA` under `ROOT` with the given subtrees.
    fn ca(permitted: Vec<Gs>, excluded: Vec<Gs>) -> Cert {
        issue(ca_params(permitted, excluded), CA, ROOT)
    }

    /// A CA `CA` under `ROOT` whose nameConstraints extension value is `der`.
    fn ca_raw(der: Vec<u8>) -> Cert {
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.custom_extensions = vec![CustomExtension::from_oid_content(NAME_CONSTRAINTS, der)];
        issue(params, CA, ROOT)
    }

    /// An end entity under `CA` with these subject RDNs and alternative names.
    fn leaf(subject: Rdns<'_>, sans: Vec<SanType>) -> Cert {
        let mut params = CertificateParams::default();
        params.subject_alt_names = sans;
        issue(params, subject, CA)
    }

    fn leaf_cn(cn: &str) -> Vec<(DnType, &str)> {
        let mut rdns = CA.to_vec();
        rdns.push((DnType::CommonName, cn));
        rdns
    }

    fn ia5(s: &str) -> rcgen::string::Ia5String {
        s.try_into().unwrap()
    }

    fn dns(s: &str) -> SanType {
        SanType::DnsName(ia5(s))
    }

    fn email(s: &str) -> SanType {
        SanType::Rfc822Name(ia5(s))
    }

    fn uri(s: &str) -> SanType {
        SanType::URI(ia5(s))
    }

    fn ip(s: &str) -> SanType {
        SanType::IpAddress(s.parse().unwrap())
    }

    fn check(path: &[&Cert]) -> Result<(), NameConstraintViolation> {
        check_name_constraints(path)
    }

    fn violation(index: usize, detail: &str) -> Result<(), NameConstraintViolation> {
        Err(NameConstraintViolation {
            index,
            detail: detail.to_owned(),
        })
    }

    /// A nameConstraints value from x509-cert subtrees.
    fn nc_der(permitted: Option<Vec<GeneralName>>, excluded: Option<Vec<GeneralName>>) -> Vec<u8> {
        let subtrees = |names: Vec<GeneralName>| {
            names
                .into_iter()
                .map(|base| GeneralSubtree {
                    base,
                    minimum: 0,
                    maximum: None,
                })
                .collect()
        };
        NameConstraints {
            permitted_subtrees: permitted.map(subtrees),
            excluded_subtrees: excluded.map(subtrees),
        }
        .to_der()
        .unwrap()
    }

    fn gn_uri(s: &str) -> GeneralName {
        GeneralName::UniformResourceIdentifier(Ia5String::new(s).unwrap())
    }

    // directoryName

    #[test]
    fn ok_subject_within_permitted_directory_name() {
        let ca = ca(vec![Gs::DirectoryName(dn(CA))], vec![]);
        let ee = leaf(&leaf_cn("Alice"), vec![]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn fail_subject_outside_permitted_directory_name() {
        let ca = ca(vec![Gs::DirectoryName(dn(SUB))], vec![]);
        let ee = leaf(&leaf_cn("Alice"), vec![]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject CN=Alice,OU=CA,O=Test,C=KZ is not within any permitted directoryName \
                 subtree of certificate 0 (\"OU=Sub,O=Test,C=KZ\")"
            )
        );
    }

    #[test]
    fn fail_subject_within_excluded_directory_name() {
        let ca = ca(vec![], vec![Gs::DirectoryName(dn(CA))]);
        let ee = leaf(&leaf_cn("Alice"), vec![]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject CN=Alice,OU=CA,O=Test,C=KZ is within excluded directoryName subtree \
                 \"OU=CA,O=Test,C=KZ\" of certificate 0"
            )
        );
    }

    #[test]
    fn fail_directory_name_in_subject_alt_name_outside_permitted() {
        let ca = ca(vec![Gs::DirectoryName(dn(CA))], vec![]);
        let mut params = CertificateParams::default();
        let other =
            <x509_cert::name::Name as std::str::FromStr>::from_str("CN=Bob,OU=Sub,O=Test,C=KZ")
                .unwrap();
        let san = SubjectAltName(vec![GeneralName::DirectoryName(other)]);
        params.custom_extensions = vec![CustomExtension::from_oid_content(
            SUBJECT_ALT_NAME,
            san.to_der().unwrap(),
        )];
        let ee = issue(params, &leaf_cn("Alice"), CA);
        let err = check(&[&ca, &ee]).unwrap_err();
        assert_eq!(err.index, 1);
        assert!(
            err.detail.starts_with(
                "subject alternative name directoryName \"CN=Bob,OU=Sub,O=Test,C=KZ\" is not \
                 within any permitted directoryName subtree of certificate 0"
            ),
            "{}",
            err.detail
        );
    }

    #[test]
    fn ok_empty_subject_not_checked_against_directory_names() {
        let ca = ca(vec![Gs::DirectoryName(dn(SUB))], vec![]);
        let ee = leaf(&[], vec![dns("host.example.com")]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    // rfc822Name

    #[test]
    fn ok_mailbox_matching_rules() {
        assert_eq!(
            mailbox_within("root@example.com", "root@EXAMPLE.com"),
            Ok(true)
        );
        assert_eq!(mailbox_within("root@example.com", "example.com"), Ok(true));
        assert_eq!(
            mailbox_within("root@host.example.com", ".example.com"),
            Ok(true)
        );
        assert_eq!(
            mailbox_within("root@a.b.example.com", ".Example.com"),
            Ok(true)
        );
    }

    #[test]
    fn ok_mailbox_final_period_and_at_host_base() {
        assert_eq!(mailbox_within("root@example.com.", "example.com"), Ok(true));
        assert_eq!(mailbox_within("root@bad.kz.", "bad.kz."), Ok(true));
        assert_eq!(mailbox_within("root@example.com", "@example.com"), Ok(true));
        assert_eq!(
            mailbox_within("root@a.example.com", "@example.com"),
            Ok(false)
        );
    }

    #[test]
    fn fail_mailbox_matching_rules() {
        assert_eq!(
            mailbox_within("Root@example.com", "root@example.com"),
            Ok(false)
        );
        assert_eq!(
            mailbox_within("root@host.example.com", "example.com"),
            Ok(false)
        );
        assert_eq!(
            mailbox_within("root@example.com", ".example.com"),
            Ok(false)
        );
        assert_eq!(
            mailbox_within("root@badexample.com", ".example.com"),
            Ok(false)
        );
        assert_eq!(
            mailbox_within("root@badexample.com", "example.com"),
            Ok(false)
        );
        assert_eq!(
            mailbox_within("example.com", "example.com"),
            Err("is not a mailbox (no @)".to_owned())
        );
    }

    #[test]
    fn ok_email_in_permitted_domain() {
        let ca = ca(vec![Gs::Rfc822Name(".example.com".into())], vec![]);
        let ee = leaf(&leaf_cn("Alice"), vec![email("alice@mail.example.com")]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn fail_email_outside_permitted_domain() {
        let ca = ca(vec![Gs::Rfc822Name(".example.com".into())], vec![]);
        let ee = leaf(&leaf_cn("Alice"), vec![email("alice@example.com")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name rfc822Name \"alice@example.com\" is not within any \
                 permitted rfc822Name subtree of certificate 0 (\".example.com\")"
            )
        );
    }

    #[test]
    fn fail_email_in_excluded_host() {
        let ca = ca(vec![], vec![Gs::Rfc822Name("example.com".into())]);
        let ee = leaf(&leaf_cn("Alice"), vec![email("alice@EXAMPLE.com")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name rfc822Name \"alice@EXAMPLE.com\" is within excluded \
                 rfc822Name subtree \"example.com\" of certificate 0"
            )
        );
    }

    #[test]
    fn fail_subject_email_address_outside_permitted() {
        let ca = ca(vec![Gs::Rfc822Name("example.com".into())], vec![]);
        let mut params = CertificateParams::default();
        let email_oid = vec![1, 2, 840, 113_549, 1, 9, 1];
        let mut subject = dn(CA);
        subject.push(
            DnType::CustomDnType(email_oid),
            DnValue::Ia5String(ia5("alice@other.com")),
        );
        params.distinguished_name = subject;
        let key = KeyPair::generate().unwrap();
        let mut issuer_params = CertificateParams::default();
        issuer_params.distinguished_name = dn(CA);
        let issuer = Issuer::new(issuer_params, KeyPair::generate().unwrap());
        let ee = Cert::from_der(params.signed_by(&key, &issuer).unwrap().der()).unwrap();
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject emailAddress \"alice@other.com\" (rfc822Name) is not within any \
                 permitted rfc822Name subtree of certificate 0 (\"example.com\")"
            )
        );
    }

    #[test]
    fn ok_subject_email_address_within_permitted() {
        let ca = ca(vec![Gs::Rfc822Name("example.com".into())], vec![]);
        let mut subject = dn(CA);
        subject.push(
            DnType::CustomDnType(vec![1, 2, 840, 113_549, 1, 9, 1]),
            DnValue::Ia5String(ia5("alice@example.com")),
        );
        let mut params = CertificateParams::default();
        params.distinguished_name = subject;
        let key = KeyPair::generate().unwrap();
        let mut issuer_params = CertificateParams::default();
        issuer_params.distinguished_name = dn(CA);
        let issuer = Issuer::new(issuer_params, KeyPair::generate().unwrap());
        let ee = Cert::from_der(params.signed_by(&key, &issuer).unwrap().der()).unwrap();
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    // dNSName

    #[test]
    fn ok_dns_matching_rules() {
        assert_eq!(dns_within("example.com", "example.com"), Ok(true));
        assert_eq!(dns_within("host.Example.COM", "example.com"), Ok(true));
        assert_eq!(dns_within("a.b.example.com.", "example.com"), Ok(true));
        assert_eq!(dns_within("a.example.com", ".example.com"), Ok(true));
        assert_eq!(dns_within("anything.kz", ""), Ok(true));
    }

    #[test]
    fn fail_dns_matching_rules() {
        assert_eq!(dns_within("badexample.com", "example.com"), Ok(false));
        assert_eq!(dns_within("example.com", "host.example.com"), Ok(false));
        assert_eq!(dns_within("example.com", ".example.com"), Ok(false));
        assert_eq!(dns_within("example.com.au", "example.com"), Ok(false));
        assert_eq!(
            dns_within("", "example.com"),
            Err("is not a DNS name".to_owned())
        );
    }

    #[test]
    fn ok_dns_name_within_permitted() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let ee = leaf(
            &leaf_cn("Alice"),
            vec![dns("host.example.com"), dns("example.com")],
        );
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn fail_dns_name_outside_permitted_by_label() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let ee = leaf(&leaf_cn("Alice"), vec![dns("badexample.com")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name dNSName \"badexample.com\" is not within any \
                 permitted dNSName subtree of certificate 0 (\"example.com\")"
            )
        );
    }

    #[test]
    fn fail_dns_name_within_excluded() {
        let ca = ca(vec![], vec![Gs::DnsName("bad.example.com".into())]);
        let ee = leaf(&leaf_cn("Alice"), vec![dns("www.BAD.example.com")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name dNSName \"www.BAD.example.com\" is within excluded \
                 dNSName subtree \"bad.example.com\" of certificate 0"
            )
        );
    }

    #[test]
    fn fail_wildcard_covering_excluded() {
        let ca = ca(vec![], vec![Gs::DnsName("bad.example.com".into())]);
        let ee = leaf(&leaf_cn("Alice"), vec![dns("*.example.com")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name dNSName \"*.example.com\" is within excluded \
                 dNSName subtree \"bad.example.com\" of certificate 0"
            )
        );
    }

    #[test]
    fn ok_wildcard_beside_excluded() {
        let ca = ca(vec![], vec![Gs::DnsName("bad.example.com".into())]);
        let ee = leaf(&leaf_cn("Alice"), vec![dns("*.good.example.com")]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    // uniformResourceIdentifier

    #[test]
    fn ok_uri_hosts() {
        assert_eq!(
            uri_host("http://Host.Example.com/x"),
            Ok("host.example.com".to_owned())
        );
        assert_eq!(
            uri_host("ftp://user:pw@host.kz:21/a?b#c"),
            Ok("host.kz".to_owned())
        );
        assert_eq!(uri_host("ldap://host.kz?x"), Ok("host.kz".to_owned()));
    }

    #[test]
    fn ok_uri_hosts_read_as_clients_read_them() {
        assert_eq!(uri_host("http://host.kz./"), Ok("host.kz".to_owned()));
        assert_eq!(
            uri_host("http://bad.kz\\@good.kz/"),
            Ok("bad.kz".to_owned())
        );
        assert_eq!(uri_host("http://good.kz@bad.kz/"), Ok("bad.kz".to_owned()));
    }

    #[test]
    fn fail_uri_with_percent_encoded_host() {
        assert_eq!(
            uri_host("http://bad%2Ekz/"),
            Err("has a percent-encoded host".to_owned())
        );
    }

    #[test]
    fn fail_uri_without_host_name() {
        let no_host = Err("has no host name".to_owned());
        let ip_host = Err("has an IP address as host".to_owned());
        assert_eq!(uri_host("mailto:a@example.com"), no_host);
        assert_eq!(uri_host("urn:example.com"), no_host);
        assert_eq!(uri_host("file:///etc/passwd"), no_host);
        assert_eq!(uri_host("http://10.0.0.1/x"), ip_host);
        assert_eq!(uri_host("http://[::1]:80/x"), ip_host);
        assert_eq!(uri_host("example.com"), no_host);
    }

    #[test]
    fn ok_uri_within_permitted_host_and_domain() {
        let der = nc_der(
            Some(vec![gn_uri("host.example.com"), gn_uri(".example.kz")]),
            None,
        );
        let ca = ca_raw(der);
        let ee = leaf(
            &leaf_cn("Alice"),
            vec![
                uri("http://HOST.example.com/a"),
                uri("https://a.b.example.kz:8443/"),
            ],
        );
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn fail_uri_host_constraint_does_not_take_subdomains() {
        let ca = ca_raw(nc_der(Some(vec![gn_uri("example.com")]), None));
        let ee = leaf(&leaf_cn("Alice"), vec![uri("http://www.example.com/")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name uniformResourceIdentifier \"http://www.example.com/\" \
                 is not within any permitted uniformResourceIdentifier subtree of certificate 0 \
                 (\"example.com\")"
            )
        );
    }

    #[test]
    fn fail_uri_without_host_against_excluded() {
        let ca = ca_raw(nc_der(None, Some(vec![gn_uri(".bad.kz")])));
        let ee = leaf(&leaf_cn("Alice"), vec![uri("urn:isbn:123")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name uniformResourceIdentifier \"urn:isbn:123\" has no \
                 host name"
            )
        );
    }

    #[test]
    fn fail_uri_in_excluded_domain() {
        let ca = ca_raw(nc_der(None, Some(vec![gn_uri(".bad.kz")])));
        let ee = leaf(&leaf_cn("Alice"), vec![uri("http://x.bad.kz/")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name uniformResourceIdentifier \"http://x.bad.kz/\" is \
                 within excluded uniformResourceIdentifier subtree \".bad.kz\" of certificate 0"
            )
        );
    }

    // iPAddress

    #[test]
    fn ok_ip_within_subnet() {
        let v4: IpAddr = "10.1.0.0".parse().unwrap();
        let v6: IpAddr = "2001:db8::".parse().unwrap();
        let ca = ca(
            vec![
                Gs::IpAddress(CidrSubnet::from_addr_prefix(v4, 16)),
                Gs::IpAddress(CidrSubnet::from_addr_prefix(v6, 32)),
            ],
            vec![],
        );
        let ee = leaf(&leaf_cn("Alice"), vec![ip("10.1.2.3"), ip("2001:db8::1")]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn fail_ip_outside_subnet() {
        let v4: IpAddr = "10.1.0.0".parse().unwrap();
        let ca = ca(
            vec![Gs::IpAddress(CidrSubnet::from_addr_prefix(v4, 16))],
            vec![],
        );
        let ee = leaf(&leaf_cn("Alice"), vec![ip("10.2.0.1")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name iPAddress 10.2.0.1 is not within any permitted \
                 iPAddress subtree of certificate 0 (10.1.0.0/255.255.0.0)"
            )
        );
    }

    #[test]
    fn fail_ip_of_other_family_never_within() {
        let v4: IpAddr = "0.0.0.0".parse().unwrap();
        let ca = ca(
            vec![Gs::IpAddress(CidrSubnet::from_addr_prefix(v4, 0))],
            vec![],
        );
        let ee = leaf(&leaf_cn("Alice"), vec![ip("::1")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name iPAddress ::1 is not within any permitted iPAddress \
                 subtree of certificate 0 (0.0.0.0/0.0.0.0)"
            )
        );
        assert_eq!(ip_within(&[0; 16], &[0; 8]), Ok(false));
        assert_eq!(ip_within(&[0; 4], &[0; 32]), Ok(false));
    }

    #[test]
    fn fail_ip_in_excluded_subnet() {
        let v6: IpAddr = "2001:db8::".parse().unwrap();
        let ca = ca(
            vec![],
            vec![Gs::IpAddress(CidrSubnet::from_addr_prefix(v6, 32))],
        );
        let ee = leaf(&leaf_cn("Alice"), vec![ip("2001:db8:1::5")]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name iPAddress 2001:db8:1::5 is within excluded iPAddress \
                 subtree 2001:db8::/ffff:ffff:: of certificate 0"
            )
        );
    }

    #[test]
    fn fail_ip_subtree_of_wrong_length_is_malformed() {
        let bad = GeneralName::IpAddress(der::asn1::OctetString::new(vec![10, 0, 0, 0]).unwrap());
        let ca = ca_raw(nc_der(Some(vec![bad]), None));
        let ee = leaf(&leaf_cn("Alice"), vec![]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                0,
                "name constraints extension is malformed: permitted iPAddress subtree has 4 \
                 octets (8 or 32 expected)"
            )
        );
    }

    // The state across the path

    #[test]
    fn ok_forms_not_named_stay_unbounded() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let ee = leaf(
            &leaf_cn("Alice"),
            vec![email("a@other.kz"), ip("192.0.2.1")],
        );
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn ok_nested_permitted_subtrees() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let sub = issue(
            ca_params(vec![Gs::DnsName("a.example.com".into())], vec![]),
            SUB,
            CA,
        );
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![dns("x.a.example.com")];
        let ee = issue(params, &leaf_cn("Alice"), SUB);
        assert_eq!(check(&[&ca, &sub, &ee]), Ok(()));
    }

    #[test]
    fn fail_name_outside_earlier_permitted_though_within_later() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let sub = issue(
            ca_params(vec![Gs::DnsName("other.kz".into())], vec![]),
            SUB,
            CA,
        );
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![dns("x.other.kz")];
        let ee = issue(params, &leaf_cn("Alice"), SUB);
        assert_eq!(
            check(&[&ca, &sub, &ee]),
            violation(
                2,
                "subject alternative name dNSName \"x.other.kz\" is not within any permitted \
                 dNSName subtree of certificate 0 (\"example.com\")"
            )
        );
    }

    #[test]
    fn fail_disjoint_permitted_subtrees_allow_no_name_of_the_form() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let sub = issue(
            ca_params(vec![Gs::DnsName("other.kz".into())], vec![]),
            SUB,
            CA,
        );
        for name in ["x.example.com", "x.other.kz"] {
            let mut params = CertificateParams::default();
            params.subject_alt_names = vec![dns(name)];
            let ee = issue(params, &leaf_cn("Alice"), SUB);
            let err = check(&[&ca, &sub, &ee]).unwrap_err();
            assert_eq!(err.index, 2, "{name}");
        }
    }

    #[test]
    fn fail_intermediate_subject_checked() {
        let ca = ca(vec![Gs::DirectoryName(dn(CA))], vec![]);
        let sub = issue(ca_params(vec![], vec![]), SUB, CA);
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![];
        let ee = issue(params, &[(DnType::CountryName, "KZ")], SUB);
        assert_eq!(
            check(&[&ca, &sub, &ee]),
            violation(
                1,
                "subject OU=Sub,O=Test,C=KZ is not within any permitted directoryName subtree \
                 of certificate 0 (\"OU=CA,O=Test,C=KZ\")"
            )
        );
    }

    #[test]
    fn ok_self_issued_intermediate_not_checked() {
        // The self-issued CA (a key rollover) is outside the subtree; the end entity is inside.
        let ca = ca(vec![Gs::DirectoryName(dn(SUB))], vec![]);
        let rollover = issue(ca_params(vec![], vec![]), CA, CA);
        let mut params = CertificateParams::default();
        params.subject_alt_names = vec![];
        let ee = issue(params, SUB, CA);
        assert_eq!(check(&[&ca, &rollover, &ee]), Ok(()));
    }

    #[test]
    fn fail_self_issued_target_checked() {
        let ca = ca(vec![Gs::DirectoryName(dn(SUB))], vec![]);
        let ee = issue(CertificateParams::default(), CA, CA);
        let err = check(&[&ca, &ee]).unwrap_err();
        assert_eq!(err.index, 1);
        assert!(
            err.detail
                .starts_with("subject OU=CA,O=Test,C=KZ is not within"),
            "{err:?}"
        );
    }

    #[test]
    fn ok_target_constraints_ignored_and_anchor_contributes_nothing() {
        // Only CAs above a certificate constrain it: the first certificate's names meet no
        // constraint, and the target's own extension is not applied.
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let mut params = ca_params(vec![], vec![Gs::DirectoryName(dn(CA))]);
        params.subject_alt_names = vec![dns("example.com")];
        let ee = issue(params, &leaf_cn("Alice"), CA);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
        assert_eq!(check(&[&ee]), Ok(()));
        assert_eq!(check(&[]), Ok(()));
    }

    // Forms not processed, and malformed extensions

    #[test]
    fn fail_unprocessed_form_constrained_and_present() {
        let other = x509_cert::ext::pkix::name::OtherName {
            type_id: der::asn1::ObjectIdentifier::new_unwrap("1.2.3.4"),
            value: der::Any::new(Tag::Utf8String, b"x".as_slice()).unwrap(),
        };
        let ca = ca_raw(nc_der(None, Some(vec![GeneralName::OtherName(other)])));
        let san = SanType::OtherName((
            vec![1, 2, 3, 5],
            rcgen::OtherNameValue::Utf8String("y".into()),
        ));
        let ee = leaf(&leaf_cn("Alice"), vec![san]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name otherName (not processed): the otherName form cannot \
                 be processed and certificate 0 constrains it"
            )
        );
    }

    #[test]
    fn ok_unprocessed_form_present_but_not_constrained() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let san = SanType::OtherName((
            vec![1, 2, 3, 5],
            rcgen::OtherNameValue::Utf8String("y".into()),
        ));
        let ee = leaf(&leaf_cn("Alice"), vec![san, dns("a.example.com")]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    /// permittedSubtrees [0] { GeneralSubtree { x400Address [3] { } } }: x509-cert 0.2 cannot
    /// decode this base, this module still reads the extension.
    const X400_PERMITTED: &[u8] = &[0x30, 0x06, 0xA0, 0x04, 0x30, 0x02, 0xA3, 0x00];

    #[test]
    fn ok_x400_constraint_without_x400_names() {
        assert!(NameConstraints::from_der(X400_PERMITTED).is_err());
        let ca = ca_raw(X400_PERMITTED.to_vec());
        let ee = leaf(&leaf_cn("Alice"), vec![dns("example.com")]);
        assert_eq!(check(&[&ca, &ee]), Ok(()));
    }

    #[test]
    fn fail_x400_name_below_x400_constraint() {
        let ca = ca_raw(X400_PERMITTED.to_vec());
        let mut params = CertificateParams::default();
        // GeneralNames { x400Address [3] { } }
        params.custom_extensions = vec![CustomExtension::from_oid_content(
            SUBJECT_ALT_NAME,
            vec![0x30, 0x02, 0xA3, 0x00],
        )];
        let ee = issue(params, &leaf_cn("Alice"), CA);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                1,
                "subject alternative name x400Address (not processed): the x400Address form \
                 cannot be processed and certificate 0 constrains it"
            )
        );
    }

    #[test]
    fn fail_garbage_name_constraints() {
        let ca = ca_raw(vec![0x30, 0x05, 0xA0]);
        let ee = leaf(&leaf_cn("Alice"), vec![]);
        let err = check(&[&ca, &ee]).unwrap_err();
        assert_eq!(err.index, 0);
        assert!(
            err.detail
                .starts_with("name constraints extension is malformed: "),
            "{err:?}"
        );
        // Garbage in every prefix of a valid value: an error or a smaller valid value, no panic.
        let full = nc_der(Some(vec![gn_uri(".example.kz")]), None);
        for cut in 0..full.len() {
            let ca = ca_raw(full[..cut].to_vec());
            assert_eq!(check(&[&ca, &ee]).map_err(|e| e.index), Err(0), "{cut}");
        }
    }

    #[test]
    fn fail_minimum_or_maximum_set() {
        let base = GeneralName::DnsName(Ia5String::new("example.com").unwrap());
        for (minimum, maximum) in [(1, None), (0, Some(3))] {
            let der = NameConstraints {
                permitted_subtrees: Some(vec![GeneralSubtree {
                    base: base.clone(),
                    minimum,
                    maximum,
                }]),
                excluded_subtrees: None,
            }
            .to_der()
            .unwrap();
            let ca = ca_raw(der);
            let ee = leaf(&leaf_cn("Alice"), vec![dns("example.com")]);
            assert_eq!(
                check(&[&ca, &ee]),
                violation(
                    0,
                    &format!(
                        "name constraints extension is malformed: permitted subtree has minimum \
                         {minimum} and maximum {maximum:?} (must be 0 and absent)"
                    )
                )
            );
        }
    }

    #[test]
    fn fail_empty_subtree_list() {
        let ca = ca_raw(nc_der(None, Some(vec![])));
        let ee = leaf(&leaf_cn("Alice"), vec![]);
        assert_eq!(
            check(&[&ca, &ee]),
            violation(
                0,
                "name constraints extension is malformed: excluded subtrees are an empty list"
            )
        );
    }

    #[test]
    fn fail_undecodable_subject_alt_name_under_constraints() {
        let ca = ca(vec![Gs::DnsName("example.com".into())], vec![]);
        let mut params = CertificateParams::default();
        params.custom_extensions = vec![CustomExtension::from_oid_content(
            SUBJECT_ALT_NAME,
            vec![0x30, 0x03, 0x82],
        )];
        let ee = issue(params, &leaf_cn("Alice"), CA);
        let err = check(&[&ca, &ee]).unwrap_err();
        assert_eq!(err.index, 1);
        assert!(
            err.detail
                .starts_with("subject alternative name does not decode: "),
            "{err:?}"
        );
    }

    // NIST PKITS 4.13

    /// Every case of PKITS 4.13 (name constraints): the path passes exactly when the case is
    /// valid, and an invalid one fails at the end entity, on the form the case is about.
    #[test]
    fn ok_pkits_4_13_name_constraints() {
        let cases = pkits::section("413");
        assert_eq!(cases.len(), 38);
        for case in cases {
            let path = pkits::path(case).unwrap_or_else(|| panic!("{}: no path", case.id));
            let refs: Vec<&Cert> = path.iter().collect();
            let result = check_name_constraints(&refs);
            if case.valid {
                assert_eq!(result, Ok(()), "{} {}", case.id, case.ee);
                continue;
            }
            let err = result.expect_err(case.id);
            assert_eq!(err.index, path.len() - 1, "{}: {}", case.id, err.detail);
            let form = if case.ee.contains("RFC822") {
                "rfc822Name"
            } else if case.ee.contains("DNSname") {
                "dNSName"
            } else if case.ee.contains("URI") {
                "uniformResourceIdentifier"
            } else {
                "directoryName"
            };
            assert!(err.detail.contains(form), "{}: {}", case.id, err.detail);
        }
    }
}
