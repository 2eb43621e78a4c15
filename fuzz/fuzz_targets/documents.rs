//! A licensing document from JSON (`documents::Document::from_json`), and the strict reader of
//! signed content (`Document::from_signed_content`). Seeds: `fixtures/documents/*.json`:
//! `cargo fuzz run documents corpus/documents ../fixtures/documents`.
//!
//! Beyond "no panic": a document that reads has canonical bytes (RFC 8785) that read back to an
//! equal document and canonicalise to themselves; the strict reader accepts exactly those bytes.
#![no_main]

use eds_profile::documents::{Document, canonicalize_json};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Document::from_signed_content(data);
    let Ok(doc) = Document::from_json(data) else {
        return;
    };
    let canonical = doc.canonical_bytes().unwrap();
    assert_eq!(canonicalize_json(&canonical).unwrap(), canonical);
    let again = Document::from_json(&canonical).unwrap();
    assert_eq!(again, doc);
    assert_eq!(Document::from_signed_content(&canonical).unwrap(), doc);
});
