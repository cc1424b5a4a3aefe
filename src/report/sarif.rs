//! SARIF 2.1.0 (`check --format sarif`), for GitHub code scanning and any
//! other SARIF viewer, built with the `serde-sarif` types.
//!
//! - `tool.driver.rules`: every loaded rule (built-in and custom) with its
//!   summary, description, remediation and default level.
//! - one result per finding: `ruleId`/`ruleIndex`, `level`, the message, the
//!   subject's id key as the location (start and end line and column;
//!   columns count Unicode code points, hence `columnKind`), each culprit's
//!   id key as a related location, and `partialFingerprints` under
//!   `faultline/v1` (see `fingerprint.rs`: rule, subject and culprits, no
//!   line numbers, so alerts survive edits around them).
//! - a single-point-of-failure finding has a `codeFlow` per culprit (at
//!   most [`MAX_CODE_FLOWS`]): one thread flow whose locations are the
//!   steps of the culprit's failure path (see `paths.rs`), each at its
//!   definition with a sentence saying why it is down. Code scanning shows
//!   them as the alert's paths.
//! - rules carry a human `name` (PascalCase, never equal to the id) and,
//!   for built-in ones, a `helpUri` into `docs/rules.md`; the tool points
//!   at the project with `informationUri`.
//! - a waived finding carries an `inSource` suppression whose justification
//!   is the waiver's reason; viewers show it as suppressed.
//! - with `--baseline`, `baselineState` is `unchanged` for a baselined
//!   finding and `new` for the rest.

use crate::analysis::paths::Chain;
use crate::check::Outcome;
use crate::check::fingerprint;
use crate::model::Model;
use crate::report::chains;
use crate::report::place::{self, Place};
use crate::rules::RuleSet;
use crate::rules::finding::Severity;
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, CodeFlow, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ReportingDescriptorReference, Result as SarifResult, ResultLevel, Run,
    Sarif, Suppression, ThreadFlow, ThreadFlowLocation, Tool, ToolComponent,
};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The published JSON Schema of SARIF 2.1.0.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";

/// The project's home (`repository` in Cargo.toml): the tool's
/// `informationUri`, and the base of each built-in rule's `helpUri`.
pub const HOME: &str = env!("CARGO_PKG_REPOSITORY");

/// Where a built-in rule is documented: its section of `docs/rules.md`.
pub fn help_uri(rule: &str) -> String {
    format!("{HOME}/blob/main/docs/rules.md#{rule}")
}

/// Code flows per result, and steps per thread flow: GitHub takes at most
/// 10,000 thread-flow locations per result. A longer chain keeps its
/// first and last steps.
pub const MAX_CODE_FLOWS: usize = 50;
pub const MAX_FLOW_STEPS: usize = 100;

/// A rule's display name: its kebab-case id in PascalCase
/// (`single-point-of-failure` -> `SinglePointOfFailure`). SARIF wants the
/// name to differ from the id, letter case aside, so a one-word id gets
/// `Rule` after it (`pairs` -> `PairsRule`).
pub fn rule_name(id: &str) -> String {
    let name: String = id
        .split('-')
        .flat_map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase())
                .into_iter()
                .chain(c)
        })
        .collect();
    if name.eq_ignore_ascii_case(id) {
        format!("{name}Rule")
    } else {
        name
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn message(s: impl Into<String>) -> Message {
    Message {
        text: Some(s.into()),
        ..Message::default()
    }
}

fn physical(p: &Place) -> PhysicalLocation {
    let uri = place::uri(p.file);
    let artifact = ArtifactLocation {
        uri_base_id: (!place::is_absolute(&place::repo_path(p.file))).then(|| "%SRCROOT%".into()),
        uri: Some(uri),
        ..ArtifactLocation::default()
    };
    PhysicalLocation {
        artifact_location: Some(artifact),
        region: Some(Region {
            start_line: Some(p.start.line.into()),
            start_column: Some(p.start.column.into()),
            end_line: Some(p.end.line.into()),
            end_column: Some(p.end.column.into()),
            ..Region::default()
        }),
        ..PhysicalLocation::default()
    }
}

fn rule_descriptor(r: &crate::rules::Rule) -> ReportingDescriptor {
    let mut d = ReportingDescriptor::builder()
        .id(r.id.clone())
        .short_description(text(&r.summary))
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(r.severity)))
                .build(),
        )
        .build();
    d.name = Some(rule_name(&r.id));
    if r.origin == "built-in" {
        d.help_uri = Some(help_uri(&r.id));
    }
    // GitHub code scanning requires both; a custom rule may give neither.
    d.full_description = Some(text(if r.description.is_empty() {
        &r.summary
    } else {
        &r.description
    }));
    d.help = Some(text(&if r.remediation.is_empty() {
        format!("`faultline explain {}` describes this rule.", r.id)
    } else {
        r.remediation.clone()
    }));
    let mut props = BTreeMap::new();
    props.insert("origin".to_owned(), json!(r.origin));
    d.properties = Some(
        PropertyBag::builder()
            .tags(vec!["reliability".to_owned()])
            .additional_properties(props)
            .build(),
    );
    d
}

/// The SARIF log of one run. `baseline_used` says whether `--baseline` was
/// given (then every result gets a `baselineState`).
pub fn check(model: &Model, rules: &RuleSet, out: &Outcome, baseline_used: bool) -> Sarif {
    log(&Context::new(model, rules, out, baseline_used), rules, true)
}

/// The SARIF text of one run: the same bytes as `to_string(&check(..))`.
pub fn check_text(model: &Model, rules: &RuleSet, out: &Outcome, baseline_used: bool) -> String {
    let mut buf = Vec::new();
    write_check(model, rules, out, baseline_used, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// The SARIF text written to `w` as it is made: each result is built and
/// written in turn, so neither the typed log (5.6 GB for 284k results)
/// nor its text is ever whole in memory.
pub fn write_check(
    model: &Model,
    rules: &RuleSet,
    out: &Outcome,
    baseline_used: bool,
    w: &mut dyn Write,
) -> io::Result<()> {
    let ctx = Context::new(model, rules, out, baseline_used);
    let head = to_string(&log(&ctx, rules, false));
    const EMPTY: &str = "\"results\": []";
    let mut at = head.match_indices(EMPTY).map(|(i, _)| i);
    let (Some(pos), None) = (at.next(), at.next()) else {
        // Not where expected: build it whole.
        return w.write_all(to_string(&log(&ctx, rules, true)).as_bytes());
    };
    if out.findings.is_empty() {
        return w.write_all(head.as_bytes());
    }
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    let line_start = head[..pos].rfind('\n').map_or(0, |i| i + 1);
    let indent = " ".repeat(pos - line_start + 2);
    w.write_all(&head.as_bytes()[..pos])?;
    w.write_all(b"\"results\": [\n")?;
    let mut one = Vec::new();
    for i in 0..out.findings.len() {
        one.clear();
        serde_json::to_writer_pretty(&mut one, &ctx.result(i))
            .expect("SARIF values always serialise");
        // JSON strings hold no raw line breaks, so every line is indented.
        for (n, line) in one.split(|&b| b == b'\n').enumerate() {
            if n > 0 {
                w.write_all(b"\n")?;
            }
            w.write_all(indent.as_bytes())?;
            w.write_all(line)?;
        }
        w.write_all(if i + 1 < out.findings.len() {
            b",\n"
        } else {
            b"\n"
        })?;
    }
    w.write_all(&indent.as_bytes()[2..])?;
    w.write_all(b"]")?;
    w.write_all(&head.as_bytes()[pos + EMPTY.len()..])?;
    w.flush()
}

/// What every result of a run shares.
struct Context<'a> {
    model: &'a Model,
    out: &'a Outcome,
    index: BTreeMap<&'a str, usize>,
    prints: Vec<String>,
    baseline_used: bool,
}

impl<'a> Context<'a> {
    fn new(model: &'a Model, rules: &'a RuleSet, out: &'a Outcome, baseline_used: bool) -> Self {
        Context {
            model,
            out,
            index: rules
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.as_str(), i))
                .collect(),
            prints: fingerprint::all(model, &out.findings),
            baseline_used,
        }
    }

    /// The result of finding `i`.
    fn result(&self, i: usize) -> SarifResult {
        let (model, out, index, prints, baseline_used) = (
            self.model,
            self.out,
            &self.index,
            &self.prints,
            self.baseline_used,
        );
        let f = &out.findings[i];
        let subject = model.get(f.subject);
        let mut related = Vec::new();
        for &c in f.culprits.iter().filter(|&&c| c != f.subject) {
            let e = model.get(c);
            let mut what = format!("culprit `{}` ({})", e.id, e.kind().singular());
            if !f.culprit_label.is_empty() {
                what = format!("{what}: {}", f.culprit_label);
            }
            related.push(Location {
                id: Some(related.len() as i64 + 1),
                physical_location: Some(physical(&place::of_entity(model, c))),
                message: Some(message(what)),
                ..Location::default()
            });
        }
        for (span, note) in &f.notes {
            related.push(Location {
                id: Some(related.len() as i64 + 1),
                physical_location: Some(physical(&place::of_span(model, *span))),
                message: Some(message(note.clone())),
                ..Location::default()
            });
        }
        let mut fps = BTreeMap::new();
        fps.insert(fingerprint::KEY.to_owned(), prints[i].clone());
        let mut props = BTreeMap::new();
        props.insert("subject".to_owned(), json!(subject.id));
        props.insert("subjectKind".to_owned(), json!(subject.kind().singular()));
        props.insert(
            "culprits".to_owned(),
            json!(
                f.culprits
                    .iter()
                    .map(|&c| model.name(c))
                    .collect::<Vec<_>>()
            ),
        );
        if let Some(h) = &f.help {
            props.insert("help".to_owned(), json!(h));
        }
        if out.is_baselined(i) {
            props.insert("baselined".to_owned(), json!(true));
        }
        let mut r = SarifResult::builder()
            .rule_id(f.rule.clone())
            .level(level(f.severity))
            .message(message(f.message.clone()))
            .locations(vec![Location {
                physical_location: Some(physical(&place::of_entity(model, f.subject))),
                ..Location::default()
            }])
            .partial_fingerprints(fps)
            .properties(PropertyBag::builder().additional_properties(props).build())
            .build();
        r.rule_index = index.get(f.rule.as_str()).map(|&i| i as i64);
        if !related.is_empty() {
            r.related_locations = Some(related);
        }
        if let Some(paths) = out.paths_of(i) {
            r.code_flows = Some(
                paths
                    .iter()
                    .take(MAX_CODE_FLOWS)
                    .map(|ch| code_flow(model, ch))
                    .collect(),
            );
        }
        if let Some(reason) = &f.waived {
            let mut s = Suppression::builder()
                .kind(json!("inSource"))
                .justification(reason.clone())
                .build();
            // Point at the waiver itself when it can be found.
            if let Some(w) = subject
                .waivers
                .iter()
                .find(|w| w.rule == f.rule && &w.reason == reason)
            {
                s.location = Some(Location {
                    physical_location: Some(physical(&place::of_span(model, w.span))),
                    ..Location::default()
                });
            }
            r.suppressions = Some(vec![s]);
        }
        if baseline_used {
            r.baseline_state = Some(json!(if out.is_baselined(i) {
                "unchanged"
            } else {
                "new"
            }));
        }
        r
    }
}

/// One culprit's failure path as a code flow: a location per step, at the
/// step's id key, saying why it is down.
fn code_flow(model: &Model, ch: &Chain) -> CodeFlow {
    let n = ch.steps.len();
    let (head, tail) = chains::ends(n, MAX_FLOW_STEPS);
    let shown = (0..head).chain(n - tail..n);
    let locations = shown
        .map(|i| {
            let mut words = chains::step(model, ch, i);
            if tail > 0 && i + 1 == head {
                words.push_str(&format!(" (then {} more steps)", n - head - tail));
            }
            ThreadFlowLocation::builder()
                .location(Location {
                    physical_location: Some(physical(&place::of_entity(model, ch.steps[i]))),
                    message: Some(message(words)),
                    ..Location::default()
                })
                .nesting_level(0)
                .execution_order(i as i64 + 1)
                .build()
        })
        .collect::<Vec<_>>();
    let subject = ch.steps[n - 1];
    CodeFlow::builder()
        .message(message(format!(
            "how `{}` takes `{}` down: {}",
            model.name(ch.culprit),
            model.name(subject),
            chains::line(model, ch)
        )))
        .thread_flows(vec![ThreadFlow::builder().locations(locations).build()])
        .build()
}

/// The run's invocation. Unused waivers are problems of the run's
/// configuration, not findings about the estate: SARIF's place for them is
/// `toolConfigurationNotifications`, so results stay the findings.
fn invocation(ctx: &Context) -> Invocation {
    let notes: Vec<Notification> = ctx
        .out
        .unused_waivers
        .iter()
        .map(|e| Notification {
            descriptor: Some(ReportingDescriptorReference {
                id: Some(e.code.to_owned()),
                ..ReportingDescriptorReference::default()
            }),
            level: Some(json!("warning")),
            locations: e.primary_span().map(|s| {
                vec![Location {
                    physical_location: Some(physical(&place::of_span(ctx.model, s))),
                    ..Location::default()
                }]
            }),
            message: message(e.with_help()),
            associated_rule: None,
            exception: None,
            properties: None,
            thread_id: None,
            time_utc: None,
        })
        .collect();
    let builder = Invocation::builder().execution_successful(true);
    if notes.is_empty() {
        builder.build()
    } else {
        builder.tool_configuration_notifications(notes).build()
    }
}

/// The SARIF log of one run, without its results when `with_results` is
/// false (see [`to_text`]).
fn log(ctx: &Context, rules: &RuleSet, with_results: bool) -> Sarif {
    let results: Vec<SarifResult> = if with_results {
        (0..ctx.out.findings.len()).map(|i| ctx.result(i)).collect()
    } else {
        Vec::new()
    };
    let driver = ToolComponent::builder()
        .name("faultline")
        .information_uri(HOME)
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules.rules.iter().map(rule_descriptor).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .invocations(vec![invocation(ctx)])
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version(json!(VERSION))
        .runs(vec![run])
        .build()
}

/// Pretty JSON with a final newline, written straight from the typed log
/// (keys in the order of the SARIF schema's types). Going through a
/// `serde_json::Value` first took 20 s and gigabytes for 284k findings.
pub fn to_string(log: &Sarif) -> String {
    let mut buf = Vec::new();
    serde_json::to_writer_pretty(&mut buf, log).expect("SARIF values always serialise");
    buf.push(b'\n');
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_differ_from_ids() {
        assert_eq!(rule_name("single-point-of-failure"), "SinglePointOfFailure");
        assert_eq!(rule_name("x2-y"), "X2Y");
        assert_eq!(rule_name("pairs"), "PairsRule");
        assert_eq!(rule_name("42"), "42Rule");
    }
    use crate::analysis::Analysis;
    use crate::model::Date;

    #[test]
    fn the_streamed_text_is_the_whole_log_written_out() {
        let model = crate::model::load::load_str(
            "t.yaml",
            "hosts:\n  h1: {waivers: [{rule: single-point-of-failure, reason: \"planned\\nQ3\"}]}\n  h2: {}\n\
             services:\n  a: {instances: [h1]}\n  b: {instances: [h2]}\n  c: {instances: [h1, h2]}\n",
        )
        .ok()
        .expect("loads");
        let rules = RuleSet::load(vec![]).ok().expect("built-in rules");
        let today = Date {
            year: 2026,
            month: 1,
            day: 1,
        };
        let a = Analysis::new(&model, today);
        let mut out = crate::check::run(&a, &rules);
        crate::check::paths::attach(&a, &rules, &mut out, crate::check::paths::Want::All)
            .expect("short paths");
        assert!(out.paths.iter().any(Option::is_some));
        assert!(out.findings.len() >= 3);
        for baseline in [false, true] {
            if baseline {
                out.baselined = (0..out.findings.len()).map(|i| i % 2 == 0).collect();
            }
            let whole = to_string(&check(&model, &rules, &out, baseline));
            assert_eq!(check_text(&model, &rules, &out, baseline), whole);
        }
        let none = crate::check::Outcome {
            findings: vec![],
            ..out
        };
        let whole = to_string(&check(&model, &rules, &none, false));
        assert_eq!(check_text(&model, &rules, &none, false), whole);
    }
}
