//! Pictures of the dependency graph (`faultline graph`), as Graphviz DOT or
//! Mermaid, and the small single-point-of-failure chains of the Markdown
//! report.
//!
//! The edges are the circuit's (see `engine/circuit.rs`): an arrow from X to
//! everything X's DOWN condition reads, labelled with the field it comes
//! from. An arrow is dashed when its gate survives the loss of any single
//! member (a threshold above one: one of two power inputs, one instance of
//! a redundant service, one host of a cluster); a solid arrow is a
//! dependency whose loss alone takes the owner down. Nodes are shaped and
//! coloured by kind; hypervisor clusters are drawn as boxes around their
//! hosts and their own node, which floating vms point at (one arrow per
//! vm, not one per vm and host); the culprits of single-point-of-failure findings are red, and the
//! services they take down have a red outline.
//!
//! Node identifiers in the output are synthetic (`n<index>`): entity ids may
//! hold any character, and quoting rules differ between the two languages,
//! so ids only ever appear inside escaped labels.

use crate::analysis::graph::View;
use crate::model::{EntityId, Kind, Model};
use std::collections::{BTreeMap, HashSet};

/// `faultline graph --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT: `faultline graph infra/ | dot -Tsvg > graph.svg`.
    Dot,
    /// A Mermaid flowchart, for Markdown that renders Mermaid.
    Mermaid,
}

/// Renders a view in the chosen language.
pub fn render(model: &Model, v: &View, format: GraphFormat) -> String {
    match format {
        GraphFormat::Dot => dot(model, v),
        GraphFormat::Mermaid => mermaid(model, v),
    }
}

/// Fill colour per kind (the same in both languages).
fn fill(kind: Kind) -> &'static str {
    match kind {
        Kind::Site => "#f3f4f6",
        Kind::Feed => "#fef3c7",
        Kind::Rack => "#e0e7ff",
        Kind::Pdu => "#fde68a",
        Kind::Switch => "#cffafe",
        Kind::Host => "#dbeafe",
        Kind::Cluster => "#ffffff",
        Kind::Vm => "#dcfce7",
        Kind::Service => "#ede9fe",
        Kind::Component => "#f5f5f4",
    }
}

const RED: &str = "#dc2626";
const RED_FILL: &str = "#fecaca";

fn dot_shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Site => "tab",
        Kind::Feed => "invhouse",
        Kind::Rack => "box3d",
        Kind::Pdu => "parallelogram",
        Kind::Switch => "hexagon",
        Kind::Host | Kind::Vm | Kind::Cluster => "box",
        Kind::Service => "ellipse",
        Kind::Component => "cylinder",
    }
}

/// A DOT double-quoted string.
fn dot_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Hypervisor clusters with at least one host in the view, and their
/// members in it: the cluster's own node (that floating vms point at)
/// first when drawn, then the hosts.
fn clusters_of(model: &Model, nodes: &[EntityId]) -> BTreeMap<EntityId, Vec<EntityId>> {
    let mut out: BTreeMap<EntityId, Vec<EntityId>> = BTreeMap::new();
    for &n in nodes {
        let e = model.get(n);
        if e.kind() == Kind::Host
            && let Some(c) = e.cluster
        {
            out.entry(c).or_default().push(n);
        }
    }
    for (c, members) in &mut out {
        if nodes.contains(c) {
            members.insert(0, *c);
        }
    }
    out
}

/// Graphviz DOT (render with `dot -Tsvg`).
pub fn dot(model: &Model, v: &View) -> String {
    let mut s = String::from("digraph faultline {\n");
    s.push_str("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11];\n");
    s.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=filled, color=\"#4b5563\"];\n");
    s.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#6b7280\"];\n");
    if let Some(n) = &v.note {
        s.push_str(&format!("  // {}\n", n.replace('\n', " ")));
    }
    for (c, hosts) in clusters_of(model, &v.nodes) {
        s.push_str(&format!("  subgraph \"cluster_n{c}\" {{\n"));
        s.push_str(&format!(
            "    label={}; style=\"rounded,dashed\"; color=\"#9ca3af\";\n",
            dot_str(&format!("cluster {}", model.name(c)))
        ));
        for h in hosts {
            s.push_str(&format!("    \"n{h}\";\n"));
        }
        s.push_str("  }\n");
    }
    for &n in &v.nodes {
        let e = model.get(n);
        let kind = e.kind();
        let mut attrs = vec![
            format!(
                "label={}",
                dot_str(&format!("{}\n({})", e.id, kind.singular()))
            ),
            format!("tooltip={}", dot_str(&e.id)),
            format!("shape={}", dot_shape(kind)),
        ];
        let mut style = vec!["filled"];
        if kind == Kind::Vm {
            style.push("rounded");
        }
        if kind == Kind::Service {
            attrs.push("peripheries=2".into());
        }
        if v.culprits.contains(&n) {
            attrs.push(format!(
                "fillcolor=\"{RED_FILL}\", color=\"{RED}\", penwidth=2.5"
            ));
            style.push("bold");
        } else if v.flagged.contains(&n) {
            attrs.push(format!(
                "fillcolor=\"{}\", color=\"{RED}\", penwidth=2.5",
                fill(kind)
            ));
        } else {
            attrs.push(format!("fillcolor=\"{}\"", fill(kind)));
        }
        attrs.push(format!("style=\"{}\"", style.join(",")));
        s.push_str(&format!("  \"n{n}\" [{}];\n", attrs.join(", ")));
    }
    for e in &v.edges {
        let mut attrs = vec![format!("label={}", dot_str(e.label))];
        if e.redundant {
            attrs.push("style=dashed".into());
        }
        if v.culprits.contains(&e.to) && !e.redundant {
            attrs.push(format!("color=\"{RED}\""));
        }
        s.push_str(&format!(
            "  \"n{}\" -> \"n{}\" [{}];\n",
            e.from,
            e.to,
            attrs.join(", ")
        ));
    }
    s.push_str("}\n");
    s
}

/// Mermaid label text: quoted, with the characters Mermaid would read as
/// markup written as entity codes.
fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn mermaid_node(model: &Model, n: EntityId) -> String {
    let e = model.get(n);
    let l = mermaid_label(&format!("{} ({})", e.id, e.kind().singular()));
    match e.kind() {
        Kind::Site => format!("n{n}[/\"{l}\"\\]"),
        Kind::Feed => format!("n{n}>\"{l}\"]"),
        Kind::Rack => format!("n{n}[[\"{l}\"]]"),
        Kind::Pdu => format!("n{n}[/\"{l}\"/]"),
        Kind::Switch => format!("n{n}{{{{\"{l}\"}}}}"),
        Kind::Host | Kind::Cluster => format!("n{n}[\"{l}\"]"),
        Kind::Vm => format!("n{n}(\"{l}\")"),
        Kind::Service => format!("n{n}([\"{l}\"])"),
        Kind::Component => format!("n{n}[(\"{l}\")]"),
    }
}

/// A Mermaid flowchart (`graph LR`), without the Markdown fence.
pub fn mermaid(model: &Model, v: &View) -> String {
    let mut s = String::from("graph LR\n");
    if let Some(n) = &v.note {
        s.push_str(&format!("  %% {}\n", n.replace('\n', " ")));
    }
    let clusters = clusters_of(model, &v.nodes);
    let in_cluster: HashSet<EntityId> = clusters.values().flatten().copied().collect();
    for (c, hosts) in &clusters {
        s.push_str(&format!(
            "  subgraph c{c} [\"{}\"]\n",
            mermaid_label(&format!("cluster {}", model.name(*c)))
        ));
        for &h in hosts {
            s.push_str(&format!("    {}\n", mermaid_node(model, h)));
        }
        s.push_str("  end\n");
    }
    for &n in v.nodes.iter().filter(|n| !in_cluster.contains(n)) {
        s.push_str(&format!("  {}\n", mermaid_node(model, n)));
    }
    for e in &v.edges {
        let arrow = if e.redundant { "-.->" } else { "-->" };
        s.push_str(&format!("  n{} {arrow}|{}| n{}\n", e.from, e.label, e.to));
    }
    // One class per node: culprit, flagged, or its kind.
    let mut classes: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for &n in &v.nodes {
        let class = if v.culprits.contains(&n) {
            "culprit"
        } else if v.flagged.contains(&n) {
            "flagged"
        } else {
            model.get(n).kind().singular()
        };
        classes.entry(class).or_default().push(format!("n{n}"));
    }
    for (class, members) in &classes {
        let def = match *class {
            "culprit" => format!("fill:{RED_FILL},stroke:{RED},stroke-width:3px"),
            "flagged" => format!("fill:{},stroke:{RED},stroke-width:3px", fill(Kind::Service)),
            k => format!(
                "fill:{},stroke:#4b5563",
                fill(Kind::from_singular(k).unwrap_or(Kind::Component))
            ),
        };
        s.push_str(&format!("  classDef {class} {def}\n"));
        s.push_str(&format!("  class {} {class}\n", members.join(",")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        assert_eq!(dot_str("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(mermaid_label("a\"#<b>"), "a#quot;#35;#lt;b#gt;");
    }
}
