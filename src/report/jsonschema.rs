//! A JSON Schema (draft-07) of the description format, for editors
//! (`faultline schema`; yaml-language-server, VS Code, IntelliJ).
//!
//! The schema is generated from the tables in `schema.rs`: the very tables
//! the loader type-checks every field against, so the editor and the linter
//! cannot drift apart. A derive-based generator such as `schemars` needs
//! serde types that parse the format; faultline's loader is table-driven
//! instead (it walks a spanned YAML tree so it can report every error with
//! its position), so "the same types that parse it" are these tables, and
//! this module is a small generator over them.
//!
//! What the schema catches: unknown sections and fields (`additionalProperties:
//! false`, so a misspelt key is flagged where it is typed), wrong types,
//! out-of-range numbers, missing required fields, malformed waivers. What
//! it leaves to `faultline check`: whether a referenced id exists and is of
//! the right kind, duplicate ids, and rules across fields (a vm has exactly
//! one of `host` and `cluster`).
//!
//! Scalars are accepted where the loader accepts them: a text field or an
//! id may be written as a number or a boolean too (`101` is the id "101").

use crate::model::Kind;
use crate::model::duration::{MAX_SECONDS, TARGET_KINDS};
use crate::model::schema::{self, FieldSpec, FieldType, kinds_phrase};
use serde_json::{Map, Value, json};

pub const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// A YAML scalar the loader reads as text.
fn scalar() -> Value {
    json!(["string", "number", "boolean"])
}

fn id_list(doc: String) -> Value {
    json!({
        "type": ["array", "null"],
        "items": {"type": scalar()},
        "description": doc,
    })
}

/// Whole seconds, or parts with units, as `duration::read` reads them.
fn duration() -> Value {
    json!({
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": MAX_SECONDS},
            {"type": "string", "pattern": "^([0-9]+[smhd])+$"},
        ],
        "description": "seconds (300), or parts with units s, m, h, d (90s, 5m, 1h30m, 2d)",
    })
}

/// `{rule, reason, until?, culprits?}`, as `model::waiver` reads it.
fn waiver() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["rule", "reason"],
        "properties": {
            "rule": {"type": scalar(), "description": "id of the rule whose findings on this entity are accepted"},
            "reason": {"type": scalar(), "pattern": "\\S", "description": "why the risk is accepted (required, not empty)"},
            "until": {
                "type": "string",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                "description": "date (YYYY-MM-DD) after which the waiver stops waiving and is reported",
            },
            "culprits": {
                "type": "array",
                "items": {"type": scalar()},
                "description": "accept only these culprits; the finding still fails while others remain",
            },
        },
    })
}

/// The schema of one field, from its table entry.
pub fn field(spec: &FieldSpec) -> Value {
    let doc = spec.doc.to_owned();
    let mut v = match spec.ty {
        FieldType::Str => json!({"type": scalar()}),
        FieldType::Number => json!({"type": "number", "minimum": 0}),
        FieldType::Int { min } => json!({"type": "integer", "minimum": min}),
        FieldType::Bool => json!({"type": "boolean"}),
        FieldType::Ref(kinds) => json!({
            "type": scalar(),
            "description": format!("{doc} (the id of {})", kinds_phrase(kinds)),
        }),
        FieldType::Refs(kinds) => id_list(format!("{doc} (ids of {})", plural_phrase(kinds))),
        FieldType::Labels => json!({
            "type": ["object", "null"],
            "additionalProperties": {"type": scalar()},
        }),
        FieldType::Waivers => json!({"type": ["array", "null"], "items": waiver()}),
        FieldType::AntiAffinity => json!({
            "type": "array",
            "items": {"type": ["array", "null"], "items": {"type": scalar()}},
        }),
        FieldType::Fraction => json!({"type": "number", "exclusiveMinimum": 0, "maximum": 1}),
        FieldType::Percent => json!({"type": "number", "exclusiveMinimum": 1, "maximum": 100}),
        FieldType::OneOf(words) => json!({"enum": words}),
        FieldType::Duration => duration(),
        FieldType::Targets => {
            let mut kinds = Map::new();
            for k in TARGET_KINDS {
                kinds.insert(k.singular().to_owned(), duration());
            }
            kinds.insert("default".to_owned(), duration());
            json!({"anyOf": [
                duration(),
                {"type": "object", "additionalProperties": false, "properties": kinds},
            ]})
        }
    };
    if v.get("description").is_none() {
        v["description"] = json!(doc);
    }
    v
}

/// "pdus, feeds or components"; "any entity but a cluster".
fn plural_phrase(kinds: &[Kind]) -> String {
    let one = kinds_phrase(kinds);
    if kinds == schema::UNITS {
        return one;
    }
    let names: Vec<&str> = kinds.iter().map(|k| k.section()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The schema of one kind of entity.
pub fn entity(kind: Kind) -> Value {
    let specs = schema::fields(kind);
    let mut props = Map::new();
    for s in specs {
        props.insert(s.name.to_owned(), field(s));
    }
    let required: Vec<&str> = specs
        .iter()
        .filter(|s| s.required)
        .map(|s| s.name)
        .collect();
    // A body may be empty (`h1:`) unless something is required.
    let ty = if required.is_empty() {
        json!(["object", "null"])
    } else {
        json!("object")
    };
    let mut v = json!({
        "title": kind.singular(),
        "type": ty,
        "additionalProperties": false,
        "properties": props,
    });
    if !required.is_empty() {
        v["required"] = json!(required);
    }
    v
}

/// The whole schema.
pub fn schema() -> Value {
    let mut props = Map::new();
    let mut defs = Map::new();
    for key in schema::top_level_keys() {
        if key == "version" {
            props.insert(
                key.to_owned(),
                json!({"type": "integer", "enum": [1], "description": "format version: 1"}),
            );
            continue;
        }
        let Some(kind) = Kind::from_section(key) else {
            continue;
        };
        defs.insert(kind.singular().to_owned(), entity(kind));
        props.insert(
            key.to_owned(),
            json!({
                "type": ["object", "null"],
                "description": format!(
                    "{key}: a map from id to {}; ids are global across sections and files",
                    kind.singular()
                ),
                "propertyNames": {"minLength": 1},
                "additionalProperties": {"$ref": format!("#/definitions/{}", kind.singular())},
            }),
        );
    }
    json!({
        "$schema": DRAFT,
        "title": "faultline description",
        "description": "An infrastructure description for faultline: sites, power, racks, network, hosts, clusters, vms, services and components. Generated by `faultline schema`.",
        "type": ["object", "null"],
        "additionalProperties": false,
        "properties": props,
        "definitions": defs,
    })
}

/// Pretty JSON with a final newline.
pub fn to_string() -> String {
    crate::report::json::to_string(&schema())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_field_is_in_the_schema() {
        let s = schema();
        for kind in Kind::ALL {
            let def = &s["definitions"][kind.singular()];
            assert_eq!(def["additionalProperties"], json!(false));
            for f in schema::fields(kind) {
                assert!(
                    def["properties"].get(f.name).is_some(),
                    "{} lacks {}",
                    kind.singular(),
                    f.name
                );
            }
        }
        assert_eq!(
            s["definitions"]["service"]["required"],
            json!(["instances"])
        );
        assert_eq!(s["additionalProperties"], json!(false));
    }

    #[test]
    fn durations_and_targets_take_both_forms() {
        let s = schema();
        let rto = &s["definitions"]["service"]["properties"]["rto"];
        assert_eq!(
            rto["anyOf"][0]["anyOf"][1]["pattern"],
            json!("^([0-9]+[smhd])+$")
        );
        let kinds = &rto["anyOf"][1]["properties"];
        assert!(kinds.get("host").is_some() && kinds.get("default").is_some());
        assert!(
            kinds.get("service").is_none(),
            "a service is not a kind of failure"
        );
        let repair = &s["definitions"]["host"]["properties"]["repair"];
        assert_eq!(repair["anyOf"][0]["minimum"], json!(0));
        assert!(
            s["definitions"]["service"]["properties"]
                .get("repair")
                .is_none()
        );
    }
}
