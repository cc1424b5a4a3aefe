//! The estate an editor is looking at: the files `faultline check` would
//! read in the workspace folder, with open buffers in place of their
//! files, loaded and checked as a whole after every change.
//!
//! Ids are global across files, so any edit can change any file's
//! findings: a re-check rebuilds the model and runs the rules over the
//! whole estate, but from cached parts: every file's parse and index are
//! kept, keyed by its text, and only files whose text changed are parsed
//! again (in parallel). Reading YAML was most of a re-check; loading from
//! parses is a fraction of it (see the README).

use super::index::{FileIndex, Local, Spot};
use super::text::{Encoding, Lines, uri_of};
use crate::check::prepare::{self, Failed, Prepared};
use crate::check::{self, config};
use crate::input::diag::InputError;
use crate::input::files;
use crate::input::source::{Sources, Span};
use crate::input::stream::{self, Parsed};
use crate::model::load::Input;
use crate::model::{Date, Model};
use crate::rules::finding::Finding;
use lsp_types::{Location, Range, Uri};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// A buffer the editor has open.
#[derive(Clone)]
pub struct OpenDoc {
    /// The URI exactly as the client wrote it: answers about this file
    /// use it, so the client never sees two names for one buffer.
    pub uri: Uri,
    pub version: i32,
    pub text: String,
}

/// One file of the workspace as it was checked.
pub struct Doc {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub lines: Lines,
    /// Made when first asked for: diagnostics do not need it, so a
    /// re-check while typing does not parse the file a second time; the
    /// first request about ids after it does.
    index: OnceLock<FileIndex>,
    /// `faultline.yaml`, not a description.
    pub is_config: bool,
}

impl Doc {
    pub(super) fn new(path: PathBuf, text: Arc<str>, is_config: bool) -> Doc {
        Doc {
            lines: Lines::new(&text),
            path,
            text,
            index: OnceLock::new(),
            is_config,
        }
    }

    /// Where ids are defined and named in this file.
    pub fn index(&self) -> &FileIndex {
        self.index.get_or_init(|| {
            if self.is_config {
                FileIndex::config(&self.text)
            } else {
                FileIndex::description(&self.text)
            }
        })
    }

    pub fn range(&self, at: Local, enc: Encoding) -> Range {
        self.lines.range(&self.text, at.start, at.len, enc)
    }

    pub fn offset(&self, pos: lsp_types::Position, enc: Encoding) -> u32 {
        self.lines.offset(&self.text, pos, enc)
    }
}

/// What the last check found.
pub enum Checked {
    Loaded {
        model: Model,
        /// Every finding, waived ones included (each output decides).
        findings: Vec<Finding>,
        /// Input warnings: config settings that match nothing, unused
        /// waivers.
        warnings: Vec<InputError>,
        /// The recovery defaults of the config, so that hover's recovery
        /// times are those `faultline recovery` prints.
        recovery: crate::analysis::recovery::Defaults,
    },
    /// Input errors: no model, so no findings.
    Failed {
        sources: Sources,
        errors: Vec<InputError>,
    },
}

/// The workspace at one moment. Requests are answered from the latest
/// snapshot, so every answer about positions agrees with one text.
pub struct Snapshot {
    pub root: PathBuf,
    /// Every description file (read or not: too large, not text...), in
    /// reading order: its name in messages, and its path.
    pub files: Vec<(String, PathBuf)>,
    /// The indexed files: descriptions that are text, and the config.
    pub docs: Vec<Arc<Doc>>,
    by_path: HashMap<PathBuf, usize>,
    uris: HashMap<PathBuf, Uri>,
    pub checked: Checked,
    pub today: Date,
    /// Rule id to the file that defines it ("built-in" for the pack).
    pub rule_origins: HashMap<String, String>,
    /// How long the check took (reading, loading, rules, indexing), and
    /// its phases, for the log.
    pub elapsed: Duration,
    pub phases: Vec<(&'static str, Duration)>,
    occurrences: OnceLock<FxHashMap<String, Vec<(u32, Spot)>>>,
    source_docs: OnceLock<Vec<Option<usize>>>,
    /// Every service's recovery objectives, computed at the first hover
    /// that shows them and kept until the next check.
    recovery: OnceLock<Result<crate::analysis::recovery::Table, crate::engine::TooLarge>>,
    source_paths: OnceLock<Vec<Option<PathBuf>>>,
}

pub struct Workspace {
    pub root: PathBuf,
    pub open: HashMap<PathBuf, OpenDoc>,
    /// The date waivers expire against; today when `None`.
    pub today: Option<Date>,
    cache: HashMap<PathBuf, Arc<Doc>>,
    /// Every description's parse as of the last check, by path: a
    /// re-check parses only the files whose text changed since.
    parsed: HashMap<PathBuf, (Arc<str>, Arc<Parsed>)>,
}

impl Workspace {
    pub fn new(root: PathBuf, today: Option<Date>) -> Workspace {
        Workspace {
            root,
            open: HashMap::new(),
            today,
            cache: HashMap::new(),
            parsed: HashMap::new(),
        }
    }

    /// Reads, loads and checks the estate as the editor has it now;
    /// `None` when `stale` says, once the estate is loaded, that a newer
    /// change has arrived (the rules would check a text already gone).
    pub fn check(&mut self, stale: &dyn Fn() -> bool) -> Option<Snapshot> {
        let started = Instant::now();
        let today = self.today.clone().unwrap_or_else(crate::model::date::today);
        let config_path = config::discover(&self.root);
        // Named as `check .` run in the folder names them, when the
        // server runs there (it moves there at start).
        let here = std::env::current_dir().is_ok_and(|d| d == self.root);
        let root = vec![if here {
            ".".to_owned()
        } else {
            self.root.to_string_lossy().into_owned()
        }];
        let config_arg = config_path
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        // Listing the files needs the config (rule dirs, ignores); when
        // the config is broken, index what a plain walk finds.
        // An unsaved config buffer counts, as unsaved descriptions do.
        let config_text = config_path
            .as_ref()
            .and_then(|p| self.open.get(p))
            .map(|d| d.text.clone());
        let (names, policy) = match prepare::policy_with(&[], config_arg.as_deref(), config_text) {
            Err(f) => (files::expand(&root, &[]).unwrap_or_default(), Err(f)),
            Ok((sources, config, rules, mut warnings)) => {
                match prepare::description_names(&config, &root, &[], &mut warnings) {
                    Ok(names) => (names, Ok((sources, config, rules, warnings))),
                    Err(errors) => (Vec::new(), Err(Failed { sources, errors })),
                }
            }
        };
        let names = self.with_unsaved_buffers(names, here);
        let limits = match &policy {
            Ok((_, c, ..)) => c.limits.clone(),
            Err(_) => Default::default(),
        };
        let files: Vec<(String, PathBuf)> =
            names.iter().map(|n| (n.clone(), absolute(n))).collect();
        let mut texts = Vec::with_capacity(names.len());
        let mut read_errors = Vec::new();
        for name in names {
            match self.open.get(&absolute(&name)) {
                Some(d) => texts.push((name, d.text.clone().into_bytes())),
                None => match files::read_all(vec![name], &limits) {
                    Ok(mut t) => texts.append(&mut t),
                    Err(mut e) => read_errors.append(&mut e),
                },
            }
        }
        let rule_origins = match &policy {
            Ok((_, _, rules, _)) => rules
                .rules
                .iter()
                .map(|r| (r.id.clone(), r.origin.clone()))
                .collect(),
            Err(_) => HashMap::new(),
        };
        let docs = self.docs(&texts, config_path.as_deref());
        let read = started.elapsed();
        let mut parsed = Duration::ZERO;
        let mut loaded = Duration::ZERO;
        let checked = match policy {
            Err(f) => Checked::Failed {
                sources: f.sources,
                errors: f.errors,
            },
            Ok((sources, ..)) if !read_errors.is_empty() => Checked::Failed {
                sources,
                errors: read_errors,
            },
            Ok((sources, config, rules, warnings)) => {
                let inputs = self.inputs(texts);
                parsed = started.elapsed() - read;
                let prepared = prepare::load_inputs(sources, config, rules, warnings, inputs);
                loaded = started.elapsed() - read - parsed;
                if stale() {
                    return None;
                }
                match prepared {
                    Ok(p) => run_rules(p, &today),
                    Err(f) => Checked::Failed {
                        sources: f.sources,
                        errors: f.errors,
                    },
                }
            }
        };
        self.cache = docs
            .iter()
            .map(|d| (d.path.clone(), Arc::clone(d)))
            .collect();
        let by_path = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.path.clone(), i))
            .collect();
        // Made once: a big estate's diagnostics name the same few files
        // hundreds of thousands of times.
        let mut uris: HashMap<PathBuf, Uri> = files
            .iter()
            .map(|(_, p)| p)
            .chain(docs.iter().map(|d| &d.path))
            .filter_map(|p| Some((p.clone(), uri_of(p)?)))
            .collect();
        uris.extend(self.open.iter().map(|(p, d)| (p.clone(), d.uri.clone())));
        Some(Snapshot {
            root: self.root.clone(),
            files,
            docs,
            by_path,
            uris,
            checked,
            today,
            rule_origins,
            elapsed: started.elapsed(),
            phases: vec![
                ("listing and reading", read),
                ("parsing changed files", parsed),
                ("loading", loaded),
                ("rules", started.elapsed() - read - parsed - loaded),
            ],
            occurrences: OnceLock::new(),
            source_docs: OnceLock::new(),
            recovery: OnceLock::new(),
            source_paths: OnceLock::new(),
        })
    }

    /// The loader's inputs: the cached parse of every file whose text is
    /// the one parsed last time, a new parse (files in parallel) of every
    /// other text file; bytes that are not clean text go to the loader
    /// as they are, to be reported as `check` reports them.
    fn inputs(&mut self, texts: Vec<(String, Vec<u8>)>) -> Vec<(String, Input)> {
        enum Slot {
            Ready(Arc<str>, Arc<Parsed>),
            Parse(Arc<str>),
            Raw(Vec<u8>),
        }
        let mut keep = HashMap::with_capacity(texts.len());
        let slots: Vec<(String, PathBuf, Slot)> = texts
            .into_iter()
            .map(|(name, bytes)| {
                let path = absolute(&name);
                let clean = !bytes.contains(&0) && std::str::from_utf8(&bytes).is_ok();
                let slot = match self.parsed.remove(&path) {
                    _ if !clean => Slot::Raw(bytes),
                    Some((t, p)) if t.as_bytes() == bytes.as_slice() => Slot::Ready(t, p),
                    _ => Slot::Parse(String::from_utf8(bytes).unwrap_or_default().into()),
                };
                (name, path, slot)
            })
            .collect();
        let mut slots = slots;
        slots.par_iter_mut().for_each(|(_, _, s)| {
            if let Slot::Parse(t) = s {
                let parsed = Arc::new(stream::parse(t));
                *s = Slot::Ready(Arc::clone(t), parsed);
            }
        });
        let inputs = slots
            .into_iter()
            .map(|(name, path, slot)| {
                let input = match slot {
                    Slot::Ready(t, p) => (t, p),
                    Slot::Raw(b) => return (name, Input::Bytes(b)),
                    Slot::Parse(t) => return (name, Input::Bytes(t.as_bytes().to_vec())),
                };
                keep.insert(path, input.clone());
                (name, Input::Parsed(input.0, input.1))
            })
            .collect();
        // Files gone from the estate leave the cache.
        self.parsed = keep;
        inputs
    }

    /// Open buffers of files that do not exist yet (created in the editor,
    /// never saved) belong to the estate too, if `check` would read them
    /// once saved.
    fn with_unsaved_buffers(&self, mut names: Vec<String>, relative: bool) -> Vec<String> {
        let mut added = false;
        for path in self.open.keys() {
            if path.exists() || !self.would_read(path) {
                continue;
            }
            let name = match path.strip_prefix(&self.root) {
                Ok(rel) if relative => Path::new(".").join(rel),
                _ => path.clone(),
            };
            names.push(name.to_string_lossy().into_owned());
            added = true;
        }
        if added {
            names.sort();
        }
        names
    }

    /// A YAML file below the root, not hidden, not a config file.
    fn would_read(&self, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let hidden = rel
            .components()
            .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        yaml && !hidden && !name.is_some_and(|n| files::CONFIG_NAMES.contains(&n.as_str()))
    }

    /// The files navigation works in: every description that is text, and
    /// the config. Unchanged files keep their index from the last check.
    fn docs(&self, texts: &[(String, Vec<u8>)], config: Option<&Path>) -> Vec<Arc<Doc>> {
        let mut wanted: Vec<(PathBuf, &[u8], bool)> = texts
            .iter()
            .map(|(n, b)| (absolute(n), b.as_slice(), false))
            .collect();
        let config_text;
        if let Some(path) = config {
            config_text = match self.open.get(path) {
                Some(d) => Some(d.text.clone().into_bytes()),
                None => std::fs::read(path).ok(),
            };
            if let Some(t) = &config_text {
                wanted.push((path.to_path_buf(), t, true));
            }
        }
        wanted
            .into_iter()
            .filter_map(|(path, bytes, is_config)| {
                let text = std::str::from_utf8(bytes).ok()?;
                if let Some(d) = self.cache.get(&path)
                    && d.is_config == is_config
                    && *d.text == *text
                {
                    return Some(Arc::clone(d));
                }
                Some(Arc::new(Doc::new(path, text.into(), is_config)))
            })
            .collect()
    }
}

/// The rules over a loaded estate, as `check` runs them.
fn run_rules(p: Prepared, today: &Date) -> Checked {
    let Prepared {
        config,
        rules,
        model,
        mut warnings,
    } = p;
    let findings = {
        let a = config.analysis(&model, today.clone());
        let outcome = check::run(&a, &rules);
        warnings.extend(outcome.unused_waivers.iter().cloned());
        if let (Some(e), Some(&file)) = (&outcome.limit, model.description_files.first()) {
            // Some rule could not run: say so (at the top of the first
            // file) rather than look clean.
            warnings.push(crate::input::diag::InputError::at(
                crate::report::human::ANALYSIS_LIMIT,
                model.sources.span(file, 0, 0),
                format!("the analysis stopped: {e}"),
            ));
        }
        outcome.findings
    };
    Checked::Loaded {
        model,
        findings,
        warnings,
        recovery: config.recovery.clone().unwrap_or_default(),
    }
}

impl Snapshot {
    pub fn sources(&self) -> &Sources {
        match &self.checked {
            Checked::Loaded { model, .. } => &model.sources,
            Checked::Failed { sources, .. } => sources,
        }
    }

    /// Input errors, or input warnings when the estate loaded.
    pub fn problems(&self) -> &[InputError] {
        match &self.checked {
            Checked::Loaded { warnings, .. } => warnings,
            Checked::Failed { errors, .. } => errors,
        }
    }

    /// Every service's recovery objectives under the config's defaults
    /// (once per snapshot); `None` when the estate did not load.
    pub fn recovery(
        &self,
    ) -> Option<&Result<crate::analysis::recovery::Table, crate::engine::TooLarge>> {
        let Checked::Loaded {
            model, recovery, ..
        } = &self.checked
        else {
            return None;
        };
        Some(self.recovery.get_or_init(|| {
            crate::analysis::Analysis::new(model, self.today.clone())
                .with_recovery(recovery.clone())
                .recovery_setup()
                .table()
        }))
    }

    pub fn model(&self) -> Option<&Model> {
        match &self.checked {
            Checked::Loaded { model, .. } => Some(model),
            Checked::Failed { .. } => None,
        }
    }

    /// Takes the URIs of the buffers open now (one was just opened).
    pub fn set_uris(&mut self, ws: &Workspace) {
        let open = ws.open.iter().map(|(p, d)| (p.clone(), d.uri.clone()));
        self.uris.extend(open);
    }

    pub fn doc(&self, path: &Path) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    /// The URI the client knows a file by.
    pub fn uri(&self, path: &Path) -> Option<Uri> {
        self.uris.get(path).cloned().or_else(|| uri_of(path))
    }

    pub fn location(&self, doc: usize, at: Local, enc: Encoding) -> Option<Location> {
        let d = &self.docs[doc];
        Some(Location::new(self.uri(&d.path)?, d.range(at, enc)))
    }

    /// Every def and ref of an id, in every file.
    pub fn occurrences(&self, name: &str) -> &[(u32, Spot)] {
        let map = self.occurrences.get_or_init(|| {
            let mut map: FxHashMap<String, Vec<(u32, Spot)>> = FxHashMap::default();
            for (i, d) in self.docs.iter().enumerate() {
                for (_, n, s) in d.index().spots() {
                    map.entry(n.to_owned()).or_default().push((i as u32, s));
                }
            }
            map
        });
        map.get(name).map_or(&[], Vec::as_slice)
    }

    /// Where an id is defined (more than one place when it is defined
    /// twice, which is an error but still worth navigating).
    pub fn definitions(&self, name: &str) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.occurrences(name).iter().filter_map(|&(d, s)| match s {
            Spot::Def(i) => Some((d as usize, i)),
            Spot::Ref(_) => None,
        })
    }

    /// The id under the cursor in a document.
    pub fn at(&self, doc: usize, offset: u32) -> Option<(Local, &str)> {
        let ix = self.docs[doc].index();
        ix.at(offset).map(|s| ix.spot(s))
    }

    /// The document and byte range of a span of the run's sources, when
    /// it lies in an indexed file whose text is the one checked.
    pub fn local(&self, span: Span) -> Option<(usize, Local)> {
        let sources = self.sources();
        if sources.files().is_empty() {
            return None;
        }
        let file = sources.file_at(span.start);
        let doc = (*self.source_docs().get(file as usize)?)?;
        let f = sources.file(file);
        Some((
            doc,
            Local {
                start: span.start - f.base,
                len: span.len,
            },
        ))
    }

    /// A span of the run's sources as an LSP location: in an indexed
    /// file, or in another file of the user's (a custom rule file), never
    /// in a built-in rule file.
    pub fn place(&self, span: Span, enc: Encoding) -> Option<(PathBuf, Range)> {
        if let Some((doc, at)) = self.local(span) {
            let d = &self.docs[doc];
            return Some((d.path.clone(), d.range(at, enc)));
        }
        let sources = self.sources();
        if sources.files().is_empty() {
            return None;
        }
        let f = sources.file(sources.file_at(span.start));
        let path = source_path(&f.name)?;
        let lines = Lines::new(&f.text);
        Some((
            path,
            lines.range(&f.text, span.start - f.base, span.len, enc),
        ))
    }

    /// The file a span of the run's sources lies in, as [`Snapshot::place`]
    /// names it, without working out the position.
    pub fn path_of(&self, span: Span) -> Option<&Path> {
        let sources = self.sources();
        if sources.files().is_empty() {
            return None;
        }
        let paths = self.source_paths.get_or_init(|| {
            sources
                .files()
                .iter()
                .map(|f| source_path(&f.name))
                .collect()
        });
        paths.get(sources.file_at(span.start) as usize)?.as_deref()
    }

    /// For each file of the sources, the doc that holds the same text.
    fn source_docs(&self) -> &[Option<usize>] {
        self.source_docs.get_or_init(|| {
            self.sources()
                .files()
                .iter()
                .map(|f| {
                    let doc = self.doc(&source_path(&f.name)?)?;
                    (*self.docs[doc].text == *f.text).then_some(doc)
                })
                .collect()
        })
    }
}

/// The file a source name stands for: descriptions and the config are
/// named relative to the working directory (the workspace folder) or by
/// absolute path; built-in rule files are no file at all.
pub fn source_path(name: &str) -> Option<PathBuf> {
    if crate::rules::BUILTIN.iter().any(|(n, _)| *n == name) {
        return None;
    }
    Some(absolute(name))
}

/// A name relative to the working directory as an absolute path, without
/// `./` (paths are compared as written).
fn absolute(name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        return p.to_path_buf();
    }
    let rel = p.strip_prefix(".").unwrap_or(p);
    std::env::current_dir().unwrap_or_default().join(rel)
}
