//! `faultline import netbox` end to end, against a NetBox played back from
//! recorded answers (`tests/fixtures/netbox-demo-api/`, NetBox 4.4 with the
//! public demo data) by a small HTTP server in the test process.
//!
//! The server answers `/api/<path>/?...offset=N` with the recorded page at
//! offset N, whatever `limit` was asked for: the pages hold 50 objects and
//! their `next` links (rewritten to the server's address) say
//! `limit=50`, so the importer, which asks for 1000, has to follow them as
//! it would on a NetBox whose MAX_PAGE_SIZE is 50.
//!
//! The golden files are `testdata/netbox-demo/*.yaml` (the import) and
//! `import.expected.*` beside them (its report); `BLESS=1 cargo test --test
//! netbox` rewrites them. The same folder is a `check` case of
//! `tests/golden.rs`, with a hand-written `services.yaml`.

mod stand_in;

use stand_in::{Resp, Server, generated, snapshot, text};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "0123456789abcdef0123456789abcdef01234567";
const RECORDED_AT: &str = "http://127.0.0.1:8000";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netbox-demo-api")
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/netbox-demo")
}

fn json(status: u16, body: Vec<u8>) -> Resp {
    let mut r = Resp::new(status, "application/json", body);
    r.headers.push(("API-Version", "4.4".into()));
    r
}

fn error_file(status: u16, name: &str, content_type: &'static str) -> Resp {
    let body = std::fs::read(fixtures().join("errors").join(name)).unwrap();
    Resp::new(status, content_type, body)
}

fn param<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The recorded NetBox: the token checked as NetBox does, pages served by
/// offset, anything else NetBox's HTML 404 page.
fn demo(req: &stand_in::Req, addr: &str) -> Resp {
    match req.header("authorization") {
        None => return error_file(403, "no-token.json", "application/json"),
        Some(a) if a != format!("Token {TOKEN}") => {
            return error_file(403, "wrong-token.json", "application/json");
        }
        Some(_) => {}
    }
    let file = match req.path.strip_prefix("/api/") {
        Some("status/") => fixtures().join("status.json"),
        Some(endpoint) => {
            let offset = param(&req.query, "offset").unwrap_or("0");
            fixtures()
                .join(endpoint.trim_end_matches('/'))
                .join(format!("limit=50&offset={offset}.json"))
        }
        None => PathBuf::new(),
    };
    match std::fs::read(&file) {
        Ok(body) => {
            let body = String::from_utf8(body).unwrap();
            json(
                200,
                body.replace(RECORDED_AT, &format!("http://{addr}"))
                    .into_bytes(),
            )
        }
        Err(_) => error_file(404, "nonexistent-endpoint.html", "text/html; charset=utf-8"),
    }
}

fn faultline(args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("NETBOX_TOKEN")
        .env_remove("COLUMNS");
    stand_in::without_proxies(&mut cmd);
    if let Some(t) = token {
        cmd.env("NETBOX_TOKEN", t);
    }
    cmd.output().unwrap()
}

fn import(url: &str, out: &Path, extra: &[&str], token: Option<&str>) -> Output {
    let out = out.to_str().unwrap();
    let mut args = vec!["import", "netbox", "--url", url, "--out", out];
    args.extend(extra);
    faultline(&args, token)
}

/// An import refused before it wrote anything: exit 2, `wanted` on
/// stderr, no output directory.
fn refused(url: &str, extra: &[&str], wanted: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = import(url, &out, extra, Some(TOKEN));
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(wanted), "wanted `{wanted}` in:\n{err}");
    assert!(!out.exists(), "a refused import created its directory");
}

/// The recorded `count` of an endpoint.
fn recorded_count(endpoint: &str) -> usize {
    let page = std::fs::read(fixtures().join(endpoint).join("limit=50&offset=0.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&page).unwrap();
    v["count"].as_u64().unwrap() as usize
}

/// Every recorded object of an endpoint.
fn recorded(endpoint: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    for e in std::fs::read_dir(fixtures().join(endpoint)).unwrap() {
        let page: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
        all.extend(page["results"].as_array().unwrap().iter().cloned());
    }
    all
}

fn load(dir: &Path) -> faultline::model::Model {
    match faultline::check::prepare::prepare(&[dir.to_str().unwrap().to_owned()], &[], None) {
        Ok(p) => p.model,
        Err(f) => panic!(
            "{:?}",
            f.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        ),
    }
}

/// The entity a NetBox object became.
fn entity_of<'m>(
    model: &'m faultline::model::Model,
    netbox: &str,
) -> Option<&'m faultline::model::Entity> {
    model
        .entities
        .iter()
        .find(|e| e.labels.get("netbox").is_some_and(|l| l == netbox))
}

#[test]
fn imports_the_demo_data_completely() {
    let server = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("netbox");
    let o = import(&server.url, &out, &["--format", "json"], Some(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let n = |s: &str| report["imported"][s].as_u64().unwrap() as usize;

    // Counts: every recorded object is imported, except the patch panels.
    let devices = recorded("dcim/devices");
    let role = |d: &serde_json::Value| d["role"]["slug"].as_str().unwrap().to_owned();
    let of_role = |r: &str| devices.iter().filter(|d| role(d) == r).count();
    assert_eq!(n("sites"), recorded_count("dcim/sites"));
    assert_eq!(n("racks"), recorded_count("dcim/racks"));
    assert_eq!(n("feeds"), recorded_count("dcim/power-feeds"));
    assert_eq!(n("components"), recorded_count("dcim/power-panels"));
    assert_eq!(n("clusters"), recorded_count("virtualization/clusters"));
    assert_eq!(n("vms"), recorded_count("virtualization/virtual-machines"));
    assert_eq!(n("pdus"), of_role("pdu"));
    assert_eq!(
        n("pdus") + n("switches") + n("hosts") + of_role("patch-panel"),
        recorded_count("dcim/devices")
    );
    assert_eq!((n("pdus"), n("switches"), n("hosts")), (13, 39, 1));

    // Every object is traceable, and every cabled power port is a `power`
    // reference from its device to the PDU its outlet belongs to.
    let model = load(&out);
    assert_eq!(
        model.entities.len(),
        report["imported"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap() as usize)
            .sum::<usize>()
    );
    assert!(
        model
            .entities
            .iter()
            .all(|e| e.labels.get("netbox").is_some())
    );
    let mut cabled = 0;
    for port in recorded("dcim/power-ports") {
        if port["cable"].is_null() {
            continue;
        }
        cabled += 1;
        let device = entity_of(&model, &format!("dcim.device/{}", port["device"]["id"])).unwrap();
        for end in port["connected_endpoints"].as_array().unwrap() {
            let pdu = entity_of(&model, &format!("dcim.device/{}", end["device"]["id"])).unwrap();
            let pdu = model.lookup(&pdu.id).unwrap();
            assert!(
                device.power.contains(&pdu),
                "{} lacks power from {}",
                device.id,
                model.name(pdu)
            );
        }
    }
    assert_eq!(cabled, 26);
    assert_eq!(
        report["quality"]["power_ports_not_cabled"]["count"],
        75 - 26
    );

    // Cabled switches: access switches and distribution switches have uplinks.
    let sw = entity_of(&model, "dcim.device/14").unwrap();
    assert_eq!(
        model.names_sorted(&sw.uplinks),
        ["dm-akron/dmi01-akron-rtr01"]
    );
    let dist = entity_of(&model, "dcim.device/93").unwrap();
    assert_eq!(
        model.names_sorted(&dist.uplinks),
        ["ncsu-065/ncsu-coreswitch1", "ncsu-065/ncsu-coreswitch2"]
    );
    assert!(
        entity_of(&model, "dcim.device/96")
            .unwrap()
            .uplinks
            .is_empty()
    );

    // faultline check reads the result without an input error.
    let o = faultline(&["check", out.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(o.stderr.is_empty(), "{}", text(&o.stderr));

    // The importer asked for 1000 per page, followed the served `next`
    // links (50 per page), sent the token and filtered interfaces.
    let seen = server.requests();
    assert!(
        seen.iter()
            .all(|r| r.header("authorization") == Some(&format!("Token {TOKEN}") as &str))
    );
    let first = seen
        .iter()
        .find(|r| r.path == "/api/dcim/devices/")
        .unwrap();
    assert_eq!(first.query, "limit=1000&offset=0");
    assert!(
        seen.iter()
            .any(|r| r.path == "/api/dcim/interfaces/" && r.query == "limit=50&offset=1550")
    );
    assert!(
        seen.iter()
            .any(|r| r.query == "limit=1000&offset=0&cabled=true")
    );
    assert_eq!(seen.len(), 1 + 1 + 1 + 1 + 1 + 2 + 2 + 32 + 1 + 4);
}

#[test]
fn golden_import_of_the_demo_data() {
    let server = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("netbox");
    let o = import(&server.url, &out, &[], Some(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // The files and report name the server; make them name the recording's.
    let here = server.url.as_bytes();
    let normal = |b: &[u8]| {
        text(b)
            .replace(&text(here), RECORDED_AT)
            .replace(out.to_str().unwrap(), "netbox")
            .into_bytes()
    };
    let mut got: Vec<(String, Vec<u8>)> = generated(&out)
        .into_iter()
        .map(|(n, b)| (n, normal(&b)))
        .collect();
    got.push(("import.expected.stderr".into(), normal(&o.stderr)));
    let o = import(&server.url, &out, &["--format", "json"], Some(TOKEN));
    got.push(("import.expected.json".into(), normal(&o.stdout)));
    let dir = golden_dir();
    if std::env::var("BLESS").is_ok_and(|v| v == "1") {
        for (name, bytes) in &got {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        return;
    }
    // The README and the worked example show the report of the demo data.
    let report = text(
        &got.iter()
            .find(|(n, _)| n == "import.expected.stderr")
            .unwrap()
            .1,
    );
    for doc in ["README.md", "docs/netbox.md"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(doc);
        let shown = std::fs::read_to_string(path).unwrap();
        assert!(
            shown.contains(&report),
            "{doc} does not show the current report:\n{report}"
        );
    }
    let mut differ = Vec::new();
    for (name, bytes) in &got {
        let want = std::fs::read(dir.join(name)).unwrap_or_default();
        if &want != bytes {
            differ.push(name.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "differ from testdata/netbox-demo (rerun with BLESS=1 and review the diff): {differ:?}"
    );
}

#[test]
fn reimport_is_byte_identical_and_keeps_hand_written_files() {
    let server = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("estate");
    assert_eq!(
        import(&server.url, &out, &[], Some(TOKEN)).status.code(),
        Some(0)
    );
    let services = "services:\n  web: {instances: [ncsu-065/lenovo-flex-system-106]}\n";
    std::fs::write(out.join("services.yaml"), services).unwrap();
    let before = snapshot(&out);
    let o = import(&server.url, &out, &[], Some(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(snapshot(&out), before, "a second import changed bytes");
    // check reads both the generated and the hand-written files.
    let o = faultline(&["check", out.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let findings: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        findings["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["subject"] == "web")
    );
}

#[test]
fn netbox_3_5_field_names_give_the_same_description() {
    // NetBox 3.x calls a device's role `device_role`.
    let server = Server::start(|req, addr| {
        let resp = demo(req, addr);
        let mut v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
        if req.path == "/api/status/" {
            v["netbox-version"] = "3.5.9".into();
        } else if req.path == "/api/dcim/devices/" {
            for d in v["results"].as_array_mut().unwrap() {
                let role = d.as_object_mut().unwrap().remove("role").unwrap();
                d["device_role"] = role;
            }
        } else {
            return resp;
        }
        json(200, serde_json::to_vec(&v).unwrap())
    });
    let reference = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old"), tmp.path().join("new"));
    assert_eq!(
        import(&server.url, &old, &[], Some(TOKEN)).status.code(),
        Some(0)
    );
    assert_eq!(
        import(&reference.url, &new, &[], Some(TOKEN)).status.code(),
        Some(0)
    );
    let strip = |files: Vec<(String, Vec<u8>)>, url: &str| {
        files
            .into_iter()
            .map(|(n, b)| (n, text(&b).replace(url, "URL").replace("/old", "/new")))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strip(generated(&old), &server.url),
        strip(generated(&new), &reference.url)
    );
}

#[test]
fn site_and_tag_select_a_slice_with_its_dependencies() {
    let server = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("akron");
    let o = import(
        &server.url,
        &out,
        &["--site", "dm-akron", "--format", "json"],
        Some(TOKEN),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let model = load(&out);
    let mut ids: Vec<&str> = model.entities.iter().map(|e| e.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "dm-akron",
            "dm-akron/comms-closet",
            "dm-akron/dmi01-akron-pdu01",
            "dm-akron/dmi01-akron-rtr01",
            "dm-akron/dmi01-akron-sw01"
        ]
    );
    // A typo is an error, with the nearest slug.
    refused(
        &server.url,
        &["--site", "dm-akorn"],
        "did you mean `dm-akron`?",
    );
    // Tags: the sites tagged `golf`, nothing else depends on.
    let out = tmp.path().join("golf");
    let o = import(&server.url, &out, &["--tag", "golf"], Some(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let model = load(&out);
    assert!(!model.entities.is_empty());
    assert!(
        model
            .entities
            .iter()
            .all(|e| e.kind() == faultline::model::Kind::Site)
    );
    refused(&server.url, &["--tag", "no-such-tag"], "no site, rack");
}

#[test]
fn role_overrides_change_what_devices_become() {
    let server = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let args = [
        "--role",
        "Patch Panel=component",
        "--role",
        "pdu=skip",
        "--format",
        "json",
    ];
    let o = import(&server.url, &out, &args, Some(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["imported"]["components"], 4 + 19);
    assert_eq!(report["imported"]["pdus"], 0);
    // The power cables now lead to skipped devices: reported, not written.
    assert_eq!(report["quality"]["power_cables_not_followed"]["count"], 26);
    let model = load(&out);
    let panel = entity_of(&model, "dcim.device/90").unwrap();
    assert_eq!(panel.component_kind.as_deref(), Some("patch-panel"));
    refused(&server.url, &["--role", "pdus=skip"], "did you mean `pdu`?");
    refused(
        &server.url,
        &["--role", "pdu=rack"],
        "is not host, switch, pdu",
    );
}

/// An output directory from an earlier import, with a hand-written file.
fn earlier_import(tmp: &Path) -> PathBuf {
    let server = Server::start(demo);
    let out = tmp.join("estate");
    assert_eq!(
        import(&server.url, &out, &[], Some(TOKEN)).status.code(),
        Some(0)
    );
    std::fs::write(out.join("services.yaml"), "services: {}\n").unwrap();
    out
}

/// Runs a failing import into an earlier import's directory and into a
/// new one: exit 2, `message` on stderr, neither directory touched, and
/// the token never shown.
fn fails(url: &str, extra: &[&str], token: Option<&str>, message: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = earlier_import(tmp.path());
    let before = snapshot(&out);
    let o = import(url, &out, extra, token);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(message), "wanted `{message}` in:\n{err}");
    assert_eq!(
        snapshot(&out),
        before,
        "a failed import changed the directory"
    );
    let fresh = tmp.path().join("fresh");
    let o = import(url, &fresh, extra, token);
    assert_eq!(o.status.code(), Some(2));
    assert!(!fresh.exists(), "a failed import created its directory");
    assert!(!err.contains(TOKEN) && !text(&o.stdout).contains(TOKEN));
    err
}

#[test]
fn unreachable_url() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = fails(
        &format!("http://127.0.0.1:{port}"),
        &[],
        Some(TOKEN),
        "cannot reach NetBox",
    );
    assert!(err.contains("input::netbox-unreachable"), "{err}");
}

#[test]
fn invalid_and_missing_token() {
    let server = Server::start(demo);
    let err = fails(
        &server.url,
        &[],
        Some("0000000000000000000000000000000000000000"),
        "Invalid token",
    );
    assert!(
        err.contains("NetBox refused the token in NETBOX_TOKEN (403 Forbidden"),
        "{err}"
    );
    let err = fails(
        &server.url,
        &[],
        None,
        "Authentication credentials were not provided",
    );
    assert!(err.contains("NETBOX_TOKEN"), "{err}");
}

#[test]
fn url_that_is_not_a_netbox_api() {
    let server = Server::start(|_, _| {
        error_file(404, "nonexistent-endpoint.html", "text/html; charset=utf-8")
    });
    let err = fails(&server.url, &[], Some(TOKEN), "is not a NetBox API");
    assert!(err.contains("answered 404 with an HTML"), "{err}");
    // A web server that answers every path with a page of its own.
    let server = Server::start(|_, _| Resp {
        status: 200,
        content_type: "text/html",
        headers: Vec::new(),
        body: b"<html>login</html>".to_vec(),
    });
    fails(&server.url, &[], Some(TOKEN), "is not a NetBox API");
}

#[test]
fn malformed_json() {
    let server = Server::start(|req, addr| {
        let mut resp = demo(req, addr);
        if req.path == "/api/dcim/power-ports/" && req.query.contains("offset=50") {
            resp.body.truncate(resp.body.len() / 2);
        }
        resp
    });
    let err = fails(&server.url, &[], Some(TOKEN), "is not the JSON faultline");
    assert!(
        err.contains("/api/dcim/power-ports/?limit=50&offset=50"),
        "{err}"
    );
}

#[test]
fn unsupported_netbox_version() {
    let server = Server::start(|req, addr| {
        if req.path == "/api/status/" {
            return json(200, br#"{"netbox-version":"3.4.10","plugins":{}}"#.to_vec());
        }
        demo(req, addr)
    });
    let err = fails(
        &server.url,
        &[],
        Some(TOKEN),
        "NetBox 3.4.10 is not supported",
    );
    assert!(err.contains("input::netbox-version"), "{err}");
}

#[test]
fn server_errors_are_retried_then_reported() {
    // Every devices page fails once with 429 and once with 503, then works.
    let failures = Arc::new(Mutex::new(std::collections::HashMap::<String, u32>::new()));
    let f = failures.clone();
    let server = Server::start(move |req, addr| {
        if req.path == "/api/dcim/devices/" {
            let mut f = f.lock().unwrap();
            let n = f.entry(req.query.clone()).or_default();
            *n += 1;
            match *n {
                1 => {
                    let mut r = json(429, br#"{"detail":"Request was throttled."}"#.to_vec());
                    r.headers.push(("Retry-After", "0".into()));
                    return r;
                }
                2 if req.query.contains("offset=0") => {
                    return json(503, b"{}".to_vec());
                }
                _ => {}
            }
        }
        demo(req, addr)
    });
    let tmp = tempfile::tempdir().unwrap();
    let o = import(&server.url, &tmp.path().join("o"), &[], Some(TOKEN));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(failures.lock().unwrap().values().sum::<u32>(), 3 + 2);

    // A NetBox that keeps failing: reported after the retries.
    let server = Server::start(|req, addr| {
        if req.path == "/api/dcim/racks/" {
            let mut r = json(500, b"Internal Server Error".to_vec());
            r.headers.push(("Retry-After", "0".into()));
            return r;
        }
        demo(req, addr)
    });
    let err = fails(
        &server.url,
        &["--retries", "2"],
        Some(TOKEN),
        "500 Internal Server Error",
    );
    assert!(err.contains("up after 3 attempts"), "{err}");
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/api/dcim/racks/")
            .count(),
        2 * 3
    );
}

#[test]
fn refuses_to_overwrite_a_hand_written_section_file() {
    let server = Server::start(demo);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("estate");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("hosts.yaml"), "hosts: {}\n").unwrap();
    let before = snapshot(&out);
    let o = import(&server.url, &out, &[], Some(TOKEN));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("was not written by `faultline import netbox`"));
    assert_eq!(snapshot(&out), before);
    assert!(
        server.requests().is_empty(),
        "it fetched before checking the output"
    );
}

#[test]
fn a_netbox_that_does_not_answer_in_time() {
    let server = Server::start(|req, addr| {
        if req.path == "/api/dcim/sites/" {
            std::thread::sleep(std::time::Duration::from_secs(4));
        }
        demo(req, addr)
    });
    refused(
        &server.url,
        &["--timeout", "1", "--retries", "0"],
        "did not answer",
    );
}

#[test]
fn ca_cert_errors_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.pem");
    let not_pem = tmp.path().join("ca.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let url = "https://127.0.0.1:1";
    refused(
        url,
        &["--ca-cert", missing.to_str().unwrap()],
        "cannot read --ca-cert",
    );
    refused(
        url,
        &["--ca-cert", not_pem.to_str().unwrap()],
        "holds no PEM certificate",
    );
    refused(
        "netbox.example.com",
        &[],
        "is not an http:// or https:// address",
    );
}

/// HTTPS with an internal CA, through `openssl s_server` (skipped where
/// openssl is not installed): refused without `--ca-cert`, trusted with it
/// (the server's answer is then an HTML page, not NetBox).
#[test]
fn https_trusts_the_ca_given_with_ca_cert() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    if !stand_in::certificates(d) {
        eprintln!("openssl is not installed: skipped");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-www",
            "-accept",
            &port.to_string(),
            "-cert",
            "leaf.pem",
            "-key",
            "leaf.key",
        ])
        .current_dir(d)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let up = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let url = format!("https://127.0.0.1:{port}");
    let without = import(&url, &d.join("a"), &["--retries", "0"], Some(TOKEN));
    let ca = d.join("ca.pem");
    let with = import(
        &url,
        &d.join("b"),
        &["--retries", "0", "--ca-cert", ca.to_str().unwrap()],
        Some(TOKEN),
    );
    let _ = server.kill();
    let _ = server.wait();
    assert!(up, "openssl s_server did not start");
    assert_eq!(without.status.code(), Some(2));
    assert!(
        text(&without.stderr).contains("input::netbox-tls"),
        "{}",
        text(&without.stderr)
    );
    assert_eq!(with.status.code(), Some(2));
    assert!(
        text(&with.stderr).contains("is not a NetBox API"),
        "{}",
        text(&with.stderr)
    );
}
