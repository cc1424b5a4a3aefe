//! The SARIF of the example estate (and of the failure-path cases) against
//! Microsoft's SARIF validator, `@microsoft/sarif-multitool validate`, with
//! its GitHub code-scanning rules (`--rule-kind "Sarif;Gh"`): no errors and
//! no warnings.
//!
//! `.ci/run` installs the tool with npm and names it in
//! `FAULTLINE_SARIF_MULTITOOL`. Without it, the test looks where `.ci/run`
//! installs it, and where it is not there it says why and is skipped (it
//! fails when the variable names a tool that does not run).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The validator executable, or why there is none.
fn multitool() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FAULTLINE_SARIF_MULTITOOL").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    if let Some(cache) = cache {
        let dir = cache.join("faultline-ci");
        if let Ok(entries) = std::fs::read_dir(&dir) {
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| {
                    e.path()
                        .join("node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
                })
                .filter(|p| p.is_file())
                .collect();
            found.sort();
            if let Some(p) = found.pop() {
                return Ok(p);
            }
        }
    }
    let npm = Command::new("npm")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    Err(if npm {
        "@microsoft/sarif-multitool is not installed (`.ci/run` installs it with npm)".into()
    } else {
        "npm is not installed, so @microsoft/sarif-multitool cannot be".into()
    })
}

fn sarif_of(args: &[&str], out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .args(["--format", "sarif", "--today", "2026-01-01"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("faultline runs");
    assert!(
        matches!(o.status.code(), Some(0..=2)),
        "faultline {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(out, &o.stdout).expect("writes the SARIF");
}

#[test]
fn sarif_passes_the_validator_and_its_github_rules() {
    let tool = match multitool() {
        Ok(t) => t,
        Err(why) => {
            eprintln!("skipped: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let cases: [(&str, &[&str]); 4] = [
        ("example", &["check", "testdata/example/estate.yaml"]),
        (
            "unused-waivers",
            &["check", "testdata/waiver-unused-human/estate.yaml"],
        ),
        (
            "input-errors",
            &["check", "testdata/err-input-in-sarif/estate.yaml"],
        ),
        (
            "paths",
            &[
                "check",
                "testdata/paths-human/estate.yaml",
                "--rules",
                "testdata/paths-human/rules",
            ],
        ),
    ];
    for (name, args) in cases {
        let sarif = dir.path().join(format!("{name}.sarif"));
        let log = dir.path().join(format!("{name}.validation.sarif"));
        sarif_of(args, &sarif);
        let o = Command::new(&tool)
            .arg("validate")
            .arg(&sarif)
            .args(["--rule-kind", "Sarif;Gh", "--level", "Error;Warning"])
            .args(["--log", "ForceOverwrite", "--output"])
            .arg(&log)
            .output()
            .unwrap_or_else(|e| panic!("{} does not run: {e}", tool.display()));
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            o.status.success(),
            "the validator failed on {name}:\n{said}"
        );
        let text = std::fs::read_to_string(&log).expect("the validator writes its log");
        let v: serde_json::Value = serde_json::from_str(&text).expect("its log is JSON");
        let run = &v["runs"][0];
        assert_eq!(
            run["invocations"][0]["executionSuccessful"],
            serde_json::Value::Bool(true),
            "{name}:\n{said}"
        );
        let problems: Vec<String> = run["results"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning") | None))
                    .map(|r| format!("{}: {}", r["ruleId"], r["message"]))
                    .collect()
            })
            .unwrap_or_default();
        assert!(problems.is_empty(), "{name}: {problems:#?}\n{said}");
    }
}
