//! Synthetic estates for benchmarks and stress tests.
//!
//! [`estate`] writes a realistic description from a seed and a target
//! entity count: metro pairs of sites with A/B utility feeds, a core rack
//! per site (spines, storage arrays, load balancers), and "pods" of one to
//! four racks. Each rack has an A and a B pdu, one or two top-of-rack
//! switches and dual-corded hosts (a few single-corded). Most pods are a
//! hypervisor cluster (some stretched over both sites of the pair) running
//! applications: three-tier stacks (replicated database, app and web tiers
//! of floating vms with anti-affinity), quorum services, single services
//! and fault-tolerant vms; the rest are bare-metal pods running quorum
//! services on hosts. Some of it is deliberately wrong, the way real
//! estates are: replicas stacked in one rack, missing anti-affinity, backups
//! next to the data, single instances, undersized pdus and feeds,
//! overcommitted clusters, a building-management loop, expired waivers.
//!
//! Everything comes from a small splitmix64 generator, so a seed always
//! gives the same bytes. [`chain`] and [`ring`] are degenerate shapes for
//! stack-depth and cycle stress tests.

mod degenerate;
mod rng;
mod shape;
mod split;

pub use degenerate::{chain, ring};
pub use rng::Rng;
pub use shape::Shape;
pub use split::split;
use std::fmt::Write;

/// Pods per metro pair of sites (half in each site).
const PODS_PER_PAIR: usize = 24;
/// The date expired waivers in generated estates expired on.
pub const EXPIRED: &str = "2025-06-30";
/// A waiver date far enough ahead to stay valid.
pub const VALID: &str = "2030-12-31";
/// Standard pdu ratings, in watts.
const PDU_RATINGS: &[f64] = &[3680.0, 5000.0, 7360.0, 11000.0, 14400.0, 17300.0, 22000.0];

struct Site {
    name: String,
    /// Steady-state load on feed A and feed B.
    feed_load: [f64; 2],
    arrays: [String; 2],
    lb: String,
}

struct Host {
    name: String,
    rack: usize,
    memory: f64,
    standby: bool,
}

/// Per-section output buffers, written in the order of `SECTIONS`.
#[derive(Default)]
struct Out {
    sites: String,
    feeds: String,
    racks: String,
    pdus: String,
    switches: String,
    hosts: String,
    clusters: String,
    vms: String,
    components: String,
    services: String,
}

/// Entities per host in the default shape, for pooled pods' budgets.
const ENTITIES_PER_HOST: usize = 5;

struct Gen {
    rng: Rng,
    shape: Shape,
    target: usize,
    /// Where the current pod's applications stop (pooled shapes).
    pod_budget: usize,
    /// Entities written so far.
    count: usize,
    out: Out,
    sites: Vec<Site>,
    /// Services of the current pair, for `depends_on` between applications
    /// (only on earlier ones, so the service graph stays acyclic).
    pair_services: Vec<String>,
    gslb: String,
    apps: usize,
}

/// A service about to be written.
#[derive(Default)]
struct Svc {
    name: String,
    instances: Vec<String>,
    min_healthy: Option<usize>,
    depends_on: Vec<String>,
    stateful: bool,
    backups: Vec<String>,
    ha: Option<&'static str>,
    tier: &'static str,
}

fn list(xs: &[String]) -> String {
    format!("[{}]", xs.join(", "))
}

/// A realistic description of roughly `entities` entities (it stops at the
/// first application after reaching the target, so it overshoots by a
/// handful). The same seed always gives the same text.
pub fn estate(seed: u64, entities: usize) -> String {
    shaped(seed, entities, &Shape::default())
}

/// Like [`estate`], laid out as `shape` says.
pub fn shaped(seed: u64, entities: usize, shape: &Shape) -> String {
    let mut g = Gen {
        rng: Rng::new(seed),
        shape: shape.clone(),
        target: entities,
        pod_budget: usize::MAX,
        count: 0,
        out: Out::default(),
        sites: Vec::new(),
        pair_services: Vec::new(),
        gslb: String::new(),
        apps: 0,
    };
    g.global();
    let mut pod = 0;
    while g.count < g.target {
        g.pod(pod);
        pod += 1;
    }
    g.finish(seed)
}

impl Gen {
    /// Writes one entity line (or block) into a section.
    fn emit(buf: &mut String, count: &mut usize, text: std::fmt::Arguments) {
        *count += 1;
        buf.write_fmt(text)
            .expect("writing to a String cannot fail");
        buf.push('\n');
    }

    /// An external DNS provider pair every web tier may lean on.
    fn global(&mut self) {
        let o = &mut self.out;
        let c = &mut self.count;
        for p in ["a", "b"] {
            Self::emit(
                &mut o.components,
                c,
                format_args!(
                    "  dns-provider-{p}: {{kind: dns, description: external resolver {p}}}"
                ),
            );
        }
        Self::emit(
            &mut o.services,
            c,
            format_args!(
                "  dns:\n    instances: [dns-provider-a, dns-provider-b]\n    labels: {{team: netops, tier: infra}}"
            ),
        );
    }

    fn open_site(&mut self, index: usize) {
        let name = format!("dc{index}");
        let o = &mut self.out;
        let c = &mut self.count;
        Self::emit(
            &mut o.sites,
            c,
            format_args!("  {name}: {{labels: {{region: r{}}}}}", index / 2),
        );
        // Feeds are written at the end, once their load is known; count them now.
        *c += 2;
        // Two core racks, so that no single rack carries both spines.
        let core = [format!("{name}-core-1"), format!("{name}-core-2")];
        let spines = format!("[{name}-spine-a, {name}-spine-b]");
        for (i, (rack, spine)) in core.iter().zip(["a", "b"]).enumerate() {
            let i = i + 1;
            Self::emit(&mut o.racks, c, format_args!("  {rack}: {{site: {name}}}"));
            for side in ["a", "b"] {
                Self::emit(
                    &mut o.pdus,
                    c,
                    format_args!(
                        "  {rack}-pdu-{side}: {{rack: {rack}, feed: {name}-feed-{side}, capacity_w: 7360}}"
                    ),
                );
            }
            let pdus = format!("[{rack}-pdu-a, {rack}-pdu-b]");
            Self::emit(
                &mut o.switches,
                c,
                format_args!(
                    "  {name}-spine-{spine}: {{rack: {rack}, power: {pdus}, draw_w: 800}}"
                ),
            );
            Self::emit(
                &mut o.components,
                c,
                format_args!(
                    "  {name}-array-{i}: {{kind: storage-array, site: {name}, rack: {rack}, power: {pdus}, network: {spines}, draw_w: 1500}}"
                ),
            );
            Self::emit(
                &mut o.components,
                c,
                format_args!(
                    "  {name}-lb-{i}: {{kind: load-balancer, site: {name}, rack: {rack}, power: {pdus}, network: {spines}, draw_w: 300}}"
                ),
            );
        }
        // Core devices: two spines, two arrays, two load balancers, dual-corded.
        let core_draw = 2.0 * (800.0 + 1500.0 + 300.0);
        let lb = format!("{name}-lb");
        Self::emit(
            &mut o.services,
            c,
            format_args!(
                "  {lb}:\n    instances: [{name}-lb-1, {name}-lb-2]\n    labels: {{team: netops, tier: infra}}"
            ),
        );
        let mut feed_load = [core_draw / 2.0, core_draw / 2.0];
        if index == 0 {
            // The building-management system runs on the feed it switches:
            // a loop that a cold start cannot resolve.
            Self::emit(
                &mut o.components,
                c,
                format_args!(
                    "  {name}-bms: {{kind: building-management, site: {name}, rack: {}, power: [{}-pdu-a], draw_w: 120}}",
                    core[0], core[0]
                ),
            );
            feed_load[0] += 120.0;
        }
        self.pair_services.push(lb.clone());
        self.sites.push(Site {
            name: name.clone(),
            feed_load,
            arrays: [format!("{name}-array-1"), format!("{name}-array-2")],
            lb,
        });
    }

    fn open_pair(&mut self, pair: usize) {
        self.pair_services.clear();
        self.open_site(2 * pair);
        self.open_site(2 * pair + 1);
        let (a, b) = (&self.sites[2 * pair].name, &self.sites[2 * pair + 1].name);
        self.gslb = format!("pair{pair}-gslb");
        let text = format!(
            "  {}:\n    instances: [{a}-lb-1, {a}-lb-2, {b}-lb-1, {b}-lb-2]\n    labels: {{team: netops, tier: infra}}",
            self.gslb
        );
        Self::emit(
            &mut self.out.services,
            &mut self.count,
            format_args!("{text}"),
        );
        self.pair_services.push(self.gslb.clone());
    }

    /// One rack of a pod: pdus, tors, hosts. Returns its hosts.
    fn rack(&mut self, site: usize, pod: usize, cluster: Option<&str>, hosts: &mut Vec<Host>) {
        let rng = &mut self.rng;
        let o = &mut self.out;
        let c = &mut self.count;
        let sname = &self.sites[site].name;
        let rack_index = hosts.last().map_or(0, |h| h.rack + 1);
        let rack = format!("{sname}-p{pod}-r{rack_index}");
        Self::emit(&mut o.racks, c, format_args!("  {rack}: {{site: {sname}}}"));
        let pdu = [format!("{rack}-pdu-a"), format!("{rack}-pdu-b")];
        let both = format!("[{}, {}]", pdu[0], pdu[1]);
        let mut load = [0.0f64; 2];
        let tors: Vec<String> = if rng.chance(0.4) {
            vec![format!("{rack}-tor-a"), format!("{rack}-tor-b")]
        } else {
            vec![format!("{rack}-tor-a")]
        };
        for t in &tors {
            Self::emit(
                &mut o.switches,
                c,
                format_args!(
                    "  {t}: {{rack: {rack}, power: {both}, uplinks: [{sname}-spine-a, {sname}-spine-b], draw_w: 150}}"
                ),
            );
            load[0] += 75.0;
            load[1] += 75.0;
        }
        let network = list(&tors);
        for h in 0..rng.range(6, 16) {
            let name = format!("{rack}-h{h:02}");
            let memory = *rng.pick(&[256.0, 384.0, 512.0, 512.0, 768.0]);
            let cpus = *rng.pick(&[32, 48, 64]);
            let draw = rng.range(500, 1300) as f64 * 0.5;
            let standby = cluster.is_some() && rng.chance(0.02);
            let (power, side) = if rng.chance(0.05) {
                let s = rng.below(2);
                (format!("[{}]", pdu[s]), Some(s))
            } else {
                (both.clone(), None)
            };
            let mut line = format!(
                "  {name}: {{rack: {rack}, power: {power}, network: {network}, draw_w: {draw}, memory_gb: {memory}, cpus: {cpus}"
            );
            if let Some(cl) = cluster {
                line.push_str(&format!(", cluster: {cl}"));
            }
            if standby {
                line.push_str(", standby: true");
            } else {
                match side {
                    Some(s) => load[s] += draw,
                    None => {
                        load[0] += draw / 2.0;
                        load[1] += draw / 2.0;
                    }
                }
            }
            line.push('}');
            Self::emit(&mut o.hosts, c, format_args!("{line}"));
            hosts.push(Host {
                name,
                rack: rack_index,
                memory,
                standby,
            });
        }
        // Pdu sizing: most survive losing the other side, some only carry
        // steady state, a few are overloaded already.
        let total = load[0] + load[1];
        let worst = load[0].max(load[1]);
        let r = rng.unit();
        let cap = if r < 0.03 {
            (worst * 0.9 / 10.0).floor() * 10.0
        } else if r < 0.12 && worst * 1.05 < total * 0.95 {
            (rng.uniform(worst * 1.05, total * 0.95) / 10.0).floor() * 10.0
        } else {
            PDU_RATINGS
                .iter()
                .copied()
                .find(|&p| p >= total * 1.1)
                .unwrap_or(((total * 1.25) / 100.0).ceil() * 100.0)
        };
        for (s, p) in pdu.iter().enumerate() {
            let side = if s == 0 { "a" } else { "b" };
            Self::emit(
                &mut o.pdus,
                c,
                format_args!(
                    "  {p}: {{rack: {rack}, feed: {sname}-feed-{side}, capacity_w: {cap}}}"
                ),
            );
        }
        self.sites[site].feed_load[0] += load[0];
        self.sites[site].feed_load[1] += load[1];
    }

    fn pod(&mut self, pod: usize) {
        let pair = pod / PODS_PER_PAIR;
        if self.sites.len() < 2 * (pair + 1) {
            self.open_pair(pair);
        }
        let home = 2 * pair + pod % 2;
        let other = home ^ 1;
        let stretched = self.rng.chance(0.25);
        let pool = self.shape.cluster_hosts;
        let virtualised =
            pool.is_some() || (self.shape.services_per_host.is_none() && self.rng.chance(0.8));
        let cluster = virtualised.then(|| format!("{}-c{pod}", self.sites[home].name));
        let mut hosts = Vec::new();
        let mut n_racks = 0;
        let mut add_rack = |g: &mut Gen, hosts: &mut Vec<Host>| {
            let site = if stretched && n_racks % 2 == 1 {
                other
            } else {
                home
            };
            g.rack(site, pod, cluster.as_deref(), hosts);
            n_racks += 1;
        };
        match pool {
            Some(want) => {
                let start = self.count;
                while hosts.len() < want.max(1) {
                    add_rack(self, &mut hosts);
                }
                self.pod_budget = start + hosts.len() * ENTITIES_PER_HOST;
            }
            None => {
                let racks = if stretched {
                    2 * self.rng.range(1, 2)
                } else {
                    self.rng.range(1, 3)
                };
                for _ in 0..racks {
                    add_rack(self, &mut hosts);
                }
            }
        }
        let ctx = Pod {
            home,
            other,
            stretched,
            hosts,
            n_racks,
        };
        match cluster {
            Some(cl) => self.cluster_apps(&ctx, &cl),
            None => self.bare_apps(&ctx),
        }
    }

    fn next_app(&mut self) -> String {
        self.apps += 1;
        format!("a{}", self.apps)
    }

    fn team(&mut self) -> usize {
        self.rng.below(40)
    }

    fn service(&mut self, s: Svc) {
        let team = self.team();
        let rng = &mut self.rng;
        let mut t = format!("  {}:\n    instances: {}", s.name, list(&s.instances));
        if let Some(k) = s.min_healthy {
            t.push_str(&format!("\n    min_healthy: {k}"));
        }
        if !s.depends_on.is_empty() {
            t.push_str(&format!("\n    depends_on: {}", list(&s.depends_on)));
        }
        if s.stateful {
            t.push_str("\n    stateful: true");
        }
        if !s.backups.is_empty() {
            t.push_str(&format!("\n    backups: {}", list(&s.backups)));
        }
        // A few owners promise an availability.
        if matches!(s.tier, "web" | "quorum" | "db") && rng.chance(0.05) {
            let slo = *rng.pick(&["99.9", "99.95", "99.99"]);
            t.push_str(&format!("\n    slo: {slo}"));
        }
        if let Some(ha) = s.ha {
            t.push_str(&format!("\n    ha: {ha}"));
        }
        t.push_str(&format!(
            "\n    labels: {{team: team-{team}, tier: {}}}",
            s.tier
        ));
        // Waivers only where the finding surely exists: one instance is
        // always a single instance and a single point of failure.
        if s.instances.len() == 1 && s.min_healthy.is_none() && rng.chance(0.25) {
            let rule = if rng.chance(0.5) {
                "single-instance"
            } else {
                "single-point-of-failure"
            };
            let until = if rng.chance(0.3) { EXPIRED } else { VALID };
            t.push_str(&format!(
                "\n    waivers:\n      - rule: {rule}\n        reason: \"accepted risk, ticket OPS-{}\"\n        until: {until}",
                rng.range(1000, 9999)
            ));
        }
        Self::emit(&mut self.out.services, &mut self.count, format_args!("{t}"));
        self.pair_services.push(s.name);
    }

    /// An earlier service of the pair, with probability `p`.
    fn maybe_dep(&mut self, p: f64) -> Option<String> {
        if self.pair_services.is_empty() || !self.rng.chance(p) {
            return None;
        }
        let i = self.rng.below(self.pair_services.len());
        Some(self.pair_services[i].clone())
    }

    /// Hosts for `r` pinned replicas: spread over racks, or (badly) all in
    /// one rack. Indices into `hosts`, standby hosts excluded.
    fn place(&mut self, p: &Pod, r: usize, spread: bool) -> Vec<usize> {
        let mut by_rack: Vec<Vec<usize>> = vec![Vec::new(); p.n_racks];
        for (i, h) in p.hosts.iter().enumerate() {
            if !h.standby {
                by_rack[h.rack].push(i);
            }
        }
        by_rack.retain(|v| !v.is_empty());
        let start = self.rng.below(by_rack.len());
        let off = self.rng.below(64);
        (0..r)
            .map(|i| {
                if spread {
                    let rk = &by_rack[(start + i) % by_rack.len()];
                    rk[(off + i / by_rack.len()) % rk.len()]
                } else {
                    let rk = &by_rack[start];
                    rk[(off + i) % rk.len()]
                }
            })
            .collect()
    }

    /// Where the backups of a stateful service of the pod go.
    fn backups(&mut self, p: &Pod) -> Vec<String> {
        let x = self.rng.unit();
        let i = self.rng.below(2);
        if x < 0.7 {
            vec![self.sites[p.other].arrays[i].clone()]
        } else if x < 0.9 {
            vec![self.sites[p.home].arrays[i].clone()]
        } else {
            Vec::new()
        }
    }

    fn cluster_apps(&mut self, p: &Pod, cluster: &str) {
        let usable: Vec<f64> = p
            .hosts
            .iter()
            .filter(|h| !h.standby)
            .map(|h| h.memory)
            .collect();
        let total: f64 = usable.iter().sum();
        let largest = usable.iter().copied().fold(0.0, f64::max);
        let capacity = total - largest;
        let fill = if self.rng.chance(0.06) {
            capacity * self.rng.uniform(1.05, 1.3)
        } else {
            capacity * self.rng.uniform(0.45, 0.85)
        };
        let mut c = ClusterState {
            name: cluster.to_owned(),
            used: 0.0,
            anti_affinity: Vec::new(),
        };
        while c.used < fill && self.count < self.target.min(self.pod_budget) && !usable.is_empty() {
            let app = self.next_app();
            match self.rng.weighted(&[50, 15, 25, 10]) {
                0 => self.three_tier(p, &mut c, &app),
                1 => self.quorum(p, &mut c, &app),
                2 => self.single(&mut c, &app),
                _ => self.fault_tolerant(p, &mut c, &app),
            }
        }
        let ha = if self.rng.chance(0.9) {
            "restart"
        } else {
            "none"
        };
        let mut t = format!("  {cluster}:\n    ha: {ha}");
        if !c.anti_affinity.is_empty() {
            t.push_str("\n    anti_affinity:");
            for g in &c.anti_affinity {
                t.push_str(&format!("\n      - {}", list(g)));
            }
        }
        Self::emit(&mut self.out.clusters, &mut self.count, format_args!("{t}"));
    }

    fn pinned_vm(&mut self, c: &mut ClusterState, name: &str, host: &str, ft: Option<&str>) {
        let mem = *self.rng.pick(&[16.0, 32.0, 32.0, 64.0, 128.0]);
        c.used += mem;
        let ft = ft.map_or(String::new(), |s| format!(", ft_secondary: {s}"));
        Self::emit(
            &mut self.out.vms,
            &mut self.count,
            format_args!("  {name}: {{host: {host}{ft}, memory_gb: {mem}}}"),
        );
    }

    /// `r` floating vms named `{base}-{i}`, with (usually) an anti-affinity
    /// list that keeps them apart.
    fn floating(&mut self, c: &mut ClusterState, base: &str, r: usize) -> Vec<String> {
        let names: Vec<String> = (1..=r).map(|i| format!("{base}-{i}")).collect();
        for n in &names {
            let mem = *self.rng.pick(&[2.0, 4.0, 8.0, 8.0, 16.0, 16.0, 24.0, 32.0]);
            c.used += mem;
            Self::emit(
                &mut self.out.vms,
                &mut self.count,
                format_args!("  {n}: {{cluster: {}, memory_gb: {mem}}}", c.name),
            );
        }
        if r >= 2 {
            let x = self.rng.unit();
            if x < 0.85 {
                c.anti_affinity.push(names.clone());
            } else if x < 0.9 && r >= 3 {
                c.anti_affinity.push(names[..2].to_vec());
            }
        }
        names
    }

    fn replicas(&mut self) -> usize {
        [1, 2, 3, 4, 5][self.rng.weighted(&[8, 35, 30, 15, 12])]
    }

    fn three_tier(&mut self, p: &Pod, c: &mut ClusterState, app: &str) {
        // Database: pinned replicas, replicated, backed up.
        let r = if self.rng.chance(0.1) {
            1
        } else {
            self.rng.range(2, 3)
        };
        let spread = self.rng.chance(0.85);
        let hosts = self.place(p, r, spread);
        let mut db = Vec::new();
        for (i, &h) in hosts.iter().enumerate() {
            let name = format!("{app}-db-{}", i + 1);
            let host = p.hosts[h].name.clone();
            self.pinned_vm(c, &name, &host, None);
            db.push(name);
        }
        let ha = if r == 1 {
            *self.rng.pick(&["live-migration", "vmotion", "restart"])
        } else {
            "replication"
        };
        let backups = self.backups(p);
        self.service(Svc {
            name: format!("{app}-db"),
            instances: db,
            stateful: true,
            backups,
            ha: Some(ha),
            tier: "db",
            ..Svc::default()
        });
        // App tier.
        let r = self.replicas().max(2 - usize::from(self.rng.chance(0.1)));
        let vms = self.floating(c, &format!("{app}-app"), r);
        let mut deps = vec![format!("{app}-db")];
        deps.extend(self.maybe_dep(0.3));
        deps.dedup();
        self.service(Svc {
            name: format!("{app}-app"),
            instances: vms,
            depends_on: deps,
            ha: Some("restart"),
            tier: "app",
            ..Svc::default()
        });
        // Web tier behind the load balancer.
        let r = self.replicas();
        let vms = self.floating(c, &format!("{app}-web"), r);
        let lb = if p.stretched {
            self.gslb.clone()
        } else {
            self.sites[p.home].lb.clone()
        };
        let mut deps = vec![format!("{app}-app"), lb];
        if self.rng.chance(0.5) {
            deps.push("dns".to_owned());
        }
        let ha = if self.rng.chance(0.1) {
            "vmotion"
        } else {
            "restart"
        };
        self.service(Svc {
            name: format!("{app}-web"),
            instances: vms,
            depends_on: deps,
            ha: Some(ha),
            tier: "web",
            ..Svc::default()
        });
    }

    fn quorum(&mut self, p: &Pod, c: &mut ClusterState, app: &str) {
        let r = match self.shape.quorum {
            Some(n) => n.max(1),
            None if self.rng.chance(0.7) => 3,
            None => 5,
        };
        let spread = self.rng.chance(0.85);
        let hosts = self.place(p, r, spread);
        let mut vms = Vec::new();
        for (i, &h) in hosts.iter().enumerate() {
            let name = format!("{app}-zk-{}", i + 1);
            let host = p.hosts[h].name.clone();
            self.pinned_vm(c, &name, &host, None);
            vms.push(name);
        }
        let backups = self.backups(p);
        self.service(Svc {
            name: format!("{app}-zk"),
            instances: vms,
            min_healthy: Some(r / 2 + 1),
            stateful: true,
            backups,
            ha: Some("raft"),
            tier: "quorum",
            ..Svc::default()
        });
    }

    fn single(&mut self, c: &mut ClusterState, app: &str) {
        let r = self.replicas();
        let vms = self.floating(c, &format!("{app}-svc"), r);
        let deps: Vec<String> = self.maybe_dep(0.5).into_iter().collect();
        // Once in a while someone asks for more healthy copies than exist.
        let min_healthy = if self.rng.chance(0.0008) {
            Some(r + 1)
        } else if r >= 3 && self.rng.chance(0.3) {
            Some(2)
        } else {
            None
        };
        let ha = match self.rng.below(20) {
            0 => "live-migration",
            1 => "vMotion",
            2 => "none",
            _ => "restart",
        };
        self.service(Svc {
            name: format!("{app}-svc"),
            instances: vms,
            min_healthy,
            depends_on: deps,
            ha: Some(ha),
            tier: "service",
            ..Svc::default()
        });
    }

    fn fault_tolerant(&mut self, p: &Pod, c: &mut ClusterState, app: &str) {
        let hosts = self.place(p, 2, true);
        let (h, s) = (
            p.hosts[hosts[0]].name.clone(),
            p.hosts[hosts[1]].name.clone(),
        );
        let name = format!("{app}-ft-1");
        let secondary = (h != s).then_some(s.as_str());
        self.pinned_vm(c, &name, &h, secondary);
        self.service(Svc {
            name: format!("{app}-ft"),
            instances: vec![name],
            ha: Some("fault-tolerance"),
            tier: "service",
            ..Svc::default()
        });
    }

    /// Bare-metal pods: quorum and storage services straight on hosts.
    fn bare_apps(&mut self, p: &Pod) {
        for _ in 0..self.shape.services_per_host.unwrap_or(1).max(1) {
            self.bare_round(p);
        }
    }

    /// One service on every host of the pod (each on 3 to 5 hosts).
    fn bare_round(&mut self, p: &Pod) {
        let mut order: Vec<usize> = (0..p.hosts.len()).collect();
        // Fisher-Yates with our generator.
        for i in (1..order.len()).rev() {
            let j = self.rng.below(i + 1);
            order.swap(i, j);
        }
        let mut at = 0;
        while at < order.len() && self.count < self.target {
            let left = order.len() - at;
            let r = if self.shape.services_per_host.is_some() {
                left.min(3)
            } else if left < 3 {
                left
            } else {
                self.rng.range(3, 5.min(left))
            };
            let inst: Vec<String> = order[at..at + r]
                .iter()
                .map(|&i| p.hosts[i].name.clone())
                .collect();
            at += r;
            let app = self.next_app();
            let kind = *self.rng.pick(&["kafka", "cassandra", "ceph", "elastic"]);
            let quorum = r >= 3 && self.rng.chance(0.5);
            let stateful = self.rng.chance(0.6);
            let backups = if stateful {
                self.backups(p)
            } else {
                Vec::new()
            };
            let deps: Vec<String> = self.maybe_dep(0.3).into_iter().collect();
            self.service(Svc {
                name: format!("{app}-{kind}"),
                instances: inst,
                min_healthy: quorum.then_some(r / 2 + 1),
                depends_on: deps,
                stateful,
                backups,
                ha: Some("replication"),
                tier: "data",
            });
        }
    }

    fn finish(mut self, seed: u64) -> String {
        // Feeds: sized for the whole site on one side, except a few sites
        // whose feeds only carry their steady share.
        for s in &self.sites {
            let [a, b] = s.feed_load;
            let total = a + b;
            let cap = if self.rng.chance(0.04) {
                (a.max(b) * 1.1 / 100.0).ceil() * 100.0
            } else {
                (total * self.rng.uniform(1.15, 1.5) / 1000.0).ceil() * 1000.0
            };
            for side in ["a", "b"] {
                let requires = if s.name == "dc0" && side == "a" {
                    ", requires: [dc0-bms]"
                } else {
                    ""
                };
                let _ = writeln!(
                    self.out.feeds,
                    "  {}-feed-{side}: {{site: {}, capacity_w: {cap}{requires}}}",
                    s.name, s.name
                );
            }
        }
        let o = &self.out;
        let sections: [(&str, &String); 10] = [
            ("sites", &o.sites),
            ("feeds", &o.feeds),
            ("racks", &o.racks),
            ("pdus", &o.pdus),
            ("switches", &o.switches),
            ("hosts", &o.hosts),
            ("clusters", &o.clusters),
            ("vms", &o.vms),
            ("components", &o.components),
            ("services", &o.services),
        ];
        let size: usize = sections.iter().map(|(_, b)| b.len() + 16).sum();
        let mut text = String::with_capacity(size + 200);
        let _ = writeln!(
            text,
            "# Synthetic estate (faultline generate): seed {seed}, {} entities.\nversion: 1",
            self.count
        );
        for (name, buf) in sections {
            if !buf.is_empty() {
                text.push_str(name);
                text.push_str(":\n");
                text.push_str(buf);
            }
        }
        text
    }
}

struct Pod {
    home: usize,
    other: usize,
    stretched: bool,
    hosts: Vec<Host>,
    n_racks: usize,
}

struct ClusterState {
    name: String,
    used: f64,
    anti_affinity: Vec<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_estates_hit_the_target() {
        let t = estate(3, 2000);
        let n = t
            .lines()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .count();
        assert!((2000..2100).contains(&n), "{n} entities");
    }
}
