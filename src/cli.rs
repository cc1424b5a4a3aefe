//! The command line: a thin layer that reads inputs, calls the library and
//! picks an output format. Exit codes: 0 clean, 1 findings at or above the
//! fail level, 2 input or usage error.

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diag::{InputError, did_you_mean};
use crate::finding::Severity;
use crate::load::parse_date;
use crate::model::{Date, Model};
use crate::prepare::{self, Prepared};
use crate::report::{github, junit, markdown, sarif};
use crate::report::{human, json};
use crate::rules::RuleSet;
use crate::source::Sources;
use crate::{check, commands};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};

#[derive(Parser, Debug)]
#[command(
    name = "faultline",
    version,
    about = "Architecture linter for infrastructure: finds what one failure takes down",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint descriptions: every rule, annotated findings.
    Check {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value = "human")]
        format: CheckFormat,
        /// Lowest severity that makes the exit code 1 [default: error, or
        /// the config's fail_level].
        #[arg(long, value_enum)]
        fail_level: Option<FailLevel>,
        /// Baseline file: findings whose fingerprint it lists are shown as
        /// baselined and do not fail the run; only new ones do.
        #[arg(long, value_name = "FILE")]
        baseline: Option<String>,
        /// Write the fingerprints of the current findings to FILE (they
        /// then count as baselined for this run).
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<String>,
    },
    /// Single points of failure of every service.
    Spof {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// What is down, degraded and one failure from an outage when these fail.
    Impact {
        #[command(flatten)]
        input: Input,
        /// An entity id to fail (repeatable).
        #[arg(long = "fail", value_name = "ID", required = true)]
        fail: Vec<String>,
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// Minimal sets of units whose joint failure takes each service down.
    Cuts {
        #[command(flatten)]
        input: Input,
        /// Largest cut set size to enumerate.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=6))]
        max_order: u32,
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// Estimated availability of every service against its SLO.
    Availability {
        #[command(flatten)]
        input: Input,
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// List every rule (built-in and custom).
    Rules {
        /// Directory of custom rule files (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Explain one rule: why it matters, how to fix it, an example.
    Explain {
        rule: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<String>,
    },
    /// Draw the dependency graph (or one service's cone) as DOT or Mermaid.
    Graph {
        #[command(flatten)]
        input: Input,
        /// Draw only this service and everything it depends on.
        #[arg(long, value_name = "ID")]
        service: Option<String>,
        #[arg(long, value_enum, default_value = "dot")]
        format: crate::report::graph::GraphFormat,
    },
    /// Print a JSON Schema (draft-07) of the description format, for editors.
    Schema,
    /// Language server (LSP over stdio) for editors: findings as you type,
    /// go to definition, references, rename, hover. See docs/editors.md.
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
}

#[derive(Args, Debug)]
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
    /// Never colour the output (NO_COLOR is honoured too).
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
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

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DataFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RulesFormat {
    Text,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
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

/// Exit statuses.
pub const CLEAN: i32 = 0;
pub const FINDINGS: i32 = 1;
pub const INPUT_ERROR: i32 = 2;

fn out(s: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().lock().write_all(s.as_bytes());
}

fn err(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

fn style(no_color: bool) -> human::Style {
    let color = !no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal()
        && std::io::stdout().is_terminal();
    let width = if std::io::stdout().is_terminal() {
        terminal_width().unwrap_or(100)
    } else {
        100
    };
    human::Style { color, width }
}

fn terminal_width() -> Option<usize> {
    std::env::var("COLUMNS").ok()?.parse().ok()
}

fn report_errors(sources: &Sources, errors: &[InputError], no_color: bool) -> i32 {
    err(&human::errors(sources, errors, style(no_color)));
    INPUT_ERROR
}

/// Today's date from the system clock (UTC).
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    civil_from_days(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    Date { year, month, day }
}

fn load_rules(dirs: &[String], no_color: bool) -> Result<RuleSet, i32> {
    match prepare::policy(dirs, None) {
        Ok((sources, _, rules, warnings)) => {
            report_warnings(&sources, &warnings, no_color);
            Ok(rules)
        }
        Err(f) => Err(report_errors(&f.sources, &f.errors, no_color)),
    }
}

fn report_warnings(sources: &Sources, warnings: &[InputError], no_color: bool) {
    if !warnings.is_empty() {
        err(&human::errors(sources, warnings, style(no_color)));
    }
}

/// Config, rules and description; prints errors (and returns the exit
/// code) or warnings.
fn load(input: &Input) -> Result<Prepared, i32> {
    match prepare::prepare(&input.paths, &input.rules, input.config.as_deref()) {
        Ok(p) => {
            report_warnings(&p.model.sources, &p.warnings, input.no_color);
            Ok(p)
        }
        Err(f) => Err(report_errors(&f.sources, &f.errors, input.no_color)),
    }
}

fn analysis<'m>(model: &'m Model, config: &Config, input: &Input) -> Result<Analysis<'m>, i32> {
    let defaults = config.availability.clone().unwrap_or_default();
    Ok(Analysis::new(model, resolve_today(input)?).with_defaults(defaults))
}

fn resolve_today(input: &Input) -> Result<Date, i32> {
    match &input.today {
        None => Ok(today()),
        Some(s) => parse_date(s).ok_or_else(|| {
            report_errors(
                &Sources::new(),
                &[if crate::load::looks_like_date(s) {
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

pub fn run(cli: Cli) -> i32 {
    match execute(cli) {
        Ok(code) | Err(code) => code,
    }
}

fn execute(cli: Cli) -> Result<i32, i32> {
    match cli.command {
        Command::Check {
            input,
            format,
            fail_level,
            baseline,
            write_baseline,
        } => {
            let progress = crate::progress::Progress::new(matches!(format, CheckFormat::Human));
            progress.phase("reading the description");
            let Prepared {
                model,
                rules,
                config,
                ..
            } = load(&input)?;
            progress.phase("analysing failures");
            let a = analysis(&model, &config, &input)?;
            let mut outcome = check::run(&a, &rules);
            let baseline_used = crate::baseline::apply_options(
                &model,
                &mut outcome,
                baseline.as_deref(),
                write_baseline.as_deref(),
            )
            .map_err(|e| report_errors(&Sources::new(), &[e], input.no_color))?;
            let unused = prepare::unused_waivers(&model, &outcome, &a.today);
            progress.phase("writing the report");
            let text = match format {
                CheckFormat::Json => json::check_text(&model, &outcome),
                CheckFormat::Human => human::check(&model, &outcome, style(input.no_color)),
                CheckFormat::Sarif => sarif::check_text(&model, &rules, &outcome, baseline_used),
                CheckFormat::Github => github::check(&model, &outcome),
                CheckFormat::Junit => junit::to_string(&junit::check(&model, &rules, &outcome)),
                CheckFormat::Markdown => markdown::check(&a, &rules, &outcome),
            };
            drop(progress);
            report_warnings(&model.sources, &unused, input.no_color);
            out(&text);
            let level = match (fail_level, config.fail_level) {
                (Some(l), _) => l.severity(),
                (None, Some(from_config)) => from_config,
                (None, None) => Some(Severity::Error),
            };
            Ok(if outcome.failing(level) > 0 {
                FINDINGS
            } else {
                CLEAN
            })
        }
        Command::Spof { input, format } => {
            let Prepared { model, config, .. } = load(&input)?;
            let a = analysis(&model, &config, &input)?;
            let answer = commands::spof(&a);
            match format {
                DataFormat::Json => out(&json::to_string(&commands::spof_json(&a, &answer))),
                DataFormat::Human => out(&commands::spof_human(&a, &answer)),
            }
            Ok(CLEAN)
        }
        Command::Impact {
            input,
            fail,
            format,
        } => {
            let Prepared { model, config, .. } = load(&input)?;
            let mut failed = Vec::new();
            let mut errors = Vec::new();
            for f in &fail {
                match model.lookup(f) {
                    Some(id) if model.get(id).kind() == crate::model::Kind::Cluster => {
                        // A cluster is a grouping, never down itself.
                        report_warnings(
                            &model.sources,
                            &[InputError::plain(
                                "not-a-unit",
                                format!("--fail `{f}`: a cluster never fails as such; fail its hosts to see what they take down"),
                            )
                            .warning()],
                            input.no_color,
                        );
                    }
                    Some(id) => failed.push(id),
                    None => {
                        let mut e = InputError::plain(
                            "unknown-id",
                            format!("--fail `{f}`: no entity has this id"),
                        );
                        if let Some(s) =
                            did_you_mean(f, model.entities.iter().map(|e| e.id.as_str()))
                        {
                            e = e.help(format!("did you mean `{s}`?"));
                        }
                        errors.push(e);
                    }
                }
            }
            if !errors.is_empty() {
                return Err(report_errors(&model.sources, &errors, input.no_color));
            }
            let a = analysis(&model, &config, &input)?;
            let answer = commands::impact(&a, &failed);
            match format {
                DataFormat::Json => out(&json::to_string(&commands::impact_json(&a, &answer))),
                DataFormat::Human => out(&commands::impact_human(&a, &failed, &answer)),
            }
            Ok(CLEAN)
        }
        Command::Cuts {
            input,
            max_order,
            format,
        } => {
            let Prepared { model, config, .. } = load(&input)?;
            let a = analysis(&model, &config, &input)?;
            let answer = commands::cuts(&a, max_order as usize);
            match format {
                DataFormat::Json => out(&json::to_string(&commands::cuts_json(&answer))),
                DataFormat::Human => out(&commands::cuts_human(&answer, max_order as usize)),
            }
            Ok(CLEAN)
        }
        Command::Availability { input, format } => {
            let Prepared { model, config, .. } = load(&input)?;
            let a = analysis(&model, &config, &input)?;
            match format {
                DataFormat::Json => out(&json::to_string(&commands::availability_json(&a))),
                DataFormat::Human => out(&commands::availability_human(&a)),
            }
            Ok(CLEAN)
        }
        Command::Rules { rules, format } => {
            let set = load_rules(&rules, false)?;
            out(&match format {
                RulesFormat::Text => commands::rules_text(&set),
                RulesFormat::Markdown => commands::rules_markdown(&set),
            });
            Ok(CLEAN)
        }
        Command::Explain { rule, rules } => {
            let set = load_rules(&rules, false)?;
            match set.get(&rule) {
                Some(r) => {
                    out(&commands::explain(r));
                    Ok(CLEAN)
                }
                None => {
                    let mut e = InputError::plain("unknown-rule", format!("no rule `{rule}`"));
                    e = e.suggest(&rule, set.ids(), "`faultline rules` lists the rule ids");
                    Err(report_errors(&Sources::new(), &[e], false))
                }
            }
        }
        Command::Graph {
            input,
            service,
            format,
        } => {
            use crate::report::graph as picture;
            let Prepared {
                model,
                rules,
                config,
                ..
            } = load(&input)?;
            let root = match &service {
                None => None,
                Some(s) => Some(
                    picture::lookup_service(&model, s)
                        .map_err(|e| report_errors(&Sources::new(), &[e], input.no_color))?,
                ),
            };
            let a = analysis(&model, &config, &input)?;
            let outcome = check::run(&a, &rules);
            let view = picture::view(&model, &a.circuit, &rules, &outcome, root);
            out(&picture::render(&model, &view, format));
            Ok(CLEAN)
        }
        Command::Schema => {
            out(&crate::jsonschema::to_string());
            Ok(CLEAN)
        }
        Command::Lsp { .. } => Ok(crate::lsp::run()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0).to_string(), "1970-01-01");
        assert_eq!(civil_from_days(20_782).to_string(), "2026-11-25");
        assert_eq!(civil_from_days(11_016).to_string(), "2000-02-29");
    }
}
