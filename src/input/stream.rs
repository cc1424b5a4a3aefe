//! Parsing descriptions on every core while the loader takes in what is
//! already parsed.
//!
//! Reading YAML is the largest single cost of a big run. The texts of a
//! run are parsed as pieces: each small file is one piece, and a large
//! file is cut before entries of its sections (`pieces.rs`), so that one
//! big file keeps every core busy too. Worker threads parse pieces in
//! order, a few ahead of the loader (the trees of a piece take several
//! times its text); the loader, on the calling thread, takes them in
//! order. Whatever the pieces, the loader is handed the same items in
//! the same order as one parse of the whole file would hand it, so the
//! model and the output do not depend on the thread count.
//!
//! A piece is parsed by the fast path (`fast.rs`), else by granit behind
//! a made-up line that opens its section. A piece that fails, or does
//! not fit the one before it, makes the loader parse its file again in
//! one go, skipping what it already has: errors are found and worded
//! exactly as a plain parse finds and words them.

use super::fast::{self, Inside};
use super::pieces::{self, Section};
use super::yaml::{self, MAX_ALIAS_NODES, MAX_ALIASES, SyntaxError, YNode, YValue};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::Scope;

/// What the parser hands over, in file order.
#[derive(Debug)]
pub enum Streamed {
    /// The entries that follow belong to this section. `repeated`: a
    /// section with the same key came earlier in the file.
    Section { key: YNode, repeated: bool },
    /// One entry of the current section: its key (the id) and its body.
    Entry(YNode, YNode),
}

/// A whole file parsed: its items, in order, and the rest of its tree
/// (or its syntax error). The language server keeps one per file and
/// loads from it without parsing again.
#[derive(Debug)]
pub struct Parsed {
    pub items: Vec<Streamed>,
    pub root: Result<YNode, SyntaxError>,
}

/// Parses one text whole (a large one's pieces in parallel).
pub fn parse(text: &str) -> Parsed {
    let mut items = Vec::new();
    let root = std::thread::scope(|s| {
        let mut p = Parallel::start(s, vec![Job::Text(Arc::from(text))]);
        p.next_text(&mut |it| items.push(it))
    });
    Parsed { items, root }
}

/// Parses `text`, giving every section entry to `consume` (see
/// [`yaml::parse_streaming`]); returns the rest of the tree.
pub fn stream(text: &str, mut consume: impl FnMut(&Streamed)) -> Result<YNode, SyntaxError> {
    std::thread::scope(|s| {
        let mut p = Parallel::start(s, vec![Job::Text(Arc::from(text))]);
        p.next_text(&mut |it| consume(&it))
    })
}

/// One file for the loader: a text to parse, or one parsed before.
pub enum Job {
    Text(Arc<str>),
    Parsed(Arc<Parsed>),
}

/// The rest of a file's tree, after its items.
pub enum Root {
    Owned(Result<YNode, SyntaxError>),
    Shared(Arc<Parsed>),
}

impl Root {
    pub fn get(&self) -> Result<&YNode, &SyntaxError> {
        match self {
            Root::Owned(r) => r.as_ref(),
            Root::Shared(p) => p.root.as_ref(),
        }
    }
}

/// Below this many bytes in all, a run parses on the calling thread.
const THREADED_BYTES: usize = 64 << 10;
/// Pieces of a large file: about a quarter of a core's share, within
/// these bounds.
const MIN_PIECE: usize = 256 << 10;
const MAX_PIECE: usize = 4 << 20;
/// A file from this size up that cannot be cut is parsed by granit on a
/// second thread and handed over in batches (never whole in memory).
const PIPELINE_BYTES: usize = 1 << 20;
/// Pieces parsed ahead of the loader at most, per worker.
const AHEAD: usize = 2;

/// A piece to parse: which job, where, and how.
struct Unit {
    job: usize,
    range: Range<usize>,
    inside: Option<Section>,
    /// Its file has more pieces.
    cut: bool,
    /// A large file that could not be cut: the loader's thread streams it.
    pipelined: bool,
}

/// A parsed piece: its root (for a piece that starts inside a section,
/// that section is its first entry), the entries handed over with the
/// index of their section among the root's entries, and the aliases it
/// expanded.
struct Done {
    root: Result<YNode, SyntaxError>,
    items: Vec<(usize, YNode, YNode)>,
    aliases: usize,
    alias_nodes: usize,
}

struct Shared {
    units: Vec<Unit>,
    texts: Vec<Option<Arc<str>>>,
    next: AtomicUsize,
    state: Mutex<State>,
    changed: Condvar,
}

struct State {
    /// Units the loader has taken.
    taken: usize,
    /// The loader is gone: workers stop.
    closed: bool,
    done: Vec<Option<std::thread::Result<Done>>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses jobs on worker threads and hands them over in order.
pub struct Parallel {
    shared: Arc<Shared>,
    jobs: std::vec::IntoIter<Job>,
    job: usize,
    unit: usize,
    workers: usize,
}

impl Parallel {
    /// Plans the pieces and starts the workers (none for a small run).
    pub fn start<'s>(scope: &'s Scope<'s, '_>, jobs: Vec<Job>) -> Parallel {
        let total: usize = jobs
            .iter()
            .map(|j| match j {
                Job::Text(t) => t.len(),
                Job::Parsed(_) => 0,
            })
            .sum();
        let workers = if total < THREADED_BYTES {
            0
        } else {
            rayon::current_num_threads().max(1)
        };
        let piece_bytes = (total / (workers.max(1) * 4)).clamp(MIN_PIECE, MAX_PIECE);
        Parallel::start_with(scope, jobs, workers, piece_bytes)
    }

    fn start_with<'s>(
        scope: &'s Scope<'s, '_>,
        jobs: Vec<Job>,
        workers: usize,
        piece_bytes: usize,
    ) -> Parallel {
        let mut units = Vec::new();
        let mut texts = Vec::with_capacity(jobs.len());
        for (job, j) in jobs.iter().enumerate() {
            let Job::Text(t) = j else {
                texts.push(None);
                continue;
            };
            let planned = pieces::plan(t, piece_bytes);
            let cut = planned.len() > 1;
            units.extend(planned.into_iter().map(|p| Unit {
                job,
                range: p.range,
                inside: p.inside,
                cut,
                pipelined: !cut && t.len() >= PIPELINE_BYTES,
            }));
            texts.push(Some(Arc::clone(t)));
        }
        let n = units.len();
        let shared = Arc::new(Shared {
            units,
            texts,
            next: AtomicUsize::new(0),
            state: Mutex::new(State {
                taken: 0,
                closed: false,
                done: (0..n).map(|_| None).collect(),
            }),
            changed: Condvar::new(),
        });
        for _ in 0..workers.min(n) {
            let shared = Arc::clone(&shared);
            scope.spawn(move || work(&shared, workers * AHEAD + 1));
        }
        Parallel {
            shared,
            jobs: jobs.into_iter(),
            job: 0,
            unit: 0,
            workers,
        }
    }

    /// Hands over the next job's items, in file order; returns the rest
    /// of its tree.
    pub fn next(&mut self, consume: &mut dyn FnMut(&Streamed)) -> Root {
        match self.jobs.next() {
            None => Root::Owned(Ok(null())),
            Some(Job::Parsed(p)) => {
                self.job += 1;
                p.items.iter().for_each(consume);
                Root::Shared(p)
            }
            Some(Job::Text(_)) => Root::Owned(self.text(&mut |it| consume(&it))),
        }
    }

    /// [`Parallel::next`] for a text job, items by value.
    fn next_text(&mut self, consume: &mut dyn FnMut(Streamed)) -> Result<YNode, SyntaxError> {
        let _ = self.jobs.next();
        self.text(consume)
    }

    /// Takes the next unit, parsing it here when there are no workers.
    fn take(&mut self) -> Done {
        let i = self.unit;
        self.unit += 1;
        if self.workers == 0 {
            let u = &self.shared.units[i];
            return parse_unit(self.shared.texts[u.job].as_deref().unwrap_or_default(), u);
        }
        let mut st = self.shared.lock();
        let outcome = loop {
            if let Some(o) = st.done[i].take() {
                break o;
            }
            st = self
                .shared
                .changed
                .wait(st)
                .unwrap_or_else(|e| e.into_inner());
        };
        st.taken = i + 1;
        drop(st);
        self.shared.changed.notify_all();
        outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    fn text(&mut self, consume: &mut dyn FnMut(Streamed)) -> Result<YNode, SyntaxError> {
        let job = self.job;
        self.job += 1;
        let text = Arc::clone(self.shared.texts[job].as_ref().expect("a text job"));
        let first = self.unit;
        let count = self.shared.units[first..]
            .iter()
            .take_while(|u| u.job == job)
            .count();
        if count == 1 {
            let pipelined = self.shared.units[first].pipelined;
            let done = self.take();
            if pipelined {
                return pipeline(&text, consume);
            }
            let mut merged = Merged::default();
            merged.add(done.root?, done.items, None, consume);
            return Ok(merged.finish());
        }
        let mut merged = Merged::default();
        let mut failed = false;
        for k in 0..count {
            let done = self.take();
            if failed {
                continue;
            }
            let inside = self.shared.units[first + k].inside.as_ref();
            merged.aliases += done.aliases;
            merged.alias_nodes += done.alias_nodes;
            let root = match done.root {
                Ok(root) if merged.fits(&root, inside) => root,
                _ => {
                    failed = true;
                    continue;
                }
            };
            if merged.aliases > MAX_ALIASES || merged.alias_nodes > MAX_ALIAS_NODES {
                failed = true;
                continue;
            }
            merged.add(root, done.items, inside, consume);
        }
        if failed {
            return again(&text, merged.handed, consume);
        }
        Ok(merged.finish())
    }
}

impl Drop for Parallel {
    fn drop(&mut self) {
        // Workers waiting for room ahead of the loader stop.
        self.shared.lock().closed = true;
        self.shared.changed.notify_all();
    }
}

fn null() -> YNode {
    YNode {
        start: 0,
        len: 0,
        value: YValue::Null,
    }
}

/// A worker: parses units in order, at most `window` ahead of the loader.
fn work(shared: &Shared, window: usize) {
    loop {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        let Some(u) = shared.units.get(i) else {
            return;
        };
        {
            let mut st = shared.lock();
            while i >= st.taken + window && !st.closed {
                st = shared.changed.wait(st).unwrap_or_else(|e| e.into_inner());
            }
            if st.closed {
                return;
            }
        }
        let text = shared.texts[u.job].as_deref().unwrap_or_default();
        let outcome = std::panic::catch_unwind(|| parse_unit(text, u));
        shared.lock().done[i] = Some(outcome);
        shared.changed.notify_all();
    }
}

/// A file's pieces put back together as they are handed over.
#[derive(Default)]
struct Merged {
    /// The root's node from the first piece (a map's without its
    /// entries, which are kept apart).
    root: Option<YNode>,
    entries: Vec<(YNode, YNode)>,
    /// The root entry (section) of the last item handed over.
    section: Option<usize>,
    /// Items handed over (skipped if the file is parsed again).
    handed: usize,
    aliases: usize,
    alias_nodes: usize,
}

impl Merged {
    /// Whether a piece continues what came before: the first piece's
    /// root is a map; a later one starts with the section (with every
    /// entry handed over) that the one before it ends with.
    fn fits(&self, root: &YNode, inside: Option<&Section>) -> bool {
        let YValue::Map(entries) = &root.value else {
            return false;
        };
        let Some(s) = inside else {
            return self.root.is_none();
        };
        let is_s = |e: Option<&(YNode, YNode)>| {
            e.is_some_and(|(k, v)| {
                k.value == s.key.value && matches!(&v.value, YValue::Map(m) if m.is_empty())
            })
        };
        self.root.is_some() && is_s(self.entries.last()) && is_s(entries.first())
    }

    /// Hands over a piece's items and keeps its root entries.
    fn add(
        &mut self,
        root: YNode,
        items: Vec<(usize, YNode, YNode)>,
        inside: Option<&Section>,
        consume: &mut dyn FnMut(Streamed),
    ) {
        let mut entries = match root.value {
            YValue::Map(m) => m,
            other => {
                // A file whose root is not a map (so it was not cut).
                self.root = Some(YNode {
                    value: other,
                    ..root
                });
                return;
            }
        };
        // Where this piece's root entries go among the file's.
        let own = self.entries.len();
        if inside.is_some() {
            entries.remove(0);
        } else {
            self.root = Some(YNode {
                value: YValue::Map(Vec::new()),
                ..root
            });
        }
        self.entries.append(&mut entries);
        for (section, id, body) in items {
            let at = match inside {
                // The continuing section is the last one before.
                Some(_) => own + section - 1,
                None => own + section,
            };
            if self.section != Some(at) {
                self.section = Some(at);
                let key = &self.entries[at].0;
                let repeated = self.entries[..at].iter().any(|(k, _)| k.value == key.value);
                consume(Streamed::Section {
                    key: key.clone(),
                    repeated,
                });
                self.handed += 1;
            }
            consume(Streamed::Entry(id, body));
            self.handed += 1;
        }
    }

    fn finish(self) -> YNode {
        match self.root {
            Some(YNode {
                start,
                len,
                value: YValue::Map(_),
            }) => YNode {
                start,
                len,
                value: YValue::Map(self.entries),
            },
            Some(other) => other,
            None => null(),
        }
    }
}

/// Parses a whole file in one go, after its pieces did not fit: hands
/// over the items past the first `skip` (those the pieces handed over).
fn again(text: &str, skip: usize, consume: &mut dyn FnMut(Streamed)) -> Result<YNode, SyntaxError> {
    let mut n = 0;
    let mut sections = Sections::default();
    yaml::parse_streaming(text, &mut |earlier, key, id, body| {
        sections.item(earlier, key, id, body, &mut |it| {
            n += 1;
            if n > skip {
                consume(it);
            }
        });
    })
}

/// Parses one unit: the fast path, else granit.
fn parse_unit(text: &str, u: &Unit) -> Done {
    let done = |root, items, aliases, alias_nodes| Done {
        root,
        items,
        aliases,
        alias_nodes,
    };
    if u.pipelined {
        // Streamed by the loader's thread.
        return done(Ok(null()), Vec::new(), 0, 0);
    }
    let inside = u.inside.as_ref().map(|s| Inside {
        key: s.key.clone(),
        indent: s.indent,
    });
    if let Some(f) = fast::parse(text, u.range.clone(), inside, true) {
        return done(Ok(f.root), f.items, 0, 0);
    }
    let mut items = Vec::new();
    let mut sink = |earlier: &[(YNode, YNode)], _: &YNode, id: YNode, body: YNode| {
        items.push((earlier.len(), id, body));
    };
    let built = match &u.inside {
        // A whole file, as it always was (merge keys included).
        None if !u.cut => {
            let root = yaml::parse_streaming(text, &mut sink);
            return done(root, items, 0, 0);
        }
        None => yaml::build(&text[u.range.clone()], 0, Some(&mut sink)),
        Some(s) => {
            // Behind a line that opens its section, shifted back.
            let key = &text[s.key.start as usize..(s.key.start + s.key.len) as usize];
            let piece = format!("{key}:\n{}", &text[u.range.clone()]);
            let shift = (u.range.start as u32).wrapping_sub(key.len() as u32 + 2);
            yaml::build(&piece, shift, Some(&mut sink))
        }
    };
    match built {
        Ok(b) => done(Ok(b.root), items, b.aliases, b.alias_nodes),
        Err(e) => done(Err(e), items, 0, 0),
    }
}

/// Entries per message between the threads of [`pipeline`]: enough to
/// make the channel's cost negligible, few enough to keep both busy.
const BATCH: usize = 512;
/// Batches in flight: bounds the memory the parser can run ahead with.
const IN_FLIGHT: usize = 8;

/// A large file that could not be cut: granit parses it on a second
/// thread and sends completed entries, in batches, to the loader's.
fn pipeline(text: &str, consume: &mut dyn FnMut(Streamed)) -> Result<YNode, SyntaxError> {
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Streamed>>(IN_FLIGHT);
        let parser = s.spawn(move || {
            let mut sections = Sections::default();
            let mut batch = Vec::with_capacity(BATCH);
            let parsed = yaml::parse_streaming(text, &mut |earlier, key, id, body| {
                sections.item(earlier, key, id, body, &mut |it| batch.push(it));
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    // The receiver only goes away if the loader panicked.
                    let _ = tx.send(full);
                }
            });
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
            parsed
        });
        for batch in rx {
            batch.into_iter().for_each(&mut *consume);
        }
        parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Turns granit's (earlier sections, section key, id, body) calls into
/// items, with a `Section` item whenever the section changes.
#[derive(Default)]
struct Sections {
    current: Option<u32>,
}

impl Sections {
    fn item(
        &mut self,
        earlier: &[(YNode, YNode)],
        key: &YNode,
        id: YNode,
        body: YNode,
        out: &mut dyn FnMut(Streamed),
    ) {
        if self.current != Some(key.start) {
            self.current = Some(key.start);
            let repeated = earlier.iter().any(|(k, _)| k.value == key.value);
            out(Streamed::Section {
                key: key.clone(),
                repeated,
            });
        }
        out(Streamed::Entry(id, body));
    }
}

#[cfg(test)]
mod tests;
