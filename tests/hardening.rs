//! Limits and the safety of a run, end to end (see docs/hardening.md):
//! a file over the size limit is refused before it is read; faultline reads
//! the paths it is given and nothing else from the working directory;
//! custom rules cannot reach files, the environment or the network; deep
//! `requires` chains and loops go through the whole check, reports
//! included, without recursion.

use faultline::analysis::Analysis;
use faultline::check;
use faultline::input::files::MAX_FILE_BYTES;
use faultline::input::source::Span;
use faultline::model::Date;
use faultline::model::load::load_str;
use faultline::report::human::{self, Style};
use faultline::report::json;
use faultline::rules::RuleSet;
use faultline::rules::predicate::Predicate;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p =
            std::env::temp_dir().join(format!("faultline-hardening-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("a temporary directory");
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn write(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("a directory");
        std::fs::write(p, text).expect("a file");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs faultline in `cwd`, killing it if it has not finished in 30 s (a
/// run that blocks on a FIFO it should never have opened).
fn faultline(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().expect("waitable").is_none() {
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "faultline {args:?} did not finish in 30 s: did it open something it was not given?"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const HEALTHY: &str = "\
racks: {r1: {}, r2: {}}
hosts: {h1: {rack: r1}, h2: {rack: r2}}
services: {web: {instances: [h1, h2]}}
";

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = TempDir::new("size");
    dir.write("estate.yaml", HEALTHY);
    // Sparse: 512 MiB and one byte on paper, nothing on disk.
    let big = dir.path().join("huge.yaml");
    std::fs::File::create(&big)
        .expect("a file")
        .set_len(MAX_FILE_BYTES + 1)
        .expect("a sparse file");
    let t = Instant::now();
    let o = faultline(dir.path(), &["check", "estate.yaml", "huge.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("huge.yaml: the file is larger than 512 MiB, the limit for one file"),
        "{}",
        stderr(&o)
    );
    // Reading 512 MiB of zeros would take a while and show in the memory.
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    // The same file as a config.
    let o = faultline(
        dir.path(),
        &["check", "estate.yaml", "--config", "huge.yaml"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("larger than 512 MiB"), "{}", stderr(&o));
}

/// `limits:` in the config lowers the built-in limits, exactly at the
/// value given, for descriptions and rule files alike; the built-in values
/// themselves are accepted.
#[test]
fn config_limits_lower_the_built_in_ones_exactly() {
    let dir = TempDir::new("config-limits");
    dir.write("estate.yaml", HEALTHY);
    let len = HEALTHY.len();
    let run = |config: &str| {
        dir.write("faultline.yaml", config);
        faultline(dir.path(), &["check", "estate.yaml"])
    };
    // HEALTHY has 5 entities (2 racks, 2 hosts, 1 service).
    let o = run("limits: {max_file_bytes: 536870912, max_entities: 5000000}\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&format!(
        "limits: {{max_file_bytes: {len}, max_entities: 5}}\n"
    ));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Messages wrap at the terminal width: look for pieces of them.
    let o = run("limits: {max_entities: 4}\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    for piece in ["more than 4 entities", "faultline.yaml:1:24"] {
        assert!(stderr(&o).contains(piece), "{piece}: {}", stderr(&o));
    }
    let o = run(&format!("limits: {{max_file_bytes: {}}}\n", len - 1));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let over = format!("estate.yaml: the file is larger than {} bytes", len - 1);
    for piece in [over.as_str(), "faultline.yaml:1:26"] {
        assert!(stderr(&o).contains(piece), "{piece}: {}", stderr(&o));
    }
    // A rule file is held to the same limit.
    dir.write("rules/big.yaml", &format!("# {}\n", "x".repeat(len)));
    let o = run(&format!(
        "rule_dirs: [rules]\nlimits: {{max_file_bytes: {len}}}\n"
    ));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("big.yaml: the file is larger"),
        "{}",
        stderr(&o)
    );
}

/// The working directory holds an invalid description, a FIFO that would
/// block whoever opened it, and a rule directory with a broken rule;
/// faultline, given another path, touches none of them.
#[test]
fn only_the_given_paths_are_read() {
    let dir = TempDir::new("paths");
    dir.write("junk.yaml", "hosts: [this is: not, {valid\n");
    dir.write("rules/broken.yaml", "id: x\ntemplate: no-such-template\n");
    dir.write("estate/estate.yaml", HEALTHY);
    dir.write(
        "elsewhere/other.yaml",
        "sites: {dc1: {requires: [nowhere]}}\n",
    );
    let fifo = dir.path().join("trap.yaml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    for args in [
        &["check", "estate/estate.yaml"][..],
        &["check", "estate"][..],
        &["check", "estate", "--format", "json"][..],
        &["spof", "estate"][..],
        &["cuts", "estate", "--max-order", "2"][..],
    ] {
        let o = faultline(dir.path(), args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "faultline {args:?} read something it was not given:\n{}",
            stderr(&o)
        );
    }
    // The traps are real: named, they fail the run (or block it).
    let o = faultline(dir.path(), &["check", "junk.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = faultline(dir.path(), &["check", "estate", "--rules", "rules"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(made || !cfg!(unix), "mkfifo is available on unix");
}

/// CEL has no function that reaches outside the entity: a rule that calls
/// one is refused when it loads or fails to evaluate; it never succeeds.
#[test]
fn rule_expressions_cannot_read_files_the_environment_or_the_network() {
    let model = load_str("t.yaml", HEALTHY).ok().expect("loads");
    let web = model.get(model.lookup("web").expect("web"));
    for expr in [
        "readFile('/etc/passwd') == ''",
        "file('/etc/passwd').size() > 0",
        "env('HOME') != ''",
        "getenv('HOME') != ''",
        "http.get('http://localhost/') == ''",
        "exec('true') == ''",
        "open('x') != null",
        "import('os') == null",
        "e.id == readFile('x')",
        "size(e.instances) == 2 && load('x') == ''",
    ] {
        match Predicate::compile(expr, Span::default()) {
            Err(_) => {}
            Ok(p) => {
                let r = p.eval(&model, web);
                assert!(r.is_err(), "`{expr}` evaluated to {r:?}");
            }
        }
    }
    // The language itself still works on the entity.
    let p = Predicate::compile(
        "size(e.instances) == 2 && e.kind == 'service'",
        Span::default(),
    )
    .expect("compiles");
    assert_eq!(p.eval(&model, web), Ok(true));
}

/// Through the command line: the rule's finding says the expression could
/// not be evaluated, and nothing of the file it named appears.
#[test]
fn a_rule_that_reads_a_file_fails_visibly() {
    let dir = TempDir::new("cel");
    dir.write("estate.yaml", HEALTHY);
    dir.write("secret.txt", "s3cr3t-token\n");
    dir.write(
        "rules/read.yaml",
        "id: reads-a-file\nseverity: error\nsummary: reads a file\ntemplate: field\nparams:\n  select: {kinds: [service]}\n  assert: \"readFile('secret.txt') == ''\"\n  message: \"service `{id}` checked\"\n",
    );
    let o = faultline(
        dir.path(),
        &[
            "check",
            "estate.yaml",
            "--rules",
            "rules",
            "--format",
            "json",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("could not be evaluated"), "{out}");
    assert!(!out.contains("s3cr3t") && !stderr(&o).contains("s3cr3t"));
}

/// `n` components each requiring the next and closing the loop (`ring`),
/// or a chain with a service on top: the full check (every built-in rule),
/// human and JSON reports, on graphs far deeper than any stack.
fn deep(n: usize, ring: bool) -> String {
    let mut t = String::with_capacity(n * 40);
    // One site, so that no link is reported as undescribed.
    t.push_str("sites:\n  s: {}\ncomponents:\n");
    for i in 0..n {
        let next = if ring { (i + 1) % n } else { i + 1 };
        if ring || i + 1 < n {
            t.push_str(&format!(
                "  c{i}: {{kind: link, site: s, requires: [c{next}]}}\n"
            ));
        } else {
            t.push_str(&format!("  c{i}: {{kind: link, site: s}}\n"));
        }
    }
    t.push_str("services:\n  top: {instances: [c0]}\n");
    t
}

/// tests/generate.rs analyses a million-long chain and loop; here the
/// whole check and its reports run on 100,000 (a recursion would need
/// tens of megabytes of stack at this depth: test threads have 2 MiB).
#[test]
fn deep_chains_and_loops_go_through_check_and_reports() {
    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        100_000
    };
    let rules = RuleSet::load(vec![]).ok().expect("built-in rules");
    let today = Date {
        year: 2026,
        month: 1,
        day: 1,
    };
    for ring in [false, true] {
        let model = load_str("deep.yaml", &deep(n, ring)).ok().expect("loads");
        let a = Analysis::new(&model, today.clone());
        let outcome = check::run(&a, &rules);
        let rules_hit: Vec<&str> = outcome.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(
            rules_hit.contains(&"single-point-of-failure"),
            "{rules_hit:?}"
        );
        assert_eq!(
            rules_hit.contains(&"dependency-cycle"),
            ring,
            "{rules_hit:?}"
        );
        let spof = outcome
            .findings
            .iter()
            .find(|f| f.rule == "single-point-of-failure")
            .expect("a SPOF finding");
        assert_eq!(
            spof.culprits.len(),
            n + 1,
            "every link and the site are culprits"
        );
        let text = human::check(&model, &outcome, Style::plain());
        // Every culprit is in the JSON; the terminal shows a few of them.
        assert!(
            text.len() < 20_000,
            "{} bytes of terminal output",
            text.len()
        );
        let v = json::check(&model, &outcome);
        let spof_json = v["findings"]
            .as_array()
            .and_then(|fs| fs.iter().find(|f| f["rule"] == "single-point-of-failure"))
            .expect("the SPOF finding in JSON");
        assert_eq!(spof_json["culprits"].as_array().map(Vec::len), Some(n + 1));
    }
}

/// A report about a place past column 65,535 used to panic in the
/// terminal renderer (its padding width overflowed); such a report now
/// comes without a source snippet, its location in its first line.
#[test]
fn errors_far_along_a_long_line_are_reported() {
    let dir = TempDir::new("long-line");
    let pad = " ".repeat(70_000);
    dir.write(
        "estate.yaml",
        &format!("{{hosts: {{h1: {{}}}},{pad}services: {{s: {{instances: [h1], tpyo: 1}}}}}}\n"),
    );
    let o = faultline(dir.path(), &["check", "estate.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("estate.yaml:1:70050: unknown field `tpyo` for a service"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).len() < 2_000, "{} bytes", stderr(&o).len());
}

/// Windows line ends: the snippet under a report used to number the last
/// line it showed as the one before it.
#[test]
fn crlf_files_are_numbered_right_in_snippets() {
    let dir = TempDir::new("crlf");
    dir.write(
        "estate.yaml",
        "hosts: {h1: {}}\r\nservices: {s: {instances: [h1], x: 1}}\r\n",
    );
    let o = faultline(dir.path(), &["check", "estate.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(" 1 │ hosts: {h1: {}}"), "{err}");
    assert!(
        err.contains(" 2 │ services: {s: {instances: [h1], x: 1}}"),
        "{err}"
    );
}

/// Sizes that used to be quadratic (or worse) in one service: a list of
/// instances deduplicated by scanning, and colocation-risk formatting a
/// message for each of the 50 million pairs of 10,000 floating vms (about
/// 12 s and 3 GB before; a fraction of a second now).
#[test]
fn wide_services_stay_linear_enough() {
    let n = if cfg!(debug_assertions) {
        2_000
    } else {
        10_000
    };
    let mut t = String::from(
        "hosts: {h1: {cluster: c}, h2: {cluster: c}}\nclusters: {c: {ha: restart}}\nvms:\n",
    );
    for i in 0..n {
        t.push_str(&format!("  v{i}: {{cluster: c}}\n"));
    }
    let list: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    t.push_str(&format!(
        "services:\n  s: {{instances: [{}]}}\n",
        list.join(", ")
    ));
    let start = Instant::now();
    let model = load_str("wide.yaml", &t).ok().expect("loads");
    let rules = RuleSet::load(vec![]).ok().expect("built-in rules");
    let a = Analysis::new(
        &model,
        Date {
            year: 2026,
            month: 1,
            day: 1,
        },
    );
    let outcome = check::run(&a, &rules);
    let f = outcome
        .findings
        .iter()
        .find(|f| f.rule == "colocation-risk")
        .expect("a colocation finding");
    assert_eq!(f.culprits.len(), n);
    let pairs = n * (n - 1) / 2;
    assert!(
        f.message
            .contains(&format!("and {} more pair(s)", pairs - 4)),
        "{}",
        f.message
    );
    assert!(f.help.as_deref().unwrap_or("").len() < 300);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

/// Failure paths on a chain far deeper than any real estate: tracing every
/// culprit's chain would take billions of steps, so `check --format json`
/// prints every finding without `paths` and exits 3 (an analysis limit),
/// quickly and in bounded memory; the terminal form, which shows only a
/// few chains per finding, still has them.
#[test]
fn failure_paths_of_a_deep_chain_stop_at_the_limit() {
    let n = if cfg!(debug_assertions) {
        20_000
    } else {
        100_000
    };
    let dir = TempDir::new("deep-paths");
    dir.write("deep.yaml", &deep(n, false));
    let start = Instant::now();
    // Megabytes of JSON: read as it comes (the helper above waits first).
    let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir.path())
        .args(["check", "deep.yaml", "--format", "json"])
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("failure paths are left out"),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("the findings are printed");
    let findings = v["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "single-point-of-failure")
    );
    assert!(findings.iter().all(|f| f.get("paths").is_none()));
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );

    let o = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir.path())
        .args(["check", "deep.yaml"])
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("why: c0 -> top\n       c1 -> c0 -> top\n"),
        "{}",
        &text[text.len().saturating_sub(2000)..]
    );
}
