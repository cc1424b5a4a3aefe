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

use super::inbox::Inbox;
use super::text::{Encoding, Lines, path_of};
use super::workspace::{OpenDoc, Snapshot, Workspace};
use super::{actions, complete, diagnostics, hover, navigate};
use crate::check::config;
use crate::model::Date;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeActionParams, CompletionParams, DidChangeTextDocumentParams,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams,
    GotoDefinitionResponse, HoverParams, LogMessageParams, MessageType, ReferenceParams,
    RenameParams, ShowMessageParams, TextDocumentPositionParams, Uri, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

/// How long typing must pause before a re-check. Short on purpose: it
/// only gathers the changes an editor sends in one burst (a paste with
/// its re-indent, a multi-cursor edit, a formatter), while a pause
/// between keystrokes (100 ms and more) is covered by dropping a
/// re-check that a newer edit overtakes. Every millisecond here is one
/// more before the diagnostics: at 150 ms, the wait alone took most of a
/// 200 ms budget on a 47k-entity estate.
const DEBOUNCE: Duration = Duration::from_millis(30);
/// Longest a change waits for its re-check while typing goes on.
const MAX_WAIT: Duration = Duration::from_secs(1);
/// Diagnostics sent per file at most (see `diagnostics::Settings`).
const MAX_PER_FILE: usize = 1000;

/// Settings a client may pass as `initializationOptions`.
pub(super) struct Options {
    /// The date waivers expire against (tests pin it).
    today: Option<Date>,
    /// Base URL of the rules reference; `#rule-id` is appended.
    pub(super) rules_url: Option<String>,
    debounce: Duration,
    pub(super) max_per_file: usize,
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
    let roots = roots_of(&params);
    // As `faultline check .` run in the (first) folder: the config is
    // discovered from there and files are named relative to it in
    // messages; the other folders' files are named by absolute path.
    if let Some(root) = roots.first() {
        let _ = std::env::set_current_dir(root);
    }
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
    let mut server = Server {
        conn,
        inbox: Inbox::new(conn),
        enc,
        options,
        folders: Vec::new(),
        open: HashMap::new(),
        due: None,
        first_change: None,
        published: HashMap::new(),
    };
    for root in roots {
        server.add_folder(root);
    }
    server.run()
}

/// The workspace folders the client names, else its root URI or path,
/// else the working directory.
fn roots_of(params: &Value) -> Vec<PathBuf> {
    let uri = |v: &Value| v.as_str().and_then(|s| s.parse::<Uri>().ok());
    let folders: Vec<PathBuf> = params["workspaceFolders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| path_of(&uri(&f["uri"])?))
        .collect();
    if !folders.is_empty() {
        return folders;
    }
    let root = uri(&params["rootUri"])
        .and_then(|u| path_of(&u))
        .or_else(|| params["rootPath"].as_str().map(PathBuf::from))
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    vec![root]
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
        "workspace": {"workspaceFolders": {"supported": true, "changeNotifications": true}},
    })
}

/// One workspace folder: an estate of its own, as `faultline check` run
/// in it reads it, and its latest check.
pub(super) struct Folder {
    pub(super) ws: Workspace,
    pub(super) snap: Snapshot,
    /// A change since its last check.
    pub(super) dirty: bool,
    /// The latest check's diagnostics, planned, and the files whose lists
    /// are still to be built and compared with what was sent.
    pub(super) plan: diagnostics::Plan,
    pub(super) backlog: VecDeque<PathBuf>,
    pub(super) unplaced: Vec<String>,
}

pub(super) struct Server<'c> {
    pub(super) conn: &'c Connection,
    pub(super) inbox: Inbox,
    pub(super) enc: Encoding,
    pub(super) options: Options,
    pub(super) folders: Vec<Folder>,
    /// The buffers the editor has open (each folder that holds one has a
    /// copy: its estate reads it in place of the file).
    pub(super) open: HashMap<PathBuf, OpenDoc>,
    /// When the next re-check is due (after edits).
    due: Option<Instant>,
    first_change: Option<Instant>,
    /// What each file's diagnostics were last published as.
    pub(super) published: HashMap<PathBuf, (Uri, Vec<lsp_types::Diagnostic>)>,
}

impl Server<'_> {
    fn run(&mut self) -> Result<(), Box<dyn Error + Send + Sync>> {
        loop {
            // The rest of the last check's diagnostics, while nothing
            // else is waiting.
            let due = self.is_due();
            if self.folders.iter().any(|f| !f.backlog.is_empty()) && !due && self.inbox.is_empty() {
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

    /// A re-check is due now.
    pub(super) fn is_due(&self) -> bool {
        self.due.is_some_and(|d| Instant::now() >= d)
    }

    pub(super) fn send(&self, method: &str, params: impl serde::Serialize) {
        let n = Notification::new(method.to_owned(), params);
        let _ = self.conn.sender.send(n.into());
    }

    /// Starts serving a folder: checks it and publishes its diagnostics.
    fn add_folder(&mut self, root: PathBuf) {
        if self.folders.iter().any(|f| f.ws.root == root) {
            return;
        }
        let mut ws = Workspace::new(root, self.options.today.clone());
        for (path, doc) in &self.open {
            if path.starts_with(&ws.root) {
                ws.open.insert(path.clone(), doc.clone());
            }
        }
        let snap = loop {
            if let Some(s) = ws.check(&|| false) {
                break s;
            }
        };
        self.folders.push(Folder {
            ws,
            snap,
            dirty: false,
            plan: diagnostics::Plan::default(),
            backlog: VecDeque::new(),
            unplaced: Vec::new(),
        });
        let i = self.folders.len() - 1;
        let took = self.publish(i);
        self.log_check(i, took);
    }

    /// Stops serving a folder: its files get the diagnostics of the folder
    /// that holds them now (an outer one), else none.
    fn remove_folder(&mut self, root: &Path) {
        let Some(i) = self.folders.iter().position(|f| f.ws.root == root) else {
            return;
        };
        self.folders.remove(i);
        let theirs: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|p| p.starts_with(root))
            .cloned()
            .collect();
        for path in theirs {
            match self.owner(&path) {
                Some(o) => self.folders[o].backlog.push_back(path),
                None => {
                    if let Some((uri, _)) = self.published.remove(&path) {
                        self.send_diagnostics(uri, Vec::new(), None);
                    }
                }
            }
        }
        self.flush(false);
    }

    /// The folder whose diagnostics and answers a file gets: the
    /// innermost one that holds it (folders may nest).
    pub(super) fn owner(&self, path: &Path) -> Option<usize> {
        self.folders
            .iter()
            .enumerate()
            .filter(|(_, f)| path.starts_with(&f.ws.root))
            .max_by_key(|(_, f)| f.ws.root.components().count())
            .map(|(i, _)| i)
    }

    /// The folder to answer a request about a file from: its owner, else
    /// the first.
    fn folder_of(&self, path: Option<&Path>) -> Option<&Folder> {
        let i = path.and_then(|p| self.owner(p)).unwrap_or(0);
        self.folders.get(i)
    }

    /// One line per check in the client's log: how long it took, by phase
    /// (indexing runs beside loading and rules), and the time to build the
    /// diagnostics.
    fn log_check(&self, folder: usize, diagnostics: Duration) {
        let s = &self.folders[folder].snap;
        let entities = s.model().map_or(0, |m| m.len());
        let phases: Vec<String> = s
            .phases
            .iter()
            .map(|(name, d)| format!("{name} {} ms", d.as_millis()))
            .collect();
        let name = if self.folders.len() > 1 {
            format!(" {}", s.root.display())
        } else {
            String::new()
        };
        self.send(
            "window/logMessage",
            LogMessageParams {
                typ: MessageType::LOG,
                message: format!(
                    "faultline:{name} checked {} files, {entities} entities in {} ms ({}); diagnostics {} ms",
                    s.files.len(),
                    s.elapsed.as_millis(),
                    phases.join(", "),
                    diagnostics.as_millis()
                ),
            },
        );
    }

    /// Loads and checks the changed folders' estates again, and publishes
    /// what changed. A bug in a rule must not take the editor's server
    /// down: the previous snapshot stays and the client is told.
    ///
    /// Unless `force`d (a request waits for it) or typing has gone on for
    /// [`MAX_WAIT`], a re-check whose estate is loaded when another
    /// message has arrived stops there: that message is most often the
    /// next edit, and the rules would check a text already gone. The
    /// re-check is then due again at once, after the messages waiting.
    fn recheck(&mut self, force: bool) {
        let overdue = self.first_change.is_some_and(|t| t.elapsed() >= MAX_WAIT);
        for i in 0..self.folders.len() {
            if !self.folders[i].dirty {
                continue;
            }
            let inbox = &self.inbox;
            let stale = || !force && !overdue && !inbox.is_empty();
            let ws = &mut self.folders[i].ws;
            let checked =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ws.check(&stale)));
            self.folders[i].dirty = false;
            match checked {
                Ok(Some(snap)) => {
                    // The last snapshot (a whole model) is freed beside
                    // the publishing rather than before it.
                    let old = std::mem::replace(&mut self.folders[i].snap, snap);
                    std::thread::spawn(move || drop(old));
                    let took = self.publish(i);
                    self.log_check(i, took);
                }
                Ok(None) => {
                    self.folders[i].dirty = true;
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
                Err(_) => self.send(
                    "window/showMessage",
                    ShowMessageParams {
                        typ: MessageType::ERROR,
                        message: "faultline: internal error while checking (this is a bug; the server log has details)".into(),
                    },
                ),
            }
        }
        self.due = None;
        self.first_change = None;
    }

    /// Schedules a re-check of the folders that hold `path` (all of them
    /// when `None`): after the debounce, or at once.
    fn changed(&mut self, path: Option<&Path>, now: bool) {
        for f in &mut self.folders {
            if path.is_none_or(|p| p.starts_with(&f.ws.root)) {
                f.dirty = true;
            }
        }
        let t = Instant::now();
        let first = *self.first_change.get_or_insert(t);
        self.due = Some(if now {
            t
        } else {
            (t + self.options.debounce).min(first + MAX_WAIT)
        });
    }

    /// The buffer of `path` as it is now, in every folder that holds it.
    fn share(&mut self, path: &Path) {
        let doc = self.open.get(path);
        for f in &mut self.folders {
            if !path.starts_with(&f.ws.root) {
                continue;
            }
            match doc {
                Some(d) => f.ws.open.insert(path.to_path_buf(), d.clone()),
                None => f.ws.open.remove(path),
            };
        }
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
                let same = self.folders.iter().all(|f| {
                    !path.starts_with(&f.ws.root)
                        || (!f.dirty
                            && f.snap
                                .doc(&path)
                                .is_some_and(|d| *f.snap.docs[d].text == *p.text_document.text))
                });
                self.open.insert(
                    path.clone(),
                    OpenDoc {
                        uri: p.text_document.uri,
                        version: p.text_document.version,
                        text: p.text_document.text,
                    },
                );
                self.share(&path);
                if same {
                    // Checked already: publish under the client's URI.
                    for f in &mut self.folders {
                        f.snap.set_uris(&f.ws);
                    }
                    if let Some(o) = self.owner(&path) {
                        self.folders[o].backlog.push_front(path);
                        self.flush(true);
                    }
                } else {
                    self.changed(Some(&path), true);
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
                let Some(doc) = self.open.get_mut(&path) else {
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
                self.share(&path);
                self.changed(Some(&path), false);
            }
            // At once: a save ends a burst of edits.
            "textDocument/didSave" => {
                let path = serde_json::from_value::<DidSaveTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| path_of(&p.text_document.uri));
                self.changed(path.as_deref(), true);
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return;
                };
                if let Some(path) = path_of(&p.text_document.uri) {
                    self.open.remove(&path);
                    self.share(&path);
                    self.changed(Some(&path), false);
                }
            }
            "workspace/didChangeWatchedFiles" => self.changed(None, false),
            "workspace/didChangeWorkspaceFolders" => {
                let Ok(p) = serde_json::from_value::<DidChangeWorkspaceFoldersParams>(n.params)
                else {
                    return;
                };
                for f in &p.event.removed {
                    if let Some(root) = path_of(&f.uri) {
                        self.remove_folder(&root);
                    }
                }
                for f in &p.event.added {
                    if let Some(root) = path_of(&f.uri) {
                        self.add_folder(root);
                    }
                }
            }
            _ => {}
        }
    }

    /// The document and byte offset of a position, if it is in an
    /// indexed file.
    fn locate(&self, snap: &Snapshot, p: &TextDocumentPositionParams) -> Option<(usize, u32)> {
        let doc = snap.doc(&path_of(&p.text_document.uri)?)?;
        Some((doc, snap.docs[doc].offset(p.position, self.enc)))
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
        // The folder that holds the file asked about.
        let path = req.params["textDocument"]["uri"]
            .as_str()
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|u| path_of(&u));
        let Some(folder) = self.folder_of(path.as_deref()) else {
            return Ok(Value::Null);
        };
        let snap = &folder.snap;
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
                    .locate(snap, &p.text_document_position_params)
                    .and_then(|(d, o)| hover::hover(snap, d, o, enc));
                value(serde_json::to_value(h))
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(req.params)?;
                let locations = self
                    .locate(snap, &p.text_document_position_params)
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
                    .locate(snap, &p.text_document_position)
                    .map(|(d, o)| navigate::references(snap, d, o, include, enc))
                    .unwrap_or_default();
                value(serde_json::to_value(locations))
            }
            "textDocument/prepareRename" => {
                let p: TextDocumentPositionParams = params(req.params)?;
                let r = self
                    .locate(snap, &p)
                    .and_then(|(d, o)| navigate::prepare_rename(snap, d, o, enc));
                value(serde_json::to_value(r))
            }
            "textDocument/rename" => {
                let p: RenameParams = params(req.params)?;
                let Some((d, o)) = self.locate(snap, &p.text_document_position) else {
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
                let symbols: Vec<_> = self
                    .folders
                    .iter()
                    .flat_map(|f| navigate::workspace_symbols(&f.snap, &p.query, enc))
                    .collect();
                value(serde_json::to_value(WorkspaceSymbolResponse::Flat(symbols)))
            }
            "textDocument/completion" => {
                let p: CompletionParams = params(req.params)?;
                let pos = &p.text_document_position;
                let Some(path) = path_of(&pos.text_document.uri) else {
                    return Ok(Value::Null);
                };
                // The config by its name while it is unsaved and not yet
                // indexed, by the index otherwise.
                let is_config = snap.doc(&path).map_or_else(
                    || {
                        path.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| config::CONFIG_FILES.contains(&n))
                    },
                    |d| snap.docs[d].is_config,
                );
                let list = match self.open.get(&path) {
                    Some(open) => {
                        let lines = Lines::new(&open.text);
                        let offset = lines.offset(&open.text, pos.position, enc);
                        complete::complete(snap, &open.text, &lines, offset, enc, is_config)
                    }
                    None => snap.doc(&path).and_then(|d| {
                        let doc = &snap.docs[d];
                        let offset = doc.offset(pos.position, enc);
                        complete::complete(snap, &doc.text, &doc.lines, offset, enc, is_config)
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
