//! One waiver, `{rule, reason, until}`: the same parser for waivers on an
//! entity in a description and for waivers keyed by entity id in
//! `faultline.yaml`, so both accept the same things and say the same thing
//! about a mistake.

use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::{FileId, Sources, Span};
use crate::input::yaml::{YNode, YValue};
use crate::model::Waiver;
use crate::model::date::{date_error, parse_date};

const FIELDS: [&str; 3] = ["rule", "reason", "until"];

/// Text of a scalar as the user wrote it (`101` stays "101"); `None` for
/// null, lists and maps.
fn scalar_text(sources: &Sources, span: Span, n: &YNode) -> Option<String> {
    match &n.value {
        YValue::Str(s) => Some(s.clone()),
        YValue::Bool(_) | YValue::Int(_) | YValue::Float(_) => {
            Some(sources.text(span).trim().to_owned())
        }
        _ => None,
    }
}

fn type_error(span: Span, n: &YNode, field: &str, want: &str) -> InputError {
    InputError::at(
        "wrong-type",
        span,
        format!("`{field}` must be {want}, found {}", n.value.type_name()),
    )
    .label(format!("expected {want}"))
}

/// Parses the waiver `it` (a node of `file`). Every problem found is
/// pushed to `errors`, not only the first; the waiver is returned when it
/// has a rule and a reason, even if `until` or an extra field was wrong
/// (the caller fails the run on any error anyway).
pub(crate) fn parse(
    sources: &Sources,
    file: FileId,
    it: &YNode,
    errors: &mut Vec<InputError>,
) -> Option<Waiver> {
    let span_of = |n: &YNode| sources.span(file, n.start, n.len);
    let text_of = |n: &YNode| scalar_text(sources, span_of(n), n);
    let span = span_of(it);
    let YValue::Map(m) = &it.value else {
        errors.push(type_error(
            span,
            it,
            "waivers",
            "a map {rule, reason, until}",
        ));
        return None;
    };
    let (mut rule, mut reason, mut until) = (None, None, None);
    for (k, v) in m {
        let key = text_of(k).unwrap_or_default();
        let vspan = span_of(v);
        match key.as_str() {
            "rule" => match text_of(v) {
                Some(s) => rule = Some((s, vspan)),
                None => errors.push(type_error(vspan, v, "rule", "a rule id")),
            },
            "reason" => match text_of(v) {
                Some(s) if !s.trim().is_empty() => reason = Some(s),
                _ => errors.push(
                    InputError::at(
                        "bad-value",
                        vspan,
                        "a waiver's `reason` must be a non-empty string",
                    )
                    .help("say why the risk is accepted, so the next reader knows"),
                ),
            },
            "until" => match text_of(v) {
                Some(text) => match parse_date(&text) {
                    Some(d) => until = Some(d),
                    None => errors.push(date_error(vspan, &text)),
                },
                None => errors.push(date_error(vspan, "")),
            },
            other => {
                let mut err = InputError::at(
                    "unknown-key",
                    span_of(k),
                    format!("unknown waiver field `{other}`"),
                );
                if let Some(s) = did_you_mean(other, FIELDS) {
                    err = err.help(format!("did you mean `{s}`?"));
                } else {
                    err = err.help("a waiver takes `rule`, `reason` and optionally `until`");
                }
                errors.push(err);
            }
        }
    }
    let Some((rule, rule_span)) = rule else {
        errors.push(
            InputError::at("missing-field", span, "this waiver names no `rule`")
                .help("add `rule: <rule id>`; `faultline rules` lists them"),
        );
        return None;
    };
    let Some(reason) = reason else {
        // A `reason` that is there but empty has had its error above.
        if !m
            .iter()
            .any(|(k, _)| text_of(k).as_deref() == Some("reason"))
        {
            errors.push(
                InputError::at("missing-field", span, "this waiver gives no `reason`")
                    .help("add `reason: ...` saying why the risk is accepted"),
            );
        }
        return None;
    };
    Some(Waiver {
        rule,
        reason,
        until,
        span,
        rule_span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::yaml;

    /// The waiver (if any) and the errors' messages, for a waiver written
    /// as YAML.
    fn run(text: &str) -> (Option<Waiver>, Vec<String>) {
        let mut sources = Sources::new();
        let file = sources.add("w.yaml".into(), text.into()).unwrap();
        let Ok(node) = yaml::parse(text) else {
            panic!("invalid YAML: {text}")
        };
        let mut errors = Vec::new();
        let w = parse(&sources, file, &node, &mut errors);
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
                "`rule` must be a rule id, found a list",
                "a waiver's `reason` must be a non-empty string",
                "`2026-02-30` is not a day of the calendar",
                "unknown waiver field `unitl`",
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
