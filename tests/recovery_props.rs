//! Recovery objectives (FORMAT §8) against a brute-force reading of the
//! text: every placement of every floating vm enumerated, what goes down
//! at time 0 as a plain least fixed point, return times as the limit of
//! applying the rules from "never", and recovery points from §3 alone.
//! The reference reads `Model` entities only (no circuit, no search).

use faultline::analysis::Analysis;
use faultline::analysis::recovery::eval::NEVER;
use faultline::model::load::load_str;
use faultline::model::{EntityId, Kind, Model};
use proptest::prelude::*;

/// A tiny deterministic generator, so a failing seed replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn dur(&mut self) -> String {
        ["0", "0s", "10s", "30s", "1m", "2m", "5m", "1h"][self.below(8)].to_owned()
    }
    fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[self.below(v.len())]
    }
}

fn estate(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let mut y = String::from("sites: {s1: {}}\n");
    let racks: Vec<String> = (0..1 + r.below(2)).map(|i| format!("r{i}")).collect();
    y.push_str("racks:\n");
    for k in &racks {
        y.push_str(&format!("  {k}: {{site: s1}}\n"));
    }
    let pdus: Vec<String> = (0..r.below(3)).map(|i| format!("p{i}")).collect();
    if !pdus.is_empty() {
        y.push_str("pdus:\n");
        for p in &pdus {
            let rk = r.pick(&racks).to_owned();
            let extra = if r.chance(30) {
                format!(", repair: {}", r.dur())
            } else {
                String::new()
            };
            y.push_str(&format!("  {p}: {{rack: {rk}{extra}}}\n"));
        }
    }
    let nclusters = 1 + r.below(2);
    let clusters: Vec<String> = (0..nclusters).map(|i| format!("c{i}")).collect();
    let hosts: Vec<String> = (0..2 + r.below(3)).map(|i| format!("h{i}")).collect();
    y.push_str("hosts:\n");
    for (i, h) in hosts.iter().enumerate() {
        let mut f = vec![format!("rack: {}", r.pick(&racks))];
        f.push(format!("cluster: {}", clusters[i % nclusters]));
        if !pdus.is_empty() && r.chance(50) {
            let a = r.pick(&pdus).to_owned();
            let b = r.pick(&pdus).to_owned();
            f.push(if a == b {
                format!("power: [{a}]")
            } else {
                format!("power: [{a}, {b}]")
            });
        }
        if i >= 2 && r.chance(15) {
            f.push("standby: true".into());
        }
        if r.chance(30) {
            f.push(format!("repair: {}", r.dur()));
        }
        if r.chance(30) {
            f.push(format!("start: {}", r.dur()));
        }
        y.push_str(&format!("  {h}: {{{}}}\n", f.join(", ")));
    }
    let comps: Vec<String> = (0..r.below(3)).map(|i| format!("k{i}")).collect();
    let vms_floating: Vec<(String, usize)> = (0..1 + r.below(5))
        .map(|i| (format!("v{i}"), r.below(nclusters)))
        .collect();
    let pinned: Vec<String> = (0..r.below(3)).map(|i| format!("q{i}")).collect();
    y.push_str("clusters:\n");
    for (ci, c) in clusters.iter().enumerate() {
        let mut f = Vec::new();
        if r.chance(70) {
            f.push("ha: restart".to_owned());
        }
        if r.chance(30) {
            f.push(format!("restart: {}", r.dur()));
        }
        let mine: Vec<String> = vms_floating
            .iter()
            .filter(|(_, c)| *c == ci)
            .map(|(v, _)| v.clone())
            .collect();
        if mine.len() >= 2 {
            let mut lists = Vec::new();
            for _ in 0..r.below(4) {
                let a = r.pick(&mine).to_owned();
                let b = r.pick(&mine).to_owned();
                let c3 = r.pick(&mine).to_owned();
                let mut l = vec![a, b];
                if r.chance(40) {
                    l.push(c3);
                }
                l.sort();
                l.dedup();
                if l.len() >= 2 {
                    lists.push(format!("[{}]", l.join(", ")));
                }
            }
            if !lists.is_empty() {
                f.push(format!("anti_affinity: [{}]", lists.join(", ")));
            }
        }
        if !comps.is_empty() && r.chance(20) {
            f.push(format!("requires: [{}]", r.pick(&comps)));
        }
        y.push_str(&format!("  {c}: {{{}}}\n", f.join(", ")));
    }
    y.push_str("vms:\n");
    for (v, ci) in &vms_floating {
        let mut f = vec![format!("cluster: {}", clusters[*ci])];
        if r.chance(25) {
            f.push(format!("start: {}", r.dur()));
        }
        if r.chance(20) {
            f.push(format!("repair: {}", r.dur()));
        }
        y.push_str(&format!("  {v}: {{{}}}\n", f.join(", ")));
    }
    for q in &pinned {
        let h = r.pick(&hosts).to_owned();
        let mut f = vec![format!("host: {h}")];
        if r.chance(40) {
            let s = r.pick(&hosts).to_owned();
            if s != h {
                f.push(format!("ft_secondary: {s}"));
            }
        }
        y.push_str(&format!("  {q}: {{{}}}\n", f.join(", ")));
    }
    let mut all_vms: Vec<String> = vms_floating.iter().map(|(v, _)| v.clone()).collect();
    all_vms.extend(pinned.iter().cloned());
    if !comps.is_empty() {
        y.push_str("components:\n");
        for k in &comps {
            let mut f = vec![
                "kind: storage".to_owned(),
                format!("rack: {}", r.pick(&racks)),
            ];
            if r.chance(25) {
                // Storage on a vm of the cluster it serves: a cycle.
                f.push(format!("requires: [{}]", r.pick(&all_vms)));
            }
            if r.chance(30) {
                f.push(format!("start: {}", r.dur()));
            }
            y.push_str(&format!("  {k}: {{{}}}\n", f.join(", ")));
        }
    }
    let svcs: Vec<String> = (0..1 + r.below(3)).map(|i| format!("svc{i}")).collect();
    y.push_str("services:\n");
    for (i, s) in svcs.iter().enumerate() {
        let n = 1 + r.below(3.min(all_vms.len()));
        let mut inst: Vec<String> = (0..n).map(|_| r.pick(&all_vms).to_owned()).collect();
        inst.sort();
        inst.dedup();
        let mut f = vec![format!("instances: [{}]", inst.join(", "))];
        if inst.len() > 1 && r.chance(40) {
            f.push(format!("min_healthy: {}", 1 + r.below(inst.len())));
        }
        if r.chance(40) {
            f.push(format!("failover: {}", r.dur()));
        }
        if i > 0 && r.chance(30) {
            f.push(format!("depends_on: [{}]", svcs[r.below(i)]));
        }
        if r.chance(50) {
            f.push("stateful: true".into());
            if r.chance(50) {
                f.push(format!("replica_lag: {}", r.dur()));
            }
            if r.chance(50) {
                f.push(format!("backups: [{}]", r.pick(&hosts)));
            }
        }
        y.push_str(&format!("  {s}: {{{}}}\n", f.join(", ")));
    }
    y
}

// ---------------------------------------------------------------------------
// The reference.
// ---------------------------------------------------------------------------

struct Ref<'m> {
    m: &'m Model,
    a: &'m Analysis<'m>,
}

impl Ref<'_> {
    fn all_of(&self, x: EntityId) -> Vec<EntityId> {
        let e = self.m.get(x);
        let mut v: Vec<EntityId> = Vec::new();
        v.extend(e.site);
        v.extend(e.rack);
        v.extend(e.feed);
        v.extend(&e.requires);
        v.extend(&e.depends_on);
        if e.kind() == Kind::Vm {
            if let (Some(h), None) = (e.host, e.ft_secondary) {
                v.push(h);
            }
            let cl = e
                .cluster
                .or_else(|| e.host.and_then(|h| self.m.get(h).cluster));
            if let Some(c) = cl {
                v.extend(&self.m.get(c).requires);
            }
        }
        v
    }
    fn any_of(&self, x: EntityId) -> Vec<Vec<EntityId>> {
        let e = self.m.get(x);
        let mut g = Vec::new();
        for l in [&e.power, &e.network, &e.uplinks] {
            if !l.is_empty() {
                g.push(l.clone());
            }
        }
        if let (Some(h), Some(s)) = (e.host, e.ft_secondary) {
            g.push(vec![h, s]);
        }
        g
    }
    fn hosts(&self, c: EntityId) -> Vec<EntityId> {
        self.m.cluster_hosts[c as usize]
            .iter()
            .copied()
            .filter(|&h| !self.m.get(h).standby)
            .collect()
    }
    fn floating(&self, x: EntityId) -> bool {
        self.m.is_floating_vm(x)
    }

    /// §3 DOWN under F.
    fn down(&self, f: &[EntityId]) -> Vec<bool> {
        let n = self.m.len();
        let mut d = vec![false; n];
        loop {
            let mut ch = false;
            for x in 0..n as EntityId {
                if d[x as usize] {
                    continue;
                }
                let e = self.m.get(x);
                if e.kind() == Kind::Cluster {
                    continue;
                }
                let mut v = f.contains(&x) || (e.kind() == Kind::Host && e.standby);
                v |= self.all_of(x).iter().any(|&a| d[a as usize]);
                v |= self
                    .any_of(x)
                    .iter()
                    .any(|g| g.iter().all(|&a| d[a as usize]));
                if self.floating(x) {
                    v |= self.m.cluster_hosts[e.cluster.unwrap() as usize]
                        .iter()
                        .all(|&h| d[h as usize]);
                }
                if e.kind() == Kind::Service {
                    let up = e.instances.iter().filter(|&&i| !d[i as usize]).count();
                    v |= up < e.min_healthy as usize;
                }
                if v {
                    d[x as usize] = true;
                    ch = true;
                }
            }
            if !ch {
                return d;
            }
        }
    }

    fn need(&self, x: EntityId, r: &[u64]) -> u64 {
        let mut n = 0;
        for a in self.all_of(x) {
            n = n.max(r[a as usize]);
        }
        for g in self.any_of(x) {
            n = n.max(g.iter().map(|&a| r[a as usize]).min().unwrap());
        }
        n
    }

    /// One application of the rules.
    fn rule(
        &self,
        u: EntityId,
        x: EntityId,
        r: &[u64],
        place: &[Option<EntityId>],
        up0: &[bool],
    ) -> u64 {
        let s = self.a.recovery_setup();
        let e = self.m.get(x);
        let add = |a: u64, b: u64| {
            if a == NEVER || b == NEVER {
                NEVER
            } else {
                a + b
            }
        };
        let need = self.need(x, r);
        let base = if need == 0 {
            0
        } else {
            add(need, s.start[x as usize])
        };
        if x == u {
            return s.repair[x as usize].max(base);
        }
        if e.kind() == Kind::Host && e.standby {
            return NEVER;
        }
        if self.floating(x) {
            let c = e.cluster.unwrap();
            let hs = self.hosts(c);
            if hs.is_empty() {
                return NEVER;
            }
            let p = place[x as usize].unwrap();
            if r[p as usize] == 0 {
                return base;
            }
            return match s.restart[c as usize] {
                Some(rt) => {
                    if hs.iter().any(|&h| r[h as usize] == 0) {
                        rt.max(base)
                    } else {
                        add(rt, hs.iter().map(|&h| r[h as usize]).min().unwrap()).max(base)
                    }
                }
                None => add(r[p as usize], s.start[x as usize]).max(base),
            };
        }
        if e.kind() == Kind::Service {
            let k = e.min_healthy as usize;
            let mut vs: Vec<u64> = e.instances.iter().map(|&i| r[i as usize]).collect();
            vs.sort_unstable();
            let q = if vs.len() < k { NEVER } else { vs[k - 1] };
            let inst = if q > 0 {
                q
            } else if e
                .instances
                .iter()
                .any(|&i| up0[i as usize] && r[i as usize] > 0)
            {
                s.failover[x as usize]
            } else {
                0
            };
            let mut v = inst;
            for &d in e.depends_on.iter().chain(&e.requires) {
                v = v.max(r[d as usize]);
            }
            return v;
        }
        base
    }

    fn returns(&self, u: EntityId, place: &[Option<EntityId>], up0: &[bool]) -> Vec<u64> {
        let n = self.m.len();
        let skip = |x: EntityId| self.m.get(x).kind() == Kind::Cluster;
        // 1. Z: least set, rules read as "R > 0".
        let mut z = vec![0u64; n];
        loop {
            let mut ch = false;
            for x in 0..n as EntityId {
                if skip(x) || z[x as usize] > 0 {
                    continue;
                }
                if self.rule(u, x, &z, place, up0) > 0 {
                    z[x as usize] = 1;
                    ch = true;
                }
            }
            if !ch {
                break;
            }
        }
        // 2. From never on Z, apply the rules until nothing changes.
        let mut r: Vec<u64> = (0..n).map(|x| if z[x] > 0 { NEVER } else { 0 }).collect();
        for _ in 0..10 * n + 10 {
            let mut ch = false;
            for x in 0..n as EntityId {
                if skip(x) || z[x as usize] == 0 {
                    continue;
                }
                let v = self.rule(u, x, &r, place, up0);
                if v != r[x as usize] {
                    r[x as usize] = v;
                    ch = true;
                }
            }
            if !ch {
                break;
            }
        }
        r
    }

    /// RTO(S, u) for every service.
    fn rto(&self, u: EntityId) -> Vec<u64> {
        let m = self.m;
        let d = self.down(&[u]);
        let up0: Vec<bool> = self.down(&[]).iter().map(|b| !b).collect();
        let vms: Vec<EntityId> = m
            .ids()
            .filter(|&x| self.floating(x) && !self.hosts(m.get(x).cluster.unwrap()).is_empty())
            .collect();
        let opts: Vec<Vec<EntityId>> = vms
            .iter()
            .map(|&v| self.hosts(m.get(v).cluster.unwrap()))
            .collect();
        let mut all = Vec::new();
        let mut idx = vec![0usize; vms.len()];
        loop {
            let mut place = vec![None; m.len()];
            for (i, &v) in vms.iter().enumerate() {
                place[v as usize] = Some(opts[i][idx[i]]);
            }
            all.push(place);
            let mut i = 0;
            loop {
                if i == vms.len() {
                    break;
                }
                idx[i] += 1;
                if idx[i] < opts[i].len() {
                    break;
                }
                idx[i] = 0;
                i += 1;
            }
            if i == vms.len() {
                break;
            }
        }
        // A cluster's lists bind only where some placement honours them
        // all (otherwise the scheduler must break one: any placement).
        let honours = |c: EntityId, p: &Vec<Option<EntityId>>| {
            m.get(c).anti_affinity.iter().all(|l| {
                l.iter().enumerate().all(|(i, &a)| {
                    l[i + 1..].iter().all(|&b| {
                        !(self.floating(a)
                            && self.floating(b)
                            && p[a as usize].is_some()
                            && p[a as usize] == p[b as usize]
                            && d[p[a as usize].unwrap() as usize])
                    })
                })
            })
        };
        let clusters: Vec<EntityId> = m
            .ids()
            .filter(|&c| m.get(c).kind() == Kind::Cluster)
            .collect();
        let binding: Vec<EntityId> = clusters
            .iter()
            .copied()
            .filter(|&c| all.iter().any(|p| honours(c, p)))
            .collect();
        let ok: Vec<&Vec<Option<EntityId>>> = all
            .iter()
            .filter(|p| binding.iter().all(|&c| honours(c, p)))
            .collect();
        let mut best = vec![0u64; m.len()];
        for p in ok {
            let r = self.returns(u, p, &up0);
            for s in m.of_kind(Kind::Service) {
                best[s as usize] = best[s as usize].max(r[s as usize]);
            }
        }
        best
    }

    fn rpo(&self, u: EntityId, s: EntityId) -> u64 {
        let d = self.down(&[u]);
        let e = self.m.get(s);
        if e.instances.iter().all(|&i| !d[i as usize]) {
            return 0;
        }
        let rec = e.recovery.as_deref();
        let mut v = NEVER;
        if e.instances.iter().any(|&i| !d[i as usize]) {
            v = v.min(rec.and_then(|r| r.replica_lag).unwrap_or(0));
        }
        if e.backups.iter().any(|&b| !d[b as usize]) {
            v = v.min(rec.and_then(|r| r.backup_interval).unwrap_or(86_400));
        }
        v
    }
}

/// Pools: hosts of a cluster that fail alike (same rack, same repair),
/// some with pinned vms, floating vms under lists that overlap or not,
/// services with targets, so that failures that leave a pool alike are
/// worked out once and must still agree unit by unit.
fn pool_estate(seed: u64) -> String {
    let mut r = Rng(seed | 1);
    let mut y = String::from("sites: {s1: {}}\nracks: {r0: {site: s1}, r1: {site: s1}}\n");
    y.push_str("switches: {t0: {rack: r0}}\n");
    let nclusters = 1 + r.below(2);
    let clusters: Vec<String> = (0..nclusters).map(|i| format!("c{i}")).collect();
    let hosts: Vec<String> = (0..3 + r.below(2)).map(|i| format!("h{i}")).collect();
    let repair = r.dur();
    y.push_str("hosts:\n");
    for (i, h) in hosts.iter().enumerate() {
        let mut f = vec![
            format!("rack: {}", if r.chance(70) { "r0" } else { "r1" }),
            format!(
                "cluster: {}",
                clusters[if r.chance(80) { 0 } else { i % nclusters }]
            ),
        ];
        if r.chance(50) {
            f.push("network: [t0]".into());
        }
        f.push(format!(
            "repair: {}",
            if r.chance(80) {
                repair.clone()
            } else {
                r.dur()
            }
        ));
        if i >= 3 && r.chance(15) {
            f.push("standby: true".into());
        }
        y.push_str(&format!("  {h}: {{{}}}\n", f.join(", ")));
    }
    let floating: Vec<(String, usize)> = (0..2 + r.below(4))
        .map(|i| {
            (
                format!("v{i}"),
                if r.chance(80) { 0 } else { r.below(nclusters) },
            )
        })
        .collect();
    let pinned: Vec<String> = (0..r.below(3)).map(|i| format!("q{i}")).collect();
    y.push_str("clusters:\n");
    for (ci, c) in clusters.iter().enumerate() {
        let mut f = Vec::new();
        if r.chance(75) {
            f.push("ha: restart".to_owned());
        }
        if r.chance(30) {
            f.push(format!("restart: {}", r.dur()));
        }
        let mine: Vec<String> = floating
            .iter()
            .filter(|(_, c)| *c == ci)
            .map(|(v, _)| v.clone())
            .collect();
        if mine.len() >= 2 && r.chance(80) {
            let mut lists = Vec::new();
            if r.chance(60) {
                // Lists that do not overlap: consecutive runs.
                let mut i = 0;
                while i + 1 < mine.len() {
                    let len = 2 + r.below(3);
                    let l: Vec<String> = mine[i..(i + len).min(mine.len())].to_vec();
                    if l.len() >= 2 {
                        lists.push(format!("[{}]", l.join(", ")));
                    }
                    i += len;
                }
            } else {
                for _ in 0..1 + r.below(3) {
                    let mut l: Vec<String> = (0..2 + r.below(3))
                        .map(|_| r.pick(&mine).to_owned())
                        .collect();
                    l.sort();
                    l.dedup();
                    if l.len() >= 2 {
                        lists.push(format!("[{}]", l.join(", ")));
                    }
                }
            }
            if !lists.is_empty() {
                f.push(format!("anti_affinity: [{}]", lists.join(", ")));
            }
        }
        y.push_str(&format!("  {c}: {{{}}}\n", f.join(", ")));
    }
    y.push_str("vms:\n");
    for (v, ci) in &floating {
        let mut f = vec![format!("cluster: {}", clusters[*ci])];
        if r.chance(20) {
            f.push(format!("start: {}", r.dur()));
        }
        y.push_str(&format!("  {v}: {{{}}}\n", f.join(", ")));
    }
    for q in &pinned {
        y.push_str(&format!("  {q}: {{host: {}}}\n", r.pick(&hosts)));
    }
    let mut all: Vec<String> = floating.iter().map(|(v, _)| v.clone()).collect();
    all.extend(pinned.iter().cloned());
    let svcs: Vec<String> = (0..1 + r.below(3)).map(|i| format!("svc{i}")).collect();
    y.push_str("services:\n");
    for (i, s) in svcs.iter().enumerate() {
        let n = 1 + r.below(3.min(all.len()));
        let mut inst: Vec<String> = (0..n).map(|_| r.pick(&all).to_owned()).collect();
        inst.sort();
        inst.dedup();
        let mut f = vec![format!("instances: [{}]", inst.join(", "))];
        if inst.len() > 1 && r.chance(40) {
            f.push(format!("min_healthy: {}", 1 + r.below(inst.len())));
        }
        if r.chance(25) {
            f.push(format!("failover: {}", r.dur()));
        }
        if i > 0 && r.chance(40) {
            f.push(format!("depends_on: [{}]", svcs[r.below(i)]));
        }
        if r.chance(60) {
            f.push(format!("rto: {}", r.dur()));
        }
        y.push_str(&format!("  {s}: {{{}}}\n", f.join(", ")));
    }
    y
}

fn check(seed: u64) -> Result<(), TestCaseError> {
    check_yaml(estate(seed))
}

fn check_yaml(yaml: String) -> Result<(), TestCaseError> {
    let m = match load_str("t.yaml", &yaml) {
        Ok(m) => m,
        Err(f) => {
            return Err(TestCaseError::fail(format!(
                "does not load: {:?}\n{yaml}",
                f.errors.first().map(|e| &e.message)
            )));
        }
    };
    let a = Analysis::new(
        &m,
        faultline::model::date::parse_date("2026-01-01").unwrap(),
    );
    let r = Ref { m: &m, a: &a };
    let s = a.recovery_setup();
    let up0: Vec<bool> = r.down(&[]).iter().map(|b| !b).collect();
    // (service, kind) -> (worst, smallest unit attaining it)
    let mut per_kind: std::collections::BTreeMap<(EntityId, Kind), (u64, Option<EntityId>)> =
        Default::default();
    // (service, kind) -> units whose RTO is over the service's target
    let mut over: std::collections::BTreeMap<(EntityId, Kind), Vec<EntityId>> = Default::default();
    for u in s.units().collect::<Vec<_>>() {
        let want = r.rto(u);
        for svc in m.of_kind(Kind::Service).filter(|&x| up0[x as usize]) {
            let v = want[svc as usize];
            let target = m
                .get(svc)
                .recovery
                .as_deref()
                .and_then(|r| r.rto.as_ref())
                .and_then(|t| t.for_kind(m.get(u).kind()));
            if target.is_some_and(|t| v > t) {
                over.entry((svc, m.get(u).kind())).or_default().push(u);
            }
            let slot = per_kind.entry((svc, m.get(u).kind())).or_insert((0, None));
            if v > slot.0 || (v == slot.0 && v > 0 && slot.1.is_none_or(|b| m.name(u) < m.name(b)))
            {
                *slot = (v, if v > 0 { Some(u) } else { None });
            }
        }
        let got = s
            .one(u)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        for (svc, rto, rpo) in got {
            prop_assert!(up0[svc as usize]);
            prop_assert_eq!(
                rto,
                want[svc as usize],
                "RTO of {} when {} fails\n{}",
                m.name(svc),
                m.name(u),
                yaml
            );
            if m.get(svc).stateful {
                prop_assert_eq!(
                    rpo,
                    Some(r.rpo(u, svc)),
                    "RPO of {} when {} fails\n{}",
                    m.name(svc),
                    m.name(u),
                    yaml
                );
            }
        }
    }
    let table = a
        .recovery()
        .map_err(|e| TestCaseError::fail(format!("{e}")))?;
    for so in &table.services {
        for w in &so.rto {
            let want = per_kind
                .get(&(so.service, w.kind))
                .copied()
                .unwrap_or((0, None));
            let mut want_over = over.get(&(so.service, w.kind)).cloned().unwrap_or_default();
            m.sort_by_name(&mut want_over);
            prop_assert_eq!(
                &w.over,
                &want_over,
                "units over the RTO target of {} per {}\n{}",
                m.name(so.service),
                w.kind.singular(),
                yaml
            );
            prop_assert_eq!(
                (w.seconds, w.unit),
                want,
                "RTO of {} per {}\n{}",
                m.name(so.service),
                w.kind.singular(),
                yaml
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn recovery_matches_the_brute_force_reading(seed in any::<u64>()) {
        check(seed)?;
    }

    #[test]
    fn pools_that_fail_alike_match_the_brute_force_reading(seed in any::<u64>()) {
        check_yaml(pool_estate(seed))?;
    }
}
