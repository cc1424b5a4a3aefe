//! A minimal LSP client for the tests: it speaks JSON-RPC over the real
//! binary's stdin and stdout, keeps the latest diagnostics per file, and
//! waits (with a timeout) for what a test expects.

use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Long enough for a debug build on a busy machine.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    pub root: PathBuf,
    /// Latest diagnostics per URI, and how many times each was published.
    pub diagnostics: HashMap<String, Vec<Value>>,
    pub published: HashMap<String, usize>,
    /// Every notification received, in order.
    pub notifications: Vec<Value>,
    /// Requests from the server (it expects no answer to them here).
    pub server_requests: Vec<Value>,
    /// The answer to `initialize`.
    pub initialized: Value,
}

impl Client {
    /// Starts `faultline lsp` on a workspace folder and initializes it.
    pub fn start(root: &Path, options: Value, utf8: bool) -> Client {
        let general = if utf8 {
            json!({"positionEncodings": ["utf-8", "utf-16"]})
        } else {
            json!({})
        };
        let c = Client::start_with(root, options, json!({"general": general}));
        let init = &c.initialized;
        let want = if utf8 { "utf-8" } else { "utf-16" };
        assert_eq!(init["capabilities"]["positionEncoding"], want, "{init}");
        c
    }

    /// The same, with the client capabilities given.
    pub fn start_with(root: &Path, options: Value, capabilities: Value) -> Client {
        Client::start_in(&[root], options, capabilities)
    }

    /// The same, on several workspace folders (the first is `root`).
    pub fn start_in(roots: &[&Path], options: Value, capabilities: Value) -> Client {
        let root = roots[0];
        let mut child = Command::new(env!("CARGO_BIN_EXE_faultline"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("faultline lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("a Content-Length header")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("the server sends JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            rx,
            next_id: 0,
            root: root.to_path_buf(),
            diagnostics: HashMap::new(),
            published: HashMap::new(),
            notifications: Vec::new(),
            server_requests: Vec::new(),
            initialized: Value::Null,
        };
        c.initialized = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": roots
                    .iter()
                    .map(|r| json!({"uri": uri(r), "name": r.file_name().unwrap().to_string_lossy()}))
                    .collect::<Vec<_>>(),
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        c.notify("initialized", json!({}));
        c
    }

    fn write(&mut self, v: &Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .expect("the server reads its stdin");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Takes one message from the server, recording notifications.
    fn receive(&mut self, until: Instant) -> Option<Value> {
        let wait = until.saturating_duration_since(Instant::now());
        match self.rx.recv_timeout(wait) {
            Ok(v) => {
                if v["method"] == "textDocument/publishDiagnostics" {
                    let uri = v["params"]["uri"].as_str().unwrap_or_default().to_owned();
                    let list = v["params"]["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                    *self.published.entry(uri.clone()).or_default() += 1;
                    self.diagnostics.insert(uri, list);
                }
                match (v.get("id"), v.get("method")) {
                    (None, _) => self.notifications.push(v.clone()),
                    (Some(_), Some(_)) => self.server_requests.push(v.clone()),
                    (Some(_), None) => {}
                }
                Some(v)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server went away"),
        }
    }

    /// Sends a request and returns its result (panics on an error
    /// response or a timeout). The server answers in order, so every
    /// notification sent before the answer has been recorded by then.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        match self.try_request(method, params) {
            Ok(v) => v,
            Err(e) => panic!("{method} failed: {e}"),
        }
    }

    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let until = Instant::now() + TIMEOUT;
        loop {
            let Some(v) = self.receive(until) else {
                panic!("no answer to {method} in {TIMEOUT:?}");
            };
            if v["id"] == id && v.get("method").is_none() {
                return match v.get("error") {
                    Some(e) => Err(e.clone()),
                    None => Ok(v["result"].clone()),
                };
            }
        }
    }

    /// Waits until `done` holds for the latest diagnostics of `uri`.
    pub fn wait_diagnostics(&mut self, uri: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let until = Instant::now() + TIMEOUT;
        loop {
            if let Some(d) = self.diagnostics.get(uri)
                && done(d)
            {
                return d.clone();
            }
            if self.receive(until).is_none() {
                panic!(
                    "diagnostics of {uri} never became what the test waits for; last: {:#?}",
                    self.diagnostics.get(uri)
                );
            }
        }
    }

    /// Waits until `uri` has been published more than `n` times.
    pub fn wait_published(&mut self, uri: &str, n: usize) {
        let until = Instant::now() + TIMEOUT;
        while self.published.get(uri).copied().unwrap_or(0) <= n {
            assert!(self.receive(until).is_some(), "no diagnostics for {uri}");
        }
    }

    /// Every notification sent so far has arrived (a request is answered
    /// after them).
    pub fn settle(&mut self) {
        self.request(
            "workspace/symbol",
            json!({"query": "a-query-that-matches-nothing"}),
        );
    }

    pub fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    pub fn change(&mut self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    pub fn shutdown(mut self) {
        let _ = self.try_request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let until = Instant::now() + TIMEOUT;
        while Instant::now() < until {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "the server exits cleanly: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("the server did not exit");
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `{"line": l, "character": c}`.
pub fn pos(line: usize, character: usize) -> Value {
    json!({"line": line, "character": character})
}

/// The position of the `nth` (0-based) occurrence of `needle` in `text`,
/// plus `delta` characters (ASCII texts only).
pub fn find(text: &str, needle: &str, nth: usize, delta: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} is in the text"))
        .0
        + delta;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    pos(line, col)
}

/// Applies LSP text edits (positions in ASCII text) to a text.
pub fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + col
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}
