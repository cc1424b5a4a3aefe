//! Entity ids from the names a source of truth gives its objects.
//!
//! An id must be unique across a whole estate, while names are unique only
//! within some scope of the source (a NetBox rack within its site, a
//! vCenter vm within its folder). Each importer proposes an id per object,
//! built from the name alone so that it stays the same when unrelated
//! objects change; the few that still clash all get a suffix naming their
//! object in the source (`pp-mdf~device-90`, `web1~vm-1042`). Every
//! clashing object is suffixed, not all but the first, so that which one
//! keeps the plain id never depends on the order the source listed them.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// A name as an id segment: lowercase letters and digits, with `.` and `_`
/// kept and every other run of characters (spaces, `/`, `:`, `-`...)
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
#[derive(Debug)]
pub struct Ids<K> {
    map: HashMap<K, String>,
}

impl<K: Eq + Hash> Ids<K> {
    /// `wanted` is each object's preferred id; `suffix` names an object in
    /// its source, for the ids that clash with another object's or with one
    /// of `taken` (ids defined elsewhere, which must stay unique).
    pub fn assign(
        wanted: Vec<(K, String)>,
        taken: &HashSet<String>,
        suffix: impl Fn(&K) -> String,
    ) -> Ids<K> {
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for (_, id) in &wanted {
            *uses.entry(id.as_str()).or_default() += 1;
        }
        let clashing: HashSet<String> = uses
            .into_iter()
            .filter(|&(id, n)| n > 1 || taken.contains(id))
            .map(|(id, _)| id.to_owned())
            .collect();
        let map = wanted
            .into_iter()
            .map(|(key, id)| {
                let id = if clashing.contains(&id) {
                    format!("{id}~{}", suffix(&key))
                } else {
                    id
                };
                (key, id)
            })
            .collect();
        Ids { map }
    }

    pub fn get(&self, key: &K) -> Option<&str> {
        self.map.get(key).map(String::as_str)
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
        assert_eq!(slug("DC0_C0_H1"), "dc0_c0_h1");
        assert_eq!(slug("  //  "), "unnamed");
    }

    #[test]
    fn only_clashing_ids_get_a_suffix() {
        let taken: HashSet<String> = ["esx1".to_owned()].into();
        let ids = Ids::assign(
            vec![
                (("device", 90), "s/pp-mdf".into()),
                (("rack", 90), "s/pp-mdf".into()),
                (("device", 91), "s/sw1".into()),
                (("device", 92), "esx1".into()),
            ],
            &taken,
            |(model, n)| format!("{model}-{n}"),
        );
        assert_eq!(ids.get(&("device", 90)), Some("s/pp-mdf~device-90"));
        assert_eq!(ids.get(&("rack", 90)), Some("s/pp-mdf~rack-90"));
        assert_eq!(ids.get(&("device", 91)), Some("s/sw1"));
        assert_eq!(ids.get(&("device", 92)), Some("esx1~device-92"));
        assert_eq!(ids.get(&("site", 1)), None);
    }
}
