//! The search for the worst placement of one service's floating vms under
//! one failure (FORMAT §8), over *kinds* of hosts rather than hosts.
//!
//! A floating vm's return reads only its host's return time (and, with an
//! HA restart, only whether that time is 0), so the hosts of a cluster fall
//! into a few classes that give a vm the same return: the search picks a
//! class per vm. Anti-affinity binds only on hosts that are DOWN in §3; a
//! class made of such hosts can take a list's vms up to its number of
//! hosts when the cluster's lists do not overlap (a count, not a
//! placement). Where lists overlap, vms of a list take hosts one by one,
//! as a colouring: that is the case that can blow up, and it is bounded by
//! [`MAX_TRIES`].

use super::Setup;
use super::eval::{Bin, NEVER};
use crate::engine::TooLarge;
use crate::model::EntityId;
use rustc_hash::FxHashMap as HashMap;

/// Placements tried for one service under one failure before the analysis
/// gives up.
pub const MAX_TRIES: usize = 200_000;

/// Colouring steps tried before the analysis gives up deciding whether a
/// cluster's lists fit on its hosts.
const COLOUR_BUDGET: usize = 1_000_000;

/// The hosts of one cluster as one failure leaves them.
#[derive(Debug)]
pub struct View {
    /// Classes in the order the search tries them.
    pub classes: Vec<Class>,
    /// Every non-standby host of the cluster is DOWN in §3.
    pub tight: bool,
    /// Tight, and its lists cannot all be honoured: every placement is
    /// considered (the scheduler has to break a rule), lists do not bind.
    pub relaxed: bool,
    /// No floating vm is in two of its lists: a list fits a class of n
    /// hosts when at most n of its vms are in it.
    pub disjoint: bool,
    /// Hosts of the cluster whose return waits for the placement (a host
    /// that requires one of the vms): the search reads them as inputs.
    pub unsettled: Vec<EntityId>,
}

/// Hosts that give a floating vm the same return time.
#[derive(Debug)]
pub struct Class {
    /// Made of hosts DOWN in §3: anti-affinity binds on it.
    pub bound: bool,
    /// Where a vm of this class runs: `Safe` for a host the failure does not
    /// reach; otherwise one of `hosts`.
    pub safe: bool,
    pub hosts: Vec<EntityId>,
}

impl View {
    /// Classes of the hosts of `cluster` under one failure: `ret` gives the
    /// return time of a host the failure reaches (None when it waits for
    /// the placement), `down` whether it is DOWN in §3; `untouched` hosts
    /// are never down.
    pub fn new(
        s: &Setup,
        cluster: EntityId,
        reached: &[EntityId],
        ret: &dyn Fn(EntityId) -> Option<u64>,
        down: &dyn Fn(EntityId) -> bool,
    ) -> Result<View, TooLarge> {
        let restart = s.restart[cluster as usize].is_some();
        let untouched = s.hosts_of(cluster).len() - reached.len();
        // (key, bound) -> hosts; keys: the return time, or for an HA
        // restart only whether it is 0; a host that waits for the
        // placement is a class of its own.
        let mut classes: Vec<((u64, u64), bool, Vec<EntityId>)> = Vec::new();
        let mut unsettled = Vec::new();
        let mut push = |key: (u64, u64), bound: bool, h: EntityId| match classes
            .iter_mut()
            .find(|(k, b, _)| *k == key && *b == bound)
        {
            Some((_, _, hs)) => hs.push(h),
            None => classes.push((key, bound, vec![h])),
        };
        for &h in reached {
            let bound = down(h);
            let key = match ret(h) {
                None => {
                    unsettled.push(h);
                    (NEVER, h as u64)
                }
                Some(r) if restart => (u64::from(r > 0), 0),
                Some(r) => (r, 0),
            };
            push(key, bound, h);
        }
        let safe = untouched > 0;
        if safe {
            // A reached host back at once, not DOWN, is no different from
            // one the failure does not reach.
            classes.retain(|(k, b, _)| *b || *k != (0, 0));
        }
        // A free host with the same return as bound ones is no worse and
        // binds nothing.
        let mut free: Vec<(u64, u64)> = classes
            .iter()
            .filter(|(_, b, _)| !b)
            .map(|(k, _, _)| *k)
            .collect();
        if safe {
            free.push((0, 0));
        }
        classes.retain(|(k, b, _)| !*b || !free.contains(k));
        classes.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut out: Vec<Class> = Vec::new();
        if safe {
            out.push(Class {
                bound: false,
                safe: true,
                hosts: Vec::new(),
            });
        }
        for (_, bound, mut hosts) in classes {
            hosts.sort_unstable();
            if !bound {
                hosts.truncate(1);
            }
            out.push(Class {
                bound,
                safe: false,
                hosts,
            });
        }
        let tight = untouched == 0 && reached.iter().all(|&h| down(h));
        let disjoint = s.lists[cluster as usize].0;
        let relaxed = tight && !fits(s, cluster, s.hosts_of(cluster), &[], disjoint)?;
        Ok(View {
            classes: out,
            tight,
            relaxed,
            disjoint,
            unsettled,
        })
    }

    /// The class of the vms on `bin`, for a worst case told back.
    pub fn bin(&self, class: usize, nth: usize) -> Bin {
        let c = &self.classes[class];
        if c.safe {
            Bin::Safe
        } else {
            Bin::Host(c.hosts[nth % c.hosts.len()])
        }
    }
}

/// Can the floating vms of `cluster` named in its anti-affinity lists sit
/// on `hosts` with no two list-mates together, the vms of `fixed` being
/// where it says? Lists that do not overlap fit when each is no longer
/// than the hosts; otherwise a colouring, depth-first, within a budget
/// past which the analysis stops rather than guess.
pub fn fits(
    s: &Setup,
    cluster: EntityId,
    hosts: &[EntityId],
    fixed: &[(EntityId, EntityId)],
    disjoint: bool,
) -> Result<bool, TooLarge> {
    let m = s.model;
    let lists = &m.get(cluster).anti_affinity;
    let floating = |l: &Vec<EntityId>| l.iter().filter(|&&v| m.is_floating_vm(v)).count();
    if lists.iter().any(|l| floating(l) > hosts.len()) {
        return Ok(false);
    }
    if disjoint && fixed.is_empty() {
        return Ok(true);
    }
    let mut vms: Vec<EntityId> = lists
        .iter()
        .flatten()
        .copied()
        .filter(|&v| m.is_floating_vm(v) && !fixed.iter().any(|(f, _)| *f == v))
        .collect();
    vms.sort_unstable();
    vms.dedup();
    let conflict =
        |a: EntityId, b: EntityId| lists.iter().any(|l| l.contains(&a) && l.contains(&b));
    for (i, &(a, ha)) in fixed.iter().enumerate() {
        if fixed[i + 1..]
            .iter()
            .any(|&(b, hb)| ha == hb && conflict(a, b))
        {
            return Ok(false);
        }
    }
    struct Ctx<'c> {
        vms: &'c [EntityId],
        hosts: &'c [EntityId],
        fixed: &'c [(EntityId, EntityId)],
        conflict: &'c dyn Fn(EntityId, EntityId) -> bool,
        at: Vec<usize>,
        budget: usize,
    }
    /// Some(true): fits; Some(false): cannot; None: out of budget.
    fn go(c: &mut Ctx, i: usize) -> Option<bool> {
        if i == c.vms.len() {
            return Some(true);
        }
        if c.budget == 0 {
            return None;
        }
        c.budget -= 1;
        let mut fresh_tried = false;
        for h in 0..c.hosts.len() {
            let v = c.vms[i];
            let used =
                (0..i).any(|j| c.at[j] == h) || c.fixed.iter().any(|&(_, fh)| fh == c.hosts[h]);
            if !used {
                // Unused hosts are alike: one stands for all.
                if fresh_tried {
                    continue;
                }
                fresh_tried = true;
            }
            let clash = (0..i).any(|j| c.at[j] == h && (c.conflict)(v, c.vms[j]))
                || c.fixed
                    .iter()
                    .any(|&(f, fh)| fh == c.hosts[h] && (c.conflict)(v, f));
            if clash {
                continue;
            }
            c.at[i] = h;
            match go(c, i + 1) {
                Some(false) => {}
                other => return other,
            }
        }
        Some(false)
    }
    let mut c = Ctx {
        vms: &vms,
        hosts,
        fixed,
        conflict: &conflict,
        at: vec![usize::MAX; vms.len()],
        budget: COLOUR_BUDGET,
    };
    go(&mut c, 0).ok_or_else(|| TooLarge {
        order: 0,
        cuts: COLOUR_BUDGET,
        detail: Some(format!(
            "whether the anti_affinity lists of cluster `{}` fit on its hosts takes more than {COLOUR_BUDGET} steps to decide (lists that overlap)",
            m.name(cluster)
        )),
    })
}

/// The return time of the service for one choice of hosts (None: the
/// choice is not allowed).
pub type Leaf<'a> = dyn Fn(&[Bin]) -> Result<Option<u64>, TooLarge> + 'a;

/// What makes two vms interchangeable in a search: their cluster, the
/// lists that bind them, and [`super::Setup::vm_key`] (the inputs their
/// rule reads, their readers, start and repair).
pub type Signature<'s> = (EntityId, &'s [usize], u32);

/// One floating vm whose host matters.
pub struct Var<'s> {
    pub vm: EntityId,
    pub cluster: EntityId,
    /// Indexes of the cluster's lists that name it (none when they do not
    /// bind).
    pub lists: &'s [usize],
    pub signature: Signature<'s>,
}

pub struct Search<'v> {
    pub vars: &'v [Var<'v>],
    pub views: &'v HashMap<EntityId, View>,
    pub choice: Vec<Bin>,
    /// Class chosen per var (interchangeable vars take non-decreasing ones).
    kind_of: Vec<usize>,
    /// Vms of a (cluster, list) in each class, where lists do not overlap.
    counts: HashMap<(EntityId, usize, usize), usize>,
    /// Vars on each bound host, where lists overlap.
    occupied: HashMap<EntityId, Vec<usize>>,
    pub tries: usize,
    pub best: (u64, Vec<(EntityId, Bin)>),
    first: bool,
    /// Each var has the signature of the one before it (read at every
    /// step of the search: compared once here).
    same_as_previous: Vec<bool>,
    /// The service's return cannot fall when a vm moves to a host that
    /// comes back later (no switch-over in its cone, no host waiting for
    /// the placement): only placements where no vm can move up are tried.
    monotone: bool,
}

impl<'v> Search<'v> {
    /// No vm of a list could move to a class that comes back later and
    /// still has room for its list (lists that do not overlap; where they
    /// do, every placement counts).
    fn maximal(&self) -> bool {
        for (i, var) in self.vars.iter().enumerate() {
            let view = &self.views[&var.cluster];
            if var.lists.is_empty() || !view.disjoint {
                continue;
            }
            let k = self.kind_of[i];
            for (j, class) in view.classes.iter().enumerate().skip(k + 1) {
                let n = self
                    .counts
                    .get(&(var.cluster, var.lists[0], j))
                    .copied()
                    .unwrap_or(0);
                if class.bound && n < class.hosts.len() {
                    return false;
                }
            }
        }
        true
    }

    pub fn new(vars: &'v [Var<'v>], views: &'v HashMap<EntityId, View>, monotone: bool) -> Self {
        let monotone = monotone && vars.iter().all(|v| views[&v.cluster].unsettled.is_empty());
        Search {
            monotone,
            vars,
            views,
            choice: vec![Bin::Safe; vars.len()],
            kind_of: vec![0; vars.len()],
            counts: HashMap::default(),
            occupied: HashMap::default(),
            tries: 0,
            best: (0, Vec::new()),
            first: true,
            same_as_previous: (0..vars.len())
                .map(|i| i > 0 && vars[i - 1].signature == vars[i].signature)
                .collect(),
        }
    }

    /// Depth-first over the vars; true when it gave up.
    pub fn go(&mut self, i: usize, leaf: &Leaf) -> Result<bool, TooLarge> {
        if self.best.0 == NEVER && !self.first {
            return Ok(false);
        }
        if i == self.vars.len() {
            self.tries += 1;
            if self.tries > MAX_TRIES {
                return Ok(true);
            }
            if self.monotone && !self.maximal() {
                return Ok(false);
            }
            let Some(v) = leaf(&self.choice)? else {
                return Ok(false);
            };
            if self.first || v > self.best.0 {
                self.first = false;
                self.best = (
                    v,
                    self.vars
                        .iter()
                        .zip(&self.choice)
                        .map(|(x, b)| (x.vm, *b))
                        .collect(),
                );
            }
            return Ok(false);
        }
        let var = &self.vars[i];
        let view = &self.views[&var.cluster];
        let floor = if self.same_as_previous[i] {
            self.kind_of[i - 1]
        } else {
            0
        };
        let single = view.classes.len() == 1;
        let top = view.classes.len() - 1;
        for k in floor..view.classes.len() {
            let class = &view.classes[k];
            if self.monotone
                && (view.classes[k + 1..].iter().any(|c| !c.bound)
                    || ((var.lists.is_empty() || single) && k != top))
            {
                // A later host with nothing to keep apart is no better.
                continue;
            }
            self.kind_of[i] = k;
            if !class.bound || var.lists.is_empty() || single {
                // Spread over the class, so a worst case told back does
                // not put list-mates on one host.
                self.choice[i] = view.bin(k, i);
                if self.go(i + 1, leaf)? {
                    return Ok(true);
                }
                continue;
            }
            if view.disjoint {
                let key = (var.cluster, var.lists[0], k);
                let n = self.counts.get(&key).copied().unwrap_or(0);
                if n >= class.hosts.len() {
                    continue;
                }
                self.choice[i] = view.bin(k, n);
                *self.counts.entry(key).or_default() += 1;
                let stop = self.go(i + 1, leaf)?;
                *self.counts.entry(key).or_default() -= 1;
                if stop {
                    return Ok(true);
                }
                continue;
            }
            // Overlapping lists: host by host, an occupied host with no
            // list-mate or the first unused one.
            let conflicts = |j: usize| {
                let other = &self.vars[j];
                other.cluster == var.cluster && other.lists.iter().any(|l| var.lists.contains(l))
            };
            let mut options = Vec::new();
            let mut fresh = None;
            for &h in &class.hosts {
                match self.occupied.get(&h) {
                    Some(on) if !on.is_empty() => {
                        if !on.iter().any(|&j| conflicts(j)) {
                            options.push(h);
                        }
                    }
                    _ => {
                        if fresh.is_none() {
                            fresh = Some(h);
                        }
                    }
                }
            }
            options.extend(fresh);
            for h in options {
                self.choice[i] = Bin::Host(h);
                self.occupied.entry(h).or_default().push(i);
                let stop = self.go(i + 1, leaf)?;
                self.occupied.get_mut(&h).map(|v| v.pop());
                if stop {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}
