//! Input errors: what is wrong with a description, rule file or command line,
//! located precisely enough that an editor can jump to it.

use crate::input::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
    pub primary: bool,
}

/// One problem with the input. Every one of them makes the run exit with 2.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// Stable kebab-case identifier, shown as `faultline::<code>`.
    pub code: &'static str,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// A warning is reported but does not fail the run.
    pub warning: bool,
}

impl InputError {
    /// An error about input that has no position (a missing file, say).
    pub fn plain(code: &'static str, message: impl Into<String>) -> Self {
        InputError {
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            warning: false,
        }
    }

    pub fn at(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        let message = message.into();
        InputError {
            code,
            labels: vec![Label {
                span,
                text: String::new(),
                primary: true,
            }],
            message,
            help: None,
            warning: false,
        }
    }

    /// Text under the primary label (defaults to nothing).
    pub fn label(mut self, text: impl Into<String>) -> Self {
        if let Some(l) = self.labels.iter_mut().find(|l| l.primary) {
            l.text = text.into();
        }
        self
    }

    pub fn also(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    /// Help naming the candidate closest to `word`, or `otherwise` when
    /// none is close enough to be a plausible typo.
    pub fn suggest<'a>(
        self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
        otherwise: impl Into<String>,
    ) -> Self {
        match did_you_mean(word, candidates) {
            Some(s) => self.help(format!("did you mean `{s}`?")),
            None => self.help(otherwise),
        }
    }

    /// The message with its help, as one line of text (for formats that
    /// have one field for both).
    pub fn with_help(&self) -> String {
        match &self.help {
            Some(h) => format!("{} (help: {h})", self.message),
            None => self.message.clone(),
        }
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// Caps the number of errors reported: past a point more errors only bury
/// the first ones, and a generated estate with a systematic mistake could
/// otherwise print a million of them.
pub const MAX_ERRORS: usize = 50;

/// The errors of one input, at most [`MAX_ERRORS`] kept: the rest are
/// counted, and said to exist, so a systematic mistake cannot bury the
/// first ones.
#[derive(Default)]
pub struct Errors {
    list: Vec<InputError>,
    suppressed: usize,
}

impl Errors {
    pub fn push(&mut self, e: InputError) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(e);
        } else {
            self.suppressed += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.list.len() + self.suppressed
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the errors stand now, to go back to (see [`Self::rollback`]).
    pub fn mark(&self) -> (usize, usize) {
        (self.list.len(), self.suppressed)
    }

    /// Forgets the errors since `mark`: a file found to be no description
    /// after all takes its errors with it.
    pub fn rollback(&mut self, (kept, suppressed): (usize, usize)) {
        self.list.truncate(kept);
        self.suppressed = suppressed;
    }

    /// The errors in reading order (by file, then position), and a last
    /// one counting those not kept.
    pub fn into_sorted(mut self) -> Vec<InputError> {
        self.list
            .sort_by_key(|e| e.primary_span().map_or(0, |s| s.start));
        if self.suppressed > 0 {
            let n = self.suppressed;
            self.list.push(InputError::plain(
                "too-many-errors",
                format!("{n} more error(s) not shown; fix the ones above first"),
            ));
        }
        self.list
    }
}

impl Extend<InputError> for Errors {
    fn extend<I: IntoIterator<Item = InputError>>(&mut self, iter: I) {
        for e in iter {
            self.push(e);
        }
    }
}

/// Longest id shown whole in terminal text. Ids are any string, and a
/// generated one can be thousands of characters long: repeated in a
/// message, under each label and in the help, it would bury the report.
/// Machine formats (JSON) keep ids exact.
pub const MAX_ID_SHOWN: usize = 100;

/// `text` with every backquoted name longer than [`MAX_ID_SHOWN`]
/// characters cut to its first 60 and last 20 characters around an
/// ellipsis: "`aaaa…zzzz`".
pub fn cut_long_ids(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if text.len() <= MAX_ID_SHOWN {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else {
            break;
        };
        let inner = &after[..close];
        out.push_str(&rest[..=open]);
        let n = inner.chars().count();
        if n > MAX_ID_SHOWN {
            changed = true;
            out.extend(inner.chars().take(60));
            out.push('…');
            out.extend(inner.chars().skip(n - 20));
        } else {
            out.push_str(inner);
        }
        out.push('`');
        rest = &after[close + 1..];
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Longest word (in bytes) a suggestion is looked for: the edit distance
/// costs the product of the two lengths, and an id of thousands of
/// characters is not a typo of another.
pub const MAX_SUGGEST_LEN: usize = 200;

/// Edit-distance cells one suggestion may compute (about a tenth of a
/// second): a description can hold a hundred thousand candidates, and up
/// to [`MAX_ERRORS`] errors each look for one. Past it, the best so far.
pub const SUGGEST_BUDGET: usize = 50_000_000;

/// The nearest candidate to `word` by edit distance, if it is close enough to
/// be a plausible typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1) + usize::from(word.len() > 6);
    let mut best: Option<(usize, &str)> = None;
    let mut spent = 0usize;
    for c in candidates {
        if c.len().abs_diff(word.len()) > limit {
            continue;
        }
        spent += (word.len() + 1) * (c.len() + 1);
        if spent > SUGGEST_BUDGET {
            break;
        }
        let d = strsim::damerau_levenshtein(word, c);
        let d = if d > 0 && c.eq_ignore_ascii_case(word) {
            0
        } else {
            d
        };
        if d <= limit && best.is_none_or(|(bd, bc)| (d, c) < (bd, bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_long_backquoted_ids_only() {
        let long = "x".repeat(10_000);
        let text = format!("service `{long}` goes down if `r1` or `ü{long}ü` fails");
        let cut = cut_long_ids(&text);
        let want = format!(
            "service `{}…{}` goes down if `r1` or `ü{}…{}ü` fails",
            "x".repeat(60),
            "x".repeat(20),
            "x".repeat(59),
            "x".repeat(19)
        );
        assert_eq!(cut, want);
        let short = format!("service `{}` is fine, `unclosed {long}", "y".repeat(100));
        assert_eq!(cut_long_ids(&short), short);
    }

    #[test]
    fn suggestions_are_bounded_for_huge_words_and_lists() {
        let long = "x".repeat(10_000);
        let near = format!("{long}y");
        let t = std::time::Instant::now();
        assert_eq!(did_you_mean(&long, [near.as_str()]), None);
        assert!(t.elapsed() < std::time::Duration::from_millis(100));
        // A hundred thousand candidates of 200 bytes: cut off by the budget.
        let word = "a".repeat(MAX_SUGGEST_LEN);
        let others: Vec<String> = (0..100_000).map(|i| format!("{i:0>200}")).collect();
        let t = std::time::Instant::now();
        let _ = did_you_mean(&word, others.iter().map(String::as_str));
        let bound = if cfg!(debug_assertions) { 60 } else { 2 };
        assert!(t.elapsed().as_secs() < bound, "{:?}", t.elapsed());
        let close = format!("{}b", "a".repeat(MAX_SUGGEST_LEN - 1));
        assert_eq!(did_you_mean(&word, [close.as_str()]), Some(close.as_str()));
    }

    #[test]
    fn suggests_close_words_only() {
        let c = ["services", "switches", "sites"];
        assert_eq!(did_you_mean("service", c), Some("services"));
        assert_eq!(did_you_mean("swtiches", c), Some("switches"));
        assert_eq!(did_you_mean("hosts", c), None);
        assert_eq!(
            did_you_mean("r1-pdu-b", ["r1-pdu-a", "r2-pdu-b"]),
            Some("r1-pdu-a")
        );
    }
}
