//! Typed access to a rule's `params` map, with errors that point into the
//! rule file and a check that every key given was understood.

use super::select::Selector;
use crate::diag::{InputError, did_you_mean};
use crate::model::Kind;
use crate::source::{FileId, Sources, Span};
use crate::yaml::{YNode, YValue};
use std::cell::RefCell;
use std::collections::BTreeMap;

pub struct Params<'a> {
    sources: &'a Sources,
    file: FileId,
    node: Option<&'a YNode>,
    /// Where to point when a required parameter is missing.
    fallback: Span,
    known: RefCell<Vec<&'static str>>,
}

impl<'a> Params<'a> {
    pub fn new(
        sources: &'a Sources,
        file: FileId,
        node: Option<&'a YNode>,
        fallback: Span,
    ) -> Self {
        Params {
            sources,
            file,
            node,
            fallback,
            known: RefCell::new(Vec::new()),
        }
    }

    pub fn span_of(&self, n: &YNode) -> Span {
        self.sources.span(self.file, n.start, n.len)
    }

    fn entries(&self) -> &'a [(YNode, YNode)] {
        match self.node.map(|n| &n.value) {
            Some(YValue::Map(m)) => m,
            _ => &[],
        }
    }

    /// The raw node of parameter `key`, recording that `key` is understood.
    pub fn get(&self, key: &'static str) -> Option<&'a YNode> {
        self.known.borrow_mut().push(key);
        self.entries()
            .iter()
            .find(|(k, _)| matches!(&k.value, YValue::Str(s) if s == key))
            .map(|(_, v)| v)
    }

    pub fn error(&self, n: &YNode, msg: impl Into<String>) -> InputError {
        InputError::at("bad-param", self.span_of(n), msg)
    }

    pub fn missing(&self, key: &str) -> InputError {
        InputError::at(
            "bad-param",
            self.fallback,
            format!("this template needs the parameter `{key}`"),
        )
        .help(format!("add `params: {{{key}: ...}}`"))
    }

    pub fn string(&self, key: &'static str) -> Result<Option<String>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(YNode {
                value: YValue::Str(s),
                ..
            }) => Ok(Some(s.clone())),
            Some(n) => Err(self.error(n, format!("`{key}` must be a string"))),
        }
    }

    pub fn strings(&self, key: &'static str) -> Result<Option<Vec<String>>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => string_list(self, n, key).map(Some),
        }
    }

    pub fn number(&self, key: &'static str) -> Result<Option<f64>, InputError> {
        match self.get(key).map(|n| (n, &n.value)) {
            None => Ok(None),
            Some((_, YValue::Int(i))) => Ok(Some(*i as f64)),
            Some((_, YValue::Float(x))) => Ok(Some(*x)),
            Some((n, _)) => Err(self.error(n, format!("`{key}` must be a number"))),
        }
    }

    pub fn uint(&self, key: &'static str) -> Result<Option<u32>, InputError> {
        match self.get(key).map(|n| (n, &n.value)) {
            None => Ok(None),
            Some((_, YValue::Int(i))) if *i >= 1 && *i <= 1_000_000 => Ok(Some(*i as u32)),
            Some((n, _)) => Err(self.error(n, format!("`{key}` must be a positive integer"))),
        }
    }

    pub fn bool(&self, key: &'static str) -> Result<Option<bool>, InputError> {
        match self.get(key).map(|n| (n, &n.value)) {
            None => Ok(None),
            Some((_, YValue::Bool(b))) => Ok(Some(*b)),
            Some((n, _)) => Err(self.error(n, format!("`{key}` must be true or false"))),
        }
    }

    /// Entity kinds by their singular name (`rack`, `pdu`...).
    pub fn kinds(&self, key: &'static str) -> Result<Option<Vec<Kind>>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(n) => kind_list(self, n, key).map(Some),
        }
    }

    pub fn selector(&self, key: &'static str) -> Result<Selector, InputError> {
        match self.get(key) {
            None => Ok(Selector::default()),
            Some(n) => Selector::parse(self, n),
        }
    }

    /// Fails on a parameter the template did not ask for (a typo would
    /// otherwise silently change what the rule checks).
    pub fn finish(&self) -> Result<(), InputError> {
        if let Some(n) = self.node
            && !matches!(n.value, YValue::Map(_) | YValue::Null)
        {
            return Err(self.error(n, "`params` must be a map"));
        }
        let known = self.known.borrow();
        for (k, _) in self.entries() {
            let name = match &k.value {
                YValue::Str(s) => s.as_str(),
                _ => "",
            };
            if !known.contains(&name) {
                let mut e = InputError::at(
                    "bad-param",
                    self.span_of(k),
                    format!("unknown parameter `{name}`"),
                );
                e = match did_you_mean(name, known.iter().copied()) {
                    Some(s) => e.help(format!("did you mean `{s}`?")),
                    None if known.is_empty() => e.help("this template takes no parameters"),
                    None => e.help(format!("this template takes: {}", known.join(", "))),
                };
                return Err(e);
            }
        }
        Ok(())
    }
}

pub fn string_list(p: &Params, n: &YNode, key: &str) -> Result<Vec<String>, InputError> {
    let YValue::Seq(items) = &n.value else {
        return Err(p.error(n, format!("`{key}` must be a list of strings")));
    };
    items
        .iter()
        .map(|it| match &it.value {
            YValue::Str(s) => Ok(s.clone()),
            _ => Err(p.error(it, format!("`{key}` must be a list of strings"))),
        })
        .collect()
}

pub fn kind_list(p: &Params, n: &YNode, key: &str) -> Result<Vec<Kind>, InputError> {
    let names = string_list(p, n, key)?;
    let YValue::Seq(items) = &n.value else {
        unreachable!()
    };
    names
        .iter()
        .zip(items)
        .map(|(s, it)| {
            Kind::from_singular(s).ok_or_else(|| {
                let mut e = p.error(it, format!("unknown entity kind `{s}`"));
                let all = Kind::ALL.iter().map(|k| k.singular());
                e = match did_you_mean(s, all.clone()) {
                    Some(m) => e.help(format!("did you mean `{m}`?")),
                    None => e.help(format!("kinds are: {}", all.collect::<Vec<_>>().join(", "))),
                };
                e
            })
        })
        .collect()
}

pub fn string_map(
    p: &Params,
    n: &YNode,
    key: &str,
) -> Result<BTreeMap<String, String>, InputError> {
    let YValue::Map(m) = &n.value else {
        return Err(p.error(n, format!("`{key}` must be a map of strings")));
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let text = |x: &YNode| match &x.value {
            YValue::Str(s) => Some(s.clone()),
            YValue::Int(_) | YValue::Float(_) | YValue::Bool(_) => {
                Some(p.sources.text(p.span_of(x)).to_owned())
            }
            _ => None,
        };
        match (text(k), text(v)) {
            (Some(k), Some(v)) => {
                out.insert(k, v);
            }
            _ => return Err(p.error(k, format!("`{key}` must map strings to strings"))),
        }
    }
    Ok(out)
}
