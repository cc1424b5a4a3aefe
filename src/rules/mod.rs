//! Rules are data: a YAML file names a template (code, in `templates/`) and
//! gives it parameters, a severity and the prose users read. The built-in
//! pack in the top-level `rules/` directory is embedded at build time and
//! loaded through exactly the same path as a user's `--rules DIR`, so the
//! rule language is exercised by the product itself.

pub mod finding;
pub mod params;
pub mod predicate;
pub mod select;
pub mod templates;

use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::input::fields::{Doc, Keys};
use crate::input::source::{FileId, Sources, Span};
use crate::input::yaml::{YNode, YValue};
use crate::rules::finding::{Finding, Severity};
use params::Params;
use std::collections::HashMap;
use templates::Template;

/// The built-in rule files, embedded. A test checks this list against the
/// directory so a new file cannot be forgotten.
pub const BUILTIN: &[(&str, &str)] = &[
    builtin!("single-point-of-failure"),
    builtin!("single-instance"),
    builtin!("live-migration-is-not-ha"),
    builtin!("colocation-risk"),
    builtin!("data-single-failure-domain"),
    builtin!("power-overload"),
    builtin!("power-failover-overload"),
    builtin!("cluster-failover-capacity"),
    builtin!("dependency-cycle"),
    builtin!("never-healthy"),
    builtin!("expired-waiver"),
    builtin!("slo-unmet"),
    builtin!("rto-unmet"),
    builtin!("rpo-unmet"),
    builtin!("missing-failure-domain"),
];

macro_rules! builtin {
    ($id:literal) => {
        (
            concat!("rules/", $id, ".yaml"),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".yaml")),
        )
    };
}
use builtin;

/// A rule's settings from a config (`rules: {<id>: ...}`): applied when
/// the rule files are loaded.
pub struct RuleOverride {
    pub id: String,
    /// The rule id key, for "matches no rule" warnings.
    pub span: Span,
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    /// Parameters that replace the rule file's, key by key.
    pub params: Option<YNode>,
    /// The config file these nodes were read from.
    pub file: FileId,
}

pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
    pub description: String,
    pub remediation: String,
    pub template_name: String,
    pub template: Box<dyn Template>,
    /// A small failing description; tests run it.
    pub example: Option<String>,
    /// "built-in" or the path of the user's rule file.
    pub origin: String,
}

impl Rule {
    pub fn run(&self, a: &Analysis) -> Vec<Finding> {
        self.template
            .check(a)
            .into_iter()
            .map(|mut h| {
                a.model.sort_by_name(&mut h.culprits);
                h.culprits.dedup();
                Finding {
                    rule: self.id.clone(),
                    severity: self.severity,
                    subject: h.subject,
                    culprits: h.culprits,
                    message: h.message,
                    help: h.help,
                    notes: h.notes,
                    culprit_label: h.culprit_label.unwrap_or_default(),
                    waived: None,
                    waived_culprits: Vec::new(),
                }
            })
            .collect()
    }
}

/// Every rule of a run, with the sources of the rule files for error
/// reports.
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub sources: Sources,
}

impl RuleSet {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// `Some(N)` when the findings of `rule` name units that take their
    /// subject down N at a time (failure findings, which outputs explain
    /// with failure paths); `None` for any other rule.
    pub fn failure_order(&self, rule: &str) -> Option<usize> {
        self.get(rule).and_then(|r| r.template.failure_order())
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }

    /// The built-in pack plus user rule files, in that order, with sources
    /// of their own.
    pub fn load(user_files: Vec<(String, Vec<u8>)>) -> Result<RuleSet, (Sources, Vec<InputError>)> {
        let mut sources = Sources::new();
        match RuleSet::load_into(&mut sources, user_files, &[]) {
            Ok(mut set) => {
                set.sources = sources;
                Ok(set)
            }
            Err(e) => Err((sources, e)),
        }
    }

    /// Like [`load`](Self::load), adding the rule files to a run's shared
    /// sources and applying a config's rule settings (severity, params,
    /// disabling). The returned set's own `sources` is empty.
    pub fn load_into(
        sources: &mut Sources,
        user_files: Vec<(String, Vec<u8>)>,
        overrides: &[RuleOverride],
    ) -> Result<RuleSet, Vec<InputError>> {
        let mut errors = Vec::new();
        let mut rules: Vec<Rule> = Vec::new();
        let mut seen: HashMap<String, crate::input::source::Span> = HashMap::new();
        let builtin = BUILTIN
            .iter()
            .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec(), true));
        let user = user_files.into_iter().map(|(n, b)| (n, b, false));
        for (name, bytes, is_builtin) in builtin.chain(user) {
            let text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    errors.push(InputError::plain(
                        "not-text",
                        format!("{name} is not UTF-8 text"),
                    ));
                    continue;
                }
            };
            let Some(file) = sources.add(name.clone(), text) else {
                errors.push(InputError::plain(
                    "too-large",
                    format!("{name} is too large"),
                ));
                continue;
            };
            // The config's settings for this rule, if any (the id is only
            // known once parsed, so look it up from the text's `id`).
            let origin = if is_builtin {
                "built-in"
            } else {
                name.as_str()
            };
            match parse_rule(sources, file, origin, overrides) {
                Ok((rule, _))
                    if overrides
                        .iter()
                        .any(|o| o.id == rule.id && o.enabled == Some(false)) =>
                {
                    seen.insert(rule.id.clone(), crate::input::source::Span::default());
                }
                Ok((rule, id_span)) => {
                    if let Some(first) = seen.get(&rule.id) {
                        errors.push(
                            InputError::at("duplicate-rule", id_span, format!("rule `{}` is defined twice", rule.id))
                                .label("defined again here")
                                .also(*first, "first defined here")
                                .help("rule ids are unique; rename the custom rule (built-in ids are reserved)"),
                        );
                        continue;
                    }
                    seen.insert(rule.id.clone(), id_span);
                    rules.push(rule);
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(RuleSet {
                rules,
                sources: Sources::new(),
            })
        } else {
            Err(errors)
        }
    }
}

const RULE_KEYS: &[&str] = &[
    "id",
    "severity",
    "summary",
    "description",
    "remediation",
    "template",
    "params",
    "example",
];

fn parse_rule(
    sources: &Sources,
    file: FileId,
    origin: &str,
    overrides: &[RuleOverride],
) -> Result<(Rule, crate::input::source::Span), Vec<InputError>> {
    let whole = sources.span(file, 0, 0);
    let doc = Doc::new(sources, file);
    let root = doc.parse().map_err(|e| vec![e])?;
    let span = |n: &YNode| doc.span(n);
    let YValue::Map(entries) = &root.value else {
        return Err(vec![
            InputError::at(
                "wrong-type",
                whole,
                "a rule file is a map with `id`, `severity`, `template`...",
            )
            .help("see `faultline explain single-point-of-failure` for a complete rule"),
        ]);
    };
    let mut errors = Vec::new();
    let otherwise = |_: &str| format!("a rule takes: {}", RULE_KEYS.join(", "));
    let keys = Keys {
        known: RULE_KEYS,
        noun: "rule field",
        owner: "",
        label: None,
        otherwise: &otherwise,
    };
    let mut get: HashMap<&str, &YNode> = HashMap::new();
    let mut key_span: HashMap<&str, Span> = HashMap::new();
    for f in doc.fields(entries, &keys, &mut errors) {
        get.insert(RULE_KEYS[f.index], f.value);
        key_span.insert(RULE_KEYS[f.index], f.key);
    }
    let text = |key: &str, errors: &mut Vec<InputError>, required: bool| -> Option<String> {
        match get.get(key) {
            Some(YNode {
                value: YValue::Str(s),
                ..
            }) => Some(s.clone()),
            Some(n) => {
                errors.push(InputError::at(
                    "wrong-type",
                    span(n),
                    format!("`{key}` must be a string"),
                ));
                None
            }
            None if required => {
                errors.push(
                    InputError::at("missing-field", whole, format!("the rule has no `{key}`"))
                        .help(format!("add `{key}: ...`")),
                );
                None
            }
            None => None,
        }
    };
    let id = text("id", &mut errors, true);
    if let (Some(id), Some(n)) = (&id, get.get("id"))
        && !is_rule_id(id)
    {
        errors.push(
            InputError::at(
                "bad-value",
                span(n),
                format!("rule id `{id}` is not kebab-case"),
            )
            .help("use lowercase letters, digits and dashes, e.g. `critical-spans-two-sites`"),
        );
    }
    let severity = match text("severity", &mut errors, true) {
        Some(s) => match Severity::parse(&s) {
            Some(v) => Some(v),
            None => {
                let n = get["severity"];
                errors.push(
                    InputError::at("bad-value", span(n), format!("unknown severity `{s}`"))
                        .help("severity is one of: error, warning, info"),
                );
                None
            }
        },
        None => None,
    };
    let summary = text("summary", &mut errors, true);
    let description = text("description", &mut errors, false).unwrap_or_default();
    let remediation = text("remediation", &mut errors, false).unwrap_or_default();
    let example = text("example", &mut errors, false);
    let template_name = text("template", &mut errors, true);
    let template = template_name.as_ref().and_then(|t| {
        let tspan = get.get("template").map(|n| span(n)).unwrap_or(whole);
        let config = id
            .as_ref()
            .and_then(|id| overrides.iter().find(|o| &o.id == id));
        let extra = config
            .map(|o| params::entries_of(o.file, o.params.as_ref()))
            .unwrap_or_default();
        let params = Params::new(sources, file, get.get("params").copied(), extra, whole);
        match templates::build(t, tspan, &params).and_then(|tpl| params.finish().map(|_| tpl)) {
            Ok(tpl) => Some(tpl),
            Err(e) => {
                errors.push(e);
                None
            }
        }
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    let severity = id
        .as_ref()
        .and_then(|id| overrides.iter().find(|o| &o.id == id))
        .and_then(|o| o.severity)
        .or(severity);
    let (Some(id), Some(severity), Some(summary), Some(template_name), Some(template)) =
        (id, severity, summary, template_name, template)
    else {
        return Err(vec![InputError::at("bad-rule", whole, "incomplete rule")]);
    };
    let id_span = key_span.get("id").copied().unwrap_or(whole);
    Ok((
        Rule {
            id,
            severity,
            summary: summary.trim().to_owned(),
            description: description.trim().to_owned(),
            remediation: remediation.trim().to_owned(),
            template_name,
            template,
            example,
            origin: origin.to_owned(),
        },
        id_span,
    ))
}

fn is_rule_id(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
