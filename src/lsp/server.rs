//! The main loop: one thread reads messages, applies edits to the open
//! buffers, re-checks the estate when it changed (after a pause in
//! typing, at once on save and before answering a request about
//! positions), publishes diagnostics and answers from the latest
//! snapshot.
//!
//! Synchronous on purpose: a re-check of the example estate takes a few
//! milliseconds and one of 100k entities about a second (see the README),
//! so there is nothing to gain from answering requests against a snapshot
//! that is known to be stale, and much to lose in consistency.

use super::text::{Encoding, Lines, path_of};
use super::workspace::{Snapshot, Workspace};
use super::{actions, complete, diagnostics, hover, navigate};
use crate::model::Date;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionParams, CompletionParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, HoverParams, LogMessageParams, MessageType, PublishDiagnosticsParams,
    ReferenceParams, RenameParams, ShowMessageParams, TextDocumentPositionParams, Uri,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::error::Error;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvError, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long typing must pause before a re-check.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Longest a change waits for its re-check while typing goes on.
const MAX_WAIT: Duration = Duration::from_secs(1);
/// Diagnostics sent per file at most (see `diagnostics::Settings`).
const MAX_PER_FILE: usize = 1000;

/// Settings a client may pass as `initializationOptions`.
struct Options {
    /// The date waivers expire against (tests pin it).
    today: Option<Date>,
    /// Base URL of the rules reference; `#rule-id` is appended.
    rules_url: Option<String>,
    debounce: Duration,
    max_per_file: usize,
}

impl Options {
    fn from(v: &Value) -> Options {
        Options {
            today: v["today"].as_str().and_then(crate::model::date::parse_date),
            rules_url: v["rulesUrl"]
                .as_str()
                .map(str::to_owned)
                .or_else(default_rules_url),
            debounce: v["debounceMs"]
                .as_u64()
                .map_or(DEBOUNCE, Duration::from_millis),
            max_per_file: v["maxDiagnosticsPerFile"]
                .as_u64()
                .map_or(MAX_PER_FILE, |n| n as usize),
        }
    }
}

/// The rules reference: on the repository's web page when the crate
/// names one, else in the source tree this binary was built from (where
/// `cargo install --path .` leaves it), else none.
fn default_rules_url() -> Option<String> {
    let repo = env!("CARGO_PKG_REPOSITORY");
    if !repo.is_empty() {
        return Some(format!("{repo}/blob/main/docs/rules.md"));
    }
    let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    local
        .is_file()
        .then(|| super::text::uri_of(&local).map(|u| u.as_str().to_owned()))
        .flatten()
}

/// Serves one client on stdin/stdout until it says `exit`.
pub fn run() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("faultline lsp: {e}");
            1
        }
    };
    drop(connection);
    let _ = io_threads.join();
    code
}

fn serve(conn: &Connection) -> Result<(), Box<dyn Error + Send + Sync>> {
    let (id, params) = conn.initialize_start()?;
    let enc = if params["capabilities"]["general"]["positionEncodings"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e == "utf-8"))
    {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    let options = Options::from(&params["initializationOptions"]);
    let root = root_of(&params);
    // As `faultline check .` run in the folder: the config is discovered
    // from there and files are named relative to it in messages.
    let _ = std::env::set_current_dir(&root);
    conn.initialize_finish(
        id,
        json!({
            "capabilities": capabilities(enc),
            "serverInfo": {"name": "faultline", "version": env!("CARGO_PKG_VERSION")},
        }),
    )?;
    let watch =
        params["capabilities"]["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"] == true;
    if watch {
        // Files changed outside the editor (a `git checkout`) are then
        // re-checked too; without it, at the next edit or save.
        let register = Request::new(
            lsp_server::RequestId::from("faultline-watch".to_owned()),
            "client/registerCapability".to_owned(),
            json!({"registrations": [{
                "id": "faultline-yaml",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": {"watchers": [
                    {"globPattern": "**/*.yaml"},
                    {"globPattern": "**/*.yml"},
                ]},
            }]}),
        );
        conn.sender.send(register.into())?;
    }
    let mut ws = Workspace::new(root, options.today.clone());
    let snap = loop {
        if let Some(s) = ws.check(&|| false) {
            break s;
        }
    };
    let mut server = Server {
        conn,
        inbox: Inbox::new(conn),
        enc,
        ws,
        snap,
        options,
        due: None,
        first_change: None,
        published: HashMap::new(),
        unplaced: Vec::new(),
        plan: diagnostics::Plan::default(),
        backlog: VecDeque::new(),
    };
    let took = server.publish();
    server.log_check(took);
    server.run()
}

/// The workspace folder: the first one the client names, else its root
/// URI or path, else the working directory.
fn root_of(params: &Value) -> PathBuf {
    let uri = |v: &Value| v.as_str().and_then(|s| s.parse::<Uri>().ok());
    params["workspaceFolders"]
        .get(0)
        .and_then(|f| uri(&f["uri"]))
        .or_else(|| uri(&params["rootUri"]))
        .and_then(|u| path_of(&u))
        .or_else(|| params["rootPath"].as_str().map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

fn capabilities(enc: Encoding) -> Value {
    json!({
        "positionEncoding": if enc == Encoding::Utf8 { "utf-8" } else { "utf-16" },
        "textDocumentSync": {
            "openClose": true,
            "change": 2, // incremental
            "save": {"includeText": false},
        },
        "hoverProvider": true,
        "definitionProvider": true,
        "referencesProvider": true,
        "renameProvider": {"prepareProvider": true},
        "documentSymbolProvider": true,
        "workspaceSymbolProvider": true,
        "completionProvider": {"triggerCharacters": ["[", " ", ",", "-"]},
        "codeActionProvider": {"codeActionKinds": ["quickfix"]},
    })
}

/// The client's messages, queued as they arrive. `lsp_server` hands them
/// over one at a time (its channel holds none), so whether the next
/// edit is already waiting, which decides whether a re-check or the
/// publishing of closed files goes on, can only be known from a queue
/// of our own.
struct Inbox {
    rx: Receiver<Message>,
    queued: Arc<AtomicUsize>,
}

impl Inbox {
    fn new(conn: &Connection) -> Inbox {
        let (tx, rx) = std::sync::mpsc::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        let from = conn.receiver.clone();
        let count = Arc::clone(&queued);
        std::thread::spawn(move || {
            for m in from {
                count.fetch_add(1, Ordering::SeqCst);
                if tx.send(m).is_err() {
                    return;
                }
            }
        });
        Inbox { rx, queued }
    }

    fn is_empty(&self) -> bool {
        self.queued.load(Ordering::SeqCst) == 0
    }

    fn took(&self, m: Message) -> Message {
        self.queued.fetch_sub(1, Ordering::SeqCst);
        m
    }

    fn recv(&self) -> Result<Message, RecvError> {
        self.rx.recv().map(|m| self.took(m))
    }

    fn recv_timeout(&self, wait: Duration) -> Result<Message, RecvTimeoutError> {
        self.rx.recv_timeout(wait).map(|m| self.took(m))
    }
}

struct Server<'c> {
    conn: &'c Connection,
    inbox: Inbox,
    enc: Encoding,
    ws: Workspace,
    snap: Snapshot,
    options: Options,
    /// When the next re-check is due (after edits).
    due: Option<Instant>,
    first_change: Option<Instant>,
    /// What each file's diagnostics were last published as.
    published: HashMap<PathBuf, (Uri, Vec<lsp_types::Diagnostic>)>,
    unplaced: Vec<String>,
    /// The latest check's diagnostics, planned, and the files whose
    /// lists are still to be built and compared with what was sent.
    plan: diagnostics::Plan,
    backlog: VecDeque<PathBuf>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), Box<dyn Error + Send + Sync>> {
        loop {
            // The rest of the last check's diagnostics, while nothing
            // else is waiting.
            let due = self.due.is_some_and(|d| Instant::now() >= d);
            if !self.backlog.is_empty() && !due && self.inbox.is_empty() {
                self.flush(true);
                continue;
            }
            let msg = match self.due {
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.inbox.recv_timeout(wait) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => {
                            self.recheck(false);
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
                None => match self.inbox.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                },
            };
            match msg {
                Message::Request(req) if req.method == "shutdown" => {
                    // `exit` follows; the loop returns then.
                    self.conn.sender.send(Response::new_ok(req.id, ()).into())?;
                }
                Message::Request(req) => {
                    let resp = self.answer(req);
                    self.conn.sender.send(resp.into())?;
                }
                Message::Notification(n) if n.method == "exit" => return Ok(()),
                Message::Notification(n) => self.notified(n),
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, method: &str, params: impl serde::Serialize) {
        let n = Notification::new(method.to_owned(), params);
        let _ = self.conn.sender.send(n.into());
    }

    /// One line per check in the client's log: how long it took, by phase
    /// (indexing runs beside loading and rules), and the time to build the
    /// diagnostics.
    fn log_check(&self, diagnostics: Duration) {
        let s = &self.snap;
        let entities = s.model().map_or(0, |m| m.len());
        let phases: Vec<String> = s
            .phases
            .iter()
            .map(|(name, d)| format!("{name} {} ms", d.as_millis()))
            .collect();
        self.send(
            "window/logMessage",
            LogMessageParams {
                typ: MessageType::LOG,
                message: format!(
                    "faultline: checked {} files, {entities} entities in {} ms ({}); diagnostics {} ms",
                    s.files.len(),
                    s.elapsed.as_millis(),
                    phases.join(", "),
                    diagnostics.as_millis()
                ),
            },
        );
    }

    /// Loads and checks the estate again, and publishes what changed. A
    /// bug in a rule must not take the editor's server down: the previous
    /// snapshot stays and the client is told.
    ///
    /// Unless `force`d (a request waits for it) or typing has gone on for
    /// [`MAX_WAIT`], a re-check whose estate is loaded when another
    /// message has arrived stops there: that message is most often the
    /// next edit, and the rules would check a text already gone. The
    /// re-check is then due again at once, after the messages waiting.
    fn recheck(&mut self, force: bool) {
        let overdue = self.first_change.is_some_and(|t| t.elapsed() >= MAX_WAIT);
        let inbox = &self.inbox;
        let stale = || !force && !overdue && !inbox.is_empty();
        let ws = &mut self.ws;
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ws.check(&stale)));
        let checked = match checked {
            Ok(Some(snap)) => Ok(snap),
            Err(e) => Err(e),
            Ok(None) => {
                self.due = Some(Instant::now());
                self.send(
                    "window/logMessage",
                    LogMessageParams {
                        typ: MessageType::LOG,
                        message: "faultline: re-check dropped for a newer change".into(),
                    },
                );
                return;
            }
        };
        self.due = None;
        self.first_change = None;
        match checked {
            Ok(snap) => {
                // The last snapshot (a whole model) is freed beside the
                // publishing rather than before it.
                let old = std::mem::replace(&mut self.snap, snap);
                std::thread::spawn(move || drop(old));
                let took = self.publish();
                self.log_check(took);
            }
            Err(_) => self.send(
                "window/showMessage",
                ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: "faultline: internal error while checking (this is a bug; the server log has details)".into(),
                },
            ),
        }
    }

    /// Plans the latest check's diagnostics and sends what changed, the
    /// open files' first; returns how long that first part took. The
    /// other files' lists are built and sent one file at a time, and that
    /// stops when a message arrives (most often the next edit): see
    /// [`Server::flush`].
    fn publish(&mut self) -> Duration {
        let t = Instant::now();
        let plan = diagnostics::plan(&self.snap, self.enc);
        // Files published before and gone from the estate are cleared.
        let gone = self
            .published
            .keys()
            .filter(|k| !plan.by_file.contains_key(*k))
            .cloned();
        let mut backlog: Vec<PathBuf> = plan.by_file.keys().cloned().chain(gone).collect();
        // Open files first: they are what the user is looking at.
        backlog.sort_by_key(|p| !self.ws.open.contains_key(p));
        self.backlog = backlog.into();
        if plan.unplaced != self.unplaced {
            for message in &plan.unplaced {
                self.send(
                    "window/showMessage",
                    ShowMessageParams {
                        typ: MessageType::ERROR,
                        message: format!("faultline: {message}"),
                    },
                );
            }
        }
        self.unplaced = plan.unplaced.clone();
        self.plan = plan;
        self.flush(true);
        t.elapsed()
    }

    /// Builds and sends the diagnostics still to publish, the open files'
    /// first; when `interruptible`, stops once those are sent and a
    /// message is waiting or a re-check is due (the rest is sent when the
    /// server is idle again, or superseded by the next check).
    fn flush(&mut self, interruptible: bool) {
        let settings = diagnostics::Settings {
            rules_url: self.options.rules_url.as_deref(),
            max_per_file: self.options.max_per_file,
        };
        while let Some(path) = self.backlog.pop_front() {
            let open = self.ws.open.contains_key(&path);
            match self.plan.by_file.get(&path) {
                None => {
                    if let Some((uri, _)) = self.published.remove(&path) {
                        self.send_diagnostics(uri, Vec::new(), None);
                    }
                }
                Some(items) => {
                    let diags = diagnostics::build(&self.snap, items, self.enc, &settings);
                    if let Some(uri) = self.snap.uri(&path) {
                        let send = match self.published.get(&path) {
                            Some((u, d)) if *u == uri && *d == diags => false,
                            Some((u, _)) if *u != uri => {
                                self.send_diagnostics(u.clone(), Vec::new(), None);
                                true
                            }
                            None => !diags.is_empty(),
                            _ => true,
                        };
                        if send {
                            let version = self.ws.open.get(&path).map(|d| d.version);
                            self.send_diagnostics(uri.clone(), diags.clone(), version);
                            self.published.insert(path, (uri, diags));
                        }
                    }
                }
            }
            let due = self.due.is_some_and(|d| Instant::now() >= d);
            if interruptible && !open && (due || !self.inbox.is_empty()) {
                return;
            }
        }
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        self.send(
            "textDocument/publishDiagnostics",
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    /// Schedules a re-check: after the debounce, or at once.
    fn changed(&mut self, now: bool) {
        let t = Instant::now();
        let first = *self.first_change.get_or_insert(t);
        self.due = Some(if now {
            t
        } else {
            (t + self.options.debounce).min(first + MAX_WAIT)
        });
    }

    fn notified(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(path) = path_of(&p.text_document.uri) else {
                    return;
                };
                let same = self
                    .snap
                    .doc(&path)
                    .is_some_and(|d| *self.snap.docs[d].text == *p.text_document.text);
                self.ws.open.insert(
                    path.clone(),
                    super::workspace::OpenDoc {
                        uri: p.text_document.uri,
                        version: p.text_document.version,
                        text: p.text_document.text,
                    },
                );
                if same && self.due.is_none() {
                    // Checked already: publish under the client's URI.
                    self.snap.set_uris(&self.ws);
                    self.backlog.push_front(path);
                    self.flush(true);
                } else {
                    self.changed(true);
                }
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return;
                };
                let Some(path) = path_of(&p.text_document.uri) else {
                    return;
                };
                let enc = self.enc;
                let Some(doc) = self.ws.open.get_mut(&path) else {
                    return;
                };
                doc.version = p.text_document.version;
                for change in p.content_changes {
                    match change.range {
                        None => doc.text = change.text,
                        Some(r) => {
                            let lines = Lines::new(&doc.text);
                            let start = lines.offset(&doc.text, r.start, enc) as usize;
                            let end = lines.offset(&doc.text, r.end, enc) as usize;
                            doc.text.replace_range(start..end.max(start), &change.text);
                        }
                    }
                }
                self.changed(false);
            }
            // A saved config is read again (it is read from disk).
            "textDocument/didSave" => self.changed(true),
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                if let Some(path) = path_of(&p.text_document.uri) {
                    self.ws.open.remove(&path);
                    self.changed(false);
                }
            }
            "workspace/didChangeWatchedFiles" => self.changed(false),
            _ => {}
        }
    }

    /// The document and byte offset of a position, if it is in an
    /// indexed file.
    fn locate(&self, p: &TextDocumentPositionParams) -> Option<(usize, u32)> {
        let doc = self.snap.doc(&path_of(&p.text_document.uri)?)?;
        Some((doc, self.snap.docs[doc].offset(p.position, self.enc)))
    }

    fn answer(&mut self, req: Request) -> Response {
        // Completion comes with every keystroke: it reads the buffer as it
        // is and ids as of the last check instead of re-checking.
        if req.method != "textDocument/completion" {
            if self.due.is_some() {
                self.recheck(true);
            }
            // Answers come after the diagnostics of the text they are
            // about, all of them: a client may wait for those.
            self.flush(false);
        }
        let id = req.id.clone();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.dispatch(req))) {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "faultline: internal error (this is a bug; the server log has details)".into(),
            ),
        }
    }

    fn dispatch(&self, req: Request) -> Result<Value, (ErrorCode, String)> {
        let enc = self.enc;
        let snap = &self.snap;
        fn params<P: serde::de::DeserializeOwned>(v: Value) -> Result<P, (ErrorCode, String)> {
            serde_json::from_value(v).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
        }
        let value = |v: Result<Value, serde_json::Error>| {
            v.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match req.method.as_str() {
            "textDocument/hover" => {
                let p: HoverParams = params(req.params)?;
                let h = self
                    .locate(&p.text_document_position_params)
                    .and_then(|(d, o)| hover::hover(snap, d, o, enc));
                value(serde_json::to_value(h))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(req.params)?;
                let locations = self
                    .locate(&p.text_document_position_params)
                    .map(|(d, o)| navigate::definition(snap, d, o, enc))
                    .unwrap_or_default();
                value(serde_json::to_value(GotoDefinitionResponse::Array(
                    locations,
                )))
            }
            "textDocument/references" => {
                let p: ReferenceParams = params(req.params)?;
                let include = p.context.include_declaration;
                let locations = self
                    .locate(&p.text_document_position)
                    .map(|(d, o)| navigate::references(snap, d, o, include, enc))
                    .unwrap_or_default();
                value(serde_json::to_value(locations))
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params(req.params)?;
                let r = self
                    .locate(&p)
                    .and_then(|(d, o)| navigate::prepare_rename(snap, d, o, enc));
                value(serde_json::to_value(r))
            }
            "textDocument/rename" => {
                let p: RenameParams = params(req.params)?;
                let Some((d, o)) = self.locate(&p.text_document_position) else {
                    return Err((ErrorCode::RequestFailed, "not a file of the estate".into()));
                };
                let edit = navigate::rename(snap, d, o, &p.new_name, enc)
                    .map_err(|m| (ErrorCode::RequestFailed, m))?;
                value(serde_json::to_value(edit))
            }
            "textDocument/documentSymbol" => {
                let p: DocumentSymbolParams = params(req.params)?;
                let symbols = path_of(&p.text_document.uri)
                    .and_then(|path| snap.doc(&path))
                    .map(|d| navigate::document_symbols(snap, d, enc))
                    .unwrap_or_default();
                value(serde_json::to_value(DocumentSymbolResponse::Nested(
                    symbols,
                )))
            }
            "workspace/symbol" => {
                let p: WorkspaceSymbolParams = params(req.params)?;
                let symbols = navigate::workspace_symbols(snap, &p.query, enc);
                value(serde_json::to_value(WorkspaceSymbolResponse::Flat(symbols)))
            }
            "textDocument/completion" => {
                let p: CompletionParams = params(req.params)?;
                let pos = &p.text_document_position;
                let Some(path) = path_of(&pos.text_document.uri) else {
                    return Ok(Value::Null);
                };
                let list = match self.ws.open.get(&path) {
                    Some(open) => {
                        let lines = Lines::new(&open.text);
                        let offset = lines.offset(&open.text, pos.position, enc);
                        complete::complete(snap, &open.text, &lines, offset, enc)
                    }
                    None => snap.doc(&path).and_then(|d| {
                        let doc = &snap.docs[d];
                        let offset = doc.offset(pos.position, enc);
                        complete::complete(snap, &doc.text, &doc.lines, offset, enc)
                    }),
                };
                value(serde_json::to_value(list))
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(req.params)?;
                let actions = path_of(&p.text_document.uri)
                    .and_then(|path| snap.doc(&path))
                    .map(|d| {
                        let doc = &snap.docs[d];
                        let range = (doc.offset(p.range.start, enc), doc.offset(p.range.end, enc));
                        actions::actions(snap, d, range, &p.context.diagnostics, enc)
                    })
                    .unwrap_or_default();
                value(serde_json::to_value(actions))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("faultline lsp does not implement `{other}`"),
            )),
        }
    }
}
