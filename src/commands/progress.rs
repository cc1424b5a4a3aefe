//! A spinner on stderr naming the current phase, for big estates in a
//! terminal. Hidden when stderr is not a terminal, under CI, and for
//! machine formats, so it never mixes with output a program reads.
//!
//! With `FAULTLINE_TIMINGS=1` in the environment each phase also prints its
//! wall time and the peak memory so far to stderr, whatever the format: the
//! first thing to ask for when a big estate is slow.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

pub struct Progress {
    bar: Option<ProgressBar>,
    /// The phase being timed and when it started.
    timing: Option<RefCell<(&'static str, Instant)>>,
}

impl Progress {
    /// A spinner if `wanted` and stderr is an interactive terminal.
    pub fn new(wanted: bool) -> Self {
        let timing = std::env::var_os("FAULTLINE_TIMINGS")
            .is_some_and(|v| !v.is_empty() && v != "0")
            .then(|| RefCell::new(("starting", Instant::now())));
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !(wanted && interactive) {
            return Progress { bar: None, timing };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        // Only shows up if a phase takes longer than a moment.
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress {
            bar: Some(bar),
            timing,
        }
    }

    pub fn phase(&self, what: &'static str) {
        self.lap(what);
        if let Some(b) = &self.bar {
            b.set_message(what);
        }
    }

    /// Takes the spinner off the terminal before a report streams to
    /// stdout, and keeps timing the phase until the report is written.
    pub fn hide(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// Ends the timed phase (printing it) and starts `next`.
    fn lap(&self, next: &'static str) {
        let Some(t) = &self.timing else { return };
        let mut t = t.borrow_mut();
        if t.0 != "starting" {
            let peak = match (rss_mib("VmRSS:"), rss_mib("VmHWM:")) {
                (Some(now), Some(peak)) => format!(", memory {now} MiB (peak {peak} MiB)"),
                _ => String::new(),
            };
            eprintln!(
                "faultline: {} took {:.3} s{peak}",
                t.0,
                t.1.elapsed().as_secs_f64()
            );
        }
        *t = (next, Instant::now());
    }
}

/// Resident memory of the process (`VmRSS:` now, `VmHWM:` at its peak),
/// where the OS tells (Linux).
fn rss_mib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.lap("starting");
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
