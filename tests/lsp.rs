//! `faultline lsp` end to end, its diagnostics: a JSON-RPC client
//! drives the real binary over stdio (`common/lsp_client.rs`), and one
//! test drives a real editor (headless Neovim) when it is installed.
//! Navigation, editing and workspace folders have files of their own
//! (`lsp_*.rs`).

#[path = "common/lsp_client.rs"]
#[allow(dead_code)]
mod client;
#[path = "common/lsp_kit.rs"]
#[allow(dead_code)]
mod kit;

use client::{Client, pos, uri};
use kit::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;

#[test]
fn diagnostics_match_check_on_the_golden_cases() {
    let cases = check_cases();
    assert!(cases.len() > 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (dir, today) in &cases {
        let mut c = Client::start(dir, options(today), false);
        c.settle();
        let want = unplaced_count(check_says(dir, today));
        let got = unplaced_count(server_says(&c));
        c.shutdown();
        if want != got {
            let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
            let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
            failures.push(format!(
                "{}:\n  check says, the server not: {missing:#?}\n  the server says, check not: {extra:#?}",
                dir.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn findings_carry_their_rule_link_and_culprits() {
    let mut c = Client::start(&example(), options(TODAY), false);
    c.settle();
    let file = uri(&example().join("estate.yaml"));
    let diags = c.diagnostics[&file].clone();
    let spof = diags
        .iter()
        .find(|d| {
            d["code"] == "single-point-of-failure"
                && d["message"].as_str().unwrap().contains("`payments`")
        })
        .expect("payments has a SPOF");
    assert_eq!(spof["severity"], 1);
    assert_eq!(spof["source"], "faultline");
    let href = spof["codeDescription"]["href"].as_str().unwrap();
    assert!(href.ends_with("rules.md#single-point-of-failure"), "{href}");
    let related = strings(&spof["relatedInformation"], "message");
    assert!(
        related.iter().any(|m| m.contains("pdu `n02-a`")),
        "{related:?}"
    );
    assert!(spof["message"].as_str().unwrap().contains("\nhelp: "));
    // The waived finding of the example is not there.
    let waived = diags
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains("waived"))
        .count();
    assert_eq!(waived, 0);
    c.shutdown();
}

#[test]
fn a_file_gets_at_most_so_many_diagnostics() {
    let mut c = Client::start(
        &example(),
        json!({"today": TODAY, "maxDiagnosticsPerFile": 3}),
        false,
    );
    c.settle();
    let d = c.diagnostics[&uri(&example().join("estate.yaml"))].clone();
    assert_eq!(d.len(), 4);
    assert!(
        d[..3].iter().all(|d| d["severity"] == 1),
        "errors first: {d:#?}"
    );
    assert_eq!(d[3]["code"], "too-many-diagnostics");
    assert!(
        d[3]["message"]
            .as_str()
            .unwrap()
            .starts_with("7 more problems in this file")
    );
    c.shutdown();
}

#[test]
fn bad_input_is_answered_not_fatal() {
    let mut c = Client::start(&example(), options(TODAY), false);
    // Unknown method, bad params, a file outside the workspace.
    let e = c
        .try_request("textDocument/formatting", json!({}))
        .unwrap_err();
    assert_eq!(e["code"], -32601);
    let e = c
        .try_request("textDocument/hover", json!({"nonsense": 1}))
        .unwrap_err();
    assert_eq!(e["code"], -32602);
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.yaml"}, "position": pos(0, 0)}),
    );
    assert!(r.is_null());
    // A buffer of garbage: diagnostics, and the server still answers.
    let path = example().join("estate.yaml");
    c.open(&path, "hosts: [\u{0}");
    c.change(&path, 2, "hosts: {h1: [");
    let d = c.wait_diagnostics(&uri(&path), |d| codes(d) == ["syntax"]);
    assert_eq!(d.len(), 1);
    c.settle();
    c.shutdown();
}

/// Headless Neovim opens the example estate with faultline as its
/// language server and receives the diagnostics. Debian bookworm has
/// Neovim 0.7, which lacks `vim.lsp.start` (0.8): the script uses
/// `vim.lsp.start_client` and `vim.lsp.buf_attach_client`, which both
/// versions have.
#[test]
fn neovim_receives_the_diagnostics() {
    let Ok(version) = Command::new("nvim").arg("--version").output() else {
        println!("skipped: nvim is not installed (`apt-get install neovim`)");
        return;
    };
    let version = String::from_utf8_lossy(&version.stdout);
    let root = example();
    let out = std::env::temp_dir().join(format!("faultline-nvim-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let script = crate_root().join("tests/lsp/nvim.lua");
    let status = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .arg("-c")
        .arg(format!("luafile {}", script.display()))
        .env("FAULTLINE_BIN", env!("CARGO_BIN_EXE_faultline"))
        .env("FAULTLINE_ROOT", &root)
        .env("FAULTLINE_FILE", root.join("estate.yaml"))
        .env("FAULTLINE_OUT", &out)
        .env("FAULTLINE_TODAY", TODAY)
        .status()
        .expect("nvim runs");
    assert!(
        status.success(),
        "nvim failed ({})",
        version.lines().next().unwrap_or("")
    );
    let got: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the script wrote its result"))
            .expect("JSON");
    let _ = std::fs::remove_file(&out);
    // The same diagnostics as the JSON-RPC client receives.
    let mut c = Client::start(&root, options(TODAY), false);
    c.settle();
    let want = c.diagnostics[&uri(&root.join("estate.yaml"))].clone();
    c.shutdown();
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for d in &want {
        *by_code
            .entry(d["code"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let mut nvim_codes: BTreeMap<String, usize> = BTreeMap::new();
    for d in got.as_array().expect("a list of diagnostics") {
        *nvim_codes
            .entry(d["code"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert!(!want.is_empty());
    assert_eq!(nvim_codes, by_code, "{got:#}");
    let first = &got[0];
    assert_eq!(first["lnum"], want[0]["range"]["start"]["line"]);
    assert_eq!(first["source"], "faultline");
}
