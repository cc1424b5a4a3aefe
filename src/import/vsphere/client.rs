//! Talking to vCenter's Web Services API (the SOAP endpoint `/sdk`): the
//! session, container views, the PropertyCollector read page by page, and
//! every way that can go wrong turned into one clear input error.
//!
//! The whole inventory is read with a handful of calls, as govc and
//! pyvmomi do: a ContainerView over a datacenter and one
//! `RetrievePropertiesEx` for the properties of every object in it,
//! continued with `ContinueRetrievePropertiesEx` while vCenter hands back a
//! token. The request count grows with pages, never with objects.

use super::soap::{self, Answer, Fault, MoRef, ObjectContent, element, envelope, method};
use super::xml::Node;
use crate::import::http::{self, Attempt, Http, status_text};
use crate::input::diag::InputError;
use std::cell::{Cell, RefCell};
use std::time::Duration;

pub struct Options {
    pub url: String,
    pub user: String,
    pub password: String,
    pub ca_cert: Option<String>,
    pub insecure: bool,
    pub timeout: Duration,
    pub retries: u32,
    pub page_size: u32,
}

/// The API version the requests are written for: every property read here
/// exists in it, and vCenter 6.5 to 8 answer it.
const SOAP_ACTION: &str = "\"urn:vim25/6.5\"";
/// Far above a page of 1,000 vms with their cluster configuration.
const MAX_BODY: u64 = 512 << 20;
/// The session cookie vCenter sets at login.
const COOKIE: &str = "vmware_soap_session";

pub const URL_HELP: &str =
    "--url takes vCenter's SDK address, e.g. https://vcenter.example.com/sdk";

static VCENTER: http::Peer = http::Peer {
    name: "vCenter",
    tls_code: "vsphere-tls",
    unreachable_code: "vsphere-unreachable",
    unavailable_code: "vsphere-unavailable",
    url_help: URL_HELP,
};

fn error(code: &'static str, message: impl Into<String>) -> InputError {
    InputError::plain(code, message)
}

/// The managers of one vCenter, from its ServiceContent.
struct Managers {
    property_collector: MoRef,
    view_manager: MoRef,
    session_manager: MoRef,
    root_folder: MoRef,
}

pub struct Client {
    http: Http,
    /// The endpoint every call is posted to.
    endpoint: String,
    page_size: u32,
    cookie: RefCell<Option<String>>,
    managers: Managers,
    /// HTTP requests sent, retries included.
    requests: Cell<u64>,
}

impl Client {
    /// Connects and logs in.
    pub fn login(o: Options) -> Result<Client, InputError> {
        let (origin, path) = http::split_url(&o.url).ok_or_else(|| {
            error(
                "usage",
                format!("--url `{}` is not an http:// or https:// address", o.url),
            )
            .help(URL_HELP)
        })?;
        let path = match path.trim_end_matches('/') {
            "" => "/sdk".to_owned(),
            p => p.to_owned(),
        };
        let endpoint = format!("{origin}{path}");
        let http = Http::new(
            &VCENTER,
            endpoint.clone(),
            &http::Options {
                ca_cert: o.ca_cert,
                insecure: o.insecure,
                timeout: o.timeout,
                retries: o.retries,
            },
        )?;
        let mut client = Client {
            http,
            endpoint,
            page_size: o.page_size.max(1),
            cookie: RefCell::new(None),
            managers: Managers {
                property_collector: MoRef::new("PropertyCollector", "propertyCollector"),
                view_manager: MoRef::new("ViewManager", "ViewManager"),
                session_manager: MoRef::new("SessionManager", "SessionManager"),
                root_folder: MoRef::new("Folder", "group-d1"),
            },
            requests: Cell::new(0),
        };
        let content = client.call(
            "RetrieveServiceContent",
            &method(
                "RetrieveServiceContent",
                &MoRef::new("ServiceInstance", "ServiceInstance"),
                "",
            ),
        )?;
        client.managers = client.managers_of(&content)?;
        let args = format!(
            "{}{}",
            element("userName", &o.user),
            element("password", &o.password)
        );
        client.call(
            "Login",
            &method("Login", &client.managers.session_manager, &args),
        )?;
        if client.cookie.borrow().is_none() {
            return Err(error(
                "vsphere-login",
                format!(
                    "`{}` accepted the login but set no session cookie",
                    client.endpoint
                ),
            )
            .help(URL_HELP));
        }
        Ok(client)
    }

    fn managers_of(&self, content: &Node) -> Result<Managers, InputError> {
        let ret = content.child("returnval");
        let get = |name: &str| {
            ret.and_then(|r| r.child(name))
                .and_then(MoRef::of)
                .ok_or_else(|| {
                    self.not_sdk(&format!(
                        "its ServiceContent has no {name}, so it is not a vCenter or ESXi SDK"
                    ))
                })
        };
        Ok(Managers {
            property_collector: get("propertyCollector")?,
            view_manager: get("viewManager")?,
            session_manager: get("sessionManager")?,
            root_folder: get("rootFolder")?,
        })
    }

    pub fn root_folder(&self) -> &MoRef {
        &self.managers.root_folder
    }

    pub fn requests(&self) -> u64 {
        self.requests.get()
    }

    /// A view of every object of `types` below `container`.
    pub fn container_view(&self, container: &MoRef, types: &[&str]) -> Result<MoRef, InputError> {
        let mut args = container.xml("container");
        for t in types {
            args.push_str(&element("type", t));
        }
        args.push_str("<recursive>true</recursive>");
        let r = self.call(
            "CreateContainerView",
            &method("CreateContainerView", &self.managers.view_manager, &args),
        )?;
        r.child("returnval")
            .and_then(MoRef::of)
            .ok_or_else(|| self.malformed("CreateContainerView", "no view in the answer".into()))
    }

    /// Every object of `view` with the properties `props` names per type,
    /// page after page; `progress` hears the objects read so far.
    pub fn retrieve(
        &self,
        view: &MoRef,
        props: &[(&str, &[&str])],
        progress: &mut dyn FnMut(u64),
    ) -> Result<Vec<ObjectContent>, InputError> {
        let pc = &self.managers.property_collector;
        let spec = soap::retrieve_spec(view, props, self.page_size);
        let mut out = Vec::new();
        let mut name = "RetrievePropertiesEx";
        let mut body = method(name, pc, &spec);
        for _ in 0..1_000_000 {
            let r = self.call(name, &body)?;
            let page = soap::page(&r).map_err(|e| self.malformed(name, e))?;
            out.extend(page.objects);
            progress(out.len() as u64);
            let Some(token) = page.token else {
                return Ok(out);
            };
            name = "ContinueRetrievePropertiesEx";
            body = method(name, pc, &element("token", &token));
        }
        Err(self.malformed(name, "it kept handing out pages".into()))
    }

    /// Ends the session, so that vCenter does not keep it until it times
    /// out. A failure here changes nothing that was read.
    pub fn logout(&self) {
        let body = method("Logout", &self.managers.session_manager, "");
        let _ = self.call("Logout", &body);
    }

    /// One call with retries of 429, 5xx without a SOAP fault, timeouts
    /// and (once vCenter has answered) dropped connections. A SOAP fault is
    /// vCenter's considered answer and is never retried.
    fn call(&self, name: &str, body: &str) -> Result<Node, InputError> {
        let request = envelope(body);
        self.http.retrying(|agent| {
            self.requests.set(self.requests.get() + 1);
            let mut req = agent
                .post(&self.endpoint)
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("SOAPAction", SOAP_ACTION);
            if let Some(c) = self.cookie.borrow().as_deref() {
                req = req.header("Cookie", c);
            }
            let mut resp = match req.send(request.as_bytes()) {
                Ok(r) => r,
                Err(e) => return self.http.transport(name, e),
            };
            self.http.answered();
            let status = resp.status();
            let wait = http::retry_after(resp.headers());
            if let Some(c) = session_cookie(resp.headers()) {
                *self.cookie.borrow_mut() = Some(c);
            }
            let bytes = match resp.body_mut().with_config().limit(MAX_BODY).read_to_vec() {
                Ok(b) => b,
                Err(e) => return self.http.transport(name, e),
            };
            let code = status.as_u16();
            match soap::answer(&bytes) {
                Ok(Answer::Response(r)) if status.is_success() => Ok(Attempt::Done(r)),
                Ok(Answer::Fault(f)) => Err(self.fault(name, f)),
                _ if code == 429 || status.is_server_error() => Ok(Attempt::Again {
                    wait,
                    reason: format!("vCenter answered {} to `{name}`", status_text(status)),
                }),
                Ok(Answer::Response(_)) => Err(self.not_sdk(&format!(
                    "`{name}` answered {} with a SOAP response",
                    status_text(status)
                ))),
                Err(why) => Err(self.not_sdk(&format!(
                    "`{name}` answered {} with something that is not SOAP ({why})",
                    status_text(status)
                ))),
            }
        })
    }

    fn not_sdk(&self, why: &str) -> InputError {
        error(
            "vsphere-not-sdk",
            format!("`{}` is not a vSphere SDK endpoint: {why}", self.endpoint),
        )
        .help(URL_HELP)
    }

    fn malformed(&self, name: &str, why: String) -> InputError {
        error(
            "vsphere-bad-answer",
            format!("vCenter's answer to `{name}` is not what faultline expects: {why}"),
        )
        .help("a proxy in between may have cut or replaced the answer; if it persists, report it with your vCenter version")
    }

    fn fault(&self, name: &str, f: Fault) -> InputError {
        let kind = f.kind.as_deref().unwrap_or("");
        match (name, kind) {
            ("Login", _) | (_, "InvalidLogin") => error(
                "vsphere-login",
                format!("vCenter refused the login of VSPHERE_USER: {}", f.message),
            )
            .help("check VSPHERE_USER and VSPHERE_PASSWORD (a vCenter SSO user is written user@vsphere.local)"),
            (_, "NotAuthenticated" | "NoPermission") => error(
                "vsphere-permission",
                format!("vCenter refused `{name}`: {} ({kind})", f.message),
            )
            .help("the user needs the Read-only role on the datacenters to import"),
            _ => {
                let kind = f.kind.map(|k| format!(" ({k})")).unwrap_or_default();
                error(
                    "vsphere-fault",
                    format!("vCenter answered `{name}` with a fault: {}{kind}", f.message),
                )
            }
        }
    }
}

/// `vmware_soap_session="..."` from a `Set-Cookie` header, as it is sent
/// back.
fn session_cookie(headers: &ureq::http::HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::trim)
        .find(|c| c.split('=').next() == Some(COOKIE))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_sent_back_as_it_came() {
        let mut h = ureq::http::HeaderMap::new();
        h.append("set-cookie", "other=1; Path=/".parse().unwrap());
        h.append(
            "set-cookie",
            "vmware_soap_session=\"52a1\"; Path=/; HttpOnly; Secure"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            session_cookie(&h).as_deref(),
            Some("vmware_soap_session=\"52a1\"")
        );
        assert_eq!(session_cookie(&ureq::http::HeaderMap::new()), None);
    }
}
