//! Spanned YAML trees to a validated [`Model`].
//!
//! Two passes: the first walks every file, type-checks every field against
//! the schema tables and records references by name; the second resolves
//! names once all files are known (ids are global across files), checks
//! kinds and the cross-field rules (a vm has exactly one of `host` and
//! `cluster`, ...). Errors are collected rather than returned at the first,
//! so one run shows everything that needs fixing.

use crate::input::diag::{Errors, InputError, did_you_mean};
use crate::input::fields::Doc;
use crate::input::source::{FileId, Sources, Span};
use crate::input::stream::{Job, Parallel, Parsed, Streamed};
use crate::input::yaml::{YNode, YValue};
use crate::model::schema::{self, FieldSpec};
use crate::model::{Entity, EntityId, Kind, Model};

mod entity;
mod resolve;
use std::collections::HashMap;
use std::sync::Arc;

/// A description that could not be loaded: the errors and the sources they
/// point into.
pub struct LoadFailure {
    pub sources: Sources,
    pub errors: Vec<InputError>,
}

/// A reference by name, resolved in the second pass.
struct RawRef {
    name: String,
    span: Span,
}

#[derive(Default)]
struct PendingRefs {
    single: Vec<(&'static FieldSpec, RawRef)>,
    lists: Vec<(&'static FieldSpec, Vec<RawRef>)>,
    anti_affinity: Vec<Vec<RawRef>>,
}

struct Loader {
    sources: Sources,
    description_files: Vec<FileId>,
    errors: Errors,
    entities: Vec<Entity>,
    pending: Vec<PendingRefs>,
    by_id: rustc_hash::FxHashMap<String, EntityId>,
    /// Entities accepted before `too-many-entities` ([`MAX_ENTITIES`]).
    max_entities: usize,
    past_limit: bool,
    /// Hosts a cluster's `hosts` list put in it, with where: a second
    /// claim points at the first.
    listed_in: HashMap<EntityId, Span>,
    /// The rule ids a waiver may name, when the caller knows them: a
    /// misspelt rule is then reported with every other input error, not
    /// only once those are fixed.
    rule_ids: Option<Vec<String>>,
}

/// Most entities one run loads: 5,000,000, five times the largest estates
/// the tests analyse. The first entity past it is an input error; the rest
/// are not loaded and references are not resolved (every reference to an
/// entity left out would be one more error).
pub const MAX_ENTITIES: usize = 5_000_000;

/// Loads named texts (already read from disk) into one model.
pub fn load(files: Vec<(String, Vec<u8>)>) -> Result<Model, LoadFailure> {
    load_into(Sources::new(), files)
}

/// Like [`load`], into sources that already hold the run's config and rule
/// files (so waivers from the config can point into it).
pub fn load_into(sources: Sources, files: Vec<(String, Vec<u8>)>) -> Result<Model, LoadFailure> {
    load_limited(sources, files, MAX_ENTITIES)
}

/// Like [`load_into`], with at most `max_entities` entities (the config
/// may lower [`MAX_ENTITIES`]).
pub fn load_limited(
    sources: Sources,
    files: Vec<(String, Vec<u8>)>,
    max_entities: usize,
) -> Result<Model, LoadFailure> {
    let inputs = files
        .into_iter()
        .map(|(name, bytes)| (name, Input::Bytes(bytes)))
        .collect();
    load_inputs(sources, inputs, max_entities, None)
}

/// One file for the loader: bytes as read, or a text parsed before (the
/// language server keeps the parse of every file that did not change).
pub enum Input {
    Bytes(Vec<u8>),
    Parsed(Arc<str>, Arc<Parsed>),
}

/// Like [`load_limited`], from inputs. Files are parsed on every core
/// (see `input::stream`) while the loader takes them in, in order. With
/// `rule_ids`, every waiver's rule is checked against them.
pub fn load_inputs(
    sources: Sources,
    files: Vec<(String, Input)>,
    max_entities: usize,
    rule_ids: Option<Vec<String>>,
) -> Result<Model, LoadFailure> {
    let mut l = Loader {
        description_files: Vec::new(),
        sources,
        errors: Errors::default(),
        entities: Vec::new(),
        pending: Vec::new(),
        by_id: rustc_hash::FxHashMap::default(),
        max_entities,
        past_limit: false,
        listed_in: HashMap::new(),
        rule_ids,
    };
    // Every file's text first, so that the parsers can start on them;
    // what is wrong with a file is reported at its turn, as before.
    let mut jobs = Vec::new();
    let admitted: Vec<Result<FileId, InputError>> = files
        .into_iter()
        .map(|(name, input)| {
            let parsed = match &input {
                Input::Parsed(_, p) => Some(Arc::clone(p)),
                Input::Bytes(_) => None,
            };
            let file = l.admit(name, input)?;
            jobs.push(match parsed {
                Some(p) => Job::Parsed(p),
                None => Job::Text(Arc::clone(&l.sources.file(file).text)),
            });
            Ok(file)
        })
        .collect();
    std::thread::scope(|scope| {
        let mut parsed = Parallel::start(scope, jobs);
        for a in admitted {
            match a {
                Ok(file) => l.load_file(file, &mut parsed),
                Err(e) => l.errors.push(e),
            }
        }
    });
    if !l.past_limit {
        l.resolve();
    }
    l.finish()
}

/// Loads one in-memory text; handy in tests.
pub fn load_str(name: &str, text: &str) -> Result<Model, LoadFailure> {
    load(vec![(name.to_owned(), text.as_bytes().to_vec())])
}

impl Loader {
    fn doc(&self, file: FileId) -> Doc<'_> {
        Doc::new(&self.sources, file)
    }

    /// Takes a file's text into the sources; an error for a file that
    /// is not text (or that the sources cannot hold).
    fn admit(&mut self, name: String, input: Input) -> Result<FileId, InputError> {
        let (added, bad_utf8) = match input {
            Input::Parsed(text, _) => (self.sources.add_shared(name.clone(), text), None),
            Input::Bytes(bytes) => {
                if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                    return Err(InputError::plain(
                        "not-text",
                        format!("{name}:1:1: the file is UTF-16 text"),
                    )
                    .help("save it as UTF-8 (most editors: \"Save with encoding\")"));
                }
                let (text, bad_utf8) = match String::from_utf8(bytes) {
                    Ok(t) => (t, None),
                    Err(e) => {
                        let at = e.utf8_error().valid_up_to();
                        let bytes = e.into_bytes();
                        (String::from_utf8_lossy(&bytes).into_owned(), Some(at))
                    }
                };
                (self.sources.add(name.clone(), text), bad_utf8)
            }
        };
        let Some(file) = added else {
            return Err(InputError::plain(
                "too-large",
                format!("{name}: the description is larger than 4 GiB in total"),
            ));
        };
        self.description_files.push(file);
        // Binary content is not shown: its bytes would garble the terminal.
        if let Some(at) = bad_utf8 {
            // The lossy text has the same prefix, so the offset still holds.
            let lc = self.sources.file(file).line_col(at as u32);
            return Err(InputError::plain(
                "not-text",
                format!(
                    "{name}:{}:{}: not UTF-8 text (byte {at})",
                    lc.line, lc.column
                ),
            )
            .help("descriptions are YAML text files; is this a binary file?"));
        }
        if let Some(at) = memchr::memchr(0, self.sources.file(file).text.as_bytes()) {
            let lc = self.sources.file(file).line_col(at as u32);
            return Err(InputError::plain(
                "not-text",
                format!(
                    "{name}:{}:{}: the file contains a NUL byte",
                    lc.line, lc.column
                ),
            )
            .help("descriptions are YAML text files; is this a binary file?"));
        }
        Ok(file)
    }

    fn load_file(&mut self, file: FileId, parsed: &mut Parallel) {
        // Entities are loaded as the parsers complete them; what a file
        // turns out to be (broken, or a rule file) is only known at its
        // end, so the loader can roll back.
        let mark = (self.entities.len(), self.errors.mark(), self.past_limit);
        // Room for the entities this file may hold (one per ~40 bytes at
        // most in practice), so the big vectors grow without copying
        // themselves; pages never written are never resident.
        let len = self.sources.file(file).text.len();
        let room = (len / 40).min(self.max_entities.saturating_sub(mark.0));
        self.entities.reserve(room);
        self.pending.reserve(room);
        let mut kind: Option<Kind> = None;
        let root = parsed.next(&mut |item| match item {
            // Entities of `version`, an unknown section or a repeated one
            // are not loaded; `load_root` reports those sections.
            Streamed::Section { key, repeated } => {
                kind = match self.doc(file).text(key) {
                    Some(name) if !repeated => Kind::from_section(&name),
                    _ => None,
                };
            }
            Streamed::Entry(id, body) => {
                if let Some(kind) = kind {
                    self.load_entity(file, kind, id, body);
                }
            }
        });
        let parsed = root.get();
        if parsed.is_err()
            || matches!(parsed, Ok(YNode { value: YValue::Map(m), .. }) if is_rule_file(m))
        {
            for e in self.entities.drain(mark.0..) {
                self.by_id.remove(&e.id);
            }
            self.pending.truncate(mark.0);
            self.errors.rollback(mark.1);
            self.past_limit = mark.2;
        }
        match parsed {
            Ok(root) => self.load_root(file, root),
            Err(e) => {
                let error = self.doc(file).syntax_error(e);
                self.errors.push(error);
            }
        }
    }

    fn load_root(&mut self, file: FileId, root: &YNode) {
        let entries = match &root.value {
            YValue::Null => return,
            YValue::Map(m) => m,
            other => {
                let span = self.doc(file).span(root);
                self.errors.push(
                    InputError::at(
                        "wrong-type",
                        span,
                        format!(
                            "a description is a map of sections, found {}",
                            other.type_name()
                        ),
                    )
                    .help("start with a section such as `hosts:` or `services:`"),
                );
                return;
            }
        };
        if is_rule_file(entries) {
            // A rule file inside a checked directory is not a description.
            self.description_files.retain(|&f| f != file);
            return;
        }
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (k, v) in entries {
            let kspan = self.doc(file).span(k);
            let Some(key) = self.doc(file).text(k) else {
                self.errors.push(InputError::at(
                    "wrong-type",
                    kspan,
                    "a section name must be a string",
                ));
                continue;
            };
            if let Some(first) = seen.insert(key.clone(), kspan) {
                self.errors.push(
                    InputError::at(
                        "duplicate-key",
                        kspan,
                        format!("section `{key}` appears twice in this file"),
                    )
                    .label("again here")
                    .also(first, "first here")
                    .help("merge the two into one section"),
                );
                continue;
            }
            if key == "version" {
                let ok = matches!(v.value, YValue::Int(1));
                if !ok {
                    let span = self.doc(file).span(v);
                    self.errors.push(
                        InputError::at("bad-value", span, "`version` must be 1")
                            .label("unsupported version")
                            .help("this faultline reads version 1 descriptions"),
                    );
                }
                continue;
            }
            let Some(kind) = Kind::from_section(&key) else {
                let mut e =
                    InputError::at("unknown-key", kspan, format!("unknown section `{key}`"))
                        .label("not a section of a description");
                if let Some(s) = did_you_mean(&key, schema::top_level_keys()) {
                    e = e.help(format!("did you mean `{s}`?"));
                } else {
                    e = e.help(format!(
                        "sections are: {}",
                        schema::top_level_keys().collect::<Vec<_>>().join(", ")
                    ));
                }
                self.errors.push(e);
                continue;
            };
            match &v.value {
                YValue::Null => {}
                YValue::Map(m) => {
                    for (idk, body) in m {
                        self.load_entity(file, kind, idk, body);
                    }
                }
                other => {
                    let span = self.doc(file).span(v);
                    self.errors.push(
                        InputError::at(
                            "wrong-type",
                            span,
                            format!(
                                "`{key}` must be a map from id to {}, found {}",
                                kind.singular(),
                                other.type_name()
                            ),
                        )
                        .help(format!(
                            "write `{key}:` followed by `  my-id: {{...}}` lines"
                        )),
                    );
                }
            }
        }
    }
    fn finish(self) -> Result<Model, LoadFailure> {
        if !self.errors.is_empty() {
            // A failed load of a big estate leaves a lot to free; the
            // errors need not wait for that (the language server shows
            // them while the user types).
            let (entities, pending, by_id) = (self.entities, self.pending, self.by_id);
            std::thread::spawn(move || drop((entities, pending, by_id)));
            return Err(LoadFailure {
                sources: self.sources,
                errors: self.errors.into_sorted(),
            });
        }
        let mut cluster_hosts = vec![Vec::new(); self.entities.len()];
        for (i, e) in self.entities.iter().enumerate() {
            if e.kind() == Kind::Host
                && let Some(c) = e.cluster
            {
                cluster_hosts[c as usize].push(i as EntityId);
            }
        }
        Ok(Model {
            description_files: self.description_files,
            sources: self.sources,
            entities: self.entities,
            by_id: self.by_id,
            cluster_hosts,
        })
    }
}

/// faultline rule files have `id` and `template` at the top; no description
/// does, so such a file found below a checked directory is skipped.
fn is_rule_file(entries: &[(YNode, YNode)]) -> bool {
    let has = |key: &str| {
        entries
            .iter()
            .any(|(k, _)| matches!(&k.value, YValue::Str(s) if s == key))
    };
    has("id") && has("template")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> Vec<(String, Vec<u8>)> {
        vec![("t.yaml".to_owned(), text.as_bytes().to_vec())]
    }

    #[test]
    fn entities_past_the_limit_are_one_error_at_the_first_of_them() {
        let text = "hosts:\n  h1: {}\n  h2: {}\nservices:\n  s: {instances: [h1, h2]}\n";
        // At the limit: loads.
        assert!(load_limited(Sources::new(), files(text), 3).is_ok());
        // One past it: one error, at `s` (the fourth entity), nothing else
        // (references are not resolved once entities are left out).
        let Err(f) = load_limited(Sources::new(), files(text), 2) else {
            panic!("over the limit must fail")
        };
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        let e = &f.errors[0];
        assert_eq!(e.code, "too-many-entities");
        assert_eq!(e.message, "more than 2 entities, the limit for one run");
        let (file, lc) = f.sources.locate(e.primary_span().expect("a position"));
        assert_eq!((file, lc.line, lc.column), ("t.yaml", 5, 3));
        assert_eq!(MAX_ENTITIES, 5_000_000);
    }

    fn codes(text: &str) -> Vec<&'static str> {
        match load(files(text)) {
            Ok(_) => vec![],
            Err(f) => f.errors.iter().map(|e| e.code).collect(),
        }
    }

    /// Entities are loaded while the file streams; these are the cases
    /// where the end of the file changes what its start meant.
    #[test]
    fn streamed_entities_follow_what_the_whole_file_turns_out_to_be() {
        // A syntax error after entities: only the syntax error, no
        // dangling references to the entities that never loaded.
        assert_eq!(
            codes("hosts:\n  h1: {requires: [h2]}\n  h2: {rack: [\n"),
            ["syntax"]
        );
        // A repeated section is reported once and its entities not loaded,
        // even when the first one had none to stream.
        assert_eq!(
            codes("hosts: ~\nhosts:\n  h1: {}\n  h1: {}\n"),
            ["duplicate-key"]
        );
        // A rule file in a checked directory is not a description, even
        // when its example looks like a section.
        let rule = "id: r\ntemplate: field\nhosts: {h1: {requires: [nope]}}\n";
        let m = load(files(rule)).ok().expect("a rule file is skipped");
        assert!(m.is_empty());
        // Anchored sections and merge keys still work.
        let m = load(files(
            "hosts: &h {h1: {}}\nracks: {r1: {}}\nvms: {v: {<<: {host: h1}}}\n",
        ))
        .ok()
        .expect("loads");
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(m.lookup("v").unwrap()).host, m.lookup("h1"));
    }
}
