//! Exit codes, config discovery and the command-line contract, end to end.

use std::path::Path;
use std::process::{Command, Output};

fn faultline(dir: &str, args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(root.join(dir))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn findings(o: &Output) -> Vec<(String, String, bool, String)> {
    json(o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["subject"].as_str().unwrap().to_owned(),
                f["waived"].as_bool().unwrap(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn config_is_discovered_from_the_working_directory() {
    let o = faultline(
        "tests/fixtures/config",
        &[
            "check",
            "estate.yaml",
            "--format",
            "json",
            "--today",
            "2026-11-25",
        ],
    );
    let f = findings(&o);
    // single-instance is disabled, SPOF downgraded to warning, web's SPOF waived.
    assert!(!f.iter().any(|x| x.0 == "single-instance"), "{f:?}");
    assert!(
        f.contains(&(
            "single-point-of-failure".into(),
            "web".into(),
            true,
            "warning".into()
        )),
        "{f:?}"
    );
    assert!(
        f.contains(&(
            "single-point-of-failure".into(),
            "cron".into(),
            false,
            "warning".into()
        )),
        "{f:?}"
    );
    // fail_level: warning in the config makes the warnings fail the run.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(json(&o)["summary"]["waived"], 1);
}

#[test]
fn command_line_fail_level_beats_the_config() {
    let o = faultline(
        "tests/fixtures/config",
        &[
            "check",
            "estate.yaml",
            "--format",
            "json",
            "--fail-level",
            "error",
            "--today",
            "2026-11-25",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_expired_config_waiver_stops_waiving_and_is_reported() {
    let o = faultline(
        "tests/fixtures/config",
        &[
            "check",
            "estate.yaml",
            "--format",
            "json",
            "--today",
            "2027-04-01",
        ],
    );
    let f = findings(&o);
    assert!(
        f.contains(&(
            "single-point-of-failure".into(),
            "web".into(),
            false,
            "warning".into()
        )),
        "{f:?}"
    );
    assert!(
        f.iter().any(|x| x.0 == "expired-waiver" && x.1 == "web"),
        "{f:?}"
    );
}

#[test]
fn explicit_config_and_no_config() {
    // From the crate root there is no faultline.yaml: defaults apply.
    let o = faultline(
        ".",
        &[
            "check",
            "tests/fixtures/config/estate.yaml",
            "--format",
            "json",
        ],
    );
    let f = findings(&o);
    assert!(f.iter().any(|x| x.0 == "single-instance"), "{f:?}");
    assert_eq!(o.status.code(), Some(1));
    let o = faultline(
        ".",
        &[
            "check",
            "tests/fixtures/config/estate.yaml",
            "--config",
            "tests/fixtures/config/faultline.yaml",
            "--format",
            "json",
            "--today",
            "2026-11-25",
        ],
    );
    assert!(!findings(&o).iter().any(|x| x.0 == "single-instance"));
    let o = faultline(
        ".",
        &[
            "check",
            "tests/fixtures/config/estate.yaml",
            "--config",
            "nope.yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.yaml"));
}

#[test]
fn exit_codes() {
    let ok = faultline(
        ".",
        &[
            "check",
            "docs/examples/custom-estate.yaml",
            "--fail-level",
            "never",
        ],
    );
    assert_eq!(ok.status.code(), Some(0));
    let missing = faultline(".", &["check", "no/such/file.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no/such/file.yaml"));
    let usage = faultline(".", &["check"]);
    assert_eq!(usage.status.code(), Some(2));
    let bad_format = faultline(
        ".",
        &[
            "check",
            "docs/examples/custom-estate.yaml",
            "--format",
            "yaml",
        ],
    );
    assert_eq!(bad_format.status.code(), Some(2));
    let unknown_fail = faultline(
        ".",
        &[
            "impact",
            "docs/examples/custom-estate.yaml",
            "--fail",
            "r9",
            "--format",
            "json",
        ],
    );
    assert_eq!(unknown_fail.status.code(), Some(2));
    assert!(
        stderr(&unknown_fail).contains("did you mean `r1`?")
            || stderr(&unknown_fail).contains("r9")
    );
}

#[test]
fn output_is_byte_identical_across_runs_and_working_directories() {
    let a = faultline(
        ".",
        &[
            "check",
            "docs/examples/custom-estate.yaml",
            "--format",
            "json",
        ],
    );
    let b = faultline(
        ".",
        &[
            "check",
            "docs/examples/custom-estate.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(a.stdout, b.stdout);
    let c = faultline(
        "docs",
        &["check", "examples/custom-estate.yaml", "--format", "json"],
    );
    let strip =
        |o: &Output| String::from_utf8_lossy(&o.stdout).replace("docs/examples/", "examples/");
    assert_eq!(strip(&a), strip(&c));
}

#[test]
fn faultline_never_writes_to_its_inputs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/custom-estate.yaml");
    let before = std::fs::read(&path).unwrap();
    let meta = std::fs::metadata(&path).unwrap().modified().unwrap();
    faultline(".", &["check", "docs/examples/custom-estate.yaml"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), meta);
}

#[test]
fn output_is_byte_identical_with_and_without_parallelism() {
    let dir = std::env::temp_dir().join(format!("faultline-par-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("estate.yaml");
    std::fs::write(&file, faultline_estategen::estate(7, 5_000)).unwrap();
    let path = file.to_str().unwrap();
    for args in [
        vec!["check", path, "--format", "json", "--today", "2026-06-01"],
        vec!["cuts", path, "--max-order", "2", "--format", "json"],
        vec!["availability", path, "--format", "json"],
    ] {
        let run = |threads: &str| {
            Command::new(env!("CARGO_BIN_EXE_faultline"))
                .args(&args)
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .unwrap()
                .stdout
        };
        let one = run("1");
        assert!(!one.is_empty());
        assert_eq!(one, run("4"), "{args:?} differs with 4 threads");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn timings_go_to_stderr_and_change_nothing_else() {
    let args = [
        "check",
        "estate.yaml",
        "--format",
        "json",
        "--today",
        "2026-01-01",
    ];
    let plain = faultline("testdata/example", &args);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let timed = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(root.join("testdata/example"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("FAULTLINE_TIMINGS", "1")
        .output()
        .unwrap();
    assert_eq!(timed.stdout, plain.stdout);
    assert_eq!(timed.status.code(), plain.status.code());
    let err = stderr(&timed);
    for phase in [
        "reading the description took",
        "analysing failures took",
        "writing the report took",
    ] {
        assert!(err.contains(phase), "no `{phase}` in:\n{err}");
    }
    assert!(!stderr(&plain).contains(" took "));
}

/// `--output FORMAT=FILE`: each file holds exactly what `--format FORMAT`
/// prints, from one run whose stdout is the `--format` report; a bad
/// format or an unwritable file is a usage error.
#[test]
fn one_run_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let estate = "testdata/example/estate.yaml";
    let base = ["check", estate, "--today", "2026-01-01"];
    let outputs = [
        ("sarif", path("out.sarif")),
        ("markdown", path("out.md")),
        ("json", path("out.json")),
        ("human", path("out.txt")),
    ];
    let mut args: Vec<String> = base.iter().map(|s| s.to_string()).collect();
    args.extend(["--format".into(), "github".into()]);
    for (format, file) in &outputs {
        args.extend(["--output".into(), format!("{format}={file}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let all = faultline(".", &args);
    assert_eq!(all.status.code(), Some(1), "{}", stderr(&all));
    let alone = |format: &str| {
        let mut a = base.to_vec();
        a.extend(["--format", format]);
        faultline(".", &a).stdout
    };
    assert_eq!(all.stdout, alone("github"), "stdout is the --format report");
    for (format, file) in &outputs {
        let written = std::fs::read(file).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&alone(format)),
            "--output {format}"
        );
    }

    let bad = faultline(".", &["check", estate, "--output", "sarf=x.sarif"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("did you mean `sarif`?"),
        "{}",
        stderr(&bad)
    );
    let nowhere = path("no/such/dir/out.sarif");
    let o = faultline(
        ".",
        &["check", estate, "--output", &format!("sarif={nowhere}")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write"), "{}", stderr(&o));
}
