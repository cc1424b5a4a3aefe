//! Predicates over entities in CEL, the Common Expression Language that
//! Kubernetes admission policies use. CEL is not Turing-complete: no loops
//! or recursion, only bounded comprehensions over the entity's own lists,
//! so a rule cannot hang a CI run. We also cap the expression's length.
//!
//! The entity is the variable `e`: `e.id`, `e.kind` ("service"...),
//! `e.labels` (map), and every field of the format by its name (ids as
//! strings, lists of ids as lists, numbers as doubles, flags as bools;
//! absent optional fields are `null`, absent lists are empty).

use crate::input::diag::InputError;
use crate::input::source::Span;
use crate::model::{Entity, Model};
use cel::{Context, Program, Value};
use std::collections::HashMap;

/// Longest expression accepted; predicates are one-liners.
pub const MAX_EXPRESSION: usize = 2_000;

pub struct Predicate {
    program: Program,
    pub source: String,
}

impl Predicate {
    pub fn compile(text: &str, span: Span) -> Result<Predicate, InputError> {
        if text.len() > MAX_EXPRESSION {
            return Err(InputError::at(
                "bad-expression",
                span,
                format!(
                    "the expression is {} characters long; the limit is {MAX_EXPRESSION}",
                    text.len()
                ),
            ));
        }
        let program = Program::compile(text).map_err(|e| {
            let first = e.to_string();
            let first = first
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("ERROR: <input>:")
                .to_owned();
            InputError::at(
                "bad-expression",
                span,
                format!("invalid CEL expression: {first}"),
            )
            .label("does not parse")
            .help("predicates are CEL, e.g. `e.stateful && size(e.backups) == 0`")
        })?;
        Ok(Predicate {
            program,
            source: text.to_owned(),
        })
    }

    /// Evaluates to a bool; an error or a non-bool result is `Err`.
    pub fn eval(&self, model: &Model, e: &Entity) -> Result<bool, String> {
        let mut ctx = Context::default();
        ctx.add_variable_from_value("e", entity_value(model, e));
        match self.program.execute(&ctx) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!("the expression gave {other:?}, not a bool")),
            Err(err) => Err(err.to_string()),
        }
    }
}

fn ids(model: &Model, v: &[u32]) -> Value {
    v.iter()
        .map(|&i| model.name(i).to_owned())
        .collect::<Vec<String>>()
        .into()
}

fn opt_id(model: &Model, v: Option<u32>) -> Value {
    v.map(|i| Value::from(model.name(i).to_owned()))
        .unwrap_or(Value::Null)
}

fn num(v: Option<f64>) -> Value {
    v.map(Value::Float).unwrap_or(Value::Null)
}

/// The CEL view of an entity.
pub fn entity_value(model: &Model, e: &Entity) -> Value {
    let mut m: HashMap<String, Value> = HashMap::new();
    m.insert("id".into(), e.id.clone().into());
    m.insert("kind".into(), e.kind().singular().into());
    m.insert(
        "labels".into(),
        e.labels
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<HashMap<String, String>>()
            .into(),
    );
    m.insert("description".into(), e.description.clone().into());
    m.insert("requires".into(), ids(model, &e.requires));
    m.insert("site".into(), opt_id(model, e.site));
    m.insert("rack".into(), opt_id(model, e.rack));
    m.insert("feed".into(), opt_id(model, e.feed));
    m.insert("host".into(), opt_id(model, e.host));
    m.insert("cluster".into(), opt_id(model, e.cluster));
    m.insert("ft_secondary".into(), opt_id(model, e.ft_secondary));
    m.insert("power".into(), ids(model, &e.power));
    m.insert("network".into(), ids(model, &e.network));
    m.insert("uplinks".into(), ids(model, &e.uplinks));
    m.insert("capacity_w".into(), num(e.capacity_w));
    m.insert("draw_w".into(), num(e.draw_w));
    m.insert("memory_gb".into(), num(e.memory_gb));
    m.insert("cpus".into(), num(e.cpus));
    m.insert("standby".into(), e.standby.into());
    m.insert("ha".into(), e.ha.clone().into());
    m.insert("instances".into(), ids(model, &e.instances));
    m.insert("min_healthy".into(), Value::Int(i64::from(e.min_healthy)));
    m.insert("depends_on".into(), ids(model, &e.depends_on));
    m.insert("stateful".into(), e.stateful.into());
    m.insert("backups".into(), ids(model, &e.backups));
    m.insert("slo".into(), num(e.slo));
    m.insert("availability".into(), num(e.availability));
    m.insert("type".into(), e.component_kind.clone().into());
    m.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::load_str;

    fn model() -> Model {
        load_str(
            "t.yaml",
            "hosts:\n  h1: {labels: {tier: critical}}\nservices:\n  s: {instances: [h1], stateful: true}\n",
        )
        .ok()
        .expect("loads")
    }

    #[test]
    fn evaluates_over_fields_and_labels() {
        let m = model();
        let s = m.get(m.lookup("s").unwrap());
        let h = m.get(m.lookup("h1").unwrap());
        let p = Predicate::compile("e.stateful && size(e.backups) == 0", Span::default()).unwrap();
        assert_eq!(p.eval(&m, s), Ok(true));
        let p = Predicate::compile("e.labels.tier == 'critical'", Span::default()).unwrap();
        assert_eq!(p.eval(&m, h), Ok(true));
        assert!(
            p.eval(&m, s).is_err(),
            "a missing label is an evaluation error"
        );
        let p = Predicate::compile("'tier' in e.labels", Span::default()).unwrap();
        assert_eq!(p.eval(&m, s), Ok(false));
    }

    #[test]
    fn rejects_bad_and_huge_expressions() {
        assert!(Predicate::compile("e.kind ==", Span::default()).is_err());
        assert!(Predicate::compile(&"(".repeat(5000), Span::default()).is_err());
        let long = format!("{}true", "true && ".repeat(400));
        assert!(Predicate::compile(&long, Span::default()).is_err());
    }
}
