//! Key pairs of the center and of owners: generation, encryption at rest, files with mode 0600.
//!
//! EDS law art. 21.2: the center prevents loss, modification and counterfeiting of the keys it
//! stores. Private keys are only ever written as PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3)
//! under PBES2 (RFC 8018 §6.2) with PBKDF2-HMAC-SHA256 and AES-256-CBC, which OpenSSL reads
//! (`openssl pkey -in key.pem -passin env:…`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use pkcs8::der::Decode;
use pkcs8::der::pem::LineEnding;
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo};
use rcgen::{KeyPair, SignatureAlgorithm};
use ring::rand::SecureRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::center_key::CenterKey;
use crate::error::CaError;
use crate::gost::{GostKey, GostProfile};

/// PBKDF2 iteration count for keys at rest (OWASP 2023 guidance for PBKDF2-HMAC-SHA256 is 600,000;
/// this is the same order of magnitude while keeping `eds ca issue` under a second).
pub const PBKDF2_ITERATIONS: u32 = 600_000;

/// The key algorithms the center can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256 with SHA-256 (the default).
    #[default]
    P256,
    /// ECDSA on NIST P-384 with SHA-384.
    P384,
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// GOST 34.10-2015 with 512-bit keys over Streebog-512, in the national center's profile:
    /// its identifiers under 1.2.398.3.10 and its byte order ([`crate::gost::GostProfile`]).
    #[serde(rename = "gost2015-512")]
    Gost2015_512,
    /// GOST R 34.10-2012 with 256-bit keys on TC26 paramSetA (RFC 7836) over Streebog-256,
    /// under the TC26 identifiers and byte order (RFC 9215): what OpenSSL's GOST engine reads.
    #[serde(rename = "gost2012-256-tc26")]
    Gost2012_256Tc26,
    /// GOST R 34.10-2012 with 512-bit keys on TC26 paramSetA over Streebog-512, under the
    /// TC26 identifiers and byte order (RFC 9215).
    #[serde(rename = "gost2012-512-tc26")]
    Gost2012_512Tc26,
}

impl KeyAlgorithm {
    /// The rcgen signature algorithm for this key type; `None` for GOST, which rcgen does not
    /// know.
    pub fn rcgen(self) -> Option<&'static SignatureAlgorithm> {
        match self {
            Self::P256 => Some(&rcgen::PKCS_ECDSA_P256_SHA256),
            Self::P384 => Some(&rcgen::PKCS_ECDSA_P384_SHA384),
            Self::Ed25519 => Some(&rcgen::PKCS_ED25519),
            Self::Gost2015_512 | Self::Gost2012_256Tc26 | Self::Gost2012_512Tc26 => None,
        }
    }

    /// The machine name (`p256`, `p384`, `ed25519`, `gost2015-512`, `gost2012-256-tc26`,
    /// `gost2012-512-tc26`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::P256 => "p256",
            Self::P384 => "p384",
            Self::Ed25519 => "ed25519",
            Self::Gost2015_512 => "gost2015-512",
            Self::Gost2012_256Tc26 => "gost2012-256-tc26",
            Self::Gost2012_512Tc26 => "gost2012-512-tc26",
        }
    }

    /// Generates a fresh key pair with randomness from `rng`, as PKCS#8 DER.
    pub fn generate_pkcs8(self, rng: &dyn SecureRandom) -> Result<Zeroizing<Vec<u8>>, CaError> {
        if let Some(profile) = self.gost_profile() {
            return GostKey::generate(profile, rng).map(|(_, pkcs8)| pkcs8);
        }
        let doc = match self {
            Self::P256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, rng),
            Self::P384 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_ASN1_SIGNING, rng),
            Self::Ed25519 => Ed25519KeyPair::generate_pkcs8(rng),
            // Generated above.
            Self::Gost2015_512 | Self::Gost2012_256Tc26 | Self::Gost2012_512Tc26 => {
                return Err(CaError::Internal {
                    reason: "GOST key generation fell through".into(),
                });
            }
        }
        .map_err(|_| CaError::Random)?;
        match self {
            // ring writes Ed25519 keys as PKCS#8 v2 (RFC 5958, with the public key), which
            // OpenSSL 3.0 refuses; v1 (RFC 8410 §7) is read everywhere, ring included.
            Self::Ed25519 => pkcs8_v1(doc.as_ref()),
            _ => Ok(Zeroizing::new(doc.as_ref().to_vec())),
        }
    }

    /// The GOST profile of a GOST algorithm, `None` for the others.
    pub fn gost_profile(self) -> Option<GostProfile> {
        match self {
            Self::Gost2015_512 => Some(GostProfile::Nca2015_512),
            Self::Gost2012_256Tc26 => Some(GostProfile::Tc26_256),
            Self::Gost2012_512Tc26 => Some(GostProfile::Tc26_512),
            Self::P256 | Self::P384 | Self::Ed25519 => None,
        }
    }

    /// Generates a key pair ready to sign with, and its PKCS#8 DER.
    pub fn generate(
        self,
        rng: &dyn SecureRandom,
    ) -> Result<(CenterKey, Zeroizing<Vec<u8>>), CaError> {
        CenterKey::generate(self, rng)
    }
}

/// Re-encodes a PKCS#8 private key as version 1: the optional public key field is dropped.
pub fn pkcs8_v1(der: &[u8]) -> Result<Zeroizing<Vec<u8>>, CaError> {
    use pkcs8::der::Encode;
    let mut info = PrivateKeyInfo::from_der(der).map_err(|e| CaError::Internal {
        reason: format!("generated key is not PKCS#8: {e}"),
    })?;
    info.public_key = None;
    info.to_der()
        .map(Zeroizing::new)
        .map_err(|e| CaError::Internal {
            reason: format!("PKCS#8 encoding: {e}"),
        })
}

/// Loads a plain PKCS#8 DER private key of one of ring's algorithms into an rcgen key pair
/// (a center key of any algorithm: [`CenterKey::from_pkcs8`]).
pub fn key_pair_from_pkcs8(pkcs8: &[u8]) -> Result<KeyPair, CaError> {
    KeyPair::try_from(pkcs8).map_err(|e| CaError::KeyFile {
        path: String::new(),
        reason: format!("unsupported or malformed private key: {e}"),
    })
}

/// Encrypts PKCS#8 DER under `passphrase` and returns the PEM (`ENCRYPTED PRIVATE KEY`).
pub fn encrypt_pkcs8_pem(
    pkcs8: &[u8],
    passphrase: &[u8],
    rng: &dyn SecureRandom,
) -> Result<Zeroizing<String>, CaError> {
    let mut salt = [0u8; 16];
    let mut iv = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| CaError::Random)?;
    rng.fill(&mut iv).map_err(|_| CaError::Random)?;
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(PBKDF2_ITERATIONS, &salt, &iv)
            .map_err(|e| CaError::Internal {
                reason: format!("pbes2 parameters: {e}"),
            })?;
    let info = PrivateKeyInfo::from_der(pkcs8).map_err(|e| CaError::Internal {
        reason: format!("generated key is not PKCS#8: {e}"),
    })?;
    let doc = info
        .encrypt_with_params(params, passphrase)
        .map_err(|e| CaError::Internal {
            reason: format!("key encryption: {e}"),
        })?;
    let pem = doc
        .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .map_err(|e| CaError::Internal {
            reason: format!("pem encoding: {e}"),
        })?;
    Ok(pem)
}

/// Reads an encrypted PKCS#8 PEM file and decrypts it with `passphrase`.
///
/// A wrong passphrase is [`CaError::WrongPassphrase`]; a file that is not an encrypted key is
/// [`CaError::KeyFile`].
pub fn read_encrypted_pkcs8(path: &Path, passphrase: &[u8]) -> Result<KeyPair, CaError> {
    read_encrypted(path, passphrase, &key_pair_from_pkcs8)
}

/// [`read_encrypted_pkcs8`] for a center key of any algorithm ([`CenterKey::from_pkcs8`]): how
/// the center reads its own keys.
pub fn read_center_key(path: &Path, passphrase: &[u8]) -> Result<CenterKey, CaError> {
    read_encrypted(path, passphrase, &CenterKey::from_pkcs8)
}

fn read_encrypted<K>(
    path: &Path,
    passphrase: &[u8],
    load: &dyn Fn(&[u8]) -> Result<K, CaError>,
) -> Result<K, CaError> {
    let text = fs::read(path).map_err(|e| CaError::io(path, &e))?;
    decrypt_pem(&text, passphrase, load).map_err(|e| match e {
        CaError::KeyFile { reason, .. } => CaError::KeyFile {
            path: path.display().to_string(),
            reason,
        },
        other => other,
    })
}

/// Most PBKDF2 rounds a key file may ask for: ten times what this center writes. A file asking for
/// more is refused rather than left to run for hours.
pub const MAX_PBKDF2_ITERATIONS: u32 = 10 * PBKDF2_ITERATIONS;

/// Decrypts an `ENCRYPTED PRIVATE KEY` PEM held in memory (errors carry an empty path).
///
/// The key-derivation parameters come from the file, so they are checked before any work is
/// done: only PBES2 with PBKDF2 (RFC 8018 §5.2) and at most [`MAX_PBKDF2_ITERATIONS`] rounds are
/// accepted. scrypt is refused: its cost parameters could demand any amount of memory.
pub fn decrypt_pkcs8_pem(text: &[u8], passphrase: &[u8]) -> Result<KeyPair, CaError> {
    decrypt_pem(text, passphrase, &key_pair_from_pkcs8)
}

fn decrypt_pem<K>(
    text: &[u8],
    passphrase: &[u8],
    load: &dyn Fn(&[u8]) -> Result<K, CaError>,
) -> Result<K, CaError> {
    let key_file = |reason: String| CaError::KeyFile {
        path: String::new(),
        reason,
    };
    let (label, der) =
        pkcs8::der::pem::decode_vec(text).map_err(|e| key_file(format!("not a PEM file: {e}")))?;
    if label != "ENCRYPTED PRIVATE KEY" {
        return Err(key_file(format!(
            "expected ENCRYPTED PRIVATE KEY, found {label}"
        )));
    }
    let enc = EncryptedPrivateKeyInfo::from_der(&der)
        .map_err(|e| key_file(format!("malformed EncryptedPrivateKeyInfo: {e}")))?;
    match &enc.encryption_algorithm {
        pkcs8::pkcs5::EncryptionScheme::Pbes2(params) => match &params.kdf {
            pkcs8::pkcs5::pbes2::Kdf::Pbkdf2(p) if p.iteration_count <= MAX_PBKDF2_ITERATIONS => {}
            pkcs8::pkcs5::pbes2::Kdf::Pbkdf2(p) => {
                return Err(key_file(format!(
                    "PBKDF2 asks for {} rounds, more than the {MAX_PBKDF2_ITERATIONS} accepted",
                    p.iteration_count
                )));
            }
            _ => {
                return Err(key_file("only PBKDF2 key derivation is accepted".into()));
            }
        },
        _ => {
            return Err(key_file("only PBES2 encryption is accepted".into()));
        }
    }
    // A wrong passphrase shows as a padding error or, rarely, as garbage that is not PKCS#8.
    let plain = enc
        .decrypt(passphrase)
        .map_err(|_| CaError::WrongPassphrase)?;
    PrivateKeyInfo::from_der(plain.as_bytes()).map_err(|_| CaError::WrongPassphrase)?;
    load(plain.as_bytes())
}

/// Packs an owner's generated key and certificate chain (leaf first) into a PKCS#12 file under
/// `password`: PBES2 with AES-256-CBC and an HMAC-SHA256 MAC (RFC 9579), the form in which the
/// owner receives a key the center created (EDS law art. 21.1(1)).
pub fn owner_pkcs12(
    pkcs8: &[u8],
    chain_der: &[&[u8]],
    password: &str,
    alias: &str,
) -> Result<Vec<u8>, CaError> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKeyChain};
    let chain = chain_der
        .iter()
        .map(|d| Certificate::from_der(d).map_err(|e| CaError::build("PKCS#12", e)))
        .collect::<Result<Vec<_>, _>>()?;
    let key_id = ring::digest::digest(
        &ring::digest::SHA256,
        chain_der.first().copied().unwrap_or_default(),
    );
    let mut store = KeyStore::new();
    store.add_entry(
        alias,
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(pkcs8, key_id.as_ref(), chain)),
    );
    store
        .writer(password)
        .encryption_iterations(u64::from(PBKDF2_ITERATIONS))
        .mac_iterations(u64::from(PBKDF2_ITERATIONS))
        .write()
        .map_err(|e| CaError::build("PKCS#12", e))
}

/// Writes `contents` to a new file readable by its owner only (mode 0600).
///
/// Refuses to overwrite: an existing file is [`CaError::Io`] with "already exists".
pub fn write_private_file(path: &Path, contents: &[u8]) -> Result<(), CaError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| CaError::io(path, &e))?;
    f.write_all(contents).map_err(|e| CaError::io(path, &e))?;
    f.sync_all().map_err(|e| CaError::io(path, &e))?;
    Ok(())
}

/// Creates the folder `path` (and its parents) and sets its mode to 0700 whatever the umask: the
/// data folder and `crl/` of a center are its owner's alone (issue 16: under umask 000 they
/// were world-writable, and the published trust anchor could be swapped).
pub fn create_private_dir(path: &Path) -> Result<(), CaError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(|e| CaError::io(path, &e))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700)).map_err(|e| CaError::io(path, &e))
}

/// A mode [`tighten_data_folder`] changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tightened {
    /// The folder or file.
    pub path: PathBuf,
    /// Its mode before (permission bits).
    pub from: u32,
    /// Its mode now.
    pub to: u32,
}

impl std::fmt::Display for Tightened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} had mode {:04o}, now {:04o}",
            self.path.display(),
            self.from,
            self.to
        )
    }
}

/// Brings an existing data folder back to the modes a new one gets, whatever umask or `chmod`
/// loosened them (issue 16): the folder and `crl/` 0700; keys, the register and lock files
/// without any group or other bit (0600 as written); every other file and subfolder without the
/// group's and others' write bits (a swapped CRL or certificate would mislead relying parties).
/// Symbolic links and special files are left alone; subfolders are walked one level down.
///
/// Returns what it changed, for the caller to say; a mode it cannot change (a file of another
/// user) is [`CaError::Io`] naming the file and the `chmod` to run.
pub fn tighten_data_folder(dir: &Path) -> Result<Vec<Tightened>, CaError> {
    let mut changed = Vec::new();
    tighten(dir, 0o077, &mut changed)?;
    walk(dir, 1, &mut changed)?;
    Ok(changed)
}

fn walk(dir: &Path, depth: u32, changed: &mut Vec<Tightened>) -> Result<(), CaError> {
    let entries = fs::read_dir(dir).map_err(|e| CaError::io(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| CaError::io(dir, &e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| CaError::io(&path, &e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if kind.is_dir() {
            let strip = if depth == 1 && name == "crl" {
                0o077
            } else {
                0o022
            };
            tighten(&path, strip, changed)?;
            if depth < 2 {
                walk(&path, depth + 1, changed)?;
            }
        } else if kind.is_file() {
            let secret = name.ends_with(".key.pem")
                || name.starts_with("register.sqlite")
                || name.ends_with(".lock")
                || name == ".lock";
            tighten(&path, if secret { 0o077 } else { 0o022 }, changed)?;
        }
    }
    Ok(())
}

/// Clears the bits `strip` of `path`'s mode, when any is set.
fn tighten(path: &Path, strip: u32, changed: &mut Vec<Tightened>) -> Result<(), CaError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = fs::symlink_metadata(path).map_err(|e| CaError::io(path, &e))?;
    let from = meta.permissions().mode() & 0o7777;
    if from & strip == 0 {
        return Ok(());
    }
    let to = from & !strip;
    fs::set_permissions(path, fs::Permissions::from_mode(to)).map_err(|e| CaError::Io {
        path: path.display().to_string(),
        message: format!(
            "has mode {from:04o}, open to others, and cannot be changed ({e}); run \
             `chmod {to:o} {}` as its owner",
            path.display()
        ),
    })?;
    changed.push(Tightened {
        path: path.to_path_buf(),
        from,
        to,
    });
    Ok(())
}

/// Writes `contents` to `path` atomically (temporary file, fsync, rename), mode 0644 for public
/// material such as certificates and CRLs.
pub fn write_public_file(path: &Path, contents: &[u8]) -> Result<(), CaError> {
    // A name of its own per writer: concurrent writers must not rename each other's halves.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.{n}.tmp", std::process::id()));
    let tmp = path.with_file_name(name);
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)
            .map_err(|e| CaError::io(&tmp, &e))?;
        f.write_all(contents).map_err(|e| CaError::io(&tmp, &e))?;
        f.sync_all().map_err(|e| CaError::io(&tmp, &e))?;
    }
    fs::rename(&tmp, path).map_err(|e| CaError::io(path, &e))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failing test should stop loudly"
)]
mod tests {
    use ring::rand::SystemRandom;

    use super::*;

    #[test]
    fn ok_encrypted_key_round_trips_and_file_is_private() {
        let rng = SystemRandom::new();
        let dir = tempfile::tempdir().unwrap();
        for alg in [
            KeyAlgorithm::P256,
            KeyAlgorithm::P384,
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::Gost2015_512,
            KeyAlgorithm::Gost2012_256Tc26,
            KeyAlgorithm::Gost2012_512Tc26,
        ] {
            let (key, pkcs8) = alg.generate(&rng).unwrap();
            let pem = encrypt_pkcs8_pem(&pkcs8, b"correct horse", &rng).unwrap();
            let path = dir.path().join(format!("{}.key.pem", alg.as_str()));
            write_private_file(&path, pem.as_bytes()).unwrap();
            let mode = fs::metadata(&path).unwrap().permissions();
            assert_eq!(
                std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
                0o600
            );
            let back = read_center_key(&path, b"correct horse").unwrap();
            assert_eq!(back.spki_der(), key.spki_der());
        }
    }

    #[test]
    fn ok_generated_ed25519_key_is_pkcs8_v1() {
        let rng = SystemRandom::new();
        let der = KeyAlgorithm::Ed25519.generate_pkcs8(&rng).unwrap();
        let info = PrivateKeyInfo::from_der(&der).unwrap();
        assert_eq!(info.version(), pkcs8::Version::V1);
        assert!(key_pair_from_pkcs8(&der).is_ok());
    }

    #[test]
    fn fail_wrong_passphrase_is_its_own_error() {
        let rng = SystemRandom::new();
        let dir = tempfile::tempdir().unwrap();
        let (_, pkcs8) = KeyAlgorithm::P256.generate(&rng).unwrap();
        let pem = encrypt_pkcs8_pem(&pkcs8, b"right", &rng).unwrap();
        let path = dir.path().join("k.pem");
        write_private_file(&path, pem.as_bytes()).unwrap();
        assert_eq!(
            read_encrypted_pkcs8(&path, b"wrong").unwrap_err(),
            CaError::WrongPassphrase
        );
    }

    #[test]
    fn fail_plain_key_file_is_refused_with_its_label() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plain.pem");
        fs::write(
            &path,
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        assert_eq!(
            read_encrypted_pkcs8(&path, b"x").unwrap_err(),
            CaError::KeyFile {
                path: path.display().to_string(),
                reason: "expected ENCRYPTED PRIVATE KEY, found PRIVATE KEY".into()
            }
        );
    }

    #[test]
    fn fail_private_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        write_private_file(&path, b"one").unwrap();
        assert!(matches!(
            write_private_file(&path, b"two").unwrap_err(),
            CaError::Io { ref message, .. } if message.contains("exists")
        ));
        assert_eq!(fs::read(&path).unwrap(), b"one");
    }
}
