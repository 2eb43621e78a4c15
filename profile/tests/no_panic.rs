//! The parsers of this crate on mutated and truncated inputs, inside the normal test suite: the same
//! code the fuzz targets in `fuzz/` exercise (`ident`, `holder`, `request`, see docs/fuzzing.md),
//! so CI covers it without a fuzzer.
//!
//! For each parser: every prefix of every seed, every seed with each byte changed in a few ways
//! (xor 0x01, 0x80, 0xff; set to 0x00), and a few thousand proptest inputs (random splices into a
//! seed, and free text). Each call must return, Ok or Err; where it is cheap, the properties the
//! fuzz targets assert are checked as well.

#![expect(
    clippy::unwrap_used,
    reason = "a property that does not hold should stop the test loudly"
)]

use std::fs;
use std::path::PathBuf;

use eds_fixtures::{nca_bytes, nca_files};
use eds_profile::age;
use eds_profile::holder::{Finding, Holder, HolderError};
use eds_profile::ident::{Bin, IdentError, Iin, LEN};
use eds_profile::request::{EntityFacts, Facts, PersonFacts, Refusal, RegistrationRequest, assess};
use proptest::prelude::*;
use time::{Date, Month};
use x509_parser::pem::parse_x509_pem;

// ---------------------------------------------------------------------------------------------
// Identity numbers
// ---------------------------------------------------------------------------------------------

/// Valid and nearly valid numbers: IINs of three centuries, a BIN, the NCA test numbers.
const IDENT_SEEDS: [&str; 8] = [
    "850314300122",
    "900101300017",
    "120517600906",
    "880909300896",
    "080540001238",
    "123456789011",
    "123456789021",
    "85031430012Ә",
];

#[test]
fn ok_ident_parsers_return_on_mutated_and_truncated_seeds() {
    for seed in IDENT_SEEDS {
        for input in mutations(seed.as_bytes()) {
            check_ident(&String::from_utf8_lossy(&input));
        }
    }
}

#[test]
fn ok_ident_parsers_keep_their_properties_on_seeds() {
    assert!(Iin::parse("850314300122").is_ok());
    assert!(Bin::parse("080540001238").is_ok());
    for seed in IDENT_SEEDS {
        check_ident(seed);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn ok_ident_parsers_return_on_digit_strings(text in "[0-9]{10,13}") {
        check_ident(&text);
    }

    #[test]
    fn ok_ident_parsers_return_on_any_text(text in "\\PC{0,14}") {
        check_ident(&text);
    }
}

/// What the `ident` fuzz target asserts.
fn check_ident(text: &str) {
    let iin = Iin::parse(text);
    let bin = Bin::parse(text);
    assert!(
        !(iin.is_ok() && bin.is_ok()),
        "{text:?} parses as both IIN and BIN"
    );
    for err in [iin.as_ref().err(), bin.as_ref().err()]
        .into_iter()
        .flatten()
    {
        let _ = err.to_string();
        match err {
            IdentError::WrongLength { found } => {
                assert_eq!(*found, text.chars().count());
                assert_ne!(*found, LEN);
            }
            IdentError::NonDigit { position, found } => {
                assert_eq!(text.chars().nth(*position), Some(*found));
            }
            _ => {}
        }
    }
    if let Ok(iin) = iin {
        assert_eq!(iin.as_str(), text);
        assert_eq!(Iin::parse(&iin.to_string()), Ok(iin));
        assert_eq!(
            Iin::from_parts(iin.birth_date(), iin.sex(), iin.serial()),
            Some(iin)
        );
    }
    if let Ok(bin) = bin {
        assert_eq!(bin.as_str(), text);
        assert_eq!(Bin::parse(&bin.to_string()), Ok(bin));
        assert_eq!(
            Bin::from_parts(
                bin.registration_year(),
                bin.registration_month(),
                bin.entity_type(),
                bin.unit_kind(),
                bin.serial()
            ),
            Some(bin)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Certificates
// ---------------------------------------------------------------------------------------------

/// Every certificate of the NCA test material, as DER.
fn certificate_seeds() -> Vec<Vec<u8>> {
    let mut files = nca_files("certs");
    files.extend(nca_files("ca"));
    files.extend(
        nca_files("keys")
            .into_iter()
            .filter(|f| f.ends_with(".pem") || f.ends_with(".der")),
    );
    assert!(files.len() >= 9, "fixture certificates missing: {files:?}");
    files
        .iter()
        .map(|rel| {
            let bytes = nca_bytes(rel);
            if bytes.starts_with(b"-----BEGIN") {
                parse_x509_pem(&bytes).unwrap().1.contents
            } else {
                bytes
            }
        })
        .collect()
}

#[test]
fn ok_holder_from_der_returns_on_mutated_and_truncated_certificates() {
    let seeds = certificate_seeds();
    let mut read = 0_usize;
    for seed in &seeds {
        assert!(Holder::from_der(seed).is_ok(), "a seed must read");
        for input in mutations(seed) {
            read += usize::from(check_holder(&input));
        }
    }
    // Mutations inside names and values leave most certificates readable: the walk goes deep.
    assert!(read > 1000, "only {read} mutated certificates read");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn ok_holder_from_der_returns_on_random_splices(
        seed in 0_usize..9,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let seeds = certificate_seeds_cached();
        let mut input = seeds[seed % seeds.len()].clone();
        splice(&mut input, &edits);
        check_holder(&input);
        check_holder(&input[..cut.index(input.len() + 1)]);
    }

    #[test]
    fn ok_holder_from_der_returns_on_random_bytes(
        input in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        check_holder(&input);
    }
}

fn certificate_seeds_cached() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(certificate_seeds)
}

/// What the `holder` fuzz target asserts; `true` when the input reads.
fn check_holder(der: &[u8]) -> bool {
    match Holder::from_der(der) {
        Ok(holder) => {
            let len = der.len();
            assert_eq!(
                Holder::from_der(&der[..len - 1]),
                Err(HolderError::Truncated {
                    len: len - 1,
                    needed: 1
                })
            );
            let invalid_iin = holder
                .findings
                .iter()
                .any(|f| matches!(f, Finding::InvalidIin { .. }));
            let iin_fails = holder
                .iin
                .as_deref()
                .is_some_and(|d| Iin::parse(d).is_err());
            assert_eq!(invalid_iin, iin_fails, "{holder:?}");
            let invalid_bin = holder
                .findings
                .iter()
                .any(|f| matches!(f, Finding::InvalidBin { .. }));
            let bin_fails = holder
                .bin
                .as_deref()
                .is_some_and(|d| Bin::parse(d).is_err());
            assert_eq!(invalid_bin, bin_fails, "{holder:?}");
            true
        }
        Err(err) => {
            let _ = err.to_string();
            match err {
                HolderError::Truncated { len, needed } => {
                    assert_eq!(len, der.len());
                    assert!(needed > 0);
                }
                HolderError::TrailingData { offset, extra } => {
                    assert!(extra > 0);
                    assert_eq!(offset + extra, der.len());
                }
                _ => {}
            }
            false
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Registration requests
// ---------------------------------------------------------------------------------------------

fn request_seeds() -> Vec<Vec<u8>> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", "requests"]
        .iter()
        .collect();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 8, "sample requests missing in {dir:?}");
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

#[test]
fn ok_assess_returns_on_mutated_and_truncated_requests() {
    let mut decoded = 0_usize;
    for seed in request_seeds() {
        assert!(check_request(&seed), "a sample request must decode");
        for input in mutations(&seed) {
            decoded += usize::from(check_request(&input));
        }
    }
    assert!(decoded > 500, "only {decoded} mutated requests decoded");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn ok_assess_returns_on_random_splices(
        seed in 0_usize..8,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let seeds = request_seeds_cached();
        let mut input = seeds[seed % seeds.len()].clone();
        splice(&mut input, &edits);
        check_request(&input);
    }

    #[test]
    fn ok_assess_returns_on_generated_requests(
        iin in "[0-9]{12}",
        bin in prop::option::of("[0-9]{12}"),
        birth in prop::option::of((-9999_i32..=9999, 1_u16..=366)),
        resident in any::<bool>(),
        roles in prop::sample::subsequence(
            vec!["\"first-head\"", "\"signing-right\"", "\"hr\"", "\"employee\"", "\"individual\""],
            0..3,
        ),
        documents in prop::sample::subsequence(
            vec![
                "\"identity-document\"",
                "\"application\"",
                "\"entity-registration\"",
                "\"head-appointment\"",
                "\"power-of-attorney\"",
                "\"residence-permit\"",
            ],
            0..6,
        ),
    ) {
        let birth = birth
            .and_then(|(y, d)| Date::from_ordinal_date(y, d).ok())
            .map(|d| format!(", \"birth_date\": \"{d}\""))
            .unwrap_or_default();
        let entity = bin
            .map(|b| format!("\"legal_entity\": {{\"bin\": \"{b}\", \"name\": \"ТОО\"}},"))
            .unwrap_or_default();
        let json = format!(
            "{{\"applicant\": {{\"iin\": \"{iin}\", \"surname\": \"А\", \"name\": \"Б\", \
             \"resident\": {resident}{birth}}}, {entity} \"roles\": [{}], \
             \"key_purpose\": \"signing\", \"documents\": [{}]}}",
            roles.join(","),
            documents.join(","),
        );
        check_request(json.as_bytes());
    }
}

fn request_seeds_cached() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(request_seeds)
}

/// What the `request` fuzz target asserts; `true` when the input decodes.
fn check_request(json: &[u8]) -> bool {
    let Ok(req) = serde_json::from_slice::<RegistrationRequest>(json) else {
        return false;
    };
    let again = serde_json::to_vec(&req).unwrap();
    assert_eq!(
        serde_json::from_slice::<RegistrationRequest>(&again).unwrap(),
        req
    );
    let agreeing = agreeing_facts(&req);
    let ordinary = Date::from_calendar_date(2025, Month::June, 1).unwrap();
    for on in [ordinary, Date::MIN, Date::MAX] {
        let refusal = assess(&req, &Facts::default(), on).unwrap_err();
        let _ = (refusal.ground(), refusal.to_string());
        match assess(&req, &agreeing, on) {
            Ok(accepted) => {
                assert_eq!(accepted.iin.as_str(), req.applicant.iin);
                assert!(age::has_reached_minimum_age(accepted.birth_date, on));
            }
            Err(refusal) => {
                let _ = (refusal.ground(), refusal.to_string());
                assert!(
                    matches!(
                        refusal,
                        Refusal::MissingDocuments { .. }
                            | Refusal::InvalidIin { .. }
                            | Refusal::InvalidBin { .. }
                            | Refusal::BirthDateMissing
                            | Refusal::InvalidRoles { .. }
                            | Refusal::UnderAge { .. }
                    ),
                    "refused on {refusal:?} although the registry agrees"
                );
            }
        }
    }
    true
}

/// What the registry would hold if everything the applicant stated were true.
fn agreeing_facts(req: &RegistrationRequest) -> Facts {
    let a = &req.applicant;
    let encoded = Iin::parse(&a.iin).map(|iin| iin.birth_date()).ok();
    Facts {
        person: Some(PersonFacts {
            surname: a.surname.clone(),
            name: a.name.clone(),
            patronymic: a.patronymic.clone(),
            birth_date: a.birth_date.or(encoded).unwrap_or(Date::MIN),
            death_date: None,
        }),
        entity: req.legal_entity.as_ref().map(|e| EntityFacts {
            name: e.name.clone(),
            head_iin: a.iin.clone(),
            liquidated_on: None,
        }),
        court_decisions: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

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

/// Overwrites bytes of `input` at the given positions.
fn splice(input: &mut [u8], edits: &[(prop::sample::Index, u8)]) {
    if input.is_empty() {
        return;
    }
    for (at, byte) in edits {
        let i = at.index(input.len());
        input[i] = *byte;
    }
}
