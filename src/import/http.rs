//! HTTP for the importers: TLS trust (the system's roots, `--ca-cert`,
//! `--insecure`), timeouts, retries with backoff, and every failure below
//! HTTP turned into one clear input error naming the source.
//!
//! Each importer keeps what is particular to its API (paths, headers,
//! what an answer means) and hands this module one attempt at a time.

use crate::input::diag::InputError;
use std::cell::Cell;
use std::time::Duration;

/// Who is on the other side, for messages and error codes.
pub struct Peer {
    /// `NetBox`, `vCenter`.
    pub name: &'static str,
    /// The certificate was refused.
    pub tls_code: &'static str,
    /// Nothing answered at that address.
    pub unreachable_code: &'static str,
    /// It answered, but kept failing after every retry.
    pub unavailable_code: &'static str,
    /// What `--url` should be.
    pub url_help: &'static str,
}

pub struct Options {
    /// Extra trusted roots (PEM), for a server with an internal CA.
    pub ca_cert: Option<String>,
    /// Skip certificate checks (`--insecure`).
    pub insecure: bool,
    pub timeout: Duration,
    pub retries: u32,
}

/// What one attempt came to.
pub enum Attempt<T> {
    Done(T),
    /// Worth another try: after `wait` (or the backoff), for `reason`.
    Again {
        wait: Option<Duration>,
        reason: String,
    },
}

/// First wait before a retry, doubled each time.
const BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait a `Retry-After` header may impose.
const MAX_WAIT: Duration = Duration::from_secs(120);

pub struct Http {
    pub agent: ureq::Agent,
    peer: &'static Peer,
    /// The address as messages show it.
    shown: String,
    https: bool,
    retries: u32,
    /// Whether the server has answered once: a refused connection before
    /// that is a wrong address, after it a restart worth retrying.
    reached: Cell<bool>,
}

impl Http {
    pub fn new(peer: &'static Peer, shown: String, o: &Options) -> Result<Http, InputError> {
        let tls = if o.insecure {
            ureq::tls::TlsConfig::builder()
                .disable_verification(true)
                .build()
        } else {
            ureq::tls::TlsConfig::builder()
                .root_certs(roots(o.ca_cert.as_deref())?)
                .build()
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(o.timeout))
            .timeout_connect(Some(o.timeout.min(Duration::from_secs(15))))
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .user_agent(format!("faultline/{}", env!("CARGO_PKG_VERSION")))
            .tls_config(tls)
            .build();
        Ok(Http {
            agent: config.into(),
            peer,
            https: shown.starts_with("https:"),
            shown,
            retries: o.retries,
            reached: Cell::new(false),
        })
    }

    /// The server answered (with any status).
    pub fn answered(&self) {
        self.reached.set(true);
    }

    /// Runs `attempt` until it is done, fails, or has been tried
    /// `retries + 1` times, waiting 1, 2, 4... seconds in between.
    pub fn retrying<T>(
        &self,
        mut attempt: impl FnMut(&ureq::Agent) -> Result<Attempt<T>, InputError>,
    ) -> Result<T, InputError> {
        let mut n = 0;
        loop {
            let (wait, reason) = match attempt(&self.agent)? {
                Attempt::Done(t) => return Ok(t),
                Attempt::Again { wait, reason } => (wait, reason),
            };
            if n >= self.retries {
                let tries = n + 1;
                return Err(InputError::plain(
                    self.peer.unavailable_code,
                    format!(
                        "{reason} (gave up after {tries} attempt{})",
                        if tries == 1 { "" } else { "s" }
                    ),
                )
                .help(format!(
                    "{} is overloaded or failing; try again later, or raise --retries and --timeout",
                    self.peer.name
                )));
            }
            std::thread::sleep(wait.unwrap_or(BACKOFF * 2u32.pow(n.min(6))));
            n += 1;
        }
    }

    /// A failure below HTTP during `what` (`GET /api/status/`): a retry,
    /// or the error to stop with.
    pub fn transport<T>(&self, what: &str, e: ureq::Error) -> Result<Attempt<T>, InputError> {
        use std::io::ErrorKind as K;
        let name = self.peer.name;
        let again = |reason: String| Ok(Attempt::Again { wait: None, reason });
        let (code, reason, help) = match e {
            ureq::Error::Timeout(_) => {
                return again(format!("{name} did not answer `{what}` in time"));
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
                return again(format!(
                    "the connection to {name} failed during `{what}`: {io}"
                ));
            }
            // rustls reports a refused certificate as invalid data.
            ureq::Error::Io(io) if self.https && io.kind() == K::InvalidData => {
                (self.peer.tls_code, io.to_string(), self.tls_help())
            }
            e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
                (self.peer.tls_code, e.to_string(), self.tls_help())
            }
            ureq::Error::HostNotFound => (
                self.peer.unreachable_code,
                "the host name does not resolve".into(),
                self.peer.url_help.to_owned(),
            ),
            ureq::Error::Io(io) => (
                self.peer.unreachable_code,
                crate::input::files::io_reason(&io),
                self.peer.url_help.to_owned(),
            ),
            other => (
                self.peer.unreachable_code,
                other.to_string(),
                self.peer.url_help.to_owned(),
            ),
        };
        let doing = if code == self.peer.tls_code {
            "cannot set up a secure connection to".to_owned()
        } else {
            format!("cannot reach {name} at")
        };
        Err(InputError::plain(code, format!("{doing} `{}`: {reason}", self.shown)).help(help))
    }

    fn tls_help(&self) -> String {
        format!(
            "for a {} whose certificate comes from an internal CA, pass --ca-cert FILE (the CA in PEM)",
            self.peer.name
        )
    }
}

/// How long a `Retry-After` header asks to wait, within reason.
pub fn retry_after(headers: &ureq::http::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s).min(MAX_WAIT))
}

/// `"200 OK"`, `"403 Forbidden"`.
pub fn status_text(s: ureq::http::StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

/// The scheme and authority of `url` (`https://vc.example.com:8443`) and
/// its path, for an http:// or https:// address; `None` for anything else.
pub fn split_url(url: &str) -> Option<(String, String)> {
    let uri: ureq::http::Uri = url.parse().ok()?;
    let (scheme, authority) = (uri.scheme_str()?, uri.authority()?);
    if scheme != "http" && scheme != "https" {
        return None;
    }
    Some((format!("{scheme}://{authority}"), uri.path().to_owned()))
}

/// The system's trusted roots, plus those of `ca_cert`.
fn roots(ca_cert: Option<&str>) -> Result<ureq::tls::RootCerts, InputError> {
    use ureq::tls::{Certificate, PemItem, RootCerts};
    let Some(file) = ca_cert else {
        return Ok(RootCerts::PlatformVerifier);
    };
    let pem = std::fs::read(file).map_err(|e| {
        InputError::plain(
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
        return Err(InputError::plain(
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
