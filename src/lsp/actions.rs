//! Quick fixes: a waiver skeleton on the subject of a finding, and the
//! did-you-mean of an input error applied.
//!
//! Both are worked out again from the snapshot rather than carried in the
//! diagnostics' `data`: not every client sends `data` back, and the
//! snapshot knows the exact spans.

use super::index::{Collection, Def, Local, Shape};
use super::navigate::scalar;
use super::text::Encoding;
use super::workspace::{Checked, Doc, Snapshot};
use crate::model::Date;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, NumberOrString, TextEdit,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The reason a new waiver starts with: it loads (a waiver needs a
/// reason), and it says what is left to do.
pub const REASON: &str = "TODO: why this risk is accepted";

/// Quick fixes for the byte range `[start, end]` of a document.
pub fn actions(
    snap: &Snapshot,
    doc: usize,
    (start, end): (u32, u32),
    sent: &[Diagnostic],
    enc: Encoding,
) -> Vec<CodeActionOrCommand> {
    let touches = |at: Local| at.start <= end && start <= at.end();
    let d = &snap.docs[doc];
    let mut out = Vec::new();
    if let Checked::Loaded {
        model, findings, ..
    } = &snap.checked
    {
        let mut seen = Vec::new();
        for f in findings.iter().filter(|f| f.waived.is_none()) {
            let Some((fd, at)) = snap.local(model.get(f.subject).span) else {
                continue;
            };
            if fd != doc || !touches(at) || seen.contains(&(f.subject, &f.rule)) {
                continue;
            }
            seen.push((f.subject, &f.rule));
            let Some(def) = d.index().defs.iter().find(|def| def.key == at) else {
                continue;
            };
            let Some(edit) = add_waiver(d, def, &f.rule, &until(&snap.today), enc) else {
                continue;
            };
            out.push(action(
                snap,
                d,
                format!("Waive `{}` on `{}`", f.rule, def.name),
                edit,
                matching(sent, &f.rule, d.range(at, enc)),
                false,
            ));
        }
    }
    for e in snap.problems() {
        let (Some(span), Some(help)) = (e.primary_span(), e.help.as_deref()) else {
            continue;
        };
        let Some(fix) = suggestion(help) else {
            continue;
        };
        let Some((pd, at)) = snap.local(span) else {
            continue;
        };
        if pd != doc || !touches(at) {
            continue;
        }
        let written = &d.text[at.start as usize..at.end() as usize];
        let Some(text) = replacement(written, fix) else {
            continue;
        };
        let range = d.range(at, enc);
        out.push(action(
            snap,
            d,
            format!("Change `{written}` to `{fix}`"),
            TextEdit::new(range, text),
            matching(sent, e.code, range),
            true,
        ));
    }
    out
}

// lsp-types keys edits by `Uri`, whose hash is that of its text, which
// never changes: the lint's worry does not apply.
#[allow(clippy::mutable_key_type)]
fn action(
    snap: &Snapshot,
    d: &Doc,
    title: String,
    edit: TextEdit,
    diagnostics: Vec<Diagnostic>,
    preferred: bool,
) -> CodeActionOrCommand {
    let changes: HashMap<_, _> = snap
        .uri(&d.path)
        .map(|uri| (uri, vec![edit]))
        .into_iter()
        .collect();
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(WorkspaceEdit::new(changes)),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

/// The client's diagnostics this action fixes.
fn matching(sent: &[Diagnostic], code: &str, range: lsp_types::Range) -> Vec<Diagnostic> {
    sent.iter()
        .filter(|d| d.code == Some(NumberOrString::String(code.to_owned())) && d.range == range)
        .cloned()
        .collect()
}

/// `X` of a help that reads "did you mean `X`?".
fn suggestion(help: &str) -> Option<&str> {
    help.strip_prefix("did you mean `")?.strip_suffix("`?")
}

/// The suggestion in the quoting of what was written.
fn replacement(written: &str, fix: &str) -> Option<String> {
    match written.as_bytes().first() {
        Some(b'"') => serde_json::to_string(fix).ok(),
        Some(b'\'') => Some(format!("'{}'", fix.replace('\'', "''"))),
        Some(b'*') => None,
        _ => Some(scalar(fix)),
    }
}

/// Three months from today (the day clamped into the month): a waiver
/// should come back for review, and the date is easy to change.
pub fn until(today: &Date) -> Date {
    let months = today.month as i32 - 1 + 3;
    let (year, month) = (today.year + months / 12, (months % 12) as u8 + 1);
    (1..=today.day)
        .rev()
        .map(|day| Date { year, month, day })
        .find(|d| crate::model::date::parse_date(&d.to_string()).is_some())
        .unwrap_or(Date {
            year,
            month,
            day: 1,
        })
}

/// Start of the line after the one holding `offset`, and whether a line
/// break must be written first (the last line of a file without one).
fn next_line(text: &str, offset: u32) -> (u32, bool) {
    match text[offset as usize..].find('\n') {
        Some(i) => (offset + i as u32 + 1, false),
        None => (text.len() as u32, true),
    }
}

/// Spaces as wide as the column of `offset`.
fn indent_of(text: &str, offset: u32) -> String {
    let line_start = text[..offset as usize].rfind('\n').map_or(0, |i| i + 1);
    " ".repeat(text[line_start..offset as usize].chars().count())
}

/// Just past the `:` that follows a key (where an empty value is).
fn after_colon(text: &str, from: u32) -> Option<u32> {
    let rest = &text[from as usize..];
    let i = rest.find(':')?;
    rest[..i].trim().is_empty().then_some(from + i as u32 + 1)
}

fn insert(d: &Doc, at: u32, text: String, enc: Encoding) -> TextEdit {
    TextEdit::new(d.range(Local { start: at, len: 0 }, enc), text)
}

/// The edit that adds a waiver of `rule` to an entity, in the style its
/// body is written in.
fn add_waiver(d: &Doc, def: &Def, rule: &str, until: &Date, enc: Encoding) -> Option<TextEdit> {
    let item = format!(
        "{{rule: {}, reason: \"{REASON}\", until: {until}}}",
        scalar(rule)
    );
    let text = &*d.text;
    if let Some(w) = &def.waivers {
        return add_item(d, w, &item, enc);
    }
    let body = &def.body;
    match body.shape {
        Shape::Flow => Some(match body.last_end {
            Some(end) => insert(d, end, format!(", waivers: [{item}]"), enc),
            None => insert(d, body.node.start + 1, format!("waivers: [{item}]"), enc),
        }),
        Shape::Block => {
            let indent = indent_of(text, body.first?);
            let (at, newline) = next_line(text, body.last_end?);
            let nl = if newline { "\n" } else { "" };
            Some(insert(
                d,
                at,
                format!("{nl}{indent}waivers:\n{indent}  - {item}\n"),
                enc,
            ))
        }
        Shape::Null if body.node.len == 0 => {
            let at = after_colon(text, def.key.end())?;
            Some(insert(d, at, format!(" {{waivers: [{item}]}}"), enc))
        }
        Shape::Null => Some(TextEdit::new(
            d.range(body.node, enc),
            format!("{{waivers: [{item}]}}"),
        )),
        Shape::Other => None,
    }
}

/// Adds an item to an existing `waivers` list.
fn add_item(d: &Doc, w: &Collection, item: &str, enc: Encoding) -> Option<TextEdit> {
    let text = &*d.text;
    match w.shape {
        Shape::Flow => Some(match w.last_end {
            Some(end) => insert(d, end, format!(", {item}"), enc),
            None => insert(d, w.node.start + 1, item.to_owned(), enc),
        }),
        Shape::Block => {
            let indent = indent_of(text, w.first?);
            let (at, newline) = next_line(text, w.last_end?);
            let nl = if newline { "\n" } else { "" };
            Some(insert(d, at, format!("{nl}{indent}- {item}\n"), enc))
        }
        Shape::Null if w.node.len == 0 => {
            let at = after_colon(text, w.node.start)?;
            Some(insert(d, at, format!(" [{item}]"), enc))
        }
        Shape::Null => Some(TextEdit::new(d.range(w.node, enc), format!("[{item}]"))),
        Shape::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waivers_come_back_in_three_months() {
        let d = |s: &str| crate::model::date::parse_date(s).unwrap();
        assert_eq!(until(&d("2026-01-15")).to_string(), "2026-04-15");
        assert_eq!(until(&d("2026-11-30")).to_string(), "2027-02-28");
        assert_eq!(until(&d("2027-11-30")).to_string(), "2028-02-29");
        assert_eq!(until(&d("2026-10-31")).to_string(), "2027-01-31");
    }

    /// The text after adding a waiver of `r` to each entity of `text`.
    fn waived(text: &str) -> String {
        let doc = Doc::new("/x.yaml".into(), text.into(), false);
        let mut edits: Vec<(u32, TextEdit)> = doc
            .index()
            .defs
            .iter()
            .filter(|def| def.name.starts_with('e'))
            .map(|def| {
                let e = add_waiver(
                    &doc,
                    def,
                    "r",
                    &crate::model::date::parse_date("2026-04-01").unwrap(),
                    Encoding::Utf8,
                )
                .expect("an edit");
                (doc.offset(e.range.start, Encoding::Utf8), e)
            })
            .collect();
        edits.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        let mut out = text.to_owned();
        for (at, e) in edits {
            let end = doc.offset(e.range.end, Encoding::Utf8);
            out.replace_range(at as usize..end as usize, &e.new_text);
        }
        let ix = super::super::index::FileIndex::description(&out);
        assert!(!ix.sections.is_empty(), "{out}");
        out
    }

    #[test]
    fn a_waiver_fits_the_style_of_the_body() {
        let w = "{rule: r, reason: \"TODO: why this risk is accepted\", until: 2026-04-01}";
        let text = "hosts:\n  e1: {rack: r1}\n  e2:\n    rack: r1\n    power: [a,\n      b]\n  e3:\n  e4: ~\n  e5: {}\n  x: {}\n";
        let want = format!(
            "hosts:\n  e1: {{rack: r1, waivers: [{w}]}}\n  e2:\n    rack: r1\n    power: [a,\n      b]\n    waivers:\n      - {w}\n  e3: {{waivers: [{w}]}}\n  e4: {{waivers: [{w}]}}\n  e5: {{waivers: [{w}]}}\n  x: {{}}\n"
        );
        assert_eq!(waived(text), want);
        let text = "services:\n  e1:\n    instances: [a]\n    waivers:\n      - {rule: q, reason: y}\n  e2: {instances: [a], waivers: [{rule: q, reason: y}]}\n  e3: {instances: [a], waivers: []}";
        let want = format!(
            "services:\n  e1:\n    instances: [a]\n    waivers:\n      - {{rule: q, reason: y}}\n      - {w}\n  e2: {{instances: [a], waivers: [{{rule: q, reason: y}}, {w}]}}\n  e3: {{instances: [a], waivers: [{w}]}}"
        );
        assert_eq!(waived(text), want);
    }

    #[test]
    fn suggestions_keep_the_quoting() {
        assert_eq!(suggestion("did you mean `pdu-07a`?"), Some("pdu-07a"));
        assert_eq!(suggestion("sections are: a, b"), None);
        assert_eq!(
            replacement("pdu-07c", "pdu-07a").as_deref(),
            Some("pdu-07a")
        );
        assert_eq!(replacement("'pdu'", "it's").as_deref(), Some("'it''s'"));
        assert_eq!(replacement("\"x\"", "y").as_deref(), Some("\"y\""));
    }
}
