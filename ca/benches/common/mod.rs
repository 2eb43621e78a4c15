//! Set-up shared by `benches/ca.rs` and `examples/crl_million.rs`: a center with the fixture
//! registry, cached registers holding N revoked certificates, and the same entries as an OpenSSL
//! `ca` database.
//!
//! The revoked entries are a pure function of their index, so the SQLite register, the in-memory
//! rcgen list and OpenSSL's `index.txt` hold the same serials, dates, reasons and invalidity dates
//! without reading each other.

// The example uses only the CRL half of this module.
#![allow(
    dead_code,
    reason = "shared between the bench and the example, each uses a part"
)]

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use rcgen::{RevocationReason, RevokedCertParams, SerialNumber};
use ring::rand::SystemRandom;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use eds_ca::center::{Center, IssuingKey};
use eds_ca::config::CenterConfig;
use eds_ca::store::{
    AuditEvent, CertificateRecord, EntityRecord, PersonRecord, RevocationRecord, Serial,
};
use eds_profile::grounds::{CrlReason, RevocationGround};
use eds_profile::request::RegistrationRequest;

/// Passphrase of every bench center's keys.
pub(crate) const PASS: &[u8] = b"bench passphrase";

/// When the bench centers are created.
pub(crate) const CREATED: OffsetDateTime = datetime!(2026-11-22 09:00 UTC);

/// When the benches issue certificates and CRLs.
pub(crate) const NOW: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

/// Revoked rows written per register transaction while building a CRL register.
const INSERT_BATCH: usize = 50_000;

#[derive(serde::Deserialize)]
struct Registry {
    persons: Vec<PersonRecord>,
    entities: Vec<EntityRecord>,
}

/// A file of `fixtures/`.
pub(crate) fn fixture(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `target/bench-data/`: cached registers and OpenSSL files, kept between runs.
pub(crate) fn bench_data() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data");
    fs::create_dir_all(&dir).expect("create target/bench-data");
    dir.canonicalize().expect("target/bench-data")
}

/// A new center in `dir` (P-256, the default configuration) whose registry holds the fixture
/// persons and entities.
pub(crate) fn new_center(dir: &Path) -> Center {
    let rng = SystemRandom::new();
    let center =
        Center::init(dir, CenterConfig::default(), PASS, CREATED, &rng).expect("init center");
    let registry: Registry =
        serde_json::from_str(&fixture("registry.json")).expect("fixtures/registry.json");
    for p in &registry.persons {
        center
            .record_person(p, "bench", CREATED)
            .expect("record person");
    }
    for e in &registry.entities {
        center
            .record_entity(e, "bench", CREATED)
            .expect("record entity");
    }
    center
}

/// One revoked certificate of the synthetic registers, as a function of its index.
#[derive(Debug, Clone)]
pub(crate) struct Revoked {
    /// 20 octets, first in 0x40..=0x7F, like the center's own serials.
    pub(crate) serial: [u8; 20],
    /// Within the year before [`NOW`].
    pub(crate) revoked_at: OffsetDateTime,
    /// The eight grounds of the law in turn.
    pub(crate) ground: RevocationGround,
    /// A day before the revocation, for key compromise only (the one reason OpenSSL's `ca` can
    /// pair with an invalidity date).
    pub(crate) invalidity_date: Option<OffsetDateTime>,
}

/// The `i`-th revoked entry.
pub(crate) fn revoked(i: u64) -> Revoked {
    let digest = Sha256::digest(i.to_be_bytes());
    let mut serial = [0u8; 20];
    serial.copy_from_slice(&digest[..20]);
    serial[0] = (serial[0] & 0x3F) | 0x40;
    let grounds = RevocationGround::ALL;
    let ground = grounds[usize::try_from(i % 8).unwrap_or(0)];
    let seconds = i64::try_from(i % 31_536_000).unwrap_or(0);
    let revoked_at = NOW - Duration::seconds(seconds + 60);
    let invalidity_date =
        (ground == RevocationGround::KeyCompromise).then(|| revoked_at - Duration::days(1));
    Revoked {
        serial,
        revoked_at,
        ground,
        invalidity_date,
    }
}

/// The register entry of [`revoked`]`(i)`: a certificate record with a two-byte placeholder DER
/// (the CRL reads only serial, dates and reason) that already carries its revocation.
pub(crate) fn revoked_record(i: u64) -> CertificateRecord {
    let r = revoked(i);
    CertificateRecord {
        serial: Serial::from_der_content(&r.serial).expect("serial is positive and minimal"),
        issuer: "issuing".into(),
        subject: format!("CN=BENCH {i}"),
        kind: "individual".into(),
        iin: None,
        bin: None,
        key_purpose: Some("signing".into()),
        not_before: r.revoked_at - Duration::days(30),
        not_after: NOW + Duration::days(365),
        issued_at: r.revoked_at - Duration::days(30),
        confidential: false,
        der: vec![0x30, 0x00],
        revocation: Some(RevocationRecord {
            ground: r.ground,
            reason: r.ground.crl_reason(),
            notified_by: "bench".into(),
            received_at: r.revoked_at,
            entered_at: r.revoked_at,
            invalidity_date: r.invalidity_date,
            note: None,
        }),
    }
}

/// rcgen's form of the first `n` entries in the order the register streams them (by serial), as
/// `Center::crl` builds them.
pub(crate) fn rcgen_entries(n: u64) -> Vec<RevokedCertParams> {
    let mut all: Vec<Revoked> = (0..n).map(revoked).collect();
    all.sort_by_key(|r| r.serial);
    all.into_iter()
        .map(|r| RevokedCertParams {
            serial_number: SerialNumber::from_slice(&r.serial),
            revocation_time: r.revoked_at,
            reason_code: Some(rcgen_reason(r.ground.crl_reason())),
            invalidity_date: r.invalidity_date,
        })
        .collect()
}

pub(crate) fn rcgen_reason(r: CrlReason) -> RevocationReason {
    match r {
        CrlReason::KeyCompromise => RevocationReason::KeyCompromise,
        CrlReason::AffiliationChanged => RevocationReason::AffiliationChanged,
        CrlReason::Superseded => RevocationReason::Superseded,
        CrlReason::CessationOfOperation => RevocationReason::CessationOfOperation,
        CrlReason::PrivilegeWithdrawn => RevocationReason::PrivilegeWithdrawn,
        _ => RevocationReason::Unspecified,
    }
}

/// The data folder of a center whose register holds `n` revoked certificates of `issuing`,
/// built once and cached under `target/bench-data/crl-<n>/` (with its OpenSSL `ca` files in
/// `openssl/`). Returns the folder.
pub(crate) fn crl_center(n: u64) -> PathBuf {
    let dir = bench_data().join(format!("crl-{n}"));
    if dir.join("openssl").join("openssl.cnf").exists() {
        return dir;
    }
    let partial = bench_data().join(format!("crl-{n}.partial"));
    if partial.exists() {
        fs::remove_dir_all(&partial).expect("remove a half-built register");
    }
    fs::create_dir_all(&partial).expect("create register folder");
    eprintln!(
        "building a register of {n} revoked certificates in {}",
        partial.display()
    );
    let started = std::time::Instant::now();
    {
        let center = new_center(&partial);
        let mut next = 0u64;
        while next < n {
            let end = n.min(next + u64::try_from(INSERT_BATCH).unwrap_or(u64::MAX));
            let records: Vec<CertificateRecord> = (next..end).map(revoked_record).collect();
            center
                .store()
                .insert_certificates(
                    &records,
                    &AuditEvent {
                        at: CREATED,
                        actor: "bench".into(),
                        action: "bench-register-filled".into(),
                        details: json!({ "from": next, "to": end }),
                    },
                )
                .expect("insert revoked certificates");
            next = end;
        }
        let key = center.unlock(PASS).expect("unlock");
        write_openssl_ca(&partial.join("openssl"), &center, &key, n);
    }
    fs::rename(&partial, &dir).expect("move the register into place");
    eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
    dir
}

/// Writes an OpenSSL `ca` database holding the same `n` revoked entries as [`crl_center`]'s
/// register, the issuing key unencrypted (OpenSSL would otherwise spend its time in PBKDF2) and a
/// minimal `openssl.cnf` whose CRLs carry the same extensions as the center's: authority key
/// identifier and CRL number.
///
/// OpenSSL's `ca` knows no privilegeWithdrawn reason (its index accepts only the names up to
/// removeFromCRL); those entries are written as affiliationChanged, which encodes in as many
/// bytes.
pub(crate) fn write_openssl_ca(dir: &Path, center: &Center, key: &IssuingKey, n: u64) {
    fs::create_dir_all(dir).expect("create openssl folder");
    let key_pem = key
        .key()
        .key_pair()
        .expect("a P-256 center")
        .serialize_pem();
    fs::write(dir.join("issuing.key.pem"), key_pem).expect("write key");
    fs::write(
        dir.join("ca.pem"),
        pem::encode(&pem::Pem::new("CERTIFICATE", center.issuing_der().to_vec())),
    )
    .expect("write CA certificate");
    fs::write(
        dir.join("chain.pem"),
        format!(
            "{}{}",
            pem::encode(&pem::Pem::new("CERTIFICATE", center.issuing_der().to_vec())),
            pem::encode(&pem::Pem::new("CERTIFICATE", center.root_der().to_vec()))
        ),
    )
    .expect("write chain");
    let utc = time::macros::format_description!(
        "[year repr:last_two][month][day][hour][minute][second]Z"
    );
    let generalized =
        time::macros::format_description!("[year][month][day][hour][minute][second]Z");
    let expiry = (NOW + Duration::days(365))
        .format(&utc)
        .expect("format time");
    let mut index = String::with_capacity(usize::try_from(n).unwrap_or(0).saturating_mul(120));
    for i in 0..n {
        let r = revoked(i);
        let revoked_at = r.revoked_at.format(&utc).expect("format time");
        let reason = match r.ground.crl_reason() {
            CrlReason::Unspecified => String::new(),
            CrlReason::KeyCompromise => format!(
                ",keyTime,{}",
                r.invalidity_date
                    .expect("key compromise entries carry an invalidity date")
                    .format(&generalized)
                    .expect("format time")
            ),
            CrlReason::AffiliationChanged | CrlReason::PrivilegeWithdrawn => {
                ",affiliationChanged".into()
            }
            CrlReason::Superseded => ",superseded".into(),
            CrlReason::CessationOfOperation => ",cessationOfOperation".into(),
            _ => String::new(),
        };
        let _ = writeln!(
            index,
            "R\t{expiry}\t{revoked_at}{reason}\t{}\tunknown\t/CN=BENCH {i}",
            hex::encode_upper(r.serial)
        );
    }
    fs::write(dir.join("index.txt"), index).expect("write index.txt");
    fs::write(dir.join("index.txt.attr"), "unique_subject = no\n").expect("write index attr");
    fs::write(dir.join("crlnumber"), "01\n").expect("write crlnumber");
    // Paths relative to the folder, which [`openssl_gencrl`] runs in: the folder is built under
    // another name and moved into place.
    let cnf = String::from(
        "[ ca ]\n\
         default_ca = bench\n\
         \n\
         [ bench ]\n\
         dir = .\n\
         database = $dir/index.txt\n\
         crlnumber = $dir/crlnumber\n\
         certificate = $dir/ca.pem\n\
         private_key = $dir/issuing.key.pem\n\
         new_certs_dir = $dir\n\
         default_md = sha256\n\
         default_crl_hours = 24\n\
         unique_subject = no\n\
         crl_extensions = crl_ext\n\
         \n\
         [ crl_ext ]\n\
         authorityKeyIdentifier = keyid:always\n",
    );
    fs::write(dir.join("openssl.cnf"), cnf).expect("write openssl.cnf");
}

/// `openssl ca -gencrl` over the database in `dir` (written by [`write_openssl_ca`]); the CRL
/// (PEM: `ca` writes no DER) goes to `out`.
pub(crate) fn openssl_gencrl(dir: &Path, out: &Path) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .arg("ca")
        .arg("-config")
        .arg("openssl.cnf")
        .arg("-gencrl")
        .arg("-batch")
        .arg("-out")
        .arg(out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl ca -gencrl failed: {status}");
}

/// A stand-in signing key that returns a fixed 72-byte "signature" at once: rcgen then does all
/// its encoding (and the hashing is skipped along with the signing), so timing it beside the real
/// key separates encoding from signing.
pub(crate) struct NoSign {
    /// The real issuer's public key, so the authority key identifier is the same.
    pub(crate) public: Vec<u8>,
}

impl rcgen::PublicKeyData for NoSign {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for NoSign {
    fn sign(&self, _msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Ok(vec![0x30; 72])
    }
}

/// An rcgen issuer with the issuing center's name and key identifier that does not sign.
pub(crate) fn unsigned_issuer(center: &Center, key: &IssuingKey) -> rcgen::Issuer<'static, NoSign> {
    use rcgen::PublicKeyData as _;
    rcgen::Issuer::from_ca_cert_der(
        &center.issuing_der().to_vec().into(),
        NoSign {
            public: key
                .issuer()
                .expect("a P-256 center")
                .key()
                .der_bytes()
                .to_vec(),
        },
    )
    .expect("issuing certificate parses")
}

/// Peak resident memory of this process so far, from `/proc/self/status` (Linux), in MiB.
pub(crate) fn peak_rss_mib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// A center for the issuance measurements: a fresh folder under [`bench_data`] whose name starts
/// with `prefix` (removed when dropped), the fixture registry, `fill` certificates already in the
/// register, the issuing key unlocked, and the fixture request for an individual's signing
/// certificate.
pub(crate) struct IssuingCenter {
    /// The center's folder.
    pub(crate) dir: tempfile::TempDir,
    /// The center.
    pub(crate) center: Center,
    /// Its issuing key.
    pub(crate) key: IssuingKey,
    /// `fixtures/requests/individual-signing.json`.
    pub(crate) req: RegistrationRequest,
}

/// See [`IssuingCenter`].
pub(crate) fn issuing_center(prefix: &str, fill: u64) -> IssuingCenter {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(bench_data())
        .expect("temporary center folder");
    let center = new_center(dir.path());
    fill_register(&center, fill);
    let key = center.unlock(PASS).expect("unlock");
    let req: RegistrationRequest =
        serde_json::from_str(&fixture("requests/individual-signing.json"))
            .expect("fixture request");
    IssuingCenter {
        dir,
        center,
        key,
        req,
    }
}

/// Adds `n` valid certificates (serials as the center draws them, for issuance instants 5 minutes
/// apart going back from [`CREATED`]; a 1,000-byte placeholder DER, the size of the center's
/// certificates) to the register, 50,000 per transaction.
pub(crate) fn fill_register(center: &Center, n: u64) {
    let rng = SystemRandom::new();
    let mut next = 0u64;
    while next < n {
        let end = n.min(next + u64::try_from(INSERT_BATCH).unwrap_or(u64::MAX));
        let records: Vec<CertificateRecord> = (next..end)
            .map(|i| {
                let issued = CREATED - Duration::seconds(i64::try_from(i).unwrap_or(0) * 300);
                let serial = eds_ca::certs::time_ordered_serial(issued, &rng).expect("serial");
                CertificateRecord {
                    serial: Serial::from_der_content(&serial).expect("serial"),
                    issuer: "issuing".into(),
                    subject: format!("CN=FILL {i}"),
                    kind: "individual".into(),
                    iin: Some(format!("{:012}", 100_000_000_000 + i)),
                    bin: None,
                    key_purpose: Some("signing".into()),
                    not_before: issued,
                    not_after: issued + Duration::days(365),
                    issued_at: issued,
                    confidential: false,
                    der: vec![0x30; 1000],
                    revocation: None,
                }
            })
            .collect();
        center
            .store()
            .insert_certificates(
                &records,
                &AuditEvent {
                    at: CREATED,
                    actor: "bench".into(),
                    action: "bench-register-filled".into(),
                    details: json!({ "from": next, "to": end }),
                },
            )
            .expect("fill register");
        next = end;
    }
}

/// Number of certificates in the register of the center in `dir` (read on a connection of its
/// own; the store has no count).
pub(crate) fn count_certificates(dir: &Path) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("register.sqlite"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open register");
    conn.query_row("SELECT count(*) FROM certificates", [], |r| r.get(0))
        .expect("count")
}
