//! The formats `faultline check` writes, as one table. A new format is a
//! renderer file beside this one and one entry in [`FORMATS`]: the entry
//! says which failure paths it shows and renders from the same [`Run`] as
//! every other format, so `--format` and `--output` learn it at once.

use super::{errors, github, human, json, junit, markdown, sarif};
use crate::analysis::Analysis;
use crate::check::Outcome;
use crate::check::paths::Want;
use crate::input::diag::InputError;
use crate::input::source::Sources;
use crate::rules::RuleSet;
use std::io::{self, Write};

/// Everything a format of one check run is rendered from.
#[derive(Clone, Copy)]
pub struct Run<'a> {
    pub a: &'a Analysis<'a>,
    pub rules: &'a RuleSet,
    pub outcome: &'a Outcome,
    /// A baseline was read or written (SARIF then marks baseline states).
    pub baseline_used: bool,
    /// Colours and width for the human form (plain when written to a file).
    pub style: human::Style,
}

/// One output format of `check`.
#[derive(Clone, Copy, Debug)]
pub struct CheckFormat {
    pub name: &'static str,
    pub about: &'static str,
    /// The failure paths this format shows: tracing them is the costly
    /// part, so a run traces only as many as its most demanding format.
    pub wants: Want,
    /// Writes the report: the large formats stream as they go, so a
    /// report of 300k findings is never held whole beside the model.
    pub render: fn(&Run, &mut dyn Write) -> io::Result<()>,
    /// Input errors in this format, on stdout, when the run stops before
    /// any analysis; `None` when stderr's human form is the whole story.
    pub errors: Option<fn(&Sources, &[InputError]) -> String>,
}

pub const FORMATS: &[CheckFormat] = &[
    CheckFormat {
        name: "human",
        about: "Annotated findings for a terminal",
        wants: Want::First(human::MAX_CHAINS),
        render: |r, w| w.write_all(human::check(r.a.model, r.outcome, r.style).as_bytes()),
        errors: None,
    },
    CheckFormat {
        name: "json",
        about: "Every finding with its failure paths, for scripts",
        wants: Want::All,
        render: |r, w| json::write_check(r.a.model, r.outcome, w),
        errors: Some(errors::json),
    },
    CheckFormat {
        name: "sarif",
        about: "SARIF 2.1.0, for GitHub code scanning",
        wants: Want::All,
        render: |r, w| sarif::write_check(r.a.model, r.rules, r.outcome, r.baseline_used, w),
        errors: Some(errors::sarif),
    },
    CheckFormat {
        name: "github",
        about: "GitHub Actions workflow commands (annotations)",
        wants: Want::None,
        render: |r, w| w.write_all(github::check(r.a.model, r.outcome).as_bytes()),
        errors: Some(errors::github),
    },
    CheckFormat {
        name: "junit",
        about: "JUnit XML: one test suite per rule",
        wants: Want::None,
        render: |r, w| {
            w.write_all(junit::to_string(&junit::check(r.a.model, r.rules, r.outcome)).as_bytes())
        },
        errors: Some(errors::junit),
    },
    CheckFormat {
        name: "markdown",
        about: "Markdown, for $GITHUB_STEP_SUMMARY and pull-request comments",
        wants: Want::First(markdown::MAX_CHAINS),
        render: |r, w| w.write_all(markdown::check(r.a, r.rules, r.outcome).as_bytes()),
        errors: Some(errors::markdown),
    },
];

impl CheckFormat {
    pub fn named(name: &str) -> Option<CheckFormat> {
        FORMATS.iter().find(|f| f.name == name).copied()
    }
}

/// clap reads `--format` straight from the table, so `--help` lists every
/// format with its description.
impl clap::ValueEnum for CheckFormat {
    fn value_variants<'a>() -> &'a [Self] {
        FORMATS
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name).help(self.about))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_human_comes_first() {
        let mut names: Vec<_> = FORMATS.iter().map(|f| f.name).collect();
        assert_eq!(names[0], "human", "the default format leads the list");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FORMATS.len());
        assert!(CheckFormat::named("sarif").is_some());
        assert!(CheckFormat::named("xml").is_none());
    }
}
