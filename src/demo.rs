//! `eds demo`: a test center in a fresh folder, the shipped sample requests, a revocation, a
//! registry event and a CRL, each step printed.

use std::path::Path;

use anyhow::Context;
use ring::rand::SystemRandom;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use eds_ca::CaError;
use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::revoke::RevocationNotice;
use eds_profile::grounds::RevocationGround;
use eds_profile::request::RegistrationRequest;

use crate::ca_cmd::{RegistryFile, import_registry, write_issued};

/// The sample requests, compiled in so the demo runs from any folder.
const REQUESTS: [(&str, &str); 8] = [
    (
        "individual-signing",
        include_str!("../fixtures/requests/individual-signing.json"),
    ),
    (
        "individual-authentication",
        include_str!("../fixtures/requests/individual-authentication.json"),
    ),
    (
        "first-head-signing",
        include_str!("../fixtures/requests/first-head-signing.json"),
    ),
    (
        "employee-signing-right",
        include_str!("../fixtures/requests/employee-signing-right.json"),
    ),
    (
        "non-resident-signing",
        include_str!("../fixtures/requests/non-resident-signing.json"),
    ),
    (
        "refused-under-age",
        include_str!("../fixtures/requests/refused-under-age.json"),
    ),
    (
        "refused-incomplete",
        include_str!("../fixtures/requests/refused-incomplete.json"),
    ),
    (
        "refused-false-information",
        include_str!("../fixtures/requests/refused-false-information.json"),
    ),
];
const REGISTRY: &str = include_str!("../fixtures/registry.json");

pub(crate) fn run(
    data: &Path,
    json_out: bool,
    now: OffsetDateTime,
    owner_password: Option<&str>,
) -> anyhow::Result<u8> {
    let rng = SystemRandom::new();
    let stamp = now.format(time::macros::format_description!(
        "[year][month][day]-[hour][minute][second]"
    ))?;
    let dir = data.join(format!("demo-{stamp}"));
    let pass = match std::env::var("EDS_CA_PASSPHRASE") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            eprintln!("note: EDS_CA_PASSPHRASE is not set; the demo center's keys use \"demo\"");
            "demo".to_owned()
        }
    };
    let owner_password = owner_password.unwrap_or("demo");
    let say = |s: String| {
        if !json_out {
            println!("{s}");
        }
    };

    let center = Center::init(&dir, CenterConfig::default(), pass.as_bytes(), now, &rng)?;
    say(format!("1. initialised a center in {}", dir.display()));
    let registry: RegistryFile = serde_json::from_str(REGISTRY).context("shipped registry")?;
    import_registry(&center, &registry, "demo registry", now)?;
    say(format!(
        "2. imported the registry: {} persons, {} legal entities",
        registry.persons.len(),
        registry.entities.len()
    ));
    let key = center.unlock(pass.as_bytes())?;
    say("3. ran the sample requests:".into());
    let owners = dir.join("owners");
    let mut outcomes = Vec::new();
    let mut issued_serials = Vec::new();
    for (name, text) in REQUESTS {
        let req: RegistrationRequest =
            serde_json::from_str(text).with_context(|| format!("sample request {name}"))?;
        match center.prepare_issue(
            &key,
            &req,
            KeySource::Generate(KeyAlgorithm::P256),
            "demo",
            now,
            &rng,
            &mut |_| {},
        ) {
            Ok(issued) => {
                let files = write_issued(
                    &center,
                    &issued,
                    &owners,
                    Some(owner_password),
                    &rng,
                    now,
                    &mut |_| {},
                )?;
                say(format!("   {name:<27} issued  {}", issued.record.serial));
                issued_serials.push((name, issued.record.serial.clone()));
                outcomes.push(json!({"request": name, "issued": issued.record.serial.to_string(), "files": files}));
            }
            Err(CaError::Refused { refusal, record }) => {
                say(format!(
                    "   {name:<27} REFUSED art. {} ({}): {refusal}",
                    refusal.ground().article(),
                    refusal.ground().as_str()
                ));
                outcomes.push(json!({
                    "request": name,
                    "refused": refusal.ground().as_str(),
                    "article": refusal.ground().article(),
                    "finding": refusal.to_string(),
                    "record": record,
                }));
            }
            Err(e) => return Err(e.into()),
        }
    }

    if let Some((name, serial)) = issued_serials.first() {
        center.revoke(
            &RevocationNotice {
                serial: serial.clone(),
                ground: RevocationGround::KeyCompromise,
                notified_by: "the holder".into(),
                received_at: now,
                invalidity_date: Some(now),
                note: Some("demo: the holder reports a lost token".into()),
            },
            "demo",
            now,
        )?;
        say(format!(
            "4. revoked {name} ({serial}) for key compromise (art. 17.1)"
        ));
    }
    let mut changed = registry
        .persons
        .iter()
        .find(|p| p.iin == "950210400451")
        .cloned()
        .context("demo person missing from the shipped registry")?;
    changed.surname = "СЕРІКОВА".into();
    let revoked = center.record_person(&changed, "registry office", now)?;
    say(format!(
        "5. the registry records a change of surname for {}: {} certificate(s) revoked (art. 18.1(4))",
        changed.iin,
        revoked.len()
    ));
    let (crl, paths) = center.issue_and_publish_crl(&key, "demo", now)?;
    say(format!(
        "6. published CRL #{} with {} entries, next update {}",
        crl.number,
        crl.entries,
        crl.next_update.format(&Rfc3339)?
    ));
    let audit = center.store().verify_audit()?;
    say(match &audit {
        eds_ca::store::AuditVerification::Intact { entries, head } => format!(
            "7. audit log intact: {entries} hash-chained entries, head {}",
            hex::encode(head)
        ),
        broken => format!("7. audit log BROKEN: {broken:?}"),
    });
    if json_out {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "data": dir,
                "requests": outcomes,
                "crl": crl,
                "crl_files": paths,
                "audit": audit,
            }))?
        );
    } else {
        println!();
        println!("check it with OpenSSL:");
        println!(
            "  openssl verify -CAfile {0}/root.crt.pem -untrusted {0}/issuing.crt.pem -crl_check -CRLfile {0}/crl/issuing.crl.pem {0}/owners/*.crt.pem",
            dir.display()
        );
    }
    Ok(0)
}
