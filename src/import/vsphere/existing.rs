//! `--hosts-from DIR`: hosts another source already describes (NetBox
//! knows their racks and power), so that vCenter's clusters and vms point
//! at them instead of defining them a second time.
//!
//! Only ids are read, not whole entities: DIR may be one part of a larger
//! description whose references point outside it, which the loader would
//! refuse on its own.

use crate::input::diag::InputError;
use crate::input::yaml::YValue;
use std::collections::{BTreeMap, HashSet};

#[derive(Debug, Default)]
pub struct Existing {
    /// Host ids, with the cluster each one already names, if any.
    pub hosts: BTreeMap<String, Option<String>>,
    /// Every id defined in DIR, whatever its section: new ids must differ.
    pub ids: HashSet<String>,
}

fn error(message: String) -> InputError {
    InputError::plain("vsphere-hosts-from", message)
}

/// `esx01` of `ESX01.example.com`, `esx-01` of `esx_01`: how host names
/// from two sources are compared.
fn normal(name: &str) -> String {
    name.to_lowercase().replace('_', "-")
}

fn short(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

impl Existing {
    pub fn read(dir: &str) -> Result<Existing, InputError> {
        if !std::path::Path::new(dir).is_dir() {
            return Err(error(format!("--hosts-from `{dir}` is not a directory"))
                .help("name the directory of another import (e.g. the one `faultline import netbox` wrote)"));
        }
        let files =
            crate::input::files::expand(&[dir.to_owned()], &[]).map_err(|mut e| e.remove(0))?;
        let mut out = Existing::default();
        for file in files {
            let bytes = std::fs::read(&file).map_err(|e| {
                error(format!(
                    "cannot read `{file}`: {}",
                    crate::input::files::io_reason(&e)
                ))
            })?;
            let text = String::from_utf8_lossy(&bytes);
            let root = crate::input::parse(&text).map_err(|e| {
                let at = e
                    .line_col
                    .map(|(l, c)| format!(":{l}:{c}"))
                    .unwrap_or_default();
                error(format!("cannot read `{file}{at}`: {}", e.message))
                    .help("--hosts-from reads the host ids of a description; fix the file or name another directory")
            })?;
            let YValue::Map(sections) = root.value else {
                continue;
            };
            for (section, entities) in sections {
                let (YValue::Str(section), YValue::Map(entities)) = (section.value, entities.value)
                else {
                    continue;
                };
                for (id, entity) in entities {
                    let YValue::Str(id) = id.value else { continue };
                    if section == "hosts" {
                        out.hosts.insert(id.clone(), cluster_of(&entity.value));
                    }
                    out.ids.insert(id);
                }
            }
        }
        Ok(out)
    }

    /// The existing host a vCenter host name stands for: the one whose id
    /// is the same name (letter case, `_` and `-` aside), else the one
    /// whose id agrees on the part before the first dot. An id qualified
    /// by a scope, as NetBox's are by their site (`ams1/esx01`), is
    /// compared by its last part. `Err` lists the candidates when several
    /// match equally well.
    pub fn host_for(&self, name: &str) -> Result<Option<&str>, Vec<&str>> {
        let whole = normal(name);
        let part = normal(short(name));
        let last = |id: &'_ str| id.rsplit('/').next().unwrap_or(id).to_owned();
        let tiers: [&dyn Fn(&str) -> bool; 2] = [&|id| normal(&last(id)) == whole, &|id| {
            normal(short(&last(id))) == part
        }];
        for matches in tiers {
            let found: Vec<&str> = self
                .hosts
                .keys()
                .map(String::as_str)
                .filter(|id| matches(id))
                .collect();
            match found.len() {
                0 => continue,
                1 => return Ok(Some(found[0])),
                _ => return Err(found),
            }
        }
        Ok(None)
    }
}

fn cluster_of(entity: &YValue) -> Option<String> {
    let YValue::Map(fields) = entity else {
        return None;
    };
    fields.iter().find_map(|(k, v)| match (&k.value, &v.value) {
        (YValue::Str(k), YValue::Str(c)) if k == "cluster" => Some(c.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn existing(ids: &[&str]) -> Existing {
        Existing {
            hosts: ids.iter().map(|i| (i.to_string(), None)).collect(),
            ids: ids.iter().map(|i| i.to_string()).collect(),
        }
    }

    #[test]
    fn names_match_whole_then_before_the_first_dot() {
        let e = existing(&[
            "dc0-c0-h0",
            "esx1.a.example.com",
            "esx1.b.example.com",
            "rack1/esx9",
        ]);
        assert_eq!(e.host_for("DC0_C0_H0"), Ok(Some("dc0-c0-h0")));
        assert_eq!(e.host_for("dc0-c0-h0.example.com"), Ok(Some("dc0-c0-h0")));
        assert_eq!(
            e.host_for("ESX1.a.example.com"),
            Ok(Some("esx1.a.example.com"))
        );
        assert_eq!(
            e.host_for("esx1"),
            Err(vec!["esx1.a.example.com", "esx1.b.example.com"])
        );
        assert_eq!(e.host_for("esx9.example.com"), Ok(Some("rack1/esx9")));
        assert_eq!(e.host_for("esx3"), Ok(None));
    }
}
