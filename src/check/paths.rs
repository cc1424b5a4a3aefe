//! Which findings get failure paths, and how many: the check stage asks
//! `analysis::paths` for the chains an output will show and keeps them
//! beside the findings (a finding itself does not hold them).

use crate::analysis::Analysis;
use crate::analysis::paths::{Request, TooLong, trace};
use crate::check::Outcome;
use crate::rules::RuleSet;

/// How many culprits of each finding an output explains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Want {
    None,
    /// The first N culprits of each finding (terminal and Markdown forms).
    First(usize),
    All,
}

impl Want {
    fn take(self, n: usize) -> usize {
        match self {
            Want::None => 0,
            Want::First(k) => k.min(n),
            Want::All => n,
        }
    }
}

/// Fills the paths of every failure finding of `out` (those of rules
/// built on the single-point-of-failure template).
/// Deterministic: on [`TooLong`] no finding gets paths.
pub fn attach(a: &Analysis, rules: &RuleSet, out: &mut Outcome, want: Want) -> Result<(), TooLong> {
    if want == Want::None {
        return Ok(());
    }
    let (requests, owners) = requests(a, rules, out, want);
    let chains = trace(a, &requests)?;
    out.paths = out
        .findings
        .iter()
        .map(|f| {
            rules
                .failure_order(&f.rule)
                .map(|_| Vec::with_capacity(want.take(f.culprits.len())))
        })
        .collect();
    // Requests were made finding by finding, culprit by culprit.
    for (fi, chain) in owners.into_iter().zip(chains) {
        if let (Some(p), Some(chain)) = (out.paths[fi].as_mut(), chain) {
            p.push(chain);
        }
    }
    Ok(())
}

/// The chains the findings need, in finding and culprit order, with the
/// finding each one is for.
fn requests(
    a: &Analysis,
    rules: &RuleSet,
    out: &Outcome,
    want: Want,
) -> (Vec<Request>, Vec<usize>) {
    let m = a.model;
    let mut requests = Vec::new();
    let mut owners = Vec::new();
    for (fi, f) in out.findings.iter().enumerate() {
        let Some(order) = rules.failure_order(&f.rule) else {
            continue;
        };
        let family = if order > 1 {
            match a.cuts(order) {
                Ok(cs) => crate::engine::by_name(m, &cs.family(f.subject)),
                Err(_) => continue,
            }
        } else {
            Vec::new()
        };
        for &u in f.culprits.iter().take(want.take(f.culprits.len())) {
            let cut = if order > 1 {
                match family.iter().find(|c| c.contains(&u)) {
                    Some(c) => c.clone(),
                    None => continue,
                }
            } else {
                Vec::new()
            };
            requests.push(Request {
                culprit: u,
                cut,
                subject: f.subject,
            });
            owners.push(fi);
        }
    }
    (requests, owners)
}
