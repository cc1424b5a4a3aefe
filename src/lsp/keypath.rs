//! Where the cursor stands in the nesting of keys: the keys that enclose
//! it from the first column down (`services`, `pay`, `rto`, `host` in
//! `rto: {host: 5|`), and whether a key or a value is being typed.
//!
//! Read from the text, not from the YAML tree, for the reason completion
//! gives: while a line is typed it is seldom valid YAML. Block nesting is
//! read from indentation (each enclosing line is a bare `key:`), flow
//! nesting from the brackets on the cursor's line.

/// The cursor's place in the nesting of keys.
#[derive(Debug, PartialEq)]
pub struct KeyPath {
    /// Enclosing keys, outermost first; for a value, the last one is the
    /// key it is the value of.
    pub keys: Vec<String>,
    /// A key is being typed (`rto: {ho|`), or a value.
    pub key: bool,
    /// Byte offset where the word being typed starts.
    pub start: usize,
}

/// Ends the word being typed (what a completion replaces).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}' | '"' | '\'' | '#')
}

/// The key at the start of a line (`  power:` gives `power`), if the line
/// is a key with nothing or a comment after it.
fn bare_key(line: &str) -> Option<&str> {
    let t = line.trim();
    let t = t.split(" #").next().unwrap_or(t).trim_end();
    let key = t.strip_suffix(':')?;
    let key = key.strip_prefix("- ").unwrap_or(key).trim();
    (!key.is_empty() && !key.contains([' ', '{', '['])).then_some(key)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The key path at byte `offset` of `text`; `None` in a comment, in a
/// quoted string, or where the lines above do not nest as block keys.
pub fn at(text: &str, offset: usize) -> Option<KeyPath> {
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return None;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let word = before
        .chars()
        .rev()
        .take_while(|&c| !is_delimiter(c))
        .map(char::len_utf8)
        .sum::<usize>();
    let start = offset - word;
    let scanned = &text[line_start..start];
    let (flow, key) = on_line(scanned)?;
    let mut keys = block_keys(text, line_start, scanned)?;
    keys.extend(flow.into_iter().map(str::to_owned));
    Some(KeyPath { keys, key, start })
}

/// The keys the end of `line` is nested in by the line itself (flow
/// brackets and a `key:` on it), and whether a key is being typed there.
fn on_line(line: &str) -> Option<(Vec<&str>, bool)> {
    // Per open bracket: the key it is the value of, if any.
    let mut stack: Vec<(u8, Option<&str>)> = Vec::new();
    let mut pending: Option<&str> = None;
    let mut word_start: Option<usize> = None;
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' if i == 0 || b[i - 1] == b' ' => return None,
            b'"' | b'\'' => {
                let close = line[i + 1..].find(c as char)?;
                i += close + 2;
                continue;
            }
            b':' if b.get(i + 1).is_none_or(|&n| n == b' ') => {
                pending = word_start.map(|s| line[s..i].trim());
                word_start = None;
            }
            b'[' | b'{' => {
                stack.push((c, pending.take()));
                word_start = None;
            }
            b']' | b'}' => {
                stack.pop()?;
                pending = None;
                word_start = None;
            }
            b',' => {
                pending = None;
                word_start = None;
            }
            b' ' | b'\t' => {}
            _ => {
                if word_start.is_none() {
                    word_start = Some(i);
                }
            }
        }
        i += 1;
    }
    let mut keys: Vec<&str> = stack.iter().filter_map(|(_, k)| *k).collect();
    let key = match (pending, stack.last()) {
        (Some(k), _) => {
            keys.push(k);
            false
        }
        // After `{` or a comma in a map: a key; in a list: a value.
        (None, Some((c, _))) => *c == b'{' && word_start.is_none(),
        // Nothing but indentation (and no `- `) before the word.
        (None, None) => line.trim().is_empty(),
    };
    Some((keys, key))
}

/// The block keys above the cursor's line, outermost first: each one the
/// nearest bare `key:` line indented less than the one below it (a `- `
/// item's key may stand at the dash's own indent).
fn block_keys(text: &str, line_start: usize, line: &str) -> Option<Vec<String>> {
    let item = line.trim_start().starts_with('-');
    let mut within = indent(line);
    let mut keys = Vec::new();
    let mut first = true;
    for l in text[..line_start].lines().rev() {
        if within == 0 {
            break;
        }
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let at = indent(l);
        let encloses = at < within || (first && item && at == within && !t.starts_with('-'));
        if !encloses {
            continue;
        }
        first = false;
        keys.push(bare_key(l)?.to_owned());
        within = at;
    }
    keys.reverse();
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key path at the `|` of a text, as (keys, key typed?, word).
    fn path(text: &str) -> Option<(Vec<String>, bool, String)> {
        let offset = text.find('|').expect("a cursor");
        let text = text.replace('|', "");
        let p = at(&text, offset)?;
        Some((p.keys, p.key, text[p.start..offset].to_owned()))
    }

    fn want(keys: &[&str], key: bool, word: &str) -> Option<(Vec<String>, bool, String)> {
        Some((
            keys.iter().map(|k| (*k).to_owned()).collect(),
            key,
            word.to_owned(),
        ))
    }

    #[test]
    fn flow_maps_on_the_line_and_block_maps_above() {
        // One case a line: (text, keys, a key typed?, the word).
        #[rustfmt::skip]
        let cases: [(&str, &[&str], bool, &str); 10] = [
            // Flow maps on the cursor's line.
            ("services:\n  pay:\n    rto: {host: 5|", &["services", "pay", "rto", "host"], false, "5"),
            ("services:\n  pay:\n    rto: {host: 5m, si|", &["services", "pay", "rto"], true, "si"),
            ("services:\n  pay: {instances: [a], rto: {|", &["services", "pay", "rto"], true, ""),
            ("services: {pay: {rpo: {vm: |", &["services", "pay", "rpo", "vm"], false, ""),
            ("hosts:\n  h1: {power: [a, |", &["hosts", "h1", "power"], false, ""),
            // Block maps above it.
            ("services:\n  pay:\n    rto:\n      host: 1|\n", &["services", "pay", "rto", "host"], false, "1"),
            ("services:\n  pay:\n    rto:\n      host: 1m\n\n      # next\n      d|", &["services", "pay", "rto"], true, "d"),
            ("recovery:\n  repair:\n    hosts: 2h\n  |", &["recovery"], true, ""),
            ("version: 1\n|", &[], true, ""),
            ("hosts:\n  h1:\n    power:\n    - a\n    - |", &["hosts", "h1", "power"], false, ""),
        ];
        for (text, keys, key, word) in cases {
            assert_eq!(path(text), want(keys, key, word), "{text}");
        }
    }

    #[test]
    fn nowhere_to_complete() {
        // A comment, a string, a line above that is not a bare key.
        assert_eq!(path("services:\n  pay: # rto: {host: |"), None);
        assert_eq!(path("services:\n  pay: {description: \"a: |"), None);
        assert_eq!(path("services:\n  pay: {a: b}\n    rto: |"), None);
    }
}
