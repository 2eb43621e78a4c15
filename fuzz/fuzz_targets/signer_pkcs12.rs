//! `eds_signer::keys::load_pkcs12_with_limits` on any bytes, with each of the national center's
//! test passwords (`Qwerty12`, and `Aa123456` for its GOST 2015 keys), and again on the same PFX with its MacData cut off, so that mutations
//! behind the MAC reach the decryption (3DES, RC2, PBES2) and the bag parsing instead of stopping
//! at a failed MAC check. Iterations are capped at 4096 so that the fuzzer parses rather than
//! hashes.
//!
//! Seeds: the center's files, `fixtures/nca/keys/` (BER, indefinite lengths, legacy PBE):
//! `cargo fuzz run signer_pkcs12 corpus/signer_pkcs12 ../fixtures/nca/keys`.
//!
//! Beyond "no panic": a file that loads gives a key that matches its certificate and signs.
#![no_main]

use eds_signer::SigningKey;
use eds_signer::keys::{KeyLoadLimits, ensure_key_matches_certificate, load_pkcs12_with_limits};
use libfuzzer_sys::fuzz_target;

const LIMITS: KeyLoadLimits = KeyLoadLimits {
    max_iterations: 4096,
    max_scrypt_memory: 1 << 20,
};

/// The national center's two test passwords: `Qwerty12` opens its RSA and 2004 files,
/// `Aa123456` its GOST 2015 ones, so both reach the key readers behind them.
const PASSWORDS: [&str; 2] = ["Qwerty12", "Aa123456"];

fn check(data: &[u8]) {
    for password in PASSWORDS {
        match load_pkcs12_with_limits(data, password, &LIMITS) {
            Ok(contents) => {
                ensure_key_matches_certificate(&contents.key, &contents.certificate_der).unwrap();
                let rng = ring::rand::SystemRandom::new();
                contents.key.sign(b"fuzz", &rng).unwrap();
                return;
            }
            Err(err) => {
                let _ = err.to_string();
            }
        }
    }
}

/// A definite-length header at `pos`: (content start, content length).
fn header(data: &[u8], pos: usize) -> Option<(usize, usize)> {
    let first = *data.get(pos + 1)?;
    if first < 0x80 {
        return Some((pos + 2, usize::from(first)));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return None;
    }
    let mut len = 0usize;
    for i in 0..count {
        len = len << 8 | usize::from(*data.get(pos + 2 + i)?);
    }
    Some((pos + 2 + count, len))
}

/// The PFX without its third element (MacData, RFC 7292 §4), re-wrapped in a SEQUENCE.
fn without_mac(data: &[u8]) -> Option<Vec<u8>> {
    if data.first() != Some(&0x30) {
        return None;
    }
    let (start, _) = header(data, 0)?;
    let (version_start, version_len) = header(data, start)?;
    let auth_pos = version_start + version_len;
    let (auth_start, auth_len) = header(data, auth_pos)?;
    let body = data.get(start..auth_start.checked_add(auth_len)?)?;
    if auth_start + auth_len == data.len() {
        return None;
    }
    let len = u32::try_from(body.len()).ok()?.to_be_bytes();
    Some([&[0x30, 0x84][..], &len, body].concat())
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if let Some(stripped) = without_mac(data) {
        check(&stripped);
    }
});
