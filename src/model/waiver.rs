//! One waiver, `{rule, reason, until}`: the same parser for waivers on an
//! entity in a description and for waivers keyed by entity id in
//! `faultline.yaml`, so both accept the same things and say the same thing
//! about a mistake.

use crate::input::diag::InputError;
use crate::input::fields::{Doc, Keys};
use crate::input::source::Span;
use crate::input::yaml::{YNode, YValue};
use crate::model::Waiver;
use crate::model::date::{date_error, parse_date};

const FIELDS: [&str; 4] = ["rule", "reason", "until", "culprits"];

/// Parses the waiver `it`. Every problem found goes to `errors`, not only
/// the first; the waiver is returned when it has a rule and a reason, even
/// if `until` or an extra field was wrong (the caller fails the run on any
/// error anyway).
pub(crate) fn parse(doc: Doc, it: &YNode, errors: &mut impl Extend<InputError>) -> Option<Waiver> {
    let span = doc.span(it);
    let YValue::Map(m) = &it.value else {
        errors.extend([doc.wrong_type(it, "waivers", "a map {rule, reason, until}")]);
        return None;
    };
    let otherwise = |_: &str| {
        "a waiver takes `rule`, `reason` and optionally `until` and `culprits`".to_owned()
    };
    let keys = Keys {
        known: &FIELDS,
        noun: "waiver field",
        owner: "",
        label: None,
        otherwise: &otherwise,
    };
    let (mut rule, mut reason, mut until, mut culprits) = (None, None, None, None);
    let mut culprit_spans = Vec::new();
    let mut reason_given = false;
    for f in doc.fields(m, &keys, errors) {
        let (v, vspan) = (f.value, doc.span(f.value));
        match FIELDS[f.index] {
            "rule" => match doc.text(v) {
                Some(s) => rule = Some((s, vspan)),
                None => errors.extend([doc.wrong_type(v, "rule", "a rule id")]),
            },
            "reason" => {
                reason_given = true;
                match doc.text(v) {
                    Some(s) if !s.trim().is_empty() => reason = Some(s),
                    _ => errors.extend([InputError::at(
                        "bad-value",
                        vspan,
                        "a waiver's `reason` must be a non-empty string",
                    )
                    .help("say why the risk is accepted, so the next reader knows")]),
                }
            }
            "culprits" => match doc.strings(v) {
                Some(ids) => {
                    culprit_spans = ids.iter().map(|(_, n)| doc.span(n)).collect();
                    culprits = Some(ids.into_iter().map(|(id, _)| id).collect());
                }
                None => errors.extend([doc.wrong_type(v, "culprits", "a list of ids")]),
            },
            _ => match doc.text(v) {
                Some(text) => match parse_date(&text) {
                    Some(d) => until = Some(d),
                    None => errors.extend([date_error(vspan, &text)]),
                },
                None => errors.extend([date_error(vspan, "")]),
            },
        }
    }
    let Some((rule, rule_span)) = rule else {
        errors.extend([
            InputError::at("missing-field", span, "this waiver names no `rule`")
                .help("add `rule: <rule id>`; `faultline rules` lists them"),
        ]);
        return None;
    };
    let Some(reason) = reason else {
        // A `reason` that is there but empty has had its error above.
        if !reason_given {
            errors.extend([
                InputError::at("missing-field", span, "this waiver gives no `reason`")
                    .help("add `reason: ...` saying why the risk is accepted"),
            ]);
        }
        return None;
    };
    Some(Waiver {
        rule,
        reason,
        until,
        culprits,
        culprit_spans,
        span,
        rule_span,
    })
}

/// A waiver's `culprits` names an id that is not defined (checked where
/// every id is known: by the loader for a description's waivers, after
/// loading for the config's), with the nearest id if there is one.
pub fn unknown_culprit(id: &str, span: Span, nearest: Option<&str>) -> InputError {
    InputError::at(
        "unknown-id",
        span,
        format!("the waiver's `culprits` names `{id}`, which is not defined"),
    )
    .label("no entity has this id")
    .help(match nearest {
        Some(s) => format!("did you mean `{s}`?"),
        None => "a waiver accepts culprits by their entity ids".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::source::Sources;

    /// The waiver (if any) and the errors' messages, for a waiver written
    /// as YAML.
    fn run(text: &str) -> (Option<Waiver>, Vec<String>) {
        let mut sources = Sources::new();
        let file = sources.add("w.yaml".into(), text.into()).unwrap();
        let Ok(node) = crate::input::parse(text) else {
            panic!("invalid YAML: {text}")
        };
        let mut errors = Vec::new();
        let w = parse(Doc::new(&sources, file), &node, &mut errors);
        (w, errors.into_iter().map(|e| e.message).collect())
    }

    #[test]
    fn a_complete_waiver_parses() {
        let (w, errors) = run("{rule: single-instance, reason: licence, until: 2027-09-30}");
        assert!(errors.is_empty(), "{errors:?}");
        let w = w.expect("a waiver");
        assert_eq!(
            (w.rule.as_str(), w.reason.as_str()),
            ("single-instance", "licence")
        );
        assert!(w.until.is_some());
    }

    #[test]
    fn every_mistake_in_a_waiver_is_reported() {
        let (w, errors) = run("{rule: [x], reason: '', until: 2026-02-30, unitl: 1}");
        assert!(w.is_none());
        assert_eq!(
            errors,
            [
                "unknown waiver field `unitl`",
                "`rule` must be a rule id, found a list",
                "a waiver's `reason` must be a non-empty string",
                "`2026-02-30` is not a day of the calendar",
                "this waiver names no `rule`",
            ]
        );
        let (_, errors) = run("{rule: single-instance}");
        assert_eq!(errors, ["this waiver gives no `reason`"]);
        let (_, errors) = run("single-instance");
        assert_eq!(
            errors,
            ["`waivers` must be a map {rule, reason, until}, found a string"]
        );
    }
}
