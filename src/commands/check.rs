//! `faultline check`: every rule, findings in the format CI or a person
//! reads, and the exit status that fails a build. One analysis feeds every
//! output: `--format` goes to stdout, each `--output FORMAT=FILE` to its
//! file, so a CI job runs the analysis once for SARIF, Markdown and
//! annotations alike.

use super::context::{self, Input, report_errors, report_warnings, style};
use crate::analysis::Analysis;
use crate::check::paths::Want;
use crate::check::prepare::{self, Prepared};
use crate::check::{self, Outcome};
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::Sources;
use crate::model::Model;
use crate::report::{github, human, json, junit, markdown, sarif};
use crate::rules::RuleSet;
use crate::rules::finding::Severity;
use clap::ValueEnum;

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

impl CheckFormat {
    /// The failure paths this format shows.
    fn wants(self) -> Want {
        match self {
            CheckFormat::Human => Want::First(human::MAX_CHAINS),
            CheckFormat::Markdown => Want::First(markdown::MAX_CHAINS),
            CheckFormat::Json | CheckFormat::Sarif => Want::All,
            CheckFormat::Github | CheckFormat::Junit => Want::None,
        }
    }

    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}

/// One `--output FORMAT=FILE`.
#[derive(Clone, Debug)]
pub struct Output {
    pub format: CheckFormat,
    pub file: String,
}

/// Parses `FORMAT=FILE` (clap reports an error as a usage error, exit 2).
pub fn parse_output(s: &str) -> Result<Output, String> {
    let Some((name, file)) = s.split_once('=') else {
        return Err(format!(
            "`{s}` is not FORMAT=FILE (e.g. `sarif=faultline.sarif`)"
        ));
    };
    if file.is_empty() {
        return Err(format!("`{s}` names no file after `=`"));
    }
    let names: Vec<String> = CheckFormat::value_variants()
        .iter()
        .map(|f| f.name())
        .collect();
    match CheckFormat::value_variants()
        .iter()
        .find(|f| f.name() == name)
    {
        Some(&format) => Ok(Output {
            format,
            file: file.to_owned(),
        }),
        None => {
            let hint = match did_you_mean(name, names.iter().map(String::as_str)) {
                Some(n) => format!("did you mean `{n}`? "),
                None => String::new(),
            };
            Err(format!(
                "unknown format `{name}`: {hint}formats are {}",
                names.join(", ")
            ))
        }
    }
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
    /// `--output FORMAT=FILE`, in the order given.
    pub outputs: &'a [Output],
}

/// What every format of one run is rendered from.
struct Run<'a> {
    a: &'a Analysis<'a>,
    model: &'a Model,
    rules: &'a RuleSet,
    outcome: &'a Outcome,
    baseline_used: bool,
    no_color: bool,
}

impl Run<'_> {
    fn render(&self, format: CheckFormat, to_terminal: bool) -> String {
        let (model, rules, outcome) = (self.model, self.rules, self.outcome);
        match format {
            CheckFormat::Json => json::check_text(model, outcome),
            CheckFormat::Human if to_terminal => human::check(model, outcome, style(self.no_color)),
            CheckFormat::Human => human::check(model, outcome, human::Style::plain()),
            CheckFormat::Sarif => sarif::check_text(model, rules, outcome, self.baseline_used),
            CheckFormat::Github => github::check(model, outcome),
            CheckFormat::Junit => junit::to_string(&junit::check(model, rules, outcome)),
            CheckFormat::Markdown => markdown::check(self.a, rules, outcome),
        }
    }
}

pub fn run(input: &Input, opt: Options) -> Result<i32, i32> {
    let progress =
        crate::commands::progress::Progress::new(matches!(opt.format, CheckFormat::Human));
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
    let baseline_used = crate::check::baseline::apply_options(
        &model,
        &mut outcome,
        opt.baseline,
        opt.write_baseline,
    )
    .map_err(|e| report_errors(&Sources::new(), &[e], input.no_color))?;
    let unused = prepare::unused_waivers(&model, &outcome, &a.today);
    progress.phase("tracing failure paths");
    let want = std::iter::once(opt.format)
        .chain(opt.outputs.iter().map(|o| o.format))
        .map(CheckFormat::wants)
        .max()
        .unwrap_or(Want::None);
    let paths = crate::check::paths::attach(&a, &rules, &mut outcome, want);
    progress.phase("writing the report");
    let run = Run {
        a: &a,
        model: &model,
        rules: &rules,
        outcome: &outcome,
        baseline_used,
        no_color: input.no_color,
    };
    for o in opt.outputs {
        let text = run.render(o.format, false);
        if let Err(e) = std::fs::write(&o.file, text) {
            drop(progress);
            return Err(report_errors(
                &Sources::new(),
                &[InputError::plain(
                    "cannot-write",
                    format!(
                        "--output {}={}: cannot write the file: {e}",
                        o.format.name(),
                        o.file
                    ),
                )],
                input.no_color,
            ));
        }
    }
    let text = run.render(opt.format, true);
    drop(progress);
    report_warnings(&model.sources, &unused, input.no_color);
    context::out(&text);
    if let Err(e) = &paths {
        // Every finding is shown, but without the paths a format promises.
        report_errors(
            &Sources::new(),
            &[InputError::plain("analysis-limit", format!("failure paths are left out: {e}"))
                .help("the findings above are complete; `faultline why PATH... --service ID` traces one service")],
            input.no_color,
        );
        return Err(exit::ANALYSIS_LIMIT);
    }
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
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}
