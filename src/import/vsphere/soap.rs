//! The vSphere Web Services messages the import sends, and what their
//! answers mean: a response element, or a fault.

use super::xml::{self, Node, escape};

/// A managed object reference: `HostSystem` / `host-42`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MoRef {
    pub kind: String,
    pub value: String,
}

impl MoRef {
    pub fn new(kind: &str, value: &str) -> MoRef {
        MoRef {
            kind: kind.to_owned(),
            value: value.to_owned(),
        }
    }

    /// From an element that holds one (`<obj type="VirtualMachine">vm-9</obj>`).
    pub fn of(node: &Node) -> Option<MoRef> {
        let kind = node.mo_type.as_deref()?;
        (!node.text.is_empty()).then(|| MoRef::new(kind, &node.text))
    }

    /// `<name type="Kind">value</name>`.
    pub fn xml(&self, name: &str) -> String {
        format!(
            "<{name} type=\"{}\">{}</{name}>",
            escape(&self.kind),
            escape(&self.value)
        )
    }
}

impl std::fmt::Display for MoRef {
    /// The form of the `vsphere` label: `HostSystem:host-42`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}

/// A whole request: `body` is the method element.
pub fn envelope(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
         <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
    )
}

/// A method element in the vim25 namespace, called on `this`.
pub fn method(name: &str, this: &MoRef, args: &str) -> String {
    format!(
        "<{name} xmlns=\"urn:vim25\">{}{args}</{name}>",
        this.xml("_this")
    )
}

/// `<name>text</name>`, escaped.
pub fn element(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// A PropertyCollector spec: every object of `view` (a ContainerView),
/// with `props` (type, property paths) of each.
pub fn retrieve_spec(view: &MoRef, props: &[(&str, &[&str])], page_size: u32) -> String {
    let mut s = String::from("<specSet>");
    for (kind, paths) in props {
        s.push_str("<propSet>");
        s.push_str(&element("type", kind));
        for p in *paths {
            s.push_str(&element("pathSet", p));
        }
        s.push_str("</propSet>");
    }
    s.push_str("<objectSet>");
    s.push_str(&view.xml("obj"));
    s.push_str(
        "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\"><name>view</name>\
         <type>ContainerView</type><path>view</path><skip>false</skip></selectSet>",
    );
    s.push_str("</objectSet></specSet>");
    s.push_str(&format!(
        "<options><maxObjects>{page_size}</maxObjects></options>"
    ));
    s
}

/// What vCenter said when it refused a call.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// `faultstring`: vCenter's own words.
    pub message: String,
    /// The fault's type (`InvalidLogin`, `NotAuthenticated`), when given.
    pub kind: Option<String>,
}

/// An answer: the response element, or a fault.
#[derive(Debug)]
pub enum Answer {
    Response(Node),
    Fault(Fault),
}

/// The answer in a SOAP document, or why the document is not one.
pub fn answer(bytes: &[u8]) -> Result<Answer, String> {
    let root = xml::parse(bytes)?;
    if root.name != "Envelope" {
        return Err(format!(
            "the document is `<{}>`, not a SOAP envelope",
            root.name
        ));
    }
    let body = root.child("Body").ok_or("the SOAP envelope has no Body")?;
    let first = body.children.first().ok_or("the SOAP Body is empty")?;
    if first.name == "Fault" {
        let message = first
            .child("faultstring")
            .map(|n| n.text.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "no reason given".into());
        let kind = first
            .child("detail")
            .and_then(|d| d.children.first())
            .map(|d| {
                d.xsi_type
                    .clone()
                    .unwrap_or_else(|| d.name.trim_end_matches("Fault").to_owned())
            });
        return Ok(Answer::Fault(Fault { message, kind }));
    }
    Ok(Answer::Response(first.clone()))
}

/// One object of a PropertyCollector answer and the properties asked for
/// that it has (unset ones are left out by vCenter).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectContent {
    pub obj: MoRef,
    pub props: Vec<(String, Node)>,
}

impl ObjectContent {
    pub fn prop(&self, path: &str) -> Option<&Node> {
        self.props.iter().find(|(p, _)| p == path).map(|(_, v)| v)
    }
}

/// One page of a `RetrievePropertiesEx` / `ContinueRetrievePropertiesEx`
/// answer, with the token of the next page if there is one.
#[derive(Debug, Default, PartialEq)]
pub struct Page {
    pub token: Option<String>,
    pub objects: Vec<ObjectContent>,
}

/// A page from the response element (an empty result has no `returnval`).
pub fn page(response: &Node) -> Result<Page, String> {
    let Some(ret) = response.child("returnval") else {
        return Ok(Page::default());
    };
    let token = ret
        .child("token")
        .map(|t| t.text.clone())
        .filter(|t| !t.is_empty());
    let mut objects = Vec::new();
    for o in ret.all("objects") {
        let obj = o
            .child("obj")
            .and_then(MoRef::of)
            .ok_or("an object without its reference")?;
        let mut props = Vec::new();
        for p in o.all("propSet") {
            let name = p.child("name").ok_or("a property without its name")?;
            if let Some(val) = p.child("val") {
                props.push((name.text.clone(), val.clone()));
            }
        }
        objects.push(ObjectContent { obj, props });
    }
    Ok(Page { token, objects })
}

/// A whole answer read as a page, as the client does: for the fuzz target
/// and the tests of recorded answers.
pub fn parse_page(bytes: &[u8]) -> Result<Result<Page, Fault>, String> {
    match answer(bytes)? {
        Answer::Fault(f) => Ok(Err(f)),
        Answer::Response(r) => page(&r).map(Ok),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_name_their_type() {
        let doc = br#"<soapenv:Envelope xmlns:soapenv="e" xmlns:xsi="i"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Login failure</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;
        let Answer::Fault(f) = answer(doc).unwrap() else {
            panic!("not a fault")
        };
        assert_eq!(f.message, "Login failure");
        assert_eq!(f.kind.as_deref(), Some("InvalidLogin"));
        let doc = br#"<Envelope><Body><Fault><faultstring>x</faultstring><detail><NotAuthenticatedFault/></detail></Fault></Body></Envelope>"#;
        let Answer::Fault(f) = answer(doc).unwrap() else {
            panic!("not a fault")
        };
        assert_eq!(f.kind.as_deref(), Some("NotAuthenticated"));
    }

    #[test]
    fn pages_keep_objects_properties_and_token() {
        let doc = br#"<Envelope><Body><RetrievePropertiesExResponse><returnval><token>7</token>
<objects><obj type="HostSystem">host-1</obj><propSet><name>name</name><val>esx1</val></propSet>
<missingSet><path>hardware.memorySize</path></missingSet></objects>
</returnval></RetrievePropertiesExResponse></Body></Envelope>"#;
        let p = parse_page(doc).unwrap().unwrap();
        assert_eq!(p.token.as_deref(), Some("7"));
        assert_eq!(p.objects.len(), 1);
        assert_eq!(p.objects[0].obj, MoRef::new("HostSystem", "host-1"));
        assert_eq!(p.objects[0].prop("name").unwrap().text, "esx1");
        assert!(p.objects[0].prop("hardware.memorySize").is_none());
        let empty = b"<Envelope><Body><RetrievePropertiesExResponse/></Body></Envelope>";
        assert_eq!(parse_page(empty).unwrap().unwrap(), Page::default());
        assert!(parse_page(b"<html><body>Not found</body></html>").is_err());
    }

    #[test]
    fn requests_escape_what_they_carry() {
        let body = method(
            "Login",
            &MoRef::new("SessionManager", "SessionManager"),
            &element("password", "a<b&\"c"),
        );
        assert!(
            body.contains("<password>a&lt;b&amp;&quot;c</password>"),
            "{body}"
        );
        assert!(xml::parse(envelope(&body).as_bytes()).is_ok());
    }
}
