//! Typed findings: what a rule found, before any output format sees it.

use crate::input::source::Span;
use crate::model::{EntityId, Model};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a template reports; the rule adds its id and severity.
#[derive(Clone, Debug, Default)]
pub struct Hit {
    pub subject: EntityId,
    pub culprits: Vec<EntityId>,
    pub message: String,
    pub help: Option<String>,
    /// Extra labelled places beyond the subject and the culprits.
    pub notes: Vec<(Span, String)>,
    /// Label under each culprit's definition.
    pub culprit_label: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub subject: EntityId,
    /// Sorted by id.
    pub culprits: Vec<EntityId>,
    pub message: String,
    pub help: Option<String>,
    pub notes: Vec<(Span, String)>,
    pub culprit_label: String,
    /// The reason of the waiver that accepts it, if any.
    pub waived: Option<String>,
    /// Culprits accepted by waivers that name `culprits` (sorted by id);
    /// the finding is waived only when they are all of its culprits.
    pub waived_culprits: Vec<EntityId>,
}

impl Finding {
    /// Output order: by where the subject is defined, then rule, then
    /// culprits. Same input, same order, whatever the rules' order.
    pub fn sort(findings: &mut [Finding], model: &Model) {
        findings.sort_by(|a, b| {
            let (sa, sb) = (model.get(a.subject).span, model.get(b.subject).span);
            sa.start
                .cmp(&sb.start)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| names(model, &a.culprits).cmp(&names(model, &b.culprits)))
                .then_with(|| a.message.cmp(&b.message))
        });
    }
}

fn names<'m>(model: &'m Model, ids: &[EntityId]) -> Vec<&'m str> {
    ids.iter().map(|&i| model.name(i)).collect()
}
