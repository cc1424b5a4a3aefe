//! Entity ids for NetBox objects.
//!
//! NetBox names are unique only within a scope (a rack within its site, a
//! feed within its panel, a device within its site and tenant, a VM within
//! its cluster), so an id is the object's name qualified by its scope, as a
//! slug: `ncsu-065/r101`, `ncsu-065/panel-1/p1-1a`, `do-ams3/vm1`. The rare
//! objects that still come out with the same id (two tenants' devices of
//! one name in one site, names that differ only in punctuation) all get
//! their NetBox model and number appended: `dm-akron/pp-mdf~device-90`.

pub use crate::import::ids::slug;

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

/// Ids of every NetBox object, decided together.
pub struct Ids(crate::import::ids::Ids<Key>);

impl Ids {
    /// `wanted` is each object's preferred id.
    pub fn assign(wanted: Vec<(Key, String)>) -> Ids {
        Ids(crate::import::ids::Ids::assign(
            wanted,
            &Default::default(),
            |(model, n)| format!("{}-{n}", model.short()),
        ))
    }

    pub fn get(&self, key: Key) -> Option<&str> {
        self.0.get(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clashing_ids_name_the_netbox_model_and_number() {
        let ids = Ids::assign(vec![
            ((Model::Device, 90), "s/pp-mdf".into()),
            ((Model::Rack, 90), "s/pp-mdf".into()),
            ((Model::Device, 91), "s/sw1".into()),
        ]);
        assert_eq!(ids.get((Model::Device, 90)), Some("s/pp-mdf~device-90"));
        assert_eq!(ids.get((Model::Rack, 90)), Some("s/pp-mdf~rack-90"));
        assert_eq!(ids.get((Model::Device, 91)), Some("s/sw1"));
        assert_eq!(netbox_label((Model::Device, 12)), "dcim.device/12");
    }
}
