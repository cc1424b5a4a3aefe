//! Sending diagnostics: each folder's latest check is planned (which
//! file gets what), then the lists are built and sent one file at a
//! time, the open files' first, and only those that changed.
//!
//! On a big estate one edit can change every file's list (a syntax
//! error hides every finding, as `check` hides them), megabytes of JSON
//! that the editor must read before it sees the next edit's result. So
//! once the open files' lists are out, publishing stops whenever a
//! message is waiting or a re-check is due, and goes on when the server
//! is idle again; a newer check replaces what was left.

use super::diagnostics::{self, Settings};
use super::server::Server;
use lsp_types::{MessageType, PublishDiagnosticsParams, ShowMessageParams, Uri};
use std::path::PathBuf;
use std::time::{Duration, Instant};

impl Server<'_> {
    /// Plans folder `i`'s latest check and sends what changed, the open
    /// files' first; returns how long that first part took.
    pub(super) fn publish(&mut self, i: usize) -> Duration {
        let t = Instant::now();
        let plan = diagnostics::plan(&self.folders[i].snap, self.enc);
        // Files published before and gone from the estate are cleared;
        // a file in nested folders is the innermost one's.
        let gone = self
            .published
            .keys()
            .filter(|k| !plan.by_file.contains_key(*k) && self.owner(k) == Some(i))
            .cloned();
        let mut backlog: Vec<PathBuf> = plan
            .by_file
            .keys()
            .filter(|k| self.owner(k) == Some(i))
            .cloned()
            .chain(gone)
            .collect();
        // Open files first: they are what the user is looking at.
        backlog.sort_by_key(|p| !self.open.contains_key(p));
        let f = &self.folders[i];
        if plan.unplaced != f.unplaced {
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
        let f = &mut self.folders[i];
        f.unplaced = plan.unplaced.clone();
        f.plan = plan;
        f.backlog = backlog.into();
        self.flush_folder(i, true);
        t.elapsed()
    }

    /// Builds and sends every folder's diagnostics still to publish (see
    /// [`Server::flush_folder`]).
    pub(super) fn flush(&mut self, interruptible: bool) {
        for i in 0..self.folders.len() {
            if !self.flush_folder(i, interruptible) {
                return;
            }
        }
    }

    /// Builds and sends folder `i`'s diagnostics still to publish, the
    /// open files' first; when `interruptible`, stops once those are sent
    /// and a message is waiting or a re-check is due. Whether it got
    /// through.
    fn flush_folder(&mut self, i: usize, interruptible: bool) -> bool {
        let settings = Settings {
            rules_url: self.options.rules_url.as_deref(),
            max_per_file: self.options.max_per_file,
        };
        while let Some(path) = self.folders[i].backlog.pop_front() {
            if self.owner(&path) != Some(i) {
                // A folder added since inside this one has the file now.
                continue;
            }
            let f = &self.folders[i];
            let open = self.open.contains_key(&path);
            match f.plan.by_file.get(&path) {
                None => {
                    if let Some((uri, _)) = self.published.remove(&path) {
                        self.send_diagnostics(uri, Vec::new(), None);
                    }
                }
                Some(items) => {
                    let diags = diagnostics::build(&f.snap, items, self.enc, &settings);
                    if let Some(uri) = f.snap.uri(&path) {
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
                            let version = self.open.get(&path).map(|d| d.version);
                            self.send_diagnostics(uri.clone(), diags.clone(), version);
                            self.published.insert(path, (uri, diags));
                        }
                    }
                }
            }
            let due = self.is_due();
            if interruptible && !open && (due || !self.inbox.is_empty()) {
                return false;
            }
        }
        true
    }

    pub(super) fn send_diagnostics(
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
}
