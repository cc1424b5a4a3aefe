//! Typed access to a rule's `params` map, with errors that point into the
//! rule file and a check that every key given was understood.

use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::{FileId, Sources, Span};
use crate::input::yaml::{YNode, YValue};
use crate::model::Kind;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// One `key: value` of a params map and the file it was written in.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    pub file: FileId,
    pub key: &'a YNode,
    pub value: &'a YNode,
}

/// The entries of a params map node (none if it is not a map).
pub fn entries_of(file: FileId, node: Option<&YNode>) -> Vec<Entry<'_>> {
    match node.map(|n| &n.value) {
        Some(YValue::Map(m)) => m
            .iter()
            .map(|(key, value)| Entry { file, key, value })
            .collect(),
        _ => Vec::new(),
    }
}

pub struct Params<'a> {
    sources: &'a Sources,
    /// Later entries win: a config file's overrides follow the rule file's.
    entries: Vec<Entry<'a>>,
    /// The params node of the rule file, to check it is a map.
    node: Option<(FileId, &'a YNode)>,
    /// Where to point when a required parameter is missing.
    fallback: Span,
    known: RefCell<Vec<&'static str>>,
}

impl<'a> Params<'a> {
    pub fn new(
        sources: &'a Sources,
        file: FileId,
        node: Option<&'a YNode>,
        overrides: Vec<Entry<'a>>,
        fallback: Span,
    ) -> Self {
        let mut entries = entries_of(file, node);
        entries.extend(overrides);
        Params {
            sources,
            entries,
            node: node.map(|n| (file, n)),
            fallback,
            known: RefCell::new(Vec::new()),
        }
    }

    fn span_in(&self, file: FileId, n: &YNode) -> Span {
        self.sources.span(file, n.start, n.len)
    }

    /// The span of a node of this params map, in whichever file it is.
    pub fn span_of(&self, n: &YNode) -> Span {
        let file = self
            .entries
            .iter()
            .find(|e| std::ptr::eq(e.key, n) || contains(e.value, n))
            .map(|e| e.file)
            .or(self.node.map(|(f, _)| f))
            .unwrap_or(0);
        self.span_in(file, n)
    }

    /// The raw node of parameter `key`, recording that `key` is understood.
    pub fn get(&self, key: &'static str) -> Option<&'a YNode> {
        self.known.borrow_mut().push(key);
        self.entries
            .iter()
            .rev()
            .find(|e| matches!(&e.key.value, YValue::Str(s) if s == key))
            .map(|e| e.value)
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

    /// Fails on a parameter the template did not ask for (a typo would
    /// otherwise silently change what the rule checks).
    pub fn finish(&self) -> Result<(), InputError> {
        if let Some((f, n)) = self.node
            && !matches!(n.value, YValue::Map(_) | YValue::Null)
        {
            return Err(InputError::at(
                "bad-param",
                self.span_in(f, n),
                "`params` must be a map",
            ));
        }
        let known = self.known.borrow();
        for e in &self.entries {
            let k = e.key;
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
                e = e.suggest(
                    s,
                    all.clone(),
                    format!("kinds are: {}", all.collect::<Vec<_>>().join(", ")),
                );
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

/// Whether `needle` is `root` or a node inside it (by address).
fn contains(root: &YNode, needle: &YNode) -> bool {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if std::ptr::eq(n, needle) {
            return true;
        }
        match &n.value {
            YValue::Seq(items) => stack.extend(items),
            YValue::Map(m) => {
                for (k, v) in m {
                    stack.push(k);
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    false
}
