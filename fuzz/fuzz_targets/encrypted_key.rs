//! `keys::read_encrypted_pkcs8` on any file content, passphrase `fuzz` (the seeds' passphrase, so
//! mutations reach the decryption and the PKCS#8 parse behind it).
//!
//! An input that starts with `-----` is the file as it is (the PEM layer); any other input is DER,
//! wrapped into an `ENCRYPTED PRIVATE KEY` PEM first, so that byte mutations land in the
//! `EncryptedPrivateKeyInfo` and its PBES2 parameters instead of in base64. The seeds are DER.
//!
//! The reader takes a path, so each input is written to one temporary file per process first;
//! slow, but the parsing is what is measured. Beyond "no panic": nothing cheap to assert.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use eds_ca::keys::read_encrypted_pkcs8;
use libfuzzer_sys::fuzz_target;

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("eds-fuzz-key-{}.pem", std::process::id()))
    })
}

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"-----") {
        std::fs::write(path(), data).unwrap();
    } else {
        let text = pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", data));
        std::fs::write(path(), text).unwrap();
    }
    if let Err(err) = read_encrypted_pkcs8(path(), b"fuzz") {
        let _ = err.to_string();
    }
});
