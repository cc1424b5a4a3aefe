//! Parsing a description while the loader takes in what is already parsed.
//!
//! YAML parsing is the largest single cost of a big run and the loader the
//! second; they are independent enough to overlap. A big file is parsed on
//! a second thread that sends completed entities, in batches, to the
//! loader's thread; small files (almost every file of a repository) are
//! parsed inline. Both paths hand over the same items in the same order,
//! so the model and the output do not depend on which one ran.

use crate::input::yaml::{self, SyntaxError, YNode};

/// What the parser hands over, in file order.
pub enum Streamed {
    /// The entries that follow belong to this section. `repeated`: a
    /// section with the same key came earlier in the file.
    Section { key: YNode, repeated: bool },
    /// One entry of the current section: its key (the id) and its body.
    Entry(YNode, YNode),
}

/// Files from this size up are parsed on a second thread.
const PIPELINE_BYTES: usize = 1 << 20;
/// Entries per message between the threads: enough to make the channel's
/// cost negligible, few enough to keep both threads busy.
const BATCH: usize = 512;
/// Batches in flight: bounds the memory the parser can run ahead with.
const IN_FLIGHT: usize = 8;

/// Parses `text`, giving every section entry to `consume` (see
/// [`yaml::parse_streaming`]); returns the rest of the tree.
pub fn stream(text: &str, consume: impl FnMut(Streamed)) -> Result<YNode, SyntaxError> {
    stream_from(text, PIPELINE_BYTES, consume)
}

/// [`stream`] with the size from which the second thread is used.
fn stream_from(
    text: &str,
    pipeline_bytes: usize,
    mut consume: impl FnMut(Streamed),
) -> Result<YNode, SyntaxError> {
    if text.len() < pipeline_bytes {
        let mut sections = Sections::default();
        return yaml::parse_streaming(text, &mut |earlier, key, id, body| {
            sections.item(earlier, key, id, body, &mut consume);
        });
    }
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
            batch.into_iter().for_each(&mut consume);
        }
        parser
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Turns the parser's (earlier sections, section key, id, body) calls into
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
        out: &mut impl FnMut(Streamed),
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
mod tests {
    use super::*;

    fn items(text: &str, pipeline_bytes: usize) -> (Vec<String>, Result<YNode, SyntaxError>) {
        let mut out = Vec::new();
        let root = stream_from(text, pipeline_bytes, |it| {
            out.push(match it {
                Streamed::Section { key, repeated } => format!("{:?} {repeated}", key.value),
                Streamed::Entry(id, body) => format!("  {:?} {:?}", id.value, body),
            })
        });
        (out, root)
    }

    #[test]
    fn both_paths_hand_over_the_same_items() {
        let mut text = String::from("hosts: ~\nhosts:\n");
        for i in 0..3_000 {
            text += &format!("  h{i}: {{rack: r{}}}\n", i % 7);
        }
        text += "racks: {r1: {}}\nversion: 1\n";
        let (inline, root) = items(&text, usize::MAX);
        let (threaded, root2) = items(&text, 0);
        assert_eq!(inline.len(), 3_000 + 2 + 1);
        assert_eq!(inline[0], "Str(\"hosts\") true");
        assert_eq!(inline[3_001], "Str(\"racks\") false");
        assert_eq!(inline, threaded);
        assert_eq!(root.expect("parses"), root2.expect("parses"));
    }

    #[test]
    fn a_syntax_error_ends_both_paths_the_same_way() {
        let text = "hosts:\n  h1: {}\n  h2: [\n";
        let (a, ra) = items(text, usize::MAX);
        let (b, rb) = items(text, 0);
        assert_eq!(a, b);
        let (ea, eb) = (ra.unwrap_err(), rb.unwrap_err());
        assert_eq!((ea.message, ea.line_col), (eb.message, eb.line_col));
    }
}
