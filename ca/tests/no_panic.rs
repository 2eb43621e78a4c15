//! The parsers of this crate on mutated and truncated inputs, inside the normal test suite: the same
//! code the fuzz targets in `fuzz/` exercise (`csr_pem`, `csr_der`, `serial_hex`, `serial_der`,
//! `encrypted_key`, `pkcs8_key`, see docs/fuzzing.md), so CI covers it without a fuzzer.
//!
//! The seeds are the fuzz seeds committed under `fuzz/seeds/` (PKCS#10 requests, encrypted keys
//! with a tiny work factor and the passphrase `fuzz`, plain keys, serials). For each parser: every prefix of
//! every seed, every seed with each byte changed in a few ways (xor 0x01, 0x80, 0xff; set to
//! 0x00), and a few thousand random inputs. DER inputs are mutated inside their PEM wrapping, so
//! the mutations reach the DER parsers rather than the base64 decoder.
//!
//! The random inputs come from a small seeded generator ([`Rng`]) rather than proptest: they are
//! the same on every run, a failing one is printed in hex, and the crate needs no dev-dependency
//! for it.
//!
//! Each call must return, Ok or Err; where it is cheap, the properties the fuzz targets assert are
//! checked as well. The inputs that once crashed or hung the key reader (scrypt costs and PBKDF2
//! counts taken from the file) are at the end, each asserting the exact refusal; the mutation tests
//! skip only mutated PBKDF2 counts above 20,000, for speed (see [`slow_pbkdf2`]).

#![expect(
    clippy::unwrap_used,
    reason = "a property that does not hold should stop the test loudly"
)]

use std::fs;
use std::path::{Path, PathBuf};

use eds_ca::CaError;
use eds_ca::config::KeyPolicy;
use eds_ca::issue::{csr_key_der, csr_public_key};
use eds_ca::keys::{KeyAlgorithm, key_pair_from_pkcs8, read_encrypted_pkcs8};
use eds_ca::store::{Serial, SerialError};
use pkcs8::EncryptedPrivateKeyInfo;
use pkcs8::der::Decode;
use pkcs8::pkcs5::pbes2::Kdf;
use rcgen::PublicKeyData;

// ---------------------------------------------------------------------------------------------
// PKCS#10 requests
// ---------------------------------------------------------------------------------------------

#[test]
fn ok_csr_public_key_returns_on_mutated_and_truncated_pem_text() {
    let seeds = seeds("csr_pem");
    assert!(seeds.len() >= 4, "CSR seeds missing");
    for seed in &seeds {
        assert!(check_csr_text(seed), "a seed must be accepted");
        for input in mutations(seed) {
            check_csr_text(&input);
        }
    }
}

#[test]
fn ok_csr_public_key_returns_on_mutated_and_truncated_der() {
    let seeds = seeds("csr_der");
    assert!(seeds.len() >= 4, "CSR seeds missing");
    let mut accepted = 0_usize;
    for seed in &seeds {
        assert!(check_csr_der(seed), "a seed must be accepted: {}", {
            let text = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", seed.as_slice()));
            format!("{:?}", csr_key_der(&text, &every_key()).err())
        });
        for input in mutations(seed) {
            accepted += usize::from(check_csr_der(&input));
        }
    }
    // Only mutations outside the signed part (the outer header, unused signature bits) survive
    // the self-signature check; that none does would mean the walk stops early.
    assert!(accepted > 0, "no mutated request was accepted");
}

/// A GOST request (TC26, 256 bits) whose signature algorithm has an arc past 2^32 (found by the
/// `csr_der` fuzz target): reading the identifier's dotted text back overflowed in const-oid.
const BIG_ARC_CSR: &[&str] = &[
    "3081d730818302010030143112301006035504030c096170706c6963616e743066301f06082a85030701010101301306",
    "072a85030202230106082a850307010102020343000440cd77df4b6ca03af7b59c95cc9090ece2d4ad9cd022997314eb",
    "4b5a4a1387e9714ea0dc1fbd3a6538268cd753166c780552b595330616db4f6aa5033de328806ba000300c06082a8503",
    "cafffefcfd05000341009dab38ef4a1bf2a0eb2816d43b2a94b877a1835e441209d24bd57c1ee0f255c1cd7924989def",
    "f56051d7a59cfcbacf5d1b386451574e083c673b6d9364a56c7b",
];

#[test]
fn fail_gost_csr_with_an_arc_past_2_32_is_a_bad_csr() {
    let hex: String = BIG_ARC_CSR.concat();
    let der: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let text = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der));
    let err = csr_key_der(&text, &every_key()).unwrap_err();
    assert!(
        matches!(&err, CaError::BadCsr { reason } if reason.contains("self-signature does not verify")),
        "{err:?}"
    );
}

#[test]
fn ok_csr_public_key_returns_on_random_splices() {
    let seeds = seeds("csr_der");
    let mut rng = Rng(0x0c5a_d3e1);
    for _ in 0..2000 {
        let input = rng.splice(&seeds, 5);
        let cut = rng.below(input.len() + 1);
        run_case(&input, || {
            check_csr_der(&input);
            check_csr_der(&input[..cut]);
        });
    }
}

#[test]
fn ok_csr_public_key_returns_on_random_text() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n-";
    let mut rng = Rng(0x0c5a_7e47);
    for _ in 0..2000 {
        let mut text = if rng.below(2) == 0 {
            b"-----BEGIN CERTIFICATE REQUEST-----\n".to_vec()
        } else {
            Vec::new()
        };
        text.extend(rng.string_from(ALPHABET, 80));
        run_case(&text, || {
            check_csr_text(&text);
        });
    }
}

/// What the `csr_pem` fuzz target asserts; `true` when the request is accepted.
fn check_csr_text(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    match csr_public_key(&text) {
        Ok(key) => {
            let parsed = pem::parse(text.as_bytes()).unwrap();
            let again = csr_public_key(&pem::encode(&parsed)).unwrap();
            assert_eq!(again.der_bytes(), key.der_bytes());
            true
        }
        Err(err) => {
            assert!(matches!(err, CaError::BadCsr { .. }), "{err:?}");
            false
        }
    }
}

/// Every key type a center of any algorithm certifies: the GOST requests among the seeds reach
/// their self-signature check (a GOST center's policy) instead of stopping at the key type.
fn every_key() -> KeyPolicy {
    let mut policy = KeyPolicy::default();
    policy.allow_gost_of(KeyAlgorithm::Gost2015_512);
    policy.allow_gost_of(KeyAlgorithm::Gost2012_512Tc26);
    policy
}

/// What the `csr_der` fuzz target asserts; `true` when the request is accepted.
fn check_csr_der(der: &[u8]) -> bool {
    let text = pem::encode(&pem::Pem::new("CERTIFICATE REQUEST", der));
    match csr_key_der(&text, &every_key()) {
        Ok(raw) => {
            assert!(
                der.windows(raw.len()).any(|w| w == raw),
                "the key is not in the request"
            );
            true
        }
        Err(err) => {
            assert!(matches!(err, CaError::BadCsr { .. }), "{err:?}");
            false
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Serials
// ---------------------------------------------------------------------------------------------

#[test]
fn ok_serial_parsers_return_on_mutated_and_truncated_seeds() {
    for seed in seeds("serial_hex") {
        for input in mutations(&seed) {
            check_serial_hex(&String::from_utf8_lossy(&input));
        }
    }
    for seed in seeds("serial_der") {
        for input in mutations(&seed) {
            check_serial_der(&input);
        }
    }
}

#[test]
fn ok_serial_seeds_parse() {
    assert_eq!(Serial::from_hex("0a:1b:ff").unwrap().to_string(), "0A1BFF");
    assert_eq!(Serial::from_hex("80").unwrap().as_bytes(), [0, 0x80]);
    assert_eq!(
        Serial::from_hex("8:0"),
        Serial::from_der_content(&[0, 0x80])
    );
}

#[test]
fn ok_serial_parsers_return_on_random_inputs() {
    let mut rng = Rng(0x5e71_a100);
    for _ in 0..3000 {
        let hex_like = rng.string_from(b"0123456789abcdefABCDEF:", 42);
        run_case(&hex_like, || {
            check_serial_hex(&String::from_utf8_lossy(&hex_like))
        });
        let text: String = (0..rng.below(13)).map(|_| rng.char()).collect();
        run_case(text.as_bytes(), || check_serial_hex(&text));
        let bytes: Vec<u8> = (0..rng.below(25)).map(|_| rng.byte()).collect();
        run_case(&bytes, || check_serial_der(&bytes));
    }
}

/// What the `serial_hex` fuzz target asserts.
fn check_serial_hex(text: &str) {
    match Serial::from_hex(text) {
        Ok(serial) => {
            assert_eq!(Serial::from_hex(&serial.to_string()).as_ref(), Ok(&serial));
            assert_eq!(
                Serial::from_der_content(serial.as_bytes()).as_ref(),
                Ok(&serial)
            );
            assert_eq!(
                Serial::from_unsigned(serial.unsigned_bytes()).as_ref(),
                Ok(&serial)
            );
            let json = serde_json::to_string(&serial).unwrap();
            assert_eq!(serde_json::from_str::<Serial>(&json).unwrap(), serial);
        }
        Err(SerialError::InvalidDigit { offset, found }) => {
            assert_eq!(
                text.get(offset..).and_then(|s| s.chars().next()),
                Some(found)
            );
        }
        Err(err) => {
            let _ = err.to_string();
        }
    }
}

/// What the `serial_der` fuzz target asserts.
fn check_serial_der(bytes: &[u8]) {
    if let Ok(serial) = Serial::from_der_content(bytes) {
        assert_eq!(serial.as_bytes(), bytes);
        assert_eq!(Serial::from_hex(&serial.to_string()).as_ref(), Ok(&serial));
        assert_eq!(
            Serial::from_unsigned(serial.unsigned_bytes()).as_ref(),
            Ok(&serial)
        );
    }
    if let Ok(serial) = Serial::from_unsigned(bytes) {
        assert_eq!(
            Serial::from_der_content(serial.as_bytes()).as_ref(),
            Ok(&serial)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Encrypted and plain PKCS#8 keys
// ---------------------------------------------------------------------------------------------

/// The encrypted key seeds: `EncryptedPrivateKeyInfo` DER.
fn encrypted_key_seeds() -> Vec<Vec<u8>> {
    let seeds = seeds("encrypted_key");
    assert!(seeds.len() >= 5, "encrypted key seeds missing");
    seeds
}

#[test]
fn ok_read_encrypted_pkcs8_returns_on_mutated_and_truncated_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    let mut skipped = 0_usize;
    for seed in encrypted_key_seeds() {
        match read_key_der(&path, &seed) {
            Ok(()) => {}
            // scrypt seeds are refused before any derivation (its cost is the file's to set).
            Err(CaError::KeyFile { reason, .. }) if is_scrypt(&seed) => {
                assert_eq!(reason, "only PBKDF2 key derivation is accepted");
            }
            Err(e) => panic!("a PBKDF2 seed must decrypt: {e:?}"),
        }
        for input in mutations(&seed) {
            if slow_pbkdf2(&input) {
                skipped += 1;
                continue;
            }
            let _ = read_key_der(&path, &input);
        }
        // The PEM text itself, cut anywhere.
        let text = key_pem(&seed);
        for n in 0..text.len() {
            fs::write(&path, &text.as_bytes()[..n]).unwrap();
            let _ = read_encrypted_pkcs8(&path, b"fuzz");
        }
    }
    // Mutated PBKDF2 counts above 20,000 are skipped only for speed (see `slow_pbkdf2`).
    assert!(
        skipped <= 64,
        "{skipped} mutations skipped: the filter is too wide"
    );
}

#[test]
fn ok_read_encrypted_pkcs8_returns_on_random_splices() {
    let seeds = encrypted_key_seeds();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    let mut rng = Rng(0x6e7c_0de5);
    for _ in 0..1000 {
        let input = rng.splice(&seeds, 5);
        if !slow_pbkdf2(&input) {
            run_case(&input, || {
                let _ = read_key_der(&path, &input);
            });
        }
    }
}

#[test]
fn ok_key_pair_from_pkcs8_returns_on_mutated_and_truncated_keys() {
    let seeds = seeds("pkcs8_key");
    assert!(seeds.len() >= 4, "plain key seeds missing");
    for seed in &seeds {
        assert!(check_pkcs8(seed), "a seed must load");
        for input in mutations(seed) {
            check_pkcs8(&input);
        }
    }
}

/// What the `pkcs8_key` fuzz target asserts; `true` when the key loads.
fn check_pkcs8(der: &[u8]) -> bool {
    match key_pair_from_pkcs8(der) {
        Ok(key) => {
            let again = key_pair_from_pkcs8(&key.serialize_der()).unwrap();
            assert_eq!(again.public_key_raw(), key.public_key_raw());
            true
        }
        Err(err) => {
            assert!(matches!(err, CaError::KeyFile { .. }), "{err:?}");
            false
        }
    }
}

fn key_pem(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", der))
}

/// Writes `der` as an encrypted key PEM to `path` and reads it with the seeds' passphrase.
fn read_key_der(path: &Path, der: &[u8]) -> Result<(), CaError> {
    fs::write(path, key_pem(der)).unwrap();
    read_encrypted_pkcs8(path, b"fuzz").map(drop)
}

/// Whether `der` is an encrypted key derived with scrypt (refused by the reader).
fn is_scrypt(der: &[u8]) -> bool {
    EncryptedPrivateKeyInfo::from_der(der)
        .ok()
        .and_then(|i| {
            i.encryption_algorithm
                .pbes2()
                .map(|p| matches!(p.kdf, Kdf::Scrypt(_)))
        })
        .unwrap_or(false)
}

/// Whether `der` asks for more than 20,000 PBKDF2 rounds: legal up to the reader's cap of
/// 6,000,000 but too slow for a mutation loop (the seeds use 2; a mutated length octet can turn
/// that into millions).
fn slow_pbkdf2(der: &[u8]) -> bool {
    let Ok(info) = EncryptedPrivateKeyInfo::from_der(der) else {
        return false;
    };
    let Some(pbes2) = info.encryption_algorithm.pbes2() else {
        return false;
    };
    match &pbes2.kdf {
        Kdf::Pbkdf2(p) => p.iteration_count > 20_000,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs that crashed or hung the key reader before it checked the file's KDF parameters
// ---------------------------------------------------------------------------------------------

/// The `p256-scrypt` seed with the scrypt cost parameter N (one octet at offset 45) set to 0.
/// `pkcs5` 0.7.1 computes `64 - n.leading_zeros() - 1` (`pbes2/kdf.rs:476`), which underflows:
/// a panic wherever overflow checks are on (debug and test builds, the fuzzer).
const SCRYPT_COST_ZERO: &str = "3081e3304e06092a864886f70d01050d3041302006092b06010401da47040b3013\
0408f49f97f4dd0f6cf6020100020101020101301d060960864801650304012a0410d6106b6e088911f38335e81f9a5d\
be9c04819086d76644141c288c0313582363f1e7f7cf3cf6082be8aba1ef7c32523b2ed25481a97e91195200a44dccef\
de162eba3ae2de7cf1152d26c6b41d1cb73e355b278ee1a50e47ea91d92a59181708e81a9d68951474d03c5cdfd55919\
dd3626b2b71d72ca53b4bd4d3cd7d9f7cd3fac54036f7f78c6a50e82d8f43664d888be6f6078d9cf82fe27e317a8a1c8\
47deda6ccc";

/// The same seed with N = 2^40 and r = 8: scrypt asks for 2^50 bytes (1 PiB) at once and the
/// process aborts on the failed allocation (no panic, nothing to catch). Smaller N that fit in
/// memory instead take the machine's memory and minutes of CPU.
const SCRYPT_COST_2POW40: &str = "3081e8305306092a864886f70d01050d3046302506092b06010401da47040b3018\
0408f49f97f4dd0f6cf60206010000000000020108020101301d060960864801650304012a0410d6106b6e088911f38335\
e81f9a5dbe9c04819086d76644141c288c0313582363f1e7f7cf3cf6082be8aba1ef7c32523b2ed25481a97e91195200a4\
4dccefde162eba3ae2de7cf1152d26c6b41d1cb73e355b278ee1a50e47ea91d92a59181708e81a9d68951474d03c5cdfd5\
5919dd3626b2b71d72ca53b4bd4d3cd7d9f7cd3fac54036f7f78c6a50e82d8f43664d888be6f6078d9cf82fe27e317a8a1\
c847deda6ccc";

/// The `p256-pbkdf2` seed with 2^31 − 1 PBKDF2 iterations: the count is read from the file and
/// not bounded, so reading this 240-byte file takes hours (libFuzzer: timeout after 10 s).
const PBKDF2_2POW31: &str = "3081ee305906092a864886f70d01050d304c302b06092a864886f70d01050c301e0408\
26adb2065c141ef502047fffffff300c06082a864886f70d02090500301d060960864801650304012a0410b0ad7ec567c8\
023cfaa7c4a39bb805900481908a4d01d471e92ffce1e2b1663b23a99a4c731d47176369f4fb02c639eca9f0f32e21aa09\
a7902bce7a538731336181c65b2b51aa3488dcd9a02e997603c0ce18ec7967fcff3708968b5f5f3949ee3542efb635b880\
addc8701a82464f782d073ed776856263253c5cb575e825873da35ea37f785261edc0560a5b602a0f8861dd303306e3314\
e60e478392e3815ae2e7";

fn read_known_bug(hex_der: &str) -> String {
    let der = hex::decode(hex_der).unwrap();
    let dir = tempfile::tempdir().unwrap();
    match read_key_der(&dir.path().join("key.pem"), &der) {
        Err(CaError::KeyFile { reason, .. }) => reason,
        other => panic!("expected a key file error, got {other:?}"),
    }
}

#[test]
fn fail_read_encrypted_pkcs8_scrypt_cost_zero() {
    assert_eq!(
        read_known_bug(SCRYPT_COST_ZERO),
        "only PBKDF2 key derivation is accepted"
    );
}

#[test]
fn fail_read_encrypted_pkcs8_scrypt_cost_too_large() {
    assert_eq!(
        read_known_bug(SCRYPT_COST_2POW40),
        "only PBKDF2 key derivation is accepted"
    );
}

#[test]
fn fail_read_encrypted_pkcs8_pbkdf2_iterations_too_large() {
    assert_eq!(
        read_known_bug(PBKDF2_2POW31),
        "PBKDF2 asks for 2147483647 rounds, more than the 6000000 accepted"
    );
}

// ---------------------------------------------------------------------------------------------
// Seeds and mutations
// ---------------------------------------------------------------------------------------------

/// The files of `fuzz/seeds/<target>/`, sorted by name.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fuzz", "seeds", target]
        .iter()
        .collect();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

/// Every prefix of `seed` (empty included), then `seed` with each byte changed in four ways.
fn mutations(seed: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let prefixes = (0..seed.len()).map(|n| seed[..n].to_vec());
    let flips = (0..seed.len()).flat_map(move |i| {
        let b = seed[i];
        [b ^ 0x01, b ^ 0x80, b ^ 0xff, 0x00]
            .into_iter()
            .filter(move |m| *m != b)
            .map(move |m| {
                let mut v = seed.to_vec();
                v[i] = m;
                v
            })
    });
    prefixes.chain(flips)
}

/// A small seeded generator (xorshift64*): the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap();
        usize::try_from(self.next() % n).unwrap()
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }

    /// Any character: ASCII half of the time, else any scalar value.
    fn char(&mut self) -> char {
        let limit = if self.below(2) == 0 { 0x80 } else { 0x11_0000 };
        let code = u32::try_from(self.below(limit)).unwrap();
        char::from_u32(code).unwrap_or('\u{fffd}')
    }

    /// Up to `max` bytes drawn from `alphabet`.
    fn string_from(&mut self, alphabet: &[u8], max: usize) -> Vec<u8> {
        (0..self.below(max + 1))
            .map(|_| alphabet[self.below(alphabet.len())])
            .collect()
    }

    /// A random seed with 1 to `max_edits` bytes overwritten at random positions.
    fn splice(&mut self, seeds: &[Vec<u8>], max_edits: usize) -> Vec<u8> {
        let mut input = seeds[self.below(seeds.len())].clone();
        if !input.is_empty() {
            for _ in 0..=self.below(max_edits) {
                let at = self.below(input.len());
                input[at] = self.byte();
            }
        }
        input
    }
}

/// Runs one case; if it panics, fails naming the input in hex.
fn run_case(input: &[u8], case: impl FnOnce()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(case)).is_err() {
        panic!("failing input: {}", hex::encode(input));
    }
}
