//! A policy over an entity's own fields and labels, written in CEL: "every
//! stateful service declares a backup", "every host has an owner label",
//! "no pdu above 16 A". Entities picked by `select` must satisfy `assert`;
//! an expression that fails to evaluate on an entity (a missing label,
//! say) counts as not satisfied, since the policy could not be shown to
//! hold.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::rules::finding::Hit;
use crate::rules::params::Params;
use crate::rules::predicate::Predicate;
use crate::rules::select::Selector;

/// The registry's entry (see `templates/mod.rs`).
pub const FIELD: Registered = Registered {
    name: "field",
    params: "select?, assert, message?",
    doc: "Entities for which the CEL expression `assert` is not true.",
    build: |p| Ok(Box::new(Field::new(p)?)),
};

pub struct Field {
    select: Selector,
    assert: Predicate,
    /// Message with `{id}` and `{kind}` placeholders.
    message: Option<String>,
}

impl Field {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        let node = p.get("assert").ok_or_else(|| p.missing("assert"))?;
        let crate::input::yaml::YValue::Str(text) = &node.value else {
            return Err(p.error(node, "`assert` must be a CEL expression (a string)"));
        };
        Ok(Field {
            select: Selector::of(p, "select")?,
            assert: Predicate::compile(text, p.span_of(node))?,
            message: p.string("message")?,
        })
    }
}

impl Template for Field {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for id in m.ids() {
            let e = m.get(id);
            if !self.select.matches_in(m, e) {
                continue;
            }
            let why = match self.assert.eval(m, e) {
                Ok(true) => continue,
                Ok(false) => String::new(),
                Err(err) => format!(" (the expression could not be evaluated: {err})"),
            };
            let message = match &self.message {
                Some(t) => t
                    .replace("{id}", &e.id)
                    .replace("{kind}", e.kind().singular()),
                None => format!(
                    "{} `{}` does not satisfy `{}`",
                    e.kind().singular(),
                    e.id,
                    self.assert.source
                ),
            };
            hits.push(Hit {
                subject: id,
                message: format!("{message}{why}"),
                ..Hit::default()
            });
        }
        hits
    }
}
