//! Golden-file tests: every folder under `testdata/` is one case.
//!
//! A case folder holds the description (`*.yaml` files, or subfolders of
//! them), an optional `args` file and the blessed outputs:
//!
//! - `args`: one line, the arguments after the binary name, split on
//!   whitespace, with `{dir}` standing for the case folder relative to the
//!   crate root. Without it the case runs `check {dir} --today 2026-01-01`.
//! - `env`: optional, one `KEY=VALUE` per line set for the run (e.g.
//!   `COLUMNS=60`). Otherwise the run has `NO_COLOR=1` and no `COLUMNS`.
//! - `expected.stdout`, `expected.stderr`, `expected.exit`: what the run
//!   must print and return, compared byte for byte.
//!
//! faultline only reads `*.yaml` / `*.yml` below a directory, so the
//! `args` and `expected.*` files never become part of a description.
//!
//! `BLESS=1 cargo test --test golden` rewrites the expected files from the
//! current binary instead of comparing; read the diff before committing it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const DEFAULT_ARGS: &str = "check {dir} --today 2026-01-01";
/// Unchanged lines shown around each change in a diff.
const CONTEXT: usize = 2;
const OUTPUTS: [&str; 3] = ["expected.stdout", "expected.stderr", "expected.exit"];

struct Run {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    exit: Vec<u8>,
}

impl Run {
    fn get(&self, name: &str) -> &[u8] {
        match name {
            "expected.stdout" => &self.stdout,
            "expected.stderr" => &self.stderr,
            _ => &self.exit,
        }
    }
}

fn cases(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", root.display()))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn args_of(case_dir: &Path, rel: &str) -> Vec<String> {
    let line = match std::fs::read_to_string(case_dir.join("args")) {
        Ok(s) => s,
        Err(_) => DEFAULT_ARGS.to_owned(),
    };
    line.split_whitespace()
        .map(|a| a.replace("{dir}", rel))
        .collect()
}

/// The case's `env` file as pairs.
fn env_of(case_dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(case_dir.join("env")) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: `{l}` is not KEY=VALUE", case_dir.display()));
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect()
}

fn run(crate_root: &Path, args: &[String], env: &[(String, String)]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .current_dir(crate_root)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("the faultline binary runs");
    let code = match out.status.code() {
        Some(c) => c.to_string(),
        None => "killed by a signal".to_owned(),
    };
    Run {
        stdout: out.stdout,
        stderr: out.stderr,
        exit: format!("{code}\n").into_bytes(),
    }
}

/// A line diff (`-` expected, `+` actual) with a little context, from a
/// longest common subsequence. Outputs are small; very long ones fall back
/// to showing the first differing line.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    let mut out = String::new();
    if a.len() * b.len() > 25_000_000 {
        let i = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let _ = writeln!(out, "  first difference at line {}:", i + 1);
        let _ = write!(out, "- {}", a.get(i).copied().unwrap_or("<end of text>\n"));
        let _ = write!(out, "+ {}", b.get(i).copied().unwrap_or("<end of text>\n"));
        return out;
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let changed: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut skipped = false;
    for (k, (tag, line)) in ops.iter().enumerate() {
        if !near(k) {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("  ...\n");
            skipped = false;
        }
        let _ = write!(out, "{tag} {line}");
        if !line.ends_with('\n') {
            out.push_str("\n\\ no newline at end\n");
        }
    }
    out
}

#[test]
fn golden() {
    let crate_root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let testdata = crate_root.join("testdata");
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");
    let names = cases(&testdata);
    assert!(!names.is_empty(), "no cases under {}", testdata.display());
    let mut failing: Vec<String> = Vec::new();
    for name in &names {
        let dir = testdata.join(name);
        let rel = format!("testdata/{name}");
        let args = args_of(&dir, &rel);
        let got = run(&crate_root, &args, &env_of(&dir));
        if bless {
            for file in OUTPUTS {
                std::fs::write(dir.join(file), got.get(file))
                    .unwrap_or_else(|e| panic!("cannot write {rel}/{file}: {e}"));
            }
            continue;
        }
        let mut report = String::new();
        for file in OUTPUTS {
            let Ok(want) = std::fs::read(dir.join(file)) else {
                let _ = writeln!(
                    report,
                    "{rel}/{file} is missing (run `BLESS=1 cargo test --test golden` and review it)"
                );
                continue;
            };
            let have = got.get(file);
            if want != have {
                let _ = writeln!(report, "--- {rel}/{file} (expected)\n+++ actual");
                report.push_str(&diff(
                    &String::from_utf8_lossy(&want),
                    &String::from_utf8_lossy(have),
                ));
            }
        }
        if !report.is_empty() {
            eprintln!("=== case {name}: faultline {}\n{report}", args.join(" "));
            failing.push(name.clone());
        }
    }
    if bless {
        eprintln!("blessed {} golden cases", names.len());
        return;
    }
    assert!(
        failing.is_empty(),
        "{} of {} golden cases differ (rerun with BLESS=1 to accept the new output): {}",
        failing.len(),
        names.len(),
        failing.join(", ")
    );
}

/// Whether a case's stdout is text for people (not JSON, SARIF, XML,
/// Markdown, DOT...): the formats the width applies to.
fn human_stdout(args: &[String]) -> bool {
    let command = args.first().map(String::as_str).unwrap_or("");
    if matches!(command, "schema" | "lsp") {
        return false;
    }
    let format = args
        .iter()
        .position(|a| a == "--format")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--format=")));
    match format {
        Some(f) => f == "human" || f == "text",
        None => command != "graph",
    }
}

/// A line quoted from a description: miette's source lines (`17 │ ...`)
/// and the label lines drawn under them (`·   ──┬──`), which line up with
/// the quoted text and may run as wide as it does.
fn quoted(line: &str) -> bool {
    let t = line.trim_start();
    let after_number = t.trim_start_matches(|c: char| c.is_ascii_digit());
    (after_number.len() < t.len() && after_number.trim_start().starts_with('│'))
        || t.starts_with('·')
}

/// Every blessed human output fits the width of its case: `COLUMNS` from
/// its `env` file, else 100 columns, except lines quoted from a
/// description (FORMAT §5).
#[test]
fn human_output_fits_the_width() {
    let crate_root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let testdata = crate_root.join("testdata");
    let mut wide = Vec::new();
    for name in cases(&testdata) {
        let dir = testdata.join(&name);
        let args = args_of(&dir, &format!("testdata/{name}"));
        let width: usize = env_of(&dir)
            .iter()
            .find(|(k, _)| k == "COLUMNS")
            .map_or(100, |(_, v)| v.parse().expect("COLUMNS is a number"));
        let mut files = vec!["expected.stderr"];
        if human_stdout(&args) {
            files.push("expected.stdout");
        }
        for file in files {
            let Ok(text) = std::fs::read_to_string(dir.join(file)) else {
                continue;
            };
            for (i, line) in text.lines().enumerate() {
                let n = line.chars().count();
                if n > width && !quoted(line) {
                    wide.push(format!("{name}/{file}:{}: {n} > {width}: {line}", i + 1));
                }
            }
        }
    }
    assert!(
        wide.is_empty(),
        "{} lines wider than their case's width:\n{}",
        wide.len(),
        wide.join("\n")
    );
}
