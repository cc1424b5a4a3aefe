//! The worked examples of docs/custom-rules.md, run as the guide says.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn guide_examples_find_what_the_guide_says() {
    let (code, out) = run(&[
        "check",
        "docs/examples/custom-estate.yaml",
        "--rules",
        "docs/examples/custom-rules",
        "--format",
        "json",
        "--today",
        "2026-01-01",
    ]);
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let custom = [
        "critical-spans-two-racks",
        "critical-survives-two-failures",
        "monitoring-separated",
        "stateful-has-backup",
    ];
    let mut got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| custom.contains(&f["rule"].as_str().unwrap()))
        .map(|f| {
            let mut words = vec![
                f["rule"].as_str().unwrap().to_owned(),
                f["subject"].as_str().unwrap().to_owned(),
            ];
            words.extend(
                f["culprits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_str().unwrap().to_owned()),
            );
            words.join(" ")
        })
        .collect();
    got.sort();
    let want: Vec<String> = std::fs::read_to_string("docs/examples/custom-rules.expected")
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert_eq!(got, want);
}

#[test]
fn guide_rules_are_listed_with_their_files() {
    let (code, out) = run(&["rules", "--rules", "docs/examples/custom-rules"]);
    assert_eq!(code, 0);
    for id in [
        "critical-spans-two-racks",
        "monitoring-separated",
        "stateful-has-backup",
    ] {
        assert!(out.contains(id), "{id} missing from:\n{out}");
    }
}

#[test]
fn a_bad_rule_file_is_an_annotated_input_error() {
    let dir = std::env::temp_dir().join(format!("faultline-badrule-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("bad.yaml"),
        "id: bad-rule\nseverity: error\nsummary: x\ntemplate: sprad\nparams: {}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args([
            "check",
            "docs/examples/custom-estate.yaml",
            "--rules",
            dir.to_str().unwrap(),
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.yaml:4:11"), "{err}");
    assert!(err.contains("did you mean `spread`?"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
