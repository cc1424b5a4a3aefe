//! Which entities a rule looks at: by kind, by labels (every given label
//! must match, as in a Kubernetes `matchLabels`), and by id globs.

use super::params::{Params, kind_list, string_list, string_map};
use super::predicate::Predicate;
use crate::input::diag::InputError;
use crate::input::yaml::{YNode, YValue};
use crate::model::Model;
use crate::model::{Entity, Kind};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Default, Clone)]
pub struct Selector {
    pub kinds: Option<Vec<Kind>>,
    pub labels: BTreeMap<String, String>,
    pub ids: Option<GlobSet>,
    /// A CEL predicate over `e`; an evaluation error does not select.
    pub expr: Option<Arc<Predicate>>,
}

impl Selector {
    /// The selector a template's parameter `key` gives (every entity
    /// when the rule leaves it out).
    pub fn of(p: &Params, key: &'static str) -> Result<Selector, InputError> {
        match p.get(key) {
            None => Ok(Selector::default()),
            Some(n) => Selector::parse(p, n),
        }
    }

    pub fn parse(p: &Params, n: &YNode) -> Result<Selector, InputError> {
        let YValue::Map(m) = &n.value else {
            return Err(p.error(n, "a selector is a map with `kinds`, `labels` and/or `ids`"));
        };
        let mut sel = Selector::default();
        for (k, v) in m {
            let key = match &k.value {
                YValue::Str(s) => s.as_str(),
                _ => "",
            };
            match key {
                "kinds" => sel.kinds = Some(kind_list(p, v, "kinds")?),
                "labels" => sel.labels = string_map(p, v, "labels")?,
                "ids" => {
                    let mut b = GlobSetBuilder::new();
                    let YValue::Seq(items) = &v.value else {
                        return Err(p.error(v, "`ids` must be a list of id patterns"));
                    };
                    for (pat, it) in string_list(p, v, "ids")?.iter().zip(items) {
                        let g = Glob::new(pat)
                            .map_err(|e| p.error(it, format!("bad id pattern: {e}")))?;
                        b.add(g);
                    }
                    sel.ids = Some(
                        b.build()
                            .map_err(|e| p.error(v, format!("bad id patterns: {e}")))?,
                    );
                }
                "where" => {
                    let YValue::Str(text) = &v.value else {
                        return Err(p.error(v, "`where` must be a CEL expression (a string)"));
                    };
                    sel.expr = Some(Arc::new(Predicate::compile(text, p.span_of(v))?));
                }
                other => {
                    let mut e = p.error(k, format!("unknown selector field `{other}`"));
                    e = e.suggest(
                        other,
                        ["kinds", "labels", "ids", "where"],
                        "a selector takes `kinds`, `labels`, `ids` and `where`",
                    );
                    return Err(e);
                }
            }
        }
        Ok(sel)
    }

    /// Whether `e` is selected. `model` is needed by `where` predicates
    /// (to name referenced entities).
    pub fn matches_in(&self, model: &Model, e: &Entity) -> bool {
        self.matches(e)
            && self
                .expr
                .as_ref()
                .is_none_or(|p| p.eval(model, e) == Ok(true))
    }

    /// Kinds, labels and ids only (no `where`).
    pub fn matches(&self, e: &Entity) -> bool {
        self.kinds.as_ref().is_none_or(|ks| ks.contains(&e.kind()))
            && self.labels.iter().all(|(k, v)| e.labels.get(k) == Some(v))
            && self.ids.as_ref().is_none_or(|g| g.is_match(&e.id))
    }
}
