//! Pieces parsed apart hand over what one parse of the whole file does.

use super::*;
use proptest::prelude::*;

/// Items and root (or error) as text, from the pieces of a file parsed
/// by `workers` threads (0: on this one) in pieces of about `piece`
/// bytes.
fn pieces(text: &str, workers: usize, piece: usize) -> String {
    let mut out = Vec::new();
    let root = std::thread::scope(|s| {
        let mut p = Parallel::start_with(s, vec![Job::Text(Arc::from(text))], workers, piece);
        p.next_text(&mut |it| out.push(it))
    });
    show(&out, root)
}

/// The same from granit, in one go.
fn whole(text: &str) -> String {
    let mut out = Vec::new();
    let root = again(text, 0, &mut |it| out.push(it));
    show(&out, root)
}

fn show(items: &[Streamed], root: Result<YNode, SyntaxError>) -> String {
    let root = match root {
        Ok(r) => format!("{r:?}"),
        Err(e) => format!("error {:?} {}", e.line_col, e.message),
    };
    format!("{items:#?}\n{root}")
}

#[test]
fn a_cut_file_hands_over_what_a_whole_one_does() {
    let text = faultline_estategen::estate(2, 2_000);
    let want = whole(&text);
    for (workers, piece) in [(0, 4_000), (1, 10_000), (2, 3_000), (3, 50_000)] {
        assert!(pieces::plan(&text, piece).len() > 3);
        assert_eq!(
            pieces(&text, workers, piece),
            want,
            "{workers} workers, {piece}"
        );
    }
}

#[test]
fn repeated_sections_and_errors_survive_the_cuts() {
    let mut text = String::from("hosts: ~\nhosts:\n");
    for i in 0..300 {
        text += &format!("  h{i}: {{rack: r{}}}\n", i % 7);
    }
    text += "racks: {r1: {}}\nversion: 1\n";
    assert_eq!(pieces(&text, 2, 500), whole(&text));
    assert!(whole(&text).contains("repeated: true"));
    // An error in a late piece: the whole file's error, once.
    let broken = format!("{text}hosts:\n  x: [\n");
    assert_eq!(pieces(&broken, 2, 500), whole(&broken));
    assert!(whole(&broken).contains("error"));
    // A flow map over two lines, cut in the middle.
    let flow = text.replace("  h150: {rack: r3}\n", "  h150: {rack: r3,\n  cpus: 2}\n");
    assert_eq!(pieces(&flow, 2, 500), whole(&flow));
}

#[test]
fn a_big_file_that_cannot_be_cut_is_streamed_whole() {
    let mut text = String::from("hosts: &h\n");
    for i in 0..60_000 {
        text += &format!("  h{i}: {{rack: r{}}}\n", i % 7);
    }
    assert!(text.len() > PIPELINE_BYTES);
    assert_eq!(pieces(&text, 2, 100_000), whole(&text));
}

/// Generated estates with a few random edits: what the pieces give
/// (items, tree, first error) is what one parse gives.
fn edited() -> impl Strategy<Value = String> {
    (
        any::<u64>(),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                0usize..3,
                "[ a-z:#,\\[\\]{}'\"\\-&*\n]{0,3}",
            ),
            0..4,
        ),
    )
        .prop_map(|(seed, edits)| {
            let mut text = faultline_estategen::estate(seed % 50, 300);
            for (at, cut, insert) in edits {
                let at = at.index(text.len());
                let end = (at + cut).min(text.len());
                if text.is_char_boundary(at) && text.is_char_boundary(end) {
                    text.replace_range(at..end, &insert);
                }
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn edited_files_hand_over_the_same_in_pieces(text in edited(), workers in 0usize..3) {
        prop_assert_eq!(pieces(&text, workers, 1_500), whole(&text));
    }
}
