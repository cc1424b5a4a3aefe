//! `faultline lsp` end to end: a JSON-RPC client drives the real binary
//! over stdio (see `lsp/client.rs`), and one test drives a real editor
//! (headless Neovim) when it is installed.

#[path = "lsp/client.rs"]
mod client;

use client::{Client, apply, find, pos, uri};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-01-01";

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    crate_root().join("testdata/example")
}

fn options(today: &str) -> Value {
    json!({"today": today, "debounceMs": 20})
}

/// A folder in the temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("faultline-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh copy of a testdata case's descriptions, for tests that edit
/// files.
fn scratch(case: &str, name: &str) -> Scratch {
    let dir = Scratch::new(name);
    for e in std::fs::read_dir(crate_root().join("testdata").join(case)).unwrap() {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "yaml") {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
    }
    dir
}

/// One diagnostic as `check` would say it: file (relative to the
/// workspace), line and column (1-based; `None` for problems that point
/// at no place), code, and the message on one line.
type Said = (Option<(String, u64, u64)>, String, String);

/// A message on one line, with very long ids shortened as the terminal
/// report does (so both sides compare equal).
fn one_line(s: &str) -> String {
    let s = faultline::input::diag::cut_long_ids(s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `faultline check . --format json` prints in a case folder: the
/// findings from the JSON report (waived ones left out), the input
/// errors and warnings from the report on stderr.
fn check_says(dir: &Path, today: &str) -> Vec<Said> {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["check", ".", "--format", "json", "--today", today])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("check runs");
    let mut said = Vec::new();
    if let Ok(report) = serde_json::from_slice::<Value>(&out.stdout) {
        for f in report["findings"].as_array().unwrap() {
            if f["waived"] == true {
                continue;
            }
            let l = &f["location"];
            let file = l["file"].as_str().unwrap().trim_start_matches("./");
            said.push((
                Some((
                    file.to_owned(),
                    l["line"].as_u64().unwrap(),
                    l["column"].as_u64().unwrap(),
                )),
                f["rule"].as_str().unwrap().to_owned(),
                one_line(f["message"].as_str().unwrap()),
            ));
        }
        // Waivers that accept nothing: in the report, beside the findings.
        for w in report["unused_waivers"].as_array().into_iter().flatten() {
            let l = &w["location"];
            let file = l["file"].as_str().unwrap().trim_start_matches("./");
            said.push((
                Some((
                    file.to_owned(),
                    l["line"].as_u64().unwrap(),
                    l["column"].as_u64().unwrap(),
                )),
                w["code"].as_str().unwrap().to_owned(),
                one_line(w["message"].as_str().unwrap()),
            ));
        }
    }
    // Input problems: a `input::code` line, a blank line, then the message
    // after `×` or `⚠`, continued on `│` lines.
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let Some(code) = l
            .strip_prefix("input::")
            .or_else(|| l.strip_prefix("analysis::").map(|_| "analysis-limit"))
        else {
            continue;
        };
        let Some(head) = lines
            .get(i + 2)
            .and_then(|h| h.strip_prefix("  × ").or_else(|| h.strip_prefix("  ⚠ ")))
        else {
            continue;
        };
        let mut text = head.to_owned();
        for more in &lines[i + 3..] {
            match more.strip_prefix("  │ ") {
                Some(m) => text = format!("{text} {m}"),
                None => break,
            }
        }
        let mut parts = text.splitn(4, ':');
        let (path, line, col, rest) = (parts.next(), parts.next(), parts.next(), parts.next());
        let place = match (
            path,
            line.map(str::parse::<u64>),
            col.map(str::parse::<u64>),
            rest,
        ) {
            (Some(p), Some(Ok(l)), Some(Ok(c)), Some(r)) => {
                Some((p.trim_start_matches("./").to_owned(), l, c, r))
            }
            _ => None,
        };
        said.push(match place {
            Some((p, l, c, r)) => (Some((p, l, c)), code.to_owned(), one_line(r)),
            None => match text.split_once(": ") {
                // `./big.yaml: the file is larger...`: at the file's start.
                Some((p, r)) if p.starts_with("./") => (
                    Some((p.trim_start_matches("./").to_owned(), 1, 1)),
                    code.to_owned(),
                    one_line(r),
                ),
                _ => (None, code.to_owned(), one_line(&text)),
            },
        });
    }
    said.sort();
    said
}

/// "N more errors not shown" and "the analysis stopped" point at no place
/// in `check`; the server puts the first with the errors shown, the second
/// at the top of the first file. Compare them without their place.
fn unplaced_count(mut said: Vec<Said>) -> Vec<Said> {
    for s in &mut said {
        if s.1 == "too-many-errors" || s.1 == "analysis-limit" {
            s.0 = None;
        }
    }
    said.sort();
    said
}

/// The same, from the server's diagnostics (and messages for problems
/// that point at no file).
fn server_says(c: &Client) -> Vec<Said> {
    let root = format!("{}/", uri(&c.root));
    let mut said = Vec::new();
    for (u, list) in &c.diagnostics {
        let file = u.strip_prefix(&root).unwrap_or(u).to_owned();
        for d in list {
            let code = d["code"].as_str().unwrap().to_owned();
            let message = d["message"].as_str().unwrap();
            let message = message.split("\nhelp: ").next().unwrap();
            let p = &d["range"]["start"];
            let at = (
                file.clone(),
                p["line"].as_u64().unwrap() + 1,
                p["character"].as_u64().unwrap() + 1,
            );
            said.push((Some(at), code, one_line(message)));
        }
    }
    for n in &c.notifications {
        if n["method"] == "window/showMessage" {
            let m = n["params"]["message"].as_str().unwrap();
            said.push((None, "shown".into(), one_line(m)));
        }
    }
    said.sort();
    said
}

/// The golden cases that are `check` of one folder without custom rule
/// directories, with their date.
fn check_cases() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(crate_root().join("testdata"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let args = std::fs::read_to_string(dir.join("args"))
            .unwrap_or_else(|_| "check {dir} --today 2026-01-01".into());
        let words: Vec<&str> = args.split_whitespace().collect();
        let on_folder = matches!(words.get(1), Some(&"{dir}") | Some(&"{dir}/estate.yaml"));
        if words.first() != Some(&"check") || !on_folder || words.contains(&"--rules") {
            continue;
        }
        if words[1].ends_with("estate.yaml") && !dir.join("estate.yaml").exists() {
            continue; // err-missing-path: no file, no workspace
        }
        let today = words
            .iter()
            .position(|w| *w == "--today")
            .map_or(TODAY, |i| words[i + 1]);
        if faultline::model::date::parse_date(today).is_none() {
            continue; // a usage error, not a description's
        }
        out.push((dir, today.to_owned()));
    }
    out
}

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
fn definition_references_hover_and_symbols() {
    let root = example();
    let path = root.join("estate.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut c = Client::start(&root, options(TODAY), false);
    let doc = json!({"uri": uri(&path)});
    // `n02-a` named in a power list: its definition is its key in `pdus`.
    let at = find(&text, "[n02-a, n02-b]", 0, 1);
    let defs = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": at}),
    );
    assert_eq!(defs.as_array().unwrap().len(), 1, "{defs}");
    assert_eq!(defs[0]["range"]["start"], find(&text, "  n02-a: {", 0, 2));
    // References: every place that names it, with or without its key.
    let named = text.matches("n02-a,").count() + text.matches("n02-a]").count();
    let refs = |c: &mut Client, decl: bool| {
        c.request(
            "textDocument/references",
            json!({"textDocument": doc, "position": at, "context": {"includeDeclaration": decl}}),
        )
        .as_array()
        .unwrap()
        .len()
    };
    assert_eq!(refs(&mut c, false), named);
    assert_eq!(refs(&mut c, true), named + 1);
    // Hover: kind, what it needs, who needs it, what its failure takes down.
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": at}),
    );
    let h = hover["contents"]["value"].as_str().unwrap();
    assert!(
        h.starts_with("**pdu** `n02-a`, defined in `estate.yaml` line"),
        "{h}"
    );
    assert!(
        h.contains("- `rack`: `n02`") && h.contains("- `feed`: `north-ups-a`"),
        "{h}"
    );
    assert!(h.contains("**Depended on by**\n- as `power` of "), "{h}");
    assert!(h.contains("takes down") && h.contains("`payments`"), "{h}");
    // A service's hover: what depends on it through `depends_on`.
    let svc = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": find(&text, "  payments:", 0, 3)}),
    );
    assert!(
        svc["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**service** `payments`")
    );
    // Nothing at a field name.
    let none = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": find(&text, "capacity_w", 0, 2)}),
    );
    assert!(none.is_null(), "{none}");
    // Document symbols: sections with their ids.
    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    let sections = strings(&symbols, "name");
    assert_eq!(
        sections,
        [
            "version",
            "sites",
            "feeds",
            "racks",
            "pdus",
            "switches",
            "clusters",
            "hosts",
            "components",
            "vms",
            "services"
        ]
    );
    let pdus = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "pdus")
        .unwrap();
    assert!(
        pdus["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "n02-a" && s["detail"] == "pdu")
    );
    // Workspace symbols: best match first.
    let ws = c.request("workspace/symbol", json!({"query": "paym"}));
    assert_eq!(ws[0]["name"], "payments");
    c.shutdown();
}

#[test]
fn rename_across_files() {
    let root = crate_root().join("testdata/cmd-check-two-files");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    // An id defined in one file and named in the other.
    let model = faultline::model::load::load(
        files
            .iter()
            .zip(&texts)
            .map(|(f, t)| (f.to_string_lossy().into_owned(), t.clone().into_bytes()))
            .collect(),
    )
    .ok()
    .expect("the case loads");
    let (i, name) = model
        .entities
        .iter()
        .find_map(|e| {
            let (def_file, _) = model.sources.locate(e.span);
            let other = texts.iter().enumerate().find(|(i, t)| {
                files[*i].to_string_lossy() != def_file && t.contains(&format!("{}]", e.id))
            });
            other.map(|(i, _)| (i, e.id.clone()))
        })
        .expect("an id named across files");
    let mut c = Client::start(&root, options(TODAY), false);
    let doc = json!({"uri": uri(&files[i])});
    let at = find(&texts[i], &format!("{name}]"), 0, 0);
    let prepared = c.request(
        "textDocument/prepareRename",
        json!({"textDocument": doc, "position": at}),
    );
    assert_eq!(prepared["placeholder"], name.as_str());
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": doc, "position": at, "newName": "renamed-id"}),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 2, "{edit}");
    let mut renamed = Vec::new();
    for (f, t) in files.iter().zip(&texts) {
        let new = apply(t, changes[&uri(f)].as_array().unwrap());
        assert!(!new.contains(&format!("{name}]")) && !new.contains(&format!("{name}:")));
        renamed.push((f.to_string_lossy().into_owned(), new.into_bytes()));
    }
    let after = faultline::model::load::load(renamed)
        .ok()
        .expect("still loads");
    assert!(after.lookup("renamed-id").is_some() && after.lookup(&name).is_none());
    // Renaming onto an id that exists is refused.
    let taken = model
        .entities
        .iter()
        .find(|e| e.id != name)
        .unwrap()
        .id
        .clone();
    let refused = c.try_request(
        "textDocument/rename",
        json!({"textDocument": doc, "position": at, "newName": taken}),
    );
    assert!(
        refused.unwrap_err()["message"]
            .as_str()
            .unwrap()
            .contains("already defined")
    );
    c.shutdown();
}

#[test]
fn completion_offers_the_kinds_the_field_takes() {
    let root = scratch("example", "complete");
    let path = root.join("estate.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut c = Client::start(&root, options(TODAY), false);
    // A host being written: `power: [n0` (not valid YAML yet).
    let under_hosts = |line: &str| text.replacen("\nhosts:\n", &format!("\nhosts:\n{line}\n"), 1);
    // The line after `hosts:` (0-based).
    let hosts_line = text[..text.find("\nhosts:\n").unwrap()]
        .matches('\n')
        .count()
        + 2;
    let line = "  new-host: {rack: n01, power: [n0";
    c.open(&path, &text);
    c.change(&path, 2, &under_hosts(line));
    let at = pos(hosts_line, line.len());
    let list = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&path)}, "position": at}),
    );
    let labels = strings(&list["items"], "label");
    // PDUs of n01 and n02, not the racks n01, n02 nor the switch n01-tor.
    assert!(
        labels.contains(&"n01-a") && labels.contains(&"n02-b"),
        "{labels:?}"
    );
    assert!(
        !labels.contains(&"n01") && !labels.contains(&"n01-tor"),
        "{labels:?}"
    );
    let model = faultline::model::load::load_str("e.yaml", &text)
        .ok()
        .unwrap();
    for l in &labels {
        let kind = model.get(model.lookup(l).unwrap()).kind().singular();
        assert!(
            ["pdu", "feed", "component"].contains(&kind),
            "{l} is a {kind}"
        );
    }
    let item = &list["items"][0];
    assert_eq!(
        item["textEdit"]["range"]["start"],
        pos(at["line"].as_u64().unwrap() as usize, line.len() - 2)
    );
    // `rack:` offers racks only.
    let line = "  other: {rack: ";
    c.change(&path, 3, &under_hosts(line));
    let list = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&path)}, "position": pos(hosts_line, line.len())}),
    );
    let labels = strings(&list["items"], "label");
    assert_eq!(labels, ["n01", "n02", "o01", "s01", "s02"]);
    c.shutdown();
}

/// The `key` of each item of a JSON list.
fn strings<'v>(list: &'v Value, key: &str) -> Vec<&'v str> {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(|i| i[key].as_str()).collect()
}

/// The diagnostics of a file, by code.
fn codes(list: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = list
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// A copy of the example estate open in a server: the folder (removed
/// when dropped), the file, its URI and text, the client, and the
/// diagnostics it got on opening.
struct Editing {
    client: Client,
    _dir: Scratch,
    path: PathBuf,
    uri: String,
    text: String,
    opened: Vec<Value>,
}

fn edit_example(name: &str) -> Editing {
    let dir = scratch("example", name);
    let path = dir.join("estate.yaml");
    let uri = uri(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut client = Client::start(&dir, options(TODAY), false);
    client.open(&path, &text);
    let opened = client.wait_diagnostics(&uri, |d| !d.is_empty());
    Editing {
        client,
        _dir: dir,
        path,
        uri,
        text,
        opened,
    }
}

impl Editing {
    /// The code action titled `title` for a range, and the text it makes.
    fn quick_fix(
        &mut self,
        text: &str,
        range: &Value,
        sent: Value,
        title: &str,
    ) -> (Value, String) {
        let actions = self.client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": self.uri}, "range": range, "context": {"diagnostics": sent}}),
        );
        let action = actions
            .as_array()
            .and_then(|list| list.iter().find(|a| a["title"] == title))
            .unwrap_or_else(|| panic!("no action `{title}` in {actions:#}"))
            .clone();
        let edits = action["edit"]["changes"][&self.uri].as_array().unwrap();
        let fixed = apply(text, edits);
        (action, fixed)
    }
}

#[test]
fn an_edit_that_breaks_then_a_quick_fix_that_mends() {
    let mut e = edit_example("edit");
    let unknown = |d: &[Value]| codes(d).contains(&"unknown-id".to_owned());
    assert!(!unknown(&e.opened));
    // A typo in a reference: an input error at the typo, and no findings.
    let broken = e
        .text
        .replacen("power: [n02-a, n02-b]", "power: [n02-a, n02-bb]", 1);
    e.client.change(&e.path, 2, &broken);
    let diags = e.client.wait_diagnostics(&e.uri, unknown);
    assert_eq!(codes(&diags), ["unknown-id"]);
    assert_eq!(diags[0]["range"]["start"], find(&broken, "n02-bb", 0, 0));
    let message = diags[0]["message"].as_str().unwrap();
    assert!(message.contains("did you mean `n02-b`?"), "{message}");
    // The quick fix applies the did-you-mean.
    let range = diags[0]["range"].clone();
    let (fix, mended) = e.quick_fix(&broken, &range, json!(diags), "Change `n02-bb` to `n02-b`");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "unknown-id");
    assert_eq!(mended, e.text);
    e.client.change(&e.path, 3, &mended);
    let back = e.client.wait_diagnostics(&e.uri, |d| !unknown(d));
    assert_eq!(back, e.opened);
    // A misspelt field name: the same kind of fix.
    let misspelt = e.text.replacen("capacity_w: 5500", "capacty_w: 5500", 1);
    e.client.change(&e.path, 4, &misspelt);
    let diags = e
        .client
        .wait_diagnostics(&e.uri, |d| codes(d) == ["unknown-key"]);
    let range = diags[0]["range"].clone();
    let title = "Change `capacty_w` to `capacity_w`";
    let (_, mended) = e.quick_fix(&misspelt, &range, json!(diags), title);
    assert_eq!(mended, e.text);
}

#[test]
fn a_waiver_skeleton_silences_a_finding() {
    let mut e = edit_example("waive");
    let is_payments_spof = |d: &Value| {
        d["code"] == "single-point-of-failure"
            && d["message"].as_str().unwrap().contains("`payments`")
    };
    let spof = e
        .opened
        .iter()
        .find(|d| is_payments_spof(d))
        .unwrap()
        .clone();
    let title = "Waive `single-point-of-failure` on `payments`";
    let text = e.text.clone();
    let (_, waived) = e.quick_fix(&text, &spof["range"], json!([spof]), title);
    assert!(waived.contains(
        "rule: single-point-of-failure, reason: \"TODO: why this risk is accepted\", until: 2026-04-01"
    ));
    e.client.change(&e.path, 2, &waived);
    let after = e
        .client
        .wait_diagnostics(&e.uri, |d| !d.iter().any(is_payments_spof));
    assert_eq!(after.len(), e.opened.len() - 1, "only that finding goes");
}

#[test]
fn positions_in_utf8_or_utf16_as_negotiated() {
    let root = Scratch::new("utf");
    // `é` is 2 bytes and 1 UTF-16 unit, `😀` 4 bytes and 2 units.
    let text = "hosts:\n  h1: {description: é😀, rack: nowhere}\n";
    let path = root.join("a.yaml");
    std::fs::write(&path, text).unwrap();
    let col = |utf8: bool| {
        let mut c = Client::start(&root, options(TODAY), utf8);
        let d = c.wait_diagnostics(&uri(&path), |d| !d.is_empty());
        c.shutdown();
        d[0]["range"]["start"]["character"].as_u64().unwrap()
    };
    let bytes = text.lines().nth(1).unwrap().find("nowhere").unwrap() as u64;
    assert_eq!(col(true), bytes);
    assert_eq!(col(false), bytes - 1 - 2);
}

#[test]
fn files_changed_outside_the_editor_are_checked_again() {
    let root = scratch("example", "watch");
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let mut c = Client::start_with(&root, options(TODAY), caps);
    c.settle();
    let register = c
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("the server asks to watch YAML files");
    assert_eq!(
        register["params"]["registrations"][0]["method"],
        "workspace/didChangeWatchedFiles"
    );
    // A new file appears (a `git checkout`): its problems are published.
    let new = root.join("more.yaml");
    std::fs::write(&new, "hosts:\n  h9: {rack: nowhere}\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&new), "type": 1}]}),
    );
    let d = c.wait_diagnostics(&uri(&new), |d| !d.is_empty());
    assert_eq!(codes(&d), ["unknown-id"]);
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

/// The id of the first vm of a description.
fn first_vm(text: &str) -> &str {
    let vms = text.find("\nvms:\n").expect("a vms section") + 6;
    text[vms..]
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split(':').next())
        .unwrap()
}

/// The text with one more service on the first vm: one more finding
/// (`single-instance`), so the edit changes the diagnostics.
fn with_probe(text: &str) -> String {
    let vm = first_vm(text);
    let services = text.find("\nservices:\n").expect("a services section") + 11;
    format!(
        "{}  lsp-probe: {{instances: [{vm}]}}\n{}",
        &text[..services],
        &text[services..]
    )
}

/// Re-check latency after an edit, for the README: `cargo test --release
/// --test lsp -- --ignored --nocapture latency`. Generates a 100k-entity
/// estate (about 10 MB, one file) and times edits on it and on the
/// example: the server's own re-check time (from its log), and the time
/// from sending an edit to receiving the file's new diagnostics.
#[test]
#[ignore]
fn latency() {
    let big = Scratch::new("100k");
    // The estate `cargo run --release --example generate -- --entities
    // 100000 --seed 1` writes.
    let generated = faultline_estategen::estate(1, 100_000);
    std::fs::write(big.join("estate.yaml"), generated).unwrap();
    for (name, root) in [("example", scratch("example", "latency")), ("100k", big)] {
        let path = root.join("estate.yaml");
        let u = uri(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let probed = with_probe(&text);
        let mut c = Client::start(&root, json!({"today": TODAY, "debounceMs": 0}), false);
        c.open(&path, &text);
        c.settle();
        let mut times = Vec::new();
        for i in 0..6 {
            let edited = if i % 2 == 0 { &probed } else { &text };
            let n = c.published.get(&u).copied().unwrap_or(0);
            let t = std::time::Instant::now();
            c.change(&path, i + 2, edited);
            c.wait_published(&u, n);
            times.push(t.elapsed().as_millis());
        }
        // Requests after an edit: the first one indexes the changed file.
        let vm = first_vm(&text);
        let at = find(&text, &format!("\n  {vm}:"), 0, 3);
        let mut requests = Vec::new();
        for method in [
            "textDocument/hover",
            "textDocument/hover",
            "textDocument/references",
        ] {
            let t = std::time::Instant::now();
            c.request(
                method,
                json!({"textDocument": {"uri": u}, "position": at, "context": {"includeDeclaration": true}}),
            );
            requests.push(format!("{method} {} ms", t.elapsed().as_millis()));
        }
        println!("{name}: after the last edit: {requests:?}");
        let server: Vec<&str> = c
            .notifications
            .iter()
            .filter(|n| n["method"] == "window/logMessage")
            .filter_map(|n| n["params"]["message"].as_str())
            .collect();
        let count = c.diagnostics[&u].len();
        if let Some(capped) = c.diagnostics[&u]
            .iter()
            .find(|d| d["code"] == "too-many-diagnostics")
        {
            println!("{name}: {}", capped["message"]);
        }
        let bytes = serde_json::to_string(&c.diagnostics[&u]).unwrap().len();
        // For comparison, on the same machine at the same moment.
        let t = std::time::Instant::now();
        Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args(["check", ".", "--format", "json", "--today", TODAY])
            .current_dir(&*root)
            .output()
            .expect("check runs");
        let check = t.elapsed().as_millis();
        println!(
            "{name}: {count} diagnostics ({} kB); edit to new diagnostics {times:?} ms; \
             `faultline check --format json` {check} ms; server: {:#?}",
            bytes / 1000,
            &server[server.len().saturating_sub(6)..]
        );
        c.shutdown();
    }
}

/// Cuts a generated estate into `n` files of about equal size at entry
/// boundaries; each file opens the sections its entries belong to.
fn split_estate(text: &str, n: usize) -> Vec<String> {
    let mut entries: Vec<(usize, String)> = Vec::new();
    let mut sections: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.is_empty() || line.starts_with("version:") {
            continue;
        }
        if !line.starts_with(' ') {
            sections.push(line);
        } else if line.starts_with("  ") && !line.starts_with("   ") {
            entries.push((sections.len() - 1, format!("{line}\n")));
        } else if let Some(last) = entries.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    let per = entries.len().div_ceil(n);
    entries
        .chunks(per)
        .map(|chunk| {
            let mut out = String::from("version: 1\n");
            let mut open = usize::MAX;
            for (s, e) in chunk {
                if *s != open {
                    out.push_str(sections[*s]);
                    out.push('\n');
                    open = *s;
                }
                out.push_str(e);
            }
            out
        })
        .collect()
}

/// The text with the first key of the first flow map after `from`
/// misspelled (one more character): an unknown-key error.
fn misspelled(text: &str, from: usize) -> String {
    let open = from + text[from..].find(": {").expect("a flow map") + 3;
    let colon = open + text[open..].find(':').unwrap();
    format!("{}x{}", &text[..colon], &text[colon..])
}

/// Edit-to-diagnostics latency on a split estate, for the README:
/// `cargo test --release --test lsp -- --ignored --nocapture
/// latency_split`. 47k entities (the size of the estate the issue was
/// measured on) in 48 files; one file open, a key misspelled and fixed
/// again 12 times; also the time from starting the server to its first
/// diagnostics.
#[test]
#[ignore]
fn latency_split() {
    let root = Scratch::new("split");
    let files = split_estate(&faultline_estategen::estate(7, 47_000), 48);
    assert!(files.len() >= 40);
    for (i, f) in files.iter().enumerate() {
        std::fs::write(root.join(format!("part{i:02}.yaml")), f).unwrap();
    }
    let path = root.join("part24.yaml");
    let u = uri(&path);
    let text = files[24].clone();
    let edited = misspelled(&text, text.len() / 2);
    let t = std::time::Instant::now();
    let mut c = Client::start(&root, json!({"today": TODAY, "debounceMs": 0}), false);
    c.settle();
    let first = t.elapsed().as_millis();
    c.open(&path, &text);
    c.settle();
    let mut times = Vec::new();
    for i in 0..24 {
        let next = if i % 2 == 0 { &edited } else { &text };
        let n = c.published.get(&u).copied().unwrap_or(0);
        let t = std::time::Instant::now();
        c.change(&path, i + 2, next);
        c.wait_published(&u, n);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if i % 2 == 0 {
            assert!(
                c.diagnostics[&u].iter().any(|d| d["code"] == "unknown-key"),
                "the misspelled key is reported"
            );
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let server: Vec<&str> = c
        .notifications
        .iter()
        .filter(|n| n["method"] == "window/logMessage")
        .filter_map(|n| n["params"]["message"].as_str())
        .collect();
    println!(
        "47k entities in {} files: first diagnostics {first} ms; edit to diagnostics: median {:.0} ms, min {:.0}, max {:.0} ({} edits); server: {:#?}",
        files.len(),
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1],
        times.len(),
        &server[server.len().saturating_sub(3)..]
    );
    c.shutdown();
}

/// One step of an editing session.
#[derive(Clone, Debug)]
enum Step {
    /// In the editor (opening the file first): a character typed into a
    /// line, a line deleted, or a line doubled.
    Type(usize, usize, usize),
    Delete(usize, usize),
    Double(usize, usize),
    /// The buffer saved to disk.
    Save(usize),
    /// The buffer closed without saving.
    Close(usize),
    /// The file changed on disk behind the editor's back (a line deleted).
    Outside(usize, usize),
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    let f = 0..4usize;
    let n = 0..10_000usize;
    prop_oneof![
        (f.clone(), n.clone(), 0..4usize).prop_map(|(f, l, c)| Step::Type(f, l, c)),
        (f.clone(), n.clone()).prop_map(|(f, l)| Step::Delete(f, l)),
        (f.clone(), n.clone()).prop_map(|(f, l)| Step::Double(f, l)),
        f.clone().prop_map(Step::Save),
        f.clone().prop_map(Step::Close),
        (f, n).prop_map(|(f, l)| Step::Outside(f, l)),
    ]
}

/// A text with line `l` (modulo the line count) changed by `op`.
fn edit_line(text: &str, l: usize, op: impl Fn(&str) -> String) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return text.to_owned();
    }
    let l = l % lines.len();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(&if i == l {
            op(line)
        } else {
            format!("{line}\n")
        });
    }
    out
}

/// After any sequence of edits, saves, closes and changes on disk, the
/// server's diagnostics are those of `check` run on the files as the
/// editor has them (open buffers in place of their files), the config
/// (one of the four files) included.
#[test]
fn diagnostics_after_random_edits_match_check() {
    use proptest::prelude::*;
    let example = std::fs::read_to_string(example().join("estate.yaml")).unwrap();
    let parts = split_estate(&example, 3);
    let config = "waivers:\n  reporting:\n    - {rule: single-instance, reason: one copy is enough}\nrules:\n  single-instance: {severity: warning}\n";
    let names = ["a.yaml", "b.yaml", "c.yaml", "faultline.yaml"];
    let mut texts: Vec<String> = parts.clone();
    texts.push(config.to_owned());
    let config_runner = proptest::test_runner::Config {
        cases: 24,
        failure_persistence: None,
        ..Default::default()
    };
    proptest!(config_runner, |(steps in proptest::collection::vec(step(), 1..8))| {
        let root = Scratch::new("random");
        for (n, t) in names.iter().zip(&texts) {
            std::fs::write(root.join(n), t).unwrap();
        }
        let mut disk = texts.clone();
        let mut open: Vec<Option<(String, i32)>> = vec![None; names.len()];
        let mut c = Client::start(&root, options(TODAY), false);
        c.settle();
        for s in &steps {
            let (f, typed) = match *s {
                Step::Type(f, l, ch) => (f, Some(Box::new(move |t: &str| {
                    edit_line(t, l, |line| {
                        let at = line.len() / 2;
                        let ch = ["x", ":", " ", "-"][ch];
                        format!("{}{ch}{}\n", &line[..at], &line[at..])
                    })
                }) as Box<dyn Fn(&str) -> String>)),
                Step::Delete(f, l) => (f, Some(Box::new(move |t: &str| edit_line(t, l, |_| String::new())) as Box<dyn Fn(&str) -> String>)),
                Step::Double(f, l) => (f, Some(Box::new(move |t: &str| edit_line(t, l, |line| format!("{line}\n{line}\n"))) as Box<dyn Fn(&str) -> String>)),
                Step::Save(f) | Step::Close(f) | Step::Outside(f, _) => (f, None),
            };
            let path = root.join(names[f]);
            if let Some(op) = typed {
                if open[f].is_none() {
                    c.open(&path, &disk[f]);
                    open[f] = Some((disk[f].clone(), 1));
                }
                let (text, version) = open[f].as_mut().unwrap();
                *text = op(text);
                *version += 1;
                c.change(&path, *version, text);
                continue;
            }
            match *s {
                Step::Save(_) => {
                    if let Some((text, _)) = &open[f] {
                        disk[f] = text.clone();
                        std::fs::write(&path, text).unwrap();
                        c.notify("textDocument/didSave", json!({"textDocument": {"uri": uri(&path)}}));
                    }
                }
                Step::Close(_) if open[f].take().is_some() => {
                    c.notify("textDocument/didClose", json!({"textDocument": {"uri": uri(&path)}}));
                }
                Step::Outside(_, l) => {
                    disk[f] = edit_line(&disk[f], l, |_| String::new());
                    std::fs::write(&path, &disk[f]).unwrap();
                    c.notify(
                        "workspace/didChangeWatchedFiles",
                        json!({"changes": [{"uri": uri(&path), "type": 2}]}),
                    );
                }
                _ => {}
            }
        }
        c.settle();
        // `check` on the files as the editor has them.
        let seen = Scratch::new("random-check");
        for (f, n) in names.iter().enumerate() {
            let text = open[f].as_ref().map_or(&disk[f], |(t, _)| t);
            std::fs::write(seen.join(n), text).unwrap();
        }
        let want = unplaced_count(check_says(&seen, TODAY));
        let got = unplaced_count(server_says(&c));
        c.shutdown();
        prop_assert_eq!(want, got, "after {:?}", steps);
    });
}
