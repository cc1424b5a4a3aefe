//! One terminal style for every command's human output: how wide a line
//! may be, whether to colour, and the few ways a long list is laid out.
//!
//! The width is `COLUMNS` when it holds a positive number (so a script or a
//! test can ask for one), else the width of the terminal the text goes to,
//! else 100 columns. Colour follows `--color`: `auto` colours a terminal
//! unless `NO_COLOR` is set to something, `always` and `never` say it all.
//! Lines quoted from a description (miette's source snippets) are the only
//! ones allowed past the width: cutting them would misquote the YAML.
//!
//! A list that is the answer (a service's single points of failure) wraps
//! under a hanging indent and is shown whole; a list that only illustrates
//! (the services a unit hits in a ranking) stops after a few names with a
//! count, as cargo and ruff do.

use crate::rules::finding::Severity;
use anstyle::{AnsiColor, Effects};
use std::io::IsTerminal;
use std::sync::OnceLock;
use textwrap::core::display_width;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Colour even a pipe or a file.
    Always,
    /// Never colour.
    Never,
}

/// The run's `--color`, set once from the command line (a process prints
/// for one invocation; tests that call renderers directly get `auto`,
/// which is plain text away from a terminal).
static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

pub fn set_color_choice(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Columns when neither `COLUMNS` nor a terminal says.
pub const DEFAULT_WIDTH: usize = 100;

/// Narrower than this, nothing useful fits on a line (ids alone are
/// longer): a smaller `COLUMNS` is read as this.
pub const MIN_WIDTH: usize = 30;

/// Where a text is printed: each stream is a terminal or not on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }

    fn terminal_width(self) -> Option<usize> {
        let size = match self {
            Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
            Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
        };
        size.map(|(w, _)| w.0 as usize).filter(|&w| w > 0)
    }
}

/// `COLUMNS` as a width, when it is a positive integer.
fn columns_env() -> Option<usize> {
    let v = std::env::var("COLUMNS").ok()?;
    v.trim().parse::<usize>().ok().filter(|&w| w > 0)
}

/// The width a text printed on `stream` must fit.
pub fn width(stream: Stream) -> usize {
    columns_env()
        .or_else(|| stream.terminal_width())
        .unwrap_or(DEFAULT_WIDTH)
        .max(MIN_WIDTH)
}

/// Whether to colour a text printed on `stream`; `no_color` is the old
/// `--no-color` flag, kept as another way to say `--color never`.
pub fn color(stream: Stream, no_color: bool) -> bool {
    if no_color {
        return false;
    }
    match CHOICE.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && stream.is_terminal()
        }
    }
}

/// How to draw one text: with colours or not, and how wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Plain text at the default width (files written by `--output`).
    pub fn plain() -> Self {
        Style {
            color: false,
            width: DEFAULT_WIDTH,
        }
    }

    /// The style of a text printed on `stream`.
    pub fn of(stream: Stream, no_color: bool) -> Self {
        Style {
            color: color(stream, no_color),
            width: width(stream),
        }
    }

    fn paint(self, style: anstyle::Style, text: &str) -> String {
        if self.color && !text.is_empty() {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    /// A severity word or mark, in its colour.
    pub fn severity(self, s: Severity, text: &str) -> String {
        let color = match s {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Info => AnsiColor::Cyan,
        };
        self.paint(
            anstyle::Style::new()
                .fg_color(Some(color.into()))
                .effects(Effects::BOLD),
            text,
        )
    }

    pub fn error(self, text: &str) -> String {
        self.severity(Severity::Error, text)
    }

    pub fn warning(self, text: &str) -> String {
        self.severity(Severity::Warning, text)
    }

    /// Something that is fine ("none", "met").
    pub fn good(self, text: &str) -> String {
        self.paint(
            anstyle::Style::new().fg_color(Some(AnsiColor::Green.into())),
            text,
        )
    }

    /// An entity id the reader may look up.
    pub fn id(self, text: &str) -> String {
        self.paint(
            anstyle::Style::new().fg_color(Some(AnsiColor::Cyan.into())),
            text,
        )
    }

    /// A table header, a section title.
    pub fn heading(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::BOLD), text)
    }

    /// Side remarks: where something is defined, footnotes.
    pub fn dim(self, text: &str) -> String {
        self.paint(anstyle::Style::new().effects(Effects::DIMMED), text)
    }
}

/// Columns `text` takes on a terminal (escape sequences take none).
pub fn columns(text: &str) -> usize {
    display_width(text)
}

/// `text` padded with spaces to `w` columns (left-aligned).
pub fn pad(text: &str, w: usize) -> String {
    let n = columns(text);
    format!("{text}{}", " ".repeat(w.saturating_sub(n)))
}

/// `text` padded on the left to `w` columns (right-aligned).
pub fn pad_left(text: &str, w: usize) -> String {
    let n = columns(text);
    format!("{}{text}", " ".repeat(w.saturating_sub(n)))
}

/// Prose filled to `width`: the first line starts with `first`, the
/// others with `rest`. Words are never split, and ids are never broken at
/// their hyphens; a word longer than the line gets a line of its own.
/// Ends with a newline.
pub fn fill(text: &str, width: usize, first: &str, rest: &str) -> String {
    let options = textwrap::Options::new(width)
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut s = textwrap::fill(text, options);
    s.push('\n');
    s
}

/// Prose that may hold several lines of its own: each line filled (see
/// [`fill`]), continuation lines under `rest`.
pub fn fill_lines(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut s = String::new();
    for (i, line) in text.lines().enumerate() {
        s.push_str(&fill(line, width, if i == 0 { first } else { rest }, rest));
    }
    s
}

/// Unbreakable pieces laid out greedily, one space apart, the first line
/// continuing after `start` columns already written, the next ones
/// indented by `indent`: a hanging indent. No trailing newline.
pub fn pack<S: AsRef<str>>(pieces: &[S], start: usize, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = start;
    let mut on_line = 0;
    for p in pieces {
        let p = p.as_ref();
        let n = columns(p);
        if on_line > 0 && col + 1 + n > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
            on_line = 0;
        }
        if on_line > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(p);
        col += n;
        on_line += 1;
    }
    out
}

/// Items as pieces of a comma-separated list ("a," "b," "c") for [`pack`].
pub fn commas<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    let n = items.len();
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            if i + 1 < n {
                format!("{},", x.as_ref())
            } else {
                x.as_ref().to_owned()
            }
        })
        .collect()
}

/// `lead` followed by every item, comma-separated, wrapped under a hanging
/// indent that lines up after `lead` (or 4 columns, when `lead` takes more
/// than half the line). Ends with a newline.
pub fn list<S: AsRef<str>>(lead: &str, items: &[S], width: usize) -> String {
    let start = columns(lead);
    let indent = if start * 2 > width { 4 } else { start };
    format!("{lead}{}\n", pack(&commas(items), start, indent, width))
}

/// At most `shown` items, then how many more: "a, b, c and 12 more".
pub fn some<S: AsRef<str>>(items: &[S], shown: usize) -> Vec<String> {
    let mut v: Vec<String> = items
        .iter()
        .take(shown)
        .map(|x| x.as_ref().to_owned())
        .collect();
    let more = items.len().saturating_sub(shown);
    if more > 0 {
        v.push(format!("and {more} more"));
    }
    v
}

/// [`some`] as pieces for [`pack`]: commas between the names, none before
/// "and N more".
pub fn some_pieces<S: AsRef<str>>(items: &[S], shown: usize) -> Vec<String> {
    let v = some(items, shown);
    if items.len() > shown {
        let (names, more) = v.split_at(v.len() - 1);
        let mut p = commas(names);
        p.extend(more.iter().flat_map(|m| m.split(' ').map(str::to_owned)));
        p
    } else {
        commas(&v)
    }
}

/// Alignment of a table column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table whose last column is free text (a list, a summary): the other
/// columns are padded, the last wraps under a hanging indent at its own
/// column, or, on a line too narrow for that, goes under its row.
pub struct Table {
    columns: Vec<(String, Align)>,
    last: String,
    rows: Vec<(Vec<String>, Vec<String>)>,
    /// Widest a padded column may be: a longer cell runs past it.
    pub max_cell: usize,
}

/// Columns the last column of a [`Table`] needs to stay beside its row.
const MIN_LAST: usize = 24;

impl Table {
    /// `columns`: the padded columns' headers; `last`: the free column's.
    pub fn new(columns: &[(&str, Align)], last: &str) -> Self {
        Table {
            columns: columns.iter().map(|&(h, a)| (h.to_owned(), a)).collect(),
            last: last.to_owned(),
            rows: Vec::new(),
            max_cell: 60,
        }
    }

    /// One row: its padded cells, and the pieces of its last column (see
    /// [`pack`]).
    pub fn row(&mut self, cells: Vec<String>, last: Vec<String>) {
        self.rows.push((cells, last));
    }

    pub fn render(&self, style: Style) -> String {
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (h, _))| {
                self.rows
                    .iter()
                    .map(|(c, _)| c.get(i).map_or(0, |c| columns(c)))
                    .chain(std::iter::once(columns(h)))
                    .max()
                    .unwrap_or(0)
                    .min(self.max_cell.max(columns(h)))
            })
            .collect();
        let fixed: usize = widths.iter().map(|w| w + 2).sum();
        let beside = fixed + MIN_LAST <= style.width;
        let cells = |cells: &[String]| -> String {
            let mut s = String::new();
            for (i, ((_, align), w)) in self.columns.iter().zip(&widths).enumerate() {
                let c = cells.get(i).map_or("", String::as_str);
                if i > 0 {
                    s.push_str("  ");
                }
                let last_cell = i + 1 == self.columns.len();
                match align {
                    Align::Right => s.push_str(&pad_left(c, *w)),
                    // Nothing follows on the row: no trailing spaces.
                    Align::Left if last_cell && !beside => s.push_str(c),
                    Align::Left => s.push_str(&pad(c, *w)),
                }
            }
            s
        };
        let headers: Vec<String> = self.columns.iter().map(|(h, _)| style.heading(h)).collect();
        let mut out = cells(&headers);
        if beside {
            out.push_str("  ");
            out.push_str(&style.heading(&self.last));
            out.push('\n');
        } else {
            out = out.trim_end().to_owned();
            out.push('\n');
            out.push_str(&format!("    {}\n", style.heading(&self.last)));
        }
        for (c, last) in &self.rows {
            let row = cells(c);
            if beside {
                let start = columns(&row) + 2;
                out.push_str(&row);
                out.push_str("  ");
                out.push_str(&pack(last, start, fixed, style.width));
                out.push('\n');
            } else {
                out.push_str(row.trim_end());
                out.push('\n');
                if !last.is_empty() {
                    out.push_str("    ");
                    out.push_str(&pack(last, 4, 6, style.width));
                    out.push('\n');
                }
            }
        }
        out
    }
}

/// One word per severity in every summary, as the JSON says it
/// (`error|warning|info`), counted: "1 error", "2 warnings", "3 infos".
pub fn count(n: usize, s: Severity) -> String {
    format!("{n} {}{}", s.as_str(), if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_hangs_under_the_indent() {
        let items = ["alpha", "beta", "gamma", "delta", "epsilon"];
        let s = list("services: ", &items, 30);
        assert_eq!(
            s,
            "services: alpha, beta, gamma,\n          delta, epsilon\n"
        );
        for line in s.lines() {
            assert!(columns(line) <= 30, "{line}");
        }
    }

    #[test]
    fn a_long_lead_hangs_by_four() {
        let s = list(&"x".repeat(20), &["aaaaaaaaaaa", "bbbbbbbbbb"], 30);
        assert_eq!(
            s,
            format!("{}aaaaaaaaaaa,\n    bbbbbbbbbb\n", "x".repeat(20))
        );
    }

    #[test]
    fn some_counts_what_it_leaves_out() {
        assert_eq!(some(&["a", "b", "c"], 2), vec!["a", "b", "and 1 more"]);
        assert_eq!(
            some_pieces(&["a", "b", "c"], 2),
            vec!["a,", "b", "and", "1", "more"]
        );
        assert_eq!(some_pieces(&["a", "b"], 2), vec!["a,", "b"]);
    }

    #[test]
    fn fill_never_breaks_an_id() {
        let s = fill(
            "the rack north-rack-0001-a is down with north-ups-a",
            20,
            "",
            "  ",
        );
        assert!(s.contains("north-rack-0001-a"));
        assert!(s.contains("north-ups-a"));
    }

    #[test]
    fn colour_codes_take_no_columns() {
        let st = Style {
            color: true,
            width: 80,
        };
        let red = st.error("error");
        assert!(red.contains('\x1b'));
        assert_eq!(columns(&red), 5);
        assert_eq!(columns(&pad(&red, 8)), 8);
    }

    #[test]
    fn a_table_puts_its_last_column_under_the_row_when_narrow() {
        let mut t = Table::new(&[("name", Align::Left), ("n", Align::Right)], "list");
        t.row(vec!["a".into(), "1".into()], commas(&["x", "y"]));
        let wide = t.render(Style {
            color: false,
            width: 80,
        });
        assert_eq!(wide, "name  n  list\na     1  x, y\n");
        let narrow = t.render(Style {
            color: false,
            width: 30,
        });
        assert_eq!(narrow, "name  n\n    list\na     1\n    x, y\n");
    }

    #[test]
    fn counts_use_the_json_words() {
        assert_eq!(count(1, Severity::Error), "1 error");
        assert_eq!(count(3, Severity::Info), "3 infos");
        assert_eq!(count(0, Severity::Warning), "0 warnings");
    }
}
