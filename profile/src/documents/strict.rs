//! A JSON reader that refuses duplicate object keys.
//!
//! Hand-written because serde_json has no option for it: reading into `serde_json::Value`
//! keeps the last of two equal keys without a word. RFC 8785 relies on I-JSON (RFC 7493
//! §2.3: names within an object must be unique), and a signed document whose readers could
//! disagree on a field's value must be refused.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Start of the error message that reports a duplicate key; the key follows in JSON quotes.
const DUPLICATE: &str = "duplicate key ";

/// A `serde_json::Value` read without duplicate keys.
pub(crate) struct StrictValue(pub(crate) Value);

/// The key a duplicate-key error names, if `e` is one.
pub(crate) fn duplicate_key(e: &serde_json::Error) -> Option<String> {
    let text = e.to_string();
    let quoted = text.strip_prefix(DUPLICATE)?;
    // The message is `duplicate key "<key>" at line L column C`; the key is JSON-escaped, so
    // read it back as a JSON string.
    let mut de = serde_json::Deserializer::from_str(quoted);
    String::deserialize(&mut de).ok()
}

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let quoted = Value::String(key).to_string();
                return Err(de::Error::custom(format!("{DUPLICATE}{quoted}")));
            }
            let StrictValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}
