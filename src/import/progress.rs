//! A progress bar for an import on an interactive stderr, one stage at a
//! time; nothing in CI or when stderr is a pipe or a file, where it would
//! only fill a log.

use std::io::IsTerminal;

pub struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    /// `reading` names the source (`reading NetBox`).
    pub fn new(reading: &str) -> Bar {
        if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
            return Bar(None);
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
            "{reading} {{msg:32}} {{wide_bar}} {{pos}}/{{len}} ({{elapsed}})"
        )) {
            bar.set_style(style);
        }
        Bar(Some(bar))
    }

    /// `done` of `total` objects of `stage` read.
    pub fn show(&self, stage: &str, done: u64, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total.max(done));
            b.set_position(done);
            b.set_message(stage.to_owned());
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
