//! Checks on the rule pack itself: the embedded list matches the `rules/`
//! directory, every rule's own example triggers it, every rule has a
//! failing and a passing golden case, the generated reference in
//! `docs/rules.md` is current and has the section each rule's SARIF
//! `helpUri` points at, and the GitHub Action runs the analysis once.

use faultline::analysis::Analysis;
use faultline::model::Date;
use faultline::model::load::load_str;
use faultline::rules::{BUILTIN, RuleSet};
use std::path::Path;

fn builtin() -> RuleSet {
    RuleSet::load(vec![]).ok().expect("the built-in rules load")
}

fn today() -> Date {
    Date {
        year: 2026,
        month: 1,
        day: 1,
    }
}

#[test]
fn every_rule_file_is_embedded_and_ids_match_file_names() {
    let mut on_disk: Vec<String> = std::fs::read_dir("rules")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = BUILTIN
        .iter()
        .map(|(n, _)| n.trim_start_matches("rules/").to_owned())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "rules/ and rules::BUILTIN disagree");
    for r in &builtin().rules {
        assert!(
            Path::new(&format!("rules/{}.yaml", r.id)).exists(),
            "rule {} is not in rules/{}.yaml",
            r.id,
            r.id
        );
    }
}

#[test]
fn every_rule_example_triggers_its_rule() {
    for r in &builtin().rules {
        let ex = r
            .example
            .as_deref()
            .unwrap_or_else(|| panic!("rule {} has no example", r.id));
        let model = load_str("example.yaml", ex)
            .ok()
            .unwrap_or_else(|| panic!("the example of {} does not load", r.id));
        let a = Analysis::new(&model, today());
        assert!(
            !r.run(&a).is_empty(),
            "the example of {} does not trigger it",
            r.id
        );
    }
}

#[test]
fn every_rule_has_a_failing_and_a_passing_golden_case() {
    for r in &builtin().rules {
        for side in ["fail", "pass"] {
            let dir = format!("testdata/rule-{}-{side}", r.id);
            assert!(Path::new(&dir).is_dir(), "missing golden case {dir}");
        }
    }
}

#[test]
fn rules_reference_is_current() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string("docs/rules.md").unwrap_or_default();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write("docs/rules.md", &generated).unwrap();
        return;
    }
    assert!(
        committed == generated,
        "docs/rules.md is stale: run `cargo run -- rules --format markdown > docs/rules.md` (or BLESS=1 cargo test --test meta)"
    );
}

#[test]
fn rule_ids_are_unique() {
    let set = builtin();
    let mut ids: Vec<&str> = set.ids().collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
}

#[test]
fn every_template_is_registered_once_and_documented() {
    let registry = faultline::rules::templates::REGISTRY;
    let mut names: Vec<&str> = registry.iter().map(|t| t.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), registry.len(), "a template registered twice");
    let doc = std::fs::read_to_string("docs/rules.md").unwrap();
    for t in registry {
        assert!(
            !t.doc.is_empty(),
            "{} says nothing of what it checks",
            t.name
        );
        assert!(
            doc.contains(&format!("`{}`", t.name)),
            "docs/rules.md does not list the template {}",
            t.name
        );
    }
}

#[test]
fn every_help_uri_has_its_section() {
    let doc = std::fs::read_to_string("docs/rules.md").unwrap();
    for r in &builtin().rules {
        let uri = faultline::report::sarif::help_uri(&r.id);
        let anchor = uri.rsplit('#').next().unwrap();
        assert!(
            doc.lines().any(|l| l == format!("## {anchor}")),
            "{uri}: docs/rules.md has no section `## {anchor}`"
        );
    }
}

/// One analysis per job: the action's only `faultline check` writes the
/// SARIF and the Markdown with `--output` while printing the annotations.
#[test]
fn the_action_runs_faultline_once() {
    let action = std::fs::read_to_string("action.yml").unwrap();
    let runs: Vec<&str> = action
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with("faultline ") || l.contains("| faultline ") || l.contains("$(faultline ")
        })
        .collect();
    assert_eq!(
        runs.len(),
        1,
        "faultline runs {} times: {runs:#?}",
        runs.len()
    );
    let call = action[action.find("faultline check").unwrap()..]
        .split("|| status")
        .next()
        .unwrap();
    for want in [
        "--format github",
        "--output \"sarif=",
        "--output \"markdown=",
    ] {
        assert!(call.contains(want), "the action's run lacks {want}: {call}");
    }
}
