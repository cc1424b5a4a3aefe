//! Machine-readable output, in the shapes the command-line contract fixes.

use crate::check::Outcome;
use crate::finding::Severity;
use crate::model::Model;
use serde_json::{Value, json};

/// `{file, line, column}` of an entity's id key.
pub fn location(model: &Model, id: u32) -> Value {
    let (file, lc) = model.sources.locate(model.get(id).span);
    json!({"file": file, "line": lc.line, "column": lc.column})
}

pub fn check(model: &Model, out: &Outcome) -> Value {
    let findings: Vec<Value> = out
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut v = json!({
                "rule": f.rule,
                "severity": f.severity.as_str(),
                "subject": model.name(f.subject),
                "culprits": f.culprits.iter().map(|&c| model.name(c)).collect::<Vec<_>>(),
                "message": f.message,
                "location": location(model, f.subject),
                "waived": f.waived.is_some(),
            });
            if let Some(h) = &f.help {
                v["help"] = json!(h);
            }
            if let Some(r) = &f.waived {
                v["waiver_reason"] = json!(r);
            }
            // Only with `--baseline`, so runs without one print what they
            // always printed.
            if out.is_baselined(i) {
                v["baselined"] = json!(true);
            }
            v
        })
        .collect();
    let mut v = json!({
        "findings": findings,
        "summary": {
            "errors": out.count(Severity::Error),
            "warnings": out.count(Severity::Warning),
            "infos": out.count(Severity::Info),
            "waived": out.waived(),
        }
    });
    if out.baselined.iter().any(|&b| b) {
        v["summary"]["baselined"] = json!(out.baselined());
    }
    v
}

/// Pretty JSON with a final newline.
pub fn to_string(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("JSON values always serialise");
    s.push('\n');
    s
}
