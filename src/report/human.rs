//! Terminal output: miette's graphical reports, pointing at the YAML.
//!
//! The subject's id gets the primary label, each culprit's definition a
//! secondary one (in whatever file it lives: all files share one address
//! space, see `source.rs`), and the help line says what would fix it.

use crate::analysis::paths::Chain;
use crate::check::Outcome;
use crate::input::diag::{InputError, cut_long_ids};
use crate::input::source::Sources;
use crate::model::Model;
use crate::report::{chains, terminal};
use crate::rules::finding::{Finding, Severity};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::fmt;

pub use super::terminal::Style;

/// miette's renderer in a style: its messages wrap at the style's width.
fn handler(style: Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1)
        // Ids contain hyphens: never break a line inside one.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// At most this many culprit labels per finding; the message lists them all.
const MAX_CULPRIT_LABELS: usize = 8;

/// At most this many failure paths under a finding; `faultline why` shows
/// them all.
pub const MAX_CHAINS: usize = 8;

/// The failure paths of a finding, under its report: one compact chain
/// per culprit (see `chains.rs`), wrapped between steps.
fn why_block(model: &Model, f: &Finding, paths: Option<&[Chain]>, width: usize) -> String {
    let Some(paths) = paths else {
        return String::new();
    };
    const LEAD: &str = "  why: ";
    let indent = LEAD.len();
    let mut s = String::new();
    for (i, ch) in paths.iter().take(MAX_CHAINS).enumerate() {
        s.push_str(if i == 0 { LEAD } else { "       " });
        let seg = chains::compact(model, ch);
        s.push_str(&chains::wrapped(&seg, indent, indent + 2, width));
        s.push('\n');
    }
    let more = f.culprits.len().saturating_sub(paths.len().min(MAX_CHAINS));
    if more > 0 {
        let text = format!(
            "... and {more} more (`faultline why PATH... --service {}` shows them all)",
            cut_long_ids(&format!("`{}`", model.name(f.subject))).trim_matches('`')
        );
        s.push_str(&terminal::fill(&text, width, "       ", "         "));
    }
    s
}

struct FindingDiag<'a> {
    f: &'a Finding,
    model: &'a Model,
    /// In the `--baseline` file: shown, but not failing.
    baselined: bool,
}

impl fmt::Debug for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl fmt::Display for FindingDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&cut_long_ids(&self.f.message))
    }
}

impl std::error::Error for FindingDiag<'_> {}

impl Diagnostic for FindingDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let waived = if self.f.waived.is_some() {
            " (waived)"
        } else if self.baselined {
            " (baselined)"
        } else {
            ""
        };
        Some(Box::new(format!("{}{waived}", self.f.rule)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        match (&self.f.waived, &self.f.help) {
            (Some(reason), _) => Some(Box::new(format!("waived: {reason}"))),
            (None, Some(h)) => Some(Box::new(cut_long_ids(h))),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.model.sources)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let m = self.model;
        let subject = m.get(self.f.subject);
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(
                cut_long_ids(&format!("{} `{}`", subject.kind().singular(), subject.id))
                    .into_owned(),
            ),
            subject.span,
        )];
        for &c in self
            .f
            .culprits
            .iter()
            .filter(|&&c| c != self.f.subject)
            .take(MAX_CULPRIT_LABELS)
        {
            let text = if self.f.culprit_label.is_empty() {
                None
            } else {
                Some(self.f.culprit_label.clone())
            };
            labels.push(LabeledSpan::new_with_span(text, m.get(c).span));
        }
        for (span, text) in &self.f.notes {
            labels.push(LabeledSpan::new_with_span(
                Some(cut_long_ids(text).into_owned()),
                *span,
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

struct ErrorDiag<'a> {
    e: &'a InputError,
    sources: &'a Sources,
}

impl fmt::Debug for ErrorDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e.message)
    }
}

impl fmt::Display for ErrorDiag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Also say where in plain words: the first line is what CI logs show.
        match self.e.primary_span() {
            Some(span) if !self.sources.files().is_empty() => {
                let (file, lc) = self.sources.locate(span);
                let message = cut_long_ids(&self.e.message);
                write!(f, "{file}:{}:{}: {message}", lc.line, lc.column)
            }
            _ => f.write_str(&cut_long_ids(&self.e.message)),
        }
    }
}

impl std::error::Error for ErrorDiag<'_> {}

impl Diagnostic for ErrorDiag<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(if self.e.code == ANALYSIS_LIMIT {
            "analysis::limit".to_owned()
        } else {
            format!("input::{}", self.e.code)
        }))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.e.warning {
            miette::Severity::Warning
        } else {
            miette::Severity::Error
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.e
            .help
            .as_ref()
            .map(|h| Box::new(cut_long_ids(h)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        if self.e.labels.is_empty() {
            None
        } else {
            Some(self.sources)
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.e.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.e.labels.iter().map(|l| {
            let text = if l.text.is_empty() {
                None
            } else {
                Some(cut_long_ids(&l.text).into_owned())
            };
            if l.primary {
                LabeledSpan::new_primary_with_span(text, l.span)
            } else {
                LabeledSpan::new_with_span(text, l.span)
            }
        })))
    }
}

/// A report without its source snippet, for labels on lines too long to
/// draw (see [`Sources::on_long_line`]): the location, when the message
/// does not already start with it, leads the message.
struct Bare<'a> {
    d: &'a dyn Diagnostic,
    at: Option<String>,
}

impl fmt::Debug for Bare<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Bare<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some(at) => write!(f, "{at}: {}", self.d),
            None => write!(f, "{}", self.d),
        }
    }
}

impl std::error::Error for Bare<'_> {}

impl Diagnostic for Bare<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.d.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d.help()
    }
}

/// Renders one report; `subject` is where a finding's location is, for
/// when its snippet cannot be drawn (input errors carry theirs already).
fn render(
    handler: &GraphicalReportHandler,
    d: &dyn Diagnostic,
    sources: &Sources,
    subject: Option<crate::input::source::Span>,
    trailer: &str,
    out: &mut String,
) {
    let long = d.labels().is_some_and(|mut labels| {
        labels.any(|l| {
            sources.on_long_line(crate::input::source::Span::new(
                l.offset() as u32,
                l.len() as u32,
            ))
        })
    });
    let bare;
    let d = if long {
        let at = subject.map(|s| {
            let (file, lc) = sources.locate(s);
            format!("{file}:{}:{}", lc.line, lc.column)
        });
        bare = Bare { d, at };
        &bare as &dyn Diagnostic
    } else {
        d
    };
    // Writing into a String cannot fail; a rendering problem degrades to the message.
    if handler.render_report(out, d).is_err() {
        out.push_str(&d.to_string());
    }
    out.push_str(trailer);
    out.push('\n');
}

/// The code of the error that stops a run at an analysis limit (exit 3,
/// not an input error).
pub const ANALYSIS_LIMIT: &str = "analysis-limit";

pub fn errors(sources: &Sources, errors: &[InputError], style: Style) -> String {
    let handler = handler(style);
    let mut out = String::new();
    for e in errors {
        render(
            &handler,
            &ErrorDiag { e, sources },
            sources,
            None,
            "",
            &mut out,
        );
    }
    let n = errors
        .iter()
        .filter(|e| e.code != "too-many-errors" && e.code != ANALYSIS_LIMIT && !e.warning)
        .count();
    if errors.iter().any(|e| e.code == ANALYSIS_LIMIT) {
        out.push_str(&format!(
            "faultline: {} (exit 3)\n",
            style.error("the analysis stopped at a limit")
        ));
    } else if n > 0 {
        out.push_str(&format!(
            "faultline: {} (exit 2)\n",
            style.error(&plural(n, "input error"))
        ));
    }
    out
}

pub fn check(model: &Model, outcome: &Outcome, style: Style) -> String {
    let handler = handler(style);
    let mut out = String::new();
    for (i, f) in outcome.findings.iter().enumerate() {
        let baselined = outcome.is_baselined(i);
        render(
            &handler,
            &FindingDiag {
                f,
                model,
                baselined,
            },
            &model.sources,
            Some(model.get(f.subject).span),
            &why_block(model, f, outcome.paths_of(i), style.width),
            &mut out,
        );
    }
    out.push_str(&errors(&model.sources, &outcome.unused_waivers, style));
    out.push_str(&summary(model, outcome, style));
    out
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A count of findings of one severity, coloured when there are any.
fn counted(o: &Outcome, sev: Severity, style: Style) -> String {
    let n = o.count(sev);
    let text = terminal::count(n, sev);
    if n > 0 {
        style.severity(sev, &text)
    } else {
        text
    }
}

/// The line that ends a check: counts by severity (the JSON's words),
/// what was waived or baselined, and what was read; wrapped at the width.
pub fn summary(model: &Model, o: &Outcome, style: Style) -> String {
    let services = model.of_kind(crate::model::Kind::Service).count();
    let mut s = format!(
        "faultline: {}, {}, {}",
        counted(o, Severity::Error, style),
        counted(o, Severity::Warning, style),
        counted(o, Severity::Info, style),
    );
    let mut aside = Vec::new();
    if o.waived() > 0 {
        aside.push(format!("{} waived", o.waived()));
    }
    if o.baselined() > 0 {
        aside.push(format!("{} baselined", o.baselined()));
    }
    if !o.unused_waivers.is_empty() {
        aside.push(plural(o.unused_waivers.len(), "unused waiver"));
    }
    if !aside.is_empty() {
        s.push_str(&format!(" ({})", aside.join(", ")));
    }
    s.push_str(&format!(
        " in {} and {} from {}",
        plural(services, "service"),
        plural(model.len(), "entity").replace("entitys", "entities"),
        plural(model.description_files.len(), "file"),
    ));
    terminal::fill(&s, style.width, "", "  ")
}
