//! PKCS#11 URIs (RFC 7512): which module, which token, which object.
//!
//! The form read here is `pkcs11:` followed by path attributes separated by `;` and, after `?`,
//! query attributes separated by `&` (RFC 7512 §2.3). Values are percent-encoded (§2.3,
//! `pk11-pchar`). The attributes a key needs:
//!
//! | attribute | part | meaning |
//! |---|---|---|
//! | `token` | path | the token's label (CKA_LABEL of the token, §2.3) |
//! | `serial` | path | the token's serial number, when two tokens share a label |
//! | `object` | path | the key's label (CKA_LABEL) |
//! | `id` | path | the key's CKA_ID, percent-encoded bytes |
//! | `type` | path | `private` (or `public`/`cert`: the key pair is found from either) |
//! | `module-path` | query | the module (shared library) to load (§2.3, query attributes) |
//!
//! `module-path` is also accepted among the path attributes, where it is often written. A PIN
//! (`pin-value`, `pin-source`) is refused: the URI is recorded in the center's configuration,
//! and the PIN comes from a file or the environment, never from a file others may read.
//! Library attributes (`library-manufacturer`, …) and `slot-*` are ignored; `x-` vendor
//! attributes too (§2.3: a consumer ignores what it does not understand of them); any other
//! attribute is refused, so a typing error does not select another key.

use std::fmt;
use std::path::PathBuf;

use crate::TokenError;

/// A parsed PKCS#11 URI naming a key on a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyUri {
    /// The token's label.
    pub token: Option<String>,
    /// The token's serial number.
    pub serial: Option<String>,
    /// The object's label (CKA_LABEL).
    pub object: Option<String>,
    /// The object's CKA_ID.
    pub id: Option<Vec<u8>>,
    /// The module to load.
    pub module_path: Option<PathBuf>,
}

impl KeyUri {
    /// Parses `text` (RFC 7512 §2.3).
    pub fn parse(text: &str) -> Result<Self, TokenError> {
        let bad = |reason: String| TokenError::BadUri {
            uri: text.to_owned(),
            reason,
        };
        let rest = text
            .strip_prefix("pkcs11:")
            .ok_or_else(|| bad("a PKCS#11 URI starts with `pkcs11:` (RFC 7512)".into()))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = KeyUri::default();
        let attributes = path
            .split(';')
            .map(|a| (a, ';'))
            .chain(query.split('&').map(|a| (a, '&')));
        for (attribute, _) in attributes.filter(|(a, _)| !a.is_empty()) {
            let (name, value) = attribute
                .split_once('=')
                .ok_or_else(|| bad(format!("attribute `{attribute}` has no `=`")))?;
            let bytes = percent_decode(value)
                .ok_or_else(|| bad(format!("attribute `{name}`: a bad percent-encoding")))?;
            let text_value = || {
                String::from_utf8(bytes.clone())
                    .map_err(|_| bad(format!("attribute `{name}` is not UTF-8")))
            };
            let slot = match name {
                "token" => &mut uri.token,
                "serial" => &mut uri.serial,
                "object" => &mut uri.object,
                "id" => {
                    if uri.id.replace(bytes.clone()).is_some() {
                        return Err(bad("attribute `id` given twice".into()));
                    }
                    continue;
                }
                "module-path" => {
                    if uri.module_path.replace(text_value()?.into()).is_some() {
                        return Err(bad("attribute `module-path` given twice".into()));
                    }
                    continue;
                }
                "type" => match value {
                    "private" | "public" | "cert" => continue,
                    other => {
                        return Err(bad(format!(
                            "type={other}: a key is named by type=private (or public, cert)"
                        )));
                    }
                },
                "pin-value" | "pin-source" => {
                    return Err(bad(format!(
                        "`{name}`: the URI is recorded in the center's configuration, so it never holds the PIN; give the PIN with --pin-file or EDS_PKCS11_PIN"
                    )));
                }
                n if n.starts_with("x-")
                    || n.starts_with("library-")
                    || n.starts_with("slot-")
                    || matches!(n, "manufacturer" | "model" | "module-name") =>
                {
                    continue;
                }
                other => return Err(bad(format!("unknown attribute `{other}`"))),
            };
            if slot.replace(text_value()?).is_some() {
                return Err(bad(format!("attribute `{name}` given twice")));
            }
        }
        Ok(uri)
    }

    /// The same token and module, the object labelled `label` (any `id` dropped).
    pub fn with_object(&self, label: &str) -> Self {
        Self {
            object: Some(label.to_owned()),
            id: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for KeyUri {
    /// The URI in the form [`KeyUri::parse`] reads (path attributes, then `module-path` as a
    /// query attribute).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut path = Vec::new();
        if let Some(t) = &self.token {
            path.push(format!("token={}", percent_encode(t.as_bytes())));
        }
        if let Some(s) = &self.serial {
            path.push(format!("serial={}", percent_encode(s.as_bytes())));
        }
        if let Some(o) = &self.object {
            path.push(format!("object={}", percent_encode(o.as_bytes())));
        }
        if let Some(id) = &self.id {
            let hex: String = id.iter().map(|b| format!("%{b:02x}")).collect();
            path.push(format!("id={hex}"));
        }
        write!(f, "pkcs11:{}", path.join(";"))?;
        if let Some(m) = &self.module_path {
            write!(
                f,
                "?module-path={}",
                percent_encode(m.to_string_lossy().as_bytes())
            )?;
        }
        Ok(())
    }
}

/// RFC 3986 §2.1 percent-decoding; `None` for a `%` not followed by two hex digits.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Some(out)
}

/// Percent-encodes all but RFC 7512's unreserved characters and `/` (a path reads as one).
fn percent_encode(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_rfc7512_example_attributes_and_round_trip() {
        let uri = KeyUri::parse(
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;object=my-key;id=%01%02;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("The Software PKCS#11 Softtoken"));
        assert_eq!(uri.object.as_deref(), Some("my-key"));
        assert_eq!(uri.id, Some(vec![1, 2]));
        assert_eq!(
            uri.module_path,
            Some(PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"))
        );
        assert_eq!(KeyUri::parse(&uri.to_string()).unwrap(), uri);
        let in_path = KeyUri::parse("pkcs11:token=a;module-path=/m.so").unwrap();
        assert_eq!(in_path.module_path, Some(PathBuf::from("/m.so")));
    }

    #[test]
    fn fail_pin_unknown_attribute_bad_encoding_and_scheme() {
        for (text, says) in [
            ("pkcs11:token=a?pin-value=1234", "never holds the PIN"),
            ("pkcs11:token=a;colour=red", "unknown attribute `colour`"),
            ("pkcs11:object=%zz", "bad percent-encoding"),
            ("pkcs11:object=%4", "bad percent-encoding"),
            ("pkcs11:token=a;token=b", "given twice"),
            ("file:key.pem", "starts with `pkcs11:`"),
            ("pkcs11:token", "has no `=`"),
        ] {
            match KeyUri::parse(text) {
                Err(TokenError::BadUri { uri, reason }) => {
                    assert_eq!(uri, text);
                    assert!(reason.contains(says), "{text}: {reason}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }
}
