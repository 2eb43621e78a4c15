//! `eds demo`: the licensing flow end to end in a fresh data folder, each step printed.
//!
//! A test center is created; it issues certificates (generated keys, PKCS#12) to the licensing
//! body's head (signs receipts) and officer (signs licences), a legal entity's head and an
//! individual, and refuses a 15-year-old (art. 14). The applicants sign their applications, the
//! body accepts them with signed receipts, the officer signs a licence and a relying party
//! verifies it. Receipts and licences are CAdES-LT, as `eds license issue` makes them by
//! default: the center's timestamp authority (in process) stamps them, and the CRLs published
//! after the stamp go inside. A relying party then verifies the licence on the day after the
//! officer's certificate expired, offline with nothing but the file: it passes (the TSA's
//! certificate, which vouches for the timestamp, lasts years longer). Then the
//! officer's certificate is revoked, the CRL published, and a licence the officer signs after
//! that fails verification (TOTAL_FAILED / REVOKED), while the first licence, timestamped
//! before the revocation, still passes. Every step runs the same functions as `eds submission
//! check`, `eds license issue` and `eds license verify`; verification uses the center's CRL
//! files offline. The steps are dated one minute apart, ending a few minutes before now, so
//! every signing time precedes the validation time.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use ring::rand::SystemRandom;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use eds_ca::CaError;
use eds_ca::center::Center;
use eds_ca::config::CenterConfig;
use eds_ca::issue::KeySource;
use eds_ca::keys::KeyAlgorithm;
use eds_ca::revoke::RevocationNotice;
use eds_ca::store::PersonRecord;
use eds_ca::tsa::{ID_KP_TIME_STAMPING, TimestampAuthority, TsaOptions};
use eds_profile::documents::Document;
use eds_profile::grounds::RevocationGround;
use eds_profile::ident::{Bin, Iin, Sex};
use eds_profile::request::RegistrationRequest;
use eds_signer::keys::pkcs12::Pkcs12Contents;
use eds_verifier::cert::Cert;
use eds_verifier::engine::Verifier;
use eds_verifier::scope::Expectations;
use eds_verifier::verdict::{Indication, SubIndication};

use crate::ca_cmd::{RegistryFile, import_registry, write_issued};
use crate::exit::Exit;
use crate::extend_cmd::{Level, LtSources, Tsa};
use crate::licensing_cmd::{open_p12, seal};
use crate::verify_cmd::{CommonArgs, build_verifier};
use eds_licensing::{
    IssueOptions, ResultCheck, check_result, check_submission, issue_result, service_name,
    verdict_summary,
};

const REGISTRY: &str = include_str!("../fixtures/demo/registry.json");
/// The center's shipped sample requests (`fixtures/requests`) and their registry: run through
/// the center too, recorded in its register without key files.
const SAMPLES: [(&str, &str); 8] = [
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
const SAMPLE_REGISTRY: &str = include_str!("../fixtures/registry.json");
/// The people the center issues to: file stem, request.
const PEOPLE: [(&str, &str); 4] = [
    (
        "body-head",
        include_str!("../fixtures/demo/requests/body-head.json"),
    ),
    (
        "officer",
        include_str!("../fixtures/demo/requests/officer.json"),
    ),
    ("head", include_str!("../fixtures/demo/requests/head.json")),
    (
        "individual",
        include_str!("../fixtures/demo/requests/individual.json"),
    ),
];
const APPLICATION_INDIVIDUAL: &str = include_str!("../fixtures/demo/application-individual.json");
const APPLICATION_ENTITY: &str = include_str!("../fixtures/demo/application-legal-entity.json");
/// BIN of the licensing body in the demo registry.
pub(crate) const BODY_BIN: &str = "991240000003";

struct Demo {
    dir: PathBuf,
    json_out: bool,
    base: OffsetDateTime,
    step: u32,
    steps: Vec<Value>,
}

impl Demo {
    /// The time of minute `k` of the demo.
    fn at(&self, k: i64) -> OffsetDateTime {
        // `base` is twelve minutes before a valid instant, so adding up to twelve cannot fail.
        self.base
            .checked_add(Duration::minutes(k))
            .unwrap_or(self.base)
    }

    fn say(&mut self, lines: &[String]) {
        self.step += 1;
        if !self.json_out {
            for (i, line) in lines.iter().enumerate() {
                if i == 0 {
                    say!("{:>2}. {line}", self.step);
                } else {
                    say!("    {line}");
                }
            }
        }
        self.steps.push(json!({"step": self.step, "text": lines}));
    }

    fn verifier(&self) -> anyhow::Result<Verifier> {
        self.verifier_at(None)
    }

    /// The relying party offline: with the center's CRL files, or (`at` given) years later with
    /// nothing but the signature, at `at`.
    fn verifier_at(&self, at: Option<OffsetDateTime>) -> anyhow::Result<Verifier> {
        let common = CommonArgs {
            trust: None,
            untrusted: Vec::new(),
            crl: match at {
                Some(_) => Vec::new(),
                None => self.crl_files(),
            },
            ocsp: Vec::new(),
            at: at.map(rfc3339),
            offline: true,
            no_ocsp: true,
            cache: None,
            policy: Default::default(),
        };
        build_verifier(&self.dir, &common, Expectations::default(), None)
    }

    fn crl_files(&self) -> Vec<PathBuf> {
        vec![
            self.dir.join("crl/issuing.crl"),
            self.dir.join("crl/root.crl"),
        ]
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    fs::write(path, bytes).with_context(|| format!("write {}", path.display()))
}

/// Puts today's date (in Kazakhstan) into a shipped application and returns its canonical
/// bytes with the document.
fn application(text: &str, filled: OffsetDateTime) -> anyhow::Result<(Document, Vec<u8>)> {
    let mut value: Value = serde_json::from_str(text).context("shipped application")?;
    value["filled_on"] = json!(eds_profile::kz_time::legal_date(filled).to_string());
    let doc = Document::from_json(&serde_json::to_vec(&value)?)
        .context("the shipped application is not valid")?;
    let bytes = doc.canonical_bytes()?;
    Ok((doc, bytes))
}

/// A registry person who is 15 on `today` (born fifteen years and forty days before).
fn fifteen_year_old(today: time::Date) -> anyhow::Result<PersonRecord> {
    let birth = today
        .replace_year(today.year() - 15)
        .or_else(|_| {
            today
                .replace_day(28)
                .and_then(|d| d.replace_year(today.year() - 15))
        })
        .map_err(|e| anyhow::anyhow!("birth date of the demo minor: {e}"))?
        .checked_sub(Duration::days(40))
        .context("birth date of the demo minor out of range")?;
    let iin = (1..100u16)
        .find_map(|serial| Iin::from_parts(birth, Sex::Female, serial))
        .context("no IIN for the demo minor's birth date")?;
    Ok(PersonRecord {
        iin: iin.as_str().to_owned(),
        surname: "ERMEKOVA".into(),
        name: "ALUA".into(),
        patronymic: None,
        birth_date: birth,
        death_date: None,
    })
}

fn sign_as(key: &Pkcs12Contents, bytes: &[u8], at: OffsetDateTime) -> anyhow::Result<Vec<u8>> {
    let signer = eds_signer::Signer::new(&key.key, &key.certificate_der, &key.chain_der)?;
    Ok(eds_signer::cms::sign(
        &signer,
        eds_signer::Content::Bytes(bytes),
        &eds_signer::SignOptions::new(at),
        &SystemRandom::new(),
    )?)
}

fn sub_name(check: &ResultCheck) -> Option<SubIndication> {
    check
        .report
        .signatures
        .first()
        .and_then(|s| s.sub_indication)
}

pub(crate) fn run(
    data: &Path,
    json_out: bool,
    now: OffsetDateTime,
    owner_password: Option<&str>,
    algorithm: KeyAlgorithm,
) -> anyhow::Result<Exit> {
    let rng = SystemRandom::new();
    let now = now.replace_nanosecond(0)?;
    // Certificates run 20 years past the root's start and GeneralizedTime stops at 9999.
    ensure!(
        (1950..=9000).contains(&now.year()),
        "the demo's clock {now} is outside 1950..9000; give --now a plausible time"
    );
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
    let body_bin = Bin::parse(BODY_BIN).map_err(|e| anyhow::anyhow!("demo body BIN: {e}"))?;
    let mut d = Demo {
        dir: dir.clone(),
        json_out,
        base: now
            .checked_sub(Duration::minutes(12))
            .context("--now is too early for the demo's clock")?,
        step: 0,
        steps: Vec::new(),
    };

    // The center and its registry.
    let mut config = CenterConfig {
        algorithm,
        ..CenterConfig::default()
    };
    config.key_policy.allow_gost_of(algorithm);
    // A data folder that cannot be made is an output that cannot be written (73).
    fs::create_dir_all(data)
        .map_err(crate::exit::CantCreate)
        .with_context(|| format!("create the data folder {}", data.display()))?;
    let center = Center::init(&dir, config, pass.as_bytes(), d.at(0), &rng)?;
    let mut registry: RegistryFile = serde_json::from_str(REGISTRY).context("demo registry")?;
    let minor = fifteen_year_old(eds_profile::kz_time::legal_date(now))?;
    registry.persons.push(minor.clone());
    import_registry(&center, &registry, "demo registry", d.at(0))?;
    d.say(&[
        format!("created the test center in {}", dir.display()),
        format!(
            "root.crt.pem, issuing.crt.pem; registry: {} persons, {} legal entities",
            registry.persons.len(),
            registry.entities.len()
        ),
    ]);

    // Certificates.
    let key = center.unlock(pass.as_bytes())?;
    let mut p12 = std::collections::BTreeMap::new();
    let mut serials = serde_json::Map::new();
    let mut officer_serial = None;
    let key_name = match algorithm {
        KeyAlgorithm::P256 => "P-256",
        KeyAlgorithm::P384 => "P-384",
        KeyAlgorithm::Ed25519 => "Ed25519",
        KeyAlgorithm::Gost2015_512 => "GOST 2015-512",
        KeyAlgorithm::Gost2012_256Tc26 => "GOST 2012-256 (TC26)",
        KeyAlgorithm::Gost2012_512Tc26 => "GOST 2012-512 (TC26)",
    };
    let mut lines = vec![format!(
        "issued certificates ({key_name} keys generated by the center, PKCS#12 password from EDS_OWNER_PASSWORD, default \"demo\"):"
    )];
    for (name, text) in PEOPLE {
        let req: RegistrationRequest =
            serde_json::from_str(text).with_context(|| format!("demo request {name}"))?;
        let issued = center.prepare_issue(
            &key,
            &req,
            KeySource::Generate(algorithm),
            "demo",
            d.at(1),
            &rng,
            &mut |_| {},
        )?;
        let files = write_issued(
            &center,
            &issued,
            &dir.join("owners"),
            Some(owner_password),
            &rng,
            d.at(1),
            &mut |_| {},
        )?;
        let src = files
            .pkcs12
            .context("the center wrote no PKCS#12 for a generated key")?;
        let p12_path = dir.join(format!("{name}.p12"));
        fs::copy(&src, &p12_path).with_context(|| format!("copy {}", src.display()))?;
        fs::copy(&files.certificate, dir.join(format!("{name}.crt.pem")))
            .with_context(|| format!("copy {}", files.certificate.display()))?;
        let who = match &req.legal_entity {
            Some(e) => format!(
                "{} {}, {} of {} (BIN {})",
                req.applicant.surname,
                req.applicant.name,
                req.roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                e.name,
                e.bin
            ),
            None => format!(
                "{} {}, individual (IIN {})",
                req.applicant.surname, req.applicant.name, req.applicant.iin
            ),
        };
        lines.push(format!(
            "{name}.p12  {who}  serial {}",
            issued.record.serial
        ));
        serials.insert(name.to_owned(), json!(issued.record.serial.to_string()));
        if name == "officer" {
            officer_serial = Some(issued.record.serial.clone());
        }
        p12.insert(name, open_p12(&p12_path, owner_password)?);
    }
    d.say(&lines);

    // The minor.
    let minor_req: RegistrationRequest = serde_json::from_value(json!({
        "applicant": {"iin": minor.iin, "surname": "Ermekova", "name": "Alua"},
        "key_purpose": "signing",
        "documents": ["identity-document", "application"]
    }))?;
    match center.prepare_issue(
        &key,
        &minor_req,
        KeySource::Generate(algorithm),
        "demo",
        d.at(1),
        &rng,
        &mut |_| {},
    ) {
        Err(CaError::Refused { refusal, .. }) => d.say(&[format!(
            "REFUSED a certificate to Ermekova Alua (IIN {}): {refusal} (art. {}, {})",
            minor.iin,
            refusal.ground().article(),
            refusal.ground().as_str()
        )]),
        Ok(_) => bail!("the center issued a certificate to a 15-year-old"),
        Err(e) => return Err(e.into()),
    }

    // The shipped sample requests, for the center's own refusals (art. 14-1).
    let samples: RegistryFile =
        serde_json::from_str(SAMPLE_REGISTRY).context("shipped registry")?;
    import_registry(&center, &samples, "demo registry", d.at(1))?;
    let mut outcomes = Vec::new();
    let mut refused = Vec::new();
    for (name, text) in SAMPLES {
        let req: RegistrationRequest =
            serde_json::from_str(text).with_context(|| format!("sample request {name}"))?;
        let source = KeySource::Generate(algorithm);
        match center.prepare_issue(&key, &req, source, "demo", d.at(1), &rng, &mut |_| {}) {
            Ok(issued) => {
                center.record_issued(&issued, "demo", d.at(1))?;
                outcomes.push(json!({"request": name, "issued": issued.record.serial.to_string()}));
            }
            Err(CaError::Refused { refusal, .. }) => {
                refused.push(format!("{name}: {}", refusal.ground().as_str()));
                outcomes.push(json!({"request": name, "refused": refusal.ground().as_str(), "article": refusal.ground().article(), "finding": refusal.to_string()}));
            }
            Err(e) => return Err(e.into()),
        }
    }
    d.say(&[format!(
        "the shipped sample requests (fixtures/requests): {} issued, {} refused ({})",
        outcomes.len() - refused.len(),
        refused.len(),
        refused.join(", ")
    )]);

    let crl_paths = |c: &Center, at| -> anyhow::Result<()> {
        c.issue_and_publish_crl(&key, "demo", at)?;
        c.issue_and_publish_root_crl(pass.as_bytes(), "demo", at)?;
        Ok(())
    };
    crl_paths(&center, d.at(2))?;
    d.say(&["published the CRLs: crl/issuing.crl, crl/root.crl (no certificate revoked)".into()]);

    // The center's timestamp authority, in process (`eds serve` answers the same at /tsa).
    let authority = TimestampAuthority::load(
        &center,
        pass.as_bytes(),
        d.at(2),
        &rng,
        TsaOptions::default(),
    )?;
    let lt_sources = LtSources {
        crls: d.crl_files(),
        ocsp: Vec::new(),
        offline: true,
    };
    // CAdES-LT as `eds license issue` makes it by default: the TSA stamps at `at`, the center
    // publishes its CRLs half a minute later (revocation data must postdate the timestamp, ETSI
    // EN 319 102-1), and they go into the signature with the chain.
    let seal_at = |der: Vec<u8>, key: &Pkcs12Contents, at: OffsetDateTime| {
        crl_paths(&center, at + Duration::seconds(30))?;
        let tsa = Tsa::local("the demo center's TSA", |request: &[u8]| {
            Ok(authority.answer(center.store(), request, at).der)
        });
        seal(
            der,
            key,
            Level::Lt,
            Some(&tsa),
            &lt_sources,
            std::time::Duration::from_secs(30),
            None,
            at,
        )
    };

    let get = |name: &str| p12.get(name).context("demo key missing");
    // Applications.
    let (app_i, bytes_i) = application(APPLICATION_INDIVIDUAL, d.at(3))?;
    write(&dir.join("application.json"), &bytes_i)?;
    let signed_i = sign_as(get("individual")?, &bytes_i, d.at(3))?;
    write(&dir.join("application.json.p7s"), &signed_i)?;
    let (app_e, bytes_e) = application(APPLICATION_ENTITY, d.at(3))?;
    write(&dir.join("application-legal-entity.json"), &bytes_e)?;
    let signed_e = sign_as(get("head")?, &bytes_e, d.at(3))?;
    write(&dir.join("application-legal-entity.json.p7s"), &signed_e)?;
    d.say(&[
        format!(
            "Sultanova Dana signs application {} ({}): application.json → application.json.p7s",
            app_i.application_number().as_str(),
            service_name(app_i.service())
        ),
        format!(
            "Tulegenov Arman, first head of Qorgau Tech LLP, signs application {} ({}): application-legal-entity.json.p7s",
            app_e.application_number().as_str(),
            service_name(app_e.service())
        ),
    ]);

    // Acceptance.
    let verifier = d.verifier()?;
    let mut receipts = Vec::new();
    // The second receipt twenty seconds after the first, each with its own timestamp and CRLs.
    for (signed, file, out, seconds) in [
        (&signed_i, "application.json.p7s", "receipt.json.p7s", 0),
        (
            &signed_e,
            "application-legal-entity.json.p7s",
            "receipt-legal-entity.json.p7s",
            20,
        ),
    ] {
        let at = d.at(4) + Duration::seconds(seconds);
        let mut accepted = check_submission(
            &verifier,
            signed,
            get("body-head")?,
            at,
            &SystemRandom::new(),
        )?;
        accepted.receipt_der = seal_at(accepted.receipt_der, get("body-head")?, at)?;
        write(&dir.join(out), &accepted.receipt_der)?;
        let deadline = match &accepted.deadline {
            Some(dl) => format!(
                "registered on {}, {} working days, decision due {}",
                dl.registered_on, dl.working_days, dl.due
            ),
            None => accepted
                .deadline_note
                .clone()
                .unwrap_or_else(|| "no deadline".into()),
        };
        receipts.push(accepted.receipt_der.clone());
        d.lines_accept(file, out, &accepted.application, &deadline);
    }

    // Issuance.
    let officer = get("officer")?;
    let receipt_i = receipts.first().context("receipt missing")?;
    let receipt_e = receipts.get(1).context("receipt missing")?;
    let mut licence = issue_result(
        &verifier,
        &signed_i,
        receipt_i,
        officer,
        &body_bin,
        &IssueOptions::grant(),
        d.at(5),
        &SystemRandom::new(),
    )?;
    licence.der = seal_at(licence.der, officer, d.at(5))?;
    write(&dir.join("licence.json.p7s"), &licence.der)?;
    write(
        &dir.join("licence.json"),
        &licence.document.canonical_bytes()?,
    )?;
    d.say(&[format!(
        "Abenov Serik, officer of the body, issues {} {} for {}: licence.json.p7s, CAdES-LT (timestamped, the chain and the CRLs inside){}",
        licence.document.kind(),
        licence_number(&licence.document),
        licence.document.application_number().as_str(),
        match licence.in_time {
            Some(true) => " (within the term)",
            Some(false) => " (AFTER the term)",
            None => "",
        }
    )]);

    // The relying party.
    let check = check_result(&verifier, &licence.der, &body_bin, d.at(6))?;
    ensure!(
        check.indication == Indication::TotalPassed && check.licensing_passed,
        "the demo licence did not pass: {} {:?}",
        check.verdict,
        check.checks
    );
    d.say(&[
        format!("a relying party verifies licence.json.p7s: {}", check.verdict),
        "licensing checks passed: well-formed, a result of its service, issued and signed by the body's authorised officer".into(),
    ]);

    // Years later: the officer's certificate has expired and the center is gone. A timestamp is
    // the TSA's word, taken while the TSA's certificate is valid (ETSI EN 319 102-1 §5.6.3): the
    // center's lasts as long as its issuing certificate, so the licence passes until then, and
    // `eds extend --to LTA` with a TSA valid later keeps it beyond.
    let mut signer_expiry = None;
    let mut tsa_expiry = None;
    for der in eds_signer::cms::lt::covered_certificates(&licence.der)? {
        let cert = Cert::from_der(&der).context("a certificate of the licence")?;
        let is_ca = matches!(cert.basic_constraints(), Ok(Some((true, _))));
        let is_tsa = matches!(cert.extended_key_usage(), Ok(Some(ekus)) if ekus.contains(&ID_KP_TIME_STAMPING));
        let slot = if is_tsa {
            &mut tsa_expiry
        } else if is_ca {
            continue;
        } else {
            &mut signer_expiry
        };
        *slot = Some(slot.map_or(cert.not_after(), |t: OffsetDateTime| {
            t.max(cert.not_after())
        }));
    }
    let signer_expiry = signer_expiry.context("the licence holds no signer's certificate")?;
    let tsa_expiry = tsa_expiry.context("the licence holds no TSA certificate")?;
    let years_later = signer_expiry + Duration::days(1);
    let late_verifier = d.verifier_at(Some(years_later))?;
    let years = check_result(&late_verifier, &licence.der, &body_bin, years_later)?;
    let proof = years
        .report
        .signatures
        .first()
        .and_then(|s| s.proofs_of_existence.first())
        .map(|p| format!("{} at {}", p.proven_by, rfc3339(p.time)))
        .unwrap_or_else(|| "no proof".into());
    ensure!(
        years.indication == Indication::TotalPassed && years.licensing_passed,
        "the LT licence did not pass at {}: {}",
        rfc3339(years_later),
        years.verdict
    );
    d.say(&[
        format!(
            "on {}, a day after the officer's certificate expired, offline with no CRL and no OCSP: {}",
            rfc3339(years_later),
            years.verdict
        ),
        format!("judged at the proven time of signing ({proof}) with the CRLs the licence carries"),
        format!(
            "the TSA's certificate vouches for the timestamp until {}: before then, `eds extend --to LTA` with a TSA valid later keeps the licence verifiable",
            rfc3339(tsa_expiry)
        ),
    ]);

    // Revocation.
    let officer_serial = officer_serial.context("officer serial missing")?;
    center.revoke(
        &RevocationNotice {
            serial: officer_serial.clone(),
            ground: RevocationGround::KeyCompromise,
            notified_by: "the licensing body".into(),
            received_at: d.at(7),
            invalidity_date: Some(d.at(7)),
            note: Some("demo: the officer's token was lost".into()),
        },
        "demo",
        d.at(7),
    )?;
    crl_paths(&center, d.at(7))?;
    d.say(&[format!(
        "the officer's certificate {officer_serial} is revoked (key compromise, art. 17.1) at {}; crl/issuing.crl republished",
        rfc3339(d.at(7))
    )]);

    // A licence signed after the revocation.
    let verifier = d.verifier()?;
    // `eds license issue` would refuse to hand this licence out (it verifies what it signed);
    // the demo plays a signing system that does not, to show what a relying party catches.
    let unchecked = IssueOptions {
        self_check: false,
        ..IssueOptions::grant()
    };
    let mut late = issue_result(
        &verifier,
        &signed_e,
        receipt_e,
        officer,
        &body_bin,
        &unchecked,
        d.at(8),
        &SystemRandom::new(),
    )?;
    late.der = seal_at(late.der, officer, d.at(8))?;
    write(&dir.join("licence-after-revocation.json.p7s"), &late.der)?;
    let late_check = check_result(&verifier, &late.der, &body_bin, d.at(9))?;
    ensure!(
        late_check.indication == Indication::TotalFailed
            && sub_name(&late_check) == Some(SubIndication::Revoked),
        "the licence signed after the revocation should fail as REVOKED, got {}",
        late_check.verdict
    );
    d.say(&[
        format!(
            "the officer signs licence {} for Qorgau Tech LLP at {}, after the revocation: licence-after-revocation.json.p7s",
            licence_number(&late.document),
            rfc3339(d.at(8))
        ),
        format!("a relying party verifies it: {}", late_check.verdict),
    ]);
    let old_check = check_result(&verifier, &licence.der, &body_bin, d.at(9))?;
    ensure!(
        old_check.indication == Indication::TotalPassed,
        "the licence timestamped before the revocation should still pass, got {}",
        old_check.verdict
    );
    d.say(&[format!(
        "the first licence, timestamped before the revocation, still verifies with the new CRL: {}",
        verdict_summary(&old_check.report)
    )]);

    let audit = center.store().verify_audit()?;
    if let eds_ca::store::AuditVerification::Intact { entries, .. } = &audit {
        d.say(&[format!(
            "the center's audit log is intact: {entries} hash-chained entries"
        )]);
    } else {
        bail!("the demo center's audit log is broken: {audit:?}");
    }

    let files = json!({
        "root": dir.join("root.crt.pem"),
        "issuing": dir.join("issuing.crt.pem"),
        "crl": [dir.join("crl/issuing.crl"), dir.join("crl/root.crl")],
        "p12": PEOPLE.iter().map(|(n, _)| (n.to_string(), json!(dir.join(format!("{n}.p12"))))).collect::<serde_json::Map<_, _>>(),
        "application": dir.join("application.json.p7s"),
        "application_legal_entity": dir.join("application-legal-entity.json.p7s"),
        "receipt": dir.join("receipt.json.p7s"),
        "receipt_legal_entity": dir.join("receipt-legal-entity.json.p7s"),
        "licence": dir.join("licence.json.p7s"),
        "licence_after_revocation": dir.join("licence-after-revocation.json.p7s"),
    });
    if json_out {
        say!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "data": dir,
                "body_bin": BODY_BIN,
                "owner_password_default": owner_password == "demo",
                "serials": serials,
                "refused_minor_iin": minor.iin,
                "files": files,
                "licence": {"indication": check.indication, "verdict": check.verdict, "licensing_passed": check.licensing_passed, "level": "LT"},
                "licence_years_later": {"at": rfc3339(years_later), "signer_certificate_expiry": rfc3339(signer_expiry), "tsa_certificate_expiry": rfc3339(tsa_expiry), "indication": years.indication, "verdict": years.verdict, "licensing_passed": years.licensing_passed},
                "licence_after_revocation": {"indication": late_check.indication, "sub_indication": sub_name(&late_check), "verdict": late_check.verdict},
                "steps": d.steps,
                "requests": outcomes,
                "audit": audit,
            }))?
        );
    } else {
        print_commands(&dir, years_later);
    }
    Ok(Exit::Ok)
}

impl Demo {
    fn lines_accept(&mut self, file: &str, out: &str, app: &Document, deadline: &str) {
        self.say(&[
            format!(
                "the body checks {file}: signature TOTAL_PASSED, the signer is the applicant ({}); accepted",
                app.recipient_id()
            ),
            format!("receipt signed by the body's head → {out}; {deadline}"),
        ]);
    }
}

fn licence_number(doc: &Document) -> String {
    match doc {
        Document::Licence(l) => l.licence_number.clone(),
        Document::ReissuedLicence(l) => l.licence_number.clone(),
        other => other.application_number().as_str().to_owned(),
    }
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn print_commands(dir: &Path, years_later: OffsetDateTime) {
    let d = dir.display();
    let crl = format!("--offline --crl {d}/crl/issuing.crl --crl {d}/crl/root.crl");
    say!("");
    say!("every file is in {d}; rerun any step by hand (key files' password: demo;");
    say!(
        "no TSA runs here, so the signing commands below say --level B: with `eds serve --data {d}`"
    );
    say!("running, give --tsa http://ADDRESS/tsa instead for the default CAdES-LT):");
    say!("  eds verify --data {d} {d}/licence.json.p7s {crl}");
    say!(
        "  eds license verify --data {d} {d}/licence.json.p7s --body-bin {BODY_BIN} --offline --at {}",
        rfc3339(years_later)
    );
    say!(
        "  eds license verify --data {d} {d}/licence-after-revocation.json.p7s --body-bin {BODY_BIN} {crl}"
    );
    say!(
        "  EDS_KEY_PASSWORD=demo eds submission check --data {d} {d}/application.json.p7s --p12 {d}/body-head.p12 --receipt-out {d}/receipt-again.json.p7s --level B {crl}"
    );
    say!(
        "  EDS_KEY_PASSWORD=demo eds license issue --data {d} --application {d}/application.json.p7s --receipt {d}/receipt.json.p7s --decision grant --p12 {d}/body-head.p12 --body-bin {BODY_BIN} --out {d}/licence-by-head.json.p7s --level B {crl}"
    );
    say!(
        "  EDS_KEY_PASSWORD=demo eds sign --p12 {d}/individual.p12 --in {d}/application.json --out {d}/application-again.json.p7s"
    );
    say!(
        "  openssl cms -verify -binary -inform DER -in {d}/licence.json.p7s -CAfile {d}/root.crt.pem -purpose any -out /dev/stdout"
    );
    say!(
        "  openssl verify -CAfile {d}/root.crt.pem -untrusted {d}/issuing.crt.pem -crl_check -CRLfile {d}/crl/issuing.crl.pem {d}/officer.crt.pem"
    );
}
