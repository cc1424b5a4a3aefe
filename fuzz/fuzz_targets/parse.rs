//! Raw bytes as one description file: loading never panics, errors render,
//! and whatever loads goes through every analysis.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match faultline::model::load::load(vec![("fuzz.yaml".to_owned(), data.to_vec())]) {
        Ok(model) => common::exercise(&model, common::builtin(), data.len()),
        Err(f) => common::render_errors(&f.sources, &f.errors),
    }
});
