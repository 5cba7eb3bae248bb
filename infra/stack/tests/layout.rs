//! The layout's rules, checked on the workspace as it is, so a change that breaks one fails
//! here rather than in a review (docs/architecture.md, "Layout and layering"):
//! - no function crate depends on another, in any kind of dependency, and no production crate
//!   on the local runner; `shared` depends on no function;
//! - `shared`'s kit uses nothing of the contracts or the relaunch domain;
//! - a table's key prefixes and its index's update expressions are spelled only in its home;
//! - no module of ingest imports a module that imports it back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use liaison_stack::stack::{repo_root, rust_sources};
use serde_json::Value;

fn metadata() -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(repo_root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// Each workspace crate: its directory, relative to the root, and its dependencies' names
/// with their kind (`normal`, `dev`, `build`).
fn crates() -> BTreeMap<String, (String, Vec<(String, String)>)> {
    let root = repo_root().canonicalize().unwrap();
    let meta = metadata();
    let mut crates = BTreeMap::new();
    for package in meta["packages"].as_array().unwrap() {
        let manifest = Path::new(package["manifest_path"].as_str().unwrap());
        let dir = manifest.parent().unwrap().strip_prefix(&root).unwrap();
        let deps = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let kind = d["kind"].as_str().unwrap_or("normal").to_string();
                (d["name"].as_str().unwrap().to_string(), kind)
            })
            .collect();
        crates.insert(
            package["name"].as_str().unwrap().to_string(),
            (dir.to_string_lossy().into_owned(), deps),
        );
    }
    crates
}

#[test]
fn no_function_crate_should_depend_on_another_nor_any_production_crate_on_the_runner() {
    let crates = crates();
    let functions: BTreeSet<&String> = crates
        .iter()
        .filter(|(_, (dir, _))| dir.starts_with("functions/"))
        .map(|(name, _)| name)
        .collect();
    assert!(functions.len() >= 10, "{functions:?}");
    for (name, (dir, deps)) in &crates {
        let is_function = dir.starts_with("functions/");
        for (dep, kind) in deps {
            if is_function || name == "shared" {
                assert!(
                    !functions.contains(dep),
                    "{name} depends on the function crate {dep} ({kind})"
                );
            }
            if is_function || name == "shared" {
                assert!(
                    dep != "liaison-local",
                    "{name} depends on the runner ({kind}); liaison-stack is the local AWS"
                );
            }
            if kind == "normal" && (is_function || name == "shared") {
                assert!(
                    !dep.starts_with("liaison-"),
                    "{name} needs {dep} in production"
                );
            }
        }
    }
}

/// The Rust files below `dir`, with their text, named from the repository's root.
fn sources(dir: &Path) -> Vec<(String, String)> {
    rust_sources(dir)
        .into_iter()
        .map(|(path, text)| {
            let shown = path.strip_prefix(repo_root()).unwrap_or(&path);
            (shown.to_string_lossy().into_owned(), text)
        })
        .collect()
}

#[test]
fn the_kit_should_use_nothing_of_the_contracts_or_the_relaunch_domain() {
    for (file, text) in sources(&repo_root().join("shared/src/kit")) {
        for upward in ["crate::contracts", "crate::relaunch"] {
            assert!(!text.contains(upward), "{file} uses {upward}");
        }
    }
}

#[test]
fn each_table_key_and_due_update_should_be_spelled_only_in_its_home() {
    // (what is spelled, the file allowed to)
    let homes = [
        // ReferralsTable partitions a person's prints by contact too: its own layout.
        ("\"contact#", "shared/src/contracts/referrals/mod.rs"),
        ("\"contact#", "shared/src/contracts/contacts/keys.rs"),
        ("\"lookup#", "shared/src/contracts/contacts/keys.rs"),
        ("\"identity#", "shared/src/contracts/contacts/keys.rs"),
        ("\"merge#", "shared/src/contracts/contacts/keys.rs"),
        (
            "\"merge-candidate#",
            "shared/src/contracts/contacts/keys.rs",
        ),
        (
            "\"rate#verification#",
            "shared/src/contracts/contacts/keys.rs",
        ),
        ("\"conversion#", "shared/src/contracts/referrals/mod.rs"),
        ("\"answer#", "shared/src/contracts/answers.rs"),
        ("\"private#", "shared/src/contracts/answers.rs"),
        ("\"published#", "shared/src/contracts/answers.rs"),
        ("\"inflight#", "shared/src/contracts/answers.rs"),
        ("\"followup#", "shared/src/contracts/answers.rs"),
        ("\"scheduler#cursor\"", "shared/src/relaunch/sends.rs"),
        ("\"seq#", "shared/src/contracts/deliveries/store.rs"),
        ("\"event#", "shared/src/contracts/deliveries/store.rs"),
        ("\"lane#", "shared/src/contracts/deliveries/store.rs"),
        ("\"log#", "shared/src/contracts/deliveries/store.rs"),
        ("\"link#", "shared/src/contracts/deliveries/links.rs"),
        (
            "claimed_until = :",
            "shared/src/contracts/deliveries/store.rs",
        ),
        ("due_bucket = :", "shared/src/contracts/carts.rs"),
        ("REMOVE due_at", "shared/src/contracts/carts.rs"),
        ("SET due_at", "shared/src/contracts/carts.rs"),
        (
            "last_relaunch_at = :",
            "shared/src/contracts/contacts/profile.rs",
        ),
        (
            "unsubscribed_at = ",
            "shared/src/contracts/contacts/profile.rs",
        ),
        (
            "verification_sent_at = :",
            "shared/src/contracts/contacts/verification.rs",
        ),
        ("#status = :sending", "shared/src/relaunch/sends.rs"),
        ("SET assignee = :assignee", "shared/src/contracts/work.rs"),
        ("SET notes = list_append", "shared/src/contracts/work.rs"),
        (
            "done_by = if_not_exists",
            "shared/src/relaunch/callbacks.rs",
        ),
        ("ADD visits :one", "shared/src/contracts/referrals/mod.rs"),
        (
            "SET converted_at = if_not_exists",
            "shared/src/contracts/emails.rs",
        ),
    ];
    let mut code = sources(&repo_root().join("shared/src"));
    code.extend(sources(&repo_root().join("functions")));
    let mut strays = Vec::new();
    for (file, text) in &code {
        // Tests may write items directly to set a scene; production code may not.
        let production = !file.contains("/tests/") && !file.contains("/benches/");
        let text = match text.find("#[cfg(test)]") {
            Some(at) => &text[..at],
            None => text.as_str(),
        };
        let spelled_once: BTreeSet<&str> = homes.iter().map(|(s, _)| *s).collect();
        for spelled in spelled_once {
            let at_home = homes.iter().any(|(s, home)| *s == spelled && file == home);
            if production && text.contains(spelled) && !at_home {
                strays.push(format!("{file} spells {spelled} outside its home"));
            }
        }
    }
    assert!(strays.is_empty(), "{strays:#?}");
    // The rule is only worth something if the homes do spell them.
    for (spelled, home) in homes {
        let text = std::fs::read_to_string(repo_root().join(home)).unwrap();
        assert!(text.contains(spelled), "{home} no longer spells {spelled}");
    }
}

/// `crate::x` modules a file of ingest imports (the first path segment after `crate::`).
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            // `crate::{a, b::c}` imports a and b.
            let names = match rest.strip_prefix('{') {
                Some(group) => group.split('}').next().unwrap_or_default(),
                None => rest,
            };
            for name in names.split(',') {
                let name: String = name
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
                if !rest.starts_with('{') {
                    break;
                }
            }
        }
    }
    found
}

#[test]
fn grouped_imports_should_count_each_module() {
    let found = imports("use crate::{receipts, request::Report};\nuse crate::intake::Outcome;");
    assert_eq!(
        found.into_iter().collect::<Vec<_>>(),
        ["intake", "receipts", "request"]
    );
}

#[test]
fn no_module_of_ingest_should_import_one_that_imports_it_back() {
    let src = repo_root().join("functions/ingest/src");
    // The top-level module each file belongs to, and what it imports.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources(&src) {
        let relative = file
            .split("functions/ingest/src/")
            .nth(1)
            .unwrap()
            .to_string();
        let module = relative
            .trim_end_matches(".rs")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        if matches!(module.as_str(), "lib" | "main" | "bin") {
            continue;
        }
        let targets = edges.entry(module.clone()).or_default();
        targets.extend(imports(&text).into_iter().filter(|m| *m != module));
    }
    // Any cycle shows as a module reaching itself.
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(next) = todo.pop() {
            assert!(
                next != start,
                "{start} imports a module that leads back to it"
            );
            if seen.insert(next.clone()) {
                if let Some(more) = edges.get(next) {
                    todo.extend(more.iter());
                }
            }
        }
    }
}
