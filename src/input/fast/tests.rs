//! The fast path against granit: whatever it accepts, granit reads the
//! same way (same nodes, same spans, same entries handed over), and it
//! accepts nothing granit rejects.

use super::{Inside, parse};
use crate::input::yaml::{self, YNode};
use proptest::prelude::*;

/// What granit makes of a text: the tree, and (when streaming) the
/// entries handed over with their section's index.
fn granit(text: &str, stream: bool) -> Option<String> {
    let mut items = Vec::new();
    let root = if stream {
        yaml::build(
            text,
            0,
            Some(
                &mut |earlier: &[(YNode, YNode)], _: &YNode, id: YNode, body: YNode| {
                    items.push((earlier.len(), id, body))
                },
            ),
        )
    } else {
        yaml::build(text, 0, None)
    };
    // Debug text: NaN is not equal to itself.
    root.ok().map(|b| format!("{:?}\n{items:?}", b.root))
}

fn fast(text: &str, stream: bool) -> Option<String> {
    parse(text, 0..text.len(), None, stream).map(|f| format!("{:?}\n{:?}", f.root, f.items))
}

/// Fails when the fast path reads `text` differently from granit.
fn agrees(text: &str) -> Result<bool, String> {
    let mut accepted = false;
    for stream in [false, true] {
        if let Some(f) = fast(text, stream) {
            accepted = true;
            match granit(text, stream) {
                None => return Err(format!("granit rejects what the fast path read:\n{text}")),
                Some(g) if g != f => {
                    return Err(format!(
                        "stream {stream}: read differently:\n{text}\nfast:   {f}\ngranit: {g}"
                    ));
                }
                Some(_) => {}
            }
        }
    }
    Ok(accepted)
}

fn yaml_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn every_test_file_is_read_as_granit_reads_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in ["testdata", "rules", "examples", "docs"] {
        if root.join(d).is_dir() {
            yaml_files(&root.join(d), &mut files);
        }
    }
    assert!(files.len() > 100, "{} files", files.len());
    let mut accepted = 0;
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        match agrees(&text) {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(e) => panic!("{}: {e}", f.display()),
        }
    }
    // Most real descriptions take the fast path.
    assert!(accepted * 2 > files.len(), "{accepted} of {}", files.len());
    let example = std::fs::read_to_string(root.join("testdata/example/estate.yaml")).unwrap();
    assert_eq!(agrees(&example), Ok(true));
}

#[test]
fn generated_estates_take_the_fast_path() {
    let text = faultline_estategen::estate(3, 3_000);
    assert_eq!(agrees(&text), Ok(true));
}

#[test]
fn edges_of_the_subset() {
    let cases = [
        "a: 1\n",
        "a:\n",
        "a:",
        "a: # c\nb: 2\n",
        "a:   \n  b: 1\n",
        "a:\n  - x\n  - y: 1\n    z: 2\n  - [1, 2]\n",
        "a:\n- x\n",
        "a: {b: 1, c: [x, 'y', \"z\"]}\n",
        "a: {b: }\n",
        "a: {b:1}\n",
        "a: [x,]\n",
        "a: [x: 1]\n",
        "a: b: c\n",
        "a : b\n",
        "a: 'it''s'\n",
        "a: \"q\\\"\\n\\t\\\\\"\n",
        "a: \"\\u0041\"\n",
        "a: x #c\nb: y#c\n",
        "a: [x]#c\n",
        "a: -1\nb: -x\nc: [-1, -a]\n",
        "a: - x\n",
        "a: 'x\n  y'\n",
        "a: x\n  y\n",
        "a:\n  b: 1\n c: 2\n",
        "  a: 1\n",
        "---\na: 1\n",
        "a: 1\n...\n",
        "a: !t x\n",
        "a: &x 1\nb: *x\n",
        "<<: {a: 1}\n",
        "a: {<<: {b: 1}}\n",
        "a: |\n  x\n",
        "a:\tb\n",
        "a: b\r\n",
        "a: é\nb: \u{85}\n",
        "a: 1\na: 2\n",
        "a: ~\nb: null\nc: true\nd: 0x1F\ne: 1_000\nf: .inf\ng: yes\n",
        "a: http://x:80/y\nb: [a:b]\n",
        "\"k\": v\n'k2': v2\n",
        "a: {\"k\": v}\n",
        "hosts: {h1: {rack: r1}, h2: {}}\nracks:\n  r1: {}\n",
        "hosts:\n  h1:\n    rack: r1\n    power: [a, b]\n  h2: {}\nversion: 1\n",
        "hosts:\n  - h1\n",
        "# only a comment\n",
        "",
        "\n\n",
        "a: 1\n# c\n  # d\nb: 2\n",
        "a:\n  -\n",
        "a:\n  - - x\n",
        "a:\n  - # c\n",
        "a: [\n  1]\n",
        "a: {x: [1, {y: z}], w: {}}\n",
        "a: [[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]\n",
        "? a\n: b\n",
        "a: ,x\n",
        "a: x,y\nb: x]\nc: x}\n",
        "a: [x y, z]\n",
        "---x: 1\n",
        "a:\n  ---: 1\n",
        "a:\n  b:\n    c:\n  d: 1\n",
    ];
    for c in cases {
        if let Err(e) = agrees(c) {
            panic!("{e}");
        }
    }
}

#[test]
fn a_piece_inside_a_section_reads_as_the_whole_file_does() {
    let text = "hosts:\n  h1: {rack: r1}\n  h2:\n    rack: r2\nracks:\n  r1: {}\n";
    let at = text.find("  h2").unwrap();
    let key = YNode {
        start: 0,
        len: 5,
        value: yaml::YValue::Str("hosts".into()),
    };
    let piece = parse(text, at..text.len(), Some(Inside { key, indent: 2 }), true).unwrap();
    let whole = parse(text, 0..text.len(), None, true).unwrap();
    // The piece's items are the whole file's from `h2` on, in the
    // continuing section (index 0 of the piece).
    let tail: Vec<_> = whole.items[1..]
        .iter()
        .map(|(s, k, v)| (*s, k, v))
        .collect();
    let got: Vec<_> = piece.items.iter().map(|(s, k, v)| (*s, k, v)).collect();
    assert_eq!(format!("{got:?}"), format!("{tail:?}"));
}

/// A small random number generator for rendering choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Scalars as they are written, the tricky ones included.
const SCALARS: &[&str] = &[
    "a",
    "h1",
    "x y",
    "-1",
    "1.5",
    "~",
    "null",
    "true",
    "0x1F",
    "1_000",
    ".inf",
    "yes",
    "é",
    "a:b",
    "a#b",
    "http://x:80",
    "'q'",
    "'it''s'",
    "\"d\"",
    "\"e\\n\"",
    "\"\\u0041\"",
    "-x",
    "a,b",
    "x]",
    "''",
    "\"\"",
    "<<",
    "---",
    "%x",
    "a  b",
];

/// Renders a random description-like text: block maps and lists, flow
/// collections, comments and blank lines, in random styles.
fn render(rng: &mut Rng, out: &mut String, indent: usize, depth: usize) {
    let entries = 1 + rng.below(4);
    let list = depth > 0 && rng.below(4) == 0;
    for _ in 0..entries {
        match rng.below(12) {
            0 => out.push_str(&format!("{}# c\n", " ".repeat(rng.below(6)))),
            1 => out.push('\n'),
            _ => {}
        }
        out.push_str(&" ".repeat(indent));
        if list {
            out.push_str("- ");
        }
        let key = rng.pick(SCALARS);
        if list && rng.below(3) == 0 {
            out.push_str(&inline(rng, depth));
            out.push('\n');
            continue;
        }
        out.push_str(key);
        out.push(':');
        let inner = if list { indent + 2 } else { indent };
        match rng.below(6) {
            0 if depth < 4 => {
                if rng.below(4) == 0 {
                    out.push_str(" # c");
                }
                out.push('\n');
                let deeper = inner + 1 + rng.below(3);
                render(rng, out, deeper, depth + 1);
            }
            1 => out.push_str(if rng.below(2) == 0 { "\n" } else { "   \n" }),
            _ => {
                out.push_str(&" ".repeat(1 + rng.below(2)));
                out.push_str(&inline(rng, depth));
                if rng.below(5) == 0 {
                    out.push_str(" #c");
                }
                out.push('\n');
            }
        }
        if list && rng.below(3) == 0 {
            // More entries of the map that opened on the `- ` line.
            out.push_str(&" ".repeat(inner));
            out.push_str(rng.pick(SCALARS));
            out.push_str(": ");
            out.push_str(&inline(rng, depth));
            out.push('\n');
        }
    }
}

/// A value on one line: a scalar or a flow collection.
fn inline(rng: &mut Rng, depth: usize) -> String {
    let sp = |rng: &mut Rng| if rng.below(4) == 0 { " " } else { "" };
    match rng.below(5) {
        0 if depth < 6 => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n).map(|_| inline(rng, depth + 1)).collect();
            let (a, b) = (sp(rng), sp(rng));
            format!("[{a}{}{b}]", items.join(", "))
        }
        1 if depth < 6 => {
            let n = rng.below(4);
            let items: Vec<String> = (0..n)
                .map(|_| format!("{}: {}", rng.pick(SCALARS), inline(rng, depth + 1)))
                .collect();
            let (a, b) = (sp(rng), sp(rng));
            format!("{{{a}{}{b}}}", items.join(", "))
        }
        _ => rng.pick(SCALARS).to_owned(),
    }
}

/// A rendered text with a few characters from the edges of the subset
/// put in at random places.
fn text(seed: u64, edits: usize) -> String {
    let mut rng = Rng(seed);
    let mut out = String::new();
    render(&mut rng, &mut out, 0, 0);
    for _ in 0..edits {
        let at = rng.below(out.len() + 1);
        if out.is_char_boundary(at) {
            let c = rng.pick(&[
                " ", "\n", ":", "#", "-", ",", "[", "]", "{", "}", "'", "\"", "  ", "\t", "&", "!",
            ]);
            out.insert_str(at, c);
        }
    }
    out
}

#[test]
fn random_texts_mostly_take_the_fast_path() {
    // The property below means little if the fast path gives up on
    // nearly everything it is shown.
    let accepted = (0..500u64)
        .filter(|&seed| agrees(&text(seed, 0)).unwrap_or_else(|e| panic!("{e}")))
        .count();
    assert!(accepted > 150, "{accepted} of 500");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_texts_are_read_as_granit_reads_them(seed in any::<u64>(), edits in 0usize..3) {
        let text = text(seed, edits);
        if let Err(e) = agrees(&text) {
            return Err(TestCaseError::fail(e));
        }
    }

    #[test]
    fn edited_descriptions_are_read_as_granit_reads_them(
        at in 0usize..10_000, cut in 0usize..4, insert in "[ a-z:#,\\[\\]{}'\"\\-\n]{0,3}",
    ) {
        let base = include_str!("../../../testdata/example/estate.yaml");
        let at = at % base.len();
        let end = (at + cut).min(base.len());
        if base.is_char_boundary(at) && base.is_char_boundary(end) {
            let text = format!("{}{insert}{}", &base[..at], &base[end..]);
            if let Err(e) = agrees(&text) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
}
