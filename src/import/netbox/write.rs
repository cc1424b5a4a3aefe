//! The NetBox import's files: every section but services, which NetBox
//! does not know (see `crate::import::write` for how they are written).

use super::mapping::Mapped;
use crate::import::write::{Block, Files};
use crate::model::Kind;

/// The command every file names on its first line.
pub const COMMAND: &str = "faultline import netbox";

/// The sections written (all but services, which NetBox does not know),
/// in the order the report lists them.
pub fn sections() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| *k != Kind::Service)
}

/// Every file's name and text. `source` is the NetBox address and
/// `refresh` the command line that regenerates the files.
pub fn render(mapped: &Mapped, source: &str, refresh: &str) -> Vec<(String, String)> {
    let files = Files {
        command: COMMAND,
        source,
        credentials: "NETBOX_TOKEN",
        refresh,
    };
    sections()
        .map(|kind| {
            let blocks = mapped
                .entities
                .iter()
                .filter(|(_, e)| e.kind == kind)
                .map(|(id, e)| Block {
                    id,
                    fields: &e.fields,
                    label: ("netbox", e.netbox()),
                });
            (
                crate::import::write::file_name(kind),
                files.render(kind, blocks),
            )
        })
        .collect()
}
