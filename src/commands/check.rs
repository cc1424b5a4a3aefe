//! `faultline check`: every rule, findings in the format CI or a person
//! reads, and the exit status that fails a build. One analysis feeds every
//! output: `--format` goes to stdout, each `--output FORMAT=FILE` to its
//! file, so a CI job runs the analysis once for SARIF, Markdown and
//! annotations alike.

use super::context::{self, Input, report_errors, style};
use crate::check;
use crate::check::paths::Want;
use crate::check::prepare::Prepared;
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::Sources;
use crate::report::check::{CheckFormat, FORMATS, Run};
use crate::report::human;
use crate::rules::finding::Severity;
use std::io::Write;
use std::mem::ManuallyDrop;

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
    let names: Vec<&str> = FORMATS.iter().map(|f| f.name).collect();
    match CheckFormat::named(name) {
        Some(format) => Ok(Output {
            format,
            file: file.to_owned(),
        }),
        None => {
            let hint = match did_you_mean(name, names.iter().copied()) {
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

pub fn run(input: &Input, opt: Options) -> Result<i32, i32> {
    let progress = crate::commands::progress::Progress::new(opt.format.name == "human");
    progress.phase("reading the description");
    let Prepared {
        model,
        rules,
        config,
        ..
    } = context::load_or(input, |sources, errors| {
        // CI reads stdout and the --output files: the errors go there too.
        for o in opt.outputs {
            if let Some(render) = o.format.errors {
                let _ = std::fs::write(&o.file, render(sources, errors));
            }
        }
        if let Some(render) = opt.format.errors {
            context::out(&render(sources, errors));
        }
    })?;
    // The process ends with this command: freeing the model, the analysis
    // and the findings (tens of millions of small allocations on a
    // 1M-entity estate) one by one took a quarter of a second, for memory
    // the exit returns at once.
    let model = ManuallyDrop::new(model);
    progress.phase("analysing failures");
    let a = ManuallyDrop::new(context::analysis(&model, &config, input)?);
    let mut outcome = ManuallyDrop::new(check::run(&a, &rules));
    let baseline_used = crate::check::baseline::apply_options(
        &model,
        &mut outcome,
        opt.baseline,
        opt.write_baseline,
    )
    .map_err(|e| report_errors(&Sources::new(), &[e], input.no_color))?;
    progress.phase("tracing failure paths");
    let want = std::iter::once(opt.format)
        .chain(opt.outputs.iter().map(|o| o.format))
        .map(|f| f.wants)
        .max()
        .unwrap_or(Want::None);
    let paths = crate::check::paths::attach(&a, &rules, &mut outcome, want);
    progress.phase("writing the report");
    let to_file = Run {
        a: &a,
        rules: &rules,
        outcome: &outcome,
        baseline_used,
        style: human::Style::plain(),
    };
    for o in opt.outputs {
        let written = std::fs::File::create(&o.file)
            .and_then(|mut f| (o.format.render)(&to_file, &mut f).and_then(|()| f.flush()));
        if let Err(e) = written {
            drop(progress);
            return Err(report_errors(
                &Sources::new(),
                &[InputError::plain(
                    "cannot-write",
                    format!(
                        "--output {}={}: cannot write the file: {e}",
                        o.format.name, o.file
                    ),
                )],
                input.no_color,
            ));
        }
    }
    let to_terminal = Run {
        style: style(input.no_color),
        ..to_file
    };
    progress.hide();
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = (opt.format.render)(&to_terminal, &mut std::io::stdout().lock());
    drop(progress);
    let limit = outcome.limit.clone();
    let failing = outcome.failing(match (opt.fail_level, config.fail_level) {
        (Some(l), _) => l.severity(),
        (None, Some(from_config)) => from_config,
        (None, None) => Some(Severity::Error),
    });
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
    if let Some(e) = &limit {
        // The findings above are all true, but some rule could not finish:
        // never let that pass as a clean run.
        return Err(context::too_large(e, input.no_color));
    }
    Ok(if failing > 0 {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}
