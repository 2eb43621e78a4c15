//! `eds ca …`: the certification center's commands.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ring::rand::SystemRandom;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use eds_ca::CaError;
use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::{IssueStep, Issued, KeySource};
use eds_ca::keys::{self, KeyAlgorithm};
use eds_ca::register::{self, public_view};
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::{
    AuditVerification, CertificateQuery, CertificateRecord, EntityRecord, NewBan, PersonRecord,
    RegisterUrl, Serial, Status,
};
use eds_profile::grounds::RevocationGround;
use eds_profile::request::RegistrationRequest;

use crate::cli::{
    Algorithm, AuditCommand, CaCommand, Ground, PassphraseArgs, RegistryCommand, RotateService,
    StatusArg,
};
use crate::exit::Exit;
use crate::stdio;

/// The clock: real time, or `--now` / `EDS_NOW` for tests and back-dated demos.
pub(crate) fn now(arg: Option<&str>) -> anyhow::Result<OffsetDateTime> {
    match arg {
        Some(s) => OffsetDateTime::parse(s, &Rfc3339).map_err(|e| {
            stdio::usage(
                format!("--now {s:?} is not an RFC 3339 time ({e})"),
                "write e.g. --now 2026-01-31T12:00:00Z",
            )
        }),
        None => Ok(OffsetDateTime::now_utc()),
    }
}

pub(crate) fn algorithm(a: Algorithm) -> KeyAlgorithm {
    match a {
        Algorithm::P256 => KeyAlgorithm::P256,
        Algorithm::P384 => KeyAlgorithm::P384,
        Algorithm::Ed25519 => KeyAlgorithm::Ed25519,
        Algorithm::Gost2015_512 => KeyAlgorithm::Gost2015_512,
        Algorithm::Gost2012_256Tc26 => KeyAlgorithm::Gost2012_256Tc26,
        Algorithm::Gost2012_512Tc26 => KeyAlgorithm::Gost2012_512Tc26,
    }
}

fn ground(g: Ground) -> RevocationGround {
    match g {
        Ground::HolderRequest => RevocationGround::HolderRequest,
        Ground::KeyCompromise => RevocationGround::KeyCompromise,
        Ground::FalseOrIncompleteDocuments => RevocationGround::FalseOrIncompleteDocuments,
        Ground::Death => RevocationGround::Death,
        Ground::NameChange => RevocationGround::NameChange,
        Ground::LegalEntityChange => RevocationGround::LegalEntityChange,
        Ground::Agreement => RevocationGround::Agreement,
        Ground::CourtDecision => RevocationGround::CourtDecision,
    }
}

/// Reads the center's passphrase from `--passphrase-file` or `EDS_CA_PASSPHRASE`, never from an
/// argument (arguments are visible to every user in the process list).
///
/// For a center whose keys are on a PKCS#11 token the secret is the token's PIN, from
/// `--pin-file` or `EDS_PKCS11_PIN`. EDS_CA_PASSPHRASE comes first when both are set: a
/// file center's operator may well keep EDS_PKCS11_PIN for `eds sign --pkcs11`.
pub(crate) fn passphrase(args: &PassphraseArgs) -> anyhow::Result<Vec<u8>> {
    if let Some(path) = args.pin_file.as_ref().or(args.passphrase_file.as_ref()) {
        private_secret_file(path)?;
        return first_line(path);
    }
    for var in ["EDS_CA_PASSPHRASE", "EDS_PKCS11_PIN"] {
        match std::env::var(var) {
            Ok(p) if !p.is_empty() => return Ok(p.into_bytes()),
            _ => {}
        }
    }
    Err(stdio::usage(
        "no passphrase for the center's keys: set EDS_CA_PASSPHRASE or pass --passphrase-file FILE (keys on a token: EDS_PKCS11_PIN or --pin-file)",
        "export EDS_CA_PASSPHRASE (never on the command line), or give --passphrase-file",
    ))
}

/// `--keys`: `file`, or a token URI under which the four keys are named.
fn token_keys(keys: &str) -> anyhow::Result<Option<eds_ca::config::TokenKeys>> {
    if keys == "file" {
        return Ok(None);
    }
    if !keys.starts_with("pkcs11:") {
        return Err(stdio::usage(
            format!("--keys {keys}: give `file` or a PKCS#11 URI (pkcs11:token=LABEL…)"),
            "--keys pkcs11:token=LABEL?module-path=/usr/lib/softhsm/libsofthsm2.so",
        ));
    }
    Ok(Some(eds_ca::config::TokenKeys::under(keys)?))
}

/// Refuses a passphrase file that the group or others may read or write (standard input, a
/// pipe or a terminal is not checked): the passphrase decrypts every key of the center.
pub(crate) fn private_secret_file(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if stdio::is_dash(path) {
        return Ok(());
    }
    let meta = fs::metadata(path)
        .map_err(crate::exit::NoInput)
        .with_context(|| format!("read secret file {}", path.display()))?;
    let mode = meta.permissions().mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        bail!(
            "passphrase file {} has mode {mode:04o}: the group or others may read it; run `chmod 600 {}` (the passphrase decrypts every key of the center)",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// Checks the center's passphrase before a command changes the register: it must decrypt the
/// issuing center's key (issue 16: write access to the folder was enough to revoke).
pub(crate) fn authorise(center: &Center, secret: &PassphraseArgs) -> anyhow::Result<()> {
    center.unlock(&passphrase(secret)?)?;
    Ok(())
}

fn owner_password(file: Option<&Path>) -> anyhow::Result<String> {
    if let Some(path) = file {
        return String::from_utf8(first_line(path)?).context("owner password file is not UTF-8");
    }
    match std::env::var("EDS_OWNER_PASSWORD") {
        Ok(p) if !p.is_empty() => Ok(p),
        _ => Err(stdio::usage(
            "--generate-key needs the owner's password: set EDS_OWNER_PASSWORD or pass --owner-password-file FILE",
            "export EDS_OWNER_PASSWORD, or give --owner-password-file",
        )),
    }
}

/// The first line of a secret file (a passphrase or password; CR LF or LF endings), never empty.
pub(crate) fn first_line(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text = stdio::read(path)
        .with_context(|| format!("read secret file {}", stdio::input_name(path)))?;
    let line = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.is_empty() {
        return Err(anyhow::Error::new(crate::exit::DataError(format!(
            "secret file {} is empty: its first line is the secret",
            path.display()
        ))));
    }
    Ok(line.to_vec())
}

/// A time flag's value: a usage error (64) when it is not RFC 3339.
fn parse_time(s: &str, what: &str) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| {
        stdio::usage(
            format!("{what} {s:?} is not an RFC 3339 time: {e}"),
            "give a time such as 2026-01-31T12:00:00Z",
        )
    })
}

/// The register named by `--register`, a relative SQLite path taken from the working folder.
pub(crate) fn register_url(register: Option<&str>) -> anyhow::Result<Option<RegisterUrl>> {
    let Some(text) = register else {
        return Ok(None);
    };
    let cwd = std::env::current_dir().context("read the working folder")?;
    Ok(Some(RegisterUrl::parse(text, &cwd)?))
}

/// Opens the center in `data` over the register `--register` names, else its configured one.
pub(crate) fn open_center(data: &Path, register: Option<&str>) -> anyhow::Result<Center> {
    let center = match register_url(register)? {
        Some(url) => {
            // A missing center is reported before a register is created for it.
            Center::configured_register(data)?;
            Center::open_with_store(data, url.open()?)?
        }
        None => Center::open(data)?,
    };
    say_tightened(center.tightened());
    Ok(center)
}

/// One line on standard error per mode the opening of the data folder tightened.
pub(crate) fn say_tightened(tightened: &[eds_ca::keys::Tightened]) {
    for t in tightened {
        eprintln!(
            "warning: tightened {t}: a center's data folder is its owner's alone (folders 0700, \
             keys and the register 0600, nothing writable by the group or others)"
        );
    }
}

fn parse_serial(s: &str) -> anyhow::Result<Serial> {
    Serial::from_hex(s).with_context(|| format!("{s:?} is not a serial number in hex"))
}

fn print_json(v: &impl Serialize) -> anyhow::Result<()> {
    say!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

pub(crate) fn run(
    data: &Path,
    register: Option<&str>,
    json_out: bool,
    now: OffsetDateTime,
    cmd: CaCommand,
) -> anyhow::Result<Exit> {
    let rng = SystemRandom::new();
    match cmd {
        CaCommand::Init {
            algorithm: alg,
            name,
            base_url,
            leaf_days,
            crl_hours,
            keys,
            secret,
        } => {
            let register = register_url(register)?;
            if let Some(url) = register.as_ref().filter(|u| u.has_password()) {
                bail!(
                    "the register URL {url} carries a password, which center.json would keep \
                     for anyone who can read the data folder; give the URL without it and the \
                     password in PGPASSWORD or a password file (~/.pgpass or PGPASSFILE, mode 0600)"
                );
            }
            let pass = passphrase(&secret)?;
            let name = name.unwrap_or_else(|| default_center_name(data));
            let base_url = base_url.unwrap_or_else(|| default_base_url(&name));
            let mut config = CenterConfig {
                register: register.map(|u| u.to_config_text()),
                name,
                algorithm: algorithm(alg),
                base_url,
                leaf_validity_days: leaf_days,
                crl_validity_hours: crl_hours,
                token_keys: token_keys(&keys)?,
                ..CenterConfig::default()
            };
            if config.token_keys.is_some() && config.algorithm.gost_profile().is_some() {
                return Err(stdio::usage(
                    format!(
                        "--algorithm {} with --keys pkcs11:…: GOST keys stay in encrypted files (a token holds P-256 or P-384 center keys)",
                        clap::ValueEnum::to_possible_value(&alg)
                            .map(|v| v.get_name().to_owned())
                            .unwrap_or_default()
                    ),
                    "drop --keys for a GOST center, or choose --algorithm p256 or p384 for a token",
                ));
            }
            // A GOST center certifies the owner keys of its own kind too.
            config.key_policy.allow_gost_of(config.algorithm);
            // A data folder that cannot be made is an output that cannot be written (73); made
            // here as the center makes it (mode 0700), before anything is written into it.
            if !data.exists() {
                eds_ca::keys::create_private_dir(data).map_err(|e| {
                    anyhow::Error::new(crate::exit::CantCreate(std::io::Error::other(
                        e.to_string(),
                    )))
                    .context(format!("create the data folder {}", data.display()))
                })?;
            }
            let center = Center::init(data, config, &pass, now, &rng)?;
            // The first CRLs, so a verifier with --data --offline has the status of every
            // certificate from the start.
            let key = center.unlock(&pass)?;
            let mut crls = center
                .issue_and_publish_crl(&key, "operator", now)?
                .1
                .to_vec();
            crls.extend(center.issue_and_publish_root_crl(&pass, "operator", now)?.1);
            let root = fingerprint(center.root_der());
            let cfg = center.config();
            let urls = json!({
                "crl": cfg.crl_url("issuing"),
                "root_crl": cfg.crl_url("root"),
                "ca_issuers": cfg.ca_cert_url("issuing"),
                "ocsp": cfg.ocsp_url(),
            });
            if json_out {
                print_json(&json!({
                    "data": data.display().to_string(),
                    "name": cfg.name,
                    "url": cfg.base_url,
                    "urls": urls,
                    "root_certificate": data.join("root.crt.pem"),
                    "issuing_certificate": data.join("issuing.crt.pem"),
                    "root_sha256": root,
                    "crls": crls,
                }))?;
            } else {
                say!(
                    "initialised the center {:?} in {}",
                    cfg.name,
                    data.display()
                );
                say!(
                    "  root certificate    {}",
                    data.join("root.crt.pem").display()
                );
                say!(
                    "  issuing certificate {}",
                    data.join("issuing.crt.pem").display()
                );
                say!("  root SHA-256        {root}");
                for p in &crls {
                    say!("  CRL                 {}", p.display());
                }
                say!("certificates will name these URLs (`eds serve` answers them):");
                say!("  CRL                 {}", cfg.crl_url("issuing"));
                say!("  root CRL            {}", cfg.crl_url("root"));
                say!("  CA issuers          {}", cfg.ca_cert_url("issuing"));
                say!("  OCSP                {}", cfg.ocsp_url());
            }
            Ok(Exit::Ok)
        }
        CaCommand::Issue {
            request,
            csr,
            applicant,
            generate_key,
            key_algorithm,
            out_dir,
            owner_password_file,
            secret,
        } => {
            let mut inputs: Vec<(&str, &Path)> = Vec::new();
            inputs.extend(request.as_deref().map(|p| ("REQUEST", p)));
            inputs.extend(csr.as_deref().map(|p| ("--csr", p)));
            inputs.extend(
                owner_password_file
                    .as_deref()
                    .map(|p| ("--owner-password-file", p)),
            );
            inputs.extend(secret.inputs());
            stdio::check_one_stdin(inputs)?;
            let center = open_center(data, register)?;
            let req = build_request(request.as_deref(), csr.as_deref(), &applicant)?;
            let owner_pass = if generate_key {
                Some(owner_password(owner_password_file.as_deref())?)
            } else {
                None
            };
            let key = center.unlock(&passphrase(&secret)?)?;
            let source = if generate_key {
                KeySource::Generate(algorithm(key_algorithm))
            } else {
                KeySource::Csr(None)
            };
            let issued = center.prepare_issue(
                &key,
                &req,
                source,
                "operator",
                now,
                &rng,
                &mut test_abort_hook,
            )?;
            let files = write_issued(
                &center,
                &issued,
                &out_dir,
                owner_pass.as_deref(),
                &rng,
                now,
                &mut test_abort_hook,
            )?;
            report_issued(&issued, &files, json_out)?;
            Ok(Exit::Ok)
        }
        CaCommand::Revoke {
            serial,
            ground: g,
            notified_by,
            received_at,
            invalidity_date,
            note,
            secret,
        } => {
            let center = open_center(data, register)?;
            authorise(&center, &secret)?;
            let notice = RevocationNotice {
                serial: parse_serial(&serial)?,
                ground: ground(g),
                notified_by,
                received_at: match received_at {
                    Some(s) => parse_time(&s, "--received-at")?,
                    None => now,
                },
                invalidity_date: invalidity_date
                    .map(|s| parse_time(&s, "--invalidity-date"))
                    .transpose()?,
                note,
            };
            let rec = center.revoke(&notice, "operator", now)?;
            // Art. 18.3: a change made more than a day after the notice is recorded and flagged.
            let late = rec.revocation.as_ref().and_then(|r| {
                eds_profile::revocation::check_notice_timing(r.received_at, r.entered_at)
                    .ok()
                    .flatten()
            });
            if json_out {
                let mut view = serde_json::to_value(public_view(&rec, true))?;
                view["late"] = json!(late);
                print_json(&view)?;
            } else {
                if let Some(late) = &late {
                    eprintln!("warning: {late}");
                }
                let r = rec.revocation.as_ref();
                say!(
                    "revoked {} on ground {} (art. {}), CRL reason {}",
                    rec.serial,
                    notice.ground.as_str(),
                    notice.ground.article(),
                    r.map_or("?", |r| r.reason.name())
                );
                say!("run `eds ca crl` to publish it in the CRL (OCSP answers show it at once)");
            }
            Ok(Exit::Ok)
        }
        CaCommand::Crl { secret, out } => {
            // Art. 22.4: a center that stopped re-publishes its final CRL, unchanged.
            if let Some(exit) =
                crate::cessation_cmd::final_crl(data, out.as_deref(), json_out, now)?
            {
                return Ok(exit);
            }
            let center = open_center(data, register)?;
            let pass = passphrase(&secret)?;
            let key = center.unlock(&pass)?;
            let (crl, issuing_paths) = center.issue_and_publish_crl(&key, "operator", now)?;
            // The root's CRL too, so a verifier offline has both (the issuing center's
            // certificate is checked against it).
            let (_, root_paths) = center.issue_and_publish_root_crl(&pass, "operator", now)?;
            let paths: Vec<_> = issuing_paths.into_iter().chain(root_paths).collect();
            if let Some(out) = out {
                let pem = out.extension().is_some_and(|e| e == "pem");
                let bytes = if pem {
                    crl.pem().into_bytes()
                } else {
                    crl.der.clone()
                };
                stdio::write(&out, &bytes, !pem)?;
            }
            if json_out {
                print_json(&json!({ "crl": crl, "files": paths }))?;
            } else {
                say!(
                    "CRL #{} with {} entries, thisUpdate {}, nextUpdate {}",
                    crl.number,
                    crl.entries,
                    crl.this_update.format(&Rfc3339)?,
                    crl.next_update.format(&Rfc3339)?
                );
                for p in paths {
                    say!("  {}", p.display());
                }
            }
            Ok(Exit::Ok)
        }
        CaCommand::List {
            iin,
            bin,
            status,
            include_confidential,
        } => {
            let center = open_center(data, register)?;
            let q = CertificateQuery {
                iin,
                bin,
                status: status.map(|s| match s {
                    StatusArg::Valid => Status::Valid,
                    StatusArg::Revoked => Status::Revoked,
                }),
                ..CertificateQuery::default()
            };
            // Art. 23.2: a public search by IIN leaves out confidential owners.
            let views = register::list(center.store(), &q, include_confidential)?;
            if json_out {
                print_json(&views)?;
            } else {
                for v in &views {
                    say!("{}  {:<8} {:<13} {}", v.serial, v.status, v.kind, v.subject);
                }
                say!("{}", count(views.len(), "certificate", "certificates"));
            }
            Ok(Exit::Ok)
        }
        CaCommand::Show {
            serial,
            include_confidential,
            pem: as_pem,
        } => {
            let center = open_center(data, register)?;
            let s = parse_serial(&serial)?;
            let rec = center.store().certificate(&s)?.ok_or(CaError::Store(
                eds_ca::store::StoreError::UnknownSerial { serial: s },
            ))?;
            if as_pem {
                print!(
                    "{}",
                    pem::encode(&pem::Pem::new("CERTIFICATE", rec.der.clone()))
                );
                return Ok(Exit::Ok);
            }
            let v = public_view(&rec, include_confidential);
            if json_out {
                print_json(&v)?;
            } else {
                say!("{}", serde_json::to_string_pretty(&v)?);
            }
            Ok(Exit::Ok)
        }
        CaCommand::Registry(RegistryCommand::Import {
            file,
            notified_by,
            secret,
        }) => {
            let center = open_center(data, register)?;
            authorise(&center, &secret)?;
            let name = stdio::input_name(&file);
            let text = stdio::read(&file).with_context(|| format!("read {name}"))?;
            let registry: RegistryFile = serde_json::from_slice(&text).map_err(|e| {
                crate::exit::data_error(format!("{name} is not a registry file"), e)
            })?;
            let revoked = import_registry(&center, &registry, &notified_by, now)?;
            if json_out {
                print_json(&json!({
                    "persons": registry.persons.len(),
                    "entities": registry.entities.len(),
                    "revoked": revoked.iter().map(|r| public_view(r, true)).collect::<Vec<_>>(),
                }))?;
            } else {
                say!(
                    "recorded {}, {}; {} revoked",
                    count(registry.persons.len(), "person", "persons"),
                    count(registry.entities.len(), "legal entity", "legal entities"),
                    count(revoked.len(), "certificate", "certificates"),
                );
                for r in &revoked {
                    let g = r.revocation.as_ref().map_or("?", |v| v.ground.as_str());
                    say!("  revoked {} ({g})", r.serial);
                }
            }
            Ok(Exit::Ok)
        }
        CaCommand::Ban {
            iin,
            bin,
            decision,
            from,
            until,
            secret,
        } => {
            let center = open_center(data, register)?;
            authorise(&center, &secret)?;
            let from = match from {
                Some(s) => parse_day(&s, "--from")?,
                None => eds_profile::kz_time::legal_date(now),
            };
            let ends_on = until.map(|s| parse_day(&s, "--until")).transpose()?;
            let id = center.add_ban(
                &NewBan {
                    iin,
                    bin,
                    court_decision: decision,
                    effective_from: from,
                    ends_on,
                },
                "operator",
                now,
            )?;
            if json_out {
                print_json(&json!({ "id": id, "ends_on": ends_on.map(|d| d.to_string()) }))?;
            } else {
                match ends_on {
                    Some(end) => say!("recorded court decision #{id}, in force until {end}"),
                    None => say!(
                        "recorded court decision #{id}, in force until lifted (`eds ca unban {id}`)"
                    ),
                }
            }
            Ok(Exit::Ok)
        }
        CaCommand::Unban {
            id,
            decision,
            on,
            secret,
        } => {
            let center = open_center(data, register)?;
            authorise(&center, &secret)?;
            let on = match on {
                Some(s) => parse_day(&s, "--on")?,
                None => eds_profile::kz_time::legal_date(now),
            };
            let ban = center.lift_ban(id, on, &decision, "operator", now)?;
            if json_out {
                print_json(&ban)?;
            } else {
                say!("lifted court decision #{id} from {on}");
            }
            Ok(Exit::Ok)
        }
        CaCommand::Audit(AuditCommand::Verify) => {
            let center = open_center(data, register)?;
            let v = center.store().verify_audit()?;
            if json_out {
                print_json(&v)?;
            }
            match v {
                AuditVerification::Intact { entries, head } => {
                    if !json_out {
                        say!(
                            "audit log intact: {entries} entries, head {}",
                            hex::encode(head)
                        );
                    }
                    Ok(Exit::Ok)
                }
                eds_ca::store::AuditVerification::Broken { seq, problem } => {
                    if !json_out {
                        say!("audit log BROKEN at entry {seq}: {problem:?}");
                        say!(
                            "the register was modified outside the center; restore it from a backup"
                        );
                    }
                    Ok(Exit::AuditBroken)
                }
            }
        }
        CaCommand::Audit(AuditCommand::Show { from, limit }) => {
            let center = open_center(data, register)?;
            let entries = center.store().audit_entries(from, limit)?;
            if json_out {
                print_json(&entries)?;
            } else {
                for e in entries {
                    say!(
                        "{:>6} {} {:<10} {:<28} {}",
                        e.seq,
                        e.at.format(&Rfc3339)?,
                        e.actor,
                        e.action,
                        e.details
                    );
                }
            }
            Ok(Exit::Ok)
        }
        CaCommand::Migrate { from, to } => {
            let from = register_url(Some(&from))?.context("--from")?;
            let to = register_url(Some(&to))?.context("--to")?;
            // A source register that is not there is a missing input (66).
            if let RegisterUrl::Sqlite(path) = &from
                && !path.exists()
            {
                return Err(anyhow::Error::new(crate::exit::NoInput(
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such register"),
                )))
                .with_context(|| format!("--from {from}"));
            }
            let report =
                eds_ca::store::migrate::copy_register(&from, &to).map_err(eds_ca::CaError::from)?;
            if json_out {
                print_json(&json!({
                    "from": from.to_string(),
                    "to": to.to_string(),
                    "rows": report.rows.iter().map(|(t, n)| (t.clone(), json!(n))).collect::<serde_json::Map<String, serde_json::Value>>(),
                    "audit": report.audit,
                }))?;
            } else {
                say!("copied {from} to {to}:");
                for (table, rows) in &report.rows {
                    say!("  {table}: {rows} rows");
                }
                say!(
                    "audit log intact in both: {} entries, head {}",
                    report.audit.entries,
                    hex::encode(report.audit.hash)
                );
                say!("to use it: --register {to}, or \"register\" in center.json");
            }
            Ok(Exit::Ok)
        }
        CaCommand::Archive {
            out,
            serials,
            secret,
        } => {
            let center = open_center(data, register)?;
            authorise(&center, &secret)?;
            let serials = serials
                .iter()
                .map(|s| parse_serial(s))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let records = center.archivable(&serials, now)?;
            let mut lines = Vec::new();
            for r in &records {
                serde_json::to_writer(&mut lines, &archive_line(r))?;
                writeln!(lines)?;
            }
            if stdio::is_dash(&out) {
                stdio::write(&out, &lines, false)?;
            } else {
                let mut file = fs::OpenOptions::new()
                    .create_new(true)
                    .write(true)
                    .open(&out)
                    .with_context(|| {
                        format!("create archive {} (it must not exist)", out.display())
                    })?;
                file.write_all(&lines)?;
                file.sync_all()?;
            }
            let removed = center.remove_archived(&records, "operator", now)?;
            if json_out {
                print_json(&json!({ "archived": removed, "file": out }))?;
            } else {
                say!(
                    "archived {} to {}",
                    count(removed, "certificate", "certificates"),
                    stdio::output_name(&out)
                );
            }
            Ok(Exit::Ok)
        }
        CaCommand::Operator(cmd) => crate::serve_cmd::operator(data, register, json_out, now, cmd),
        CaCommand::Rotate {
            service,
            compromised,
            secret,
        } => {
            let center = open_center(data, register)?;
            let pass = passphrase(&secret)?;
            let (rec, revoked, name, file) = match (service, compromised) {
                (RotateService::Ocsp, false) => (
                    center.issue_ocsp_signer(&pass, now, &rng)?,
                    None,
                    "OCSP responder",
                    eds_ca::ocsp::signer::CERT_FILE,
                ),
                (RotateService::Ocsp, true) => {
                    let (rec, revoked) =
                        center.replace_compromised_ocsp_signer(&pass, "operator", now, &rng)?;
                    (
                        rec,
                        revoked,
                        "OCSP responder",
                        eds_ca::ocsp::signer::CERT_FILE,
                    )
                }
                (RotateService::Tsa, false) => (
                    center.issue_tsa_signer(&pass, now, &rng)?,
                    None,
                    "timestamp authority",
                    eds_ca::tsa::CERT_FILE,
                ),
                (RotateService::Tsa, true) => {
                    let (rec, revoked) =
                        center.replace_compromised_tsa_signer(&pass, "operator", now, &rng)?;
                    (rec, revoked, "timestamp authority", eds_ca::tsa::CERT_FILE)
                }
            };
            if let Some(old) = &revoked
                && !json_out
            {
                say!(
                    "revoked the replaced {name} certificate {} for key compromise; publish a CRL (`eds ca crl`) so relying parties see it",
                    old.serial
                );
            }
            if json_out {
                print_json(&json!({
                    "certificate": public_view(&rec, true),
                    "file": data.join(file),
                    "revoked": revoked.as_ref().map(|r| public_view(r, true)),
                }))?;
            } else {
                say!(
                    "new {name} certificate {} valid until {}",
                    rec.serial,
                    rec.not_after.format(&Rfc3339)?
                );
                say!("  {}", data.join(file).display());
                say!("a running `eds serve` signs with it from its next request");
            }
            Ok(Exit::Ok)
        }
        CaCommand::Export(args) => {
            crate::cessation_cmd::export(data, register, json_out, now, &args)
        }
        CaCommand::Import(args) => {
            crate::cessation_cmd::import(data, register, json_out, now, &args)
        }
        CaCommand::Cessation(cmd) => {
            crate::cessation_cmd::cessation(data, register, json_out, now, &cmd)
        }
        CaCommand::Refusals => {
            let center = open_center(data, register)?;
            let refusals = center.store().refusals()?;
            if json_out {
                print_json(&refusals)?;
            } else {
                for r in &refusals {
                    say!(
                        "#{} {} {} {}",
                        r.id,
                        r.at.format(&Rfc3339)?,
                        r.ground.as_str(),
                        r.detail
                    );
                }
                say!("{}", count(refusals.len(), "refusal", "refusals"));
            }
            Ok(Exit::Ok)
        }
    }
}

/// For the crash-consistency tests: `EDS_TEST_ABORT_AFTER=accepted|signed|recorded` kills the
/// process (no unwinding, no destructors) right after that step of an issuance. Only in a build
/// with the `fault-injection` feature (the tests'); elsewhere it does nothing.
#[cfg(not(feature = "fault-injection"))]
fn test_abort_hook(_step: IssueStep) {}

/// See the function of the same name above.
#[cfg(feature = "fault-injection")]
fn test_abort_hook(step: IssueStep) {
    let Ok(at) = std::env::var("EDS_TEST_ABORT_AFTER") else {
        return;
    };
    let name = match step {
        IssueStep::Accepted => "accepted",
        IssueStep::Signed => "signed",
        IssueStep::Recorded => "recorded",
    };
    if at == name {
        std::process::abort();
    }
}

/// The applicant of `eds ca issue` given with flags instead of a JSON request.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct ApplicantArgs {
    /// The applicant's IIN (instead of a JSON request; needs --surname and --given-name).
    #[arg(long, conflicts_with = "request", requires_all = ["surname", "given_name"])]
    pub(crate) iin: Option<String>,
    /// The applicant's surname as in the identity document.
    #[arg(long, requires = "iin")]
    pub(crate) surname: Option<String>,
    /// The applicant's first name.
    #[arg(long, requires = "iin")]
    pub(crate) given_name: Option<String>,
    /// The applicant's patronymic, if the identity document carries one.
    #[arg(long, requires = "iin")]
    pub(crate) patronymic: Option<String>,
    /// A non-resident's birth date (YYYY-MM-DD); marks the applicant as non-resident.
    #[arg(long, requires = "iin", value_name = "DATE")]
    pub(crate) birth_date: Option<String>,
    /// The legal entity's BIN (needs --entity-name).
    #[arg(long, requires_all = ["iin", "entity_name"])]
    pub(crate) bin: Option<String>,
    /// The legal entity's registered name.
    #[arg(long, requires = "bin")]
    pub(crate) entity_name: Option<String>,
    /// A role within the legal entity (first-head, signing-right, ...; repeat for several).
    #[arg(long, requires = "bin")]
    pub(crate) role: Vec<String>,
    /// What the key is for.
    #[arg(long, requires = "iin", default_value = "signing", value_parser = ["signing", "authentication"])]
    pub(crate) key_purpose: String,
    /// A document presented (repeat; default: identity-document and application).
    #[arg(long, requires = "iin", value_name = "KIND")]
    pub(crate) document: Vec<String>,
    /// An agreed e-mail address for the subject alternative name (art. 15.2).
    #[arg(long, requires = "iin")]
    pub(crate) email: Option<String>,
    /// Keep the owner's details out of the public register (art. 23.2).
    #[arg(long, requires = "iin")]
    pub(crate) confidential: bool,
}

impl ApplicantArgs {
    /// The request these flags describe (the same JSON a request file holds, so the same checks
    /// and messages apply).
    fn request(&self, iin: &str) -> anyhow::Result<RegistrationRequest> {
        let mut applicant = json!({
            "iin": iin,
            "surname": self.surname,
            "name": self.given_name,
        });
        if let Some(p) = &self.patronymic {
            applicant["patronymic"] = json!(p);
        }
        if let Some(d) = &self.birth_date {
            applicant["resident"] = json!(false);
            applicant["birth_date"] = json!(d);
        }
        let documents = if self.document.is_empty() {
            vec!["identity-document".to_owned(), "application".to_owned()]
        } else {
            self.document.clone()
        };
        let mut req = json!({
            "applicant": applicant,
            "roles": self.role,
            "key_purpose": self.key_purpose,
            "documents": documents,
            "confidential": self.confidential,
        });
        if let Some(bin) = &self.bin {
            req["legal_entity"] = json!({ "bin": bin, "name": self.entity_name });
        }
        if let Some(email) = &self.email {
            req["additional_info"] = json!({ "email": email });
        }
        serde_json::from_value(req).map_err(|e| {
            anyhow::Error::new(CaError::BadRequest {
                reason: format!("the applicant flags: {e}"),
            })
        })
    }
}

/// The request of `eds ca issue`: the JSON file or the flags, with the CSR of --csr.
fn build_request(
    request: Option<&Path>,
    csr: Option<&Path>,
    applicant: &ApplicantArgs,
) -> anyhow::Result<RegistrationRequest> {
    let mut req = match (request, &applicant.iin) {
        (Some(path), _) => read_request(path)?,
        (None, Some(iin)) => applicant.request(iin)?,
        (None, None) => {
            return Err(stdio::usage(
                "give a registration request (JSON) or the applicant with --iin",
                "`eds ca issue REQUEST.json`, or `eds ca issue --csr FILE --iin IIN --surname S \
                 --given-name G`",
            ));
        }
    };
    if let Some(path) = csr {
        let name = stdio::input_name(path);
        let bytes = stdio::read(path).with_context(|| format!("read --csr {name}"))?;
        let pem_text = if bytes.starts_with(b"-----BEGIN") {
            String::from_utf8(bytes)
                .map_err(|e| crate::exit::data_error(format!("--csr {name} is not UTF-8 PEM"), e))?
        } else {
            pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", bytes))
        };
        if req.csr_pem.is_some() {
            return Err(anyhow::Error::new(CaError::BadRequest {
                reason: format!(
                    "the request already holds csr_pem and --csr {name} gives another: keep one"
                ),
            }));
        }
        req.csr_pem = Some(pem_text);
    }
    Ok(req)
}

pub(crate) fn read_request(path: &Path) -> anyhow::Result<RegistrationRequest> {
    let name = stdio::input_name(path);
    let text = stdio::read(path).with_context(|| format!("read request {name}"))?;
    if text.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Err(anyhow::Error::new(CaError::BadRequest {
            reason: format!(
                "{name} is a PEM file, not a registration request (JSON): give a certificate \
                 request with --csr {name} and the applicant with --iin, --surname and \
                 --given-name (or a JSON request)"
            ),
        }));
    }
    serde_json::from_slice(&text).map_err(|e| {
        anyhow::Error::new(CaError::BadRequest {
            reason: format!("{name}: {e}"),
        })
    })
}

/// Files written for an issued certificate.
#[derive(Debug, Serialize)]
pub(crate) struct IssuedFiles {
    pub(crate) certificate: PathBuf,
    /// The issuing and root certificates, PEM.
    pub(crate) chain: PathBuf,
    pub(crate) key: Option<PathBuf>,
    pub(crate) pkcs12: Option<PathBuf>,
}

/// Records a prepared certificate and writes the owner's files, in the order that loses nothing
/// if the process dies between any two steps: a generated key is stored (encrypted) first; then
/// the register commits the certificate; only then do the certificate and the PKCS#12 (which
/// contains it) leave the center, so no certificate exists outside the register.
pub(crate) fn write_issued(
    center: &Center,
    issued: &Issued,
    out_dir: &Path,
    owner_password: Option<&str>,
    rng: &SystemRandom,
    now: OffsetDateTime,
    observe: &mut dyn FnMut(IssueStep),
) -> anyhow::Result<IssuedFiles> {
    fs::create_dir_all(out_dir).with_context(|| format!("create {}", out_dir.display()))?;
    let serial = issued.record.serial.to_string();
    let generated = match (&issued.key, owner_password) {
        (Some(generated), Some(pass)) => Some((generated, pass)),
        (Some(_), None) => bail!("a generated key needs the owner's password to be stored"),
        _ => None,
    };
    let mut key_path = None;
    if let Some((generated, pass)) = generated {
        let kp = out_dir.join(format!("{serial}.key.pem"));
        keys::write_private_file(
            &kp,
            keys::encrypt_pkcs8_pem(&generated.pkcs8, pass.as_bytes(), rng)?.as_bytes(),
        )?;
        key_path = Some(kp);
    }
    center.record_issued(issued, "operator", now)?;
    observe(IssueStep::Recorded);
    let cert_path = out_dir.join(format!("{serial}.crt.pem"));
    let cert_pem = pem::encode(&pem::Pem::new("CERTIFICATE", issued.record.der.clone()));
    keys::write_public_file(&cert_path, cert_pem.as_bytes())?;
    // The centers above the certificate, issuing first: what `eds sign --chain` and any
    // verifier holding only the root need to build the path.
    let chain_path = out_dir.join(format!("{serial}.chain.pem"));
    let chain_pem: String = [center.issuing_der(), center.root_der()]
        .into_iter()
        .map(|der| pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec())))
        .collect();
    keys::write_public_file(&chain_path, chain_pem.as_bytes())?;
    let mut p12_path = None;
    if let Some((generated, pass)) = generated {
        let p12 = keys::owner_pkcs12(
            &generated.pkcs8,
            &[&issued.record.der, center.issuing_der(), center.root_der()],
            pass,
            &serial,
        )?;
        let pp = out_dir.join(format!("{serial}.p12"));
        keys::write_private_file(&pp, &p12)?;
        p12_path = Some(pp);
    }
    Ok(IssuedFiles {
        certificate: cert_path,
        chain: chain_path,
        key: key_path,
        pkcs12: p12_path,
    })
}

fn report_issued(issued: &Issued, files: &IssuedFiles, json_out: bool) -> anyhow::Result<()> {
    if json_out {
        print_json(&json!({
            "certificate": public_view(&issued.record, true),
            "files": files,
            "warnings": issued.warnings.iter().map(|w| json!({
                "warning": w,
                "message": w.to_string(),
            })).collect::<Vec<_>>(),
        }))?;
    } else {
        for w in &issued.warnings {
            eprintln!("warning: {w}");
        }
        say!(
            "issued {} to {}",
            issued.record.serial,
            issued.record.subject
        );
        say!("  certificate {}", files.certificate.display());
        say!("  chain       {}", files.chain.display());
        if let Some(k) = &files.key {
            say!("  key (encrypted PKCS#8) {}", k.display());
        }
        if let Some(p) = &files.pkcs12 {
            say!("  PKCS#12 {}", p.display());
        }
    }
    Ok(())
}

fn archive_line(r: &CertificateRecord) -> serde_json::Value {
    json!({
        "record": public_view(r, true),
        "certificate_pem": pem::encode(&pem::Pem::new("CERTIFICATE", r.der.clone())),
    })
}

/// The default name of a new center: after its data folder, so two folders make two names.
fn default_center_name(data: &Path) -> String {
    let folder = std::path::absolute(data)
        .ok()
        .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "data".to_owned());
    format!("EDS TEST CA ({folder})")
}

/// The default URL of a new center: loopback, on a port 8080-8979 derived from its name (FNV-1a),
/// so two centers of different names on one machine name different URLs.
fn default_base_url(name: &str) -> String {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("http://127.0.0.1:{}", 8080 + hash % 900)
}

fn fingerprint(der: &[u8]) -> String {
    hex::encode_upper(ring::digest::digest(&ring::digest::SHA256, der))
}

/// A registry import file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistryFile {
    #[serde(default)]
    pub(crate) persons: Vec<PersonRecord>,
    #[serde(default)]
    pub(crate) entities: Vec<EntityRecord>,
}

pub(crate) fn import_registry(
    center: &Center,
    registry: &RegistryFile,
    notified_by: &str,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<CertificateRecord>> {
    let total = registry
        .persons
        .len()
        .saturating_add(registry.entities.len());
    // Drawn on standard error only when it is a terminal (indicatif hides it otherwise).
    let bar = indicatif::ProgressBar::new(u64::try_from(total).unwrap_or(u64::MAX));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("recording the registry");
    let mut revoked = Vec::new();
    for p in &registry.persons {
        revoked.extend(center.record_person(p, notified_by, now)?);
        bar.inc(1);
    }
    for e in &registry.entities {
        revoked.extend(center.record_entity(e, notified_by, now)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(revoked)
}

/// A date flag's value: a usage error (64) when it is not YYYY-MM-DD.
fn parse_day(s: &str, flag: &str) -> anyhow::Result<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).map_err(|e| {
        stdio::usage(
            format!("{flag} {s:?} is not a date: {e}"),
            "give a date such as 2026-01-31",
        )
    })
}

/// `n` and the noun in the number it takes (`1 certificate`, `2 certificates`).
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
