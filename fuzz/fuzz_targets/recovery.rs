//! Durations and the recovery fields (FORMAT §8): raw bytes as one
//! duration, and the same bytes as the value of every recovery field of a
//! small estate with floating vms, anti-affinity and failover. A duration
//! either parses to whole seconds that format back to the same seconds, or
//! is an input error; an estate that loads answers `recovery` (or stops at
//! the placement limit) without a panic.

#![no_main]

use faultline::analysis::Analysis;
use faultline::model::duration;
use faultline::model::load::load_str;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(secs) = duration::parse(text) {
        assert_eq!(duration::parse(&duration::format(secs)), Ok(secs));
    }
    if text.len() > 64 || text.contains(['\n', '\r', '{', '}', '[', ']', ',', '#', ':']) {
        return;
    }
    let yaml = format!(
        "hosts:\n  h1: {{cluster: c, repair: {text}}}\n  h2: {{cluster: c, start: {text}}}\n\
         clusters:\n  c: {{ha: restart, restart: {text}, anti_affinity: [[a, b]]}}\n\
         vms:\n  a: {{cluster: c}}\n  b: {{cluster: c, start: {text}}}\n  p: {{host: h1, ft_secondary: h2}}\n\
         services:\n  s: {{instances: [a, b, p], min_healthy: 2, failover: {text}, stateful: true,\n\
         \x20     replica_lag: {text}, backup_interval: {text}, backups: [h2], rto: {text}, rpo: {{host: {text}}}}}\n"
    );
    if let Ok(m) = load_str("fuzz.yaml", &yaml) {
        let a = Analysis::new(&m, faultline::model::date::parse_date("2026-01-01").unwrap());
        let _ = a.recovery();
    }
});
