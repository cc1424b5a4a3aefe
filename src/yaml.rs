//! YAML text to a spanned node tree.
//!
//! serde-saphyr does the parsing (pure Rust, panic-free, with budgets against
//! alias bombs and deep nesting). We deserialise into a small untyped tree
//! instead of typed structs so that the model loader can report *every*
//! unknown key, wrong type and bad reference of a file with its exact span,
//! rather than stopping at the first serde error. Spans are kept compact
//! (two `u32`) because a 1M-entity estate has tens of millions of nodes.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options, Spanned};
use std::fmt;

/// A node with its local byte range in the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct YNode {
    pub start: u32,
    pub len: u32,
    pub value: YValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum YValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<YNode>),
    Map(Vec<(YNode, YNode)>),
}

impl YValue {
    /// What a user would call this kind of node, for "expected X, found Y".
    pub fn type_name(&self) -> &'static str {
        match self {
            YValue::Null => "nothing (null)",
            YValue::Bool(_) => "a boolean",
            YValue::Int(_) => "an integer",
            YValue::Float(_) => "a number",
            YValue::Str(_) => "a string",
            YValue::Seq(_) => "a list",
            YValue::Map(_) => "a map",
        }
    }
    pub fn is_scalar(&self) -> bool {
        !matches!(self, YValue::Seq(_) | YValue::Map(_))
    }
}

impl YNode {
    fn from_spanned(s: Spanned<YValue>) -> YNode {
        let span = s.referenced.span();
        YNode {
            start: span.byte_offset().unwrap_or(0) as u32,
            len: span.byte_len().unwrap_or(0) as u32,
            value: s.value,
        }
    }
}

impl<'de> Deserialize<'de> for YValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = YValue;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<YValue, E> {
        Ok(YValue::Null)
    }
    fn visit_none<E>(self) -> Result<YValue, E> {
        Ok(YValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YValue, D::Error> {
        YValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<YValue, E> {
        Ok(YValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<YValue, E> {
        Ok(YValue::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<YValue, E> {
        Ok(match i64::try_from(v) {
            Ok(i) => YValue::Int(i),
            Err(_) => YValue::Float(v as f64),
        })
    }
    fn visit_i128<E>(self, v: i128) -> Result<YValue, E> {
        Ok(YValue::Float(v as f64))
    }
    fn visit_u128<E>(self, v: u128) -> Result<YValue, E> {
        Ok(YValue::Float(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<YValue, E> {
        Ok(YValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<YValue, E> {
        Ok(YValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<YValue, E> {
        Ok(YValue::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<YValue, E> {
        Ok(YValue::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<YValue, A::Error> {
        let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
        while let Some(x) = a.next_element::<Spanned<YValue>>()? {
            v.push(YNode::from_spanned(x));
        }
        Ok(YValue::Seq(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<YValue, A::Error> {
        let mut v = Vec::with_capacity(a.size_hint().unwrap_or(0).min(64));
        while let Some(k) = a.next_key::<Spanned<YValue>>()? {
            let val = a.next_value::<Spanned<YValue>>()?;
            v.push((YNode::from_spanned(k), YNode::from_spanned(val)));
        }
        Ok(YValue::Map(v))
    }
}

/// Limits on one file's YAML. Size is generous (a 1M-entity estate is one
/// big file for some generators); depth and alias limits stay tight because a
/// description is never deeper than a handful of levels and never needs
/// thousands of aliases.
pub const MAX_DEPTH: usize = 32;
pub const MAX_ALIASES: usize = 10_000;

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_events = usize::MAX / 2;
    budget.max_nodes = usize::MAX / 2;
    budget.max_total_scalar_bytes = 1 << 31;
    budget.max_depth = MAX_DEPTH;
    budget.max_aliases = MAX_ALIASES;
    budget.max_recorded_anchor_events = 200_000;
    // serde-saphyr also refuses, by default, more than 10 aliases per
    // anchor once a file has 100 aliases: 200 hosts sharing `power: *ab`
    // would be an "alias bomb". The two limits above already bound the
    // expansion, so that heuristic is off.
    budget.enforce_alias_anchor_ratio = false;
    budget.max_documents = 1;
    let mut o = Options::default();
    o.budget = Some(budget);
    o.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    o.strict_booleans = true;
    o.with_snippet = false;
    o
}

/// A YAML syntax or limit error: a message and a 1-based line/column if the
/// parser knew one.
#[derive(Debug)]
pub struct SyntaxError {
    pub message: String,
    pub line_col: Option<(u32, u32)>,
}

pub fn parse(text: &str) -> Result<YNode, SyntaxError> {
    match serde_saphyr::from_str_with_options::<Spanned<YValue>>(text, options()) {
        Ok(root) => Ok(YNode::from_spanned(root)),
        Err(e) => {
            let line_col = e
                .location()
                .filter(|l| l.line() > 0)
                .map(|l| (l.line() as u32, l.column() as u32));
            Err(SyntaxError {
                message: clean_message(&e.to_string()),
                line_col,
            })
        }
    }
}

/// serde-saphyr prefixes messages with "error: line N column M: " and may
/// mention its own API; we print the position ourselves.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let mut msg = first.strip_prefix("error: ").unwrap_or(first);
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some(i) = rest.find(": ")
        && rest[..i].contains("column")
    {
        msg = &rest[i + 2..];
    }
    let msg = msg.split("; use from_str_multiple").next().unwrap_or(msg);
    // The position is printed separately.
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains("column") => &msg[..i],
        _ => msg,
    };
    let msg = msg.split(", set DuplicateKeyPolicy").next().unwrap_or(msg);
    if msg.contains("budget breached: Depth") || msg.contains("recursion limit exceeded") {
        return format!("the YAML is nested more than {MAX_DEPTH} levels deep");
    }
    if msg.contains("budget breached") && (msg.contains("Alias") || msg.contains("Anchor")) {
        return "the YAML expands too many aliases (an alias bomb?)".into();
    }
    if msg.contains("multiple YAML documents") {
        return "a description file holds one YAML document; split documents into separate files"
            .into();
    }
    msg.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: &YNode) -> Vec<String> {
        match &n.value {
            YValue::Map(m) => m
                .iter()
                .map(|(k, _)| match &k.value {
                    YValue::Str(s) => s.clone(),
                    other => format!("{other:?}"),
                })
                .collect(),
            _ => vec![],
        }
    }

    #[test]
    fn keeps_duplicate_keys_for_the_loader() {
        let n = parse("a: 1\na: 2\n").unwrap();
        assert_eq!(keys(&n), ["a", "a"]);
    }

    #[test]
    fn yes_and_no_are_strings() {
        let n = parse("x: [yes, no, y, on]\n").unwrap();
        let YValue::Map(m) = &n.value else { panic!() };
        let YValue::Seq(s) = &m[0].1.value else {
            panic!()
        };
        assert!(s.iter().all(|x| matches!(x.value, YValue::Str(_))));
    }

    #[test]
    fn spans_are_byte_offsets() {
        let text = "hosts:\n  h1: {rack: r1}\n";
        let n = parse(text).unwrap();
        let YValue::Map(m) = &n.value else { panic!() };
        let YValue::Map(h) = &m[0].1.value else {
            panic!()
        };
        let k = &h[0].0;
        assert_eq!(&text[k.start as usize..(k.start + k.len) as usize], "h1");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [1\nb: 2\n").unwrap_err();
        assert_eq!(e.line_col.map(|p| p.0), Some(2));
        assert!(!e.message.starts_with("error"));
    }

    #[test]
    fn nesting_is_limited_to_32_levels() {
        // The root map, a section, an entity, then lists: 3 + 29 = 32.
        let nested = |lists: usize| {
            format!(
                "hosts:\n  h1:\n    labels: {}{}\n",
                "[".repeat(lists),
                "]".repeat(lists)
            )
        };
        assert!(parse(&nested(MAX_DEPTH - 3)).is_ok());
        let e = parse(&nested(MAX_DEPTH - 2)).unwrap_err();
        assert!(e.message.contains("nested more than 32"), "{}", e.message);
    }

    #[test]
    fn aliases_are_limited_in_number_not_per_anchor() {
        let aliases = |n: usize| {
            format!(
                "racks: {{r1: {{site: &a dc1}}}}\nhosts: {{h1: {{requires: [{}]}}}}\n",
                vec!["*a"; n].join(", ")
            )
        };
        // 200 hosts sharing one `power: *ab` is ordinary YAML.
        assert!(parse(&aliases(200)).is_ok());
        assert!(parse(&aliases(MAX_ALIASES)).is_ok());
        let e = parse(&aliases(MAX_ALIASES + 1)).unwrap_err();
        assert!(e.message.contains("aliases"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_errors() {
        let deep = "[".repeat(100_000);
        assert!(parse(&deep).is_err());
        let block: String = (0..10_000)
            .map(|i| format!("{}- \n", " ".repeat(i)))
            .collect();
        assert!(parse(&block).is_err());
        let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 0..12 {
            let p = if i == 0 {
                "a".to_string()
            } else {
                format!("b{}", i - 1)
            };
            bomb += &format!("b{i}: &b{i} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
        }
        assert!(parse(&bomb).is_err());
    }
}
