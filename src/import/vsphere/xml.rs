//! vCenter's SOAP answers as a small element tree.
//!
//! A PropertyCollector answer is polymorphic: each `<val>` carries its
//! type in an `xsi:type` attribute (`ClusterConfigInfoEx`,
//! `ArrayOfManagedObjectReference`, `xsd:int`...), and most of what the
//! import reads sits a few levels inside it. A tree that keeps each
//! element's local name, its `xsi:type`, its managed-object `type` and its
//! text is enough to read any of them, without a typed binding of the
//! whole vSphere API. Namespaces are not resolved: vCenter and govmomi
//! spell the schema-instance prefix differently, and only the local names
//! matter here.

use quick_xml::events::{BytesStart, Event};

/// Deeper than any vSphere answer; a bound so that a hostile answer cannot
/// exhaust the stack when the tree is walked or dropped.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Node {
    /// The local name (`propSet`, `val`).
    pub name: String,
    /// The `xsi:type` attribute, without its prefix: what a `val` holds.
    pub xsi_type: Option<String>,
    /// The plain `type` attribute: a managed object reference's type.
    pub mo_type: Option<String>,
    /// Text directly inside, entities resolved, whitespace trimmed.
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The node at a dotted path below this one (`dasConfig.enabled`).
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |n, step| n.child(step))
    }

    /// Text that reads as `true`.
    pub fn is_true(&self) -> bool {
        self.text == "true" || self.text == "1"
    }
}

/// The document's root element, or why it is not well-formed XML.
pub fn parse(bytes: &[u8]) -> Result<Node, String> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("{e} (at byte {})", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return Err("content after the root element".into());
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_DEPTH}"));
                }
                stack.push(element(&e)?);
            }
            Event::Empty(e) => {
                let node = element(&e)?;
                close(&mut stack, &mut root, node)?;
            }
            Event::End(_) => {
                let Some(mut node) = stack.pop() else {
                    return Err("an end tag without a start tag".into());
                };
                let trimmed = node.text.trim();
                if trimmed.len() != node.text.len() {
                    node.text = trimmed.to_owned();
                }
                close(&mut stack, &mut root, node)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text
                        .push_str(&t.xml10_content().map_err(|e| e.to_string())?);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                }
            }
            Event::GeneralRef(r) => {
                let Some(top) = stack.last_mut() else {
                    continue;
                };
                if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    top.text.push(c);
                } else {
                    let name = r.decode().map_err(|e| e.to_string())?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => top.text.push_str(s),
                        None => return Err(format!("unknown entity `&{name};`")),
                    }
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("the document ends inside an element".into());
    }
    root.ok_or_else(|| "no element at all".into())
}

/// Adds a finished element to its parent, or makes it the root.
fn close(stack: &mut [Node], root: &mut Option<Node>, node: Node) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_none() => *root = Some(node),
        None => return Err("content after the root element".into()),
    }
    Ok(())
}

fn element(e: &BytesStart<'_>) -> Result<Node, String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut node = Node {
        name: text(e.local_name().as_ref()),
        ..Node::default()
    };
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.local_name().as_ref() != b"type" {
            continue;
        }
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?
            .into_owned();
        if a.key.prefix().is_some() {
            // `xsd:int` and `vim25:HostSystem` alike: the part after `:`.
            let bare = value.rsplit(':').next().unwrap_or_default().to_owned();
            node.xsi_type = Some(bare);
        } else {
            node.mo_type = Some(value);
        }
    }
    Ok(node)
}

/// `s` escaped for XML text or an attribute value.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_names_types_and_text() {
        let doc = br#"<?xml version="1.0"?>
<s:Envelope xmlns:s="x" xmlns:xsi="i"><s:Body>
  <val xsi:type="xsd:string">a &amp; b&#33;</val>
  <val XMLSchema-instance:type="ManagedObjectReference" type="HostSystem">host-9</val>
  <empty type="Datastore"/>
</s:Body></s:Envelope>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Envelope");
        let body = root.child("Body").unwrap();
        let vals: Vec<&Node> = body.all("val").collect();
        assert_eq!(vals[0].text, "a & b!");
        assert_eq!(vals[0].xsi_type.as_deref(), Some("string"));
        assert_eq!(vals[1].xsi_type.as_deref(), Some("ManagedObjectReference"));
        assert_eq!(vals[1].mo_type.as_deref(), Some("HostSystem"));
        assert_eq!(
            body.child("empty").unwrap().mo_type.as_deref(),
            Some("Datastore")
        );
    }

    #[test]
    fn refuses_what_is_not_one_well_formed_document() {
        for bad in [
            &b""[..],
            b"<a>",
            b"<a></b>",
            b"<a/><b/>",
            b"</a>",
            b"<a>&nope;</a>",
            b"<a x='1' x='2'/>",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert!(parse(deep.as_bytes()).unwrap_err().contains("deeper"));
        let fine = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(fine.as_bytes()).is_ok());
    }

    #[test]
    fn paths() {
        let n = parse(b"<v><dasConfig><enabled>true</enabled></dasConfig></v>").unwrap();
        assert!(n.at("dasConfig.enabled").unwrap().is_true());
        assert!(n.at("dasConfig.missing").is_none());
    }
}
