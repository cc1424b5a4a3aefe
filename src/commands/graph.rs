//! `faultline graph`: the dependency graph, or one service's slice of it,
//! as DOT or Mermaid with the culprits marked.

use super::context::{self, Input, report_errors};
use crate::check;
use crate::check::prepare::Prepared;
use crate::exit;
use crate::input::source::Sources;
use crate::report::graph::{self, GraphFormat};

pub fn run(input: &Input, service: Option<&str>, format: GraphFormat) -> Result<i32, i32> {
    let Prepared {
        model,
        rules,
        config,
        ..
    } = context::load(input)?;
    let root = match service {
        None => None,
        Some(s) => Some(
            context::lookup_service(&model, s)
                .map_err(|e| report_errors(&Sources::new(), &[e], input.no_color))?,
        ),
    };
    let a = context::analysis(&model, &config, input)?;
    let outcome = check::run(&a, &rules);
    let failures = outcome
        .findings
        .iter()
        .filter(|f| rules.failure_order(&f.rule).is_some())
        .map(|f| (f.subject, f.culprits.as_slice()));
    let view = crate::analysis::graph::view(&model, &a.circuit, failures, root);
    context::out(&graph::render(&model, &view, format));
    Ok(exit::CLEAN)
}
