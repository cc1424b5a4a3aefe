//! Input errors in the CI formats. A run that stops at a misspelt key must
//! still annotate the pull request: the human form goes to stderr as
//! always, and the format asked for carries the same errors on stdout.

use super::place::{self, repo_path, uri};
use crate::input::diag::InputError;
use crate::input::source::Sources;
use serde_json::{Value, json};

/// `{"findings": [], "errors": [{"message", "location", "code", "help"}]}`.
pub fn json(sources: &Sources, errors: &[InputError]) -> String {
    let errors: Vec<Value> = errors
        .iter()
        .map(|e| super::json::error_entry(sources, e))
        .collect();
    super::json::to_string(&json!({"errors": errors, "findings": []}))
}

/// One `::error` workflow command per error (`::warning` for a warning).
pub fn github(sources: &Sources, errors: &[InputError]) -> String {
    super::github::errors(sources, errors)
}

/// A SARIF log whose results (rule `input-error`, level `error`) are the
/// errors, each with its region.
pub fn sarif(sources: &Sources, errors: &[InputError]) -> String {
    let results: Vec<Value> = errors
        .iter()
        .map(|e| {
            let mut r = json!({
                "ruleId": "input-error",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": e.with_help()},
            });
            if let Some((file, at)) = place::of_error(sources, e) {
                r["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(file)},
                        "region": {"startLine": at.line, "startColumn": at.column},
                    }
                }]);
            }
            r
        })
        .collect();
    super::json::to_string(&json!({
        "$schema": super::sarif::SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "faultline",
                "informationUri": super::sarif::HOME,
                "version": env!("CARGO_PKG_VERSION"),
                "rules": [{
                    "id": "input-error",
                    "shortDescription": {"text": "The description, config or rule files cannot be read"},
                    "fullDescription": {"text": "faultline stopped before any analysis: a file has a mistake (an unknown key, a wrong type, an id that does not exist). No finding is trustworthy until it is fixed."},
                    "help": {
                        "text": "Fix the error at the place shown; the message says what was expected and, for a misspelt key or id, the nearest valid one.",
                        "markdown": "Fix the error at the place shown; the message says what was expected and, for a misspelt key or id, the nearest valid one.",
                    },
                    "defaultConfiguration": {"level": "error"},
                }],
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": false}],
            "results": results,
        }],
    }))
}

/// JUnit: one failing test case per error, in a suite of its own (the
/// same quick-junit report as the findings, so escaping is its job).
pub fn junit(sources: &Sources, errors: &[InputError]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new("input-error");
    for e in errors {
        let name = match place::of_error(sources, e) {
            Some((file, at)) => format!("{}:{}:{}", repo_path(file), at.line, at.column),
            None => e.code.to_owned(),
        };
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(e.with_help()).set_type(e.code);
        let mut tc = TestCase::new(name, status);
        tc.set_classname("input-error");
        suite.add_test_case(tc);
    }
    let mut report = Report::new("faultline");
    report.add_test_suite(suite);
    super::junit::to_string(&report)
}

/// Markdown: a section listing every error with its place.
pub fn markdown(sources: &Sources, errors: &[InputError]) -> String {
    let mut out = format!(
        "## faultline: {} input error{}\n\nThe description could not be checked:\n\n",
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    out.push_str(&markdown_list(sources, errors));
    out
}

/// One list item per error, with its place.
pub fn markdown_list(sources: &Sources, errors: &[InputError]) -> String {
    let mut out = String::new();
    for e in errors {
        let place = match place::of_error(sources, e) {
            Some((file, at)) => format!("`{}:{}:{}` ", repo_path(file), at.line, at.column),
            None => String::new(),
        };
        out.push_str(&format!("- {place}{}\n", e.with_help().replace('\n', " ")));
    }
    out
}
