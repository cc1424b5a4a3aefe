//! Generated estates as data (entities with typed fields) and their YAML
//! text. The property tests render through here so that every test reads
//! the same description of the same [`Gen`]; the metamorphic tests also
//! reorder, split and rename the entities before rendering.

use super::estate::{Gen, Ids, availability, sel, sel_list, sel_others};

/// A field value; ids are kept apart from other words so renaming can
/// find them.
#[derive(Clone, Debug)]
pub enum Val {
    /// A number, flag or word (`restart`, `ups`...), written as is.
    Word(String),
    Id(String),
    Ids(Vec<String>),
    /// `anti_affinity`: lists of vm ids.
    Groups(Vec<Vec<String>>),
    /// `waivers`: (rule, until) pairs.
    Waivers(Vec<(String, Option<String>)>),
}

#[derive(Clone, Debug)]
pub struct Ent {
    pub section: &'static str,
    pub id: String,
    pub fields: Vec<(&'static str, Val)>,
}

/// Sections in the canonical order.
pub const SECTIONS: [&str; 10] = [
    "sites",
    "feeds",
    "racks",
    "pdus",
    "switches",
    "hosts",
    "clusters",
    "vms",
    "components",
    "services",
];

/// Accumulates the fields of one entity.
#[derive(Default)]
pub struct Fields(pub Vec<(&'static str, Val)>);

impl Fields {
    pub fn word(&mut self, key: &'static str, v: Option<String>) {
        if let Some(v) = v {
            self.0.push((key, Val::Word(v)));
        }
    }
    pub fn id(&mut self, key: &'static str, v: Option<String>) {
        if let Some(v) = v {
            self.0.push((key, Val::Id(v)));
        }
    }
    pub fn ids(&mut self, key: &'static str, v: Vec<String>) {
        if !v.is_empty() {
            self.0.push((key, Val::Ids(v)));
        }
    }
}

/// The entities of a generated estate, in canonical order;
/// `service_extra` adds the test's own fields to the i-th service.
pub fn build<X>(g: &Gen<X>, service_extra: impl Fn(usize, &mut Fields)) -> Vec<Ent> {
    let Ids {
        sites,
        feeds,
        racks,
        pdus,
        switches,
        hosts,
        clusters,
        vms,
        comps,
        svcs,
        units,
    } = Ids::of(g);
    let cat = |pools: &[&Vec<String>]| -> Vec<String> {
        pools.iter().copied().flatten().cloned().collect()
    };
    let power_pool = cat(&[&pdus, &feeds, &comps]);
    let net_pool = cat(&[&switches, &comps]);
    let inst_pool = cat(&[&vms, &hosts, &comps]);
    let dep_pool = cat(&[&svcs, &comps]);
    let num = |x: Option<u8>, step: u32, modulo: u32, base: u32| {
        x.map(|v| ((u32::from(v) % modulo + base) * step).to_string())
    };
    let mut out = Vec::new();
    let mut push = |section: &'static str, id: &str, f: Fields| {
        out.push(Ent {
            section,
            id: id.to_owned(),
            fields: f.0,
        })
    };

    for (i, req) in g.sites.iter().enumerate() {
        let mut f = Fields::default();
        f.ids("requires", sel_list(req, &units));
        push("sites", &sites[i], f);
    }
    for (i, e) in g.feeds.iter().enumerate() {
        let mut f = Fields::default();
        f.id("site", sel(e.site, &sites));
        f.word("capacity_w", num(e.cap, 100, 20, 0));
        f.ids("requires", sel_list(&e.req, &units));
        push("feeds", &feeds[i], f);
    }
    for (i, e) in g.racks.iter().enumerate() {
        let mut f = Fields::default();
        f.id("site", sel(e.site, &sites));
        f.ids("requires", sel_list(&e.req, &units));
        push("racks", &racks[i], f);
    }
    for (i, e) in g.pdus.iter().enumerate() {
        let mut f = Fields::default();
        f.id("rack", sel(e.rack, &racks));
        f.id("feed", sel(e.feed, &feeds));
        f.word("capacity_w", num(e.cap, 100, 10, 0));
        f.ids("requires", sel_list(&e.req, &units));
        push("pdus", &pdus[i], f);
    }
    for (i, e) in g.switches.iter().enumerate() {
        let mut f = Fields::default();
        f.id("rack", sel(e.rack, &racks));
        f.ids("power", sel_list(&e.power, &power_pool));
        f.ids("uplinks", sel_others(&e.uplinks, &net_pool, &switches[i]));
        f.word("draw_w", num(e.draw, 100, 4, 1));
        f.ids("requires", sel_list(&e.req, &units));
        push("switches", &switches[i], f);
    }
    for (i, e) in g.hosts.iter().enumerate() {
        let c = match e.cluster {
            Some(x) if !clusters.is_empty() => Some(x as usize % clusters.len()),
            _ => None,
        };
        let mut f = Fields::default();
        f.id("rack", sel(e.rack, &racks));
        f.ids("power", sel_list(&e.power, &power_pool));
        f.ids("network", sel_list(&e.network, &net_pool));
        f.id("cluster", c.map(|c| clusters[c].clone()));
        f.word("draw_w", num(e.draw, 100, 6, 1));
        f.word("memory_gb", num(e.mem, 16, 8, 1));
        f.word("availability", availability(e.avail));
        if e.standby {
            f.word("standby", Some("true".into()));
        }
        f.ids("requires", sel_list(&e.req, &units));
        push("hosts", &hosts[i], f);
    }
    let mut floating: Vec<Vec<String>> = vec![Vec::new(); clusters.len()];
    let mut vm_ents = Vec::new();
    for (i, e) in g.vms.iter().enumerate() {
        let mut f = Fields::default();
        if e.pinned || clusters.is_empty() {
            f.id("host", Some(hosts[e.host as usize % hosts.len()].clone()));
            f.id("ft_secondary", sel(e.ft, &hosts));
        } else {
            let c = e.cluster as usize % clusters.len();
            floating[c].push(vms[i].clone());
            f.id("cluster", Some(clusters[c].clone()));
        }
        f.word("memory_gb", num(e.mem, 8, 8, 1));
        f.word("availability", availability(e.avail));
        f.ids("requires", sel_list(&e.req, &units));
        vm_ents.push(f);
    }
    for (i, e) in g.clusters.iter().enumerate() {
        let mut f = Fields::default();
        f.word("ha", Some("restart".into()));
        let groups: Vec<Vec<String>> = e
            .anti
            .iter()
            .map(|grp| sel_list(grp, &floating[i]))
            .filter(|grp| !grp.is_empty())
            .collect();
        if !groups.is_empty() {
            f.0.push(("anti_affinity", Val::Groups(groups)));
        }
        f.ids("requires", sel_list(&e.req, &units));
        push("clusters", &clusters[i], f);
    }
    for (i, f) in vm_ents.into_iter().enumerate() {
        push("vms", &vms[i], f);
    }
    for (i, e) in g.comps.iter().enumerate() {
        let mut f = Fields::default();
        f.word(
            "kind",
            Some(if i % 2 == 0 { "ups" } else { "storage-array" }.into()),
        );
        f.id("site", sel(e.site, &sites));
        f.id("rack", sel(e.rack, &racks));
        f.ids("power", sel_others(&e.power, &power_pool, &comps[i]));
        f.ids("network", sel_others(&e.network, &net_pool, &comps[i]));
        f.word("draw_w", num(e.draw, 100, 3, 1));
        f.ids("requires", sel_list(&e.req, &units));
        push("components", &comps[i], f);
    }
    for (i, e) in g.svcs.iter().enumerate() {
        let mut f = Fields::default();
        f.0.push(("instances", Val::Ids(sel_list(&e.instances, &inst_pool))));
        if e.min_healthy != 1 {
            f.word("min_healthy", Some(e.min_healthy.to_string()));
        }
        f.ids("depends_on", sel_others(&e.depends, &dep_pool, &svcs[i]));
        if e.stateful {
            f.word("stateful", Some("true".into()));
        }
        f.ids("backups", sel_list(&e.backups, &units));
        f.ids("requires", sel_list(&e.req, &units));
        service_extra(i, &mut f);
        push("services", &svcs[i], f);
    }
    out
}

/// A double-quoted YAML scalar: ids stay strings whatever they contain.
pub fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push_str(&format!("\\u{:04x}", c as u32)),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

pub fn render_val(v: &Val) -> String {
    let list = |ids: &[String]| {
        format!(
            "[{}]",
            ids.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ")
        )
    };
    match v {
        Val::Word(w) => w.clone(),
        Val::Id(x) => quote(x),
        Val::Ids(xs) => list(xs),
        Val::Groups(gs) => format!(
            "[{}]",
            gs.iter().map(|g| list(g)).collect::<Vec<_>>().join(", ")
        ),
        Val::Waivers(ws) => format!(
            "[{}]",
            ws.iter()
                .map(|(rule, until)| match until {
                    Some(u) => format!("{{rule: {rule}, reason: accepted, until: {u}}}"),
                    None => format!("{{rule: {rule}, reason: accepted}}"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// One file: each section (in the order given) with its entities (in the
/// order given), each entity a flow map with its fields in their order.
pub fn render_file(sections: &[&str], ents: &[&Ent]) -> String {
    let mut y = String::from("version: 1\n");
    for s in sections {
        let of: Vec<&&Ent> = ents.iter().filter(|e| e.section == *s).collect();
        if of.is_empty() {
            continue;
        }
        y.push_str(s);
        y.push_str(":\n");
        for e in of {
            let fields: Vec<String> = e
                .fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", render_val(v)))
                .collect();
            y.push_str(&format!("  {}: {{{}}}\n", quote(&e.id), fields.join(", ")));
        }
    }
    y
}

/// The canonical rendering: one file, sections and entities in order.
pub fn render(ents: &[Ent]) -> Vec<(String, String)> {
    let refs: Vec<&Ent> = ents.iter().collect();
    vec![("estate.yaml".to_owned(), render_file(&SECTIONS, &refs))]
}
