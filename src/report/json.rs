//! Machine-readable output, in the shapes the command-line contract fixes.
//!
//! The report is serialised straight from typed views of the findings:
//! building a `serde_json::Value` first cost more memory than the whole
//! model on a 1M-entity estate. Fields are declared in alphabetical order,
//! which is the order the output has always had.

use crate::analysis::paths::Chain;
use crate::check::Outcome;
use crate::model::Model;
use crate::rules::finding::{Finding, Severity};
use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Value, json};
use std::io::{self, Write};

/// `{file, line, column}` of an entity's id key.
pub fn location(model: &Model, id: u32) -> Value {
    json!(Location::of(model, id))
}

#[derive(Serialize)]
struct Location<'a> {
    column: u32,
    file: &'a str,
    line: u32,
}

impl<'a> Location<'a> {
    fn of(model: &'a Model, id: u32) -> Self {
        let (file, lc) = model.sources.locate(model.get(id).span);
        Location {
            column: lc.column,
            file,
            line: lc.line,
        }
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    /// Only with `--baseline`, so runs without one print what they always
    /// printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<bool>,
    #[serde(serialize_with = "names")]
    culprits: (&'a Model, &'a [u32]),
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    location: Location<'a>,
    message: &'a str,
    /// Single-point-of-failure findings: per culprit, its chain of ids
    /// from the culprit to the subject (see `paths.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    paths: Option<ByCulprit<'a>>,
    /// Findings of a higher order only: the cut set each chain holds under.
    #[serde(skip_serializing_if = "Option::is_none")]
    path_cut_sets: Option<ByCulprit<'a>>,
    rule: &'a str,
    severity: &'a str,
    subject: &'a str,
    waived: bool,
    /// Culprits accepted by waivers naming `culprits` (left out when none).
    #[serde(
        skip_serializing_if = "waived_culprits_is_empty",
        serialize_with = "names"
    )]
    waived_culprits: (&'a Model, &'a [u32]),
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver_reason: Option<&'a str>,
}

fn waived_culprits_is_empty(v: &(&Model, &[u32])) -> bool {
    v.1.is_empty()
}

fn names<S: Serializer>(v: &(&Model, &[u32]), s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.1.iter().map(|&c| v.0.name(c)))
}

/// `{"<culprit>": [id, ...]}`, in culprit order: the ids `ids` picks from
/// each chain (its steps, or the cut set it was traced under).
struct ByCulprit<'a> {
    model: &'a Model,
    chains: &'a [Chain],
    ids: fn(&Chain) -> &[u32],
}

impl Serialize for ByCulprit<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.model;
        s.collect_map(self.chains.iter().map(|ch| {
            let ids: Vec<&str> = (self.ids)(ch).iter().map(|&x| m.name(x)).collect();
            (m.name(ch.culprit), ids)
        }))
    }
}

#[derive(Serialize)]
struct Summary {
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    errors: usize,
    infos: usize,
    waived: usize,
    warnings: usize,
}

/// The whole report; findings are made one at a time while writing.
struct Report<'a> {
    model: &'a Model,
    outcome: &'a Outcome,
}

impl Serialize for Report<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let out = self.outcome;
        let findings = Findings(self);
        let summary = Summary {
            baselined: out.baselined.iter().any(|&b| b).then(|| out.baselined()),
            errors: out.count(Severity::Error),
            infos: out.count(Severity::Info),
            waived: out.waived(),
            warnings: out.count(Severity::Warning),
        };
        let mut st = s.serialize_struct("Report", 3)?;
        st.serialize_field("findings", &findings)?;
        st.serialize_field("summary", &summary)?;
        if !out.unused_waivers.is_empty() {
            let unused: Vec<serde_json::Value> = out
                .unused_waivers
                .iter()
                .map(|e| error_entry(&self.model.sources, e))
                .collect();
            st.serialize_field("unused_waivers", &unused)?;
        } else {
            st.skip_field("unused_waivers")?;
        }
        st.end()
    }
}

struct Findings<'r, 'a>(&'r Report<'a>);

impl Serialize for Findings<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Report { model, outcome } = self.0;
        s.collect_seq(
            outcome
                .findings
                .iter()
                .enumerate()
                .map(|(i, f)| view(model, outcome, i, f)),
        )
    }
}

fn view<'a>(model: &'a Model, out: &'a Outcome, i: usize, f: &'a Finding) -> JsonFinding<'a> {
    JsonFinding {
        baselined: out.is_baselined(i).then_some(true),
        culprits: (model, &f.culprits),
        help: f.help.as_deref(),
        location: Location::of(model, f.subject),
        message: &f.message,
        paths: out
            .paths
            .get(i)
            .and_then(Option::as_deref)
            .map(|chains| ByCulprit {
                model,
                chains,
                ids: |ch| &ch.steps,
            }),
        path_cut_sets: out
            .paths
            .get(i)
            .and_then(Option::as_deref)
            .filter(|p| p.iter().any(|ch| !ch.cut.is_empty()))
            .map(|chains| ByCulprit {
                model,
                chains,
                ids: |ch| &ch.cut,
            }),
        rule: &f.rule,
        severity: f.severity.as_str(),
        subject: model.name(f.subject),
        waived: f.waived.is_some(),
        waived_culprits: (model, &f.waived_culprits),
        waiver_reason: f.waived.as_deref(),
    }
}

/// The report as a JSON value (for tests and tools that inspect it).
pub fn check(model: &Model, out: &Outcome) -> Value {
    serde_json::to_value(Report {
        model,
        outcome: out,
    })
    .expect("JSON values always serialise")
}

/// The report as pretty JSON text with a final newline, written without
/// building a `Value` first.
pub fn check_text(model: &Model, out: &Outcome) -> String {
    let mut buf = Vec::with_capacity(out.findings.len() * 400 + 256);
    write_check(model, out, &mut buf).expect("writing to memory cannot fail");
    String::from_utf8(buf).expect("serde_json writes UTF-8")
}

/// The same text written straight to `w`: on a 1M-entity estate the text
/// is 300 MB, which need not be held as well as the model.
pub fn write_check(model: &Model, out: &Outcome, w: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(
        &mut w,
        &Report {
            model,
            outcome: out,
        },
    )?;
    w.write_all(b"\n")?;
    w.flush()
}

/// Pretty JSON with a final newline.
pub fn to_string(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values always serialise");
    s.push('\n');
    s
}

/// One error as JSON: `{"code", "help", "location", "message"}` (also the
/// shape of an unused waiver in the findings' report).
pub fn error_entry(
    sources: &crate::input::source::Sources,
    e: &crate::input::diag::InputError,
) -> Value {
    let location = match super::place::of_error(sources, e) {
        Some((file, at)) => json!({"file": file, "line": at.line, "column": at.column}),
        None => Value::Null,
    };
    json!({
        "code": e.code,
        "help": e.help,
        "location": location,
        "message": e.message,
    })
}
