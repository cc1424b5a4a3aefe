//! What is DOWN under a failure set.
//!
//! Propagation: a node goes DOWN when its count of DOWN inputs reaches its
//! threshold. Starting from "everything up" and only ever marking nodes
//! DOWN computes the greatest fixed point the format asks for on cycles: a
//! node on a cycle is DOWN only if something outside the cycle forces it.
//! Linear in the size of the circuit.

use super::circuit::{Circuit, NodeId};
use crate::model::EntityId;

/// DOWN state of every node (entities first, then gates) under `failed`.
pub fn down(c: &Circuit, failed: &[EntityId]) -> Vec<bool> {
    Evaluator::new(c, failed).down
}

/// Incremental evaluation: a base failure set, then extra failures on top
/// that can be undone. Lets "fail each pdu in turn" cost the size of each
/// pdu's cone instead of the whole estate.
pub struct Evaluator<'c> {
    c: &'c Circuit,
    down: Vec<bool>,
    /// DOWN inputs counted per node.
    count: Vec<u32>,
    /// Since the base: nodes marked DOWN and nodes whose count went up.
    newly: Vec<NodeId>,
    bumped: Vec<NodeId>,
}

impl<'c> Evaluator<'c> {
    pub fn new(c: &'c Circuit, base: &[EntityId]) -> Self {
        let mut ev = Evaluator {
            c,
            down: vec![false; c.len()],
            count: vec![0; c.len()],
            newly: Vec::new(),
            bumped: Vec::new(),
        };
        let mut seeds: Vec<NodeId> = base.to_vec();
        seeds.extend((0..c.len() as NodeId).filter(|&x| c.is_forced_down(x)));
        ev.fail(&seeds);
        ev.newly.clear();
        ev.bumped.clear();
        ev
    }

    /// Fails `extra` on top of the current state; returns every node that
    /// went DOWN because of it (including `extra` itself, gates included).
    pub fn fail(&mut self, extra: &[NodeId]) -> &[NodeId] {
        let from = self.newly.len();
        let mut stack: Vec<NodeId> = Vec::new();
        for &x in extra {
            if !self.down[x as usize] {
                self.down[x as usize] = true;
                self.newly.push(x);
                stack.push(x);
            }
        }
        while let Some(x) = stack.pop() {
            for &r in self.c.readers(x) {
                let slot = r as usize;
                self.count[slot] += 1;
                self.bumped.push(r);
                if !self.down[slot] && self.count[slot] >= self.c.threshold(r) {
                    self.down[slot] = true;
                    self.newly.push(r);
                    stack.push(r);
                }
            }
        }
        &self.newly[from..]
    }

    /// Back to the base failure set.
    pub fn reset(&mut self) {
        self.undo_to(Checkpoint {
            newly: 0,
            bumped: 0,
        });
    }

    /// A point to come back to with [`undo_to`](Self::undo_to), for nested
    /// what-ifs.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            newly: self.newly.len(),
            bumped: self.bumped.len(),
        }
    }

    pub fn undo_to(&mut self, cp: Checkpoint) {
        for x in self.newly.drain(cp.newly..) {
            self.down[x as usize] = false;
        }
        for r in self.bumped.drain(cp.bumped..) {
            self.count[r as usize] -= 1;
        }
    }

    pub fn is_down(&self, x: NodeId) -> bool {
        self.down[x as usize]
    }

    /// DOWN inputs of `x` counted so far.
    pub fn down_inputs(&self, x: NodeId) -> u32 {
        self.count[x as usize]
    }

    pub fn down(&self) -> &[bool] {
        &self.down
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Checkpoint {
    newly: usize,
    bumped: usize,
}
