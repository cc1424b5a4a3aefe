//! Failure paths in words, for every output that shows them: a compact
//! one-line form for terminals and Markdown (`north-ups-a -> n02-a ->
//! pay-h1, pay-h2 (2 of 2 instances down) -> payments`), and a sentence per
//! step for SARIF code flows and `faultline why`.
//!
//! A chain taken under a cut set (a rule of higher order) starts with the
//! set: `h1 + h2: h1, h2 (2 of 2 instances down) -> web`.
//!
//! The compact form groups the members of a redundant group that all went
//! down (the instances of a service, the power inputs of a host) into one
//! step, says why the group gave way, and cuts a chain longer than
//! [`MAX_STEPS_SHOWN`] in the middle. JSON keeps every step, one entity
//! each.

use crate::analysis::graph::edge_label;
use crate::analysis::paths::{Cause, Chain, Link};
use crate::engine::GateKind;
use crate::input::diag::cut_long_ids;
use crate::model::{EntityId, Kind, Model};

/// Steps of a chain shown in the compact form; a longer one shows its
/// first steps, how many are left out, and its end.
pub const MAX_STEPS_SHOWN: usize = 10;

/// An id as terminal text shows it: whole, or cut around an ellipsis when
/// it is very long (see `diag::cut_long_ids`).
fn shown(m: &Model, x: EntityId) -> String {
    let quoted = format!("`{}`", m.name(x));
    let cut = cut_long_ids(&quoted);
    cut[1..cut.len() - 1].to_owned()
}

fn quoted(m: &Model, x: EntityId) -> String {
    format!("`{}`", shown(m, x))
}

/// "both power inputs", "all 3 uplinks".
fn all_of(size: u32, what: &str) -> String {
    if size == 2 {
        format!("both {what}")
    } else {
        format!("all {size} {what}")
    }
}

/// Whether the group of `l` gave way and had more than one member to lose.
fn grouped(l: &Link) -> bool {
    l.cause.is_none() && l.size > 1
}

/// Why the group of link `l` of `owner` gave way, in a few words, or
/// `None` for a plain requirement.
pub fn gave_way(m: &Model, owner: EntityId, l: &Link) -> Option<String> {
    if !grouped(l) {
        return None;
    }
    Some(match l.kind {
        GateKind::AllOf => return None,
        GateKind::Power => format!("{} down", all_of(l.size, "power inputs")),
        GateKind::Network => format!("{} down", all_of(l.size, "network links")),
        GateKind::Uplinks => format!("{} down", all_of(l.size, "uplinks")),
        GateKind::ClusterHosts => match m.get(owner).cluster {
            Some(c) => format!("{} of `{}` down", all_of(l.size, "hosts"), shown(m, c)),
            None => format!("{} down", all_of(l.size, "hosts")),
        },
        GateKind::FaultTolerant => "host and FT secondary down".to_owned(),
        GateKind::Instances => {
            let need = m.get(owner).min_healthy;
            if need <= 1 {
                format!("{} of {} instances down", l.down, l.size)
            } else {
                format!("{} of {} instances down, needs {need}", l.down, l.size)
            }
        }
    })
}

/// "its rack `r1` is down", "it depends on `db`, which is down": the
/// requirement of `owner` through which `y` reaches it.
fn reads(m: &Model, owner: EntityId, k: GateKind, y: EntityId) -> String {
    match edge_label(m, owner, k, y) {
        "depends_on" => format!("it depends on {}, which is down", quoted(m, y)),
        "requires" => format!("it requires {}, which is down", quoted(m, y)),
        "cluster requires" => format!("its cluster requires {}, which is down", quoted(m, y)),
        field => format!("its {field} {} is down", quoted(m, y)),
    }
}

/// What else took an entity down, for a step whose group did not give way.
fn cause_text(m: &Model, owner: EntityId, cause: Cause) -> String {
    match cause {
        Cause::Failed => "it fails too".to_owned(),
        Cause::AlwaysDown if m.get(owner).standby => {
            "a standby host, off until someone powers it on".to_owned()
        }
        Cause::AlwaysDown => "down even with nothing failed".to_owned(),
        Cause::Reads(k, y) => reads(m, owner, k, y),
    }
}

/// The compact steps of a chain: one string per step, members of a group
/// that gave way together shown together.
pub fn segments(m: &Model, ch: &Chain) -> Vec<String> {
    let mut out = Vec::with_capacity(ch.steps.len());
    for (i, &x) in ch.steps.iter().enumerate() {
        let mut s = shown(m, x);
        if i == 0 && ch.cut.len() > 1 {
            // A chain under a cut set starts with the set that fails.
            let cut: Vec<String> = ch.cut.iter().map(|&y| shown(m, y)).collect();
            s = format!("{}: {s}", cut.join(" + "));
        }
        if let Some(cause) = i.checked_sub(1).and_then(|j| ch.links[j].cause) {
            s = format!("{s} ({})", cause_text(m, x, cause));
        }
        if let (Some(l), Some(&next)) = (ch.links.get(i), ch.steps.get(i + 1))
            && let Some(why) = gave_way(m, next, l)
        {
            for &p in &l.peers {
                s.push_str(", ");
                s.push_str(&shown(m, p));
            }
            let more = l.down.saturating_sub(1 + l.peers.len() as u32);
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s = format!("{s} ({why})");
        }
        out.push(s);
    }
    out
}

/// Of `n` steps, how many to show from the start and from the end so that
/// at most `max` are shown: `(n, 0)` when all fit.
pub fn ends(n: usize, max: usize) -> (usize, usize) {
    if n > max {
        (max / 2, max - max / 2)
    } else {
        (n, 0)
    }
}

/// The compact segments with a long chain cut in the middle.
pub fn compact(m: &Model, ch: &Chain) -> Vec<String> {
    let mut seg = segments(m, ch);
    if seg.len() > MAX_STEPS_SHOWN {
        let head = MAX_STEPS_SHOWN - 3;
        let tail = seg.split_off(seg.len() - 2);
        let hidden = seg.len() - head;
        seg.truncate(head);
        seg.push(format!("... ({hidden} more)"));
        seg.extend(tail);
    }
    seg
}

/// The compact chain as one line.
pub fn line(m: &Model, ch: &Chain) -> String {
    compact(m, ch).join(" -> ")
}

/// `segments` joined with " -> " and wrapped at `width` columns: the first
/// line starts after `first` columns of text already written, the others
/// are indented by `indent` spaces and start with "-> ". A segment is
/// broken (between words, never inside an id) only when it is wider than a
/// whole line.
pub fn wrapped(segments: &[String], first: usize, indent: usize, width: usize) -> String {
    use crate::report::terminal::columns;
    let mut out = String::new();
    let mut col = first;
    let cont = " ".repeat(indent + 3);
    for (i, seg) in segments.iter().enumerate() {
        let piece = if i == 0 {
            seg.clone()
        } else {
            format!(" -> {seg}")
        };
        let len = columns(&piece);
        if i == 0 || col + len <= width || col <= indent {
            out.push_str(&piece);
            col += len;
            if col <= width {
                continue;
            }
            // Too wide even alone: refill what this segment wrote.
            let start = out.len() - piece.len();
            let lead = col - len;
            let filled = crate::report::terminal::fill(&piece, width, &" ".repeat(lead), &cont);
            out.truncate(start);
            let filled = filled.trim_end_matches('\n');
            out.push_str(&filled[lead.min(filled.len())..]);
            col = columns(filled.rsplit('\n').next().unwrap_or(""));
            continue;
        }
        out.push('\n');
        out.push_str(&" ".repeat(indent));
        let arrow = format!("-> {seg}");
        if indent + columns(&arrow) <= width {
            out.push_str(&arrow);
            col = indent + columns(&arrow);
        } else {
            let filled = crate::report::terminal::fill(&arrow, width, &" ".repeat(indent), &cont);
            let filled = filled.trim_end_matches('\n');
            out.push_str(&filled[indent..]);
            col = columns(filled.rsplit('\n').next().unwrap_or(""));
        }
    }
    out
}

/// What a step is, for sentences: "pdu `n02-a`".
fn what(m: &Model, x: EntityId) -> String {
    format!("{} {}", m.get(x).kind().singular(), quoted(m, x))
}

/// The DOWN members of a group as a list: "`a`, `b` and 3 more".
fn members(m: &Model, prev: EntityId, l: &Link) -> String {
    let mut names = vec![quoted(m, prev)];
    names.extend(l.peers.iter().map(|&p| quoted(m, p)));
    let more = l.down.saturating_sub(names.len() as u32);
    if more > 0 {
        return format!("{} and {more} more", names.join(", "));
    }
    match names.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// Why step `i` of a chain is DOWN, as a sentence (SARIF messages, `why`).
pub fn step(m: &Model, ch: &Chain, i: usize) -> String {
    let x = ch.steps[i];
    if i == 0 {
        let others: Vec<String> = ch
            .cut
            .iter()
            .filter(|&&y| y != x)
            .map(|&y| quoted(m, y))
            .collect();
        return if others.is_empty() {
            format!("{} fails", what(m, x))
        } else {
            format!(
                "{} fails, together with {}",
                what(m, x),
                others.join(" and ")
            )
        };
    }
    let prev = ch.steps[i - 1];
    let l = &ch.links[i - 1];
    let e = m.get(x);
    if let Some(cause) = l.cause {
        return format!(
            "{} is down: {} (it also reads {} through `{}`, down too but not enough on its own)",
            what(m, x),
            cause_text(m, x, cause),
            quoted(m, prev),
            edge_label(m, x, l.kind, prev)
        );
    }
    let reason = match l.kind {
        GateKind::Instances if l.size == 1 => {
            format!("its only instance {} is down", quoted(m, prev))
        }
        GateKind::Instances if e.min_healthy <= 1 && l.down == l.size => format!(
            "{} are down ({})",
            all_of(l.size, "its instances"),
            members(m, prev, l)
        ),
        GateKind::Instances => format!(
            "{} of its {} instances are down ({}), and it needs {} up",
            l.down,
            l.size,
            members(m, prev, l),
            e.min_healthy
        ),
        GateKind::Power | GateKind::Network | GateKind::Uplinks if l.size == 1 => {
            let field = match l.kind {
                GateKind::Power => "power input",
                GateKind::Network => "network link",
                _ => "uplink",
            };
            format!("its only {field} {} is down", quoted(m, prev))
        }
        GateKind::Power => format!(
            "{} are down ({})",
            all_of(l.size, "its power inputs"),
            members(m, prev, l)
        ),
        GateKind::Network => format!(
            "{} are down ({})",
            all_of(l.size, "its network links"),
            members(m, prev, l)
        ),
        GateKind::Uplinks => format!(
            "{} are down ({})",
            all_of(l.size, "its uplinks"),
            members(m, prev, l)
        ),
        GateKind::ClusterHosts => {
            let cluster = e.cluster.map(|c| quoted(m, c)).unwrap_or_default();
            if l.size == 1 {
                format!(
                    "the only host of its cluster {cluster}, {}, is down",
                    quoted(m, prev)
                )
            } else {
                format!(
                    "every host of its cluster {cluster} is down ({})",
                    members(m, prev, l)
                )
            }
        }
        GateKind::FaultTolerant => format!(
            "its host and its FT secondary are both down ({})",
            members(m, prev, l)
        ),
        GateKind::AllOf => reads(m, x, l.kind, prev),
    };
    let kind = if e.kind() == Kind::Service {
        "service"
    } else {
        e.kind().singular()
    };
    format!("{kind} {} is down: {reason}", quoted(m, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_between_steps() {
        let seg: Vec<String> = [
            "north-ups-a",
            "n02-a",
            "pay-h1, pay-h2 (2 of 2 instances down)",
            "payments",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            wrapped(&seg, 7, 7, 81),
            "north-ups-a -> n02-a -> pay-h1, pay-h2 (2 of 2 instances down) -> payments"
        );
        let w = wrapped(&seg, 7, 9, 40);
        assert_eq!(
            w,
            "north-ups-a -> n02-a\n         -> pay-h1, pay-h2 (2 of 2\n            instances down) -> payments"
        );
        // A segment wider than a line breaks between words, not past it.
        assert!(w.lines().all(|l| l.chars().count() <= 40), "{w}");
    }
}
