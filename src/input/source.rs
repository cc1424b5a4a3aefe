//! Every file faultline reads, in one address space.
//!
//! Each file gets a base offset so that a single `u32` byte offset names a
//! position in any file. That lets one miette diagnostic carry labels in
//! several files (a duplicate id defined in two files, a service and the rack
//! PDU in another file that takes it down), and lets the renderer find a
//! line through a precomputed index instead of rescanning the file for every
//! label, which is what makes 10k findings on a large estate render quickly.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A byte range in the global address space of [`Sources`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub fn new(start: u32, len: u32) -> Self {
        Span { start, len }
    }
    pub fn end(self) -> u32 {
        self.start + self.len
    }
}

impl From<Span> for SourceSpan {
    fn from(s: Span) -> Self {
        SourceSpan::new((s.start as usize).into(), s.len as usize)
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

pub struct SourceFile {
    /// The path as the user named it (or as found below a named directory).
    pub name: String,
    /// Shared, so the loader can parse it while it adds to the sources.
    pub text: std::sync::Arc<str>,
    /// Global offset of the first byte of `text`.
    pub base: u32,
    /// Byte offsets (within `text`) at which each line starts.
    line_starts: Vec<u32>,
}

/// Byte offsets at which each line of `text` starts (the first is 0).
pub fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = vec![0u32];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i as u32 + 1),
    );
    starts
}

impl SourceFile {
    fn new(name: String, text: std::sync::Arc<str>, base: u32) -> Self {
        let line_starts = line_starts(&text);
        SourceFile {
            name,
            text,
            base,
            line_starts,
        }
    }

    /// Zero-based line index holding local byte offset `off`.
    fn line_index(&self, off: u32) -> usize {
        self.line_starts.partition_point(|&s| s <= off) - 1
    }

    fn line_end(&self, line: usize) -> u32 {
        self.line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len() as u32)
    }

    /// Line and column of a local byte offset.
    pub fn line_col(&self, off: u32) -> LineCol {
        let off = off.min(self.text.len() as u32);
        let line = self.line_index(off);
        let start = self.line_starts[line] as usize;
        let end = floor_char_boundary(&self.text, off as usize);
        let column = self.text[start..end].chars().count() as u32 + 1;
        LineCol {
            line: line as u32 + 1,
            column,
        }
    }

    /// Local byte offset of a 1-based line and column (clamped into the file).
    pub fn offset_of(&self, line: u32, column: u32) -> u32 {
        let li = (line.max(1) as usize - 1).min(self.line_starts.len() - 1);
        let start = self.line_starts[li] as usize;
        let end = self.line_end(li) as usize;
        let col = column.max(1) as usize - 1;
        let off = self.text[start..end]
            .char_indices()
            .nth(col)
            .map(|(i, _)| start + i)
            .unwrap_or(end);
        off as u32
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Longest line (in bytes) drawn in a report's source snippet; a report
/// with a label on a longer line is printed without its snippet, with the
/// file, line and column in its first line instead.
pub const MAX_SNIPPET_LINE: usize = 10_000;

/// Index of a file in [`Sources`].
pub type FileId = u32;

/// All files of one run. Offsets handed out by [`Sources::add`] never overlap:
/// each file is followed by one unused byte so that an empty span at the end
/// of a file still belongs to that file.
#[derive(Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    next_base: u32,
}

impl Sources {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file; `None` when the global address space (4 GiB) is full.
    pub fn add(&mut self, name: String, text: String) -> Option<FileId> {
        self.add_shared(name, text.into())
    }

    /// [`Sources::add`] for a text shared with its owner (the language
    /// server's buffers and cache), without a copy.
    pub fn add_shared(&mut self, name: String, text: std::sync::Arc<str>) -> Option<FileId> {
        let len = u32::try_from(text.len()).ok()?;
        let base = self.next_base;
        self.next_base = base.checked_add(len)?.checked_add(1)?;
        self.files.push(SourceFile::new(name, text, base));
        Some(self.files.len() as FileId - 1)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The file that holds global offset `off`.
    pub fn file_at(&self, off: u32) -> FileId {
        (self.files.partition_point(|f| f.base <= off).max(1) - 1) as FileId
    }

    /// Global span of a local byte range of a file.
    pub fn span(&self, file: FileId, start: u32, len: u32) -> Span {
        Span::new(self.file(file).base + start, len)
    }

    /// The text a span covers.
    pub fn text(&self, span: Span) -> &str {
        let f = self.file(self.file_at(span.start));
        let s = (span.start - f.base) as usize;
        let e = (s + span.len as usize).min(f.text.len());
        f.text.get(s..e).unwrap_or("")
    }

    /// Whether a span starts or ends on a line longer than
    /// [`MAX_SNIPPET_LINE`] bytes: such a line is not drawn under a report
    /// (the renderer pads labels to their column with a width that
    /// overflows on lines of 64 Ki characters).
    pub fn on_long_line(&self, span: Span) -> bool {
        if self.files.is_empty() {
            return false;
        }
        let f = self.file(self.file_at(span.start));
        let len = f.text.len() as u32;
        let start = span.start.saturating_sub(f.base).min(len);
        let end = start.saturating_add(span.len).min(len);
        [start, end].into_iter().any(|off| {
            let line = f.line_index(off);
            (f.line_end(line) - f.line_starts[line]) as usize > MAX_SNIPPET_LINE
        })
    }

    /// File name, line and column where a span starts.
    pub fn locate(&self, span: Span) -> (&str, LineCol) {
        let f = self.file(self.file_at(span.start));
        (&f.name, f.line_col(span.start - f.base))
    }
}

impl SourceCode for Sources {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if self.files.is_empty() {
            return Err(MietteError::OutOfBounds);
        }
        let f = self.file(self.file_at(span.offset() as u32));
        let local = (span.offset() as u32).saturating_sub(f.base);
        // A span that runs past its file's end would join two files: miette
        // asks for such spans when merging nearby labels, and must be told
        // no, or it would print one file's lines under the other's name.
        if local as usize + span.len() > f.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let local_end = (local as usize + span.len()) as u32;
        let first = f.line_index(local).saturating_sub(context_lines_before);
        let last_of_span = f.line_index(local_end.saturating_sub(1).max(local));
        let last = (last_of_span + context_lines_after).min(f.line_starts.len() - 1);
        let start = f.line_starts[first];
        let mut end = f.line_end(last);
        // Leave the final newline out so the renderer shows no phantom line;
        // all of a CRLF, or the renderer numbers the last line as the one
        // before it (it takes a lone final `\r` for a line end).
        if end > start && f.text.as_bytes()[end as usize - 1] == b'\n' {
            end -= 1;
            if end > start && f.text.as_bytes()[end as usize - 1] == b'\r' {
                end -= 1;
            }
        }
        let data = &f.text.as_bytes()[start as usize..end as usize];
        Ok(Box::new(MietteSpanContents::new_named(
            f.name.clone(),
            data,
            SourceSpan::new(((f.base + start) as usize).into(), data.len()),
            first,
            0,
            last - first + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_of_crlf_files_leave_the_whole_line_end_out() {
        let mut s = Sources::new();
        s.add("a.yaml".into(), "a: 1\r\nb: 2\r\nc: 3\r\n".into())
            .unwrap();
        // `b`, with one line of context: lines 1 to 3, no line end after `3`.
        let c = s.read_span(&SourceSpan::new(6.into(), 1), 1, 1).unwrap();
        assert_eq!(c.data(), b"a: 1\r\nb: 2\r\nc: 3");
        assert_eq!((c.line(), c.line_count()), (0, 3));
    }

    #[test]
    fn line_col_counts_characters() {
        let mut s = Sources::new();
        let a = s.add("a.yaml".into(), "x: 1\nnäme: 2\n".into()).unwrap();
        let b = s.add("b.yaml".into(), "y: 3\n".into()).unwrap();
        let f = s.file(a);
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        // "näme: 2": the colon is the 5th character but the 6th byte.
        assert_eq!(f.line_col(5 + 5), LineCol { line: 2, column: 5 });
        assert_eq!(f.offset_of(2, 5), 10);
        let sp = s.span(b, 0, 1);
        assert_eq!(s.file_at(sp.start), b);
        assert_eq!(s.text(sp), "y");
        assert_eq!(s.locate(sp).0, "b.yaml");
    }
}
