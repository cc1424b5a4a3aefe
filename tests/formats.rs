//! The CI outputs, run through the binary on `tests/fixtures/formats/`:
//! SARIF, GitHub workflow commands, JUnit, Markdown, `graph`, `schema` and
//! baselines.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIXTURE: &str = "tests/fixtures/formats";
const TODAY: &str = "2026-01-01";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the faultline binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn check(path: &str, format: &str, extra: &[&str]) -> Output {
    let mut args = vec!["check", path, "--today", TODAY, "--format", format];
    args.extend_from_slice(extra);
    run(&args)
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\n{}",
            stdout(o),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// A fresh directory under cargo's per-test scratch space.
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("formats-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn fixture_text() -> String {
    std::fs::read_to_string(root().join(FIXTURE).join("estate.yaml")).expect("fixture")
}

/// (ruleId, subject) -> (fingerprint, startLine) of every SARIF result.
fn prints(sarif: &Value) -> BTreeMap<(String, String), (String, u64)> {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                (
                    r["ruleId"].as_str().unwrap().to_owned(),
                    r["properties"]["subject"].as_str().unwrap().to_owned(),
                ),
                (
                    r["partialFingerprints"]["faultline/v1"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn sarif_is_structurally_sound() {
    let o = check(FIXTURE, "sarif", &[]);
    assert_eq!(code(&o), 1, "findings exit 1");
    let v = json_of(&o);
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "faultline");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in [
        "single-point-of-failure",
        "single-instance",
        "live-migration-is-not-ha",
        "colocation-risk",
        "dependency-cycle",
    ] {
        assert!(ids.contains(&id), "rule {id} in tool.driver.rules");
    }
    for r in rules {
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    for r in results {
        let rule = r["ruleId"].as_str().unwrap();
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[idx], rule);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "tests/fixtures/formats/estate.yaml"
        );
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][k].as_u64().is_some_and(|n| n >= 1), "{k}");
        }
        let fp = r["partialFingerprints"]["faultline/v1"].as_str().unwrap();
        assert!(fp.len() == 16 && fp.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    // The SPOF of `web` points at its id key and names each culprit.
    let web = results
        .iter()
        .find(|r| r["ruleId"] == "single-point-of-failure" && r["properties"]["subject"] == "web")
        .expect("web has a SPOF");
    let region = &web["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (
            &region["startLine"],
            &region["startColumn"],
            &region["endLine"],
            &region["endColumn"]
        ),
        (&29.into(), &3.into(), &29.into(), &6.into())
    );
    let related = web["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 8);
    assert!(related.iter().any(|l| {
        l["message"]["text"].as_str().unwrap().contains("`r2-pdu`")
            && l["physicalLocation"]["region"]["startLine"] == 15
    }));
    // Waived findings are suppressions with the waiver's reason.
    let batch = results
        .iter()
        .find(|r| r["ruleId"] == "single-point-of-failure" && r["properties"]["subject"] == "batch")
        .unwrap();
    assert_eq!(batch["suppressions"][0]["kind"], "inSource");
    assert!(
        batch["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("nightly batch")
    );
    assert!(web.get("suppressions").is_none());
}

#[test]
fn fingerprints_are_stable_and_ignore_line_shifts() {
    let a = prints(&json_of(&check(FIXTURE, "sarif", &[])));
    let b = prints(&json_of(&check(FIXTURE, "sarif", &[])));
    assert_eq!(a, b, "same input, same fingerprints");

    let dir = scratch("shift");
    let shifted = format!("\n\n# moved down\n\n\n{}", fixture_text());
    std::fs::write(dir.join("estate.yaml"), shifted).unwrap();
    let c = prints(&json_of(&check(dir.to_str().unwrap(), "sarif", &[])));
    assert_eq!(a.len(), c.len());
    for (key, (fp, line)) in &a {
        let (fp2, line2) = &c[key];
        assert_eq!(fp, fp2, "{key:?} keeps its fingerprint");
        assert_eq!(line + 5, *line2, "{key:?} moved five lines");
    }
    let distinct: std::collections::HashSet<&String> = a.values().map(|(f, _)| f).collect();
    assert_eq!(distinct.len(), a.len(), "fingerprints tell findings apart");
}

#[test]
fn github_annotations() {
    let o = check(FIXTURE, "github", &[]);
    assert_eq!(code(&o), 1);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    // 7 findings, 2 of them waived (not annotated).
    assert_eq!(lines.len(), 5, "{text}");
    for l in &lines {
        assert!(
            l.starts_with("::error file=") || l.starts_with("::warning file="),
            "{l}"
        );
        assert!(l.contains(",line=") && l.contains(",endColumn=") && l.contains(",title="));
        assert!(!l.contains('\r'));
    }
    assert!(lines.iter().any(|l| l.starts_with(
        "::warning file=tests/fixtures/formats/estate.yaml,line=32,col=3,endLine=32,endColumn=5,title=live-migration-is-not-ha::"
    )));
    // Help goes on a second line of the annotation, escaped.
    assert!(lines.iter().all(|l| l.contains("%0Ahelp: ")));
    assert!(!text.contains("batch"), "waived findings are not annotated");
}

#[test]
fn junit_has_a_case_per_rule_and_subject() {
    let findings = json_of(&check(FIXTURE, "json", &[]));
    let findings = findings["findings"].as_array().unwrap();
    let rules = json_of(&check(FIXTURE, "sarif", &[]))["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .len();
    let pairs: std::collections::BTreeSet<(&str, &str)> = findings
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["subject"].as_str().unwrap()))
        .collect();
    let rules_with: std::collections::BTreeSet<&str> = pairs.iter().map(|p| p.0).collect();
    let skipped: std::collections::BTreeSet<(&str, &str)> = findings
        .iter()
        .filter(|f| f["waived"] == true)
        .map(|f| (f["rule"].as_str().unwrap(), f["subject"].as_str().unwrap()))
        .collect();

    let o = check(FIXTURE, "junit", &[]);
    assert_eq!(code(&o), 1);
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml"));
    let count = |pat: &str| xml.matches(pat).count();
    assert_eq!(count("<testsuite "), rules);
    assert_eq!(count("<testcase "), pairs.len() + rules - rules_with.len());
    assert_eq!(count("<failure "), pairs.len() - skipped.len());
    assert_eq!(count("<skipped "), skipped.len());
    assert_eq!(count("name=\"no findings\""), rules - rules_with.len());
    assert!(xml.contains("tests/fixtures/formats/estate.yaml:29:3: service `web`"));
    assert!(xml.contains(&format!(
        "<testsuites name=\"faultline\" tests=\"{}\"",
        pairs.len() + rules - rules_with.len()
    )));
    // Balanced elements: a cheap well-formedness check.
    assert_eq!(count("<testsuite "), count("</testsuite>"));
}

#[test]
fn markdown_summary() {
    let o = check(FIXTURE, "markdown", &[]);
    assert_eq!(code(&o), 1);
    let md = stdout(&o);
    assert!(md.contains("| severity | rule | subject | location | message |"));
    assert!(md.contains(
        "| error | `single-point-of-failure` | `web` | `tests/fixtures/formats/estate.yaml:29` |"
    ));
    assert!(md.contains("| `single-point-of-failure` | error | 2 | 1 | 0 |"));
    assert!(md.contains("```mermaid\ngraph LR\n"));
    // One chart per service with a SPOF: web, db and (waived) batch.
    assert_eq!(md.matches("```mermaid").count(), 3);
    // The chain reaches the culprits, and nothing unrelated (no other service).
    let db_chart = md.split("#### `db`").nth(1).unwrap();
    let db_chart = &db_chart[..db_chart.find("```\n").unwrap() + 3];
    assert!(db_chart.contains("\"r2-pdu (pdu)\""));
    assert!(!db_chart.contains("web (service)"));
    assert!(!db_chart.contains("app-1"));
}

#[test]
fn graph_dot_renders_and_mermaid_parses_shape() {
    let o = run(&["graph", FIXTURE]);
    assert_eq!(code(&o), 0);
    let dot = stdout(&o);
    assert!(dot.starts_with("digraph faultline {"));
    assert!(dot.contains("style=dashed"), "any-of edges are dashed");
    assert!(dot.contains("fillcolor=\"#fecaca\""), "culprits are red");
    let m = stdout(&run(&[
        "graph",
        FIXTURE,
        "--service",
        "db",
        "--format",
        "mermaid",
    ]));
    assert!(m.starts_with("graph LR\n"));
    assert!(m.contains("class ") && !m.contains("web (service)"));
    let bad = run(&["graph", FIXTURE, "--service", "wbe"]);
    assert_eq!(code(&bad), 2);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("did you mean `web`?"));

    let has_dot = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dot {
        println!("skipped: graphviz not installed");
        return;
    }
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dot runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

/// YAML (through faultline's own parser) to JSON, for the schema.
fn to_json(text: &str, n: &faultline::input::yaml::YNode) -> Value {
    use faultline::input::yaml::YValue;
    match &n.value {
        YValue::Null => Value::Null,
        YValue::Bool(b) => Value::Bool(*b),
        YValue::Int(i) => Value::from(*i),
        YValue::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        YValue::Str(s) => Value::String(s.clone()),
        YValue::Seq(items) => Value::Array(items.iter().map(|i| to_json(text, i)).collect()),
        YValue::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match &k.value {
                        YValue::Str(s) => s.clone(),
                        _ => text[k.start as usize..(k.start + k.len) as usize]
                            .trim()
                            .to_owned(),
                    };
                    (key, to_json(text, v))
                })
                .collect(),
        ),
    }
}

fn schema_validator() -> jsonschema::Validator {
    let o = run(&["schema"]);
    assert_eq!(code(&o), 0);
    let schema = json_of(&o);
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert!(
        jsonschema::draft7::meta::is_valid(&schema),
        "a valid draft-07 schema"
    );
    jsonschema::draft7::new(&schema).expect("schema compiles")
}

fn problems(v: &jsonschema::Validator, text: &str) -> Option<Vec<String>> {
    let node = faultline::input::parse(text).ok()?;
    let json = to_json(text, &node);
    Some(v.iter_errors(&json).map(|e| e.to_string()).collect())
}

#[test]
fn schema_accepts_every_testdata_description() {
    let v = schema_validator();
    let mut checked = 0;
    let mut failures = Vec::new();
    let testdata = root().join("testdata");
    let mut stack = vec![testdata.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                // err-* cases are invalid on purpose.
                if !(dir == testdata && name.starts_with("err-")) {
                    stack.push(p);
                }
                continue;
            }
            if !(name.ends_with(".yaml") || name.ends_with(".yml"))
                || faultline::input::files::CONFIG_NAMES.contains(&name.as_str())
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue; // not UTF-8
            };
            let Some(errs) = problems(&v, &text) else {
                continue; // not YAML the loader reads either
            };
            let is_rule_file = faultline::input::parse(&text)
                .ok()
                .map(|n| to_json(&text, &n))
                .is_some_and(|j| j.get("id").is_some() && j.get("template").is_some());
            if is_rule_file {
                continue;
            }
            checked += 1;
            if !errs.is_empty() {
                failures.push(format!("{}: {}", p.display(), errs.join("; ")));
            }
        }
    }
    let fixture = problems(&v, &fixture_text()).unwrap();
    assert!(fixture.is_empty(), "{fixture:?}");
    assert!(checked > 0, "no descriptions under testdata/");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn schema_rejects_misspelt_keys() {
    let v = schema_validator();
    let typo_field = "racks:\n  r1: {}\nhosts:\n  h1: {rak: r1}\n";
    assert!(!problems(&v, typo_field).unwrap().is_empty());
    let typo_section = "servics:\n  s: {instances: [h1]}\n";
    assert!(!problems(&v, typo_section).unwrap().is_empty());
    let no_instances = "services:\n  s: {min_healthy: 1}\n";
    assert!(!problems(&v, no_instances).unwrap().is_empty());
    let bad_waiver = "hosts:\n  h1:\n    waivers: [{rule: single-instance}]\n";
    assert!(!problems(&v, bad_waiver).unwrap().is_empty());
    let ok = "hosts:\n  h1:\n  '101': {memory_gb: 64, standby: true}\n";
    assert!(problems(&v, ok).unwrap().is_empty());
}

#[test]
fn baseline_round_trip() {
    let dir = scratch("baseline");
    let estate = dir.join("estate.yaml");
    std::fs::write(&estate, fixture_text()).unwrap();
    let estate = estate.to_str().unwrap().to_owned();
    let base = dir.join("baseline.json");
    let base = base.to_str().unwrap().to_owned();

    // Writing a baseline accepts what is there now.
    let o = check(&estate, "json", &["--write-baseline", &base]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(written["faultline_baseline"], 1);
    assert_eq!(written["fingerprint"], "faultline/v1");
    assert_eq!(
        written["findings"].as_array().unwrap().len(),
        5,
        "waived ones are left out"
    );

    let o = check(&estate, "json", &["--baseline", &base]);
    assert_eq!(code(&o), 0);
    let v = json_of(&o);
    for f in v["findings"].as_array().unwrap() {
        assert!(f["waived"] == true || f["baselined"] == true, "{f}");
    }
    assert_eq!(v["summary"]["baselined"], 5);
    assert_eq!(v["summary"]["errors"], 0);

    // Shift every line and add a new problem: only that one fails.
    let changed = format!("\n\n{}  cron:\n    instances: [db-1]\n", fixture_text());
    std::fs::write(&estate, changed).unwrap();
    let o = check(&estate, "json", &["--baseline", &base]);
    assert_eq!(code(&o), 1);
    let v = json_of(&o);
    let new: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["waived"] == false && f.get("baselined").is_none())
        .collect();
    assert!(!new.is_empty());
    assert!(new.iter().all(|f| f["subject"] == "cron"), "{new:?}");

    // SARIF tells new from unchanged.
    let s = json_of(&check(&estate, "sarif", &["--baseline", &base]));
    for r in s["runs"][0]["results"].as_array().unwrap() {
        let expected = if r["properties"]["subject"] == "cron" {
            "new"
        } else {
            "unchanged"
        };
        if r.get("suppressions").is_none() {
            assert_eq!(r["baselineState"], expected, "{r}");
        }
    }
    // GitHub annotations only for the new findings.
    let g = stdout(&check(&estate, "github", &["--baseline", &base]));
    assert!(!g.is_empty());
    assert!(g.lines().all(|l| l.contains("`cron`")), "{g}");

    let missing = check(&estate, "json", &["--baseline", "/nonexistent/b.json"]);
    assert_eq!(code(&missing), 2);
}
