//! Stable identities of findings: what SARIF's `partialFingerprints` and
//! the `--baseline` file hold.
//!
//! A finding is identified by *what* it says, never by *where* the YAML
//! says it: adding a comment at the top of a file, reordering sections or
//! moving a host to another file keeps every fingerprint. The scheme
//! (`faultline/v1`):
//!
//! ```text
//! field(s)    = u32 little-endian byte length of s, then the UTF-8 bytes of s
//! input       = field(rule id) field(subject id) field(c1) ... field(cn)
//!               [field("#k")]
//! fingerprint = 16 lowercase hex digits of FNV-1a 64 (offset basis
//!               0xcbf29ce484222325, prime 0x100000001b3) over input
//! ```
//!
//! `c1..cn` are the culprit ids sorted by byte order. Length prefixes keep
//! the fields apart whatever characters ids contain. The optional last field
//! tells apart findings that share rule, subject and culprits (two expired
//! waivers on one host): the k-th of them in output order, k >= 2, gets
//! `#k`; the first gets nothing, so the common case needs no counter.
//! Output order breaks such ties by message, which does not move with lines
//! either. Rust's `std` hasher is randomly seeded per process, so it is not
//! used here.

use crate::model::Model;
use crate::rules::finding::Finding;
use std::collections::HashMap;

/// The `partialFingerprints` key, and the scheme's version.
pub const KEY: &str = "faultline/v1";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

fn field(buf: &mut Vec<u8>, s: &str) {
    let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
    buf.extend_from_slice(&len.to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// The identity bytes of one finding, without the occurrence counter.
fn identity(model: &Model, f: &Finding) -> Vec<u8> {
    let mut culprits: Vec<&str> = f.culprits.iter().map(|&c| model.name(c)).collect();
    culprits.sort_unstable();
    let mut buf = Vec::with_capacity(64);
    field(&mut buf, &f.rule);
    field(&mut buf, model.name(f.subject));
    for c in culprits {
        field(&mut buf, c);
    }
    buf
}

/// Fingerprints of `findings`, index for index. `findings` must be in
/// output order (as [`crate::check::run`] leaves them) for the occurrence
/// counter to be stable.
pub fn all(model: &Model, findings: &[Finding]) -> Vec<String> {
    let mut seen: HashMap<Vec<u8>, u32> = HashMap::new();
    findings
        .iter()
        .map(|f| {
            let mut buf = identity(model, f);
            let n = seen.entry(buf.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                field(&mut buf, &format!("#{n}"));
            }
            format!("{:016x}", fnv1a64(&buf))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn fields_are_length_prefixed() {
        let mut a = Vec::new();
        field(&mut a, "ab");
        field(&mut a, "c");
        let mut b = Vec::new();
        field(&mut b, "a");
        field(&mut b, "bc");
        assert_ne!(a, b);
    }
}
