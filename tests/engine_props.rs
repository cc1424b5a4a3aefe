//! Differential property tests: the engine, the analyses and the built-in
//! rules against a deliberately naive reading of the failure semantics.
//!
//! Each case generates a small random estate (a struct of small integers
//! and choices, so proptest can shrink it), renders it as YAML, loads it
//! with the real loader, and then compares what faultline computes with a
//! brute-force reference that is written straight from the `Model`
//! entities. The reference never touches `Circuit`, the cut sets or the rule
//! templates: it evaluates DOWN as a plain fixed-point iteration, finds
//! single points of failure by failing every unit in turn, recomputes power
//! loads from scratch for every failure (in exact integer arithmetic), and
//! finds cycles by plain reachability.
//!
//! Every assertion message carries the YAML so a failure can be replayed
//! with `faultline check`.

mod common;

use common::estate::{self, Ids, sel_list};
use common::render;
use faultline::analysis::Analysis;
use faultline::analysis::availability::{Defaults, estimate};
use faultline::check;
use faultline::commands;
use faultline::commands::risks;
use faultline::engine::{self, Bounds, Circuit, Cut, by_name};
use faultline::model::load::load_str;
use faultline::model::{Date, EntityId, Kind, Model};
use faultline::rules::RuleSet;
use proptest::collection::vec;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

// ---------------------------------------------------------------------------
// Generation (`common/estate.rs`), rendered to YAML.
// ---------------------------------------------------------------------------

/// An estate and its extra failure sets (pairs and triples picked among
/// the units).
type Gen = estate::Gen<Vec<Vec<u8>>>;

fn gen_estate() -> impl Strategy<Value = Gen> {
    estate::gen_estate(vec(vec(any::<u8>(), 2..=3), 3))
}

/// The YAML text of a generated estate, and its extra failure sets (ids).
fn render(g: &Gen) -> (String, Vec<Vec<String>>) {
    let ents = render::build(g, |_, _| {});
    let units = Ids::of(g).units;
    let sets = g.extra.iter().map(|s| sel_list(s, &units)).collect();
    (render::render(&ents).remove(0).1, sets)
}

struct Case {
    yaml: String,
    model: Model,
    fail_sets: Vec<Vec<EntityId>>,
}

fn setup(g: &Gen) -> Result<Case, TestCaseError> {
    let (yaml, sets) = render(g);
    let model = match load_str("estate.yaml", &yaml) {
        Ok(m) => m,
        Err(f) => {
            return Err(TestCaseError::fail(format!(
                "generated estate does not load: {:#?}\n--- yaml ---\n{yaml}",
                f.errors
            )));
        }
    };
    let fail_sets = sets
        .iter()
        .map(|s| {
            s.iter()
                .map(|n| model.lookup(n).expect("rendered id"))
                .collect()
        })
        .collect();
    Ok(Case {
        yaml,
        model,
        fail_sets,
    })
}

// ---------------------------------------------------------------------------
// The reference: the failure semantics (README, "What down means"), read literally.
// ---------------------------------------------------------------------------

fn kind(m: &Model, x: EntityId) -> Kind {
    m.get(x).kind()
}

/// A failure unit that may be named as a culprit: not a cluster, not a
/// service.
fn is_culprit_unit(m: &Model, x: EntityId) -> bool {
    !matches!(kind(m, x), Kind::Cluster | Kind::Service)
}

/// Hosts whose `cluster` is `c`, found by scanning the hosts.
fn hosts_of(m: &Model, c: EntityId) -> Vec<EntityId> {
    m.ids()
        .filter(|&h| kind(m, h) == Kind::Host && m.get(h).cluster == Some(c))
        .collect()
}

/// Whether the DOWN condition of `x` holds given the current DOWN marks
/// (membership in F aside).
/// The cluster a vm runs in: the one it floats in or its host's.
fn vm_cluster(m: &Model, vm: EntityId) -> Option<EntityId> {
    let e = m.get(vm);
    e.cluster.or(e.host.and_then(|h| m.get(h).cluster))
}

fn down_condition(m: &Model, x: EntityId, down: &[bool]) -> bool {
    let e = m.get(x);
    let k = e.kind();
    if k == Kind::Cluster {
        return false;
    }
    let d = |i: EntityId| down[i as usize];
    // all-of requirements
    if e.site.is_some_and(d)
        || e.rack.is_some_and(d)
        || e.feed.is_some_and(d)
        || e.requires.iter().copied().any(d)
        || e.depends_on.iter().copied().any(d)
    {
        return true;
    }
    if k == Kind::Vm {
        // Its cluster's `requires`: the cluster it floats in, or its
        // host's (a fault-tolerant vm's through its `host`).
        if vm_cluster(m, x).is_some_and(|c| m.get(c).requires.iter().copied().any(d)) {
            return true;
        }
        match (e.host, e.ft_secondary) {
            (Some(h), None) => {
                if d(h) {
                    return true;
                }
            }
            (Some(h), Some(s)) => {
                if d(h) && d(s) {
                    return true;
                }
            }
            (None, _) => {
                let c = e.cluster.expect("a vm without host floats in a cluster");
                // `all` over no hosts is true: an empty cluster runs nothing.
                if hosts_of(m, c).into_iter().all(d) {
                    return true;
                }
            }
        }
    }
    if k == Kind::Host && e.standby {
        return true;
    }
    for group in [&e.power, &e.network, &e.uplinks] {
        if !group.is_empty() && group.iter().copied().all(d) {
            return true;
        }
    }
    if k == Kind::Service {
        let up = e.instances.iter().filter(|&&i| !d(i)).count();
        if up < e.min_healthy as usize {
            return true;
        }
    }
    false
}

/// DOWN under `failed`: start from everything UP except `failed` and mark
/// DOWN whatever's condition holds until nothing changes. Only ever marking
/// DOWN from "all up" yields the greatest fixed point of UP.
fn ref_down(m: &Model, failed: &[EntityId]) -> Vec<bool> {
    let mut down = vec![false; m.len()];
    for &f in failed {
        down[f as usize] = true;
    }
    loop {
        let mut changed = false;
        for x in m.ids() {
            if !down[x as usize] && down_condition(m, x, &down) {
                down[x as usize] = true;
                changed = true;
            }
        }
        if !changed {
            return down;
        }
    }
}

/// Units (not clusters, not services, not in `base`) whose extra failure
/// takes `x` DOWN, for `x` UP under `base`.
fn ref_killers(m: &Model, base: &[EntityId], x: EntityId) -> Vec<EntityId> {
    m.ids()
        .filter(|&u| is_culprit_unit(m, u) && !base.contains(&u))
        .filter(|&u| {
            let mut f = base.to_vec();
            f.push(u);
            ref_down(m, &f)[x as usize]
        })
        .collect()
}

/// Minimal cut sets of `s` with at most `max` members, by trying every set
/// of units in order of size: a set is a cut when it takes `s` DOWN, and
/// minimal when no cut found before (all smaller) is inside it. Each set
/// sorted by name; the list by length, then lexicographically.
fn ref_cuts(m: &Model, s: EntityId, max: usize) -> Vec<Vec<String>> {
    if ref_down(m, &[])[s as usize] {
        return Vec::new();
    }
    let units: Vec<EntityId> = m.ids().filter(|&u| is_culprit_unit(m, u)).collect();
    let mut cuts: Vec<Vec<EntityId>> = Vec::new();
    for size in 1..=max {
        let mut found: Vec<Vec<EntityId>> = Vec::new();
        for_each_subset(&units, size, &mut |set: &[EntityId]| {
            let minimal = !cuts.iter().any(|c| c.iter().all(|x| set.contains(x)));
            if minimal && ref_down(m, set)[s as usize] {
                found.push(set.to_vec());
            }
        });
        cuts.extend(found);
    }
    let mut named: Vec<Vec<String>> = cuts.iter().map(|c| m.names_sorted(c)).collect();
    named.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    named
}

/// Calls `f` with every `size`-element subset of `items`.
fn for_each_subset(items: &[EntityId], size: usize, f: &mut dyn FnMut(&[EntityId])) {
    fn go(
        items: &[EntityId],
        from: usize,
        size: usize,
        cur: &mut Vec<EntityId>,
        f: &mut dyn FnMut(&[EntityId]),
    ) {
        if cur.len() == size {
            f(cur);
            return;
        }
        for i in from..items.len() {
            cur.push(items[i]);
            go(items, i + 1, size, cur, f);
            cur.pop();
        }
    }
    go(items, 0, size, &mut Vec::new(), f);
}

/// Everything the DOWN condition of `x` reads.
fn ref_edges(m: &Model, x: EntityId) -> Vec<EntityId> {
    let e = m.get(x);
    if e.kind() == Kind::Cluster {
        return Vec::new();
    }
    let mut out: Vec<EntityId> = Vec::new();
    out.extend(e.site);
    out.extend(e.rack);
    out.extend(e.feed);
    out.extend(&e.requires);
    out.extend(&e.depends_on);
    if e.kind() == Kind::Vm {
        if let Some(c) = vm_cluster(m, x) {
            out.extend(&m.get(c).requires);
        }
        match e.host {
            Some(h) => {
                out.push(h);
                out.extend(e.ft_secondary);
            }
            None => out.extend(hosts_of(m, e.cluster.expect("floating vm"))),
        }
    }
    out.extend(&e.power);
    out.extend(&e.network);
    out.extend(&e.uplinks);
    out.extend(&e.instances);
    out
}

/// The length (in entities) of a shortest chain from `from` to `to` in
/// which each entity's DOWN condition reads the one before and every
/// entity is DOWN in `down`: breadth-first over the reversed edges of
/// `ref_edges`, restricted to DOWN entities.
fn ref_shortest(m: &Model, down: &[bool], from: EntityId, to: EntityId) -> Option<usize> {
    let mut readers: Vec<Vec<EntityId>> = vec![Vec::new(); m.len()];
    for x in m.ids() {
        for y in ref_edges(m, x) {
            readers[y as usize].push(x);
        }
    }
    let mut dist = vec![usize::MAX; m.len()];
    dist[from as usize] = 1;
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(x) = queue.pop_front() {
        if x == to {
            return Some(dist[x as usize]);
        }
        for &r in &readers[x as usize] {
            if down[r as usize] && dist[r as usize] == usize::MAX {
                dist[r as usize] = dist[x as usize] + 1;
                queue.push_back(r);
            }
        }
    }
    None
}

/// Holds one finding's chain against the reference: it starts at the
/// culprit and ends at the subject, each step reads the one before, every
/// step is DOWN under `failed`, and no shorter such chain exists.
fn check_chain(
    m: &Model,
    subject: EntityId,
    culprit: EntityId,
    failed: &[EntityId],
    steps: &[EntityId],
) -> Result<(), String> {
    let names = m.names_sorted(steps);
    if steps.first() != Some(&culprit) || steps.last() != Some(&subject) {
        return Err(format!(
            "chain {names:?} does not run from the culprit to the subject"
        ));
    }
    for w in steps.windows(2) {
        if !ref_edges(m, w[1]).contains(&w[0]) {
            return Err(format!(
                "in {names:?}, `{}` does not read `{}`",
                m.name(w[1]),
                m.name(w[0])
            ));
        }
    }
    let down = ref_down(m, failed);
    if let Some(&x) = steps.iter().find(|&&x| !down[x as usize]) {
        return Err(format!("in {names:?}, `{}` is not DOWN", m.name(x)));
    }
    let shortest = ref_shortest(m, &down, culprit, subject);
    if shortest != Some(steps.len()) {
        return Err(format!(
            "chain of {} entities, the shortest has {shortest:?}",
            steps.len()
        ));
    }
    Ok(())
}

/// reach[x][y]: y is reachable from x by one or more dependency edges.
fn reachability(m: &Model) -> Vec<Vec<bool>> {
    let n = m.len();
    let mut reach = vec![vec![false; n]; n];
    for x in m.ids() {
        let mut stack = ref_edges(m, x);
        while let Some(y) = stack.pop() {
            if !reach[x as usize][y as usize] {
                reach[x as usize][y as usize] = true;
                stack.extend(ref_edges(m, y));
            }
        }
    }
    reach
}

/// Exact power loads, in units of 1/`scale` watt, under `failed`.
fn ref_loads(m: &Model, failed: &[EntityId], down: &[bool], scale: i128) -> Vec<i128> {
    let watts = |x: f64| {
        assert!(x.fract() == 0.0, "the generator only writes whole watts");
        x as i128
    };
    let mut direct = vec![0i128; m.len()];
    for d in m.ids() {
        let e = m.get(d);
        if !matches!(e.kind(), Kind::Host | Kind::Switch | Kind::Component)
            || failed.contains(&d)
            || (e.kind() == Kind::Host && e.standby)
        {
            continue;
        }
        let Some(draw) = e.draw_w else { continue };
        let up: Vec<EntityId> = e
            .power
            .iter()
            .copied()
            .filter(|&p| !down[p as usize])
            .collect();
        if up.is_empty() {
            continue;
        }
        let total = watts(draw) * scale;
        assert!(total % up.len() as i128 == 0, "scale covers every split");
        for p in &up {
            direct[*p as usize] += total / up.len() as i128;
        }
    }
    let mut load = direct.clone();
    for p in m.of_kind(Kind::Pdu) {
        if let Some(f) = m.get(p).feed
            && !down[p as usize]
        {
            load[f as usize] += direct[p as usize];
        }
    }
    load
}

fn power_scale(m: &Model) -> i128 {
    let widest = m.ids().map(|x| m.get(x).power.len()).max().unwrap_or(1);
    (1..=widest.max(1) as i128).fold(1, |acc, k| acc * k / gcd(acc, k))
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn is_source(m: &Model, x: EntityId) -> bool {
    matches!(kind(m, x), Kind::Pdu | Kind::Feed)
}

fn capacity(m: &Model, p: EntityId, scale: i128) -> Option<i128> {
    m.get(p).capacity_w.map(|c| {
        assert!(c.fract() == 0.0, "the generator only writes whole watts");
        c as i128 * scale
    })
}

/// (subject, culprits) per rule id, as names.
type Findings = BTreeMap<&'static str, BTreeSet<(String, Vec<String>)>>;

/// The rules' expected findings, by brute force. Culprits are left empty
/// for rules whose culprits are not compared.
fn ref_rules(m: &Model) -> Findings {
    let mut out: Findings = BTreeMap::new();
    let mut add = |rule: &'static str, s: EntityId, culprits: Vec<String>| {
        out.entry(rule)
            .or_default()
            .insert((m.name(s).to_owned(), culprits));
    };
    let base = ref_down(m, &[]);
    let services: Vec<EntityId> = m.of_kind(Kind::Service).collect();

    for &s in &services {
        if base[s as usize] {
            add("never-healthy", s, Vec::new());
        } else {
            let k = ref_killers(m, &[], s);
            if !k.is_empty() {
                add("single-point-of-failure", s, m.names_sorted(&k));
            }
        }
    }

    for &s in &services {
        let e = m.get(s);
        if !e.stateful {
            continue;
        }
        let copies: Vec<EntityId> = e.instances.iter().chain(&e.backups).copied().collect();
        if copies.iter().all(|&c| base[c as usize]) {
            continue;
        }
        let culprits: Vec<EntityId> = m
            .ids()
            .filter(|&u| is_culprit_unit(m, u))
            .filter(|&u| {
                let d = ref_down(m, &[u]);
                copies.iter().all(|&c| d[c as usize])
            })
            .collect();
        if !culprits.is_empty() {
            add("data-single-failure-domain", s, m.names_sorted(&culprits));
        }
    }

    for &s in &services {
        let e = m.get(s);
        let floating: Vec<EntityId> = e
            .instances
            .iter()
            .copied()
            .filter(|&i| kind(m, i) == Kind::Vm && m.get(i).host.is_none())
            .collect();
        let risky = floating.iter().enumerate().any(|(i, &x)| {
            floating[i + 1..].iter().any(|&y| {
                let c = m.get(x).cluster;
                c == m.get(y).cluster && {
                    let groups = &m.get(c.expect("floating")).anti_affinity;
                    !groups.iter().any(|g| g.contains(&x) && g.contains(&y))
                }
            })
        });
        if risky {
            add("colocation-risk", s, Vec::new());
        }
    }

    let scale = power_scale(m);
    let steady = ref_loads(m, &[], &base, scale);
    let mut overloaded = BTreeSet::new();
    for p in m.ids().filter(|&p| is_source(m, p)) {
        if let Some(cap) = capacity(m, p, scale)
            && steady[p as usize] > cap
        {
            overloaded.insert(p);
            add("power-overload", p, Vec::new());
        }
    }
    let sources: Vec<EntityId> = m.ids().filter(|&p| is_source(m, p)).collect();
    let after: Vec<(EntityId, Vec<bool>, Vec<i128>)> = sources
        .iter()
        .map(|&u| {
            let d = ref_down(m, &[u]);
            let l = ref_loads(m, &[u], &d, scale);
            (u, d, l)
        })
        .collect();
    for &p in &sources {
        let Some(cap) = capacity(m, p, scale) else {
            continue;
        };
        if overloaded.contains(&p) {
            continue;
        }
        let culprits: Vec<EntityId> = after
            .iter()
            .filter(|(u, d, l)| *u != p && !d[p as usize] && l[p as usize] > cap)
            .map(|(u, _, _)| *u)
            .collect();
        if !culprits.is_empty() {
            add("power-failover-overload", p, m.names_sorted(&culprits));
        }
    }

    for c in m.of_kind(Kind::Cluster) {
        let hosts: Vec<EntityId> = hosts_of(m, c)
            .into_iter()
            .filter(|&h| !m.get(h).standby)
            .collect();
        if !hosts.iter().any(|&h| m.get(h).memory_gb.is_some()) {
            continue;
        }
        let need: f64 = m
            .of_kind(Kind::Vm)
            .filter(|&v| {
                let e = m.get(v);
                match e.host {
                    Some(h) => m.get(h).cluster == Some(c),
                    None => e.cluster == Some(c),
                }
            })
            .map(|v| m.get(v).memory_gb.unwrap_or(0.0))
            .sum();
        // Every failure unit U that is one of these hosts or leaves one of
        // them UP, and after which the UP ones have less memory than the
        // vms need. Whole gigabytes only: these sums are exact.
        let short = m.ids().any(|u| {
            if !is_culprit_unit(m, u) {
                return false;
            }
            let down = ref_down(m, &[u]);
            let up: Vec<EntityId> = hosts
                .iter()
                .copied()
                .filter(|&h| !down[h as usize])
                .collect();
            (hosts.contains(&u) || !up.is_empty())
                && need
                    > up.iter()
                        .map(|&h| m.get(h).memory_gb.unwrap_or(0.0))
                        .sum::<f64>()
        });
        if short {
            add("cluster-failover-capacity", c, Vec::new());
        }
    }

    let reach = reachability(m);
    let on_cycle: Vec<EntityId> = m.ids().filter(|&x| reach[x as usize][x as usize]).collect();
    for &x in &on_cycle {
        let class: Vec<EntityId> = on_cycle
            .iter()
            .copied()
            .filter(|&y| reach[x as usize][y as usize] && reach[y as usize][x as usize])
            .collect();
        let names = m.names_sorted(&class);
        let subject = m.lookup(&names[0]).expect("named");
        add("dependency-cycle", subject, names);
    }
    out
}

// ---------------------------------------------------------------------------
// Helpers for comparing.
// ---------------------------------------------------------------------------

fn today() -> Date {
    Date {
        year: 2026,
        month: 1,
        day: 1,
    }
}

fn down_names(m: &Model, d: &[bool]) -> Vec<String> {
    let ids: Vec<EntityId> = m.ids().filter(|&x| d[x as usize]).collect();
    m.names_sorted(&ids)
}

/// Every failure set worth checking: none, each unit alone, the extra sets.
fn failure_sets(c: &Case) -> Vec<Vec<EntityId>> {
    let m = &c.model;
    let mut sets = vec![Vec::new()];
    sets.extend(
        m.ids()
            .filter(|&x| kind(m, x) != Kind::Cluster)
            .map(|x| vec![x]),
    );
    sets.extend(c.fail_sets.iter().cloned());
    sets
}

/// 300 cases per property unless `PROPTEST_CASES` asks for another number
/// (e.g. `PROPTEST_CASES=20000` for a deeper run).
fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 300;
    }
    c
}

// ---------------------------------------------------------------------------
// Properties.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// `engine::down` is the greatest fixed point of the DOWN conditions.
    #[test]
    fn down_matches_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let circuit = Circuit::build(m);
        for f in failure_sets(&c) {
            let got = engine::down(&circuit, &f);
            let want = ref_down(m, &f);
            prop_assert_eq!(
                down_names(m, &got),
                down_names(m, &want),
                "DOWN under F = {:?} (left: engine, right: reference)\n--- yaml ---\n{}",
                m.names_sorted(&f),
                c.yaml
            );
        }
    }

    /// Single points of failure: by failing every unit in turn.
    #[test]
    fn spofs_match_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let a = Analysis::new(m, today());
        let base = ref_down(m, &[]);
        let mut want_map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in m.of_kind(Kind::Service) {
            prop_assert_eq!(
                a.is_up(s),
                !base[s as usize],
                "service {} UP with nothing failed\n--- yaml ---\n{}",
                m.name(s),
                c.yaml
            );
            if base[s as usize] {
                continue;
            }
            let want = m.names_sorted(&ref_killers(m, &[], s));
            let got: Vec<String> = a.spofs(s).iter().map(|&x| m.name(x).to_owned()).collect();
            prop_assert_eq!(
                &got,
                &want,
                "SPOFs of {} (left: analysis, right: reference)\n--- yaml ---\n{}",
                m.name(s),
                c.yaml
            );
            want_map.insert(m.name(s).to_owned(), want);
        }
        prop_assert_eq!(
            commands::spof::compute(&a),
            want_map,
            "`spof` output (left: command, right: reference)\n--- yaml ---\n{}",
            c.yaml
        );
    }

    /// `impact`: down, degraded and at_risk under a failure set.
    #[test]
    fn impact_matches_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let a = Analysis::new(m, today());
        for f in failure_sets(&c) {
            let got = commands::impact::compute(&a, &f);
            let d = ref_down(m, &f);
            let services: Vec<EntityId> = m.of_kind(Kind::Service).collect();
            let degraded: Vec<EntityId> = services
                .iter()
                .copied()
                .filter(|&s| {
                    !d[s as usize] && m.get(s).instances.iter().any(|&i| d[i as usize])
                })
                .collect();
            let mut at_risk: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for &s in services.iter().filter(|&&s| !d[s as usize]) {
                let k = ref_killers(m, &f, s);
                if !k.is_empty() {
                    at_risk.insert(m.name(s).to_owned(), m.names_sorted(&k));
                }
            }
            let fnames = m.names_sorted(&f);
            prop_assert_eq!(
                &got.down,
                &down_names(m, &d),
                "impact down under F = {:?} (left: command, right: reference)\n--- yaml ---\n{}",
                fnames,
                c.yaml
            );
            prop_assert_eq!(
                &got.degraded,
                &m.names_sorted(&degraded),
                "impact degraded under F = {:?} (left: command, right: reference)\n--- yaml ---\n{}",
                fnames,
                c.yaml
            );
            prop_assert_eq!(
                &got.at_risk,
                &at_risk,
                "impact at_risk under F = {:?} (left: command, right: reference)\n--- yaml ---\n{}",
                fnames,
                c.yaml
            );
        }
    }

    /// Minimal cut sets up to order 3, and the availability estimate built
    /// on those of order 1 and 2 (section 7).
    #[test]
    fn cuts_and_availability_match_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let a = Analysis::new(m, today());
        let defaults = Defaults::default();
        for s in m.of_kind(Kind::Service) {
            let want = ref_cuts(m, s, 3);
            let cuts3 = a.cuts(3).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let got: Vec<Vec<String>> = by_name(m, &cuts3.family(s))
                .iter()
                .map(|cut| cut.iter().map(|&x| m.name(x).to_owned()).collect())
                .collect();
            prop_assert_eq!(
                &got,
                &want,
                "minimal cut sets of {} (left: cuts, right: reference)\n--- yaml ---\n{}",
                m.name(s),
                c.yaml
            );
            let up = !ref_down(m, &[])[s as usize];
            let unavailable: f64 = want
                .iter()
                .filter(|cut| cut.len() <= 2)
                .map(|cut| {
                    cut.iter()
                        .map(|n| {
                            let e = m.get(m.lookup(n).expect("named"));
                            1.0 - e.availability.unwrap_or_else(|| defaults.of(e.kind()))
                        })
                        .product::<f64>()
                })
                .sum();
            let expected = if up { 1.0 - unavailable } else { 0.0 };
            let cuts2 = a.cuts(2).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let est = estimate(m, cuts2, &defaults, s);
            prop_assert!(
                (est.availability - expected).abs() < 1e-11,
                "availability of {}: estimate {} vs reference {}\n--- yaml ---\n{}",
                m.name(s),
                est.availability,
                expected,
                c.yaml
            );
        }
    }

    /// The spread template: the smallest set of racks (or sites, hosts)
    /// whose joint failure takes every instance down, first in definition
    /// order, against trying every set of units of the kind.
    #[test]
    fn spread_matches_reference(g in gen_estate(), min in 2usize..=4, kind_pick in 0usize..3) {
        let c = setup(&g)?;
        let m = &c.model;
        let (kind, name) = [(Kind::Rack, "rack"), (Kind::Site, "site"), (Kind::Host, "host")][kind_pick];
        let rule = format!(
            "id: spans\nseverity: error\nsummary: spans {min} {name}s\ntemplate: spread\nparams: {{kind: {name}, min: {min}}}\n"
        );
        let got = findings_of_rule(m, "spans", &rule)?;
        let base = ref_down(m, &[]);
        let candidates: Vec<EntityId> = m
            .of_kind(kind)
            .filter(|&u| !base[u as usize])
            .collect();
        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in m.of_kind(Kind::Service) {
            let inst = &m.get(s).instances;
            if inst.iter().all(|&i| base[i as usize]) {
                continue;
            }
            'sizes: for size in 1..min {
                let mut first: Option<Vec<EntityId>> = None;
                for_each_subset(&candidates, size, &mut |set: &[EntityId]| {
                    if first.is_none() {
                        let d = ref_down(m, set);
                        if inst.iter().all(|&i| d[i as usize]) {
                            first = Some(set.to_vec());
                        }
                    }
                });
                if let Some(set) = first {
                    want.insert(m.name(s).to_owned(), m.names_sorted(&set));
                    break 'sizes;
                }
            }
        }
        prop_assert_eq!(
            &got,
            &want,
            "spread over {}s, min {} (left: rule, right: reference)\n--- yaml ---\n{}",
            name,
            min,
            c.yaml
        );
    }

    /// The separation template: a unit is shared when its failure alone
    /// takes down an entity of each side (here services against vms and
    /// hosts), against failing every unit in turn.
    #[test]
    fn separation_matches_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let rule = "id: apart\nseverity: error\nsummary: apart\ntemplate: separation\nparams: {a: {kinds: [service]}, b: {kinds: [vm, host]}}\n";
        let got = findings_of_rule(m, "apart", rule)?;
        let base = ref_down(m, &[]);
        let side = |k: &[Kind]| -> Vec<EntityId> {
            m.ids().filter(|&x| k.contains(&kind(m, x)) && !base[x as usize]).collect()
        };
        let (left, right) = (side(&[Kind::Service]), side(&[Kind::Vm, Kind::Host]));
        let mut want: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for &x in &left {
            let mine = ref_killers(m, &[], x);
            let shared: Vec<EntityId> = mine
                .iter()
                .copied()
                .filter(|u| {
                    right
                        .iter()
                        .any(|&y| y != x && ref_killers(m, &[], y).contains(u))
                })
                .collect();
            if !shared.is_empty() {
                want.insert(m.name(x).to_owned(), m.names_sorted(&shared));
            }
        }
        prop_assert_eq!(
            &got,
            &want,
            "separation (left: rule, right: reference)\n--- yaml ---\n{}",
            c.yaml
        );
    }

    /// The threshold algebra on its own, on wider groups than the estates
    /// produce: "at least t of these members" for random member families
    /// over a few units, against trying every set of units.
    #[test]
    fn at_least_matches_reference(
        members in vec(vec(vec(0u32..9, 1..=3), 0..=4), 1..=12),
        t_pick in any::<usize>(),
        order in 1usize..=4,
    ) {
        let t = 1 + t_pick % members.len();
        let families: Vec<Vec<Cut>> = members
            .iter()
            .map(|f| engine::minimize(f.iter().filter_map(|c| Cut::of(c)).collect()))
            .collect();
        let refs: Vec<&[Cut]> = families.iter().map(Vec::as_slice).collect();
        let bounds = Bounds { order, limit: 1_000_000 };
        let got: Vec<Vec<u32>> = engine::at_least(t, &refs, &bounds)
            .expect("small families stay under the limit")
            .iter()
            .map(|c| c.members().to_vec())
            .collect();
        // Reference: every set of at most `order` units, smallest first.
        let units: Vec<u32> = (0..9).collect();
        let mut want: Vec<Vec<u32>> = Vec::new();
        for size in 0..=order {
            for_each_subset(&units, size, &mut |set: &[u32]| {
                let downed = families
                    .iter()
                    .filter(|f| f.iter().any(|c| c.members().iter().all(|u| set.contains(u))))
                    .count();
                let minimal = !want.iter().any(|w| w.iter().all(|u| set.contains(u)));
                if downed >= t && minimal {
                    want.push(set.to_vec());
                }
            });
        }
        want.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        prop_assert_eq!(got, want, "at least {} of {:?}, order {}", t, members, order);
    }

    /// The built-in rules whose answers the format defines exactly.
    #[test]
    fn rules_match_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let a = Analysis::new(m, today());
        let Ok(rules) = RuleSet::load(Vec::new()) else {
            return Err(TestCaseError::fail("the built-in rules do not load"));
        };
        let outcome = check::run(&a, &rules);
        let want = ref_rules(m);
        let compared: [(&str, bool); 9] = [
            ("single-point-of-failure", true),
            ("data-single-failure-domain", true),
            ("power-overload", false),
            ("power-failover-overload", true),
            ("colocation-risk", false),
            ("cluster-failover-capacity", false),
            ("never-healthy", false),
            ("dependency-cycle", true),
            ("expired-waiver", false),
        ];
        for (rule, with_culprits) in compared {
            let got: BTreeSet<(String, Vec<String>)> = outcome
                .findings
                .iter()
                .filter(|f| f.rule == rule)
                .map(|f| {
                    let culprits = if with_culprits {
                        f.culprits.iter().map(|&x| m.name(x).to_owned()).collect()
                    } else {
                        Vec::new()
                    };
                    (m.name(f.subject).to_owned(), culprits)
                })
                .collect();
            let expected = want.get(rule).cloned().unwrap_or_default();
            prop_assert_eq!(
                &got,
                &expected,
                "rule {} (left: check, right: reference)\n--- yaml ---\n{}",
                rule,
                c.yaml
            );
        }
    }
}

proptest! {
    #![proptest_config(config())]

    /// Failure paths (README, "Failure paths"): every culprit of every
    /// single-point-of-failure finding has a valid, shortest chain, in the
    /// finding and in the JSON report. A custom rule of order 2 gets chains
    /// under one of its service's minimal pairs that holds the culprit.
    #[test]
    fn paths_match_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let a = Analysis::new(m, today());
        let pairs = "id: pairs\nseverity: warning\nsummary: two failures\n\
                     template: single-point-of-failure\nparams: {order: 2}\n";
        let Ok(rules) = RuleSet::load(vec![("pairs.yaml".into(), pairs.as_bytes().to_vec())]) else {
            return Err(TestCaseError::fail("the rules do not load"));
        };
        let mut outcome = check::run(&a, &rules);
        let attached = faultline::check::paths::attach(&a, &rules, &mut outcome, faultline::check::paths::Want::All);
        prop_assert!(attached.is_ok(), "{:?}", attached);
        let report = faultline::report::json::check(m, &outcome);
        for (i, f) in outcome.findings.iter().enumerate() {
            let spof = f.rule == "single-point-of-failure" || f.rule == "pairs";
            prop_assert_eq!(outcome.paths[i].is_some(), spof, "paths on {} only", f.rule);
            let Some(paths) = &outcome.paths[i] else { continue };
            let culprits: Vec<EntityId> = paths.iter().map(|ch| ch.culprit).collect();
            prop_assert_eq!(&culprits, &f.culprits, "a chain per culprit\n--- yaml ---\n{}", c.yaml);
            for ch in paths {
                let failed = if f.rule == "pairs" {
                    prop_assert!(ch.cut.contains(&ch.culprit) && ch.cut.len() <= 2);
                    let want = ref_cuts(m, f.subject, 2);
                    prop_assert!(
                        want.contains(&m.names_sorted(&ch.cut)),
                        "{:?} is not a minimal cut set of {}\n--- yaml ---\n{}",
                        m.names_sorted(&ch.cut), m.name(f.subject), c.yaml
                    );
                    ch.cut.clone()
                } else {
                    prop_assert!(ch.cut.is_empty());
                    vec![ch.culprit]
                };
                let verdict = check_chain(m, f.subject, ch.culprit, &failed, &ch.steps);
                prop_assert!(
                    verdict.is_ok(),
                    "{} of {} via {}: {}\n--- yaml ---\n{}",
                    f.rule, m.name(f.subject), m.name(ch.culprit),
                    verdict.err().unwrap_or_default(), c.yaml
                );
                let json: Vec<String> = report["findings"][i]["paths"][m.name(ch.culprit)]
                    .as_array()
                    .map(|v| v.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                let names: Vec<String> = ch.steps.iter().map(|&x| m.name(x).to_owned()).collect();
                prop_assert_eq!(json, names, "the JSON chain is the chain");
            }
        }
    }
}

/// The findings of one custom rule (`id`, written as `text`) on `m`: subject
/// to culprits, by name.
fn findings_of_rule(
    m: &Model,
    id: &str,
    text: &str,
) -> Result<BTreeMap<String, Vec<String>>, TestCaseError> {
    let Ok(rules) = RuleSet::load(vec![(format!("{id}.yaml"), text.as_bytes().to_vec())]) else {
        return Err(TestCaseError::fail(format!("rule {id} does not load")));
    };
    let a = Analysis::new(m, today());
    Ok(check::run(&a, &rules)
        .findings
        .into_iter()
        .filter(|f| f.rule == id)
        .map(|f| (m.name(f.subject).to_owned(), m.names_sorted(&f.culprits)))
        .collect())
}

/// Order 4 by brute force tries every set of four units: fewer cases.
fn deep_config() -> ProptestConfig {
    let mut c = config();
    c.cases = (c.cases / 6).max(1);
    c
}

proptest! {
    #![proptest_config(deep_config())]

    /// Cut sets of order 4, the availability estimate at orders 1 to 3,
    /// and the estate-wide ranking of `risks` (section 7), all against the
    /// brute-force cut sets.
    #[test]
    fn higher_orders_and_risks_match_reference(g in gen_estate()) {
        let c = setup(&g)?;
        let m = &c.model;
        let a = Analysis::new(m, today());
        let defaults = Defaults::default();
        let base = ref_down(m, &[]);
        let q = |n: &String| {
            let e = m.get(m.lookup(n).expect("named"));
            1.0 - e.availability.unwrap_or_else(|| defaults.of(e.kind()))
        };
        let cuts4 = a.cuts(4).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut want_share: BTreeMap<String, (f64, BTreeSet<String>)> = BTreeMap::new();
        for s in m.of_kind(Kind::Service) {
            let want = ref_cuts(m, s, 4);
            let got: Vec<Vec<String>> = by_name(m, &cuts4.family(s))
                .iter()
                .map(|cut| cut.iter().map(|&x| m.name(x).to_owned()).collect())
                .collect();
            prop_assert_eq!(
                &got,
                &want,
                "order-4 cut sets of {} (left: engine, right: reference)\n--- yaml ---\n{}",
                m.name(s),
                c.yaml
            );
            for order in 1..=3 {
                let unavailable: f64 = want
                    .iter()
                    .filter(|cut| cut.len() <= order)
                    .map(|cut| cut.iter().map(q).product::<f64>())
                    .sum();
                let expected = if base[s as usize] { 0.0 } else { 1.0 - unavailable };
                let cs = a.cuts(order).map_err(|e| TestCaseError::fail(e.to_string()))?;
                let est = estimate(m, cs, &defaults, s);
                prop_assert!(
                    (est.availability - expected).abs() < 1e-11,
                    "order-{} availability of {}: {} vs reference {}\n--- yaml ---\n{}",
                    order,
                    m.name(s),
                    est.availability,
                    expected,
                    c.yaml
                );
            }
            if base[s as usize] {
                continue;
            }
            for cut in want.iter().filter(|cut| cut.len() <= 3) {
                let p: f64 = cut.iter().map(q).product();
                for u in cut {
                    let e = want_share.entry(u.clone()).or_default();
                    e.0 += p;
                    e.1.insert(m.name(s).to_owned());
                }
            }
        }
        let got = risks::compute(&a, 3).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got_units: BTreeMap<String, (f64, BTreeSet<String>)> = got
            .iter()
            .map(|r| {
                (
                    m.name(r.unit).to_owned(),
                    (r.unavailability, r.services.iter().map(|&s| m.name(s).to_owned()).collect()),
                )
            })
            .collect();
        prop_assert_eq!(
            got_units.keys().collect::<Vec<_>>(),
            want_share.keys().collect::<Vec<_>>(),
            "units ranked by risks (left: command, right: reference)\n--- yaml ---\n{}",
            c.yaml
        );
        for (u, (x, svcs)) in &want_share {
            let (gx, gsvcs) = &got_units[u];
            prop_assert!(
                (gx - x).abs() < 1e-12 && gsvcs == svcs,
                "risk of {}: {} {:?} vs reference {} {:?}\n--- yaml ---\n{}",
                u, gx, gsvcs, x, svcs, c.yaml
            );
        }
        for w in got.windows(2) {
            prop_assert!(
                w[0].unavailability > w[1].unavailability
                    || (w[0].unavailability == w[1].unavailability
                        && m.name(w[0].unit) < m.name(w[1].unit)),
                "risks not sorted\n--- yaml ---\n{}",
                c.yaml
            );
        }
    }

}

/// The properties above are only as good as the estates they see: on a
/// fixed sample, every compared rule must fire, and the tricky shapes
/// (cycles through an UP service, fault-tolerant and floating vms,
/// services without any SPOF, failure sets that leave services degraded)
/// must all occur.
#[test]
fn generator_reaches_every_case() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = gen_estate();
    let Ok(rules) = RuleSet::load(Vec::new()) else {
        panic!("the built-in rules do not load");
    };
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut note = |what: &str| *seen.entry(what.to_owned()).or_default() += 1;
    let mut largest = 0;
    for _ in 0..300 {
        let g = strategy
            .new_tree(&mut runner)
            .expect("a strategy value")
            .current();
        let c = match setup(&g) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        };
        let m = &c.model;
        largest = largest.max(m.len());
        let a = Analysis::new(m, today());
        let rules_hit: BTreeSet<String> = check::run(&a, &rules)
            .findings
            .into_iter()
            .map(|f| f.rule)
            .collect();
        rules_hit.iter().for_each(|r| note(r));
        let base = ref_down(m, &[]);
        let up = |x: EntityId| !base[x as usize];
        if m.of_kind(Kind::Service)
            .any(|s| up(s) && a.spofs(s).is_empty())
        {
            note("service without SPOF");
        }
        if a.cycles()
            .iter()
            .any(|scc| scc.iter().any(|&x| kind(m, x) == Kind::Service && up(x)))
        {
            note("UP service on a cycle");
        }
        if m.of_kind(Kind::Vm).any(|v| m.get(v).ft_secondary.is_some()) {
            note("fault-tolerant vm");
        }
        if m.of_kind(Kind::Vm).any(|v| m.get(v).host.is_none()) {
            note("floating vm");
        }
        if m.of_kind(Kind::Host).any(|h| m.get(h).standby) {
            note("standby host");
        }
        if failure_sets(&c)
            .iter()
            .any(|f| !commands::impact::compute(&a, f).degraded.is_empty())
        {
            note("degraded service");
        }
    }
    let wanted = [
        "single-point-of-failure",
        "data-single-failure-domain",
        "power-overload",
        "power-failover-overload",
        "colocation-risk",
        "cluster-failover-capacity",
        "never-healthy",
        "dependency-cycle",
        "service without SPOF",
        "UP service on a cycle",
        "fault-tolerant vm",
        "floating vm",
        "standby host",
        "degraded service",
    ];
    for w in wanted {
        assert!(
            seen.get(w).copied().unwrap_or(0) > 0,
            "the generator never produced: {w} (seen: {seen:?})"
        );
    }
    assert!(largest <= 30, "estates stay small (largest: {largest})");
}
