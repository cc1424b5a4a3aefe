//! Talking to NetBox's REST API: authentication, pagination, retries and
//! turning every way it can go wrong into one clear input error.
//!
//! Every request goes to the origin given by `--url`. The `next` links of
//! a list are followed for their path and query only: a NetBox behind a
//! reverse proxy often writes links with its internal address or `http://`,
//! and following those would fail or send the token somewhere else.

use super::api::Page;
use crate::import::http::{self, Attempt, Http, status_text};
use crate::input::diag::InputError;
use serde::de::DeserializeOwned;
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
/// One page of 1,000 interfaces is a few MB; anything near this is not a
/// NetBox page.
const MAX_BODY: u64 = 512 << 20;

static NETBOX: http::Peer = http::Peer {
    name: "NetBox",
    tls_code: "netbox-tls",
    unreachable_code: "netbox-unreachable",
    unavailable_code: "netbox-unavailable",
    url_help: URL_HELP,
};

pub struct Client {
    http: Http,
    /// `https://netbox.example.com`, no trailing slash.
    origin: String,
    /// Path before `/api/` (empty, or `/netbox` for a NetBox under a path).
    prefix: String,
    /// For messages: the address as the user gave it.
    shown: String,
    auth: Option<String>,
    page_size: u32,
}

fn error(code: &'static str, message: impl Into<String>) -> InputError {
    InputError::plain(code, message)
}

impl Client {
    pub fn new(o: Options) -> Result<Client, InputError> {
        let (origin, path) = http::split_url(&o.url).ok_or_else(|| bad_url(&o.url))?;
        let path = path.trim_end_matches('/');
        let prefix = path.strip_suffix("/api").unwrap_or(path).to_owned();
        let shown = format!("{origin}{prefix}");
        let http = Http::new(
            &NETBOX,
            shown.clone(),
            &http::Options {
                ca_cert: o.ca_cert,
                insecure: false,
                timeout: o.timeout,
                retries: o.retries,
            },
        )?;
        let auth = o.token.filter(|t| !t.is_empty()).map(|t| {
            // NetBox 4.5's v2 tokens (`nbt_...`) are bearer tokens.
            if t.starts_with("nbt_") {
                format!("Bearer {t}")
            } else {
                format!("Token {t}")
            }
        });
        Ok(Client {
            http,
            shown,
            origin,
            prefix,
            auth,
            page_size: o.page_size.max(1),
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
        let what = format!("GET {path}");
        self.http.retrying(|agent| {
            let mut req = agent.get(&url).header("Accept", "application/json");
            if let Some(a) = &self.auth {
                req = req.header("Authorization", a);
            }
            let mut resp = match req.call() {
                Ok(resp) => resp,
                Err(e) => return self.http.transport(&what, e),
            };
            self.http.answered();
            let status = resp.status();
            let html = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.contains("html"));
            let wait = http::retry_after(resp.headers());
            let body = resp.body_mut().with_config().limit(MAX_BODY).read_to_vec();
            let code = status.as_u16();
            if status.is_success() {
                match body {
                    Ok(b) if html => Err(self.not_api(path, code, &b)),
                    Ok(b) => Ok(Attempt::Done(b)),
                    Err(e) => self.http.transport(&what, e),
                }
            } else if code == 429 || status.is_server_error() {
                let body = body.unwrap_or_default();
                let reason = format!(
                    "NetBox answered {} to `{what}`{}",
                    status_text(status),
                    detail(&body).map(|d| format!(": {d}")).unwrap_or_default()
                );
                Ok(Attempt::Again { wait, reason })
            } else {
                Err(self.refused(path, status, html, &body.unwrap_or_default()))
            }
        })
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

const URL_HELP: &str =
    "--url takes NetBox's address, the one its web interface has (e.g. https://netbox.example.com)";

fn bad_url(url: &str) -> InputError {
    error(
        "usage",
        format!("--url `{url}` is not an http:// or https:// address"),
    )
    .help(URL_HELP)
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
