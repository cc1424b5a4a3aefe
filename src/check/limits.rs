//! The limits a run puts on its input and its analysis: the built-in ones
//! ([`MAX_FILE_BYTES`] per file, [`MAX_ENTITIES`] per run, [`MAX_FAMILY`]
//! cut sets in one family), which the config's `limits:` section may lower
//! (never raise), and the errors that say which limit was hit and where it
//! was set.

use crate::engine::MAX_FAMILY;
use crate::input::diag::InputError;
use crate::input::files::{MAX_FILE_BYTES, SizeLimit, size_error};
use crate::input::source::Span;
use crate::model::load::MAX_ENTITIES;

/// The names of the settings under `limits:`.
pub const KEYS: [&str; 3] = ["max_file_bytes", "max_entities", "max_cut_sets"];

/// A limit lowered by the config.
#[derive(Clone, Debug)]
pub struct Lowered {
    pub value: u64,
    /// The value in the config, for a label.
    pub span: Span,
    /// Where it was set, `path:line:col`, for messages.
    pub at: String,
}

/// The limits of one run; the built-in ones unless the config lowered them.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    pub file_bytes: Option<Lowered>,
    pub entities: Option<Lowered>,
    pub cut_sets: Option<Lowered>,
}

/// The built-in value of the limit named `key` (one of [`KEYS`]).
pub fn builtin(key: &str) -> u64 {
    match key {
        "max_file_bytes" => MAX_FILE_BYTES,
        "max_cut_sets" => MAX_FAMILY as u64,
        _ => MAX_ENTITIES as u64,
    }
}

/// The built-in value of a limit with its unit, for config errors.
pub fn builtin_described(key: &str) -> String {
    match key {
        "max_file_bytes" => format!("{MAX_FILE_BYTES} bytes ({} MiB)", MAX_FILE_BYTES >> 20),
        "max_cut_sets" => format!("{MAX_FAMILY} cut sets in one family"),
        _ => format!("{MAX_ENTITIES} entities"),
    }
}

/// How to write a value of the limit, for a config error.
pub fn example(key: &str) -> &'static str {
    match key {
        "max_file_bytes" => "write a number of bytes, e.g. `max_file_bytes: 10485760` for 10 MiB",
        "max_cut_sets" => "write a number of cut sets, e.g. `max_cut_sets: 1000000`",
        _ => "write a number of entities, e.g. `max_entities: 100000`",
    }
}

/// The built-in value of a limit as a person reads it.
pub fn builtin_shown(key: &str) -> String {
    match key {
        "max_file_bytes" => format!("{} MiB", MAX_FILE_BYTES >> 20),
        "max_cut_sets" => MAX_FAMILY.to_string(),
        _ => MAX_ENTITIES.to_string(),
    }
}

impl SizeLimit for Limits {
    fn max_file_bytes(&self) -> u64 {
        self.file_bytes.as_ref().map_or(MAX_FILE_BYTES, |l| l.value)
    }

    fn size_error(&self, name: &str, len: u64) -> Option<InputError> {
        let Some(l) = &self.file_bytes else {
            return size_error(name, len);
        };
        (len > l.value).then(|| {
            InputError::plain(
                "too-large",
                format!(
                    "{name}: the file is larger than {} bytes, the limit for one file set in {} (the built-in limit is {})",
                    l.value,
                    l.at,
                    builtin_shown("max_file_bytes")
                ),
            )
            .also(l.span, "limit set here")
            .help("raise or remove `max_file_bytes` under `limits:` in the config, or split the description into several files")
        })
    }
}

impl Limits {
    /// Most cut sets in one family of order 2 or more.
    pub fn max_cut_sets(&self) -> usize {
        self.cut_sets.as_ref().map_or(MAX_FAMILY, |l| {
            usize::try_from(l.value).unwrap_or(MAX_FAMILY)
        })
    }

    /// Most entities loaded.
    pub fn max_entities(&self) -> usize {
        self.entities.as_ref().map_or(MAX_ENTITIES, |l| {
            usize::try_from(l.value).unwrap_or(MAX_ENTITIES)
        })
    }

    /// Says, in a `too-many-entities` error from the loader, that the limit
    /// hit is the config's, and points at it.
    pub fn explain(&self, e: InputError) -> InputError {
        let Some(l) = &self.entities else {
            return e;
        };
        if e.code != "too-many-entities" {
            return e;
        }
        let mut e = e.also(l.span, "limit set here").help(
            "raise or remove `max_entities` under `limits:` in the config, or split the estate into independent runs",
        );
        e.message = format!(
            "more than {} entities, the limit for one run set in {} (the built-in limit is {})",
            l.value,
            l.at,
            builtin_shown("max_entities")
        );
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(value: u64) -> Option<Lowered> {
        Some(Lowered {
            value,
            span: Span::new(0, 4),
            at: "faultline.yaml:2:19".into(),
        })
    }

    #[test]
    fn built_in_limits_keep_their_messages() {
        let l = Limits::default();
        assert_eq!(l.max_file_bytes(), MAX_FILE_BYTES);
        assert_eq!(l.max_entities(), MAX_ENTITIES);
        assert_eq!(
            l.size_error("a.yaml", MAX_FILE_BYTES + 1),
            size_error("a.yaml", MAX_FILE_BYTES + 1)
        );
        let e = InputError::plain("too-many-entities", "more than 5000000 entities");
        assert_eq!(l.explain(e.clone()), e);
    }

    #[test]
    fn lowered_limits_say_where_they_were_set() {
        let l = Limits {
            file_bytes: lowered(1000),
            entities: lowered(2),
            cut_sets: lowered(10),
        };
        assert_eq!(l.max_cut_sets(), 10);
        assert_eq!((l.max_file_bytes(), l.max_entities()), (1000, 2));
        assert!(l.size_error("a.yaml", 1000).is_none());
        let e = l.size_error("a.yaml", 1001).expect("over the limit");
        assert_eq!(
            e.message,
            "a.yaml: the file is larger than 1000 bytes, the limit for one file set in faultline.yaml:2:19 (the built-in limit is 512 MiB)"
        );
        assert_eq!(e.labels.len(), 1);
        let e = l.explain(InputError::plain(
            "too-many-entities",
            "more than 2 entities",
        ));
        assert_eq!(
            e.message,
            "more than 2 entities, the limit for one run set in faultline.yaml:2:19 (the built-in limit is 5000000)"
        );
        let other = InputError::plain("too-large", "x");
        assert_eq!(l.explain(other.clone()), other);
    }
}
