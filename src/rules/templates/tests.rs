//! Unit tests of every template: each instantiated from a tiny rule file
//! and run on a tiny estate, once where it must fire and once where it
//! must not.

use crate::analysis::Analysis;
use crate::model::Date;
use crate::model::load::load_str;
use crate::rules::RuleSet;

/// Runs template `template` with `params` (YAML flow map) on `estate`;
/// returns "subject: culprit culprit" lines, sorted.
fn run(template: &str, params: &str, estate: &str) -> Vec<String> {
    let rule =
        format!("id: t\nseverity: error\nsummary: t\ntemplate: {template}\nparams: {params}\n");
    let set = RuleSet::load(vec![("t.yaml".into(), rule.into_bytes())])
        .ok()
        .expect("rule loads");
    let model = load_str("e.yaml", estate).ok().expect("estate loads");
    let a = Analysis::new(
        &model,
        Date {
            year: 2026,
            month: 6,
            day: 1,
        },
    );
    let mut out: Vec<String> = set
        .get("t")
        .unwrap()
        .run(&a)
        .iter()
        .map(|f| {
            let c: Vec<&str> = f.culprits.iter().map(|&c| model.name(c)).collect();
            format!("{}: {}", model.name(f.subject), c.join(" "))
                .trim_end()
                .to_owned()
        })
        .collect();
    out.sort();
    out
}

const TWO_RACKS: &str = "racks: {r1: {}, r2: {}}\n";

#[test]
fn single_point_of_failure() {
    let bad = format!(
        "{TWO_RACKS}hosts: {{a: {{rack: r1}}, b: {{rack: r1}}}}\nservices: {{s: {{instances: [a, b]}}}}\n"
    );
    assert_eq!(run("single-point-of-failure", "{}", &bad), ["s: r1"]);
    let good = format!(
        "{TWO_RACKS}hosts: {{a: {{rack: r1}}, b: {{rack: r2}}}}\nservices: {{s: {{instances: [a, b]}}}}\n"
    );
    assert!(run("single-point-of-failure", "{}", &good).is_empty());
    assert_eq!(
        run("single-point-of-failure", "{order: 2}", &good),
        ["s: a b r1 r2"]
    );
    assert!(run("single-point-of-failure", "{culprit_kinds: [host]}", &bad).is_empty());
    assert!(
        run(
            "single-point-of-failure",
            "{select: {labels: {tier: x}}}",
            &bad
        )
        .is_empty()
    );
}

#[test]
fn single_instance() {
    let e = "hosts: {a: {}, b: {}}\nservices: {one: {instances: [a]}, two: {instances: [a, b]}}\n";
    assert_eq!(run("single-instance", "{}", e), ["one: a"]);
}

#[test]
fn ha_claim() {
    let e = "hosts: {a: {}}\nservices: {x: {instances: [a], ha: VMotion}, y: {instances: [a], ha: replication}}\n";
    assert_eq!(run("ha-claim", "{mechanisms: [vmotion]}", e), ["x:"]);
}

#[test]
fn colocation() {
    let e = "hosts: {h1: {cluster: c}, h2: {cluster: c}}\nclusters: {c: {anti_affinity: [[a1, a2]]}}\nvms: {a1: {cluster: c}, a2: {cluster: c}, b1: {cluster: c}, b2: {cluster: c}}\nservices: {a: {instances: [a1, a2]}, b: {instances: [b1, b2]}}\n";
    assert_eq!(run("colocation", "{}", e), ["b: b1 b2"]);
}

#[test]
fn data_copies() {
    let e = format!(
        "{TWO_RACKS}hosts: {{a: {{rack: r1}}, b: {{rack: r1}}, c: {{rack: r2}}}}\nservices:\n  bad: {{instances: [a], backups: [b], stateful: true}}\n  good: {{instances: [a], backups: [c], stateful: true}}\n  stateless: {{instances: [a]}}\n"
    );
    assert_eq!(run("data-copies", "{}", &e), ["bad: r1"]);
}

#[test]
fn power_overload_and_failover() {
    let e = "pdus: {a: {capacity_w: 1000}, b: {capacity_w: 1000}, c: {capacity_w: 100}}\nhosts:\n  h1: {power: [a, b], draw_w: 600}\n  h2: {power: [a, b], draw_w: 600}\n  h3: {power: [c], draw_w: 150}\n";
    assert_eq!(run("power-overload", "{}", e), ["c:"]);
    assert_eq!(run("power-failover-overload", "{}", e), ["a: b", "b: a"]);
    let fine = "pdus: {a: {capacity_w: 1000}, b: {capacity_w: 1000}}\nhosts: {h1: {power: [a, b], draw_w: 400}}\n";
    assert!(run("power-failover-overload", "{}", fine).is_empty());
}

#[test]
fn feed_carries_its_live_pdus() {
    let e = "feeds: {f: {capacity_w: 500}, g: {capacity_w: 5000}}\npdus: {a: {feed: f}, b: {feed: g}}\nhosts: {h: {power: [a, b], draw_w: 800}}\n";
    assert_eq!(run("power-overload", "{}", e), Vec::<String>::new());
    assert_eq!(run("power-failover-overload", "{}", e), ["f: b g"]);
}

#[test]
fn cluster_capacity() {
    let e = "hosts: {h1: {cluster: c, memory_gb: 64}, h2: {cluster: c, memory_gb: 64}, h3: {cluster: c, memory_gb: 64, standby: true}}\nclusters: {c: {}}\nvms: {v1: {cluster: c, memory_gb: 40}, v2: {host: h1, memory_gb: 40}}\n";
    assert_eq!(run("cluster-capacity", "{}", e), ["c: h1 h2"]);
    let roomy = "hosts: {h1: {cluster: c, memory_gb: 64}, h2: {cluster: c, memory_gb: 64}}\nclusters: {c: {}}\nvms: {v1: {cluster: c, memory_gb: 64}}\n";
    assert!(run("cluster-capacity", "{}", roomy).is_empty());
}

#[test]
fn dependency_cycle() {
    let e = "components: {a: {kind: x, requires: [b]}, b: {kind: x, requires: [a]}, c: {kind: x, requires: [c]}, d: {kind: x, requires: [a]}}\n";
    assert_eq!(run("dependency-cycle", "{}", e), ["a: a b", "c: c"]);
}

#[test]
fn never_healthy() {
    let e = "hosts: {a: {}, s: {standby: true}}\nservices:\n  quorum: {instances: [a], min_healthy: 2}\n  sleepy: {instances: [s]}\n  fine: {instances: [a]}\n  above: {instances: [a], depends_on: [sleepy]}\n";
    assert_eq!(
        run("never-healthy", "{}", e),
        ["above: sleepy", "quorum:", "sleepy: s"]
    );
}

#[test]
fn expired_waiver() {
    let e = "hosts:\n  a: {waivers: [{rule: x, reason: y, until: 2026-05-31}]}\n  b: {waivers: [{rule: x, reason: y, until: 2026-06-01}]}\n";
    assert_eq!(run("expired-waiver", "{}", e), ["a:"]);
}

#[test]
fn slo() {
    let e = "hosts: {a: {availability: 0.99}, b: {availability: 0.99}}\nservices:\n  one: {instances: [a], slo: 99.9}\n  two: {instances: [a, b], slo: 99.9}\n";
    assert_eq!(run("slo", "{}", e), ["one: a"]);
}

#[test]
fn field() {
    let e = "hosts: {a: {labels: {owner: sre}}, b: {}}\n";
    assert_eq!(
        run(
            "field",
            "{select: {kinds: [host]}, assert: \"'owner' in e.labels\"}",
            e
        ),
        ["b:"]
    );
    assert_eq!(
        run("field", "{assert: \"e.labels.owner == 'sre'\"}", e),
        ["b:"]
    );
}

#[test]
fn spread() {
    let e = format!(
        "{TWO_RACKS}pdus: {{p: {{rack: r1}}, q: {{rack: r2}}}}\nhosts:\n  a: {{rack: r1, power: [p, q]}}\n  b: {{rack: r2, power: [p, q]}}\n  c: {{rack: r1}}\nservices:\n  wide: {{instances: [a, b]}}\n  narrow: {{instances: [a, c]}}\n"
    );
    assert_eq!(run("spread", "{kind: rack, min: 2}", &e), ["narrow: r1"]);
    // Dual-corded hosts are not "in" either PDU.
    assert!(
        run("spread", "{kind: pdu, min: 2}", &e)
            .iter()
            .all(|l| !l.starts_with("wide"))
    );
    assert_eq!(run("spread", "{kind: rack, min: 3}", &e).len(), 2);
}

#[test]
fn separation() {
    let e = format!(
        "{TWO_RACKS}hosts: {{a: {{rack: r1}}, b: {{rack: r1}}, c: {{rack: r2}}}}\nservices:\n  mon: {{instances: [a], labels: {{role: mon}}}}\n  app: {{instances: [b]}}\n  far: {{instances: [c]}}\n"
    );
    let p = "{a: {labels: {role: mon}}, b: {kinds: [service], ids: [app, far]}, kinds: [rack]}";
    assert_eq!(run("separation", p, &e), ["mon: r1"]);
}

#[test]
fn bad_params_are_input_errors() {
    for (template, params) in [
        ("spread", "{kind: rak}"),
        ("spread", "{kind: rack, min: 9}"),
        ("field", "{assert: \"e.kind ==\"}"),
        ("field", "{}"),
        ("single-point-of-failure", "{ordr: 2}"),
        ("ha-claim", "{}"),
        ("separation", "{a: {kinds: [service]}}"),
        ("single-instance", "{select: {lables: {}}}"),
    ] {
        let rule =
            format!("id: t\nseverity: error\nsummary: t\ntemplate: {template}\nparams: {params}\n");
        assert!(
            RuleSet::load(vec![("t.yaml".into(), rule.into_bytes())]).is_err(),
            "{template} {params} should be rejected"
        );
    }
}
