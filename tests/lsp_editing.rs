//! `faultline lsp` while files change: edits, quick fixes, positions as
//! negotiated, files changed behind the editor's back, and random
//! editing sessions compared with `check`.

#[path = "common/lsp_client.rs"]
#[allow(dead_code)]
mod client;
#[path = "common/lsp_kit.rs"]
#[allow(dead_code)]
mod kit;

use client::{Client, find, uri};
use kit::*;
use serde_json::{Value, json};

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
    let parts = faultline_estategen::split(&example, 3);
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
