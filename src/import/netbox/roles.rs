//! What a device is, from its NetBox role: NetBox roles are free-form
//! (`Core Switch`, `tor-switch`, `PDU`...), so the defaults read words in
//! the role's slug and name, and `--role NAME=KIND` settles the rest.

use super::api::{Brief, Device};
use crate::input::diag::InputError;

/// What a device role becomes (`--role NAME=KIND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleKind {
    Host,
    Switch,
    Pdu,
    Component,
    /// Left out, like a patch panel.
    Skip,
}

/// Parses `NAME=KIND` for clap.
pub fn parse_override(s: &str) -> Result<(String, RoleKind), String> {
    use clap::ValueEnum;
    let (name, kind) = s
        .rsplit_once('=')
        .ok_or_else(|| format!("`{s}` is not NAME=KIND (for example `storage=component`)"))?;
    let kind = RoleKind::from_str(kind.trim(), true)
        .map_err(|_| format!("`{kind}` is not host, switch, pdu, component or skip"))?;
    if name.trim().is_empty() {
        return Err("the role name is empty".into());
    }
    Ok((name.trim().to_owned(), kind))
}

/// The role's slug and name, lowercased, for keyword matching.
fn text(role: &Brief) -> String {
    format!(
        "{} {}",
        role.slug.as_deref().unwrap_or(""),
        role.name.as_deref().unwrap_or("")
    )
    .to_lowercase()
}

fn has_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| words.contains(&w))
}

/// Classifies devices by role, with the user's overrides.
pub struct Roles {
    overrides: Vec<(String, RoleKind)>,
}

impl Roles {
    /// Refuses an override naming a role no device has: a typo there would
    /// silently import the role the default way.
    pub fn new(overrides: &[(String, RoleKind)], devices: &[Device]) -> Result<Roles, InputError> {
        let mut known: Vec<&str> = devices
            .iter()
            .filter_map(Device::role)
            .flat_map(|r| [r.slug.as_deref(), r.name.as_deref()])
            .flatten()
            .collect();
        known.sort_unstable();
        known.dedup();
        for (name, _) in overrides {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                return Err(InputError::plain(
                    "usage",
                    format!("--role `{name}`: no device in NetBox has this role"),
                )
                .suggest(
                    name,
                    known.iter().copied(),
                    "name a device role by its slug or its name",
                ));
            }
        }
        Ok(Roles {
            overrides: overrides.to_vec(),
        })
    }

    pub fn kind(&self, device: &Device) -> RoleKind {
        let Some(role) = device.role() else {
            return RoleKind::Host;
        };
        let chosen = self.overrides.iter().find(|(name, _)| {
            [&role.slug, &role.name]
                .into_iter()
                .flatten()
                .any(|r| r.eq_ignore_ascii_case(name))
        });
        if let Some((_, kind)) = chosen {
            return *kind;
        }
        let t = text(role);
        if t.contains("patch") || passive(device) {
            RoleKind::Skip
        } else if has_word(&t, &["pdu", "pdus"])
            || t.contains("power distribution")
            || t.contains("power-distribution")
        {
            RoleKind::Pdu
        } else if ["switch", "router", "firewall"]
            .iter()
            .any(|w| t.contains(w))
            || has_word(&t, &["spine", "leaf", "tor", "fw"])
        {
            RoleKind::Switch
        } else {
            RoleKind::Host
        }
    }
}

/// No power and no interfaces, only front and rear ports: a patch panel
/// whatever its role says.
fn passive(d: &Device) -> bool {
    d.power_port_count == Some(0)
        && d.interface_count == Some(0)
        && d.front_port_count.unwrap_or(0) + d.rear_port_count.unwrap_or(0) > 0
}

/// How close to the core a switch's role is (0 = edge of the network:
/// routers, firewalls; 3 = access). A cable between two switches is an
/// uplink of the one further out; between equals it is a peer link, not an
/// uplink, so an MLAG pair does not become a dependency loop.
pub fn tier(role: Option<&Brief>) -> u8 {
    let Some(role) = role else { return 3 };
    let t = text(role);
    let any = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
    if any(&["router", "firewall", "gateway", "border"]) || has_word(&t, &["fw", "wan", "edge"]) {
        0
    } else if any(&["core", "spine"]) {
        1
    } else if any(&["distribution", "aggregation"]) || has_word(&t, &["agg", "dist"]) {
        2
    } else {
        3
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(slug: &str, name: &str) -> Brief {
        Brief {
            id: 1,
            name: Some(name.into()),
            slug: Some(slug.into()),
        }
    }

    fn device(slug: &str, name: &str) -> Device {
        serde_json::from_value(serde_json::json!({
            "id": 1, "role": {"id": 1, "slug": slug, "name": name}
        }))
        .unwrap()
    }

    #[test]
    fn default_kinds_of_the_demo_roles() {
        let roles = Roles::new(&[], &[]).unwrap();
        for (slug, name, kind) in [
            ("router", "Router", RoleKind::Switch),
            ("core-switch", "Core Switch", RoleKind::Switch),
            ("tor-switch", "ToR Switch", RoleKind::Switch),
            ("pdu", "PDU", RoleKind::Pdu),
            ("patch-panel", "Patch Panel", RoleKind::Skip),
            ("application-server", "Application Server", RoleKind::Host),
            ("storage", "Storage", RoleKind::Host),
            ("monitor", "Monitor", RoleKind::Host),
        ] {
            assert_eq!(roles.kind(&device(slug, name)), kind, "{slug}");
        }
    }

    #[test]
    fn overrides_win_and_typos_are_refused() {
        let devices = vec![device("storage", "Storage Array")];
        let roles = Roles::new(&[("Storage Array".into(), RoleKind::Component)], &devices).unwrap();
        assert_eq!(roles.kind(&devices[0]), RoleKind::Component);
        let e = Roles::new(&[("storag".into(), RoleKind::Skip)], &devices)
            .err()
            .unwrap();
        assert_eq!(e.help.as_deref(), Some("did you mean `storage`?"));
        assert_eq!(
            parse_override("pdu=skip"),
            Ok(("pdu".into(), RoleKind::Skip))
        );
        assert!(parse_override("pdu").is_err());
        assert!(parse_override("pdu=rack").is_err());
    }

    #[test]
    fn tiers() {
        assert_eq!(tier(Some(&role("router", "Router"))), 0);
        assert_eq!(tier(Some(&role("core-switch", "Core Switch"))), 1);
        assert_eq!(
            tier(Some(&role("distribution-switch", "Distribution Switch"))),
            2
        );
        assert_eq!(tier(Some(&role("access-switch", "Access Switch"))), 3);
        assert_eq!(tier(Some(&role("tor-switch", "ToR Switch"))), 3);
    }
}
