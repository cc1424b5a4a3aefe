//! Entity ids for NetBox objects.
//!
//! NetBox names are unique only within a scope (a rack within its site, a
//! feed within its panel, a device within its site and tenant, a VM within
//! its cluster), and faultline ids must be unique across a whole estate.
//! So an id is the object's name qualified by its scope, as a slug:
//! `ncsu-065/r101`, `ncsu-065/panel-1/p1-1a`, `do-ams3/vm1`. It depends only
//! on the object and its scope, never on what else is in NetBox, so
//! importing again after unrelated changes gives the same ids. The rare
//! objects that still come out with the same id (two tenants' devices of
//! one name in one site, names that differ only in punctuation) all get
//! their NetBox model and number appended: `dm-akron/pp-mdf~device-90`.

use std::collections::HashMap;

/// The NetBox models that become entities.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Model {
    Site,
    Rack,
    PowerPanel,
    PowerFeed,
    Device,
    Cluster,
    VirtualMachine,
}

impl Model {
    /// `<app>.<model>` as NetBox names it in object types.
    pub fn label(self) -> &'static str {
        match self {
            Model::Site => "dcim.site",
            Model::Rack => "dcim.rack",
            Model::PowerPanel => "dcim.powerpanel",
            Model::PowerFeed => "dcim.powerfeed",
            Model::Device => "dcim.device",
            Model::Cluster => "virtualization.cluster",
            Model::VirtualMachine => "virtualization.virtualmachine",
        }
    }

    fn short(self) -> &'static str {
        self.label().rsplit('.').next().unwrap_or("object")
    }
}

/// A NetBox object: its model and its number.
pub type Key = (Model, u64);

/// The label value that traces an entity back: `dcim.device/12`.
pub fn netbox_label((model, id): Key) -> String {
    format!("{}/{id}", model.label())
}

/// A name as an id segment: lowercase letters and digits, with `.`, `_`
/// and `-` kept and every other run of characters (spaces, `/`, `:`...)
/// turned into one `-`. Never empty.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() || matches!(c, '.' | '_') {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "unnamed".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Ids of every object, decided together so that collisions are seen.
#[derive(Debug, Default)]
pub struct Ids {
    map: HashMap<Key, String>,
}

impl Ids {
    /// `wanted` is each object's preferred id.
    pub fn assign(wanted: Vec<(Key, String)>) -> Ids {
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for (_, id) in &wanted {
            *uses.entry(id.as_str()).or_default() += 1;
        }
        let clashing: std::collections::HashSet<String> = uses
            .into_iter()
            .filter(|&(_, n)| n > 1)
            .map(|(id, _)| id.to_owned())
            .collect();
        let map = wanted
            .into_iter()
            .map(|((model, n), id)| {
                let id = if clashing.contains(&id) {
                    format!("{id}~{}-{n}", model.short())
                } else {
                    id
                };
                ((model, n), id)
            })
            .collect();
        Ids { map }
    }

    pub fn get(&self, key: Key) -> Option<&str> {
        self.map.get(&key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_and_punctuation_free() {
        assert_eq!(slug("Comms closet"), "comms-closet");
        assert_eq!(slug("r105-torsw:1"), "r105-torsw-1");
        assert_eq!(slug("Lenovo Flex system (106)"), "lenovo-flex-system-106");
        assert_eq!(slug("web1.example.com"), "web1.example.com");
        assert_eq!(slug("Zürich / Halle 2"), "zürich-halle-2");
        assert_eq!(slug("  //  "), "unnamed");
    }

    #[test]
    fn only_clashing_ids_get_a_suffix() {
        let ids = Ids::assign(vec![
            ((Model::Device, 90), "s/pp-mdf".into()),
            ((Model::Rack, 90), "s/pp-mdf".into()),
            ((Model::Device, 91), "s/sw1".into()),
        ]);
        assert_eq!(ids.get((Model::Device, 90)), Some("s/pp-mdf~device-90"));
        assert_eq!(ids.get((Model::Rack, 90)), Some("s/pp-mdf~rack-90"));
        assert_eq!(ids.get((Model::Device, 91)), Some("s/sw1"));
        assert_eq!(ids.get((Model::Site, 1)), None);
        assert_eq!(netbox_label((Model::Device, 12)), "dcim.device/12");
    }
}
