//! The center's configuration: its name, key algorithm, validity periods and published URLs.
//!
//! EDS law art. 15.1(6): a certificate carries the requisites of its center — here the issuer
//! name, and the CRL distribution point and authority information access URLs built from
//! [`CenterConfig::base_url`].

use serde::{Deserialize, Serialize};

use crate::error::CaError;
use crate::keys::KeyAlgorithm;

/// Longest CRL validity the law allows: the register changes within one day of notification
/// (EDS law art. 18.3), so a CRL's nextUpdate is at most 24 hours after its thisUpdate.
pub const MAX_CRL_VALIDITY_HOURS: u32 = 24;

/// Configuration written to `center.json` by `eds ca init`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CenterConfig {
    /// Display name of the center, used in the CA subjects (`CN=<name> ROOT`, `CN=<name>`).
    pub name: String,
    /// Key algorithm of the root and issuing centers.
    pub algorithm: KeyAlgorithm,
    /// Base URL at which `eds serve` publishes CRLs, CA certificates and OCSP.
    pub base_url: String,
    /// Validity of the root certificate, in days.
    pub root_validity_days: u32,
    /// Validity of the issuing center's certificate, in days.
    pub issuing_validity_days: u32,
    /// Validity of an owner's registration certificate, in days (art. 15.1(1)).
    pub leaf_validity_days: u32,
    /// Hours between a CRL's thisUpdate and nextUpdate (at most 24, art. 18.3).
    pub crl_validity_hours: u32,
    /// Which owners' public keys the center certifies (art. 21.1); the defaults when absent, so
    /// that a `center.json` written before this field existed still reads.
    #[serde(default)]
    pub key_policy: KeyPolicy,
    /// Where the register lives (`sqlite:PATH`, a relative path inside the data folder, or
    /// `postgres://…`); absent means [`crate::store::RegisterUrl::DEFAULT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub register: Option<String>,
    /// Where the center's private keys live: absent, encrypted PKCS#8 files in the data folder
    /// (unlocked by the passphrase); present, a PKCS#11 token (unlocked by its PIN; the keys
    /// never leave it, see [`crate::center_key`]). Never holds a PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_keys: Option<TokenKeys>,
}

/// The PKCS#11 URIs (RFC 7512) of the center's four keys, all on one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenKeys {
    /// The root center's key.
    pub root: String,
    /// The issuing center's key.
    pub issuing: String,
    /// The delegated OCSP signer's key (a new one on the token at each renewal).
    pub ocsp: String,
    /// The timestamp authority's key (likewise).
    pub tsa: String,
}

impl TokenKeys {
    /// The four URIs under the token URI `base` (`pkcs11:token=…`, with `module-path` when the
    /// module is not the default): objects `root`, `issuing`, `ocsp`, `tsa`, or, when `base`
    /// names an object `P`, `P-root`, `P-issuing`, … (two centers on one token).
    pub fn under(base: &str) -> Result<Self, CaError> {
        let uri = eds_pkcs11::KeyUri::parse(base)?;
        if uri.id.is_some() {
            return Err(CaError::Config {
                reason: format!(
                    "{base}: the center's keys are named by object= (a prefix), not id=; the center gives each key its own"
                ),
            });
        }
        let name = |role: &str| match &uri.object {
            Some(prefix) => uri.with_object(&format!("{prefix}-{role}")).to_string(),
            None => uri.with_object(role).to_string(),
        };
        Ok(Self {
            root: name("root"),
            issuing: name("issuing"),
            ocsp: name("ocsp"),
            tsa: name("tsa"),
        })
    }
}

/// The public keys the center certifies for owners (EDS law art. 21.1: the center confirms the
/// ownership of a public key, which a weak key or a broken proof of possession cannot support).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeyPolicy {
    /// The shortest RSA modulus accepted, in bits (NIST SP 800-131A: 2048).
    pub min_rsa_bits: u32,
    /// The key types accepted; an RSA key must also reach [`KeyPolicy::min_rsa_bits`].
    pub allowed: Vec<AllowedKey>,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self {
            min_rsa_bits: 2048,
            allowed: vec![
                AllowedKey::Rsa,
                AllowedKey::P256,
                AllowedKey::P384,
                AllowedKey::Ed25519,
            ],
        }
    }
}

impl KeyPolicy {
    /// Adds the GOST owner keys a center of `algorithm` certifies besides the defaults: a
    /// national-profile center its own kind, a TC26 center both TC26 sizes (what OpenSSL's GOST
    /// engine makes). Nothing for the other algorithms.
    pub fn allow_gost_of(&mut self, algorithm: crate::keys::KeyAlgorithm) {
        use crate::keys::KeyAlgorithm;
        let add: &[AllowedKey] = match algorithm {
            KeyAlgorithm::Gost2015_512 => &[AllowedKey::Gost2015_512],
            KeyAlgorithm::Gost2012_256Tc26 | KeyAlgorithm::Gost2012_512Tc26 => {
                &[AllowedKey::Gost2012_256Tc26, AllowedKey::Gost2012_512Tc26]
            }
            KeyAlgorithm::P256 | KeyAlgorithm::P384 | KeyAlgorithm::Ed25519 => &[],
        };
        for key in add {
            if !self.allowed.contains(key) {
                self.allowed.push(*key);
            }
        }
    }

    /// The accepted key types as a message lists them: `RSA (2048 bits or more), P-256, …`.
    pub fn describe(&self) -> String {
        self.allowed
            .iter()
            .map(|a| match a {
                AllowedKey::Rsa => format!("RSA ({} bits or more)", self.min_rsa_bits),
                other => other.name().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A key type the center may certify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum AllowedKey {
    /// RSA (RFC 8017), `rsaEncryption` keys of at least [`KeyPolicy::min_rsa_bits`].
    Rsa,
    /// ECDSA on NIST P-256 (`secp256r1`, RFC 5480 §2.1.1.1).
    #[serde(rename = "p-256")]
    P256,
    /// ECDSA on NIST P-384 (`secp384r1`, RFC 5480 §2.1.1.1).
    #[serde(rename = "p-384")]
    P384,
    /// ECDSA on NIST P-521 (`secp521r1`, RFC 5480 §2.1.1.1); not accepted by default.
    #[serde(rename = "p-521")]
    P521,
    /// Ed25519 (RFC 8410 §3).
    Ed25519,
    /// GOST 34.10-2015 512 bits in the national center's profile (key `1.2.398.3.10.1.1.2.2`);
    /// not accepted by default, added by `eds ca init --algorithm gost2015-512`.
    #[serde(rename = "gost2015-512")]
    Gost2015_512,
    /// GOST R 34.10-2012 256 bits under the TC26 identifiers (key `1.2.643.7.1.1.1.1`, RFC
    /// 9215 §3) on one of the TC26 or CryptoPro 256-bit curves the verifier knows; not accepted
    /// by default, added by `eds ca init --algorithm gost2012-256-tc26`.
    #[serde(rename = "gost2012-256-tc26")]
    Gost2012_256Tc26,
    /// GOST R 34.10-2012 512 bits under the TC26 identifiers (key `1.2.643.7.1.1.1.2`) on a
    /// TC26 512-bit curve; not accepted by default, added by `eds ca init --algorithm
    /// gost2012-512-tc26`.
    #[serde(rename = "gost2012-512-tc26")]
    Gost2012_512Tc26,
}

impl AllowedKey {
    /// The name messages use (`RSA`, `P-256`, `P-384`, `P-521`, `Ed25519`, `GOST 2015-512`,
    /// `GOST 2012-256 (TC26)`, `GOST 2012-512 (TC26)`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::P256 => "P-256",
            Self::P384 => "P-384",
            Self::P521 => "P-521",
            Self::Ed25519 => "Ed25519",
            Self::Gost2015_512 => "GOST 2015-512",
            Self::Gost2012_256Tc26 => "GOST 2012-256 (TC26)",
            Self::Gost2012_512Tc26 => "GOST 2012-512 (TC26)",
        }
    }
}

impl Default for CenterConfig {
    fn default() -> Self {
        Self {
            name: "EDS TEST CA".to_owned(),
            algorithm: KeyAlgorithm::P256,
            base_url: "http://127.0.0.1:8080".to_owned(),
            root_validity_days: 20 * 365,
            issuing_validity_days: 10 * 365,
            leaf_validity_days: 365,
            crl_validity_hours: 24,
            key_policy: KeyPolicy::default(),
            register: None,
            token_keys: None,
        }
    }
}

impl CenterConfig {
    /// Checks the limits the law and RFC 5280 put on the configuration.
    pub fn validate(&self) -> Result<(), CaError> {
        let bad = |reason: String| Err(CaError::Config { reason });
        if self.name.trim().is_empty() {
            return bad("name must not be empty".into());
        }
        if self.crl_validity_hours == 0 || self.crl_validity_hours > MAX_CRL_VALIDITY_HOURS {
            return bad(format!(
                "crl_validity_hours is {}, must be 1..={MAX_CRL_VALIDITY_HOURS} (EDS law art. 18.3)",
                self.crl_validity_hours
            ));
        }
        if self.leaf_validity_days == 0 || self.leaf_validity_days > self.issuing_validity_days {
            return bad("leaf_validity_days must be 1..=issuing_validity_days".into());
        }
        if self.key_policy.allowed.is_empty() {
            return bad("key_policy.allowed must name at least one key type".into());
        }
        if self.key_policy.min_rsa_bits < 2048 {
            return bad(format!(
                "key_policy.min_rsa_bits is {}, must be at least 2048 (NIST SP 800-131A)",
                self.key_policy.min_rsa_bits
            ));
        }
        if let Some(keys) = &self.token_keys {
            if !matches!(self.algorithm, KeyAlgorithm::P256 | KeyAlgorithm::P384) {
                return bad(format!(
                    "{} keys cannot be kept in a PKCS#11 token: a token holds P-256 or P-384 center keys (GOST keys stay in encrypted files; choose --algorithm p256 or p384)",
                    self.algorithm.as_str()
                ));
            }
            for uri in [&keys.root, &keys.issuing, &keys.ocsp, &keys.tsa] {
                eds_pkcs11::KeyUri::parse(uri)?;
            }
        }
        if self.issuing_validity_days > self.root_validity_days {
            return bad("issuing_validity_days must not exceed root_validity_days".into());
        }
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://"))
            || !self.base_url.is_ascii()
        {
            return bad(format!(
                "base_url {:?} must be an ASCII http(s) URL",
                self.base_url
            ));
        }
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.trim_end_matches('/'))
    }

    /// Where the CRL of the given issuer (`root` or `issuing`) is published.
    pub fn crl_url(&self, issuer: &str) -> String {
        self.url(&format!("crl/{issuer}.crl"))
    }

    /// Where the certificate of the given CA (`root` or `issuing`) is published.
    pub fn ca_cert_url(&self, issuer: &str) -> String {
        self.url(&format!("cert/{issuer}.cer"))
    }

    /// The OCSP responder's URL.
    pub fn ocsp_url(&self) -> String {
        self.url("ocsp")
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use super::*;

    #[test]
    fn ok_default_is_valid_and_urls_are_joined() {
        let c = CenterConfig {
            base_url: "http://ca.test/".into(),
            ..CenterConfig::default()
        };
        c.validate().unwrap();
        assert_eq!(c.crl_url("issuing"), "http://ca.test/crl/issuing.crl");
        assert_eq!(c.ca_cert_url("root"), "http://ca.test/cert/root.cer");
        assert_eq!(c.ocsp_url(), "http://ca.test/ocsp");
    }

    #[test]
    fn fail_crl_validity_over_a_day() {
        let c = CenterConfig {
            crl_validity_hours: 25,
            ..CenterConfig::default()
        };
        assert_eq!(
            c.validate(),
            Err(CaError::Config {
                reason: "crl_validity_hours is 25, must be 1..=24 (EDS law art. 18.3)".into()
            })
        );
    }

    #[test]
    fn ok_center_json_without_key_policy_reads_the_defaults() {
        let mut json = serde_json::to_value(CenterConfig::default()).unwrap();
        json.as_object_mut().unwrap().remove("key_policy");
        let c: CenterConfig = serde_json::from_value(json).unwrap();
        assert_eq!(c.key_policy, KeyPolicy::default());
        assert_eq!(
            c.key_policy.describe(),
            "RSA (2048 bits or more), P-256, P-384, Ed25519"
        );
        let p: KeyPolicy = serde_json::from_str(r#"{"allowed": ["p-256", "p-521"]}"#).unwrap();
        assert_eq!(p.allowed, [AllowedKey::P256, AllowedKey::P521]);
        assert_eq!(p.min_rsa_bits, 2048);
    }

    #[test]
    fn fail_key_policy_below_2048_bits_or_empty() {
        let c = CenterConfig {
            key_policy: KeyPolicy {
                min_rsa_bits: 1024,
                ..KeyPolicy::default()
            },
            ..CenterConfig::default()
        };
        assert_eq!(
            c.validate(),
            Err(CaError::Config {
                reason: "key_policy.min_rsa_bits is 1024, must be at least 2048 (NIST SP 800-131A)"
                    .into()
            })
        );
        let c = CenterConfig {
            key_policy: KeyPolicy {
                allowed: Vec::new(),
                ..KeyPolicy::default()
            },
            ..CenterConfig::default()
        };
        assert_eq!(
            c.validate(),
            Err(CaError::Config {
                reason: "key_policy.allowed must name at least one key type".into()
            })
        );
    }
}
