//! The README's excerpts are real output. Every ```text block that starts
//! with `$ faultline ...` is run from the repository root and compared
//! with what the command prints: a line `...` skips any number of lines, a
//! line ending in `...` matches any line that starts with the rest, and
//! every other line must be the next line of the output. Commands in
//! ```sh blocks that name files of this repository must run without a
//! usage or input error.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced blocks of a Markdown text: (info string, lines).
fn blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut open: Option<(String, Vec<String>)> = None;
    for line in text.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_owned(), Vec::new())),
            (Some(_), Some(_)) => out.push(open.take().expect("an open block")),
            (Some((_, lines)), None) => lines.push(line.to_owned()),
            (None, None) => {}
        }
    }
    out
}

/// Runs `faultline ARGS` as a reader of the README would, at the width the
/// excerpts were taken at and without colour.
fn run(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("faultline runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (text, out.status.code().unwrap_or(-1))
}

/// Whether `excerpt` is a faithful cut of `actual` (see the module doc);
/// the reason when not.
fn matches(excerpt: &[String], actual: &str) -> Result<(), String> {
    let lines: Vec<&str> = actual.lines().map(str::trim_end).collect();
    let mut at = 0;
    let mut gap = false;
    for want in excerpt {
        let want = want.trim_end();
        if want.trim() == "..." {
            gap = true;
            continue;
        }
        let fits = |got: &str| match want.strip_suffix("...") {
            Some(prefix) => got.starts_with(prefix.trim_end()),
            None => got == want,
        };
        let found = if gap {
            (at..lines.len()).find(|&i| fits(lines[i]))
        } else {
            (at < lines.len() && fits(lines[at])).then_some(at)
        };
        match found {
            Some(i) => at = i + 1,
            None => {
                return Err(format!(
                    "no line {} `{want}` (after line {at} of the output)",
                    if gap {
                        "further down matches"
                    } else {
                        "next is"
                    }
                ));
            }
        }
        gap = false;
    }
    Ok(())
}

#[test]
fn excerpts_are_what_the_commands_print() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (info, lines) in blocks(&readme) {
        if info != "text" {
            continue;
        }
        let Some(cmd) = lines.first().and_then(|l| l.strip_prefix("$ faultline ")) else {
            continue;
        };
        let args: Vec<&str> = cmd.split_whitespace().collect();
        if args.first() == Some(&"import") {
            continue; // needs a live NetBox or vCenter: tests/netbox.rs, tests/vsphere_live.rs
        }
        let (actual, _) = run(&args);
        if let Err(why) = matches(&lines[1..], &actual) {
            failures.push(format!(
                "$ faultline {cmd}\n  {why}\n--- actual output ---\n{actual}"
            ));
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} excerpts found in README.md");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn commands_on_files_of_the_repository_run() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut checked = 0;
    for (info, lines) in blocks(&readme) {
        if info != "sh" {
            continue;
        }
        for line in lines {
            let line = line.split(" #").next().unwrap_or_default().trim();
            let Some(cmd) = line
                .strip_prefix("faultline ")
                .or_else(|| line.strip_prefix("cargo run --release -- "))
            else {
                continue;
            };
            let args: Vec<&str> = cmd.split_whitespace().collect();
            let on_repo = args.iter().any(|a| a.starts_with("testdata/"));
            if !on_repo || args.iter().any(|a| a.contains('$') || a.contains("...")) {
                continue;
            }
            let (out, code) = run(&args);
            assert!(
                code == 0 || code == 1,
                "`faultline {cmd}` exits {code}:\n{out}"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 1,
        "no command on testdata/ in the README's sh blocks"
    );
}

#[test]
fn the_matcher_tells_cuts_from_changes() {
    let out = "a\nb\nc\nd: long line\n";
    let ex = |s: &str| s.lines().map(str::to_owned).collect::<Vec<_>>();
    assert!(matches(&ex("a\nb"), out).is_ok());
    assert!(matches(&ex("a\n...\nd: long..."), out).is_ok());
    assert!(
        matches(&ex("a\nc"), out).is_err(),
        "a skipped line needs `...`"
    );
    assert!(matches(&ex("...\nx"), out).is_err());
    assert!(matches(&ex("b\na"), out).is_err(), "order matters");
}
