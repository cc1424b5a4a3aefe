//! `faultline check`: every rule, findings in the format CI or a person
//! reads, and the exit status that fails a build.

use super::context::{self, Input, report_errors, report_warnings, style};
use crate::check;
use crate::finding::Severity;
use crate::prepare::{self, Prepared};
use crate::report::{github, human, json, junit, markdown, sarif};
use crate::source::Sources;

/// `faultline check --format`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML: one test suite per rule.
    Junit,
    /// Markdown, for $GITHUB_STEP_SUMMARY and pull-request comments.
    Markdown,
}

/// `--fail-level`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum FailLevel {
    Error,
    Warning,
    Info,
    Never,
}

impl FailLevel {
    fn severity(self) -> Option<Severity> {
        match self {
            FailLevel::Error => Some(Severity::Error),
            FailLevel::Warning => Some(Severity::Warning),
            FailLevel::Info => Some(Severity::Info),
            FailLevel::Never => None,
        }
    }
}

pub struct Options<'a> {
    pub format: CheckFormat,
    pub fail_level: Option<FailLevel>,
    pub baseline: Option<&'a str>,
    pub write_baseline: Option<&'a str>,
}

pub fn run(input: &Input, opt: Options) -> Result<i32, i32> {
    let progress = crate::progress::Progress::new(matches!(opt.format, CheckFormat::Human));
    progress.phase("reading the description");
    let Prepared {
        model,
        rules,
        config,
        ..
    } = context::load(input)?;
    progress.phase("analysing failures");
    let a = context::analysis(&model, &config, input)?;
    let mut outcome = check::run(&a, &rules);
    let baseline_used =
        crate::baseline::apply_options(&model, &mut outcome, opt.baseline, opt.write_baseline)
            .map_err(|e| report_errors(&Sources::new(), &[e], input.no_color))?;
    let unused = prepare::unused_waivers(&model, &outcome, &a.today);
    progress.phase("writing the report");
    let text = match opt.format {
        CheckFormat::Json => json::check_text(&model, &outcome),
        CheckFormat::Human => human::check(&model, &outcome, style(input.no_color)),
        CheckFormat::Sarif => sarif::check_text(&model, &rules, &outcome, baseline_used),
        CheckFormat::Github => github::check(&model, &outcome),
        CheckFormat::Junit => junit::to_string(&junit::check(&model, &rules, &outcome)),
        CheckFormat::Markdown => markdown::check(&a, &rules, &outcome),
    };
    drop(progress);
    report_warnings(&model.sources, &unused, input.no_color);
    context::out(&text);
    if let Some(e) = &outcome.limit {
        // The findings above are all true, but some rule could not finish:
        // never let that pass as a clean run.
        return Err(context::too_large(e, input.no_color));
    }
    let level = match (opt.fail_level, config.fail_level) {
        (Some(l), _) => l.severity(),
        (None, Some(from_config)) => from_config,
        (None, None) => Some(Severity::Error),
    };
    Ok(if outcome.failing(level) > 0 {
        context::FINDINGS
    } else {
        context::CLEAN
    })
}
