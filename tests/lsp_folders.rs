//! `faultline lsp` with several workspace folders: each folder is an
//! estate of its own, as `faultline check` run in it reads it (its own
//! files, ids and `faultline.yaml`), whether the folders come with
//! `initialize` or later (`workspace/didChangeWorkspaceFolders`).

#[path = "common/lsp_client.rs"]
#[allow(dead_code)]
mod client;
#[path = "common/lsp_kit.rs"]
#[allow(dead_code)]
mod kit;

use client::{Client, uri};
use kit::*;
use serde_json::json;
use std::path::Path;

/// A folder `name` below `top` with one description and, optionally, a
/// config.
fn folder(top: &Path, name: &str, estate: &str, config: Option<&str>) -> std::path::PathBuf {
    let dir = top.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("estate.yaml"), estate).unwrap();
    if let Some(c) = config {
        std::fs::write(dir.join("faultline.yaml"), c).unwrap();
    }
    dir
}

fn folders_change(c: &mut Client, added: &[&Path], removed: &[&Path]) {
    let list = |v: &[&Path]| {
        v.iter()
            .map(|p| json!({"uri": uri(p), "name": p.file_name().unwrap().to_string_lossy()}))
            .collect::<Vec<_>>()
    };
    c.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": list(added), "removed": list(removed)}}),
    );
    c.settle();
}

#[test]
fn each_workspace_folder_is_an_estate_of_its_own() {
    let top = Scratch::new("folders");
    // `a` defines `h1`; `b` names it too but does not define it, and
    // turns `single-instance` off in its own config: neither sees the
    // other's ids or config.
    let a = folder(
        &top,
        "a",
        "version: 1\nhosts:\n  h1: {}\nservices:\n  web: {instances: [h1]}\n",
        None,
    );
    let b = folder(
        &top,
        "b",
        "version: 1\nhosts:\n  h2: {}\nservices:\n  api: {instances: [h2]}\n  db: {instances: [h1]}\n",
        Some("rules:\n  single-instance: {enabled: false}\n"),
    );
    let c_dir = folder(
        &top,
        "c",
        "version: 1\nhosts:\n  h3: {}\nservices:\n  cache: {instances: [h3]}\n",
        None,
    );
    let mut c = Client::start_in(&[&a, &b], options(TODAY), json!({}));
    c.settle();
    for dir in [&a, &b] {
        let want = check_says(dir, TODAY);
        assert!(!want.is_empty(), "{} has findings", dir.display());
        assert_eq!(server_says_in(&c, dir), want, "{}", dir.display());
    }
    let codes_of = |c: &Client, dir: &Path| -> Vec<String> {
        c.diagnostics
            .get(&uri(&dir.join("estate.yaml")))
            .map(|d| codes(d))
            .unwrap_or_default()
    };
    assert!(codes_of(&c, &b).contains(&"unknown-id".to_owned()));
    assert!(!codes_of(&c, &a).contains(&"unknown-id".to_owned()));
    assert!(codes_of(&c, &a).contains(&"single-instance".to_owned()));

    // An edit in one folder re-checks that folder's estate only.
    let fixed = "version: 1\nhosts:\n  h1: {}\n  h2: {}\nservices:\n  api: {instances: [h2]}\n  db: {instances: [h1]}\n";
    c.open(&b.join("estate.yaml"), fixed);
    c.settle();
    assert!(!codes_of(&c, &b).contains(&"unknown-id".to_owned()));
    assert!(codes_of(&c, &a).contains(&"single-instance".to_owned()));

    // Folders come and go: a removed folder's diagnostics are cleared, an
    // added one is checked.
    folders_change(&mut c, &[&c_dir], &[&b]);
    assert!(codes_of(&c, &b).is_empty(), "b is no longer served");
    assert_eq!(server_says_in(&c, &c_dir), check_says(&c_dir, TODAY));
    assert!(!codes_of(&c, &c_dir).is_empty());
    assert_eq!(server_says_in(&c, &a), check_says(&a, TODAY));
    c.shutdown();
}

/// A folder inside another: its files are answered from the inner
/// estate (the outer one reads them too, as `check` there would).
#[test]
fn nested_folders_answer_from_the_innermost() {
    let top = Scratch::new("nested");
    let outer = folder(&top, "outer", "version: 1\nhosts:\n  o1: {}\n", None);
    let inner = folder(
        &outer,
        "inner",
        "version: 1\nservices:\n  s: {instances: [o1]}\n",
        None,
    );
    let mut c = Client::start_in(&[&outer, &inner], options(TODAY), json!({}));
    c.settle();
    // Alone, the inner estate does not know `o1`.
    assert_eq!(server_says_in(&c, &inner), check_says(&inner, TODAY));
    let inner_codes = codes(&c.diagnostics[&uri(&inner.join("estate.yaml"))]);
    assert!(
        inner_codes.contains(&"unknown-id".to_owned()),
        "{inner_codes:?}"
    );
    // Without the inner folder, the outer estate's view of the file.
    folders_change(&mut c, &[], &[&inner]);
    let list = &c.diagnostics[&uri(&inner.join("estate.yaml"))];
    assert!(!codes(list).contains(&"unknown-id".to_owned()), "{list:?}");
    c.shutdown();
}
