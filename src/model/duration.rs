//! Durations and recovery targets as a description writes them.
//!
//! A duration is whole seconds (`300`) or parts with units (`90s`, `5m`,
//! `1h30m`, `2d`, `0s`). Seconds are exact integers everywhere: recovery
//! times are sums and maxima of these, and a report that says 5m must mean
//! 300 seconds, not 299.99. A mistake is an input error at its node that
//! says what is allowed and, where the intent is clear (`5 min`, `1.5h`),
//! what was probably meant.

use crate::input::diag::{InputError, did_you_mean};
use crate::input::fields::Doc;
use crate::input::yaml::{YNode, YValue};
use crate::model::Kind;

/// The longest duration accepted, about 31,700 years: far beyond any real
/// repair, and small enough that sums along a million-long chain stay
/// exact in 64 bits.
pub const MAX_SECONDS: u64 = 1_000_000_000_000;

/// What a duration may be, for errors and docs.
pub const ALLOWED: &str = "a duration is whole seconds (`300`) or parts with units s, m, h, d (`90s`, `5m`, `1h30m`, `2d`)";

const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// Seconds of a duration written as a string (`5m`, `1h30m`); `Err` says
/// what is wrong with it.
pub fn parse(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err("an empty duration".into());
    }
    if let Some(bad) = text
        .chars()
        .find(|c| !c.is_ascii_digit() && !UNITS.iter().any(|(u, _)| u == c))
    {
        return Err(match bad {
            c if c.is_whitespace() => "spaces are not allowed".into(),
            '.' | ',' => "decimals are not allowed".into(),
            '-' => "a negative duration".into(),
            c => format!("`{c}` is not a unit (s, m, h, d)"),
        });
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for ch in text.chars() {
        if ch.is_ascii_digit() {
            digits.push(ch);
            continue;
        }
        let Some(&(_, scale)) = UNITS.iter().find(|(u, _)| *u == ch) else {
            unreachable!("only digits and units are left");
        };
        if digits.is_empty() {
            return Err(format!("the unit `{ch}` has no number before it"));
        }
        let n: u64 = digits
            .parse()
            .map_err(|_| "a number too large".to_owned())?;
        total = n
            .checked_mul(scale)
            .and_then(|x| total.checked_add(x))
            .filter(|&t| t <= MAX_SECONDS)
            .ok_or_else(too_long)?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!("the number `{digits}` has no unit after it"));
    }
    Ok(total)
}

fn too_long() -> String {
    format!("longer than {MAX_SECONDS} seconds")
}

/// Seconds as the shortest duration text: `0s`, `90s` as `1m30s`, `1d2h`.
pub fn format(secs: u64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, scale) in UNITS {
        if rest >= scale {
            out.push_str(&format!("{}{unit}", rest / scale));
            rest %= scale;
        }
    }
    out
}

/// What was probably meant by a duration that does not parse: spaces
/// dropped, unit words shortened (`5 min`, `2 hours`), decimals turned
/// into parts (`1.5h` is `1h30m`).
fn guess(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let mut out: u64 = 0;
    let mut rest = lower.as_str();
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..num_len].parse().ok()?;
        rest = rest[num_len..].trim_start();
        let word_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let scale = match &rest[..word_len] {
            "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600.0,
            "d" | "day" | "days" => 86_400.0,
            "" if rest.is_empty() && !any => 1.0,
            _ => return None,
        };
        let secs = number * scale;
        if !secs.is_finite() || secs < 0.0 || secs.fract() != 0.0 || secs > MAX_SECONDS as f64 {
            return None;
        }
        out += secs as u64;
        any = true;
        rest = rest[word_len..].trim_start_matches([' ', ',']);
        rest = rest.strip_prefix("and ").unwrap_or(rest);
    }
    any.then(|| format(out))
}

/// The seconds of the duration at node `n` (field `field`), or an input
/// error in `errors`.
pub fn read(doc: Doc, n: &YNode, field: &str, errors: &mut impl Extend<InputError>) -> Option<u64> {
    let problem = match &n.value {
        YValue::Int(i) if *i >= 0 && (*i as u64) <= MAX_SECONDS => return Some(*i as u64),
        YValue::Int(i) if *i < 0 => "a negative duration".to_owned(),
        YValue::Int(_) => too_long(),
        YValue::Str(s) => match parse(s) {
            Ok(secs) => return Some(secs),
            Err(why) => why,
        },
        YValue::Float(_) => "a decimal number".to_owned(),
        _ => {
            errors.extend([doc.wrong_type(n, field, "a duration").help(ALLOWED)]);
            return None;
        }
    };
    let written = doc.text(n).unwrap_or_default();
    let mut e = InputError::at(
        "bad-duration",
        doc.span(n),
        format!("`{field}` must be a duration, found `{written}` ({problem})"),
    )
    .label("not a duration");
    e = match guess(&written).filter(|g| *g != written) {
        Some(g) => e.help(format!("did you mean `{g}`? {ALLOWED}")),
        None => e.help(ALLOWED),
    };
    errors.extend([e]);
    None
}

/// The kinds of failure a target can name, in report order.
pub const TARGET_KINDS: [Kind; 8] = [
    Kind::Site,
    Kind::Feed,
    Kind::Rack,
    Kind::Pdu,
    Kind::Switch,
    Kind::Host,
    Kind::Vm,
    Kind::Component,
];

/// A recovery target (`rto` or `rpo`): one duration for every kind of
/// failure, or one per kind with `default` for the kinds not named.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets {
    pub default: Option<u64>,
    pub kinds: Vec<(Kind, u64)>,
}

impl Targets {
    /// The target for failures of `kind`, if one applies.
    pub fn for_kind(&self, kind: Kind) -> Option<u64> {
        self.kinds
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .or(self.default)
    }
}

/// The keys of a per-kind target map, as written.
pub fn target_keys() -> Vec<&'static str> {
    TARGET_KINDS
        .iter()
        .map(|k| k.singular())
        .chain(["default"])
        .collect()
}

/// The target at node `n` (field `field`, `rto` or `rpo`), or input errors
/// in `errors`.
pub fn read_targets(
    doc: Doc,
    n: &YNode,
    field: &str,
    errors: &mut impl Extend<InputError>,
) -> Option<Targets> {
    let YValue::Map(entries) = &n.value else {
        return read(doc, n, field, errors).map(|d| Targets {
            default: Some(d),
            kinds: Vec::new(),
        });
    };
    let known = target_keys();
    let mut t = Targets::default();
    let mut seen: Vec<(String, crate::input::source::Span)> = Vec::new();
    let mut ok = true;
    for (k, v) in entries {
        let kspan = doc.span(k);
        let name = doc.text(k).unwrap_or_default();
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == name) {
            errors.extend([InputError::at(
                "duplicate-key",
                kspan,
                format!("`{field}` names `{name}` twice"),
            )
            .label("again here")
            .also(*first, "first here")]);
            ok = false;
            continue;
        }
        seen.push((name.clone(), kspan));
        if !known.contains(&name.as_str()) {
            let singular = Kind::from_section(&name).map(|k| k.singular());
            let e = InputError::at(
                "unknown-key",
                kspan,
                format!("`{field}` has no kind of failure `{name}`"),
            )
            .label("not a kind of failure");
            errors.extend([
                match singular.or_else(|| did_you_mean(&name, known.iter().copied())) {
                    Some(s) => e.help(format!("did you mean `{s}`?")),
                    None => e.help(format!(
                        "a target names kinds of failure: {}",
                        known.join(", ")
                    )),
                },
            ]);
            ok = false;
            continue;
        }
        let Some(d) = read(doc, v, field, errors) else {
            ok = false;
            continue;
        };
        match Kind::from_singular(&name) {
            Some(kind) => t.kinds.push((kind, d)),
            None => t.default = Some(d),
        }
    }
    ok.then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_forms_parse_to_seconds() {
        assert_eq!(parse("90s"), Ok(90));
        assert_eq!(parse("5m"), Ok(300));
        assert_eq!(parse("1h30m"), Ok(5_400));
        assert_eq!(parse("2d"), Ok(172_800));
        assert_eq!(parse("0s"), Ok(0));
        assert_eq!(parse("1d1h1m1s"), Ok(90_061));
    }

    #[test]
    fn anything_else_says_what_is_wrong() {
        assert_eq!(parse(""), Err("an empty duration".into()));
        assert_eq!(
            parse("5"),
            Err("the number `5` has no unit after it".into())
        );
        assert_eq!(
            parse("m"),
            Err("the unit `m` has no number before it".into())
        );
        assert_eq!(parse("5 m"), Err("spaces are not allowed".into()));
        assert_eq!(parse("1.5h"), Err("decimals are not allowed".into()));
        assert_eq!(parse("-5m"), Err("a negative duration".into()));
        assert_eq!(parse("5M"), Err("`M` is not a unit (s, m, h, d)".into()));
        assert_eq!(parse("soon"), Err("`o` is not a unit (s, m, h, d)".into()));
        assert!(parse("99999999999999999999s").is_err());
        assert!(parse("11574075d").is_err(), "past the longest duration");
    }

    #[test]
    fn seconds_print_as_the_shortest_text() {
        assert_eq!(format(0), "0s");
        assert_eq!(format(90), "1m30s");
        assert_eq!(format(300), "5m");
        assert_eq!(format(87_000), "1d10m");
        assert_eq!(format(14_520), "4h2m");
    }

    #[test]
    fn likely_meanings_are_guessed() {
        assert_eq!(guess("5 min").as_deref(), Some("5m"));
        assert_eq!(guess("1.5h").as_deref(), Some("1h30m"));
        assert_eq!(guess("2 hours 30 minutes").as_deref(), Some("2h30m"));
        assert_eq!(guess("1h 30m").as_deref(), Some("1h30m"));
        assert_eq!(guess("0.5s"), None, "no whole number of seconds");
        assert_eq!(guess("soon"), None);
    }

    #[test]
    fn a_target_is_per_kind_with_a_default() {
        let t = Targets {
            default: Some(60),
            kinds: vec![(Kind::Site, 3_600)],
        };
        assert_eq!(t.for_kind(Kind::Site), Some(3_600));
        assert_eq!(t.for_kind(Kind::Host), Some(60));
        assert_eq!(Targets::default().for_kind(Kind::Host), None);
    }
}
