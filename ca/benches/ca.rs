//! Throughput of the certification center: issuance into the SQLite register and CRL generation,
//! each beside the bare signing rate and beside OpenSSL doing the same job in the same run.
//!
//! `cargo bench -p eds-ca --bench ca`; the figures and the goals they are held against are in
//! `docs/benchmarks.md`. Groups:
//!
//! - `sign`: ring ECDSA P-256 over 600 bytes (about a TBSCertificate), OpenSSL the same, and
//!   OpenSSL building and signing a certificate with the center's extensions;
//! - `issue_parts`: the steps of one issuance timed alone (facts lookup, assessment, CSR check,
//!   template, rcgen encoding without signing, encoding and signing, a bare 4 KiB write + fsync
//!   on the register's disk, one register insert in its own transaction);
//! - `issue`: certificates per second into a file register (WAL, `synchronous=FULL`), one per
//!   transaction and in batches of 100 and 1,000, through the real API, `Center::issue` and
//!   `Center::issue_batch_on` (`csr`: the owner's key comes in a PKCS#10 request, whose signature
//!   is verified each time; `premade_key`: `KeySource::PublicKey`, the key already checked), the
//!   batches on all cores and on one thread (`_1thread`), beside ring signing as many times in
//!   the same group (`issue_batch/ring_p256_600B`: the same load as the batches);
//! - `crl`: `Center::crl` (streamed) over 10,000 and 1,000,000 revoked entries of a cached
//!   register, the same through rcgen's builder as `Center::crl` did before (`rcgen_register`),
//!   the register read alone, rcgen signing the same entries from memory, and (10,000)
//!   `openssl ca -gencrl` over an `index.txt` of the same entries.

#![expect(
    clippy::expect_used,
    reason = "a benchmark whose set-up fails should stop loudly"
)]

mod common;

use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time, Asn1Type};
use openssl::bn::BigNum;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectKeyIdentifier,
};
use openssl::x509::{X509, X509Builder, X509Extension, X509NameBuilder};
use rcgen::{
    CertificateRevocationListParams, KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
use serde_json::json;
use time::Duration as TimeDuration;
use x509_parser::prelude::{FromDer, X509Certificate};

use eds_ca::center::{Center, ISSUING, IssuingKey};
use eds_ca::certs::{self, OwnerTemplate};
use eds_ca::issue::{self, KeySource};
use eds_ca::store::{AuditEvent, CertificateRecord, Serial};
use eds_profile::holder::{HolderKind, Organization, Role, SubjectSpec};
use eds_profile::request::{Accepted, Facts, RegistrationRequest};

use common::{NOW, PASS};

/// Size of the buffer the bare signing benchmarks sign: about a TBSCertificate of the center.
const TBS_LEN: usize = 600;

/// Certificates already in the register before issuance is measured, so that the figures describe
/// a center in service rather than an empty file, and do not depend on how many iterations
/// criterion chose to run.
const REGISTER_FILL: u64 = 100_000;

// What `criterion_group!`/`criterion_main!` expand to, written out: the macros make an
// undocumented public function that the workspace's `missing_docs` lint flags.
fn main() {
    // Short windows: the machine is shared, and a quiet three minutes is easier to find than a
    // quiet ten. Command-line flags still override these.
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    sign(&mut c);
    issue_parts(&mut c);
    issue(&mut c);
    crl(&mut c);
    c.final_summary();
}

/// Everything the issuance benchmarks share: a center on a file register with the fixture
/// registry, its unlocked key, a request of the fixture set and an owner key pair.
struct Issuance {
    dir: tempfile::TempDir,
    center: Center,
    key: IssuingKey,
    req: RegistrationRequest,
    csr_pem: String,
    owner_spki_der: Vec<u8>,
    rng: SystemRandom,
    started: std::time::Instant,
}

impl Issuance {
    fn new() -> Self {
        let common::IssuingCenter {
            dir,
            center,
            key,
            req,
        } = common::issuing_center("issue-", REGISTER_FILL);
        let owner = KeyPair::generate().expect("owner key");
        let csr_pem = rcgen::CertificateParams::default()
            .serialize_request(&owner)
            .expect("owner CSR")
            .pem()
            .expect("CSR PEM");
        Self {
            dir,
            center,
            key,
            req,
            csr_pem,
            owner_spki_der: rcgen::PublicKeyData::subject_public_key_info(&owner),
            rng: SystemRandom::new(),
            started: std::time::Instant::now(),
        }
    }

    /// A clock that starts at [`NOW`] and runs at the machine's pace, as a center in service
    /// issues. Serials begin with the issuance second, so a constant instant would pile every
    /// certificate of the run (hundreds of thousands) into one serial range at random places,
    /// which no center sees: at 20,000 certificates/s one second holds 20,000.
    fn now(&self) -> time::OffsetDateTime {
        NOW + TimeDuration::try_from(self.started.elapsed()).unwrap_or(TimeDuration::ZERO)
    }

    fn spki(&self) -> rcgen::SubjectPublicKeyInfo {
        rcgen::SubjectPublicKeyInfo::from_der(&self.owner_spki_der).expect("owner SPKI")
    }

    /// `Center::issue` with the public key already checked (`KeySource::PublicKey`): the same
    /// steps minus the CSR, each certificate its own transaction.
    fn issue_premade(&self, spki: &rcgen::SubjectPublicKeyInfo) -> CertificateRecord {
        self.center
            .issue(
                &self.key,
                &self.req,
                KeySource::PublicKey(spki),
                "bench",
                self.now(),
                &self.rng,
                &mut |_| {},
            )
            .expect("issued")
            .record
    }

    /// The owner template as `Center::sign_owner` builds it, without signing.
    fn owner_params(&self, accepted: &Accepted, facts: &Facts) -> rcgen::CertificateParams {
        let req = &self.req;
        let person = facts
            .person
            .as_ref()
            .expect("the fixture person is registered");
        let subject = SubjectSpec {
            surname: person.surname.to_uppercase(),
            name: person.name.to_uppercase(),
            patronymic: person.patronymic.as_ref().map(|p| p.to_uppercase()),
            iin: accepted.iin,
            organization: req.legal_entity.as_ref().zip(accepted.bin).map(|(e, bin)| {
                Organization {
                    name: e.name.clone(),
                    bin,
                }
            }),
        };
        let roles: Vec<Role> = req
            .roles
            .iter()
            .copied()
            .filter(|r| !matches!(r, Role::Individual | Role::LegalEntity))
            .collect();
        let serial = certs::time_ordered_serial(NOW, &self.rng).expect("serial");
        let (params, _text) = certs::owner_params(
            &OwnerTemplate {
                subject: &subject,
                kind: HolderKind::Individual,
                roles: &roles,
                purpose: req.key_purpose,
                serial,
                not_before: NOW,
                not_after: NOW + TimeDuration::days(365),
                email: None,
            },
            self.center.config(),
        )
        .expect("owner template");
        params
    }
}

fn issued_event(record: &CertificateRecord) -> AuditEvent {
    AuditEvent {
        at: NOW,
        actor: "bench".into(),
        action: "certificate-issued".into(),
        details: json!({
            "serial": record.serial.to_string(),
            "subject": record.subject,
            "kind": record.kind,
            "key_purpose": record.key_purpose,
            "key_generated_by_center": false,
        }),
    }
}

/// Bare signing, and OpenSSL building and signing a certificate like the center's.
fn sign(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
    let ring_key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
        .expect("key");
    let tbs = vec![0x5Au8; TBS_LEN];

    let mut g = c.benchmark_group("sign");
    g.throughput(Throughput::Elements(1));
    g.bench_function("ring_p256_600B", |b| {
        b.iter(|| ring_key.sign(&rng, black_box(&tbs)).expect("sign"));
    });

    let ossl_key = PKey::private_key_from_pkcs8(pkcs8.as_ref()).expect("OpenSSL key");
    let ec = ossl_key.ec_key().expect("EC key");
    g.bench_function("openssl_p256_600B", |b| {
        b.iter(|| {
            let digest = openssl::sha::sha256(black_box(&tbs));
            EcdsaSig::sign(&digest, &ec)
                .expect("sign")
                .to_der()
                .expect("DER")
        });
    });

    let set = Issuance::new();
    let model = set
        .center
        .issue(
            &set.key,
            &set.req,
            KeySource::Csr(Some(&set.csr_pem)),
            "bench",
            NOW,
            &set.rng,
            &mut |_| {},
        )
        .expect("issue a model certificate")
        .record
        .der;
    let ossl = OpensslIssuer::new(&set, &model);
    let theirs = ossl.build_and_sign(&set.rng);
    assert_equivalent(&model, &theirs);
    eprintln!(
        "sign: the center's certificate is {} bytes, OpenSSL's {} bytes",
        model.len(),
        theirs.len()
    );
    g.bench_function("openssl_x509_build_sign", |b| {
        b.iter(|| ossl.build_and_sign(&set.rng));
    });
    g.finish();
}

/// OpenSSL's side of the comparison: the issuing key and certificate, the owner's public key, and
/// the subject and extensions of a certificate the center issued, to rebuild with X509Builder.
struct OpensslIssuer {
    ca_key: PKey<Private>,
    ca_cert: X509,
    owner: PKey<Public>,
    /// Subject attributes in order: dotted OID, value, ASN.1 string type.
    subject: Vec<(String, String, Asn1Type)>,
    /// Extensions with no typed builder in the `openssl` crate, as DER: EKU, CRL distribution
    /// points, certificate policies, authority information access.
    raw_extensions: Vec<(String, bool, Vec<u8>)>,
    /// basicConstraints critical, keyUsage critical, as in the model.
    bc_critical: bool,
    ku_critical: bool,
}

impl OpensslIssuer {
    fn new(set: &Issuance, model_der: &[u8]) -> Self {
        let (_, model) = X509Certificate::from_der(model_der).expect("model certificate");
        let subject = model
            .subject()
            .iter_attributes()
            .map(|a| {
                let kind = if a.attr_value().header.tag()
                    == x509_parser::der_parser::asn1_rs::Tag::PrintableString
                {
                    Asn1Type::PRINTABLESTRING
                } else {
                    Asn1Type::UTF8STRING
                };
                (
                    a.attr_type().to_id_string(),
                    a.as_str().expect("string attribute").to_owned(),
                    kind,
                )
            })
            .collect();
        let mut raw_extensions = Vec::new();
        let (mut bc_critical, mut ku_critical) = (false, false);
        for e in model.extensions() {
            let oid = e.oid.to_id_string();
            match oid.as_str() {
                "2.5.29.19" => bc_critical = e.critical,
                "2.5.29.15" => ku_critical = e.critical,
                "2.5.29.14" | "2.5.29.35" => {}
                _ => raw_extensions.push((oid, e.critical, e.value.to_vec())),
            }
        }
        Self {
            ca_key: PKey::private_key_from_pem(
                set.key
                    .key()
                    .key_pair()
                    .expect("a P-256 center")
                    .serialize_pem()
                    .as_bytes(),
            )
            .expect("CA key"),
            ca_cert: X509::from_der(set.center.issuing_der()).expect("CA certificate"),
            owner: PKey::public_key_from_der(&set.owner_spki_der).expect("owner key"),
            subject,
            raw_extensions,
            bc_critical,
            ku_critical,
        }
    }

    /// Builds the certificate from its parts (name, serial, validity, the eight extensions) and
    /// signs it with ECDSA P-256 SHA-256; returns the DER.
    fn build_and_sign(&self, rng: &SystemRandom) -> Vec<u8> {
        let mut b = X509Builder::new().expect("builder");
        b.set_version(2).expect("version");
        let mut serial = [0u8; 20];
        rng.fill(&mut serial).expect("random");
        serial[0] = (serial[0] & 0x3F) | 0x40;
        let serial: Asn1Integer = BigNum::from_slice(&serial)
            .and_then(|n| n.to_asn1_integer())
            .expect("serial");
        b.set_serial_number(&serial).expect("serial");
        let mut name = X509NameBuilder::new().expect("name");
        for (oid, value, kind) in &self.subject {
            name.append_entry_by_text_with_type(oid, value, *kind)
                .expect("attribute");
        }
        let name = name.build();
        b.set_subject_name(&name).expect("subject");
        b.set_issuer_name(self.ca_cert.subject_name())
            .expect("issuer");
        let not_before = Asn1Time::from_unix(NOW.unix_timestamp()).expect("time");
        let not_after =
            Asn1Time::from_unix((NOW + TimeDuration::days(365)).unix_timestamp()).expect("time");
        b.set_not_before(&not_before).expect("notBefore");
        b.set_not_after(&not_after).expect("notAfter");
        b.set_pubkey(&self.owner).expect("public key");

        let mut bc = BasicConstraints::new();
        if self.bc_critical {
            bc.critical();
        }
        b.append_extension(bc.build().expect("BC")).expect("BC");
        let mut ku = KeyUsage::new();
        ku.digital_signature().non_repudiation();
        if self.ku_critical {
            ku.critical();
        }
        b.append_extension(ku.build().expect("KU")).expect("KU");
        for (oid, critical, der) in &self.raw_extensions {
            let oid = Asn1Object::from_str(oid).expect("OID");
            let der = Asn1OctetString::new_from_bytes(der).expect("value");
            b.append_extension(X509Extension::new_from_der(&oid, *critical, &der).expect("ext"))
                .expect("ext");
        }
        let ski = SubjectKeyIdentifier::new()
            .build(&b.x509v3_context(Some(&self.ca_cert), None))
            .expect("SKI");
        let aki = AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&b.x509v3_context(Some(&self.ca_cert), None))
            .expect("AKI");
        b.append_extension(ski).expect("SKI");
        b.append_extension(aki).expect("AKI");
        b.sign(&self.ca_key, MessageDigest::sha256()).expect("sign");
        b.build().to_der().expect("DER")
    }
}

/// Checks that OpenSSL's certificate carries the same subject, extensions (and criticality) as
/// the center's and is of about the same size, so the comparison is of like with like.
fn assert_equivalent(center_der: &[u8], openssl_der: &[u8]) {
    let (_, ours) = X509Certificate::from_der(center_der).expect("center certificate");
    let (_, theirs) = X509Certificate::from_der(openssl_der).expect("OpenSSL certificate");
    let shape = |c: &X509Certificate<'_>| {
        let mut exts: Vec<(String, bool)> = c
            .extensions()
            .iter()
            .map(|e| (e.oid.to_id_string(), e.critical))
            .collect();
        exts.sort();
        (
            c.subject().as_raw().to_vec(),
            c.issuer().as_raw().to_vec(),
            exts,
        )
    };
    assert_eq!(
        shape(&ours),
        shape(&theirs),
        "OpenSSL builds a different certificate"
    );
    // SKI and AKI: rcgen writes 20-byte identifiers as OpenSSL does; the signatures differ by a
    // byte or two.
    assert!(
        center_der.len().abs_diff(openssl_der.len()) <= 4,
        "sizes differ: center {} bytes, OpenSSL {} bytes",
        center_der.len(),
        openssl_der.len()
    );
}

/// The steps of one issuance, each alone.
fn issue_parts(c: &mut Criterion) {
    let set = Issuance::new();
    let spki = set.spki();
    let center = &set.center;
    let (accepted, facts) = center.accept(&set.req, "bench", NOW).expect("accepted");
    let unsigned = common::unsigned_issuer(center, &set.key);

    let mut g = c.benchmark_group("issue_parts");
    g.throughput(Throughput::Elements(1));
    g.bench_function("facts_lookup", |b| {
        b.iter(|| {
            center
                .facts_for(black_box(&set.req), NOW.date())
                .expect("facts")
        });
    });
    g.bench_function("accept", |b| {
        b.iter(|| {
            center
                .accept(black_box(&set.req), "bench", NOW)
                .expect("accepted")
        });
    });
    g.bench_function("csr_public_key", |b| {
        b.iter(|| issue::csr_public_key(black_box(&set.csr_pem)).expect("CSR"));
    });
    g.bench_function("owner_params", |b| {
        b.iter(|| set.owner_params(&accepted, &facts));
    });
    g.bench_function("owner_params_rcgen_encode_unsigned", |b| {
        b.iter(|| {
            set.owner_params(&accepted, &facts)
                .signed_by(&spki, &unsigned)
                .expect("encoded")
        });
    });
    g.bench_function("sign_owner", |b| {
        b.iter(|| {
            center
                .sign_owner(&set.key, &set.req, &accepted, &facts, &spki, NOW, &set.rng)
                .expect("signed")
        });
    });
    let model = center
        .sign_owner(&set.key, &set.req, &accepted, &facts, &spki, NOW, &set.rng)
        .expect("signed");
    // The floor of a one-transaction-per-certificate register: SQLite in WAL mode with
    // synchronous=FULL makes at least one fsync per commit.
    let probe_path = set.dir.path().join("fsync-probe");
    let mut probe = std::fs::File::create(&probe_path).expect("probe file");
    let page = [0x5Au8; 4096];
    g.bench_function("fsync_4k_append", |b| {
        b.iter(|| {
            probe.write_all(&page).expect("write");
            probe.sync_all().expect("fsync");
        });
    });
    g.bench_function("sqlite_insert_one", |b| {
        b.iter(|| {
            let mut record = model.clone();
            let serial = certs::time_ordered_serial(set.now(), &set.rng).expect("serial");
            record.serial = Serial::from_der_content(&serial).expect("serial");
            center
                .store()
                .insert_certificate(&record, &issued_event(&record))
                .expect("recorded");
        });
    });
    g.finish();
}

/// Certificates per second into the file register, one by one and in batches.
fn issue(c: &mut Criterion) {
    let set = Issuance::new();
    let spki = set.spki();

    let mut g = c.benchmark_group("issue");
    g.throughput(Throughput::Elements(1));
    g.bench_function("one_by_one/csr", |b| {
        b.iter(|| {
            set.center
                .issue(
                    &set.key,
                    &set.req,
                    KeySource::Csr(Some(&set.csr_pem)),
                    "bench",
                    set.now(),
                    &set.rng,
                    &mut |_| {},
                )
                .expect("issued")
        });
    });
    g.bench_function("one_by_one/premade_key", |b| {
        b.iter(|| set.issue_premade(&spki));
    });
    g.finish();

    let mut g = c.benchmark_group("issue_batch");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(6));
    let one = std::num::NonZeroUsize::MIN;
    let cores = std::thread::available_parallelism().unwrap_or(one);
    eprintln!("issue_batch: {cores} threads for the batches (available_parallelism)");
    // Bare ring, timed in this group between the batches, so that it runs under the same load
    // from other work on the machine as they do: the goal's ratio is taken against it.
    let ring_pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &set.rng).expect("key");
    let ring_key = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_ASN1_SIGNING,
        ring_pkcs8.as_ref(),
        &set.rng,
    )
    .expect("key");
    let tbs = vec![0x5Au8; TBS_LEN];
    for n in [100usize, 1_000] {
        g.throughput(Throughput::Elements(u64::try_from(n).unwrap_or(0)));
        g.bench_with_input(BenchmarkId::new("ring_p256_600B", n), &n, |b, &n| {
            b.iter(|| {
                for _ in 0..n {
                    black_box(ring_key.sign(&set.rng, black_box(&tbs)).expect("sign"));
                }
            });
        });
        let csr: Vec<(RegistrationRequest, KeySource<'_>)> = (0..n)
            .map(|_| (set.req.clone(), KeySource::Csr(Some(&set.csr_pem))))
            .collect();
        let premade: Vec<(RegistrationRequest, KeySource<'_>)> = (0..n)
            .map(|_| (set.req.clone(), KeySource::PublicKey(&spki)))
            .collect();
        for (name, batch, threads) in [
            ("csr", &csr, cores),
            ("csr_1thread", &csr, one),
            ("premade_key", &premade, cores),
            ("premade_key_1thread", &premade, one),
        ] {
            g.bench_with_input(BenchmarkId::new(name, n), batch, |b, batch| {
                b.iter(|| {
                    let out = set
                        .center
                        .issue_batch_on(&set.key, batch, "bench", set.now(), &set.rng, threads)
                        .expect("batch");
                    assert!(out.iter().all(Result::is_ok));
                });
            });
        }
    }
    g.finish();
    eprintln!(
        "issue: the register ended with {} certificates",
        common::count_certificates(set.dir.path())
    );
}

/// CRLs of 10,000 and 1,000,000 entries: the center, the register read alone, rcgen from memory,
/// and OpenSSL's `ca -gencrl` (10,000 here; 1,000,000 once in `examples/crl_million.rs`).
fn crl(c: &mut Criterion) {
    for n in [10_000u64, 1_000_000] {
        let dir = common::crl_center(n);
        let center = Center::open(&dir).expect("open register");
        let key = center.unlock(PASS).expect("unlock");
        let params = CertificateRevocationListParams {
            this_update: NOW,
            next_update: NOW + TimeDuration::hours(24),
            crl_number: SerialNumber::from_slice(&[1]),
            issuing_distribution_point: None,
            revoked_certs: common::rcgen_entries(n),
            key_identifier_method: KeyIdMethod::PreSpecified(key.key_identifier().to_vec()),
        };

        let mut g = c.benchmark_group("crl");
        if n >= 1_000_000 {
            g.sample_size(10);
            g.sampling_mode(SamplingMode::Flat);
            g.warm_up_time(Duration::from_secs(1));
            g.measurement_time(Duration::from_secs(8));
        }
        g.throughput(Throughput::Elements(n));
        g.bench_function(BenchmarkId::new("center", n), |b| {
            b.iter(|| {
                let crl = center.crl(&key, "bench", NOW).expect("CRL");
                assert_eq!(crl.entries, n);
                crl
            });
        });
        // What `Center::crl` did before it streamed: every entry into rcgen's list, then
        // rcgen's builder (the next CRL number taken as `Center::crl` takes it).
        g.bench_function(BenchmarkId::new("rcgen_register", n), |b| {
            b.iter(|| {
                let mut revoked = Vec::new();
                center
                    .store()
                    .for_each_revoked(ISSUING, NOW, &mut |e| {
                        revoked.push(RevokedCertParams {
                            serial_number: SerialNumber::from_slice(e.serial.as_bytes()),
                            revocation_time: e.revoked_at,
                            reason_code: Some(common::rcgen_reason(e.reason)),
                            invalidity_date: e.invalidity_date,
                        });
                        Ok(())
                    })
                    .expect("rows");
                let number = center
                    .store()
                    .next_value(
                        eds_ca::store::Counter::CrlNumber { issuer: ISSUING },
                        &AuditEvent {
                            at: NOW,
                            actor: "bench".into(),
                            action: "crl-issued".into(),
                            details: json!({ "entries": revoked.len() }),
                        },
                    )
                    .expect("CRL number");
                CertificateRevocationListParams {
                    this_update: NOW,
                    next_update: NOW + TimeDuration::hours(24),
                    crl_number: SerialNumber::from_slice(&number.to_be_bytes()),
                    issuing_distribution_point: None,
                    revoked_certs: revoked,
                    key_identifier_method: KeyIdMethod::PreSpecified(key.key_identifier().to_vec()),
                }
                .signed_by(&key.issuer().expect("a P-256 center"))
                .expect("CRL")
            });
        });
        g.bench_function(BenchmarkId::new("read_rows", n), |b| {
            b.iter(|| {
                center
                    .store()
                    .for_each_revoked(ISSUING, NOW, &mut |e| {
                        black_box(e);
                        Ok(())
                    })
                    .expect("rows")
            });
        });
        g.bench_function(BenchmarkId::new("rcgen_memory", n), |b| {
            b.iter(|| {
                params
                    .signed_by(&key.issuer().expect("a P-256 center"))
                    .expect("CRL")
            });
        });
        if n < 1_000_000 {
            let out = dir.join("openssl").join("bench.crl.pem");
            g.bench_function(BenchmarkId::new("openssl_ca_gencrl", n), |b| {
                b.iter(|| common::openssl_gencrl(&dir.join("openssl"), Path::new(&out)));
            });
        }
        g.finish();
    }
}
