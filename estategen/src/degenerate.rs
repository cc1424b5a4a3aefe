//! Degenerate shapes for stack-depth and cycle stress tests.

use std::fmt::Write;

/// `n` components, each requiring the previous one, and a service `top` on
/// the last: the deepest dependency graph for its size.
pub fn chain(n: usize) -> String {
    let n = n.max(1);
    let mut t = String::with_capacity(n * 40 + 64);
    t.push_str("components:\n  c0: {kind: link}\n");
    for i in 1..n {
        let _ = writeln!(t, "  c{i}: {{kind: link, requires: [c{}]}}", i - 1);
    }
    let _ = writeln!(t, "services:\n  top: {{instances: [c{}]}}", n - 1);
    t
}

/// `n` components in one `requires` loop, and a service `top` on the first.
pub fn ring(n: usize) -> String {
    let n = n.max(1);
    let mut t = String::with_capacity(n * 40 + 64);
    t.push_str("components:\n");
    for i in 0..n {
        let _ = writeln!(t, "  c{i}: {{kind: link, requires: [c{}]}}", (i + 1) % n);
    }
    t.push_str("services:\n  top: {instances: [c0]}\n");
    t
}
