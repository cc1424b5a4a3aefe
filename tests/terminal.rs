//! The terminal style every command shares: `--color` (with the old
//! `--no-color`), `NO_COLOR`, and the width from `COLUMNS`.

use std::path::Path;
use std::process::{Command, Output};

const EXAMPLE: &str = "testdata/example";

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(root)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

fn coloured(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"\x1b[")
}

/// One invocation of every command with human output.
fn commands() -> Vec<Vec<&'static str>> {
    let today = ["--today", "2026-01-01"];
    let with = |v: &[&'static str]| {
        let mut v = v.to_vec();
        if v[0] != "rules" && v[0] != "explain" {
            v.extend(today);
        }
        v
    };
    vec![
        with(&["check", EXAMPLE]),
        with(&["spof", EXAMPLE]),
        with(&["cuts", EXAMPLE]),
        with(&["availability", EXAMPLE]),
        with(&["risks", EXAMPLE]),
        with(&["impact", EXAMPLE, "--fail", "south-ups-b"]),
        with(&["why", EXAMPLE, "--service", "payments"]),
        with(&["rules"]),
        with(&["explain", "single-point-of-failure"]),
    ]
}

#[test]
fn color_always_colours_every_command_even_in_a_pipe_and_with_no_color() {
    for args in commands() {
        for env in [&[][..], &[("NO_COLOR", "1")][..]] {
            let mut a = args.clone();
            a.extend(["--color", "always"]);
            let o = run(&a, env);
            assert!(
                coloured(&o.stdout),
                "`faultline {}` with {env:?} printed no colour:\n{}",
                a.join(" "),
                String::from_utf8_lossy(&o.stdout)
            );
        }
    }
}

#[test]
fn color_never_and_the_old_no_color_flag_print_plain_text() {
    for args in commands() {
        let mut never = args.clone();
        never.extend(["--color", "never"]);
        let o = run(&never, &[]);
        assert!(!coloured(&o.stdout), "`faultline {}`", never.join(" "));
        assert!(!o.stdout.is_empty());
        // `--no-color` wins over `--color always` (it predates it).
        if args[0] != "rules" && args[0] != "explain" {
            let mut old = args.clone();
            old.extend(["--color", "always", "--no-color"]);
            let o = run(&old, &[]);
            assert!(!coloured(&o.stdout), "`faultline {}`", old.join(" "));
        }
    }
}

#[test]
fn auto_is_plain_in_a_pipe_and_under_no_color() {
    for args in commands() {
        for env in [&[][..], &[("NO_COLOR", "1")][..]] {
            let o = run(&args, env);
            assert!(!coloured(&o.stdout), "`faultline {}`", args.join(" "));
            assert!(!coloured(&o.stderr), "`faultline {}`", args.join(" "));
        }
    }
}

#[test]
fn the_flag_may_come_before_the_command_and_reaches_stderr() {
    let o = run(
        &["--color=always", "impact", EXAMPLE, "--fail", "nope"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        coloured(&o.stderr),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = run(&["--color", "sometimes", "rules"], &[]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unknown --color is a usage error"
    );
}

fn widest(text: &[u8]) -> usize {
    String::from_utf8_lossy(text)
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn columns_sets_the_width_and_nonsense_falls_back_to_100() {
    let args = ["availability", EXAMPLE, "--today", "2026-01-01"];
    assert!(widest(&run(&args, &[("COLUMNS", "50")]).stdout) <= 50);
    let wide = run(&args, &[("COLUMNS", "200")]);
    assert!(widest(&wide.stdout) > 100, "a wide terminal is used");
    for nonsense in ["0", "-3", "wide", ""] {
        let o = run(&args, &[("COLUMNS", nonsense)]);
        assert_eq!(
            o.stdout,
            run(&args, &[]).stdout,
            "COLUMNS={nonsense:?} reads as unset"
        );
        assert!(widest(&o.stdout) <= 100);
    }
}
