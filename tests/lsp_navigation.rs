//! `faultline lsp`: definitions, references, hover, symbols, rename and
//! completion across the files of an estate.

#[path = "common/lsp_client.rs"]
#[allow(dead_code)]
mod client;
#[path = "common/lsp_kit.rs"]
#[allow(dead_code)]
mod kit;

use client::{Client, apply, find, pos, uri};
use kit::*;
use serde_json::json;
use std::path::PathBuf;

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

#[test]
fn completion_inside_recovery_targets_and_the_config() {
    let root = scratch("example", "complete-recovery");
    let path = root.join("estate.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let config = root.join("faultline.yaml");
    std::fs::write(&config, "fail_level: error\n").unwrap();
    let mut c = Client::start(&root, options(TODAY), false);
    let complete = |c: &mut Client, path: &PathBuf, line: usize, col: usize| {
        let list = c.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri(path)}, "position": pos(line, col)}),
        );
        strings(&list["items"], "label")
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // A per-kind target map being written on a service: kinds, then
    // durations.
    let line = "    rto: {host: 5m, ";
    let edited = text.replacen(
        "  web:\n    description: Public website\n",
        &format!("  web:\n    description: Public website\n{line}\n"),
        1,
    );
    let web = text[..text.find("  web:\n").unwrap()].matches('\n').count();
    c.open(&path, &text);
    c.change(&path, 2, &edited);
    let kinds = complete(&mut c, &path, web + 2, line.len());
    assert!(
        kinds.first().map(String::as_str) == Some("site") && kinds.contains(&"default".to_owned()),
        "{kinds:?}"
    );
    let line = "    rto: {host: ";
    let edited = text.replacen(
        "  web:\n    description: Public website\n",
        &format!("  web:\n    description: Public website\n{line}\n"),
        1,
    );
    c.change(&path, 3, &edited);
    let durations = complete(&mut c, &path, web + 2, line.len());
    assert!(durations.contains(&"5m".to_owned()), "{durations:?}");
    // The config, unsaved: the `recovery:` section's sections.
    c.open(&config, "fail_level: error\n");
    c.change(&config, 2, "fail_level: error\nrecovery:\n  repair: {ho");
    let sections = complete(&mut c, &config, 2, "  repair: {ho".len());
    assert_eq!(sections, ["hosts"]);
    c.shutdown();
}

#[test]
fn hover_on_a_service_gives_its_worst_recovery_under_the_config() {
    let hover = |root: &std::path::Path| {
        let path = root.join("estate.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut c = Client::start(root, options(TODAY), false);
        let h = c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri(&path)}, "position": find(&text, "  checkout:", 0, 3)}),
        );
        c.shutdown();
        h["contents"]["value"].as_str().unwrap().to_owned()
    };
    let root = scratch("cmd-recovery-human", "hover-recovery");
    let h = hover(&root);
    // The site: repaired after a day, hosts boot 5m, HA restarts in 4m.
    assert!(
        h.contains("- worst RTO: 1d9m when site `dc1` fails (1 kind of failure over its target)"),
        "{h}"
    );
    // Not stateful: no recovery point.
    assert!(!h.contains("RPO"), "{h}");
    // A config that gives sites two days to repair: hover says what
    // `faultline recovery` would.
    std::fs::write(
        root.join("faultline.yaml"),
        "recovery: {repair: {sites: 2d}}\n",
    )
    .unwrap();
    let h = hover(&root);
    assert!(h.contains("- worst RTO: 2d9m when site `dc1` fails"), "{h}");
}
