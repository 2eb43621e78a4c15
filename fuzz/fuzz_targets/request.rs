//! A registration request from JSON, then `request::assess` (seeds: fixtures/requests/*.json).
//!
//! Beyond "no panic": a request that decodes survives a JSON round trip; with no facts on record
//! it is always refused; with facts that agree with it (the registry holds exactly what the
//! applicant stated, no court decision) it is refused only on grounds the request itself carries,
//! and an accepted applicant is sixteen on the issuance date. Three issuance dates: an ordinary
//! one and the ends of `time::Date`'s range.
#![no_main]

use eds_profile::age;
use eds_profile::ident::Iin;
use eds_profile::request::{EntityFacts, Facts, PersonFacts, Refusal, RegistrationRequest, assess};
use libfuzzer_sys::fuzz_target;
use time::{Date, Month};

fuzz_target!(|data: &[u8]| {
    let Ok(req) = serde_json::from_slice::<RegistrationRequest>(data) else {
        return;
    };
    let json = serde_json::to_vec(&req).unwrap();
    assert_eq!(
        serde_json::from_slice::<RegistrationRequest>(&json).unwrap(),
        req
    );
    let _ = req.required_documents();
    let agreeing = agreeing_facts(&req);
    let ordinary = Date::from_calendar_date(2025, Month::June, 1).unwrap();
    for on in [ordinary, Date::MIN, Date::MAX] {
        let refusal = assess(&req, &Facts::default(), on).unwrap_err();
        let _ = (refusal.ground(), refusal.to_string());
        match assess(&req, &agreeing, on) {
            Ok(accepted) => {
                assert_eq!(accepted.iin.as_str(), req.applicant.iin);
                assert!(age::has_reached_minimum_age(accepted.birth_date, on));
                assert_eq!(accepted.bin.is_some(), req.legal_entity.is_some());
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
});

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
