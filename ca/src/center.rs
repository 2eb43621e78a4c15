//! A certification center in a data folder: creating it, opening it, unlocking its key.
//!
//! The data folder and `crl/` are created with mode 0700 whatever the umask
//! ([`keys::create_private_dir`]); secret files 0600; lock files 0600. Opening an existing folder
//! brings modes a umask or `chmod` loosened back to these ([`keys::tighten_data_folder`];
//! [`Center::tightened`] says what changed). Layout of the data folder:
//!
//! | file | content | mode |
//! |---|---|---|
//! | `center.json` | [`CenterConfig`] | 0644 |
//! | `root.crt.pem`, `issuing.crt.pem` | the two CA certificates | 0644 |
//! | `root.key.pem`, `issuing.key.pem` | encrypted PKCS#8 keys (EDS law art. 21.2); absent when `center.json` puts the keys on a PKCS#11 token ([`CenterConfig::token_keys`]), as are `ocsp.key.pem` and `tsa.key.pem` | 0600 |
//! | `register.sqlite` | the register (certificates, refusals, revocations, audit log), unless `center.json` names another (`register`, see [`RegisterUrl`]) | 0600 |
//! | `crl/issuing.crl`, `crl/issuing.crl.pem` | the latest CRL | 0644 |
//! | `crl/root.crl`, `crl/root.crl.pem` | the root center's latest CRL (see [`crate::root_crl`]) | 0644 |
//! | `crl/.lock` | held while a CRL is signed and published | 0600 |
//! | `crl/.issuing.crl.new`, `crl/.issuing.crl.pem.new` (and `root`) | a publication in progress, completed or discarded under the lock by the next one or by [`Center::open`] (see [`crate::crl`]) | 0644 |
//! | `ocsp.crt.pem`, `ocsp.key.pem`, `ocsp.lock` | the delegated OCSP responder (see [`crate::ocsp`]) | 0644, 0600, 0600 |
//! | `tsa.crt.pem`, `tsa.key.pem`, `tsa.lock` | the timestamp authority's certificate and key (see [`crate::tsa`]) | 0644, 0600, 0600 |
//! | `cessation.json` | the notice of cessation, once given, and the serials transferred (see [`crate::cessation`], EDS law art. 22) | 0644 |

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{CertificateParams, Issuer, SigningKey};
use ring::rand::SecureRandom;
use serde_json::json;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::center_key::{self, CenterKey, KeyRole};
use crate::certs;
use crate::config::CenterConfig;
use crate::error::CaError;
use crate::keys::{self, write_private_file, write_public_file};
use crate::store::{AuditEvent, CertificateRecord, RegisterUrl, Serial, Store};

/// Label of the root center in the register.
pub const ROOT: &str = "root";
/// Label of the issuing center in the register.
pub const ISSUING: &str = "issuing";

/// What a center that stopped (EDS law art. 22) is asked to do: [`Center::check_active_for`]
/// names it in [`CaError::Ceased`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Activity {
    /// Issue a certificate.
    Issue,
    /// Revoke a certificate or record a registry event that revokes.
    Revoke,
    /// Issue and publish a CRL (the final CRL aside).
    PublishCrl,
    /// Certify a new key of its OCSP responder or its timestamp authority.
    CertifySigner,
    /// Timestamp a document (RFC 3161).
    Timestamp,
}

/// An opened center: configuration, CA certificates and the register. Its private keys stay
/// encrypted on disk until [`Center::unlock`] is called with the passphrase.
pub struct Center {
    dir: PathBuf,
    config: CenterConfig,
    store: Box<dyn Store>,
    root_der: Vec<u8>,
    issuing_der: Vec<u8>,
    issuing_not_after: OffsetDateTime,
    tightened: Vec<keys::Tightened>,
}

/// The issuing center's key, decrypted, ready to sign certificates and CRLs.
pub struct IssuingKey {
    key: CenterKey,
    certificate: Vec<u8>,
    ski: Vec<u8>,
}

impl IssuingKey {
    /// The issuing center's key.
    pub fn key(&self) -> &CenterKey {
        &self.key
    }

    /// The key, owned (a center that stopped signs its OCSP answers with it, EDS law art. 22).
    pub(crate) fn into_key(self) -> CenterKey {
        self.key
    }

    /// The rcgen issuer: the issuing center's name, key identifier and key, for a key rcgen can
    /// sign with. A GOST key is [`CaError::KeyFile`] (rcgen's algorithms are a closed set):
    /// certificates under it go through [`IssuingKey::certify`].
    pub fn issuer(&self) -> Result<Issuer<'static, &dyn SigningKey>, CaError> {
        let pair = self.key.rcgen().ok_or_else(|| CaError::KeyFile {
            path: String::new(),
            reason: "rcgen cannot sign with the issuing center's GOST key".into(),
        })?;
        Issuer::from_ca_cert_der(&self.certificate.as_slice().into(), pair)
            .map_err(|e| CaError::build("issuing issuer", e))
    }

    /// Signs the certificate of template `params` for the public key `subject_spki` (DER) under
    /// the issuing center: through rcgen when both keys are rcgen's, else through the re-signing
    /// path of [`crate::gost::resigned_certificate`].
    pub fn certify(
        &self,
        params: CertificateParams,
        subject_spki: &[u8],
        what: &'static str,
    ) -> Result<Vec<u8>, CaError> {
        if let (Some(_), Ok(public)) = (
            self.key.rcgen(),
            rcgen::SubjectPublicKeyInfo::from_der(subject_spki),
        ) {
            let issuer = self.issuer()?;
            return params
                .signed_by(&public, &issuer)
                .map(|c| c.der().to_vec())
                .map_err(|e| CaError::build(what, e));
        }
        crate::gost::resigned_certificate(
            params,
            subject_spki,
            Some(&self.certificate),
            self.key.signature_algorithm()?,
            &|tbs| self.key.sign(tbs),
        )
    }

    /// The subject key identifier of the issuing center's certificate, copied from it (CRLs and
    /// certificates carry it as their authority key identifier; it is never recomputed).
    pub fn key_identifier(&self) -> &[u8] {
        &self.ski
    }
}

impl std::fmt::Debug for IssuingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuingKey")
            .field("ski", &hex::encode(&self.ski))
            .finish_non_exhaustive()
    }
}

impl Center {
    /// Creates a root center and an issuing center in `dir` (which must not hold a center yet),
    /// with keys encrypted under `passphrase`, and an empty register. When the configuration
    /// keeps the keys on a PKCS#11 token ([`CenterConfig::token_keys`]) they are generated
    /// there, `passphrase` is the token's PIN, and no key file is written.
    ///
    /// The register is the one the configuration names ([`CenterConfig::register`]).
    pub fn init(
        dir: &Path,
        config: CenterConfig,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Center, CaError> {
        config.validate()?;
        if dir.join("center.json").exists() {
            return Err(CaError::AlreadyInitialised {
                path: dir.display().to_string(),
            });
        }
        keys::create_private_dir(dir)?;
        let store = register_url(&config, dir)?.open()?;
        Center::init_with_store(dir, config, store, passphrase, now, rng)
    }

    /// [`Center::init`] over a register already opened (which should hold no center yet).
    pub fn init_with_store(
        dir: &Path,
        config: CenterConfig,
        store: Box<dyn Store>,
        passphrase: &[u8],
        now: OffsetDateTime,
        rng: &dyn SecureRandom,
    ) -> Result<Center, CaError> {
        config.validate()?;
        if dir.join("center.json").exists() {
            return Err(CaError::AlreadyInitialised {
                path: dir.display().to_string(),
            });
        }
        // X.509 times cover the years 1950 to 9999 (RFC 5280 §4.1.2.5); a clock outside them,
        // or a root whose validity would end past them, cannot be written.
        let root_end = now
            .checked_add(time::Duration::days(i64::from(config.root_validity_days)))
            .map(|t| t.year());
        if now.year() < 1950 || root_end.is_none_or(|y| y > 9999) {
            return Err(CaError::Config {
                reason: format!(
                    "the clock {now} cannot start a center: certificate times run from 1950 to 9999 and the root is valid {} days",
                    config.root_validity_days
                ),
            });
        }
        keys::create_private_dir(dir)?;
        keys::create_private_dir(&dir.join("crl"))?;
        let now = truncate_to_seconds(now);

        let (root_key, root_pkcs8) =
            center_key::new_center_key(&config, KeyRole::Root, passphrase, rng)?;
        let root_name = format!("{} ROOT", config.name);
        let root_params = certs::ca_params(
            &root_name,
            certs::random_serial(rng)?,
            now,
            config.root_validity_days,
            None,
            None,
        );
        let (issuing_key, issuing_pkcs8) =
            center_key::new_center_key(&config, KeyRole::Issuing, passphrase, rng)?;
        let issuing_params: CertificateParams = certs::ca_params(
            &config.name,
            certs::random_serial(rng)?,
            now,
            config.issuing_validity_days,
            Some(0),
            Some(&config),
        );
        let (root_cert, issuing_cert) = match (root_key.rcgen(), issuing_key.rcgen()) {
            (Some(root_key), Some(issuing_key)) => {
                let root_cert = root_params
                    .self_signed(&root_key)
                    .map_err(|e| CaError::build("root certificate", e))?;
                let root_issuer = Issuer::from_ca_cert_der(root_cert.der(), root_key)
                    .map_err(|e| CaError::build("root issuer", e))?;
                let issuing_cert = issuing_params
                    .signed_by(&issuing_key, &root_issuer)
                    .map_err(|e| CaError::build("issuing certificate", e))?;
                (root_cert.der().to_vec(), issuing_cert.der().to_vec())
            }
            // Keys rcgen does not know: the same templates, signed again with the center key.
            _ => {
                let sign = |key: &CenterKey, params, spki: &[u8], issuer: Option<&[u8]>| {
                    crate::gost::resigned_certificate(
                        params,
                        spki,
                        issuer,
                        key.signature_algorithm()?,
                        &|tbs| key.sign(tbs),
                    )
                };
                let root_cert = sign(&root_key, root_params, &root_key.spki_der(), None)?;
                let issuing_cert = sign(
                    &root_key,
                    issuing_params,
                    &issuing_key.spki_der(),
                    Some(&root_cert),
                )?;
                (root_cert, issuing_cert)
            }
        };

        // Keys first (never overwritten), then certificates, then the config that marks the
        // folder as initialised: an interrupted init leaves no half-center that opens.
        for (file, pkcs8) in [
            ("root.key.pem", root_pkcs8),
            ("issuing.key.pem", issuing_pkcs8),
        ] {
            // A key on a token has no file.
            if let Some(pkcs8) = pkcs8 {
                write_private_file(
                    &dir.join(file),
                    keys::encrypt_pkcs8_pem(&pkcs8, passphrase, rng)?.as_bytes(),
                )?;
            }
        }
        write_public_file(
            &dir.join("root.crt.pem"),
            certificate_pem(&root_cert).as_bytes(),
        )?;
        write_public_file(
            &dir.join("issuing.crt.pem"),
            certificate_pem(&issuing_cert).as_bytes(),
        )?;

        let mut records = Vec::new();
        for (label, issuer, der) in [(ROOT, ROOT, root_cert), (ISSUING, ROOT, issuing_cert)] {
            records.push(ca_record(label, issuer, der, now)?);
        }
        store.insert_certificates(
            &records,
            &AuditEvent {
                at: now,
                actor: "operator".into(),
                action: "center-initialised".into(),
                details: json!({
                    "name": config.name,
                    "algorithm": config.algorithm.as_str(),
                    "root": records.first().map(|r| r.serial.to_string()),
                    "issuing": records.get(1).map(|r| r.serial.to_string()),
                }),
            },
        )?;
        let cfg_json = serde_json::to_vec_pretty(&config).map_err(|e| CaError::Internal {
            reason: e.to_string(),
        })?;
        write_public_file(&dir.join("center.json"), &cfg_json)?;
        Center::open_with_store(dir, store)
    }

    /// Opens the center in `dir` with the register its configuration names.
    pub fn open(dir: &Path) -> Result<Center, CaError> {
        let config = read_config(dir)?;
        // Before the register is opened: files SQLite makes beside it copy its mode.
        let tightened = keys::tighten_data_folder(dir)?;
        let store = register_url(&config, dir)?.open()?;
        Center::open_opened(dir, store, tightened)
    }

    /// The register the configuration of the center in `dir` names.
    pub fn configured_register(dir: &Path) -> Result<RegisterUrl, CaError> {
        register_url(&read_config(dir)?, dir)
    }

    /// Opens the center in `dir` over a register opened by the caller.
    ///
    /// Modes of the data folder that a umask or `chmod` loosened are tightened first
    /// ([`keys::tighten_data_folder`]); [`Center::tightened`] says what changed.
    pub fn open_with_store(dir: &Path, store: Box<dyn Store>) -> Result<Center, CaError> {
        read_config(dir)?;
        let tightened = keys::tighten_data_folder(dir)?;
        Center::open_opened(dir, store, tightened)
    }

    fn open_opened(
        dir: &Path,
        store: Box<dyn Store>,
        tightened: Vec<keys::Tightened>,
    ) -> Result<Center, CaError> {
        let config = read_config(dir)?;
        let root_der = read_cert_pem(&dir.join("root.crt.pem"))?;
        let issuing_der = read_cert_pem(&dir.join("issuing.crt.pem"))?;
        let (_, issuing) =
            X509Certificate::from_der(&issuing_der).map_err(|e| CaError::KeyFile {
                path: dir.join("issuing.crt.pem").display().to_string(),
                reason: format!("not a certificate: {e}"),
            })?;
        let issuing_not_after = issuing.validity().not_after.to_datetime();
        let center = Center {
            dir: dir.to_path_buf(),
            config,
            store,
            root_der,
            issuing_der,
            issuing_not_after,
            tightened,
        };
        // A publisher killed between its two renames left the PEM CRL behind the DER one.
        center.finish_crl_publication()?;
        Ok(center)
    }

    /// Decrypts the issuing center's key (or, for keys on a token, logs in with `passphrase` as
    /// the PIN and finds the key of the issuing certificate there).
    pub fn unlock(&self, passphrase: &[u8]) -> Result<IssuingKey, CaError> {
        let spki = issuing_spki(&self.issuing_der)?;
        let key = center_key::load_center_key(
            &self.config,
            KeyRole::Issuing,
            &self.dir.join("issuing.key.pem"),
            passphrase,
            &spki,
        )?;
        let ski = subject_key_identifier(&self.issuing_der)?;
        if key.spki_der() != spki {
            return Err(CaError::KeyFile {
                path: self.dir.join("issuing.key.pem").display().to_string(),
                reason: "the key is not the issuing certificate's key".into(),
            });
        }
        Ok(IssuingKey {
            key,
            certificate: self.issuing_der.clone(),
            ski,
        })
    }

    /// EDS law art. 22: [`CaError::Ceased`] from the stop day of a notice of cessation on (read
    /// from `cessation.json` at each call, so a running server sees a notice at once).
    pub fn check_active(&self, now: OffsetDateTime) -> Result<(), CaError> {
        self.check_active_for(now, Activity::Issue)
    }

    /// [`Center::check_active`] for `activity`: the refusal names what was attempted.
    pub fn check_active_for(&self, now: OffsetDateTime, activity: Activity) -> Result<(), CaError> {
        match crate::cessation::check_active(&self.dir, now) {
            Ok(_) => Ok(()),
            Err(crate::cessation::CessationError::TermEnded { stops_on, on }) => {
                let (action, does) = match activity {
                    Activity::Issue => ("issue a certificate", "issues"),
                    Activity::Revoke => ("revoke a certificate", "revokes"),
                    Activity::PublishCrl => ("issue a CRL", "publishes"),
                    Activity::CertifySigner => {
                        ("certify a new OCSP or TSA signing key", "certifies")
                    }
                    Activity::Timestamp => ("timestamp", "timestamps"),
                };
                Err(CaError::Ceased {
                    action,
                    does,
                    stops_on,
                    on,
                })
            }
            Err(e) => Err(CaError::Io {
                path: self
                    .dir
                    .join(crate::cessation::RECORD_FILE)
                    .display()
                    .to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// The modes [`Center::open_with_store`] tightened, for the caller to say (empty when the
    /// folder was as a new one is).
    pub fn tightened(&self) -> &[keys::Tightened] {
        &self.tightened
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The configuration.
    pub fn config(&self) -> &CenterConfig {
        &self.config
    }

    /// The register.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The root certificate, DER.
    pub fn root_der(&self) -> &[u8] {
        &self.root_der
    }

    /// The issuing center's certificate, DER.
    pub fn issuing_der(&self) -> &[u8] {
        &self.issuing_der
    }

    /// notAfter of the issuing center's certificate: no owner certificate outlives it.
    pub fn issuing_not_after(&self) -> OffsetDateTime {
        self.issuing_not_after
    }
}

fn read_config(dir: &Path) -> Result<CenterConfig, CaError> {
    let cfg_path = dir.join("center.json");
    if !cfg_path.exists() {
        return Err(CaError::NotInitialised {
            path: dir.display().to_string(),
        });
    }
    let text = fs::read(&cfg_path).map_err(|e| CaError::io(&cfg_path, &e))?;
    let config: CenterConfig = serde_json::from_slice(&text).map_err(|e| CaError::Config {
        reason: format!("{}: {e}", cfg_path.display()),
    })?;
    config.validate()?;
    Ok(config)
}

fn register_url(config: &CenterConfig, dir: &Path) -> Result<RegisterUrl, CaError> {
    let text = config.register.as_deref().unwrap_or(RegisterUrl::DEFAULT);
    Ok(RegisterUrl::parse(text, dir)?)
}

/// Certificates carry whole seconds; so does everything the center records about them.
pub(crate) fn truncate_to_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

fn read_cert_pem(path: &Path) -> Result<Vec<u8>, CaError> {
    let text = fs::read(path).map_err(|e| CaError::io(path, &e))?;
    let parsed = pem::parse(&text).map_err(|e| CaError::KeyFile {
        path: path.display().to_string(),
        reason: format!("not a PEM certificate: {e}"),
    })?;
    Ok(parsed.into_contents())
}

/// A certificate in PEM, as rcgen writes it (`CERTIFICATE`, lines of 64, LF).
pub(crate) fn certificate_pem(der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new("CERTIFICATE", der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// The certificate's SubjectPublicKeyInfo, DER as written there.
pub(crate) fn issuing_spki(der: &[u8]) -> Result<Vec<u8>, CaError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| CaError::Internal {
        reason: format!("CA certificate: {e}"),
    })?;
    Ok(cert.public_key().raw.to_vec())
}

/// The subject key identifier extension's value, as written in the certificate.
pub(crate) fn subject_key_identifier(der: &[u8]) -> Result<Vec<u8>, CaError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| CaError::Internal {
        reason: format!("CA certificate: {e}"),
    })?;
    let ext = cert
        .extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .ok_or_else(|| CaError::Internal {
            reason: "CA certificate has no subject key identifier".into(),
        })?;
    Ok(ext)
}

fn ca_record(
    label: &str,
    issuer: &str,
    der: Vec<u8>,
    now: OffsetDateTime,
) -> Result<CertificateRecord, CaError> {
    let (_, cert) = X509Certificate::from_der(&der).map_err(|e| CaError::Internal {
        reason: format!("new CA certificate: {e}"),
    })?;
    Ok(CertificateRecord {
        serial: Serial::from_der_content(cert.raw_serial()).map_err(|e| CaError::Internal {
            reason: format!("new CA serial: {e}"),
        })?,
        issuer: issuer.to_owned(),
        subject: eds_profile::names::rfc4514_der(cert.subject().as_raw())
            .unwrap_or_else(|| cert.subject().to_string()),
        kind: format!("ca-{label}"),
        iin: None,
        bin: None,
        key_purpose: None,
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        issued_at: now,
        confidential: false,
        der,
        revocation: None,
    })
}
