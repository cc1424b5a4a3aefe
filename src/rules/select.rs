//! Which entities a rule looks at: by kind, by labels (every given label
//! must match, as in a Kubernetes `matchLabels`), and by id globs.

use super::params::{Params, kind_list, string_list, string_map};
use crate::diag::InputError;
use crate::model::{Entity, Kind};
use crate::yaml::{YNode, YValue};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;

#[derive(Default, Clone)]
pub struct Selector {
    pub kinds: Option<Vec<Kind>>,
    pub labels: BTreeMap<String, String>,
    pub ids: Option<GlobSet>,
}

impl Selector {
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
                other => {
                    return Err(p
                        .error(k, format!("unknown selector field `{other}`"))
                        .help("a selector takes `kinds`, `labels` and `ids`"));
                }
            }
        }
        Ok(sel)
    }

    pub fn matches(&self, e: &Entity) -> bool {
        self.kinds.as_ref().is_none_or(|ks| ks.contains(&e.kind()))
            && self.labels.iter().all(|(k, v)| e.labels.get(k) == Some(v))
            && self.ids.as_ref().is_none_or(|g| g.is_match(&e.id))
    }
}
