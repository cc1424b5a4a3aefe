//! Bytes read structurally (with `arbitrary`) as a small estate of every
//! kind of entity, rendered as YAML with references of the right kinds, so
//! that most inputs load and the fuzzer explores the analyses rather than
//! the parser: every built-in rule, `spof`, `impact` of one unit, `cuts`
//! up to order 2 and `availability`, human and JSON outputs.

#![no_main]

mod common;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const MAX_ENTITIES: usize = 40;
const MAX_LIST: usize = 4;

#[derive(Arbitrary, Debug)]
struct Estate {
    entities: Vec<Ent>,
    /// The unit failed for `impact`.
    fail: u16,
    /// Split the estate over two files at this entity.
    split: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Ent {
    kind: u8,
    /// An unusual id now and then (unicode, spaces, digits).
    odd_id: u8,
    one: Option<u8>,
    two: Option<u8>,
    list_a: Vec<u8>,
    list_b: Vec<u8>,
    num_a: Option<u16>,
    num_b: Option<u16>,
    flag: bool,
    min_healthy: u8,
    availability: Option<u8>,
    slo: Option<u8>,
    labels: Vec<(u8, u8)>,
    waiver: Option<(u8, u8)>,
    requires: Vec<u8>,
    ha: u8,
    anti: Vec<Vec<u8>>,
}

const KINDS: [&str; 10] = [
    "sites",
    "feeds",
    "racks",
    "pdus",
    "switches",
    "hosts",
    "clusters",
    "vms",
    "services",
    "components",
];
const ODD: [&str; 8] = ["", "", "", "", "-ä", " x", "/1", ".0"];
const RULES: [&str; 12] = [
    "single-point-of-failure",
    "single-instance",
    "live-migration-is-not-ha",
    "colocation-risk",
    "data-single-failure-domain",
    "power-overload",
    "power-failover-overload",
    "cluster-failover-capacity",
    "dependency-cycle",
    "never-healthy",
    "expired-waiver",
    "slo-unmet",
];
const DATES: [&str; 4] = ["2025-12-31", "2026-01-01", "2026-01-02", "2030-02-28"];
const SERVICE_HA: [&str; 4] = ["vmotion", "live-migration", "active-active", "none"];

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn pick(p: Option<u8>, pool: &[String]) -> Option<String> {
    match p {
        Some(x) if !pool.is_empty() => Some(quote(&pool[x as usize % pool.len()])),
        _ => None,
    }
}

fn picks(v: &[u8], pool: &[String], not: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let pool: Vec<&String> = pool.iter().filter(|p| *p != not).collect();
    if pool.is_empty() {
        return out;
    }
    for &x in v.iter().take(MAX_LIST) {
        let q = quote(pool[x as usize % pool.len()]);
        if !out.contains(&q) {
            out.push(q);
        }
    }
    out
}

#[derive(Default)]
struct Fields(Vec<String>);

impl Fields {
    fn one(&mut self, k: &str, v: Option<String>) {
        if let Some(v) = v {
            self.0.push(format!("{k}: {v}"));
        }
    }
    fn list(&mut self, k: &str, v: Vec<String>) {
        if !v.is_empty() {
            self.0.push(format!("{k}: [{}]", v.join(", ")));
        }
    }
}

fn render(est: &Estate) -> Vec<(String, Vec<u8>)> {
    let ents: Vec<&Ent> = est.entities.iter().take(MAX_ENTITIES).collect();
    let kind: Vec<usize> = ents.iter().map(|e| e.kind as usize % KINDS.len()).collect();
    let ids: Vec<String> = ents
        .iter()
        .enumerate()
        .map(|(i, e)| {
            format!(
                "{}{i}{}",
                &KINDS[kind[i]][..1],
                ODD[e.odd_id as usize % ODD.len()]
            )
        })
        .collect();
    let of = |ks: &[usize]| -> Vec<String> {
        (0..ents.len())
            .filter(|&i| ks.contains(&kind[i]))
            .map(|i| ids[i].clone())
            .collect()
    };
    let (sites, feeds, racks) = (of(&[0]), of(&[1]), of(&[2]));
    let (hosts, clusters) = (of(&[5]), of(&[6]));
    let power = of(&[3, 1, 9]);
    let network = of(&[4, 9]);
    let instances = of(&[7, 5, 9]);
    let deps = of(&[8, 9]);
    let any = of(&[0, 1, 2, 3, 4, 5, 7, 8, 9]);
    let num = |x: Option<u16>, step: u32| x.map(|v| (u32::from(v % 64) * step).to_string());
    // Floating vms by cluster, for anti_affinity.
    let mut floating: Vec<Vec<String>> = vec![Vec::new(); ents.len()];
    let mut vm_cluster: Vec<Option<usize>> = vec![None; ents.len()];
    for (i, e) in ents.iter().enumerate() {
        if kind[i] == 7 && !e.flag && !clusters.is_empty() {
            let c = e.two.unwrap_or(0) as usize % clusters.len();
            let ci = ids
                .iter()
                .position(|x| *x == clusters[c])
                .expect("a cluster id");
            floating[ci].push(ids[i].clone());
            vm_cluster[i] = Some(ci);
        }
    }
    let mut bodies: Vec<(usize, String)> = Vec::new();
    for (i, e) in ents.iter().enumerate() {
        let me = ids[i].as_str();
        let mut f = Fields::default();
        match kind[i] {
            1 => {
                f.one("site", pick(e.one, &sites));
                f.one("capacity_w", num(e.num_a, 100));
            }
            2 => f.one("site", pick(e.one, &sites)),
            3 => {
                f.one("rack", pick(e.one, &racks));
                f.one("feed", pick(e.two, &feeds));
                f.one("capacity_w", num(e.num_a, 50));
            }
            4 => {
                f.one("rack", pick(e.one, &racks));
                f.list("power", picks(&e.list_a, &power, me));
                f.list("uplinks", picks(&e.list_b, &network, me));
                f.one("draw_w", num(e.num_b, 10));
            }
            5 => {
                f.one("rack", pick(e.one, &racks));
                f.one("cluster", pick(e.two, &clusters));
                f.list("power", picks(&e.list_a, &power, me));
                f.list("network", picks(&e.list_b, &network, me));
                f.one("draw_w", num(e.num_a, 25));
                f.one("memory_gb", num(e.num_b, 16));
                if e.min_healthy % 8 == 0 {
                    f.one("standby", Some("true".into()));
                }
            }
            6 => {
                f.one("ha", Some(if e.flag { "restart" } else { "none" }.into()));
                let groups: Vec<String> = e
                    .anti
                    .iter()
                    .take(MAX_LIST)
                    .map(|g| picks(g, &floating[i], ""))
                    .filter(|g| !g.is_empty())
                    .map(|g| format!("[{}]", g.join(", ")))
                    .collect();
                f.list("anti_affinity", groups);
            }
            7 => {
                if vm_cluster[i].is_some() {
                    f.one("cluster", Some(quote(&ids[vm_cluster[i].unwrap()])));
                } else if !hosts.is_empty() {
                    f.one("host", pick(Some(e.one.unwrap_or(0)), &hosts));
                    f.one("ft_secondary", pick(e.num_a.map(|x| x as u8), &hosts));
                } else {
                    // Neither: an input error, now and then.
                    f.one("memory_gb", Some("1".into()));
                }
                f.one("memory_gb", num(e.num_b, 8));
            }
            8 => {
                f.0.push(format!(
                    "instances: [{}]",
                    picks(&e.list_a, &instances, me).join(", ")
                ));
                if e.min_healthy % 4 != 0 {
                    f.one("min_healthy", Some((e.min_healthy % 4).to_string()));
                }
                f.list("depends_on", picks(&e.list_b, &deps, me));
                if e.flag {
                    f.one("stateful", Some("true".into()));
                }
                f.list("backups", picks(&e.anti.concat(), &any, me));
                f.one(
                    "ha",
                    (e.ha % 8 < 4).then(|| SERVICE_HA[e.ha as usize % 4].into()),
                );
                f.one(
                    "slo",
                    e.slo
                        .map(|s| format!("{}", 90.0 + f64::from(s % 100) / 10.0)),
                );
            }
            9 => {
                f.one("kind", Some(if e.flag { "ups" } else { "nas" }.into()));
                f.one("site", pick(e.two, &sites));
                f.one("rack", pick(e.one, &racks));
                f.list("power", picks(&e.list_a, &power, me));
                f.list("network", picks(&e.list_b, &network, me));
                f.one("draw_w", num(e.num_a, 10));
            }
            _ => {}
        }
        if kind[i] != 6 && kind[i] != 8 {
            f.one(
                "availability",
                e.availability
                    .map(|a| format!("0.{}", 900 + u32::from(a) % 100)),
            );
        }
        if !e.labels.is_empty() {
            let l: Vec<String> = e
                .labels
                .iter()
                .take(MAX_LIST)
                .map(|(k, v)| format!("l{}: v{}", k % 3, v % 3))
                .collect();
            f.0.push(format!("labels: {{{}}}", l.join(", ")));
        }
        if let Some((r, d)) = e.waiver {
            let until = if d % 5 == 4 {
                String::new()
            } else {
                format!(", until: {}", DATES[d as usize % 4])
            };
            f.0.push(format!(
                "waivers: [{{rule: {}, reason: fuzz{until}}}]",
                RULES[r as usize % RULES.len()]
            ));
        }
        if kind[i] != 6 {
            f.list("requires", picks(&e.requires, &any, ""));
        }
        bodies.push((
            kind[i],
            format!("  {}: {{{}}}\n", quote(me), f.0.join(", ")),
        ));
    }
    let split = est.split.map_or(usize::MAX, |s| s as usize);
    let mut files = Vec::new();
    for (part, range) in [
        (0, 0..split.min(bodies.len())),
        (1, split.min(bodies.len())..bodies.len()),
    ] {
        if part == 1 && range.is_empty() {
            continue;
        }
        let mut y = String::from("version: 1\n");
        for (k, name) in KINDS.iter().enumerate() {
            let b: String = bodies[range.clone()]
                .iter()
                .filter(|(bk, _)| *bk == k)
                .map(|(_, s)| s.as_str())
                .collect();
            if !b.is_empty() {
                y.push_str(name);
                y.push_str(":\n");
                y.push_str(&b);
            }
        }
        files.push((format!("part{part}.yaml"), y.into_bytes()));
    }
    files
}

fuzz_target!(|est: Estate| {
    let files = render(&est);
    match faultline::model::load::load(files) {
        Ok(model) => common::exercise(&model, common::builtin(), est.fail as usize),
        Err(f) => common::render_errors(&f.sources, &f.errors),
    }
});
