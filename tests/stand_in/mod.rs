//! What the importer tests share: a stand-in HTTP server on 127.0.0.1 that
//! answers as a test says and keeps every request it saw, and helpers to
//! compare output directories.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub struct Resp {
    /// 0: close the connection without answering (a reset, as a proxy
    /// restarting would).
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn hang_up() -> Resp {
        Resp::new(0, "", Vec::new())
    }
}

type Handler = dyn Fn(&Req, &str) -> Resp + Send + Sync;

pub struct Server {
    pub url: String,
    seen: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    /// Answers every request with `handler(request, "127.0.0.1:port")`.
    pub fn start(handler: impl Fn(&Req, &str) -> Resp + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (s, a) = (seen.clone(), addr.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (s, a, h) = (s.clone(), a.clone(), handler.clone());
                std::thread::spawn(move || serve(conn, &a, &*h, &s));
            }
        });
        Server {
            url: format!("http://{addr}"),
            seen,
        }
    }

    pub fn requests(&self) -> Vec<Req> {
        self.seen.lock().unwrap().clone()
    }
}

/// One request per connection (`Connection: close`).
fn serve(conn: TcpStream, addr: &str, handler: &Handler, seen: &Mutex<Vec<Req>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let target = words.next().unwrap_or("/").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_lowercase(), v.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0usize);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let req = Req {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
    };
    seen.lock().unwrap().push(req.clone());
    let resp = handler(&req, addr);
    if resp.status == 0 {
        let _ = conn.shutdown(std::net::Shutdown::Both);
        return;
    }
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.content_type,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut conn = conn;
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(&resp.body);
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file under `dir` with its bytes (`None` if `dir` is missing).
pub fn snapshot(dir: &Path) -> Option<Vec<(PathBuf, Vec<u8>)>> {
    if !dir.exists() {
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    Some(out)
}

/// The files an import wrote into `dir` (by their first line), by name.
pub fn generated(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| std::fs::read(p).is_ok_and(|b| b.starts_with(b"# Generated by")))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// A command with no proxy settings, so that 127.0.0.1 is reached directly.
pub fn without_proxies(cmd: &mut std::process::Command) {
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        cmd.env_remove(proxy);
    }
}

/// Every description file in `dir`, merged into one JSON value by section
/// (`v["vms"]["web-a"]["cluster"]`), read with faultline's YAML parser.
pub fn description(dir: &Path) -> serde_json::Value {
    use faultline::input::yaml::{YNode, YValue};
    fn json(n: &YNode) -> serde_json::Value {
        match &n.value {
            YValue::Null => serde_json::Value::Null,
            YValue::Bool(b) => (*b).into(),
            YValue::Int(i) => (*i).into(),
            YValue::Float(f) => (*f).into(),
            YValue::Str(s) => s.clone().into(),
            YValue::Seq(items) => items.iter().map(json).collect(),
            YValue::Map(entries) => entries
                .iter()
                .map(|(k, v)| match &k.value {
                    YValue::Str(k) => (k.clone(), json(v)),
                    other => (format!("{other:?}"), json(v)),
                })
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
    let mut all = serde_json::Map::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let root = faultline::input::parse(&text).unwrap();
        if let serde_json::Value::Object(sections) = json(&root) {
            for (section, entities) in sections {
                let slot = all
                    .entry(section)
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
                if let (Some(slot), serde_json::Value::Object(entities)) =
                    (slot.as_object_mut(), entities)
                {
                    slot.extend(entities);
                }
            }
        }
    }
    all.into()
}

/// How many clusters, hosts, vms and components a description has.
pub fn counts(v: &serde_json::Value) -> [usize; 4] {
    ["clusters", "hosts", "vms", "components"].map(|s| v[s].as_object().map_or(0, |m| m.len()))
}

/// Makes a CA (`ca.pem`, `ca.key`) and a certificate for 127.0.0.1 signed
/// by it (`leaf.pem`, `leaf.key`) in `dir`, 2048-bit RSA, with openssl;
/// false where openssl is not installed.
pub fn certificates(dir: &Path) -> bool {
    let openssl = |args: &[&str]| {
        std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !openssl(&["version"]) {
        return false;
    }
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let key = ["-newkey", "rsa:2048", "-nodes"];
    let ca = [
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
    ];
    let leaf = [
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ];
    let sign = [
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ];
    for args in [
        [&["req", "-x509"][..], &key, &ca].concat(),
        [&["req"][..], &key, &leaf].concat(),
        sign.to_vec(),
    ] {
        assert!(openssl(&args), "openssl {args:?} failed");
    }
    true
}
