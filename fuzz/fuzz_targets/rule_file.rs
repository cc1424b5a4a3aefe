//! Raw bytes as a user rule file (`--rules DIR`): loading never panics,
//! errors render, and a rule set that loads runs over a small estate
//! (CEL predicates, selectors and template parameters evaluated), with the
//! rule file and the estate in one set of sources as in a real run.

#![no_main]

mod common;

use faultline::rules::RuleSet;
use faultline::input::source::Sources;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = Sources::new();
    let files = vec![("rules/fuzz.yaml".to_owned(), data.to_vec())];
    let rules = match RuleSet::load_into(&mut sources, files, &[]) {
        Ok(r) => r,
        Err(errors) => {
            common::render_errors(&sources, &errors);
            return;
        }
    };
    match common::load_sample(sources) {
        Ok(model) => common::exercise(&model, &rules, data.len()),
        Err(f) => panic!("the sample loads after any rule file: {:?}", f.errors),
    }
});
