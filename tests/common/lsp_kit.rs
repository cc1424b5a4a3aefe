//! What the language server's tests share: scratch folders, the
//! server's diagnostics and `check`'s side by side, and an example estate
//! open in a server. Included by each `lsp*.rs` test file (`#[path]`),
//! which uses a part of it.

use crate::client::{Client, apply, uri};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const TODAY: &str = "2026-01-01";

pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example() -> PathBuf {
    crate_root().join("testdata/example")
}

pub fn options(today: &str) -> Value {
    json!({"today": today, "debounceMs": 20})
}

/// A folder in the temporary directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
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
pub fn scratch(case: &str, name: &str) -> Scratch {
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
pub type Said = (Option<(String, u64, u64)>, String, String);

/// A message on one line, with very long ids shortened as the terminal
/// report does (so both sides compare equal).
pub fn one_line(s: &str) -> String {
    let s = faultline::input::diag::cut_long_ids(s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What `faultline check . --format json` prints in a case folder: the
/// findings from the JSON report (waived ones left out), the input
/// errors and warnings from the report on stderr.
pub fn check_says(dir: &Path, today: &str) -> Vec<Said> {
    let out = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["check", ".", "--format", "json", "--today", today])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .output()
        .expect("check runs");
    let mut said = Vec::new();
    if let Ok(report) = serde_json::from_slice::<Value>(&out.stdout) {
        // A JSON location as (file, line, column).
        let at = |l: &Value| {
            Some((
                l["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_owned(),
                l["line"].as_u64().unwrap(),
                l["column"].as_u64().unwrap(),
            ))
        };
        for f in report["findings"].as_array().unwrap() {
            if f["waived"] == true {
                continue;
            }
            said.push((
                at(&f["location"]),
                f["rule"].as_str().unwrap().to_owned(),
                one_line(f["message"].as_str().unwrap()),
            ));
        }
        // Waivers that accept nothing: in the report, beside the findings.
        for w in report["unused_waivers"].as_array().into_iter().flatten() {
            said.push((
                at(&w["location"]),
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
pub fn unplaced_count(mut said: Vec<Said>) -> Vec<Said> {
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
pub fn server_says(c: &Client) -> Vec<Said> {
    said_by_server(c, &c.root, false)
}

/// The server's diagnostics of the files in one folder.
pub fn server_says_in(c: &Client, root: &Path) -> Vec<Said> {
    said_by_server(c, root, true)
}

fn said_by_server(c: &Client, root: &Path, only: bool) -> Vec<Said> {
    let root = format!("{}/", uri(root));
    let mut said = Vec::new();
    for (u, list) in &c.diagnostics {
        if only && !u.starts_with(&root) {
            continue;
        }
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
    for n in c.notifications.iter().filter(|_| !only) {
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
pub fn check_cases() -> Vec<(PathBuf, String)> {
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

/// The `key` of each item of a JSON list.
pub fn strings<'v>(list: &'v Value, key: &str) -> Vec<&'v str> {
    let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(|i| i[key].as_str()).collect()
}

/// The diagnostics of a file, by code.
pub fn codes(list: &[Value]) -> Vec<String> {
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
pub struct Editing {
    pub client: Client,
    pub _dir: Scratch,
    pub path: PathBuf,
    pub uri: String,
    pub text: String,
    pub opened: Vec<Value>,
}

pub fn edit_example(name: &str) -> Editing {
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
    pub fn quick_fix(
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
