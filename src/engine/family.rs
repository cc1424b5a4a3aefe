//! Families of cut sets: sets of at most K failure units, kept minimal (no
//! member contains another) and truncated at order K.
//!
//! The algebra of minimal cut sets on a monotone circuit: the cut sets of
//! "any one of these is DOWN" are the union of the members' families, those
//! of "all of these" their product (pairwise unions, truncated at K), and
//! those of "at least t of these" a dynamic programme over how many members
//! are down so far (never over subsets of members). Minimising after every
//! step keeps families small; truncating at K is exact, because whether a
//! set of K units takes a node down depends only on the members' cut sets
//! of at most K units.

use crate::model::EntityId;
use rustc_hash::FxHashSet as HashSet;

/// The largest order any analysis asks for (`cuts --max-order 6`).
pub const MAX_ORDER: usize = 6;

/// What a computation may produce: sets of at most `order` units, and at
/// most `limit` of them in any one family (also while it is being built).
/// Past the limit a function gives up (`None`) rather than exhaust the
/// machine; the caller reports it.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub order: usize,
    pub limit: usize,
}

/// A set of at most [`MAX_ORDER`] units, sorted by entity index. Unused
/// slots are zero, so equal sets compare and hash equal. Derived order:
/// by size, then by members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cut {
    len: u8,
    items: [EntityId; MAX_ORDER],
}

impl Cut {
    pub const EMPTY: Cut = Cut {
        len: 0,
        items: [0; MAX_ORDER],
    };

    pub fn one(x: EntityId) -> Cut {
        let mut c = Cut::EMPTY;
        c.items[0] = x;
        c.len = 1;
        c
    }

    /// A cut from members in any order (duplicates removed); `None` above
    /// [`MAX_ORDER`].
    pub fn of(members: &[EntityId]) -> Option<Cut> {
        let mut v = members.to_vec();
        v.sort_unstable();
        v.dedup();
        if v.len() > MAX_ORDER {
            return None;
        }
        let mut c = Cut::EMPTY;
        c.items[..v.len()].copy_from_slice(&v);
        c.len = v.len() as u8;
        Some(c)
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn members(&self) -> &[EntityId] {
        &self.items[..self.len as usize]
    }

    pub fn contains(&self, x: EntityId) -> bool {
        self.members().binary_search(&x).is_ok()
    }

    /// The union of two cuts if it has at most `k` members.
    pub fn union(&self, other: &Cut, k: usize) -> Option<Cut> {
        let (a, b) = (self.members(), other.members());
        let mut out = Cut::EMPTY;
        let (mut i, mut j, mut n) = (0, 0, 0);
        while i < a.len() || j < b.len() {
            let next = match (a.get(i), b.get(j)) {
                (Some(&x), Some(&y)) if x == y => {
                    i += 1;
                    j += 1;
                    x
                }
                (Some(&x), Some(&y)) if x < y => {
                    i += 1;
                    x
                }
                (Some(&x), None) => {
                    i += 1;
                    x
                }
                (_, Some(&y)) => {
                    j += 1;
                    y
                }
                (None, None) => unreachable!("loop condition"),
            };
            if n == k {
                return None;
            }
            out.items[n] = next;
            n += 1;
        }
        out.len = n as u8;
        Some(out)
    }

    /// Whether every member of `self` is in `other`.
    pub fn is_subset_of(&self, other: &Cut) -> bool {
        let mut j = 0;
        let b = other.members();
        for &x in self.members() {
            while j < b.len() && b[j] < x {
                j += 1;
            }
            if j == b.len() || b[j] != x {
                return false;
            }
            j += 1;
        }
        true
    }

    /// Every proper non-empty subset, as cuts.
    fn proper_subsets(&self) -> impl Iterator<Item = Cut> + '_ {
        let n = self.len();
        let full = (1u32 << n) - 1;
        (1..full).map(move |mask| {
            let mut c = Cut::EMPTY;
            let mut k = 0;
            for i in 0..n {
                if mask & (1 << i) != 0 {
                    c.items[k] = self.items[i];
                    k += 1;
                }
            }
            c.len = k as u8;
            c
        })
    }
}

/// A minimal family of cuts, sorted (by size, then members). The empty
/// family: nothing of at most K units takes the node down. The family
/// `[Cut::EMPTY]`: it is down with nothing failed.
pub type Family = Vec<Cut>;

/// Sorts, removes duplicates and every cut that contains another.
pub fn minimize(mut v: Vec<Cut>) -> Family {
    v.sort_unstable();
    v.dedup();
    if v.first().is_some_and(Cut::is_empty) {
        return vec![Cut::EMPTY];
    }
    let (Some(first), Some(last)) = (v.first().copied(), v.last().copied()) else {
        return v;
    };
    if first.len == last.len {
        // Sets of one size never contain each other.
        return v;
    }
    // Cuts kept so far that a later (larger) one could contain: single
    // units on their own, the rest by value, and which sizes occur at all,
    // so a cut of four is only checked against the sizes that exist.
    let mut units: HashSet<EntityId> = HashSet::default();
    let mut kept: HashSet<Cut> = HashSet::default();
    let mut sizes: u32 = 0;
    let mut out = Vec::with_capacity(v.len());
    for c in v {
        if c.len() > 1 {
            if sizes & 1 << 1 != 0 && c.members().iter().any(|u| units.contains(u)) {
                continue;
            }
            if sizes >> 2 != 0
                && c.proper_subsets()
                    .any(|s| s.len() > 1 && sizes & 1 << s.len() != 0 && kept.contains(&s))
            {
                continue;
            }
        }
        if c.len() < last.len() {
            sizes |= 1 << c.len();
            if c.len() == 1 {
                units.insert(c.items[0]);
            } else {
                kept.insert(c);
            }
        }
        out.push(c);
    }
    out
}

/// Cut sets of "any of these is down".
pub fn union_of<'f>(families: impl IntoIterator<Item = &'f [Cut]>) -> Family {
    let mut v = Vec::new();
    for f in families {
        v.extend_from_slice(f);
    }
    minimize(v)
}

/// Cut sets of "both are down", truncated at the order.
pub fn product(a: &[Cut], b: &[Cut], bounds: &Bounds) -> Option<Family> {
    if a.first().is_some_and(Cut::is_empty) {
        return Some(b.to_vec());
    }
    if b.first().is_some_and(Cut::is_empty) {
        return Some(a.to_vec());
    }
    let mut v = Vec::new();
    for x in a {
        for y in b {
            if let Some(u) = x.union(y, bounds.order) {
                v.push(u);
            }
        }
        if v.len() > 2 * bounds.limit {
            v = minimize(v);
            if v.len() > bounds.limit {
                return None;
            }
        }
    }
    let v = minimize(v);
    (v.len() <= bounds.limit).then_some(v)
}

/// Cut sets of "at least `t` of these are down", truncated at `k`. Each
/// member's family must not contain the empty cut (members already down
/// are taken out of the count by the caller).
///
/// Dynamic programme over the members: `at[j]` holds the minimal sets that
/// take down at least j of the members seen so far, and member i updates
/// it as `at[j] = at[j] + at[j - 1] x family(i)`. Three things keep it
/// small on wide groups (a 3,000-host cluster, a 500-of-1,000 quorum):
/// - cuts common to every member take the whole group down by themselves;
///   they are set aside and the rest of each family is used;
/// - only counts that can still reach `t` are kept;
/// - a set is dropped when, even with its remaining room filled by the
///   units that take down the most remaining members, it cannot reach `t`.
pub fn at_least(t: usize, members: &[&[Cut]], bounds: &Bounds) -> Option<Family> {
    if t == 0 {
        return Some(vec![Cut::EMPTY]);
    }
    if t > members.len() {
        return Some(Vec::new());
    }
    if members
        .iter()
        .any(|f| f.iter().any(|c| c.len() > bounds.order))
    {
        // Families of a higher order: truncate them first.
        let cut: Vec<Vec<Cut>> = members
            .iter()
            .map(|f| {
                f.iter()
                    .copied()
                    .filter(|c| c.len() <= bounds.order)
                    .collect()
            })
            .collect();
        let refs: Vec<&[Cut]> = cut.iter().map(Vec::as_slice).collect();
        return at_least(t, &refs, bounds);
    }
    let out = if t == 1 {
        union_of(members.iter().copied())
    } else if bounds.order == 1 {
        at_least_singletons(t, members)
    } else {
        at_least_dp(t, members, bounds)?
    };
    (out.len() <= bounds.limit).then_some(out)
}

fn at_least_dp(t: usize, members: &[&[Cut]], bounds: &Bounds) -> Option<Family> {
    // Cuts in every member's family.
    let mut common: HashSet<Cut> = members[0].iter().copied().collect();
    for f in &members[1..] {
        if common.is_empty() {
            break;
        }
        let here: HashSet<&Cut> = f.iter().collect();
        common.retain(|c| here.contains(c));
    }
    let reduced: Vec<Vec<Cut>> = members
        .iter()
        .map(|f| f.iter().copied().filter(|c| !common.contains(c)).collect())
        .filter(|f: &Vec<Cut>| !f.is_empty())
        .collect();
    let mut out: Vec<Cut> = common.into_iter().collect();
    if t <= reduced.len() {
        out.extend(threshold_dp(t, &reduced, bounds)?);
    }
    Some(minimize(out))
}

/// With k = 1 every cut is one unit: the units in at least `t` families.
fn at_least_singletons(t: usize, members: &[&[Cut]]) -> Family {
    let mut count: rustc_hash::FxHashMap<Cut, usize> = Default::default();
    for f in members {
        for c in f.iter() {
            *count.entry(*c).or_default() += 1;
        }
    }
    let mut v: Vec<Cut> = count
        .into_iter()
        .filter(|&(_, n)| n >= t)
        .map(|(c, _)| c)
        .collect();
    v.sort_unstable();
    v
}

/// How many of the members not yet processed each unit appears in, with
/// the largest such counts at hand for the pruning bound.
struct Reach {
    remaining: rustc_hash::FxHashMap<EntityId, usize>,
    /// How many units have each count (a multiset of the counts).
    counts: std::collections::BTreeMap<usize, usize>,
}

impl Reach {
    fn new(families: &[Vec<Cut>]) -> Reach {
        let mut remaining: rustc_hash::FxHashMap<EntityId, usize> = Default::default();
        for f in families {
            for u in units_of(f) {
                *remaining.entry(u).or_default() += 1;
            }
        }
        let mut counts = std::collections::BTreeMap::new();
        for &n in remaining.values() {
            *counts.entry(n).or_default() += 1;
        }
        Reach { remaining, counts }
    }

    /// Member `f` is processed: its units reach one member fewer.
    fn pass(&mut self, f: &[Cut]) {
        for u in units_of(f) {
            let Some(n) = self.remaining.get_mut(&u) else {
                continue;
            };
            let old = *n;
            *n -= 1;
            if let Some(c) = self.counts.get_mut(&old) {
                *c -= 1;
                if *c == 0 {
                    self.counts.remove(&old);
                }
            }
            if old > 1 {
                *self.counts.entry(old - 1).or_default() += 1;
            }
        }
    }

    fn of(&self, u: EntityId) -> usize {
        self.remaining.get(&u).copied().unwrap_or(0)
    }

    /// The sum of the `b` largest counts.
    fn top(&self, b: usize) -> usize {
        let mut left = b;
        let mut sum = 0;
        for (&n, &how_many) in self.counts.iter().rev() {
            if left == 0 {
                break;
            }
            let take = how_many.min(left);
            sum += n * take;
            left -= take;
        }
        sum
    }
}

/// The members reordered so that those sharing their widest-reaching
/// units come together (the instances of one rack, say). The answer does
/// not depend on the order, but the pruning does: once a rack's members
/// are all seen, sets that count on the rack to reach t die at once,
/// instead of living (and multiplying) until the last member.
fn grouped<'f>(members: &'f [Vec<Cut>], reach: &Reach) -> Vec<&'f Vec<Cut>> {
    let mut out: Vec<&Vec<Cut>> = members.iter().collect();
    out.sort_by_cached_key(|f| {
        let mut key: Vec<(std::cmp::Reverse<usize>, EntityId)> = units_of(f)
            .into_iter()
            .map(|u| (std::cmp::Reverse(reach.of(u)), u))
            .collect();
        key.sort_unstable();
        key
    });
    out
}

/// The cuts of `a` that are not in `b` (both sorted).
fn difference(a: &[Cut], b: &[Cut]) -> Vec<Cut> {
    let mut out = Vec::new();
    let mut j = 0;
    for x in a {
        while j < b.len() && b[j] < *x {
            j += 1;
        }
        if j == b.len() || b[j] != *x {
            out.push(*x);
        }
    }
    out
}

/// The distinct units of a family.
fn units_of(f: &[Cut]) -> Vec<EntityId> {
    let mut v: Vec<EntityId> = f.iter().flat_map(|c| c.members().iter().copied()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn threshold_dp(t: usize, members: &[Vec<Cut>], bounds: &Bounds) -> Option<Family> {
    let k = bounds.order;
    let m = members.len();
    let mut reach = Reach::new(members);
    let members = &grouped(members, &reach);
    // at[j]: sets taking down at least j of the members seen so far.
    let mut at: Vec<Family> = vec![Vec::new(); t + 1];
    at[0] = vec![Cut::EMPTY];
    let mut cleared = 0;
    for (i, f) in members.iter().enumerate() {
        reach.pass(f);
        let seen = i + 1;
        let left = m - seen;
        // Counts below `t - left` can no longer reach t.
        let lowest = t.saturating_sub(left);
        let highest = seen.min(t);
        for j in (lowest.max(1)..=highest).rev() {
            // A set already at level j gains nothing from one more member
            // down: only the sets of level j - 1 that are not also at j
            // are multiplied (consecutive levels share most sets).
            let fresh = difference(&at[j - 1], &at[j]);
            if fresh.is_empty() {
                continue;
            }
            let grown = product(&fresh, f, bounds)?;
            if grown.is_empty() {
                continue;
            }
            let mut v = std::mem::take(&mut at[j]);
            v.extend(grown);
            at[j] = minimize(v);
            if at[j].len() > bounds.limit {
                return None;
            }
        }
        while cleared < lowest {
            at[cleared] = Vec::new();
            cleared += 1;
        }
        // Drop what cannot reach t any more.
        for (j, family) in at
            .iter_mut()
            .enumerate()
            .take(highest.min(t - 1) + 1)
            .skip(lowest)
        {
            family.retain(|c| {
                let own: usize = c.members().iter().map(|&u| reach.of(u)).sum();
                j + own + reach.top(k - c.len()) >= t
            });
        }
    }
    Some(std::mem::take(&mut at[t]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fam(sets: &[&[EntityId]]) -> Family {
        minimize(sets.iter().map(|s| Cut::of(s).expect("small")).collect())
    }

    fn show(f: &[Cut]) -> Vec<Vec<EntityId>> {
        f.iter().map(|c| c.members().to_vec()).collect()
    }

    #[test]
    fn minimize_drops_supersets_and_duplicates() {
        let f = fam(&[&[1, 2], &[2], &[3, 4], &[4, 3], &[1, 3, 4]]);
        assert_eq!(show(&f), vec![vec![2], vec![3, 4]]);
        assert_eq!(show(&fam(&[&[1], &[]])), vec![Vec::<EntityId>::new()]);
    }

    fn bounds(order: usize) -> Bounds {
        Bounds { order, limit: 1000 }
    }

    #[test]
    fn product_truncates_at_the_order() {
        let a = fam(&[&[1], &[2, 3]]);
        let b = fam(&[&[4], &[2]]);
        let p = |x: &[Cut], y: &[Cut], k| show(&product(x, y, &bounds(k)).expect("small"));
        assert_eq!(p(&a, &b, 2), vec![vec![1, 2], vec![1, 4], vec![2, 3]]);
        assert_eq!(p(&a, &b, 3), vec![vec![1, 2], vec![1, 4], vec![2, 3]]);
        let c = fam(&[&[5, 6]]);
        assert!(p(&a, &c, 2).is_empty());
    }

    #[test]
    fn two_of_three() {
        let (x, y, z) = (fam(&[&[1], &[9]]), fam(&[&[2], &[9]]), fam(&[&[3]]));
        let t = |t, k| show(&at_least(t, &[&x, &y, &z], &bounds(k)).expect("small"));
        assert_eq!(t(2, 3), vec![vec![9], vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(t(2, 1), vec![vec![9]]);
        assert_eq!(t(3, 2), vec![vec![3, 9]]);
    }

    #[test]
    fn families_past_the_limit_give_up() {
        let singles: Vec<Family> = (0..20).map(|i| fam(&[&[i]])).collect();
        let refs: Vec<&[Cut]> = singles.iter().map(Vec::as_slice).collect();
        let small = Bounds {
            order: 3,
            limit: 100,
        };
        // Any 2 of 20: 190 pairs.
        assert!(at_least(2, &refs, &small).is_none());
        assert_eq!(at_least(2, &refs, &bounds(3)).map(|f| f.len()), Some(190));
        let wide: Family = (0..15).map(Cut::one).collect();
        let other: Family = (100..115).map(Cut::one).collect();
        let tight = Bounds {
            order: 2,
            limit: 50,
        };
        // 225 pairs.
        assert!(product(&wide, &other, &tight).is_none());
        // Each unit with itself: the 15 units.
        assert_eq!(product(&wide, &wide, &tight).map(|f| f.len()), Some(15));
    }
}
