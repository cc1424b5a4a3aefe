//! `faultline import vsphere` end to end, against a vCenter played back
//! from recorded SOAP answers (`tests/fixtures/vsphere/`, recorded from the
//! simulated vCenter of `tests/vcsim`, see the README there) by a small
//! HTTP server in the test process. The first datacenter's inventory is
//! served in two pages, so the importer has to continue with the token.
//!
//! The expected files are `tests/fixtures/vsphere/expected/`; `BLESS=1
//! cargo test --test vsphere` rewrites them. `tests/vsphere_live.rs` runs
//! the same import against the simulator itself.

mod stand_in;

use serde_json::{Value, json};
use stand_in::{Req, Resp, Server, description, generated, snapshot, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const USER: &str = "administrator@vsphere.local";
const PASSWORD: &str = "s3cret-Pa55word";
/// What every generated header says instead of the server's own address.
const SHOWN: &str = "http://vcenter.test";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vsphere")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn soap(status: u16, body: Vec<u8>) -> Resp {
    Resp::new(status, "text/xml; charset=utf-8", body)
}

/// The method of a SOAP request: the first element in its Body.
fn method(req: &Req) -> String {
    let body = req.body_text();
    let after = body.split("<soapenv:Body><").nth(1).unwrap_or_default();
    after
        .split([' ', '>', '/'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The text of the first `<name ...>text</name>` of a request.
fn element(req: &Req, name: &str) -> Option<String> {
    let body = req.body_text();
    let start = [format!("<{name}>"), format!("<{name} ")]
        .iter()
        .filter_map(|open| body.find(open.as_str()))
        .min()?;
    let from = start + body[start..].find('>')? + 1;
    let end = from + body[from..].find(&format!("</{name}>"))?;
    Some(body[from..end].to_owned())
}

/// Which container each recorded view was made for.
fn recorded_views() -> Vec<(String, String)> {
    std::fs::read_dir(fixtures().join("CreateContainerView"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            let view = text
                .split("<returnval type=\"ContainerView\">")
                .nth(1)
                .and_then(|r| r.split('<').next())
                .unwrap()
                .to_owned();
            (view, p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect()
}

const COOKIE: &str = "vmware_soap_session=\"4bd3c2e8f\"";

/// The recorded vCenter: the login checked, a session cookie set and
/// required, every other call answered from its recording.
fn recorded(req: &Req, _addr: &str) -> Resp {
    let m = method(req);
    let file = match m.as_str() {
        "RetrieveServiceContent" => "RetrieveServiceContent.xml".to_owned(),
        "Login" => {
            let ok = element(req, "userName").as_deref() == Some(USER)
                && element(req, "password").as_deref() == Some(PASSWORD);
            if !ok {
                return soap(500, fixture("Login-InvalidLogin.xml"));
            }
            let mut r = soap(200, fixture("Login.xml"));
            r.headers
                .push(("Set-Cookie", format!("{COOKIE}; Path=/; HttpOnly; Secure;")));
            return r;
        }
        _ if req.header("cookie") != Some(COOKIE) => {
            return soap(500, not_authenticated());
        }
        "CreateContainerView" => format!(
            "CreateContainerView/{}.xml",
            element(req, "container").unwrap()
        ),
        "RetrievePropertiesEx" => {
            let view = element(req, "obj").unwrap();
            let (_, container) = recorded_views()
                .into_iter()
                .find(|(v, _)| *v == view)
                .unwrap_or_else(|| panic!("no recorded view {view}"));
            format!("RetrievePropertiesEx/{container}.xml")
        }
        "ContinueRetrievePropertiesEx" => format!(
            "ContinueRetrievePropertiesEx/{}.xml",
            element(req, "token").unwrap()
        ),
        "Logout" => "Logout.xml".to_owned(),
        other => panic!("unexpected call {other}"),
    };
    soap(200, fixture(&file))
}

fn not_authenticated() -> Vec<u8> {
    br#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring><detail><NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="Folder">group-d1</object><privilegeId>System.View</privilegeId></NotAuthenticatedFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"#.to_vec()
}

fn faultline(args: &[&str], credentials: bool) -> Output {
    faultline_in(Path::new("."), args, credentials)
}

fn faultline_in(cwd: &Path, args: &[&str], credentials: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("VSPHERE_USER")
        .env_remove("VSPHERE_PASSWORD")
        .env_remove("COLUMNS");
    stand_in::without_proxies(&mut cmd);
    if credentials {
        cmd.env("VSPHERE_USER", USER)
            .env("VSPHERE_PASSWORD", PASSWORD);
    }
    cmd.output().unwrap()
}

fn import(url: &str, out: &Path, extra: &[&str]) -> Output {
    import_in(Path::new("."), url, out, extra)
}

/// An import run in `cwd`, so that a relative `out` is shown as it is.
fn import_in(cwd: &Path, url: &str, out: &Path, extra: &[&str]) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["import", "vsphere", "--url", url, "--out", out];
    args.extend(extra);
    let o = faultline_in(cwd, &args, true);
    assert!(
        !text(&o.stdout).contains(PASSWORD) && !text(&o.stderr).contains(PASSWORD),
        "the password was printed"
    );
    o
}

fn methods(server: &Server) -> Vec<String> {
    server.requests().iter().map(method).collect()
}

/// An import that failed: exit 2, `wanted` on stderr, nothing written.
fn fails(url: &str, extra: &[&str], wanted: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = import(url, &out, extra);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(wanted), "wanted `{wanted}` in:\n{err}");
    assert!(!out.exists(), "a failed import created its directory");
    err
}

#[test]
fn imports_the_recorded_inventory() {
    let server = Server::start(recorded);
    let tmp = tempfile::tempdir().unwrap();
    let o = import_in(
        tmp.path(),
        &format!("{}/sdk", server.url),
        Path::new("vsphere"),
        &[],
    );
    let out = tmp.path().join("vsphere");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");

    // The whole inventory in ten calls: two datacenters, the first in two
    // pages; the session cookie on every call after the login; logged out.
    assert_eq!(
        methods(&server),
        [
            "RetrieveServiceContent",
            "Login",
            "CreateContainerView",
            "RetrievePropertiesEx",
            "CreateContainerView",
            "RetrievePropertiesEx",
            "ContinueRetrievePropertiesEx",
            "CreateContainerView",
            "RetrievePropertiesEx",
            "Logout",
        ]
    );
    let seen = server.requests();
    assert!(seen.iter().all(|r| r.method == "POST" && r.path == "/sdk"));
    assert!(
        seen.iter()
            .skip(2)
            .all(|r| r.header("cookie") == Some(COOKIE))
    );
    assert!(seen.iter().all(|r| r.header("soapaction").is_some()));
    assert!(
        seen.iter()
            .filter(|r| r.body_text().contains(PASSWORD))
            .map(method)
            .eq(["Login".to_owned()])
    );
    assert!(
        seen[3]
            .body_text()
            .contains("<maxObjects>1000</maxObjects>")
    );

    let v = description(&out);
    assert_eq!(stand_in::counts(&v), [4, 14, 20, 3]);
    let clusters = &v["clusters"];
    assert_eq!(clusters["dc0_c0"]["ha"], "restart");
    assert_eq!(clusters["dc1_c0"]["ha"], "restart");
    assert_eq!(clusters["dc0_c1"]["ha"], "none");
    assert_eq!(
        clusters["dc0_c0"]["anti_affinity"],
        json!([["web-a", "web-b", "web-c"]])
    );
    assert_eq!(
        clusters["dc0_c0"]["labels"]["vsphere"],
        "ClusterComputeResource:clustercomputeresource-20"
    );
    let hosts = &v["hosts"];
    assert_eq!(hosts["dc0_c0_h0"]["cluster"], "dc0_c0");
    assert_eq!(hosts["dc0_c0_h0"]["cpus"], 2);
    assert_eq!(hosts["dc0_c0_h0"]["memory_gb"], 4);
    assert_eq!(hosts["dc0_c0_h2"]["standby"], true);
    assert_eq!(hosts["dc0_c0_h1"].get("standby"), None);
    assert_eq!(hosts["dc0_h0"].get("cluster"), None, "a standalone host");
    let vms = &v["vms"];
    // Floating in an HA cluster, pinned without HA or without restart.
    assert_eq!(vms["web-a"]["cluster"], "dc0_c0");
    assert_eq!(vms["web-a"].get("host"), None);
    assert_eq!(vms["web-a"]["memory_gb"], 4);
    assert_eq!(vms["batch-1"]["host"], "dc0_c0_h1");
    assert_eq!(vms["batch-1"].get("cluster"), None);
    assert!(vms["dc0_c1_rp0_vm0"]["host"].is_string());
    assert!(vms["dc0_h0_vm0"]["host"] == "dc0_h0");
    // Fault tolerance: the primary pinned, its secondary's host beside it;
    // the secondary is not a vm of its own.
    assert_eq!(vms["ft-app"]["host"], "dc0_c0_h0");
    assert_eq!(vms["ft-app"]["ft_secondary"], "dc0_c0_h1");
    assert!(vms.get("ft-app-secondary").is_none());
    // Left out: powered off, templates.
    assert!(vms.get("off-1").is_none() && vms.get("tmpl-base").is_none());
    // Datastores: local storage requires its host; vms require theirs.
    let components = &v["components"];
    assert_eq!(components["dc0_c0_h1-local"]["kind"], "datastore");
    assert_eq!(
        components["dc0_c0_h1-local"]["requires"],
        json!(["dc0_c0_h1"])
    );
    assert_eq!(vms["local-app"]["requires"], json!(["dc0_c0_h1-local"]));
    let shared: Vec<&String> = components
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("localds_0~"))
        .collect();
    assert_eq!(shared.len(), 2, "one LocalDS_0 per datacenter: {shared:?}");
    assert!(components[shared[0]].get("requires").is_none());

    // The report.
    for line in [
        "in 10 requests: 4 clusters",
        "20 vms, 3 components",
        "1 vm powered off or suspended (left out): off-1",
        "1 template (left out): tmpl-base",
        "2 hosts disconnected or not responding: dc1_c1_h0, dc1_h0",
        "1 host in maintenance mode: dc0_c1_h2",
        "1 disabled DRS rule (not imported): dc0_c0/old-rule",
        "dc0_c0/db-together",
        "1 VM-host rule (not expressible): dc0_c0/db-on-h0",
        "1 HA cluster without admission control: dc1_c0",
        "1 vm with HA restart disabled (pinned to its host): batch-1",
        "1 local datastore (its vms need its host): dc0_c0_h1-local",
    ] {
        assert!(err.contains(line), "wanted `{line}` in:\n{err}");
    }
    golden(&out, &err, &server.url);
}

/// The files and the report against `expected/`, with the server's
/// address and the output directory (which change every run) replaced.
fn golden(out: &Path, report: &str, url: &str) {
    let dir = fixtures().join("expected");
    let stable = |t: &str| t.replace(url, SHOWN);
    let mut got: Vec<(String, String)> = generated(out)
        .into_iter()
        .map(|(n, b)| (n, stable(&text(&b))))
        .collect();
    got.push(("report.txt".into(), stable(report)));
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &got {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    for (name, text) in &got {
        let want = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e} (BLESS=1 writes it)"));
        assert_eq!(text, &want, "{name} differs (BLESS=1 rewrites it)");
    }
}

#[test]
fn reimport_is_byte_identical_and_keeps_hand_written_files() {
    let server = Server::start(recorded);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("vsphere");
    let url = format!("{}/sdk", server.url);
    assert_eq!(import(&url, &out, &[]).status.code(), Some(0));
    std::fs::write(out.join("services.yaml"), "services: {}\n").unwrap();
    let first = snapshot(&out);
    let o = import(&url, &out, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(snapshot(&out), first);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["imported"]["vms"], 20);
    assert_eq!(
        report["quality"]["templates"]["first"],
        json!(["tmpl-base"])
    );
    assert_eq!(report["quality"]["local_datastores"]["count"], 1);
    assert_eq!(report["requests"], 10);
}

#[test]
fn the_page_size_is_asked_for() {
    let server = Server::start(recorded);
    let tmp = tempfile::tempdir().unwrap();
    let o = import(&server.url, &tmp.path().join("o"), &["--page-size", "7"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let seen = server.requests();
    // A URL without a path means the SDK endpoint.
    assert!(seen.iter().all(|r| r.path == "/sdk"));
    assert!(
        seen.iter()
            .filter(|r| method(r) == "RetrievePropertiesEx")
            .all(|r| r.body_text().contains("<maxObjects>7</maxObjects>"))
    );
}

#[test]
fn datacenter_and_cluster_filters() {
    let server = Server::start(recorded);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dc1");
    let o = import(&server.url, &out, &["--datacenter", "DC1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = description(&out);
    let hosts: Vec<&String> = v["hosts"].as_object().unwrap().keys().collect();
    assert!(hosts.iter().all(|h| h.starts_with("dc1_")), "{hosts:?}");
    assert_eq!(hosts.len(), 7);
    // DC0's view was never asked for.
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| element(r, "container").as_deref() == Some("datacenter-2"))
    );

    let out = tmp.path().join("c0");
    let o = import(
        &server.url,
        &out,
        &["--cluster", "DC0_C0", "--cluster", "DC1_C1"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = description(&out);
    let keys = |s: &str| -> Vec<String> { v[s].as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys("clusters"), ["dc0_c0", "dc1_c1"]);
    assert_eq!(keys("hosts").len(), 6);
    assert!(keys("vms").iter().all(|vm| {
        let c = &v["vms"][vm];
        c["cluster"] == "dc0_c0"
            || c["host"]
                .as_str()
                .is_some_and(|h| h.starts_with("dc0_c0_") || h.starts_with("dc1_c1_"))
    }));
    // No standalone host, no vm of another cluster.
    assert!(!keys("hosts").contains(&"dc0_h0".to_owned()));
    assert!(!keys("vms").contains(&"dc0_c1_rp0_vm0".to_owned()));

    let err = fails(
        &server.url,
        &["--datacenter", "DC9"],
        "no datacenter of that name",
    );
    assert!(err.contains("did you mean `DC0`?"), "{err}");
    let err = fails(
        &server.url,
        &["--datacenter", "Amsterdam"],
        "no datacenter of that name",
    );
    assert!(err.contains("the datacenters are: DC0, DC1"), "{err}");
    let err = fails(
        &server.url,
        &["--cluster", "DC0_C9"],
        "no cluster of that name",
    );
    assert!(err.contains("did you mean"), "{err}");
}

/// A directory another import wrote, with `hosts`.
fn other_import(dir: &Path, hosts: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("hosts.yaml"), hosts).unwrap();
    dir.to_str().unwrap().to_owned()
}

#[test]
fn hosts_from_points_at_hosts_another_source_describes() {
    let server = Server::start(recorded);
    let tmp = tempfile::tempdir().unwrap();
    let netbox = other_import(
        &tmp.path().join("netbox"),
        "hosts:\n  ams1/DC0-C0-H0: {rack: r1}\n  dc0_c0_h1.example.com: {}\n  dc0_c1_h0: {}\n\
         components:\n  web-a: {kind: lb}\n",
    );
    let out = tmp.path().join("vsphere");
    let o = import(&server.url, &out, &["--hosts-from", &netbox]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = description(&out);
    let hosts = v["hosts"].as_object().unwrap();
    for joined in ["dc0_c0_h0", "dc0_c0_h1", "dc0_c1_h0"] {
        assert!(!hosts.contains_key(joined), "{joined} defined again");
    }
    assert_eq!(hosts.len(), 11);
    assert_eq!(
        v["clusters"]["dc0_c0"]["hosts"],
        json!(["ams1/DC0-C0-H0", "dc0_c0_h1.example.com"])
    );
    assert_eq!(v["clusters"]["dc0_c1"]["hosts"], json!(["dc0_c1_h0"]));
    assert_eq!(v["hosts"]["dc0_c0_h2"]["cluster"], "dc0_c0");
    assert_eq!(v["vms"]["ft-app"]["host"], "ams1/DC0-C0-H0");
    assert_eq!(v["vms"]["ft-app"]["ft_secondary"], "dc0_c0_h1.example.com");
    assert_eq!(
        v["components"]["dc0_c0_h1-local"]["requires"],
        json!(["dc0_c0_h1.example.com"])
    );
    // An id the other directory already uses is not defined twice.
    assert!(v["vms"].get("web-a").is_none());
    assert_eq!(v["vms"]["web-a~vm-182"]["cluster"], "dc0_c0");
    assert_eq!(
        v["clusters"]["dc0_c0"]["anti_affinity"],
        json!([["web-a~vm-182", "web-b", "web-c"]])
    );
    let header = std::fs::read_to_string(out.join("vms.yaml")).unwrap();
    assert!(
        header.contains(&format!("--hosts-from {netbox}")),
        "{header}"
    );

    let ambiguous = other_import(
        &tmp.path().join("ambiguous"),
        "hosts:\n  dc0-c0-h2.a.example: {}\n  dc0-c0-h2.b.example: {}\n",
    );
    let err = fails(
        &server.url,
        &["--hosts-from", &ambiguous],
        "matches several hosts",
    );
    assert!(err.contains("`DC0_C0_H2`"), "{err}");
    assert!(err.contains("`dc0-c0-h2.a.example`"), "{err}");
    assert!(err.contains("`dc0-c0-h2.b.example`"), "{err}");
    let clustered = other_import(
        &tmp.path().join("clustered"),
        "hosts:\n  dc0-c0-h2: {cluster: nb-cluster}\n",
    );
    fails(
        &server.url,
        &["--hosts-from", &clustered],
        "already in cluster `nb-cluster`",
    );
    fails(
        &server.url,
        &["--hosts-from", tmp.path().join("missing").to_str().unwrap()],
        "is not a directory",
    );
    let broken = other_import(&tmp.path().join("broken"), "hosts: [\n");
    fails(&server.url, &["--hosts-from", &broken], "hosts.yaml");
}

#[test]
fn credentials_come_from_the_environment_only() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(recorded);
    let out = tmp.path().join("o");
    let o = faultline(
        &[
            "import",
            "vsphere",
            "--url",
            &server.url,
            "--out",
            out.to_str().unwrap(),
        ],
        false,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("VSPHERE_USER is not set"),
        "{}",
        text(&o.stderr)
    );
    assert!(server.requests().is_empty());
    let o = faultline(&["import", "vsphere", "--help"], false);
    let help = text(&o.stdout);
    assert!(
        !help.contains("--password") && !help.contains("--user "),
        "{help}"
    );
}

#[test]
fn a_refused_login_writes_nothing() {
    let server = Server::start(|req, addr| {
        if method(req) == "Login" {
            return soap(500, fixture("Login-InvalidLogin.xml"));
        }
        recorded(req, addr)
    });
    let err = fails(&server.url, &[], "refused the login");
    assert!(err.contains("Login failure"), "{err}");
    assert!(err.contains("VSPHERE_PASSWORD"), "{err}");
    // A fault is an answer: not retried.
    assert_eq!(methods(&server), ["RetrieveServiceContent", "Login"]);
}

#[test]
fn a_fault_while_reading_logs_out_and_writes_nothing() {
    let server = Server::start(|req, addr| {
        if method(req) == "ContinueRetrievePropertiesEx" {
            return soap(500, fixture("NoPermission.xml"));
        }
        recorded(req, addr)
    });
    let err = fails(&server.url, &[], "vsphere-permission");
    assert!(
        err.contains("Permission to perform this operation"),
        "{err}"
    );
    assert!(err.contains("Read-only role"), "{err}");
    assert_eq!(methods(&server).last().map(String::as_str), Some("Logout"));
}

#[test]
fn server_errors_and_resets_are_retried() {
    // The first page fails twice (503, then a dropped connection), then
    // is served: the import succeeds.
    let failures = Arc::new(AtomicU32::new(0));
    let f = failures.clone();
    let (dc0, _) = recorded_views()
        .into_iter()
        .find(|(_, c)| c == "datacenter-2")
        .unwrap();
    let server = Server::start(move |req, addr| {
        if method(req) == "RetrievePropertiesEx" && element(req, "obj") == Some(dc0.clone()) {
            match f.fetch_add(1, Ordering::SeqCst) {
                0 => return Resp::new(503, "text/html", "<html>Service Unavailable</html>"),
                1 => return Resp::hang_up(),
                _ => {}
            }
        }
        recorded(req, addr)
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = import(&server.url, &tmp.path().join("o"), &["--retries", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(failures.load(Ordering::SeqCst), 3);

    // Always 503: given up after the retries, said so, logged out.
    let server = Server::start(|req, addr| {
        if method(req) == "RetrievePropertiesEx" {
            return Resp::new(503, "text/html", "<html>Service Unavailable</html>");
        }
        recorded(req, addr)
    });
    let err = fails(&server.url, &["--retries", "1"], "vsphere-unavailable");
    assert!(err.contains("503 Service Unavailable"), "{err}");
    assert!(err.contains("gave up after 2 attempts"), "{err}");
    let calls = methods(&server);
    assert_eq!(
        calls
            .iter()
            .filter(|m| *m == "RetrievePropertiesEx")
            .count(),
        2
    );
    assert_eq!(calls.last().map(String::as_str), Some("Logout"));
}

#[test]
fn what_is_not_a_vsphere_sdk() {
    let server =
        Server::start(|_, _| Resp::new(404, "text/html", "<html><body>Not Found</body></html>"));
    let err = fails(&server.url, &[], "is not a vSphere SDK endpoint");
    assert!(err.contains("https://vcenter.example.com/sdk"), "{err}");
    let server = Server::start(|_, _| Resp::new(200, "application/json", "{}"));
    fails(&server.url, &[], "not SOAP");
    // A SOAP endpoint whose answers lack what the importer reads.
    let server = Server::start(|req, addr| {
        if method(req) == "RetrievePropertiesEx" {
            return soap(200, b"<Envelope><Body><RetrievePropertiesExResponse><returnval><objects><propSet/></objects></returnval></RetrievePropertiesExResponse></Body></Envelope>".to_vec());
        }
        recorded(req, addr)
    });
    fails(&server.url, &[], "vsphere-bad-answer");
}

#[test]
fn unreachable_slow_and_malformed_urls() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = fails(
        &format!("https://127.0.0.1:{port}/sdk"),
        &["--retries", "0"],
        "cannot reach vCenter at `https://127.0.0.1",
    );
    assert!(err.contains("vsphere-unreachable"), "{err}");
    let server = Server::start(|req, addr| {
        if method(req) == "Login" {
            std::thread::sleep(std::time::Duration::from_secs(3));
        }
        recorded(req, addr)
    });
    fails(
        &server.url,
        &["--timeout", "1", "--retries", "0"],
        "vCenter did not answer `Login` in time",
    );
    fails(
        "vcenter.example.com",
        &[],
        "is not an http:// or https:// address",
    );
    let tmp = tempfile::tempdir().unwrap();
    let not_pem = tmp.path().join("ca.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    fails(
        "https://127.0.0.1:1/sdk",
        &["--ca-cert", not_pem.to_str().unwrap()],
        "holds no PEM certificate",
    );
}

#[test]
fn refuses_to_overwrite_a_hand_written_section_file() {
    let server = Server::start(recorded);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("hosts.yaml"), "hosts: {}\n").unwrap();
    let before = snapshot(&out);
    let o = import(&server.url, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("was not written by `faultline import vsphere`"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(snapshot(&out), before);
    assert!(server.requests().is_empty(), "refused before connecting");
    // Nor over the files of another importer.
    std::fs::write(
        out.join("hosts.yaml"),
        "# Generated by `faultline import netbox` from x.\nhosts: {}\n",
    )
    .unwrap();
    assert_eq!(import(&server.url, &out, &[]).status.code(), Some(2));
}

#[test]
fn insecure_and_ca_cert_do_not_go_together() {
    let o = faultline(
        &[
            "import",
            "vsphere",
            "--url",
            "https://x/sdk",
            "--out",
            "o",
            "--insecure",
            "--ca-cert",
            "ca.pem",
        ],
        true,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("cannot be used with"),
        "{}",
        text(&o.stderr)
    );
}
