//! The command-line side every command shares: the path and config
//! arguments, calling `check::prepare` with them, printing to the terminal
//! and turning errors into exit statuses. The language server reads the
//! same inputs through `check::prepare` without any of this.

use crate::analysis::Analysis;
use crate::check::config::Config;
use crate::check::prepare::{self, Prepared};
use crate::engine::TooLarge;
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::Sources;
use crate::model::date::{parse_date, today};
use crate::model::{Date, EntityId, Kind, Model};
use crate::report::human;
use crate::report::terminal::Stream;
use crate::rules::RuleSet;
use std::io::Write;

/// What every description-reading command takes.
#[derive(clap::Args, Debug)]
pub struct Input {
    /// Description files and directories (directories are read recursively).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Directory of custom rule files (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<String>,
    /// Config file (default: faultline.yaml or .faultline.yaml in the
    /// working directory or the nearest parent that has one).
    #[arg(long, value_name = "FILE")]
    pub config: Option<String>,
    /// The date waivers expire against (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// The old spelling of `--color never`, kept for scripts.
    #[arg(long, hide = true)]
    pub no_color: bool,
}

/// `--format` of the commands that print data rather than findings.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DataFormat {
    Human,
    Json,
}

pub fn out(s: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

pub fn err(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// How to draw what goes to stdout (see `report::terminal`).
pub fn style(no_color: bool) -> human::Style {
    human::Style::of(Stream::Stdout, no_color)
}

/// Columns a text printed on stdout must fit.
pub fn width() -> usize {
    crate::report::terminal::width(Stream::Stdout)
}

/// How to draw what goes to stderr: errors and warnings.
pub fn err_style(no_color: bool) -> human::Style {
    human::Style::of(Stream::Stderr, no_color)
}

pub fn report_errors(sources: &Sources, errors: &[InputError], no_color: bool) -> i32 {
    err(&human::errors(sources, errors, err_style(no_color)));
    exit::INPUT_ERROR
}

pub fn report_warnings(sources: &Sources, warnings: &[InputError], no_color: bool) {
    if !warnings.is_empty() {
        err(&human::errors(sources, warnings, err_style(no_color)));
    }
}

/// Says that the analysis stopped at a limit; returns its exit status.
pub fn too_large(e: &TooLarge, no_color: bool) -> i32 {
    if e.detail.is_some() {
        report_errors(
            &Sources::new(),
            &[InputError::plain(human::ANALYSIS_LIMIT, format!("the analysis stopped: {e}"))
                .help("the answer would be a guess past this point; anti_affinity lists that do not overlap, or vms that differ less (same start, same requires), keep the search small")],
            no_color,
        );
        return exit::ANALYSIS_LIMIT;
    }
    report_errors(
        &Sources::new(),
        &[InputError::plain(human::ANALYSIS_LIMIT, format!("the analysis stopped: {e}"))
            .help("ask for a lower order (`--max-order`, `--order`, a rule's `order` or the config's `availability: {order}`); at this one the estate has more cut sets than a report could show (the config's `limits: {max_cut_sets}` may have lowered the limit)")],
        no_color,
    );
    exit::ANALYSIS_LIMIT
}

pub fn load_rules(dirs: &[String], no_color: bool) -> Result<RuleSet, i32> {
    match prepare::policy(dirs, None) {
        Ok((sources, _, rules, warnings)) => {
            report_warnings(&sources, &warnings, no_color);
            Ok(rules)
        }
        Err(f) => Err(report_errors(&f.sources, &f.errors, no_color)),
    }
}

/// Config, rules and description; prints errors (and returns the exit
/// code) or warnings.
pub fn load(input: &Input) -> Result<Prepared, i32> {
    load_or(input, |_, _| {})
}

/// [`load`], also handing the input errors to `also` (a format that shows
/// them where CI looks) after stderr has them.
pub fn load_or(input: &Input, also: impl FnOnce(&Sources, &[InputError])) -> Result<Prepared, i32> {
    match prepare::prepare(&input.paths, &input.rules, input.config.as_deref()) {
        Ok(p) => {
            report_warnings(&p.model.sources, &p.warnings, input.no_color);
            Ok(p)
        }
        Err(f) => {
            let status = report_errors(&f.sources, &f.errors, input.no_color);
            also(&f.sources, &f.errors);
            Err(status)
        }
    }
}

pub fn analysis<'m>(model: &'m Model, config: &Config, input: &Input) -> Result<Analysis<'m>, i32> {
    Ok(config.analysis(model, resolve_today(input)?))
}

fn resolve_today(input: &Input) -> Result<Date, i32> {
    match &input.today {
        None => Ok(today()),
        Some(s) => parse_date(s).ok_or_else(|| {
            report_errors(
                &Sources::new(),
                &[if crate::model::date::looks_like_date(s) {
                    InputError::plain(
                        "usage",
                        format!("--today `{s}` is not a day of the calendar"),
                    )
                    .help("check the month and day")
                } else {
                    InputError::plain("usage", format!("--today `{s}` is not a date"))
                        .help("write it as YYYY-MM-DD")
                }],
                input.no_color,
            )
        }),
    }
}

/// Width of a table's name column: the longest name, at least 7 (the
/// header), at most 60 so that one very long id runs past its column
/// instead of padding every row of the table to its length.
pub fn column_width(lens: impl Iterator<Item = usize>) -> usize {
    lens.max().unwrap_or(0).clamp(7, 60)
}

/// The service that `--service ID` names.
pub fn lookup_service(model: &Model, id: &str) -> Result<EntityId, InputError> {
    match model.lookup(id) {
        Some(x) if model.get(x).kind() == Kind::Service => Ok(x),
        Some(x) => Err(InputError::plain(
            "usage",
            format!(
                "--service `{id}` is a {}, not a service",
                model.get(x).kind().singular()
            ),
        )
        .help("name a service id; without --service the whole graph is drawn")),
        None => {
            let services = model.of_kind(Kind::Service).map(|s| model.name(s));
            let e = InputError::plain("unknown-id", format!("--service `{id}`: no such service"));
            Err(match did_you_mean(id, services) {
                Some(s) => e.help(format!("did you mean `{s}`?")),
                None => e.help("`faultline spof PATH...` lists the services"),
            })
        }
    }
}
