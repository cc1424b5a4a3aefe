//! `--baseline FILE` / `--write-baseline FILE`: adopt faultline on an estate
//! that already has findings, and fail only on new ones.
//!
//! A baseline is a JSON file of the fingerprints (see `fingerprint.rs`) of
//! the findings a team has accepted as known debt. With `--baseline`, a
//! finding whose fingerprint is listed is still reported, marked as
//! baselined, but does not count toward the exit status. Fingerprints do not
//! depend on line numbers, so editing the YAML around a known problem keeps
//! it baselined; changing the problem itself (a new culprit, say) makes it a
//! new finding.
//!
//! The file also records each finding's rule, subject and culprits so a
//! reviewer can read what was accepted; only `fingerprint` is read back.
//! Waived findings are not written: the waiver already accepts them.

use crate::check::Outcome;
use crate::check::fingerprint;
use crate::input::diag::InputError;
use crate::model::Model;
use serde_json::{Value, json};
use std::collections::HashSet;

/// Version of the file layout.
pub const FORMAT: u64 = 1;

/// The fingerprints a baseline file lists.
#[derive(Debug, Default)]
pub struct Baseline {
    pub fingerprints: HashSet<String>,
}

fn bad(path: &str, why: impl std::fmt::Display) -> InputError {
    InputError::plain("bad-baseline", format!("baseline `{path}`: {why}"))
        .help("write one with `faultline check PATH... --write-baseline FILE`")
}

impl Baseline {
    /// Parses the text of a baseline file (`path` is for messages).
    pub fn parse(path: &str, text: &str) -> Result<Baseline, InputError> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| bad(path, format!("not JSON: {e}")))?;
        if v.get("faultline_baseline").and_then(Value::as_u64) != Some(FORMAT) {
            return Err(bad(
                path,
                format!("not a faultline baseline (expected `\"faultline_baseline\": {FORMAT}`)"),
            ));
        }
        if let Some(scheme) = v.get("fingerprint")
            && scheme.as_str() != Some(fingerprint::KEY)
        {
            return Err(bad(
                path,
                format!(
                    "written with fingerprint scheme {scheme}, this faultline uses `{}`",
                    fingerprint::KEY
                ),
            ));
        }
        let Some(items) = v.get("findings").and_then(Value::as_array) else {
            return Err(bad(path, "no `findings` array"));
        };
        let mut fingerprints = HashSet::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            match it.get("fingerprint").and_then(Value::as_str) {
                Some(f) => {
                    fingerprints.insert(f.to_owned());
                }
                None => {
                    return Err(bad(
                        path,
                        format!("finding {i} has no `fingerprint` string"),
                    ));
                }
            }
        }
        Ok(Baseline { fingerprints })
    }

    /// Reads and parses a baseline file.
    pub fn read(path: &str) -> Result<Baseline, InputError> {
        let text = std::fs::read_to_string(path).map_err(|e| bad(path, e))?;
        Baseline::parse(path, &text)
    }

    /// Marks the findings of `outcome` whose fingerprint is listed.
    pub fn apply(&self, model: &Model, outcome: &mut Outcome) {
        let prints = fingerprint::all(model, &outcome.findings);
        outcome.baselined = prints
            .iter()
            .map(|p| self.fingerprints.contains(p))
            .collect();
    }
}

/// The baseline file for the current findings (all but the waived ones),
/// sorted by rule, then subject, so that its diffs read well in review.
pub fn render(model: &Model, outcome: &Outcome) -> String {
    let prints = fingerprint::all(model, &outcome.findings);
    let mut rows: Vec<(&str, &str, Vec<&str>, &str)> = outcome
        .findings
        .iter()
        .zip(&prints)
        .filter(|(f, _)| f.waived.is_none())
        .map(|(f, p)| {
            let mut culprits: Vec<&str> = f.culprits.iter().map(|&c| model.name(c)).collect();
            culprits.sort_unstable();
            (f.rule.as_str(), model.name(f.subject), culprits, p.as_str())
        })
        .collect();
    rows.sort();
    rows.dedup_by(|a, b| a.3 == b.3);
    let findings: Vec<Value> = rows
        .into_iter()
        .map(|(rule, subject, culprits, p)| {
            json!({"fingerprint": p, "rule": rule, "subject": subject, "culprits": culprits})
        })
        .collect();
    let v = json!({
        "faultline_baseline": FORMAT,
        "fingerprint": fingerprint::KEY,
        "findings": findings,
    });
    let mut s = serde_json::to_string_pretty(&v).expect("JSON values always serialise");
    s.push('\n');
    s
}

/// Writes the baseline of `outcome` to `path`.
pub fn write(path: &str, model: &Model, outcome: &Outcome) -> Result<(), InputError> {
    std::fs::write(path, render(model, outcome)).map_err(|e| {
        InputError::plain(
            "bad-baseline",
            format!("cannot write baseline `{path}`: {e}"),
        )
    })
}

/// `--baseline READ` and `--write-baseline WRITE` on one outcome: marks
/// what READ lists, then writes WRITE from the current findings, which are
/// then all baselined (writing a baseline accepts what is there now; giving
/// both refreshes a baseline, dropping what was fixed). Returns whether a
/// baseline is in force.
pub fn apply_options(
    model: &Model,
    outcome: &mut Outcome,
    read: Option<&str>,
    write: Option<&str>,
) -> Result<bool, InputError> {
    if let Some(path) = read {
        Baseline::read(path)?.apply(model, outcome);
    }
    if let Some(path) = write {
        self::write(path, model, outcome)?;
        outcome.baselined = vec![true; outcome.findings.len()];
    }
    Ok(read.is_some() || write.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_checks_the_layout() {
        let ok = r#"{"faultline_baseline": 1, "fingerprint": "faultline/v1",
                     "findings": [{"fingerprint": "00ff"}]}"#;
        let b = Baseline::parse("b.json", ok).unwrap();
        assert!(b.fingerprints.contains("00ff"));
        assert!(Baseline::parse("b.json", "[]").is_err());
        assert!(Baseline::parse("b.json", "{").is_err());
        let other = r#"{"faultline_baseline": 1, "fingerprint": "faultline/v9", "findings": []}"#;
        assert!(Baseline::parse("b.json", other).is_err());
        let missing = r#"{"faultline_baseline": 1, "findings": [{"rule": "x"}]}"#;
        assert!(Baseline::parse("b.json", missing).is_err());
    }
}
