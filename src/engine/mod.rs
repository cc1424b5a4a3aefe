//! The failure engine: the description compiled into a circuit
//! (`circuit`), what is DOWN under a failure set (`evaluate`), and the
//! minimal cut sets of every node by algebra rather than enumeration
//! (`family`, `cutsets`). Pure functions over the model: no reporting, no
//! I/O, and everything here is held against a brute-force reading of the
//! format by the property tests.

mod circuit;
mod cutsets;
mod evaluate;
mod family;
mod traversal;

pub use circuit::{Circuit, GateKind, Group, NodeId};
pub use cutsets::{CutSets, MAX_FAMILY, Scope, TooLarge};
pub use evaluate::{Checkpoint, Evaluator, down};
pub use family::{Bounds, Cut, Family, MAX_ORDER, at_least, minimize, product};

use crate::model::{EntityId, Model};

/// A family as lists of entity ids, each sorted by id string, the list by
/// size and then by those strings: the order every output uses.
pub fn by_name(model: &Model, family: &[Cut]) -> Vec<Vec<EntityId>> {
    let mut out: Vec<Vec<EntityId>> = family
        .iter()
        .map(|c| {
            let mut g = c.members().to_vec();
            model.sort_by_name(&mut g);
            g
        })
        .collect();
    out.sort_by(|a, b| {
        a.len().cmp(&b.len()).then_with(|| {
            a.iter()
                .map(|&x| model.name(x))
                .cmp(b.iter().map(|&x| model.name(x)))
        })
    });
    out
}
