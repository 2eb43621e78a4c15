//! JSON Schemas of the document kinds, generated from the Rust types with `schemars`.
//!
//! The schemas published under `docs/schemas/` are the output of [`schemas`]; a test in
//! `profile/tests/documents.rs` fails when a committed file differs from what the types
//! generate (rerun with `EDS_UPDATE_SCHEMAS=1` to rewrite them). A schema states the shape; the
//! rules that cross fields (a ground of the service's list, a subtype of the service) are
//! [`super::Document::validate`]'s.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use super::fields::ApplicationNumber;
use super::{
    Application, Document, HearingNotice, HearingRecord, Kind, Licence, LicenceAnnex,
    NotificationRegistrationDecision, Receipt, Refusal, ReissueApplication, ReissuedLicence,
    SalePermit, TechnicalStudyConclusion, TradePermit,
};
use crate::ident::{Bin, Iin};

impl JsonSchema for Iin {
    fn schema_name() -> Cow<'static, str> {
        "Iin".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{12}$",
            "description": "Individual identification number: 12 digits, the 12th a check digit."
        })
    }
}

impl JsonSchema for Bin {
    fn schema_name() -> Cow<'static, str> {
        "Bin".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{4}[456][0-9]{7}$",
            "description": "Business identification number: 12 digits, digit 5 the entity type (4, 5 or 6), the 12th a check digit."
        })
    }
}

impl JsonSchema for ApplicationNumber {
    fn schema_name() -> Cow<'static, str> {
        "ApplicationNumber".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^KZ[0-9A-Z]{4,30}$",
            "description": "Number of the application in the state permits system."
        })
    }
}

/// Schema of a date field: `YYYY-MM-DD`.
pub(crate) fn date_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "format": "date" })
}

/// Schema of a date-time field: RFC 3339.
pub(crate) fn date_time_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "format": "date-time" })
}

/// The schema of one kind: the kind's fields plus `"kind": "<kind>"`.
pub fn schema_of(kind: Kind) -> Value {
    let mut schema = match kind {
        Kind::Application => schemars::schema_for!(Application),
        Kind::ReissueApplication => schemars::schema_for!(ReissueApplication),
        Kind::Licence => schemars::schema_for!(Licence),
        Kind::ReissuedLicence => schemars::schema_for!(ReissuedLicence),
        Kind::TradePermit => schemars::schema_for!(TradePermit),
        Kind::TechnicalStudyConclusion => schemars::schema_for!(TechnicalStudyConclusion),
        Kind::NotificationRegistrationDecision => {
            schemars::schema_for!(NotificationRegistrationDecision)
        }
        Kind::SalePermit => schemars::schema_for!(SalePermit),
        Kind::Refusal => schemars::schema_for!(Refusal),
        Kind::HearingNotice => schemars::schema_for!(HearingNotice),
        Kind::HearingRecord => schemars::schema_for!(HearingRecord),
        Kind::LicenceAnnex => schemars::schema_for!(LicenceAnnex),
        Kind::Receipt => schemars::schema_for!(Receipt),
    };
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            "kind".to_owned(),
            serde_json::json!({ "type": "string", "const": kind.as_str() }),
        );
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.insert(0, Value::String("kind".to_owned()));
    }
    schema.insert("title".to_owned(), Value::String(kind.as_str().to_owned()));
    schema.to_value()
}

/// The schema of the envelope: any kind, told apart by `kind`.
pub fn document_schema() -> Value {
    schemars::schema_for!(Document).to_value()
}

/// Every published schema as (file name, schema): `document.schema.json` and
/// `<kind>.schema.json` for each kind.
pub fn schemas() -> Vec<(String, Value)> {
    let mut all = vec![("document.schema.json".to_owned(), document_schema())];
    all.extend(
        Kind::ALL
            .into_iter()
            .map(|k| (format!("{}.schema.json", k.as_str()), schema_of(k))),
    );
    all
}
