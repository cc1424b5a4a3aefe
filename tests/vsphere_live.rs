//! `faultline import vsphere` against a live simulated vCenter: govmomi's
//! vcsim, from Debian's golang-github-vmware-govmomi-dev, served over TLS
//! by the small Go program in `tests/vcsim` (built here in GOPATH mode,
//! downloading nothing) with a certificate made here by openssl, a
//! 2048-bit RSA key under a CA of its own. `.ci/run` installs Go and
//! govmomi; where `go` is missing the tests say so and pass.
//!
//! The simulator is shaped through the vSphere API as an administrator
//! would (see `tests/vcsim/main.go`); the tests check what the import
//! makes of it, then let `faultline check` read the result.

mod stand_in;

use serde_json::json;
use stand_in::{description, snapshot, text};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const USER: &str = "faultline@vsphere.local";
const PASSWORD: &str = "live-Test-pa55";
/// Where Debian puts Go library sources, govmomi's among them.
const GOPATH: &str = "/usr/share/gocode";

/// The simulator program, built once per test run (`None`: no Go here).
fn vcsim() -> Option<&'static Path> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if Command::new("go").arg("version").output().is_err() {
                eprintln!("go is not installed: the live vSphere tests are skipped (.ci/run installs golang-go and golang-github-vmware-govmomi-dev)");
                return None;
            }
            let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
            let bin = dir.join("vcsim");
            let o = Command::new("go")
                .args(["build", "-o"])
                .arg(&bin)
                .arg(".")
                .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vcsim"))
                .env("GOPATH", GOPATH)
                .env("GO111MODULE", "off")
                .env("GOFLAGS", "")
                .env("GOCACHE", dir.join("go-build"))
                .output()
                .expect("go build");
            assert!(
                o.status.success(),
                "building tests/vcsim failed (is golang-github-vmware-govmomi-dev installed under {GOPATH}?):\n{}",
                text(&o.stderr)
            );
            Some(bin)
        })
        .as_deref()
}

/// A running simulator; stopped when dropped (its stdin closes, and it is
/// killed should it linger).
struct Sim {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Sim {
    fn start(extra: &[&str]) -> Option<Sim> {
        let bin = vcsim()?;
        let dir = tempfile::tempdir().unwrap();
        assert!(
            stand_in::certificates(dir.path()),
            "openssl (Debian's openssl package) is needed to make the test certificates"
        );
        let mut child = Command::new(bin)
            .args([
                "-cert", "leaf.pem", "-key", "leaf.key", "-user", USER, "-pass", PASSWORD,
            ])
            .args(extra)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("URL ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let Ok(url) = rx.recv_timeout(Duration::from_secs(300)) else {
            let _ = child.kill();
            panic!("the simulator did not start");
        };
        Some(Sim { child, url, dir })
    }

    fn ca(&self) -> String {
        self.dir.path().join("ca.pem").to_str().unwrap().to_owned()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn faultline(args: &[&str], password: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env("VSPHERE_USER", USER)
        .env("VSPHERE_PASSWORD", password)
        .env_remove("COLUMNS");
    stand_in::without_proxies(&mut cmd);
    cmd.output().unwrap()
}

fn import(sim: &Sim, out: &Path, extra: &[&str]) -> Output {
    import_as(sim, out, extra, PASSWORD)
}

/// An import with `password` in VSPHERE_PASSWORD, which it never prints.
fn import_as(sim: &Sim, out: &Path, extra: &[&str], password: &str) -> Output {
    let mut args = vec!["import", "vsphere", "--url", &sim.url];
    args.extend(["--out", out.to_str().unwrap()]);
    args.extend(extra);
    let o = faultline(&args, password);
    assert!(!text(&o.stderr).contains(password) && !text(&o.stdout).contains(password));
    o
}

/// The requests the import says it made (`... in 9 requests: ...`).
fn requests(o: &Output) -> u64 {
    let err = text(&o.stderr);
    let words: Vec<&str> = err.split_whitespace().collect();
    words
        .windows(3)
        .find(|w| w[0] == "in" && w[2].starts_with("request"))
        .and_then(|w| w[1].parse().ok())
        .unwrap_or_else(|| panic!("no request count in:\n{err}"))
}

#[test]
fn imports_a_live_simulated_vcenter() {
    let Some(sim) = Sim::start(&[]) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("vsphere");
    let ca = sim.ca();
    let o = import(&sim, &out, &["--ca-cert", &ca]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // Login, two datacenters (a view and one page each), the list of
    // datacenters, logout: the simulator answers in one page.
    assert_eq!(requests(&o), 1 + 1 + 2 + 2 * 2 + 1);

    let v = description(&out);
    assert_eq!(stand_in::counts(&v), [4, 14, 20, 3], "{err}");
    let c = &v["clusters"];
    assert_eq!(
        [
            &c["dc0_c0"]["ha"],
            &c["dc0_c1"]["ha"],
            &c["dc1_c0"]["ha"],
            &c["dc1_c1"]["ha"]
        ],
        ["restart", "none", "restart", "none"]
    );
    assert_eq!(
        c["dc0_c0"]["anti_affinity"],
        json!([["web-a", "web-b", "web-c"]])
    );
    assert!(
        c["dc0_c0"]["labels"]["vsphere"]
            .as_str()
            .unwrap()
            .starts_with("ClusterComputeResource:")
    );
    let h = &v["hosts"];
    for (host, cluster) in [
        ("dc0_c0_h0", "dc0_c0"),
        ("dc0_c1_h2", "dc0_c1"),
        ("dc1_c1_h1", "dc1_c1"),
    ] {
        assert_eq!(h[host]["cluster"], cluster, "{host}");
    }
    assert!(h["dc0_h0"].get("cluster").is_none() && h["dc1_h0"].get("cluster").is_none());
    assert_eq!(h["dc0_c0_h2"]["standby"], true);
    assert_eq!(h["dc0_c0_h0"]["cpus"], 2);
    let vm = &v["vms"];
    // Each vm either floats in its cluster or is pinned to its host.
    let placed = |field: &str, other: &str, names: &[&str]| {
        for n in names {
            assert!(
                vm[n][field].is_string() && vm[n].get(other).is_none(),
                "{n}: {}",
                vm[n]
            );
        }
    };
    placed(
        "cluster",
        "host",
        &[
            "web-a",
            "web-b",
            "web-c",
            "db-1",
            "db-2",
            "local-app",
            "dc0_c0_rp0_vm0",
            "dc1_c0_rp0_vm1",
        ],
    );
    placed(
        "host",
        "cluster",
        &[
            "batch-1",
            "ft-app",
            "dc0_c1_rp0_vm0",
            "dc1_c1_rp0_vm1",
            "dc0_h0_vm0",
        ],
    );
    assert_eq!(vm["batch-1"]["host"], "dc0_c0_h1");
    assert_eq!(vm["ft-app"]["host"], "dc0_c0_h0");
    assert_eq!(vm["ft-app"]["ft_secondary"], "dc0_c0_h1");
    assert_eq!(vm["db-1"]["memory_gb"], 16);
    assert!(vm.get("off-1").is_none() && vm.get("tmpl-base").is_none());
    assert_eq!(
        v["components"]["dc0_c0_h1-local"]["requires"],
        json!(["dc0_c0_h1"])
    );
    assert_eq!(vm["local-app"]["requires"], json!(["dc0_c0_h1-local"]));
    let web_needs = vm["web-a"]["requires"].as_array().unwrap();
    assert_eq!(web_needs.len(), 1);
    let shared = web_needs[0].as_str().unwrap();
    assert_eq!(v["components"][shared]["kind"], "datastore");
    assert!(
        v["components"][shared].get("requires").is_none(),
        "mounted by every host of DC0"
    );
    for gap in [
        "off-1",
        "tmpl-base",
        "dc1_c1_h0, dc1_h0",
        "dc0_c1_h2",
        "dc0_c0/old-rule",
        "dc0_c0/db-together",
        "dc0_c0/db-on-h0",
        "admission control: dc1_c0",
        "batch-1",
    ] {
        assert!(err.contains(gap), "wanted `{gap}` in:\n{err}");
    }

    // The same vCenter, the same bytes.
    let first = snapshot(&out);
    let again = import(&sim, &out, &["--ca-cert", &ca]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(snapshot(&out), first);

    // faultline reads what it wrote.
    let check = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["check", out.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    let findings: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert!(
        findings
            .get("errors")
            .is_none_or(|e| e.as_array().unwrap().is_empty())
    );

    // Pages of 5 objects: DC0 has 28 (clusters, hosts, vms, templates,
    // the ft secondary, datastores), DC1 16, so 6 and 4 pages, and the
    // same description.
    let paged = tmp.path().join("paged");
    let o = import(&sim, &paged, &["--ca-cert", &ca, "--page-size", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(requests(&o), 1 + 1 + 2 + (1 + 6) + (1 + 4) + 1);
    let body = |dir: &Path, f: &str| {
        let t = std::fs::read_to_string(dir.join(f)).unwrap();
        t.lines().skip(4).collect::<Vec<_>>().join("\n")
    };
    for f in ["clusters.yaml", "hosts.yaml", "vms.yaml", "components.yaml"] {
        assert_eq!(body(&out, f), body(&paged, f), "{f}");
    }

    // Filters.
    let only = tmp.path().join("only");
    let o = import(
        &sim,
        &only,
        &[
            "--ca-cert",
            &ca,
            "--datacenter",
            "DC1",
            "--cluster",
            "DC1_C0",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = description(&only);
    assert_eq!(
        v["clusters"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["dc1_c0"]
    );
    assert_eq!(v["hosts"].as_object().unwrap().len(), 3);
    assert_eq!(requests(&o), 1 + 1 + 2 + 2 + 1, "one datacenter read");
}

#[test]
fn live_errors_write_nothing() {
    let Some(sim) = Sim::start(&[]) else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let run = |extra: &[&str], password: &str| {
        import_as(
            &sim,
            &out,
            &[&["--retries", "0"][..], extra].concat(),
            password,
        )
    };
    // A certificate from a CA the system does not trust.
    let o = run(&[], PASSWORD);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("vsphere-tls") && err.contains("--ca-cert"),
        "{err}"
    );
    // The wrong password.
    let ca = sim.ca();
    let o = run(&["--ca-cert", &ca], "not-the-password");
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("refused the login"), "{err}");
    assert!(!err.contains("not-the-password"));
    assert!(!out.exists());
    // --insecure: no check, and a warning that says so.
    let o = run(&["--insecure"], PASSWORD);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("warning: --insecure"),
        "{}",
        text(&o.stderr)
    );
}

/// A NetBox-like directory with two of DC0_C0's hosts in one rack, and the
/// vCenter import joined onto it with `--hosts-from`: (temp dir, netbox
/// directory, vsphere directory).
fn joined(sim: &Sim) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let netbox = tmp.path().join("netbox");
    std::fs::create_dir_all(&netbox).unwrap();
    std::fs::write(
        netbox.join("hosts.yaml"),
        "sites: {ams1: {}}\nracks: {ams1/r1: {site: ams1}}\n\
         hosts:\n  ams1/dc0-c0-h0.example.com: {rack: ams1/r1}\n  ams1/DC0-C0-H1: {rack: ams1/r1}\n",
    )
    .unwrap();
    let out = tmp.path().join("vsphere");
    let o = import(
        sim,
        &out,
        &[
            "--ca-cert",
            &sim.ca(),
            "--hosts-from",
            netbox.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = description(&out);
    assert_eq!(
        v["clusters"]["dc0_c0"]["hosts"],
        json!(["ams1/DC0-C0-H1", "ams1/dc0-c0-h0.example.com"])
    );
    assert!(v["hosts"].get("dc0_c0_h0").is_none() && v["hosts"].get("dc0_c0_h1").is_none());
    assert_eq!(v["vms"]["ft-app"]["host"], "ams1/dc0-c0-h0.example.com");
    assert_eq!(v["vms"]["ft-app"]["ft_secondary"], "ams1/DC0-C0-H1");

    (tmp, netbox, out)
}

#[test]
fn hosts_from_joins_another_import() {
    let Some(sim) = Sim::start(&[]) else { return };
    joined(&sim);
}

/// `faultline spof` over both directories: the clusters' `hosts` lists
/// join them, so a rack of NetBox takes down a vm of vCenter.
#[test]
fn check_reads_a_joined_import() {
    let Some(sim) = Sim::start(&[]) else { return };
    let (tmp, netbox, out) = joined(&sim);
    let check = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args([
            "spof",
            netbox.to_str().unwrap(),
            out.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    // With a service on the ft vm, the rack both its hosts are in is
    // what takes it down.
    std::fs::write(
        tmp.path().join("services.yaml"),
        "services:\n  app: {instances: [ft-app]}\n",
    )
    .unwrap();
    let spof = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["spof", netbox.to_str().unwrap(), out.to_str().unwrap()])
        .arg(tmp.path().join("services.yaml"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(spof.status.code(), Some(0), "{}", text(&spof.stderr));
    let s: serde_json::Value = serde_json::from_slice(&spof.stdout).unwrap();
    let culprits = s["services"]["app"].as_array().unwrap();
    assert!(culprits.contains(&json!("ams1/r1")), "{s}");
    assert!(culprits.contains(&json!("ft-app")), "{s}");
    assert!(
        !culprits.contains(&json!("ams1/dc0-c0-h0.example.com")),
        "{s}"
    );
}

/// The README's benchmark: 25 clusters of 20 hosts and 200 vms each (500
/// hosts, 5,000 vms). `cargo test --release --test vsphere_live -- --ignored
/// --nocapture bench`.
#[test]
#[ignore = "a benchmark: a minute or two"]
fn bench_a_large_vcenter() {
    let started = Instant::now();
    let Some(sim) = Sim::start(&[
        "-scenario",
        "bench",
        "-clusters",
        "25",
        "-cluster-hosts",
        "20",
        "-vms",
        "200",
    ]) else {
        return;
    };
    eprintln!("simulator ready in {:.1}s", started.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    // Three rounds with the default pages of 1,000 objects, one with 100.
    for (round, page) in ["1000", "1000", "1000", "100"].into_iter().enumerate() {
        let t = Instant::now();
        let ca = sim.ca();
        let o = import(
            &sim,
            &out,
            &["--ca-cert", &ca, "--format", "json", "--page-size", page],
        );
        let secs = t.elapsed().as_secs_f64();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        eprintln!(
            "round {round}, pages of {page}: {} hosts, {} vms, {} clusters: {secs:.2}s, {} requests",
            report["imported"]["hosts"],
            report["imported"]["vms"],
            report["imported"]["clusters"],
            report["requests"]
        );
        assert_eq!(report["imported"]["hosts"], 500);
        assert_eq!(report["imported"]["vms"], 5000);
    }
}
