//! The inputs of a lint run, from any front end (command line or language
//! server), before analysis: the config, the rules
//! (built-in, custom, with the config's settings), the description (with
//! the config's waivers merged in) and the warnings gathered on the way.
//! All files share one `Sources`, so an error or a finding can point into
//! any of them.

use crate::check::config::{self, Config};
use crate::check::limits::Limits;
use crate::input::diag::{InputError, did_you_mean};
use crate::input::files;
use crate::input::source::Sources;
use crate::model::Model;
use crate::model::load::{self, LoadFailure};
use crate::rules::RuleSet;

pub struct Prepared {
    pub config: Config,
    pub rules: RuleSet,
    pub model: Model,
    /// Not fatal: config entries and ignore patterns that match nothing.
    pub warnings: Vec<InputError>,
}

/// What went wrong, with the sources the errors point into.
pub struct Failed {
    pub sources: Sources,
    pub errors: Vec<InputError>,
}

fn fail(sources: Sources, errors: Vec<InputError>) -> Failed {
    Failed { sources, errors }
}

/// Rule files of the given directories (every `*.yaml`/`*.yml`, sorted).
pub fn rule_files(
    dirs: &[String],
    limits: &Limits,
) -> Result<Vec<(String, Vec<u8>)>, Vec<InputError>> {
    let mut names = Vec::new();
    for d in dirs {
        if !std::path::Path::new(d).is_dir() {
            return Err(vec![
                InputError::plain(
                    "no-such-file",
                    format!("rule directory `{d}` does not exist"),
                )
                .help("--rules and the config's rule_dirs take directories of rule files"),
            ]);
        }
        names.extend(files::expand(std::slice::from_ref(d), &[])?);
    }
    files::read_all(names, limits)
}

/// The config (if any) and the rules, into fresh sources.
pub fn policy(
    rule_dirs: &[String],
    config_path: Option<&str>,
) -> Result<(Sources, Config, RuleSet, Vec<InputError>), Failed> {
    policy_with(rule_dirs, config_path, None)
}

/// [`policy`] with the config's text given (the language server's
/// unsaved buffer of it) rather than read.
pub fn policy_with(
    rule_dirs: &[String],
    config_path: Option<&str>,
    config_text: Option<String>,
) -> Result<(Sources, Config, RuleSet, Vec<InputError>), Failed> {
    let mut sources = Sources::new();
    let config = match config::find(config_path) {
        Ok(Some(path)) => match Config::load_with(&mut sources, &path, config_text) {
            Ok(c) => c,
            Err(e) => return Err(fail(sources, e)),
        },
        Ok(None) => Config::default(),
        Err(e) => return Err(fail(sources, vec![e])),
    };
    let mut dirs: Vec<String> = rule_dirs.to_vec();
    dirs.extend(config.rule_dirs.iter().cloned());
    let files = match rule_files(&dirs, &config.limits) {
        Ok(f) => f,
        Err(e) => return Err(fail(sources, e)),
    };
    let rules = match RuleSet::load_into(&mut sources, files, &config.rules) {
        Ok(r) => r,
        Err(e) => return Err(fail(sources, e)),
    };
    let mut warnings = Vec::new();
    let known: Vec<&str> = crate::rules::BUILTIN
        .iter()
        .map(|(n, _)| n.trim_start_matches("rules/").trim_end_matches(".yaml"))
        .chain(rules.ids())
        .collect();
    for o in &config.rules {
        if !known.contains(&o.id.as_str()) {
            let mut w = InputError::at(
                "unused-config",
                o.span,
                format!("the config sets rule `{}`, which does not exist", o.id),
            )
            .label("matches no rule")
            .warning();
            w = w.suggest(
                &o.id,
                known.iter().copied(),
                "`faultline rules` lists the rule ids",
            );
            warnings.push(w);
        }
    }
    Ok((sources, config, rules, warnings))
}

/// Config, rules and description for a command that reads an estate.
pub fn prepare(
    paths: &[String],
    rule_dirs: &[String],
    config_path: Option<&str>,
) -> Result<Prepared, Failed> {
    let (sources, config, rules, mut warnings) = policy(rule_dirs, config_path)?;
    let names = match description_names(&config, paths, rule_dirs, &mut warnings) {
        Ok(n) => n,
        Err(e) => return Err(fail(sources, e)),
    };
    let texts = match files::read_all(names, &config.limits) {
        Ok(t) => t,
        Err(e) => return Err(fail(sources, e)),
    };
    load_description(sources, config, rules, warnings, texts)
}

/// The description files below `paths`, without the rule directories'
/// files and those the config ignores; an ignore pattern that matches
/// nothing adds a warning. The language server lists its workspace with
/// this, so it reads exactly the files `check` would.
pub fn description_names(
    config: &Config,
    paths: &[String],
    rule_dirs: &[String],
    warnings: &mut Vec<InputError>,
) -> Result<Vec<String>, Vec<InputError>> {
    let mut skip_dirs: Vec<String> = rule_dirs.to_vec();
    skip_dirs.extend(config.rule_dirs.iter().cloned());
    let names = files::expand(paths, &skip_dirs)?;
    let mut used = vec![false; config.ignore.len()];
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| {
            let hit = config.ignored_by(n);
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        })
        .collect();
    for ((pat, span), used) in config.ignore.iter().zip(used) {
        if !used {
            warnings.push(
                InputError::at(
                    "unused-config",
                    *span,
                    format!("ignore pattern `{pat}` matches no description file"),
                )
                .label("matches nothing")
                .warning(),
            );
        }
    }
    Ok(names)
}

/// The description from its texts (read from disk by `prepare`, or an
/// editor's buffers in the language server), with the config's waivers
/// merged in and every waiver's rule checked.
pub fn load_description(
    sources: Sources,
    config: Config,
    rules: RuleSet,
    warnings: Vec<InputError>,
    texts: Vec<(String, Vec<u8>)>,
) -> Result<Prepared, Failed> {
    let inputs = texts
        .into_iter()
        .map(|(n, b)| (n, load::Input::Bytes(b)))
        .collect();
    load_inputs(sources, config, rules, warnings, inputs)
}

/// [`load_description`] from inputs some of which may be parsed already.
pub fn load_inputs(
    sources: Sources,
    config: Config,
    rules: RuleSet,
    mut warnings: Vec<InputError>,
    texts: Vec<(String, load::Input)>,
) -> Result<Prepared, Failed> {
    let rule_ids = rules.ids().map(str::to_owned).collect();
    let loaded = load::load_inputs(sources, texts, config.limits.max_entities(), Some(rule_ids));
    let mut model = match loaded {
        Ok(m) => m,
        Err(LoadFailure { sources, errors }) => {
            // The config's waivers need no description to check their rules:
            // report those mistakes in the same run (first: the config is
            // read before the description).
            let errors = config
                .waivers
                .iter()
                .filter_map(|(_, _, w)| unknown_rule(w, &rules))
                .chain(errors.into_iter().map(|e| config.limits.explain(e)))
                .collect();
            return Err(fail(sources, errors));
        }
    };
    for (id, span, w) in &config.waivers {
        match model.lookup(id) {
            Some(e) => model.entities[e as usize].waivers.push(w.clone()),
            None => {
                let mut warn = InputError::at(
                    "unused-config",
                    *span,
                    format!("the config waives findings of `{id}`, which is not defined"),
                )
                .label("matches no entity")
                .warning();
                if let Some(s) = did_you_mean(id, model.entities.iter().map(|e| e.id.as_str())) {
                    warn = warn.help(format!("did you mean `{s}`?"));
                }
                warnings.push(warn);
            }
        }
    }
    // The config's waivers must name a rule and culprits that exist: a
    // typo would waive nothing (the loader checked the description's).
    let mut errors: Vec<InputError> = config
        .waivers
        .iter()
        .filter_map(|(_, _, w)| unknown_rule(w, &rules))
        .collect();
    for (_, _, w) in &config.waivers {
        for (id, &span) in w.culprits.iter().flatten().zip(&w.culprit_spans) {
            if model.lookup(id).is_none() {
                let nearest = did_you_mean(id, model.entities.iter().map(|e| e.id.as_str()));
                errors.push(crate::model::waiver::unknown_culprit(id, span, nearest));
            }
        }
    }
    if !errors.is_empty() {
        return Err(fail(model.sources, errors));
    }
    Ok(Prepared {
        config,
        rules,
        model,
        warnings,
    })
}

/// The error for a waiver whose rule does not exist, if it does not.
fn unknown_rule(w: &crate::model::Waiver, rules: &RuleSet) -> Option<InputError> {
    rules.get(&w.rule).is_none().then(|| {
        InputError::at(
            "unknown-rule",
            w.rule_span,
            format!("waiver names unknown rule `{}`", w.rule),
        )
        .label("no such rule")
        .suggest(&w.rule, rules.ids(), "`faultline rules` lists the rule ids")
    })
}
