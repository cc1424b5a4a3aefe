//! Edit-to-diagnostics latency of `faultline lsp` on a generated estate
//! split into files, for the README:
//!
//! ```text
//! cargo build --release --bin faultline --example lspbench
//! target/release/examples/lspbench                      # 47k entities, 48 files
//! target/release/examples/lspbench --debounce 150       # with a debounce
//! target/release/examples/lspbench --entities 100000 --files 1
//! ```
//!
//! The estate is `generate --entities N --seed 7`, cut at entry
//! boundaries. The bench starts the server on it and times: the start to
//! the first diagnostics, opening a file to its diagnostics, then a key
//! misspelled and put back in that file (`--edits` times), each from
//! sending the change to receiving the file's new diagnostics. For scale,
//! `faultline check .` on the same files right after. `--dir DIR` keeps
//! the files there (for a profiler); `--bin` names the server binary.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

struct Args {
    entities: usize,
    files: usize,
    edits: usize,
    debounce: u64,
    bin: PathBuf,
    dir: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        entities: 47_000,
        files: 48,
        edits: 24,
        debounce: 0,
        bin: PathBuf::from("target/release/faultline"),
        dir: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        let n = || v.replace('_', "").parse::<usize>().expect("a number");
        match k.as_str() {
            "--entities" => a.entities = n(),
            "--files" => a.files = n(),
            "--edits" => a.edits = n(),
            "--debounce" => a.debounce = n() as u64,
            "--bin" => a.bin = PathBuf::from(&v),
            "--dir" => a.dir = Some(PathBuf::from(&v)),
            _ => panic!("unknown argument {k}"),
        }
    }
    a
}

fn uri(path: &Path) -> String {
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

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    published: std::collections::HashMap<String, (usize, Vec<Value>)>,
    log: Vec<String>,
}

impl Client {
    fn start(bin: &Path, root: &Path, options: Value) -> Client {
        let mut child = Command::new(bin)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("faultline lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0;
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
                        len = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            rx,
            next_id: 0,
            published: Default::default(),
            log: Vec::new(),
        };
        c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "estate"}],
                "capabilities": {},
                "initializationOptions": options,
            }),
        );
        c.notify("initialized", json!({}));
        c
    }

    fn write(&mut self, v: &Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.write(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn receive(&mut self) -> Value {
        let v = self.rx.recv_timeout(TIMEOUT).expect("the server answers");
        if v["method"] == "textDocument/publishDiagnostics" {
            let u = v["params"]["uri"].as_str().unwrap().to_owned();
            let list = v["params"]["diagnostics"].as_array().cloned();
            let e = self.published.entry(u).or_default();
            e.0 += 1;
            e.1 = list.unwrap_or_default();
        } else if v["method"] == "window/logMessage" {
            let m = v["params"]["message"].as_str().unwrap_or_default();
            self.log.push(m.to_owned());
        }
        v
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.write(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let v = self.receive();
            if v["id"] == id && v.get("method").is_none() {
                return v;
            }
        }
    }

    fn count(&self, u: &str) -> usize {
        self.published.get(u).map_or(0, |p| p.0)
    }

    fn wait_published(&mut self, u: &str, n: usize) {
        while self.count(u) <= n {
            self.receive();
        }
    }

    /// Waits for any diagnostics at all.
    fn wait_any(&mut self) {
        while self.published.is_empty() {
            self.receive();
        }
    }

    fn settle(&mut self) {
        self.request("workspace/symbol", json!({"query": "no-such-id-anywhere"}));
    }

    fn change(&mut self, path: &Path, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let _ = self.child.wait();
    }
}

/// The text with the first key of the first flow map after `from`
/// misspelled (one more character): an unknown-key error.
fn misspelled(text: &str, from: usize) -> String {
    let open = from + text[from..].find(": {").expect("a flow map") + 3;
    let colon = open + text[open..].find(':').unwrap();
    format!("{}x{}", &text[..colon], &text[colon..])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let a = args();
    let tmp;
    let root = match &a.dir {
        Some(d) => {
            std::fs::create_dir_all(d).unwrap();
            d.canonicalize().unwrap()
        }
        None => {
            tmp = std::env::temp_dir().join(format!("faultline-lspbench-{}", std::process::id()));
            std::fs::create_dir_all(&tmp).unwrap();
            tmp.clone()
        }
    };
    let bin = a
        .bin
        .canonicalize()
        .expect("the faultline binary (build it first)");
    let files = faultline_estategen::split(&faultline_estategen::estate(7, a.entities), a.files);
    for (i, f) in files.iter().enumerate() {
        std::fs::write(root.join(format!("part{i:02}.yaml")), f).unwrap();
    }
    let mid = files.len() / 2;
    let path = root.join(format!("part{mid:02}.yaml"));
    let u = uri(&path);
    let text = files[mid].clone();
    let edited = misspelled(&text, text.len() / 2);

    let t = Instant::now();
    let mut c = Client::start(
        &bin,
        &root,
        json!({"today": "2026-01-01", "debounceMs": a.debounce}),
    );
    c.wait_any();
    let first = t.elapsed();
    c.settle();
    let t = Instant::now();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": u, "languageId": "yaml", "version": 1, "text": text}}),
    );
    c.settle();
    let opened = t.elapsed();
    let mut times = Vec::new();
    for i in 0..a.edits {
        let next = if i % 2 == 0 { &edited } else { &text };
        let n = c.count(&u);
        let t = Instant::now();
        c.change(&path, i as i32 + 2, next);
        c.wait_published(&u, n);
        times.push(ms(t.elapsed()));
        let unknown = c.published[&u].1.iter().any(|d| d["code"] == "unknown-key");
        assert_eq!(
            unknown,
            i % 2 == 0,
            "the misspelled key is reported, then gone"
        );
    }
    let log = c.log.clone();
    c.shutdown();
    let t = Instant::now();
    Command::new(&bin)
        .args(["check", ".", "--format", "json", "--today", "2026-01-01"])
        .current_dir(&root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("check runs");
    let check = t.elapsed();
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "{} entities in {} files, debounce {} ms:\n  start to first diagnostics {:.0} ms\n  \
         open to its diagnostics {:.0} ms\n  edit to diagnostics: median {:.0} ms, min {:.0}, max {:.0} ({} edits)\n  \
         `faultline check .` right after: {:.0} ms",
        a.entities,
        files.len(),
        a.debounce,
        ms(first),
        ms(opened),
        sorted[sorted.len() / 2],
        sorted[0],
        sorted[sorted.len() - 1],
        times.len(),
        ms(check),
    );
    println!(
        "  edits (ms): {:?}",
        times.iter().map(|t| t.round() as u64).collect::<Vec<_>>()
    );
    println!("  server log (last 4):");
    for l in &log[log.len().saturating_sub(4)..] {
        println!("    {l}");
    }
    if a.dir.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
}
