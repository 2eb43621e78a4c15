//! A signer for the benchmark and the memory example: a root and an issuing CA (P-256) and an
//! owner of the algorithm under test, made with OpenSSL in memory, the owner's key also as
//! PKCS#8 so ring and OpenSSL sign with the very same key.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "the bench and the example each use part of this module"
)]

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use openssl::x509::{X509, X509Builder, X509NameBuilder};

use eds_signer::SignatureAlgorithm;

/// An owner: key (OpenSSL and PKCS#8 DER), certificate and the issuing CA's certificate.
pub struct Owner {
    pub algorithm: SignatureAlgorithm,
    pub name: &'static str,
    pub pkey: PKey<Private>,
    pub pkcs8: Vec<u8>,
    pub leaf: X509,
    pub intermediate: X509,
}

/// The algorithms benchmarked, with the names the figures are printed under.
pub const ALGORITHMS: [(SignatureAlgorithm, &str); 5] = [
    (SignatureAlgorithm::EcdsaP256Sha256, "ecdsa-p256"),
    (SignatureAlgorithm::EcdsaP384Sha384, "ecdsa-p384"),
    (SignatureAlgorithm::Ed25519, "ed25519"),
    (SignatureAlgorithm::RsaPkcs1Sha256, "rsa2048-pkcs1"),
    (SignatureAlgorithm::RsaPssSha256, "rsa2048-pss"),
];

/// Root → issuing CA (P-256) → an owner with a fresh key of `algorithm`.
pub fn owner(algorithm: SignatureAlgorithm, name: &'static str) -> Owner {
    let root_key = ec_key(Nid::X9_62_PRIME256V1);
    let root = certificate("Bench Root", &root_key, None, &root_key, true);
    let int_key = ec_key(Nid::X9_62_PRIME256V1);
    let intermediate = certificate("Bench Issuing", &int_key, Some(&root), &root_key, true);
    let pkey = match algorithm {
        SignatureAlgorithm::EcdsaP256Sha256 => ec_key(Nid::X9_62_PRIME256V1),
        SignatureAlgorithm::EcdsaP384Sha384 => ec_key(Nid::SECP384R1),
        SignatureAlgorithm::Ed25519 => PKey::generate_ed25519().expect("Ed25519 key"),
        _ => PKey::from_rsa(Rsa::generate(2048).expect("RSA key")).expect("RSA key"),
    };
    let leaf = certificate(
        &format!("Bench Owner {name}"),
        &pkey,
        Some(&intermediate),
        &int_key,
        false,
    );
    let pkcs8 = pkey.private_key_to_pkcs8().expect("PKCS#8");
    Owner {
        algorithm,
        name,
        pkey,
        pkcs8,
        leaf,
        intermediate,
    }
}

fn ec_key(curve: Nid) -> PKey<Private> {
    let group = EcGroup::from_curve_name(curve).expect("curve");
    PKey::from_ec_key(EcKey::generate(&group).expect("EC key")).expect("EC key")
}

/// A certificate for `key`, issued by `issuer` (self-signed without one) and signed by
/// `issuer_key`, valid for ten years from now.
fn certificate(
    cn: &str,
    key: &PKey<Private>,
    issuer: Option<&X509>,
    issuer_key: &PKey<Private>,
    ca: bool,
) -> X509 {
    let mut name = X509NameBuilder::new().expect("name");
    name.append_entry_by_nid(Nid::COMMONNAME, cn).expect("CN");
    let name = name.build();
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("v3");
    let serial = BigNum::from_u32(rand_serial()).expect("serial");
    b.set_serial_number(&Asn1Integer::from_bn(&serial).expect("serial"))
        .expect("serial");
    b.set_subject_name(&name).expect("subject");
    b.set_issuer_name(issuer.map_or(&*name, |i| i.subject_name()))
        .expect("issuer");
    b.set_pubkey(key).expect("public key");
    b.set_not_before(&Asn1Time::days_from_now(0).expect("time"))
        .expect("notBefore");
    b.set_not_after(&Asn1Time::days_from_now(3650).expect("time"))
        .expect("notAfter");
    if ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
            .expect("bc");
        b.append_extension(
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build()
                .expect("ku"),
        )
        .expect("ku");
    } else {
        b.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .non_repudiation()
                .build()
                .expect("ku"),
        )
        .expect("ku");
        b.append_extension(
            ExtendedKeyUsage::new()
                .email_protection()
                .build()
                .expect("eku"),
        )
        .expect("eku");
    }
    b.sign(issuer_key, MessageDigest::sha256()).expect("sign");
    b.build()
}

fn rand_serial() -> u32 {
    let mut bytes = [0u8; 4];
    openssl::rand::rand_bytes(&mut bytes).expect("random");
    u32::from_be_bytes(bytes) | 1
}

/// The process's peak resident memory (VmHWM of /proc/self/status), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
