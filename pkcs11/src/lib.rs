//! Keys that never leave a PKCS#11 token (a smart card, a USB token, an HSM, SoftHSM2 in the
//! tests): named by an RFC 7512 URI ([`KeyUri`]), generated on the token ([`TokenKey::generate`]:
//! `C_GenerateKeyPair` with CKA_SENSITIVE and CKA_EXTRACTABLE false, so the private value cannot
//! be read out) or found there ([`TokenKey::open`]), and signing by `C_Sign` with `CKM_ECDSA`
//! over a digest computed here ([`TokenKey::sign`]), the token's `r‖s` turned into the DER
//! `ECDSA-Sig-Value` X.509 and CMS carry (RFC 5480 §2.2 and RFC 3279 §2.2.3).
//!
//! Only ECDSA on P-256 and P-384 is supported: the center's keys are of these curves, and a
//! GOST key has no standard PKCS#11 mechanism in the modules this project tests with.
//!
//! A module (the shared library) is loaded and initialised once per process and kept for its
//! life ([`TokenKey::open`] and friends share it); each key holds its own logged-in session.
//! The PIN is used to log in and is not kept.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::Encode;
use der::asn1::{BitString, ObjectIdentifier, UintRef};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use zeroize::Zeroizing;

pub use uri::KeyUri;

mod uri;

/// Where the module is looked for when neither the URI's `module-path` nor
/// `EDS_PKCS11_MODULE` names one: Debian's SoftHSM2 (package `softhsm2`).
pub const DEFAULT_MODULES: [&str; 2] = [
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
];

/// Why a token key could not be found, made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The URI is not a PKCS#11 URI this crate reads (RFC 7512 §2.3).
    #[error("read PKCS#11 URI {uri}: {reason}")]
    BadUri {
        /// The URI as given.
        uri: String,
        /// What is wrong.
        reason: String,
    },
    /// No module named and none found at the usual places.
    #[error(
        "find a PKCS#11 module: none named (add `?module-path=/path/to/module.so` to the URI or set EDS_PKCS11_MODULE) and none at {}",
        DEFAULT_MODULES.join(", ")
    )]
    NoModule,
    /// The module could not be loaded or initialised.
    #[error("load PKCS#11 module {path}: {reason}")]
    Module {
        /// The module's path.
        path: String,
        /// The loader's or the module's message.
        reason: String,
    },
    /// No token of that label (and serial) is present.
    #[error("find token {token}: no such token in {module} (present: {present})")]
    TokenNotFound {
        /// The label asked for.
        token: String,
        /// The module searched.
        module: String,
        /// The labels of the tokens present, comma-separated.
        present: String,
    },
    /// Several tokens match and the URI does not say which.
    #[error("find token: {count} tokens match {uri}; name one with token= (and serial=)")]
    AmbiguousToken {
        /// The URI.
        uri: String,
        /// How many match.
        count: usize,
    },
    /// The PIN is wrong (CKR_PIN_INCORRECT).
    #[error("log in to token {token}: wrong PIN")]
    WrongPin {
        /// The token's label.
        token: String,
    },
    /// The PIN is locked after too many wrong attempts (CKR_PIN_LOCKED).
    #[error(
        "log in to token {token}: the PIN is locked (too many wrong PINs); the security officer must unlock it"
    )]
    PinLocked {
        /// The token's label.
        token: String,
    },
    /// No private key on the token matches the URI (or the certificate's public key).
    #[error("find key {uri}: no such private key on the token")]
    ObjectNotFound {
        /// The URI.
        uri: String,
    },
    /// Several private keys match the URI.
    #[error("find key {uri}: {count} private keys match; name one with object= or id=")]
    AmbiguousObject {
        /// The URI.
        uri: String,
        /// How many match.
        count: usize,
    },
    /// The key is of a kind this crate does not sign with.
    #[error("use key {uri}: {reason}")]
    UnsupportedKey {
        /// The URI.
        uri: String,
        /// What kind it is and what is supported.
        reason: String,
    },
    /// A PKCS#11 call failed.
    #[error("{function} on token {token}: {reason}")]
    Call {
        /// The PKCS#11 function.
        function: String,
        /// The token's label.
        token: String,
        /// The return value's name and meaning.
        reason: String,
    },
}

/// The curves a token key may be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256 (secp256r1), signed with SHA-256.
    P256,
    /// NIST P-384 (secp384r1), signed with SHA-384.
    P384,
}

impl Curve {
    /// The namedCurve OID (RFC 5480 §2.1.1.1).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
            Self::P384 => ObjectIdentifier::new_unwrap("1.3.132.0.34"),
        }
    }

    /// The ecdsa-with-SHA* signature OID paired with the curve (RFC 5758 §3.2).
    pub fn signature_oid(self) -> ObjectIdentifier {
        match self {
            Self::P256 => ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
            Self::P384 => ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3"),
        }
    }

    /// Octets of one coordinate (and of `r` and `s`).
    fn size(self) -> usize {
        match self {
            Self::P256 => 32,
            Self::P384 => 48,
        }
    }

    fn digest(self) -> &'static ring::digest::Algorithm {
        match self {
            Self::P256 => &ring::digest::SHA256,
            Self::P384 => &ring::digest::SHA384,
        }
    }

    fn of_params(params: &[u8]) -> Option<Self> {
        [Self::P256, Self::P384]
            .into_iter()
            .find(|c| c.oid().to_der().is_ok_and(|d| d == params))
    }
}

/// A private key on a token, with a logged-in session to sign through.
pub struct TokenKey {
    uri: KeyUri,
    token: String,
    session: Mutex<Session>,
    key: ObjectHandle,
    curve: Curve,
    point: Vec<u8>,
    spki: Vec<u8>,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKey")
            .field("uri", &self.uri.to_string())
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl TokenKey {
    /// The one private key the URI names (by `object` and/or `id`), after logging in with `pin`.
    pub fn open(uri: &KeyUri, pin: &[u8]) -> Result<Self, TokenError> {
        let (session, token) = login(uri, pin)?;
        let mut found = find_private_keys(&session, uri, &token)?;
        match found.len() {
            0 => Err(TokenError::ObjectNotFound {
                uri: uri.to_string(),
            }),
            1 => {
                let key = found.swap_remove(0);
                Self::from_handle(uri, token, session, key)
            }
            count => Err(TokenError::AmbiguousObject {
                uri: uri.to_string(),
                count,
            }),
        }
    }

    /// Of the private keys the URI names, the one whose public key is `spki` (DER): how a
    /// center finds the key of its certificate, whatever older keys of the same label the
    /// token still holds. [`TokenError::ObjectNotFound`] when none is.
    pub fn open_matching(uri: &KeyUri, pin: &[u8], spki: &[u8]) -> Result<Self, TokenError> {
        let (session, token) = login(uri, pin)?;
        let found = find_private_keys(&session, uri, &token)?;
        let mut session = Some(session);
        for key in found {
            let Some(s) = session.take() else { break };
            let (curve, point) = match public_point(&s, key, &token, uri) {
                Ok(p) => p,
                Err(TokenError::UnsupportedKey { .. } | TokenError::ObjectNotFound { .. }) => {
                    session = Some(s);
                    continue;
                }
                Err(e) => return Err(e),
            };
            if spki_der(curve, &point, uri)? == spki {
                return Self::from_handle(uri, token, s, key);
            }
            session = Some(s);
        }
        Err(TokenError::ObjectNotFound {
            uri: uri.to_string(),
        })
    }

    /// Generates a key pair on the token (`C_GenerateKeyPair`, CKM_EC_KEY_PAIR_GEN): both
    /// objects permanent (CKA_TOKEN), labelled with the URI's `object` and identified by `id`;
    /// the private key CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE, for signing only.
    pub fn generate(uri: &KeyUri, pin: &[u8], curve: Curve, id: &[u8]) -> Result<Self, TokenError> {
        let (session, token) = login(uri, pin)?;
        let label = uri.object.clone().unwrap_or_default().into_bytes();
        let params = curve.oid().to_der().map_err(|e| TokenError::Call {
            function: "C_GenerateKeyPair".into(),
            token: token.clone(),
            reason: format!("curve parameters: {e}"),
        })?;
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(params),
            Attribute::Label(label.clone()),
            Attribute::Id(id.to_vec()),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            Attribute::Derive(false),
            Attribute::Label(label),
            Attribute::Id(id.to_vec()),
        ];
        let (_, key) = session
            .generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private)
            .map_err(|e| call_error("C_GenerateKeyPair", &token, e))?;
        let uri = KeyUri {
            id: Some(id.to_vec()),
            ..uri.clone()
        };
        Self::from_handle(&uri, token, session, key)
    }

    /// The URI of this key.
    pub fn uri(&self) -> &KeyUri {
        &self.uri
    }

    /// The curve.
    pub fn curve(&self) -> Curve {
        self.curve
    }

    /// The SubjectPublicKeyInfo, DER (RFC 5480 §2).
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The public key as the SubjectPublicKeyInfo's BIT STRING holds it (the uncompressed point).
    pub fn public_point(&self) -> &[u8] {
        &self.point
    }

    /// The signature AlgorithmIdentifier (ecdsa-with-SHA256/384, parameters absent; RFC 5758
    /// §3.2).
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.curve.signature_oid(),
            parameters: None,
        }
    }

    /// Hashes `message` with the curve's digest and signs the digest on the token; the DER
    /// `ECDSA-Sig-Value`.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TokenError> {
        let digest = ring::digest::digest(self.curve.digest(), message);
        self.sign_digest(digest.as_ref())
    }

    /// Signs a digest computed by the caller (`C_Sign`, CKM_ECDSA); the DER `ECDSA-Sig-Value`.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>, TokenError> {
        let session = self.session()?;
        let raw = session
            .sign(&Mechanism::Ecdsa, self.key, digest)
            .map_err(|e| call_error("C_Sign", &self.token, e))?;
        drop(session);
        ecdsa_der(&raw, self.curve.size()).ok_or_else(|| TokenError::Call {
            function: "C_Sign".into(),
            token: self.token.clone(),
            reason: format!(
                "the token gave a {}-octet signature, not r‖s of {} octets each",
                raw.len(),
                self.curve.size()
            ),
        })
    }

    /// Whether the token vouches that the private key never left it: CKA_SENSITIVE and
    /// CKA_ALWAYS_SENSITIVE true, CKA_EXTRACTABLE false and CKA_NEVER_EXTRACTABLE true (PKCS#11
    /// v2.40 §4.9), as [`TokenKey::generate`] makes them.
    pub fn never_left_token(&self) -> Result<bool, TokenError> {
        let session = self.session()?;
        let attrs = session
            .get_attributes(
                self.key,
                &[
                    AttributeType::Sensitive,
                    AttributeType::AlwaysSensitive,
                    AttributeType::Extractable,
                    AttributeType::NeverExtractable,
                ],
            )
            .map_err(|e| call_error("C_GetAttributeValue", &self.token, e))?;
        let mut held = 0;
        for attr in attrs {
            match attr {
                Attribute::Sensitive(true)
                | Attribute::AlwaysSensitive(true)
                | Attribute::Extractable(false)
                | Attribute::NeverExtractable(true) => held += 1,
                _ => {}
            }
        }
        Ok(held == 4)
    }

    /// Stores `certificate` (DER) on the token beside the key: a permanent CKO_CERTIFICATE
    /// object (X.509) of the key's CKA_ID and label, its CKA_SUBJECT copied from the
    /// certificate, so [`TokenKey::certificate`] (and `eds sign --pkcs11` without `--cert`)
    /// finds it.
    pub fn store_certificate(&self, certificate: &[u8]) -> Result<(), TokenError> {
        use der::Decode;
        let bad = |e: der::Error| TokenError::Call {
            function: "C_CreateObject".into(),
            token: self.token.clone(),
            reason: format!("not an X.509 certificate: {e}"),
        };
        let parsed = x509_cert::Certificate::from_der(certificate).map_err(bad)?;
        let subject = parsed.tbs_certificate.subject.to_der().map_err(bad)?;
        let session = self.session()?;
        let mut template = vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(cryptoki::object::CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Subject(subject),
            Attribute::Value(certificate.to_vec()),
        ];
        let attrs = session
            .get_attributes(self.key, &[AttributeType::Id, AttributeType::Label])
            .map_err(|e| call_error("C_GetAttributeValue", &self.token, e))?;
        template.extend(
            attrs
                .into_iter()
                .filter(|a| matches!(a, Attribute::Id(v) | Attribute::Label(v) if !v.is_empty())),
        );
        session
            .create_object(&template)
            .map_err(|e| call_error("C_CreateObject", &self.token, e))?;
        Ok(())
    }

    /// Destroys the key on the token (`C_DestroyObject`, PKCS#11 v2.40 §5.7): the public key
    /// objects of the key's CKA_ID first (they are how [`TokenKey::open_matching`] tells keys
    /// apart), then the private key. A key without a CKA_ID loses its private object only (its
    /// label may be shared with other keys). Returns how many objects were destroyed. Used when
    /// a center's service key is replaced, so the token does not keep signing keys that no
    /// certificate names.
    pub fn destroy(self) -> Result<usize, TokenError> {
        let session = self.session()?;
        let id = session
            .get_attributes(self.key, &[AttributeType::Id])
            .map_err(|e| call_error("C_GetAttributeValue", &self.token, e))?
            .into_iter()
            .find_map(|a| match a {
                Attribute::Id(id) if !id.is_empty() => Some(id),
                _ => None,
            });
        let mut destroyed = 0;
        if let Some(id) = id {
            let publics = session
                .find_objects(&[Attribute::Class(ObjectClass::PUBLIC_KEY), Attribute::Id(id)])
                .map_err(|e| call_error("C_FindObjects", &self.token, e))?;
            for public in publics {
                session
                    .destroy_object(public)
                    .map_err(|e| call_error("C_DestroyObject", &self.token, e))?;
                destroyed += 1;
            }
        }
        session
            .destroy_object(self.key)
            .map_err(|e| call_error("C_DestroyObject", &self.token, e))?;
        Ok(destroyed + 1)
    }

    /// The certificate (DER) stored on the token beside the key: a CKO_CERTIFICATE object of
    /// the key's CKA_ID, else of its label; `None` when the token holds none.
    pub fn certificate(&self) -> Result<Option<Vec<u8>>, TokenError> {
        let session = self.session()?;
        let attrs = session
            .get_attributes(self.key, &[AttributeType::Id, AttributeType::Label])
            .map_err(|e| call_error("C_GetAttributeValue", &self.token, e))?;
        for attr in attrs {
            let mut template = vec![Attribute::Class(ObjectClass::CERTIFICATE)];
            match attr {
                Attribute::Id(id) if !id.is_empty() => template.push(Attribute::Id(id)),
                Attribute::Label(l) if !l.is_empty() => template.push(Attribute::Label(l)),
                _ => continue,
            }
            let certs = session
                .find_objects(&template)
                .map_err(|e| call_error("C_FindObjects", &self.token, e))?;
            if let Some(&cert) = certs.first() {
                let value = session
                    .get_attributes(cert, &[AttributeType::Value])
                    .map_err(|e| call_error("C_GetAttributeValue", &self.token, e))?;
                if let Some(Attribute::Value(der)) = value.into_iter().next() {
                    return Ok(Some(der));
                }
            }
        }
        Ok(None)
    }

    fn from_handle(
        uri: &KeyUri,
        token: String,
        session: Session,
        key: ObjectHandle,
    ) -> Result<Self, TokenError> {
        let (curve, point) = public_point(&session, key, &token, uri)?;
        let spki = spki_der(curve, &point, uri)?;
        Ok(Self {
            uri: uri.clone(),
            token,
            session: Mutex::new(session),
            key,
            curve,
            point,
            spki,
        })
    }

    fn session(&self) -> Result<MutexGuard<'_, Session>, TokenError> {
        // A panic while signing left the session as the token left it; it is still usable.
        Ok(self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// The key as rcgen's signer: certificates, CRLs and CSRs are written by rcgen and signed on the
/// token. rcgen's error carries no message ([`rcgen::Error::RemoteKeyError`]); a caller that
/// needs the token's reason signs with [`TokenKey::sign`].
impl rcgen::PublicKeyData for TokenKey {
    fn der_bytes(&self) -> &[u8] {
        &self.point
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        match self.curve {
            Curve::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Curve::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        }
    }
}

impl rcgen::SigningKey for TokenKey {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        TokenKey::sign(self, msg).map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

/// The module the URI names (`module-path`), else `EDS_PKCS11_MODULE`, else the first of
/// [`DEFAULT_MODULES`] present.
pub fn module_path(uri: &KeyUri) -> Result<PathBuf, TokenError> {
    if let Some(p) = &uri.module_path {
        return Ok(p.clone());
    }
    if let Some(p) = std::env::var_os("EDS_PKCS11_MODULE").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    DEFAULT_MODULES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or(TokenError::NoModule)
}

/// The module at `path`, loaded and initialised once per process.
fn module(path: &Path) -> Result<Pkcs11, TokenError> {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();
    let mut modules = MODULES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(m) = modules.get(path) {
        return Ok(m.clone());
    }
    let fail = |reason: String| TokenError::Module {
        path: path.display().to_string(),
        reason,
    };
    let pkcs11 = Pkcs11::new(path).map_err(|e| fail(e.to_string()))?;
    match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(fail(e.to_string())),
    }
    modules.insert(path.to_path_buf(), pkcs11.clone());
    Ok(pkcs11)
}

/// Opens a read-write session on the token the URI names and logs the user in.
fn login(uri: &KeyUri, pin: &[u8]) -> Result<(Session, String), TokenError> {
    let path = module_path(uri)?;
    let pkcs11 = module(&path)?;
    let (slot, token) = find_token(&pkcs11, uri, &path)?;
    let session = pkcs11
        .open_rw_session(slot)
        .map_err(|e| call_error("C_OpenSession", &token, e))?;
    let pin = Zeroizing::new(String::from_utf8_lossy(pin).into_owned());
    match session.login(UserType::User, Some(&AuthPin::from(pin.as_str()))) {
        Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok((session, token)),
        Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
            Err(TokenError::WrongPin { token })
        }
        Err(CkError::Pkcs11(RvError::PinLocked, _)) => Err(TokenError::PinLocked { token }),
        Err(e) => Err(call_error("C_Login", &token, e)),
    }
}

fn find_token(pkcs11: &Pkcs11, uri: &KeyUri, module: &Path) -> Result<(Slot, String), TokenError> {
    let slots = pkcs11
        .get_slots_with_token()
        .map_err(|e| call_error("C_GetSlotList", "-", e))?;
    let mut present = Vec::new();
    let mut matching = Vec::new();
    for slot in slots {
        let info = pkcs11
            .get_token_info(slot)
            .map_err(|e| call_error("C_GetTokenInfo", "-", e))?;
        let label = info.label().trim_end().to_owned();
        let serial = info.serial_number().trim_end().to_owned();
        let fits = uri.token.as_ref().is_none_or(|t| *t == label)
            && uri.serial.as_ref().is_none_or(|s| *s == serial);
        if fits {
            matching.push((slot, label.clone()));
        }
        present.push(label);
    }
    match matching.len() {
        1 => matching.pop().ok_or(TokenError::NoModule),
        0 => Err(TokenError::TokenNotFound {
            token: uri.token.clone().unwrap_or_default(),
            module: module.display().to_string(),
            present: if present.is_empty() {
                "none".into()
            } else {
                present.join(", ")
            },
        }),
        count => Err(TokenError::AmbiguousToken {
            uri: uri.to_string(),
            count,
        }),
    }
}

fn find_private_keys(
    session: &Session,
    uri: &KeyUri,
    token: &str,
) -> Result<Vec<ObjectHandle>, TokenError> {
    let mut template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
    if let Some(o) = &uri.object {
        template.push(Attribute::Label(o.clone().into_bytes()));
    }
    if let Some(id) = &uri.id {
        template.push(Attribute::Id(id.clone()));
    }
    session
        .find_objects(&template)
        .map_err(|e| call_error("C_FindObjects", token, e))
}

/// The curve and uncompressed point of the private key `key`, read from its public key object
/// (same CKA_ID, else same label): a private key object carries no CKA_EC_POINT.
fn public_point(
    session: &Session,
    key: ObjectHandle,
    token: &str,
    uri: &KeyUri,
) -> Result<(Curve, Vec<u8>), TokenError> {
    let get = |h, what: &[AttributeType]| {
        session
            .get_attributes(h, what)
            .map_err(|e| call_error("C_GetAttributeValue", token, e))
    };
    let mut id = Vec::new();
    let mut label = Vec::new();
    let mut key_type = None;
    for attr in get(
        key,
        &[
            AttributeType::KeyType,
            AttributeType::Id,
            AttributeType::Label,
        ],
    )? {
        match attr {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::Id(i) => id = i,
            Attribute::Label(l) => label = l,
            _ => {}
        }
    }
    if key_type != Some(KeyType::EC) {
        return Err(TokenError::UnsupportedKey {
            uri: uri.to_string(),
            reason: format!(
                "a {} key; keys on tokens sign with ECDSA on P-256 or P-384 (GOST keys stay in encrypted files)",
                key_type.map_or_else(|| "typeless".to_owned(), |t| t.to_string())
            ),
        });
    }
    let mut template = vec![
        Attribute::Class(ObjectClass::PUBLIC_KEY),
        Attribute::KeyType(KeyType::EC),
    ];
    if !id.is_empty() {
        template.push(Attribute::Id(id));
    } else {
        template.push(Attribute::Label(label));
    }
    let public = session
        .find_objects(&template)
        .map_err(|e| call_error("C_FindObjects", token, e))?;
    let public = public.first().ok_or_else(|| TokenError::ObjectNotFound {
        uri: format!("{uri} (its public key object)"),
    })?;
    let mut params = Vec::new();
    let mut point = Vec::new();
    for attr in get(*public, &[AttributeType::EcParams, AttributeType::EcPoint])? {
        match attr {
            Attribute::EcParams(p) => params = p,
            Attribute::EcPoint(p) => point = p,
            _ => {}
        }
    }
    let curve = Curve::of_params(&params).ok_or_else(|| TokenError::UnsupportedKey {
        uri: uri.to_string(),
        reason: format!(
            "an EC key on the curve of parameters {}; supported are P-256 and P-384",
            hex::encode(&params)
        ),
    })?;
    let point = uncompressed_point(&point, curve).ok_or_else(|| TokenError::UnsupportedKey {
        uri: uri.to_string(),
        reason: "its CKA_EC_POINT is not an uncompressed point of the curve".into(),
    })?;
    Ok((curve, point))
}

/// CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 v2.40 §2.3.3); some modules give
/// the bare point. Either way the uncompressed point `04‖x‖y`.
fn uncompressed_point(value: &[u8], curve: Curve) -> Option<Vec<u8>> {
    let len = 2 * curve.size() + 1;
    let point = if value.len() == len {
        value.to_vec()
    } else {
        der::asn1::OctetString::new(
            <der::asn1::OctetStringRef<'_> as der::Decode<'_>>::from_der(value)
                .ok()?
                .as_bytes(),
        )
        .ok()?
        .into_bytes()
    };
    (point.len() == len && point.first() == Some(&4)).then_some(point)
}

fn spki_der(curve: Curve, point: &[u8], uri: &KeyUri) -> Result<Vec<u8>, TokenError> {
    let bad = |e: der::Error| TokenError::UnsupportedKey {
        uri: uri.to_string(),
        reason: format!("its public key cannot be encoded: {e}"),
    };
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.2.1"),
            parameters: Some(der::Any::from(curve.oid())),
        },
        subject_public_key: BitString::from_bytes(point).map_err(bad)?,
    }
    .to_der()
    .map_err(bad)
}

/// `r‖s` (each `size` octets, PKCS#11 v2.40 §2.3.1 CKM_ECDSA) as the DER `ECDSA-Sig-Value`
/// (RFC 3279 §2.2.3); `None` for another length.
pub fn ecdsa_der(raw: &[u8], size: usize) -> Option<Vec<u8>> {
    if raw.len() != 2 * size {
        return None;
    }
    let (r, s) = raw.split_at(size);
    #[derive(der::Sequence)]
    struct EcdsaSigValue<'a> {
        r: UintRef<'a>,
        s: UintRef<'a>,
    }
    EcdsaSigValue {
        r: UintRef::new(r).ok()?,
        s: UintRef::new(s).ok()?,
    }
    .to_der()
    .ok()
}

fn call_error(function: &str, token: &str, e: impl std::fmt::Display) -> TokenError {
    TokenError::Call {
        function: function.to_owned(),
        token: token.to_owned(),
        reason: e.to_string(),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failing test should stop loudly")]
mod tests {
    use super::*;

    #[test]
    fn ok_ecdsa_der_strips_and_pads_like_the_der_rules() {
        let mut raw = vec![0u8; 64];
        raw[31] = 1; // r = 1
        raw[32] = 0x80; // s has its top bit set: a leading zero octet
        let der = ecdsa_der(&raw, 32).unwrap();
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x01]);
        assert_eq!(&der[5..8], &[0x02, 0x21, 0x00]);
        assert_eq!(der.len(), 0x28);
        assert_eq!(ecdsa_der(&raw[..63], 32), None);
    }

    #[test]
    fn ok_ec_point_bare_or_in_an_octet_string() {
        let mut point = vec![4u8];
        point.extend([7u8; 64]);
        let mut wrapped = vec![4u8, 65];
        wrapped.extend(&point);
        assert_eq!(uncompressed_point(&point, Curve::P256), Some(point.clone()));
        assert_eq!(uncompressed_point(&wrapped, Curve::P256), Some(point));
        assert_eq!(uncompressed_point(&[4, 1, 2], Curve::P256), None);
    }
}
