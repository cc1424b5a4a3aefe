//! The one reader of spanned YAML maps. Descriptions, the config, rule
//! files and waivers are all maps of named fields written by hand, and a
//! mistake in any of them should read the same: an unknown key names the
//! nearest known one (or lists them), a key given twice points at both
//! places, and a value of the wrong type says what was expected, at the
//! node. Each reader brings its table of known keys and its words; the
//! mechanics live here once.

use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::{FileId, Sources, Span};
use crate::input::yaml::{SyntaxError, YNode, YValue};

/// One file's nodes, with what is needed to place them.
#[derive(Clone, Copy)]
pub struct Doc<'s> {
    pub sources: &'s Sources,
    pub file: FileId,
}

/// The keys a reader knows, and how its messages name them.
pub struct Keys<'k> {
    /// Known keys, in the order a help message lists them.
    pub known: &'k [&'k str],
    /// What one key is called: "unknown {noun} `x`{owner}".
    pub noun: &'k str,
    /// After the key in the message, e.g. " for a host" (or "").
    pub owner: &'k str,
    /// The label under an unknown key, if any.
    pub label: Option<&'k str>,
    /// The help when no known key is close to the unknown one (it gets
    /// the unknown key, so it can say where that key does belong).
    pub otherwise: &'k dyn Fn(&str) -> String,
}

impl Keys<'_> {
    /// The error for the unknown key `name` written at `span`.
    pub fn unknown(&self, name: &str, span: Span) -> InputError {
        let mut e = InputError::at(
            "unknown-key",
            span,
            format!("unknown {} `{name}`{}", self.noun, self.owner),
        );
        if let Some(l) = self.label {
            e = e.label(l);
        }
        match did_you_mean(name, self.known.iter().copied()) {
            Some(s) => e.help(format!("did you mean `{s}`?")),
            None => e.help((self.otherwise)(name)),
        }
    }
}

/// A key the reader knows, as written.
#[derive(Clone, Copy)]
pub struct Field<'n> {
    /// Its place in [`Keys::known`].
    pub index: usize,
    pub key: Span,
    pub value: &'n YNode,
}

impl<'s> Doc<'s> {
    pub fn new(sources: &'s Sources, file: FileId) -> Self {
        Doc { sources, file }
    }

    /// The file's text as a spanned tree, or the syntax error at its
    /// place.
    pub fn parse(&self) -> Result<YNode, InputError> {
        let f = self.sources.file(self.file);
        crate::input::parse(&f.text).map_err(|e| self.syntax_error(&e))
    }

    /// A syntax error at its place, with the help that fits what usually
    /// causes it. A tab in the indentation gets its own message: the
    /// parser's wording ("block indentation") does not tell a newcomer
    /// that the invisible character is the problem.
    pub fn syntax_error(&self, e: &SyntaxError) -> InputError {
        let f = self.sources.file(self.file);
        let text: &str = &f.text;
        let off = e.line_col.map(|(l, c)| f.offset_of(l, c)).unwrap_or(0) as usize;
        if let Some(tab) = tab_in_indentation(text, off, &e.message) {
            return InputError::at(
                "syntax",
                self.sources.span(self.file, tab as u32, 1),
                "a tab indents this line: YAML indents with spaces only",
            )
            .label("tab")
            .help("replace the tab with spaces, as many as the lines around it use per level");
        }
        let help = if e.message.contains("nested") {
            "a description needs a handful of levels; this looks generated or corrupt"
        } else if e.message.contains("alias") {
            "descriptions rarely need anchors and aliases; write the values out"
        } else {
            "the mistake is often just before this point: an unclosed bracket or quote, or a wrong indentation"
        };
        InputError::at(
            "syntax",
            self.sources.span(self.file, off as u32, 0),
            format!("invalid YAML: {}", e.message),
        )
        .help(help)
    }

    pub fn span(&self, n: &YNode) -> Span {
        self.sources.span(self.file, n.start, n.len)
    }

    /// A scalar as the user wrote it: `101` as an id stays "101", `on`
    /// stays "on". `None` for null, lists and maps.
    pub fn text(&self, n: &YNode) -> Option<String> {
        match &n.value {
            YValue::Str(s) => Some(s.clone()),
            YValue::Bool(_) | YValue::Int(_) | YValue::Float(_) => {
                Some(self.sources.text(self.span(n)).trim().to_owned())
            }
            _ => None,
        }
    }

    /// "`field` must be WANT, found TYPE", at the value.
    pub fn wrong_type(&self, n: &YNode, field: &str, want: &str) -> InputError {
        InputError::at(
            "wrong-type",
            self.span(n),
            format!("`{field}` must be {want}, found {}", n.value.type_name()),
        )
        .label(format!("expected {want}"))
    }

    /// The entries of a map that a config section must be, or the error
    /// saying what the section maps (`what`) with an example.
    pub fn map<'n>(
        &self,
        n: &'n YNode,
        what: &str,
        example: Option<&str>,
    ) -> Result<&'n [(YNode, YNode)], InputError> {
        match &n.value {
            YValue::Map(m) => Ok(m),
            _ => {
                let e = InputError::at("wrong-type", self.span(n), what);
                Err(match example {
                    Some(x) => e.help(format!("e.g. `{x}`")),
                    None => e,
                })
            }
        }
    }

    /// The known fields of a map's `entries`, in the order written. An
    /// unknown key, a key that is not text and a key given twice go to
    /// `errors` and are left out, so a reader only sees fields it knows,
    /// each once.
    pub fn fields<'n>(
        &self,
        entries: &'n [(YNode, YNode)],
        keys: &Keys,
        errors: &mut impl Extend<InputError>,
    ) -> Vec<Field<'n>> {
        let mut out: Vec<Field<'n>> = Vec::with_capacity(entries.len());
        for (k, value) in entries {
            let key = self.span(k);
            let Some(name) = self.text(k) else {
                errors.extend([InputError::at(
                    "wrong-type",
                    key,
                    format!("a {} name must be a string", self.noun_word(keys)),
                )]);
                continue;
            };
            let Some(index) = keys.known.iter().position(|known| *known == name) else {
                errors.extend([keys.unknown(&name, key)]);
                continue;
            };
            if let Some(first) = out.iter().find(|f| f.index == index) {
                errors.extend([InputError::at(
                    "duplicate-key",
                    key,
                    format!("{} `{name}` appears twice", keys.noun),
                )
                .label("again here")
                .also(first.key, "first here")]);
                continue;
            }
            out.push(Field { index, key, value });
        }
        out
    }

    /// The noun's last word ("setting" of "config setting"), for "a
    /// setting name must be a string".
    fn noun_word<'k>(&self, keys: &Keys<'k>) -> &'k str {
        keys.noun.rsplit(' ').next().unwrap_or(keys.noun)
    }

    /// A string (a scalar as written), or a type error in `errors`.
    pub fn string(
        &self,
        n: &YNode,
        field: &str,
        errors: &mut impl Extend<InputError>,
    ) -> Option<String> {
        let s = self.text(n);
        if s.is_none() {
            errors.extend([self.wrong_type(n, field, "a string")]);
        }
        s
    }

    /// `true` or `false`, or a type error in `errors`.
    pub fn bool(
        &self,
        n: &YNode,
        field: &str,
        errors: &mut impl Extend<InputError>,
    ) -> Option<bool> {
        match n.value {
            YValue::Bool(b) => Some(b),
            _ => {
                errors.extend([self.wrong_type(n, field, "true or false")]);
                None
            }
        }
    }

    /// A finite number (integer or decimal), or a type error in `errors`.
    pub fn number(
        &self,
        n: &YNode,
        field: &str,
        errors: &mut impl Extend<InputError>,
    ) -> Option<f64> {
        let v = match n.value {
            YValue::Int(i) => i as f64,
            YValue::Float(x) => x,
            _ => {
                errors.extend([self.wrong_type(n, field, "a number")]);
                return None;
            }
        };
        if !v.is_finite() {
            errors.extend([self.wrong_type(n, field, "a finite number")]);
            return None;
        }
        Some(v)
    }

    /// The strings of a list (each with its node), or `None` when `n` is
    /// not a list of scalars.
    pub fn strings<'n>(&self, n: &'n YNode) -> Option<Vec<(String, &'n YNode)>> {
        let YValue::Seq(items) = &n.value else {
            return None;
        };
        items
            .iter()
            .map(|it| self.text(it).map(|s| (s, it)))
            .collect()
    }
}

/// The offset of a tab in the leading whitespace of the line holding `off`
/// (or of the nearest line above it with one, when the parser's message
/// names tabs), or `None` when no tab explains the error.
fn tab_in_indentation(text: &str, off: usize, message: &str) -> Option<usize> {
    let off = off.min(text.len());
    let mut end = text[off..].find('\n').map_or(text.len(), |i| off + i);
    let names_tabs = message.contains("tab");
    loop {
        let start = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end];
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if let Some(t) = line[..indent].find('\t') {
            return Some(start + t);
        }
        if !names_tabs || start == 0 {
            return None;
        }
        end = start - 1;
    }
}
