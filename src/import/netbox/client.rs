//! Talking to NetBox's REST API: authentication, pagination, retries and
//! turning every way it can go wrong into one clear input error.
//!
//! Every request goes to the origin given by `--url`. The `next` links of
//! a list are followed for their path and query only: a NetBox behind a
//! reverse proxy often writes links with its internal address or `http://`,
//! and following those would fail or send the token somewhere else.

use super::api::Page;
use crate::input::diag::InputError;
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::time::Duration;
use ureq::http::Uri;

/// What the client needs to know; the token never leaves this module
/// except in the `Authorization` header.
pub struct Options {
    pub url: String,
    pub token: Option<String>,
    /// Extra trusted roots (PEM), for a NetBox with an internal CA.
    pub ca_cert: Option<String>,
    pub timeout: Duration,
    pub retries: u32,
    pub page_size: u32,
}

/// Oldest supported release; every 4.x release is supported too.
const OLDEST: (u32, u32) = (3, 5);
/// First release not known to work.
const TOO_NEW: (u32, u32) = (5, 0);
/// First wait before a retry, doubled each time.
const BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait a `Retry-After` header may impose.
const MAX_WAIT: Duration = Duration::from_secs(120);
/// One page of 1,000 interfaces is a few MB; anything near this is not a
/// NetBox page.
const MAX_BODY: u64 = 512 << 20;

pub struct Client {
    agent: ureq::Agent,
    /// `https://netbox.example.com`, no trailing slash.
    origin: String,
    /// Path before `/api/` (empty, or `/netbox` for a NetBox under a path).
    prefix: String,
    /// For messages: the address as the user gave it.
    shown: String,
    auth: Option<String>,
    retries: u32,
    page_size: u32,
    /// Whether NetBox has answered once: a refused connection before that
    /// is a wrong address, after it a restart worth retrying.
    reached: Cell<bool>,
}

fn error(code: &'static str, message: impl Into<String>) -> InputError {
    InputError::plain(code, message)
}

impl Client {
    pub fn new(o: Options) -> Result<Client, InputError> {
        let uri: Uri = o.url.parse().map_err(|_| bad_url(&o.url))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(bad_url(&o.url));
        };
        if scheme != "http" && scheme != "https" {
            return Err(bad_url(&o.url));
        }
        let origin = format!("{scheme}://{authority}");
        let path = uri.path().trim_end_matches('/');
        let prefix = path.strip_suffix("/api").unwrap_or(path).to_owned();
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(roots(o.ca_cert.as_deref())?)
            .build();
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(o.timeout))
            .timeout_connect(Some(o.timeout.min(Duration::from_secs(15))))
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .user_agent(format!("faultline/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        let auth = o.token.filter(|t| !t.is_empty()).map(|t| {
            // NetBox 4.5's v2 tokens (`nbt_...`) are bearer tokens.
            if t.starts_with("nbt_") {
                format!("Bearer {t}")
            } else {
                format!("Token {t}")
            }
        });
        Ok(Client {
            agent: config.into(),
            shown: format!("{origin}{prefix}"),
            origin,
            prefix,
            auth,
            retries: o.retries,
            page_size: o.page_size.max(1),
            reached: Cell::new(false),
        })
    }

    /// NetBox's version, refused unless supported.
    pub fn version(&self) -> Result<String, InputError> {
        let path = format!("{}/api/status/", self.prefix);
        let body = self.get(&path)?;
        let status: serde_json::Value = parse(&body, &path)?;
        let Some(version) = status.get("netbox-version").and_then(|v| v.as_str()) else {
            return Err(error(
                "netbox-not-api",
                format!(
                    "`{}` answered `{path}` without a NetBox version: it does not look like NetBox",
                    self.shown
                ),
            )
            .help(URL_HELP));
        };
        match major_minor(version) {
            Some(v) if (OLDEST..TOO_NEW).contains(&v) => Ok(version.to_owned()),
            _ => Err(error(
                "netbox-version",
                format!(
                    "NetBox {version} is not supported: faultline imports from NetBox 3.5 to 4.x"
                ),
            )
            .help(
                "upgrade NetBox to 3.5 or later; for a newer NetBox, look for a newer faultline",
            )),
        }
    }

    /// Every object of a list endpoint (`dcim/devices`), page by page.
    /// `progress` hears the objects read so far and NetBox's total.
    pub fn list<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        filters: &[(&str, &str)],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Vec<T>, InputError> {
        let mut next = Some(format!(
            "{}/api/{endpoint}/?limit={}&offset=0{}",
            self.prefix,
            self.page_size,
            filters
                .iter()
                .map(|(k, v)| format!("&{k}={v}"))
                .collect::<String>()
        ));
        let mut out: Vec<T> = Vec::new();
        let mut pages = 0u64;
        progress(0, 0);
        while let Some(path) = next.take() {
            let body = self.get(&path)?;
            let page: Page<T> = parse(&body, &path)?;
            pages += 1;
            out.extend(page.results);
            progress(out.len() as u64, page.count.unwrap_or(out.len() as u64));
            if let Some(link) = page.next.filter(|l| !l.is_empty()) {
                // A NetBox that keeps linking to pages past its count would
                // otherwise keep the import going forever.
                if page.count.is_some_and(|c| out.len() as u64 >= c) || pages > 1_000_000 {
                    break;
                }
                next = Some(path_and_query(&link).ok_or_else(|| {
                    error(
                        "netbox-bad-json",
                        format!(
                            "NetBox sent a `next` link that is not a URL in `{path}`: `{link}`"
                        ),
                    )
                })?);
            }
        }
        Ok(out)
    }

    /// One GET with retries of 429, 5xx, timeouts and (once NetBox has
    /// answered) dropped connections.
    fn get(&self, path: &str) -> Result<Vec<u8>, InputError> {
        let url = format!("{}{path}", self.origin);
        let mut attempt = 0;
        loop {
            let mut req = self.agent.get(&url).header("Accept", "application/json");
            if let Some(a) = &self.auth {
                req = req.header("Authorization", a);
            }
            let (wait, failure) = match req.call() {
                Ok(mut resp) => {
                    self.reached.set(true);
                    let status = resp.status();
                    let html = resp
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|t| t.contains("html"));
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s).min(MAX_WAIT));
                    let body = resp.body_mut().with_config().limit(MAX_BODY).read_to_vec();
                    let code = status.as_u16();
                    if status.is_success() {
                        match body {
                            Ok(b) if html => return Err(self.not_api(path, code, &b)),
                            Ok(b) => return Ok(b),
                            Err(e) => (None, self.transport(path, e)?),
                        }
                    } else {
                        let body = body.unwrap_or_default();
                        if code == 429 || status.is_server_error() {
                            let reason = format!(
                                "NetBox answered {} to `GET {path}`{}",
                                status_text(status),
                                detail(&body).map(|d| format!(": {d}")).unwrap_or_default()
                            );
                            (retry_after, reason)
                        } else {
                            return Err(self.refused(path, status, html, &body));
                        }
                    }
                }
                Err(e) => (None, self.transport(path, e)?),
            };
            if attempt >= self.retries {
                let tries = attempt + 1;
                return Err(error(
                    "netbox-unavailable",
                    format!(
                        "{failure} (gave up after {tries} attempt{})",
                        if tries == 1 { "" } else { "s" }
                    ),
                )
                .help("NetBox is overloaded or failing; try again later, or raise --retries and --timeout"));
            }
            std::thread::sleep(wait.unwrap_or(BACKOFF * 2u32.pow(attempt.min(6))));
            attempt += 1;
        }
    }

    /// A failure below HTTP: the reason to retry, or the error to stop with.
    fn transport(&self, path: &str, e: ureq::Error) -> Result<String, InputError> {
        use std::io::ErrorKind as K;
        let https = self.origin.starts_with("https:");
        let (code, reason, help) = match e {
            ureq::Error::Timeout(_) => {
                return Ok(format!("NetBox did not answer `GET {path}` in time"));
            }
            ureq::Error::Io(io)
                if self.reached.get()
                    && matches!(
                        io.kind(),
                        K::ConnectionRefused
                            | K::ConnectionReset
                            | K::ConnectionAborted
                            | K::UnexpectedEof
                            | K::BrokenPipe
                    ) =>
            {
                return Ok(format!(
                    "the connection to NetBox failed during `GET {path}`: {io}"
                ));
            }
            // rustls reports a refused certificate as invalid data.
            ureq::Error::Io(io) if https && io.kind() == K::InvalidData => {
                ("netbox-tls", io.to_string(), TLS_HELP)
            }
            e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
                ("netbox-tls", e.to_string(), TLS_HELP)
            }
            ureq::Error::HostNotFound => (
                "netbox-unreachable",
                "the host name does not resolve".into(),
                URL_HELP,
            ),
            ureq::Error::Io(io) => (
                "netbox-unreachable",
                crate::input::files::io_reason(&io),
                URL_HELP,
            ),
            other => ("netbox-unreachable", other.to_string(), URL_HELP),
        };
        let what = if code == "netbox-tls" {
            "cannot set up a secure connection to"
        } else {
            "cannot reach NetBox at"
        };
        Err(error(code, format!("{what} `{}`: {reason}", self.shown)).help(help))
    }

    fn not_api(&self, path: &str, code: u16, body: &[u8]) -> InputError {
        let what = if body.is_empty() {
            "an empty page"
        } else {
            "an HTML page"
        };
        error(
            "netbox-not-api",
            format!(
                "`{}` is not a NetBox API: `GET {path}` answered {code} with {what}, not JSON",
                self.shown
            ),
        )
        .help(URL_HELP)
    }

    /// A 4xx other than 429: never worth retrying.
    fn refused(
        &self,
        path: &str,
        status: ureq::http::StatusCode,
        html: bool,
        body: &[u8],
    ) -> InputError {
        let code = status.as_u16();
        if html || (code == 404 && detail(body).is_none()) {
            return self.not_api(path, code, body);
        }
        let said = detail(body).map(|d| format!(": {d}")).unwrap_or_default();
        match code {
            401 | 403 if self.auth.is_none() => error(
                "netbox-token",
                format!("NetBox wants an API token ({}{said})", status_text(status)),
            )
            .help(
                "put a NetBox API token with read access in the environment variable NETBOX_TOKEN",
            ),
            401 | 403 if path.ends_with("/api/status/") || said.contains("token") => error(
                "netbox-token",
                format!(
                    "NetBox refused the token in NETBOX_TOKEN ({}{said})",
                    status_text(status)
                ),
            )
            .help("check NETBOX_TOKEN: the token may be mistyped, expired or revoked"),
            401 | 403 => error(
                "netbox-token",
                format!(
                    "NetBox refused `GET {path}` ({}{said})",
                    status_text(status)
                ),
            )
            .help("the token in NETBOX_TOKEN needs read permission on this kind of object"),
            404 => error(
                "netbox-not-api",
                format!("NetBox has no `{path}` ({}{said})", status_text(status)),
            )
            .help(URL_HELP),
            _ => error(
                "netbox-http",
                format!(
                    "NetBox answered {} to `GET {path}`{said}",
                    status_text(status)
                ),
            ),
        }
    }
}

const TLS_HELP: &str =
    "for a NetBox whose certificate comes from an internal CA, pass --ca-cert FILE (the CA in PEM)";
const URL_HELP: &str =
    "--url takes NetBox's address, the one its web interface has (e.g. https://netbox.example.com)";

fn bad_url(url: &str) -> InputError {
    error(
        "usage",
        format!("--url `{url}` is not an http:// or https:// address"),
    )
    .help(URL_HELP)
}

/// The system's trusted roots, plus those of `ca_cert`.
fn roots(ca_cert: Option<&str>) -> Result<ureq::tls::RootCerts, InputError> {
    use ureq::tls::{Certificate, PemItem, RootCerts};
    let Some(file) = ca_cert else {
        return Ok(RootCerts::PlatformVerifier);
    };
    let pem = std::fs::read(file).map_err(|e| {
        error(
            "usage",
            format!(
                "cannot read --ca-cert `{file}`: {}",
                crate::input::files::io_reason(&e)
            ),
        )
    })?;
    let extra: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if extra.is_empty() {
        return Err(error(
            "usage",
            format!("--ca-cert `{file}` holds no PEM certificate"),
        )
        .help("give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)"));
    }
    let system = rustls_native_certs::load_native_certs().certs;
    let all = system
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .chain(extra);
    Ok(RootCerts::from(all))
}

fn parse<T: DeserializeOwned>(body: &[u8], path: &str) -> Result<T, InputError> {
    serde_json::from_slice(body).map_err(|e| {
        error(
            "netbox-bad-json",
            format!("NetBox's answer to `GET {path}` is not the JSON faultline expects: {e}"),
        )
        .help("a proxy in between may have cut or replaced the answer; if it persists, report it with your NetBox version")
    })
}

/// `"200 OK"`, `"403 Forbidden"`.
fn status_text(s: ureq::http::StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

/// NetBox's (Django REST framework's) reason: `{"detail": "Invalid token"}`.
fn detail(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let d = v.get("detail")?.as_str()?;
    Some(d.chars().take(300).collect())
}

/// `/api/dcim/devices/?limit=50&offset=50` of a full link.
fn path_and_query(link: &str) -> Option<String> {
    let uri: Uri = link.parse().ok()?;
    let pq = uri.path_and_query()?;
    pq.as_str().starts_with('/').then(|| pq.as_str().to_owned())
}

/// `(4, 4)` of `4.4.10` or `v4.4.10-Docker-3.4.1`.
fn major_minor(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor: String = parts
        .next()?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((major, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(major_minor("4.4.10"), Some((4, 4)));
        assert_eq!(major_minor("v3.5.9-Docker-2.6.1"), Some((3, 5)));
        assert_eq!(major_minor("4.1-beta1"), Some((4, 1)));
        assert_eq!(major_minor("unknown"), None);
        assert!((OLDEST..TOO_NEW).contains(&(4, 4)));
        assert!(!(OLDEST..TOO_NEW).contains(&(3, 4)));
        assert!(!(OLDEST..TOO_NEW).contains(&(5, 0)));
    }

    #[test]
    fn next_links_keep_path_and_query_only() {
        assert_eq!(
            path_and_query("http://127.0.0.1:8000/api/dcim/devices/?limit=50&offset=50").as_deref(),
            Some("/api/dcim/devices/?limit=50&offset=50")
        );
        assert_eq!(
            path_and_query("https://nb.example.com/netbox/api/dcim/sites/?limit=1000&offset=1000")
                .as_deref(),
            Some("/netbox/api/dcim/sites/?limit=1000&offset=1000")
        );
    }

    fn options(url: &str) -> Options {
        Options {
            url: url.into(),
            token: None,
            ca_cert: None,
            timeout: Duration::from_secs(1),
            retries: 0,
            page_size: 1000,
        }
    }

    #[test]
    fn base_url_forms() {
        for (url, prefix) in [
            ("https://nb.example.com", ""),
            ("https://nb.example.com/", ""),
            ("https://nb.example.com/api/", ""),
            ("https://nb.example.com/netbox", "/netbox"),
        ] {
            let c = Client::new(options(url)).unwrap_or_else(|e| panic!("{url}: {}", e.message));
            assert_eq!(c.prefix, prefix, "{url}");
            assert_eq!(c.origin, "https://nb.example.com");
        }
        for url in ["nb.example.com", "ftp://nb.example.com", ""] {
            assert!(Client::new(options(url)).is_err(), "{url}");
        }
    }
}
