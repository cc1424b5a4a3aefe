//! The command line: clap's description of the commands, and a dispatch to
//! the module of each (`commands/`). Exit codes: 0 clean, 1 findings at or
//! above the fail level, 2 input or usage error, 3 an analysis limit.

use crate::commands::check::FailLevel;
use crate::commands::context::{self, DataFormat, Input};
use crate::commands::risks::RisksFormat;
use crate::commands::rules::RulesFormat;
use crate::commands::{
    availability, check, cuts, graph, impact, recovery, risks, rules, spof, why,
};
use crate::report::check::CheckFormat;
use crate::report::terminal::{self, ColorChoice};
use clap::{Parser, Subcommand};

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
    /// When to colour the output: auto (a terminal, unless NO_COLOR is
    /// set), always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    pub color: ColorChoice,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint descriptions: every rule, annotated findings.
    Check {
        #[command(flatten)]
        input: Input,
        /// Output format (the CI formats are described in docs/ci.md).
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
        /// Also write FORMAT (any `--format` value) to FILE, from the same
        /// run (repeatable).
        #[arg(long = "output", value_name = "FORMAT=FILE", value_parser = check::parse_output)]
        output: Vec<check::Output>,
    },
    /// Single points of failure of every service.
    Spof {
        #[command(flatten)]
        input: Input,
        /// human: for a terminal; json: for scripts.
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// How each single point of failure of a service takes it down, step
    /// by step.
    Why {
        #[command(flatten)]
        input: Input,
        /// The service to explain.
        #[arg(long, value_name = "ID")]
        service: String,
        /// Only this unit's chain (or, if it is no single point of failure,
        /// the pairs it is part of).
        #[arg(long, value_name = "ID")]
        unit: Option<String>,
        /// human: for a terminal; json: for scripts.
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
        /// human: for a terminal; json: for scripts.
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// Minimal sets of units whose joint failure takes each service down.
    Cuts {
        #[command(flatten)]
        input: Input,
        /// Largest cut set size to find.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=6))]
        max_order: u32,
        /// human: for a terminal; json: for scripts.
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// Estimated availability of every service against its SLO.
    Availability {
        #[command(flatten)]
        input: Input,
        /// Sum over minimal cut sets of up to K units.
        #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=4))]
        order: u32,
        /// human: for a terminal; json: for scripts.
        #[arg(long, value_enum, default_value = "human")]
        format: DataFormat,
    },
    /// For how long each kind of failure takes each service down (RTO),
    /// how much data it loses (RPO), against the services' targets.
    Recovery {
        #[command(flatten)]
        input: Input,
        /// Only this unit: every service's recovery time and point, step
        /// by step.
        #[arg(long = "fail", value_name = "ID")]
        fail: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: recovery::RecoveryFormat,
    },
    /// Every unit ranked by the service downtime it accounts for: what to
    /// fix first.
    Risks {
        #[command(flatten)]
        input: Input,
        /// Count minimal cut sets of up to K units.
        #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=4))]
        order: u32,
        /// Units shown by the human and Markdown forms (JSON lists all).
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: RisksFormat,
    },
    /// List every rule (built-in and custom).
    Rules {
        /// Directory of custom rule files (repeatable).
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<String>,
        /// human: one line per rule; markdown: the reference page with
        /// every rule's reasoning (docs/rules.md).
        #[arg(long, value_enum, default_value = "human")]
        format: RulesFormat,
    },
    /// Explain one rule: why it matters, how to fix it, an example.
    Explain {
        /// The rule's id (`faultline rules` lists them).
        rule: String,
        /// Directory of custom rule files (repeatable), to explain one of
        /// them.
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
        /// dot (Graphviz) or mermaid.
        #[arg(long, value_enum, default_value = "dot")]
        format: crate::report::graph::GraphFormat,
    },
    /// Print a JSON Schema (draft-07) of the description format, for editors.
    Schema,
    /// Generate the description from a source of truth (NetBox).
    Import {
        #[command(subcommand)]
        source: crate::import::Source,
    },
    /// Language server (LSP over stdio) for editors: findings as you type,
    /// go to definition, references, rename, hover. See docs/editors.md.
    Lsp {
        /// Accepted for clients that pass it; stdio is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
}

pub fn run(cli: Cli) -> i32 {
    terminal::set_color_choice(cli.color);
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
            output,
        } => check::run(
            &input,
            check::Options {
                format,
                fail_level,
                baseline: baseline.as_deref(),
                write_baseline: write_baseline.as_deref(),
                outputs: &output,
            },
        ),
        Command::Spof { input, format } => spof::run(&input, format),
        Command::Why {
            input,
            service,
            unit,
            format,
        } => why::run(&input, &service, unit.as_deref(), format),
        Command::Impact {
            input,
            fail,
            format,
        } => impact::run(&input, &fail, format),
        Command::Cuts {
            input,
            max_order,
            format,
        } => cuts::run(&input, max_order as usize, format),
        Command::Availability {
            input,
            order,
            format,
        } => availability::run(&input, order as usize, format),
        Command::Risks {
            input,
            order,
            top,
            format,
        } => risks::run(&input, order as usize, top, format),
        Command::Recovery {
            input,
            fail,
            format,
        } => recovery::run(&input, fail.as_deref(), format),
        Command::Rules { rules, format } => rules::run_list(&rules, format),
        Command::Explain { rule, rules } => rules::run_explain(&rule, &rules),
        Command::Graph {
            input,
            service,
            format,
        } => graph::run(&input, service.as_deref(), format),
        Command::Schema => {
            context::out(&crate::report::jsonschema::to_string());
            Ok(crate::exit::CLEAN)
        }
        Command::Import { source } => crate::import::run(source).map_err(|e| {
            context::report_errors(&crate::input::source::Sources::new(), &[e], false)
        }),
        Command::Lsp { .. } => Ok(crate::lsp::run()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every argument of every command says what it is for in `--help`.
    #[test]
    fn no_argument_has_an_empty_description() {
        fn walk(cmd: &clap::Command, path: &str, empty: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_hide_set() || id == "help" || id == "version" {
                    continue;
                }
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if help.trim().is_empty() {
                    empty.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() == "help" {
                    continue;
                }
                if sub.get_about().is_none() {
                    empty.push(format!("{path} {} (no about)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), empty);
            }
        }
        let mut empty = Vec::new();
        walk(&Cli::command(), "faultline", &mut empty);
        assert!(
            empty.is_empty(),
            "arguments without a description: {empty:?}"
        );
    }

    #[test]
    fn old_spellings_still_parse() {
        let cli = Cli::try_parse_from(["faultline", "rules", "--format", "text"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Rules {
                format: RulesFormat::Human,
                ..
            }
        ));
        let cli = Cli::try_parse_from(["faultline", "spof", "x.yaml", "--no-color"]).unwrap();
        assert!(matches!(cli.command, Command::Spof { input, .. } if input.no_color));
        let cli = Cli::try_parse_from(["faultline", "spof", "x.yaml", "--color", "never"]).unwrap();
        assert_eq!(cli.color, ColorChoice::Never);
        let cli = Cli::try_parse_from(["faultline", "--color=always", "rules"]).unwrap();
        assert_eq!(cli.color, ColorChoice::Always);
    }
}
