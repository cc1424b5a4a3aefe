//! A spinner on stderr naming the current phase, for big estates in a
//! terminal. Hidden when stderr is not a terminal, under CI, and for
//! machine formats, so it never mixes with output a program reads.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A spinner if `wanted` and stderr is an interactive terminal.
    pub fn new(wanted: bool) -> Self {
        let interactive = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        if !(wanted && interactive) {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        // Only shows up if a phase takes longer than a moment.
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    pub fn phase(&self, what: &'static str) {
        if let Some(b) = &self.0 {
            b.set_message(what);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
