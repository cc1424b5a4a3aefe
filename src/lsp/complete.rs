//! Completion of ids where a reference is expected, offering only the
//! kinds the field accepts (`power` offers pdus, feeds and components);
//! of field names where a key of an entity is being typed (block style),
//! from the schema table, so new fields such as `repair` or `rto` come
//! with their one-line meaning; of a few usual durations where a
//! duration or a recovery target is expected, and the kinds of failure
//! inside a per-kind target map; and, in the config file, of its settings
//! and the `recovery:` section's sections and durations.
//!
//! The context is read from the text around the cursor, not from the
//! YAML tree: while you type, the line is usually not valid YAML yet
//! (`power: [n01-a, ` has no closing bracket), and that is exactly when
//! completion is asked for.

use super::keypath::{self, KeyPath};
use super::navigate::scalar;
use super::text::{Encoding, Lines};
use super::workspace::Snapshot;
use crate::analysis::recovery::Defaults;
use crate::check::config;
use crate::model::schema::{self, FieldType};
use crate::model::{Kind, duration};
use lsp_types::{CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, TextEdit};

/// Most items returned at once; the list is marked incomplete past it,
/// so the editor asks again as the prefix grows.
const MAX_ITEMS: usize = 200;

/// Where the cursor is: in the value of `field` of an entity of the
/// section `section`, after `prefix_start` (the start of the id being
/// typed).
#[derive(Debug, PartialEq)]
pub struct Context {
    pub section: String,
    pub field: String,
    pub prefix_start: usize,
}

/// Reads the context at byte `offset` of `text`: a value of a field of
/// an entity (`hosts:` / `  h1: {power: [a, |`, in flow or block style).
pub fn context(text: &str, offset: usize) -> Option<Context> {
    match keypath::at(text, offset)? {
        KeyPath {
            keys,
            key: false,
            start,
        } if keys.len() == 3 => {
            let [section, _, field] = <[String; 3]>::try_from(keys).ok()?;
            Some(Context {
                section,
                field,
                prefix_start: start,
            })
        }
        _ => None,
    }
}

/// The kinds a field of an entity of a section accepts, if it is a
/// reference.
fn accepted(section: &str, field: &str) -> Option<&'static [Kind]> {
    let kind = Kind::from_section(section)?;
    match schema::field(kind, field)?.ty {
        FieldType::Ref(kinds) | FieldType::Refs(kinds) => Some(kinds),
        FieldType::AntiAffinity => Some(&[Kind::Vm]),
        _ => None,
    }
}

/// Where a field name of an entity is being typed in block style
/// (`hosts:` / `  h1:` / `    re|`): the entity's kind and where the name
/// starts.
pub fn key_context(text: &str, offset: usize) -> Option<(Kind, usize)> {
    let KeyPath { keys, key, start } = keypath::at(text, offset)?;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let block = text[line_start..start].trim().is_empty();
    let typed = &text[start..offset.min(text.len())];
    if !key
        || !block
        || keys.len() != 2
        || !typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    Some((Kind::from_section(&keys[0])?, start))
}

/// Field names of `kind` that start with what is typed.
fn complete_key(
    kind: Kind,
    text: &str,
    lines: &Lines,
    start: usize,
    offset: u32,
    enc: Encoding,
) -> CompletionList {
    let typed = text[start..offset as usize].to_lowercase();
    let items = schema::fields(kind)
        .iter()
        .filter(|f| f.name.starts_with(&typed))
        .map(|f| Choice {
            label: f.name.to_owned(),
            detail: f.ty.describe().to_owned(),
            doc: Some(f.doc.to_owned()),
            insert: format!("{}: ", f.name),
        });
    replacing(
        text,
        lines,
        start,
        offset,
        enc,
        CompletionItemKind::FIELD,
        items,
    )
}

/// One completion that replaces what is typed.
struct Choice {
    label: String,
    detail: String,
    doc: Option<String>,
    insert: String,
}

/// `choices`, in their order, each replacing the text from `start` to
/// the cursor.
fn replacing(
    text: &str,
    lines: &Lines,
    start: usize,
    offset: u32,
    enc: Encoding,
    kind: CompletionItemKind,
    choices: impl Iterator<Item = Choice>,
) -> CompletionList {
    let range = lines.range(text, start as u32, offset - start as u32, enc);
    let items = choices
        .enumerate()
        .map(|(i, c)| CompletionItem {
            label: c.label,
            kind: Some(kind),
            detail: Some(c.detail),
            documentation: c.doc.map(lsp_types::Documentation::String),
            sort_text: Some(format!("{i:05}")),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, c.insert))),
            ..CompletionItem::default()
        })
        .collect();
    CompletionList {
        is_incomplete: false,
        items,
    }
}

/// Durations people usually write, for a duration or a target.
const DURATIONS: &[(&str, &str)] = &[
    ("0s", "none: synchronous, or instant"),
    ("30s", "30 seconds"),
    ("2m", "2 minutes: a guest's boot"),
    ("5m", "5 minutes: an HA restart or a server's boot"),
    ("15m", "15 minutes"),
    ("1h", "1 hour"),
    ("4h", "4 hours: a part replaced"),
    ("24h", "1 day"),
];

fn complete_duration(
    text: &str,
    lines: &Lines,
    start: usize,
    offset: u32,
    enc: Encoding,
) -> CompletionList {
    let typed = &text[start..offset as usize];
    let items = DURATIONS
        .iter()
        .filter(|(d, _)| d.starts_with(typed))
        .map(|(d, what)| Choice {
            label: (*d).to_owned(),
            detail: (*what).to_owned(),
            doc: None,
            insert: (*d).to_owned(),
        });
    replacing(
        text,
        lines,
        start,
        offset,
        enc,
        CompletionItemKind::VALUE,
        items,
    )
}

/// What a key path offers, where the nesting alone decides it.
#[derive(Debug, PartialEq)]
enum Offer {
    /// Keys, each with a one-line meaning.
    Keys(Vec<(&'static str, String)>),
    Durations,
}

/// Inside a per-kind target map (`rto: {host: 5m, default: 15m}`): the
/// kinds of failure as keys, durations as their values.
fn in_targets(p: &KeyPath) -> Option<Offer> {
    let [section, _, field, rest @ ..] = p.keys.as_slice() else {
        return None;
    };
    let kind = Kind::from_section(section)?;
    if !matches!(schema::field(kind, field)?.ty, FieldType::Targets) {
        return None;
    }
    match (rest, p.key) {
        ([], true) => Some(Offer::Keys(
            duration::target_keys()
                .into_iter()
                .map(|k| {
                    let what = match k {
                        "default" => "every kind of failure not named".to_owned(),
                        k => format!("the failure of any one {k}"),
                    };
                    (k, what)
                })
                .collect(),
        )),
        ([_], false) => Some(Offer::Durations),
        _ => None,
    }
}

/// In the config file: its top-level keys, and the `recovery:` section's
/// settings, sections and durations (each section with its built-in
/// default, the value a setting replaces).
fn in_config(p: &KeyPath) -> Option<Offer> {
    let keys: Vec<&str> = p.keys.iter().map(String::as_str).collect();
    let defaults = Defaults::default();
    let of = |list: &[(Kind, u64)], k: Kind| list.iter().find(|(x, _)| *x == k).map_or(0, |d| d.1);
    match (keys.as_slice(), p.key) {
        ([], true) => Some(Offer::Keys(
            config::KEYS
                .iter()
                .map(|&k| (k, "a setting of faultline.yaml".to_owned()))
                .collect(),
        )),
        (["recovery"], true) => Some(Offer::Keys(
            config::RECOVERY_SETTINGS
                .iter()
                .map(|&k| {
                    let what = match k {
                        "repair" => "default repair time per section",
                        "start" => "default start (boot) time per section",
                        _ => "default restart time of `ha: restart` clusters",
                    };
                    (k, what.to_owned())
                })
                .collect(),
        )),
        (["recovery", "restart"], false) | (["recovery", "repair" | "start", _], false) => {
            Some(Offer::Durations)
        }
        (["recovery", setting @ ("repair" | "start")], true) => Some(Offer::Keys(
            Kind::ALL
                .iter()
                .filter(|k| k.is_unit() && **k != Kind::Service)
                .map(|&k| {
                    let list = if *setting == "repair" {
                        &defaults.repair
                    } else {
                        &defaults.start
                    };
                    let d = duration::format(of(list, k));
                    (k.section(), format!("built-in default {d}"))
                })
                .collect(),
        )),
        _ => None,
    }
}

/// Ids of the accepted kinds that contain what is typed so far, field
/// names where a key is typed, durations where one is expected; in the
/// config file, its settings. `text` is the buffer as it is now (ids come
/// from the last check).
pub fn complete(
    snap: &Snapshot,
    text: &str,
    lines: &Lines,
    offset: u32,
    enc: Encoding,
    is_config: bool,
) -> Option<CompletionList> {
    let path = keypath::at(text, offset as usize);
    let offer = match &path {
        Some(p) if is_config => in_config(p),
        Some(p) => in_targets(p),
        None => None,
    };
    if let (Some(offer), Some(p)) = (offer, &path) {
        return Some(match offer {
            Offer::Durations => complete_duration(text, lines, p.start, offset, enc),
            Offer::Keys(keys) => {
                let typed = text[p.start..offset as usize].to_lowercase();
                let items =
                    keys.into_iter()
                        .filter(|(k, _)| k.starts_with(&typed))
                        .map(|(k, what)| Choice {
                            label: k.to_owned(),
                            detail: what,
                            doc: None,
                            insert: format!("{k}: "),
                        });
                replacing(
                    text,
                    lines,
                    p.start,
                    offset,
                    enc,
                    CompletionItemKind::FIELD,
                    items,
                )
            }
        });
    }
    if is_config {
        return None;
    }
    if let Some((kind, start)) = key_context(text, offset as usize) {
        return Some(complete_key(kind, text, lines, start, offset, enc));
    }
    let ctx = context(text, offset as usize)?;
    let is_duration = Kind::from_section(&ctx.section)
        .and_then(|k| schema::field(k, &ctx.field))
        .is_some_and(|f| matches!(f.ty, FieldType::Duration | FieldType::Targets));
    if is_duration {
        return Some(complete_duration(
            text,
            lines,
            ctx.prefix_start,
            offset,
            enc,
        ));
    }
    let kinds = accepted(&ctx.section, &ctx.field)?;
    let typed = text[ctx.prefix_start..offset as usize].to_lowercase();
    let mut hits: Vec<(bool, &str, Kind)> = snap
        .docs
        .iter()
        .flat_map(|d| d.index().defs.iter())
        .filter(|def| kinds.contains(&def.kind))
        .filter_map(|def| {
            let lower = def.name.to_lowercase();
            lower
                .contains(&typed)
                .then(|| (!lower.starts_with(&typed), def.name.as_str(), def.kind))
        })
        .collect();
    hits.sort_unstable();
    hits.dedup();
    let incomplete = hits.len() > MAX_ITEMS;
    let start = ctx.prefix_start as u32;
    let range = lines.range(text, start, offset - start, enc);
    let items = hits
        .into_iter()
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(i, (_, name, kind))| CompletionItem {
            label: name.to_owned(),
            kind: Some(CompletionItemKind::REFERENCE),
            detail: Some(kind.singular().to_owned()),
            sort_text: Some(format!("{i:05}")),
            filter_text: Some(name.to_owned()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, scalar(name)))),
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionList {
        is_incomplete: incomplete,
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The context at the `|` of a text.
    fn at(text: &str) -> Option<(String, String, String)> {
        let offset = text.find('|').expect("a cursor");
        let text = text.replace('|', "");
        let c = context(&text, offset)?;
        Some((c.section, c.field, text[c.prefix_start..offset].to_owned()))
    }

    #[test]
    fn flow_and_block_values() {
        let cases = [
            ("hosts:\n  h1: {rack: r1, power: [p|", "hosts", "power", "p"),
            (
                "hosts:\n  h1: {rack: r1, power: [a, |",
                "hosts",
                "power",
                "",
            ),
            ("hosts:\n  h1:\n    rack: r|\n", "hosts", "rack", "r"),
            (
                "hosts:\n  h1:\n    power:\n      - a\n      - |\n",
                "hosts",
                "power",
                "",
            ),
            (
                "clusters:\n  c:\n    anti_affinity: [[v1, v|",
                "clusters",
                "anti_affinity",
                "v",
            ),
            (
                "clusters:\n  c:\n    anti_affinity:\n      - [v1, |",
                "clusters",
                "anti_affinity",
                "",
            ),
            ("hosts: {h1: {rack: |", "hosts", "rack", ""),
        ];
        for (text, section, field, prefix) in cases {
            let want = Some((section.into(), field.into(), prefix.into()));
            assert_eq!(at(text), want, "{text}");
        }
    }

    #[test]
    fn not_in_a_value() {
        // A key being typed, a comment, a string, the field after a comma.
        assert_eq!(at("hosts:\n  h1:\n    ra|"), None);
        assert_eq!(at("hosts:\n  h1: {rack: r1, po|"), None);
        assert_eq!(at("hosts:\n  h1: {rack: r1} # rack: |"), None);
        assert_eq!(at("hosts:\n  h1: {description: \"rack: |"), None);
    }

    #[test]
    fn field_names_where_a_key_is_typed() {
        let key = |text: &str| {
            let offset = text.find('|').expect("a cursor");
            let text = text.replace('|', "");
            key_context(&text, offset).map(|(k, start)| (k, text[start..offset].to_owned()))
        };
        assert_eq!(
            key("hosts:\n  h1:\n    rep|"),
            Some((Kind::Host, "rep".into()))
        );
        assert_eq!(
            key("services:\n  s:\n    instances: [a]\n    r|"),
            Some((Kind::Service, "r".into()))
        );
        assert_eq!(
            key("clusters:\n  c:\n    |"),
            Some((Kind::Cluster, "".into()))
        );
        // An id being typed, a value, a nested map: not a field name.
        assert_eq!(key("hosts:\n  h|"), None);
        assert_eq!(key("hosts:\n  h1:\n    rack: r|"), None);
        assert_eq!(key("hosts:\n  h1:\n    labels:\n      te|"), None);
        for (kind, field) in [
            (Kind::Host, "repair"),
            (Kind::Host, "start"),
            (Kind::Cluster, "restart"),
            (Kind::Service, "failover"),
            (Kind::Service, "replica_lag"),
            (Kind::Service, "backup_interval"),
            (Kind::Service, "rto"),
            (Kind::Service, "rpo"),
        ] {
            assert!(schema::names(kind).contains(&field), "{field}");
        }
    }

    /// What the nesting at the `|` offers, as key labels or durations.
    fn offer(text: &str, config: bool) -> Option<Offer> {
        let offset = text.find('|').expect("a cursor");
        let text = text.replace('|', "");
        let p = keypath::at(&text, offset)?;
        if config {
            in_config(&p)
        } else {
            in_targets(&p)
        }
    }

    fn labels(o: Option<Offer>) -> Vec<&'static str> {
        match o {
            Some(Offer::Keys(k)) => k.into_iter().map(|(k, _)| k).collect(),
            other => panic!("keys expected, got {other:?}"),
        }
    }

    #[test]
    fn target_maps_offer_kinds_then_durations() {
        for text in [
            "services:\n  pay:\n    rto: {|",
            "services:\n  pay:\n    rpo: {host: 1h, |",
            "services:\n  pay:\n    rto:\n      host: 1h\n      |",
        ] {
            let got = labels(offer(text, false));
            assert_eq!(got.first(), Some(&"site"), "{text}");
            assert_eq!(got.last(), Some(&"default"), "{text}");
            assert!(got.contains(&"vm") && got.contains(&"component"), "{text}");
        }
        for text in [
            "services:\n  pay:\n    rto: {host: |",
            "services:\n  pay:\n    rto:\n      default: 1|",
        ] {
            assert_eq!(offer(text, false), Some(Offer::Durations), "{text}");
        }
        // Not a target map, or not inside one.
        assert_eq!(offer("services:\n  pay:\n    labels: {|", false), None);
        assert_eq!(offer("hosts:\n  h1: {rack: |", false), None);
    }

    #[test]
    fn the_config_offers_its_settings() {
        let top = labels(offer("fail_level: error\n|", true));
        assert!(
            top.contains(&"recovery") && top.contains(&"waivers"),
            "{top:?}"
        );
        assert_eq!(
            labels(offer("recovery:\n  |", true)),
            ["repair", "start", "restart"]
        );
        let sections = labels(offer("recovery:\n  repair: {|", true));
        assert!(sections.contains(&"hosts") && sections.contains(&"sites"));
        assert!(!sections.contains(&"services") && !sections.contains(&"clusters"));
        assert_eq!(
            offer("recovery:\n  start:\n    vms: |", true),
            Some(Offer::Durations)
        );
        assert_eq!(offer("recovery: {restart: |", true), Some(Offer::Durations));
        // A description's target map means nothing in the config.
        assert_eq!(offer("services:\n  pay:\n    rto: {|", true), None);
        let Some(Offer::Keys(keys)) = offer("recovery:\n  repair:\n    |", true) else {
            panic!("sections expected");
        };
        let site = keys.iter().find(|(k, _)| *k == "sites").unwrap();
        assert_eq!(site.1, "built-in default 1d");
    }

    #[test]
    fn accepted_kinds_come_from_the_schema() {
        assert_eq!(
            accepted("hosts", "power"),
            Some(&[Kind::Pdu, Kind::Feed, Kind::Component][..])
        );
        assert_eq!(accepted("vms", "host"), Some(&[Kind::Host][..]));
        assert_eq!(accepted("hosts", "memory_gb"), None);
        assert_eq!(accepted("nonsense", "power"), None);
    }
}
