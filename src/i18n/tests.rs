use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast;

use super::*;

/// Every message and term of a language: its id and the variables it uses.
fn messages_of(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let source = SOURCES.iter().find(|(l, _)| *l == lang).map(|(_, s)| *s).unwrap_or_default();
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{} does not parse: {errors:?}", lang.tag()),
    };
    let mut found = BTreeMap::new();
    for entry in resource.body {
        let (id, value, attributes) = match entry {
            ast::Entry::Message(m) => (m.id.name.to_string(), m.value, m.attributes),
            ast::Entry::Term(t) => (format!("-{}", t.id.name), Some(t.value), t.attributes),
            _ => continue,
        };
        let mut variables = BTreeSet::new();
        if let Some(pattern) = &value {
            pattern_variables(pattern, &mut variables);
        }
        for attribute in &attributes {
            pattern_variables(&attribute.value, &mut variables);
        }
        assert!(found.insert(id.clone(), variables).is_none(), "{} has {id} twice", lang.tag());
    }
    found
}

fn pattern_variables(pattern: &ast::Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, into);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, into: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, into);
            for variant in variants {
                pattern_variables(&variant.value, into);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, into),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, into: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, into);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, into),
        _ => {}
    }
}

/// The message ids the code names: `.t("id")`, `t_with("id"`, `tr!(x, "id"` and `msg!("id")`.
fn ids_used_in(source: &str, into: &mut BTreeSet<String>) {
    for marker in [".t(\"", "t_with(\"", "msg!(\""] {
        for (at, _) in source.match_indices(marker) {
            let rest = &source[at + marker.len()..];
            if let Some(end) = rest.find('"') {
                into.insert(rest[..end].to_string());
            }
        }
    }
    for (at, _) in source.match_indices("tr!(") {
        let rest = &source[at + 4..];
        let Some(open) = rest.find('"') else { continue };
        let rest = &rest[open + 1..];
        if let Some(end) = rest.find('"') {
            into.insert(rest[..end].to_string());
        }
    }
}

fn rust_files(folder: &Path, into: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn both_languages_have_the_same_messages_with_the_same_variables() {
    let english = messages_of(Lang::En);
    let spanish = messages_of(Lang::EsCl);
    let only_english: Vec<_> = english.keys().filter(|id| !spanish.contains_key(*id)).collect();
    let only_spanish: Vec<_> = spanish.keys().filter(|id| !english.contains_key(*id)).collect();
    assert!(only_english.is_empty(), "only in English: {only_english:?}");
    assert!(only_spanish.is_empty(), "only in Spanish: {only_spanish:?}");
    let differ: Vec<_> =
        english.iter().filter(|(id, vars)| spanish.get(*id) != Some(*vars)).map(|(id, _)| id).collect();
    assert!(differ.is_empty(), "different variables: {differ:?}");
    assert!(english.len() > 10, "the bundles are there");
}

#[test]
fn every_message_the_code_names_exists_in_both_languages() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut used = BTreeSet::new();
    for file in files.iter().filter(|f| !f.ends_with("i18n/tests.rs") && !f.ends_with("i18n/mod.rs")) {
        let source = std::fs::read_to_string(file).unwrap_or_default();
        ids_used_in(&source, &mut used);
    }
    assert!(used.len() > 10, "the scan finds the calls");
    for lang in Lang::ALL {
        let known = messages_of(lang);
        let missing: Vec<_> = used.iter().filter(|id| !known.contains_key(*id)).collect();
        assert!(missing.is_empty(), "{} lacks {missing:?}", lang.tag());
    }
}

#[test]
fn the_bundles_load_without_errors() {
    for (lang, source) in SOURCES {
        let resource = FluentResource::try_new(source.to_string());
        assert!(resource.is_ok(), "{} does not parse", lang.tag());
        let mut bundle =
            FluentBundle::new_concurrent(vec![lang.tag().parse::<LanguageIdentifier>().unwrap_or_default()]);
        if let Ok(resource) = resource {
            assert!(bundle.add_resource(resource).is_ok(), "{} has an id twice", lang.tag());
        }
    }
}

#[test]
fn the_browsers_language_is_taken_by_quality_and_any_spanish_is_chilean() {
    assert_eq!(from_accept_language("es-CL,es;q=0.9,en;q=0.8"), Some(Lang::EsCl));
    assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
    assert_eq!(from_accept_language("es-AR"), Some(Lang::EsCl));
    assert_eq!(from_accept_language("fr-FR, en;q=0.5, es;q=0.7"), Some(Lang::EsCl));
    assert_eq!(from_accept_language("de, fr;q=0.5"), None);
    assert_eq!(from_accept_language("es;q=0, en;q=0.1"), Some(Lang::En));
    assert_eq!(from_accept_language("*"), None);
    assert_eq!(from_accept_language(""), None);
    assert_eq!(from_accept_language(";;;,q=,es;q=abc"), Some(Lang::EsCl));
}

#[test]
fn the_users_choice_beats_the_browser_which_beats_the_brand() {
    assert_eq!(negotiate(Some(Lang::En), Some("es-CL"), Some(Lang::EsCl)), Lang::En);
    assert_eq!(negotiate(None, Some("es-CL"), Some(Lang::En)), Lang::EsCl);
    assert_eq!(negotiate(None, Some("de"), Some(Lang::EsCl)), Lang::EsCl);
    assert_eq!(negotiate(None, None, None), Lang::En);
}

#[test]
fn variables_and_plurals_come_from_the_bundle() {
    assert_eq!(Lang::En.t("nav-my-account"), "My Account");
    assert_eq!(Lang::EsCl.t("nav-my-account"), "Mi cuenta");
    assert_eq!(tr!(Lang::En, "pagination-count", count = 1), "1 item");
    assert_eq!(tr!(Lang::En, "pagination-count", count = 3), "3 items");
    assert_eq!(tr!(Lang::EsCl, "pagination-count", count = 1), "1 elemento");
    assert_eq!(tr!(Lang::EsCl, "pagination-count", count = 3), "3 elementos");
    assert_eq!(Lang::EsCl.t("no-such-message"), "no-such-message");
}
