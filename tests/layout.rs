//! The crate's layout as `src/lib.rs` documents it holds in `src/`:
//! dependencies between top-level modules point one way (a module uses only
//! the modules listed above it, and `error`), every module is in the list, and
//! no file under `src/` is longer than 600 lines.
//!
//! The check reads the sources, so a new `use crate::...` against the order,
//! or a module the docs don't mention, fails `cargo test`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 600;
/// The one module every module may use (the crate's error type).
const USABLE_BY_ALL: &str = "error";

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level modules: `src/x.rs` and `src/x/` (lib.rs excluded).
fn top_level_modules() -> BTreeSet<String> {
    fs::read_dir(src())
        .expect("src/ is readable")
        .map(|e| e.expect("directory entry").path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_owned();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(name)
        })
        .filter(|name| name != "lib")
        .collect()
}

/// The rank of each module in lib.rs's layout list (modules named in one
/// entry share its rank).
fn documented_order(lib: &str) -> BTreeMap<String, usize> {
    let section = lib
        .split("//! ## Layout")
        .nth(1)
        .expect("lib.rs has a `## Layout` section")
        .split("//! ## ")
        .next()
        .unwrap_or_default();
    let mut ranks = BTreeMap::new();
    let mut rank = 0;
    for line in section.lines() {
        let Some(entry) = line.strip_prefix("//! - ") else {
            continue;
        };
        let head = entry.split(':').next().unwrap_or_default();
        for name in head.split('`').skip(1).step_by(2) {
            ranks.insert(name.to_owned(), rank);
        }
        rank += 1;
    }
    ranks
}

/// Names re-exported at the crate root (`pub use module::{A, B}`) -> module.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for statement in lib.split("pub use ").skip(1) {
        let statement = statement.split(';').next().unwrap_or_default();
        let Some((module, rest)) = statement.split_once("::") else {
            continue;
        };
        for name in rest.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !name.is_empty() {
                names.insert(name.to_owned(), module.trim().to_owned());
            }
        }
    }
    names
}

/// The first identifier of each path that starts at the crate root in one
/// line of code: `crate::fit::X` gives `fit`, `crate::{a::X, B}` gives `a`
/// and `B`.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut found = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with('$') {
            continue; // `$crate` in a macro
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            found.extend(group.split(',').map(|p| ident(p.trim())));
        } else {
            found.push(ident(rest));
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

#[test]
fn every_crate_path_follows_the_documented_order() {
    let lib = fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let ranks = documented_order(&lib);
    let modules = top_level_modules();
    let listed: BTreeSet<String> = ranks.keys().cloned().collect();
    assert_eq!(
        listed, modules,
        "lib.rs's layout list and src/'s top-level modules differ"
    );
    let reexports = root_reexports(&lib);

    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut against = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(src()).expect("under src/");
        let Some(from) = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .map(|c| c.trim_end_matches(".rs").to_owned())
        else {
            continue;
        };
        if from == "lib" {
            continue;
        }
        let text = fs::read_to_string(file).expect("source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue; // comments and doc links are not dependencies
            }
            for name in crate_paths(code) {
                let to = reexports.get(&name).cloned().unwrap_or(name);
                if to == from || to == USABLE_BY_ALL || !modules.contains(&to) {
                    continue;
                }
                checked += 1;
                if ranks[&to] >= ranks[&from] {
                    against.push(format!(
                        "src/{}:{}: {from} uses {to}, listed below it",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} cross-module paths found: is the scan broken?"
    );
    assert!(
        against.is_empty(),
        "dependencies against lib.rs's layout order:\n{}",
        against.join("\n")
    );
}

#[test]
fn no_source_file_is_longer_than_600_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    assert!(files.len() > 50, "src/ has only {} .rs files", files.len());
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = fs::read_to_string(f).expect("source file").lines().count();
            (lines > MAX_LINES).then(|| format!("{}: {lines} lines", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over {MAX_LINES} lines: {long:?}");
}

#[test]
fn the_scan_sees_paths_and_groups() {
    assert_eq!(crate_paths("use crate::fit::Dataset;"), ["fit"]);
    assert_eq!(
        crate_paths("use crate::{Curriculum, evidence::Outcome};"),
        ["Curriculum", "evidence"]
    );
    assert_eq!(
        crate_paths("let x = $crate::fit::f();"),
        Vec::<String>::new()
    );
    let lib =
        "//! ## Layout\n//! - `io` (private): x: y\n//! - [`fit`]: z\n//! ## Next\n//! - `no`: w";
    let ranks = documented_order(lib);
    assert_eq!(ranks.get("io"), Some(&0));
    assert_eq!(ranks.get("fit"), Some(&1));
    assert_eq!(ranks.get("no"), None);
}
