//! Metamorphic tests: transformations of a description that must not
//! change what `faultline check` finds, or must change it only in a known
//! direction.
//!
//! Random small valid estates (the generator shared with
//! `tests/engine_props.rs`, in `tests/common/estate.rs`, with waivers, `ha`
//! and `slo` added to services) are kept as
//! a list of entities with typed fields, so that they can be reordered,
//! split over files, renamed and extended before being rendered to YAML.
//! Findings are compared as (rule, subject, sorted culprits, waived) taken
//! from the JSON report: locations and messages legitimately change.
//!
//! (a) shuffling sections, entities and keys; (b) splitting into several
//! files; (c) renaming every id; (d) adding an unrelated healthy service;
//! (e) adding a redundant replica to a service.

mod common;

use common::estate;
use common::render::{self, Ent, Fields, SECTIONS, Val, render, render_file};
use faultline::analysis::Analysis;
use faultline::check;
use faultline::model::load;
use faultline::model::{Date, Kind, Model};
use faultline::report::json;
use faultline::rules::RuleSet;
use proptest::collection::vec;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// Generation (`common/estate.rs`) with extras for services.
// ---------------------------------------------------------------------------

/// An estate with `ha`, `slo` and a waiver for the first services.
type Gen = estate::Gen<Vec<SvcExtra>>;

/// What the rules about claims, SLOs and waivers read, for one service.
#[derive(Clone, Debug)]
struct SvcExtra {
    /// `ha: vmotion` (live-migration-is-not-ha).
    vmotion: bool,
    /// `slo`: 99.0 to 99.999.
    slo: Option<u8>,
    /// A waiver: rule index, `until` index (past, today, future, none).
    waiver: Option<(u8, u8)>,
}

fn svc_extra() -> impl Strategy<Value = SvcExtra> {
    (
        proptest::bool::weighted(0.2),
        proptest::option::weighted(0.3, any::<u8>()),
        proptest::option::weighted(0.4, (any::<u8>(), any::<u8>())),
    )
        .prop_map(|(vmotion, slo, waiver)| SvcExtra {
            vmotion,
            slo,
            waiver,
        })
}

fn gen_estate() -> impl Strategy<Value = Gen> {
    estate::gen_estate(vec(svc_extra(), 3))
}

// ---------------------------------------------------------------------------
// Descriptions as data (`common/render.rs`) with the service extras.
// ---------------------------------------------------------------------------

/// Built-in rules a generated waiver may name.
const WAIVABLE: [&str; 5] = [
    "single-point-of-failure",
    "single-instance",
    "live-migration-is-not-ha",
    "data-single-failure-domain",
    "slo-unmet",
];

/// `until` of a generated waiver: expired, today, in force, none.
const UNTIL: [Option<&str>; 4] = [
    Some("2025-12-31"),
    Some("2026-01-01"),
    Some("2027-06-30"),
    None,
];

/// The entities of a generated estate, in canonical order.
fn build(g: &Gen) -> Vec<Ent> {
    render::build(g, |i, f: &mut Fields| {
        if let Some(x) = g.extra.get(i) {
            if x.vmotion {
                f.word("ha", Some("vmotion".into()));
            }
            f.word(
                "slo",
                x.slo
                    .map(|s| format!("{}", 99.0 + f64::from(s % 100) / 100.0)),
            );
            if let Some((r, u)) = x.waiver {
                let rule = WAIVABLE[r as usize % WAIVABLE.len()].to_owned();
                let until = UNTIL[u as usize % UNTIL.len()].map(str::to_owned);
                f.0.push(("waivers", Val::Waivers(vec![(rule, until)])));
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Findings.
// ---------------------------------------------------------------------------

/// (rule, subject, sorted culprits, waived).
type Key = (String, String, Vec<String>, bool);

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| match RuleSet::load(vec![]) {
        Ok(r) => r,
        Err(_) => panic!("the built-in rules load"),
    })
}

const TODAY: Date = Date {
    year: 2026,
    month: 1,
    day: 1,
};

fn dump(files: &[(String, String)]) -> String {
    files
        .iter()
        .map(|(n, t)| format!("--- {n}\n{t}"))
        .collect::<Vec<_>>()
        .join("")
}

fn model_of(files: &[(String, String)]) -> Result<Model, TestCaseError> {
    let bytes = files
        .iter()
        .map(|(n, t)| (n.clone(), t.as_bytes().to_vec()))
        .collect();
    load::load(bytes).map_err(|f| {
        let errors: Vec<&str> = f.errors.iter().map(|e| e.message.as_str()).collect();
        TestCaseError::fail(format!(
            "the description does not load: {errors:#?}\n{}",
            dump(files)
        ))
    })
}

/// The findings of `check --format json`, without locations and messages,
/// sorted.
fn findings(files: &[(String, String)]) -> Result<Vec<Key>, TestCaseError> {
    let model = model_of(files)?;
    let a = Analysis::new(&model, TODAY);
    let outcome = check::run(&a, rules());
    let report = json::check(&model, &outcome);
    let list = report["findings"].as_array().expect("a findings array");
    let mut keys: Vec<Key> = list
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().expect("a string").to_owned();
            let mut culprits: Vec<String> = f["culprits"]
                .as_array()
                .expect("culprits")
                .iter()
                .map(|c| c.as_str().expect("an id").to_owned())
                .collect();
            culprits.sort();
            (
                s("rule"),
                s("subject"),
                culprits,
                f["waived"].as_bool().expect("waived"),
            )
        })
        .collect();
    keys.sort();
    Ok(keys)
}

/// The estimated availability of service `id`.
fn estimate(files: &[(String, String)], id: &str) -> Result<f64, TestCaseError> {
    let model = model_of(files)?;
    let a = Analysis::new(&model, TODAY);
    let s = model.lookup(id).expect("a generated id");
    let estimates = a
        .estimates()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let est = estimates[s as usize]
        .as_ref()
        .expect("services have estimates");
    Ok(est.availability)
}

/// The services that are up with nothing failed.
fn up_services(files: &[(String, String)]) -> Result<Vec<String>, TestCaseError> {
    let model = model_of(files)?;
    let a = Analysis::new(&model, TODAY);
    Ok(a.services()
        .filter(|&s| a.is_up(s))
        .map(|s| model.name(s).to_owned())
        .collect())
}

// ---------------------------------------------------------------------------
// Transformations.
// ---------------------------------------------------------------------------

/// A small deterministic generator for permutations and partitions, seeded
/// by proptest (so a failing case replays and shrinks).
struct Shuffler(u64);

impl Shuffler {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// (a) Sections, entities within sections and keys within entities in a
/// random order (in one file).
fn shuffled(ents: &[Ent], seed: u64) -> Vec<(String, String)> {
    let mut rng = Shuffler(seed);
    let mut sections = SECTIONS.to_vec();
    rng.shuffle(&mut sections);
    let mut ents = ents.to_vec();
    rng.shuffle(&mut ents);
    for e in &mut ents {
        rng.shuffle(&mut e.fields);
    }
    let refs: Vec<&Ent> = ents.iter().collect();
    vec![("estate.yaml".to_owned(), render_file(&sections, &refs))]
}

/// (b) Entities dealt at random into `parts` files; every file repeats
/// the sections it needs.
fn split(ents: &[Ent], parts: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Shuffler(seed);
    let mut files: Vec<Vec<&Ent>> = vec![Vec::new(); parts];
    for e in ents {
        files[rng.below(parts)].push(e);
    }
    files
        .iter()
        .enumerate()
        .map(|(i, f)| (format!("part-{i}.yaml"), render_file(&SECTIONS, f)))
        .collect()
}

/// (c) The new name of an id: a prefix (with characters that need
/// quoting) and the old name reversed.
fn renamed(id: &str) -> String {
    format!("ü x/{}", id.chars().rev().collect::<String>())
}

fn rename_all(ents: &[Ent]) -> Vec<Ent> {
    let r = |v: &Vec<String>| v.iter().map(|x| renamed(x)).collect::<Vec<_>>();
    ents.iter()
        .map(|e| Ent {
            section: e.section,
            id: renamed(&e.id),
            fields: e
                .fields
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Val::Id(x) => Val::Id(renamed(x)),
                        Val::Ids(xs) => Val::Ids(r(xs)),
                        Val::Groups(gs) => Val::Groups(gs.iter().map(r).collect()),
                        other => other.clone(),
                    };
                    (*k, v)
                })
                .collect(),
        })
        .collect()
}

/// Two findings name entities by a choice that renaming legitimately
/// changes, so those parts are left out of the key:
/// - a dependency-cycle finding is about the first member of the loop by
///   name (its culprits are the whole loop, and stay);
/// - slo-unmet names the units of the three biggest contributing cut sets,
///   and contributions often tie (two hosts at the default availability):
///   ties are broken by id, so which of the tied units are named depends on
///   the names (the finding itself does not).
fn name_free(k: &Key) -> Key {
    match k.0.as_str() {
        "dependency-cycle" => (k.0.clone(), String::new(), k.2.clone(), k.3),
        "slo-unmet" => (k.0.clone(), k.1.clone(), Vec::new(), k.3),
        _ => k.clone(),
    }
}

fn rename_key(k: &Key) -> Key {
    let mut culprits: Vec<String> = k.2.iter().map(|c| renamed(c)).collect();
    culprits.sort();
    name_free(&(k.0.clone(), renamed(&k.1), culprits, k.3))
}

/// The shape of an added service, all of it on fresh entities.
#[derive(Clone, Debug)]
struct Addition {
    /// Instances (2 to 4): hosts, or vms pinned to hosts.
    instances: usize,
    as_vms: bool,
    /// Healthy instances needed: 1 to instances - 1.
    min_healthy: usize,
    /// Give each host a rack PDU on a feed of its own.
    powered: bool,
}

fn addition() -> impl Strategy<Value = Addition> {
    (2usize..=4, any::<bool>(), any::<u8>(), any::<bool>()).prop_map(
        |(instances, as_vms, m, powered)| Addition {
            instances,
            as_vms,
            min_healthy: 1 + m as usize % (instances - 1),
            powered,
        },
    )
}

/// A host in a rack of its own, optionally behind a PDU on a feed of its
/// own, and (as a vm) a vm pinned to it: the entities, and the instance id.
fn fresh_replica(tag: &str, as_vm: bool, powered: bool) -> (Vec<Ent>, String) {
    let ent = |section, id: &str, fields| Ent {
        section,
        id: id.to_owned(),
        fields,
    };
    let id = |x: &str| Val::Id(x.to_owned());
    let (rack, pdu, feed, host, vm) = (
        format!("new-{tag}-rack"),
        format!("new-{tag}-pdu"),
        format!("new-{tag}-feed"),
        format!("new-{tag}-host"),
        format!("new-{tag}-vm"),
    );
    let site = format!("new-{tag}-site");
    let mut out = vec![
        ent("sites", &site, vec![]),
        ent("racks", &rack, vec![("site", id(&site))]),
    ];
    let mut host_fields = vec![("rack", id(&rack))];
    if powered {
        out.push(ent("feeds", &feed, vec![("site", id(&site))]));
        out.push(ent(
            "pdus",
            &pdu,
            vec![("rack", id(&rack)), ("feed", id(&feed))],
        ));
        host_fields.push(("power", Val::Ids(vec![pdu.clone()])));
    }
    out.push(ent("hosts", &host, host_fields));
    if as_vm {
        out.push(ent("vms", &vm, vec![("host", id(&host))]));
        (out, vm)
    } else {
        (out, host)
    }
}

/// (d) An unrelated service that survives any single failure, on fresh
/// racks, hosts and power.
fn with_healthy_service(ents: &[Ent], add: &Addition) -> Vec<Ent> {
    let mut out = ents.to_vec();
    let mut instances = Vec::new();
    for i in 0..add.instances {
        let (new, inst) = fresh_replica(&format!("svc-{i}"), add.as_vms, add.powered);
        out.extend(new);
        instances.push(inst);
    }
    let mut fields = vec![("instances", Val::Ids(instances))];
    if add.min_healthy != 1 {
        fields.push(("min_healthy", Val::Word(add.min_healthy.to_string())));
    }
    out.push(Ent {
        section: "services",
        id: "new-service".into(),
        fields,
    });
    out
}

/// (e) One more instance for service `svc`, on fresh entities.
fn with_replica(ents: &[Ent], svc: &str, as_vm: bool, powered: bool) -> Vec<Ent> {
    let (new, inst) = fresh_replica("replica", as_vm, powered);
    let mut out = ents.to_vec();
    for e in &mut out {
        if e.id == svc {
            for (k, v) in &mut e.fields {
                if *k == "instances"
                    && let Val::Ids(xs) = v
                {
                    xs.push(inst.clone());
                }
            }
        }
    }
    out.extend(new);
    out
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 200;
    }
    c
}

fn show(keys: &[Key]) -> String {
    keys.iter()
        .map(|(r, s, c, w)| {
            format!(
                "  {r} {s} [{}]{}\n",
                c.join(", "),
                if *w { " waived" } else { "" }
            )
        })
        .collect()
}

fn diff(before: &[Key], after: &[Key]) -> String {
    let b: BTreeSet<&Key> = before.iter().collect();
    let a: BTreeSet<&Key> = after.iter().collect();
    let gone: Vec<Key> = b.difference(&a).map(|k| (*k).clone()).collect();
    let new: Vec<Key> = a.difference(&b).map(|k| (*k).clone()).collect();
    format!("only before:\n{}only after:\n{}", show(&gone), show(&new))
}

proptest! {
    #![proptest_config(config())]

    /// (a) Order is not meaning.
    #[test]
    fn shuffling_changes_no_finding(g in gen_estate(), seed in any::<u64>()) {
        let ents = build(&g);
        let base = render(&ents);
        let want = findings(&base)?;
        let files = shuffled(&ents, seed);
        let got = findings(&files)?;
        prop_assert!(
            want == got,
            "{}\n=== original\n{}=== shuffled\n{}",
            diff(&want, &got),
            dump(&base),
            dump(&files)
        );
    }

    /// (b) Files are not meaning: ids are global.
    #[test]
    fn splitting_into_files_changes_no_finding(
        g in gen_estate(),
        parts in 2usize..=4,
        seed in any::<u64>(),
    ) {
        let ents = build(&g);
        let base = render(&ents);
        let want = findings(&base)?;
        let files = split(&ents, parts, seed);
        let got = findings(&files)?;
        prop_assert!(
            want == got,
            "{}\n=== original\n{}=== split\n{}",
            diff(&want, &got),
            dump(&base),
            dump(&files)
        );
    }

    /// (c) Names are not meaning.
    #[test]
    fn renaming_every_id_renames_the_findings(g in gen_estate()) {
        let ents = build(&g);
        let base = render(&ents);
        let mut want: Vec<Key> = findings(&base)?.iter().map(rename_key).collect();
        want.sort();
        let files = render(&rename_all(&ents));
        let mut got: Vec<Key> = findings(&files)?.iter().map(name_free).collect();
        got.sort();
        prop_assert!(
            want == got,
            "{}\n=== original\n{}=== renamed\n{}",
            diff(&want, &got),
            dump(&base),
            dump(&files)
        );
    }

    /// (d) A healthy service on its own racks, hosts and power changes
    /// nothing about the rest, and has no finding itself.
    #[test]
    fn an_unrelated_healthy_service_adds_no_finding(g in gen_estate(), add in addition()) {
        let ents = build(&g);
        let base = render(&ents);
        let mut want = findings(&base)?;
        if !add.powered {
            // A host without power is rightly reported as not described.
            for i in 0..add.instances {
                let host = format!("new-svc-{i}-host");
                want.push(("missing-failure-domain".into(), host, vec![], false));
            }
        }
        want.sort();
        let files = render(&with_healthy_service(&ents, &add));
        let mut got = findings(&files)?;
        got.sort();
        prop_assert!(
            want == got,
            "{}\n=== original\n{}=== with a new service\n{}",
            diff(&want, &got),
            dump(&base),
            dump(&files)
        );
    }

    /// (e) One more replica, on a fresh host in a fresh rack with fresh
    /// power, never adds a finding about its service: every finding about
    /// it afterwards was there before, with the same or fewer culprits
    /// (slo-unmet names the biggest contributors, which may now include
    /// the new units: only its presence counts), and its estimated
    /// availability does not drop. (A service that was down with nothing
    /// failed is left out: bringing it up can rightly reveal its single
    /// points of failure.)
    #[test]
    fn a_redundant_replica_adds_no_finding_for_its_service(
        g in gen_estate(),
        which in any::<u8>(),
        as_vm in any::<bool>(),
        powered in any::<bool>(),
    ) {
        let ents = build(&g);
        let base = render(&ents);
        let up = up_services(&base)?;
        if up.is_empty() {
            return Ok(());
        }
        let svc = up[which as usize % up.len()].clone();
        let before_estimate = estimate(&base, &svc)?;
        let about = |keys: Vec<Key>| -> Vec<Key> {
            keys.into_iter().filter(|k| k.1 == svc).collect()
        };
        let before = about(findings(&base)?);
        let files = render(&with_replica(&ents, &svc, as_vm, powered));
        let after = about(findings(&files)?);
        let after_estimate = estimate(&files, &svc)?;
        prop_assert!(
            after_estimate >= before_estimate - 1e-12,
            "`{svc}`: estimate {before_estimate} -> {after_estimate}\n=== original\n{}=== with a replica\n{}",
            dump(&base),
            dump(&files)
        );
        let mut by_rule: BTreeMap<(&str, bool), Vec<&Vec<String>>> = BTreeMap::new();
        for (rule, _, culprits, waived) in &before {
            by_rule.entry((rule.as_str(), *waived)).or_default().push(culprits);
        }
        for k in &after {
            let covered = by_rule.get(&(k.0.as_str(), k.3)).is_some_and(|olds| {
                k.0 == "slo-unmet" || olds.iter().any(|old| k.2.iter().all(|c| old.contains(c)))
            });
            prop_assert!(
                covered,
                "new finding about `{svc}`: {}\n{}\n=== original\n{}=== with a replica\n{}",
                show(std::slice::from_ref(k)),
                diff(&before, &after),
                dump(&base),
                dump(&files)
            );
        }
    }
}

/// The generator makes what the properties need: findings of many rules,
/// waived ones, cycles, services that are up.
#[test]
fn generated_estates_have_varied_findings() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut rules: BTreeSet<String> = BTreeSet::new();
    let mut waived = 0;
    for _ in 0..300 {
        let g = gen_estate()
            .new_tree(&mut runner)
            .expect("a value")
            .current();
        let keys = findings(&render(&build(&g))).unwrap_or_else(|e| panic!("{e}"));
        waived += keys.iter().filter(|k| k.3).count();
        rules.extend(keys.into_iter().map(|k| k.0));
    }
    for r in [
        "single-point-of-failure",
        "single-instance",
        "live-migration-is-not-ha",
        "colocation-risk",
        "data-single-failure-domain",
        "power-overload",
        "power-failover-overload",
        "dependency-cycle",
        "never-healthy",
        "expired-waiver",
        "slo-unmet",
    ] {
        assert!(
            rules.contains(r),
            "no `{r}` finding in 300 estates: {rules:?}"
        );
    }
    assert!(waived > 0, "no waived finding in 300 estates");
}

/// Kinds of the canonical section order match the model's.
#[test]
fn sections_are_the_format_sections() {
    let mut want: Vec<&str> = Kind::ALL.iter().map(|k| k.section()).collect();
    let mut have = SECTIONS.to_vec();
    want.sort();
    have.sort();
    assert_eq!(want, have);
}
