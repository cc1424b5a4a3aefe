//! Raw bytes as vCenter's answer to `RetrievePropertiesEx`: the SOAP
//! parser and the mapping never panic, and what they make of it is a
//! description that loads.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(files) = faultline::import::vsphere::map_answer(data) {
        let files: Vec<(String, Vec<u8>)> = files
            .into_iter()
            .map(|(name, text)| (name, text.into_bytes()))
            .collect();
        if let Err(f) = faultline::model::load::load(files) {
            panic!(
                "the import wrote a description that does not load: {:?}",
                f.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
            );
        }
    }
});
