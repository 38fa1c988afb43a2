//! Helpers that put lists and versions into error messages.

use super::*;

pub(super) fn describe_version(version: Option<u64>) -> String {
    version.map_or_else(|| "no state".to_owned(), |v| format!("version {v}"))
}

/// " (edges read at a.csv:2, a.csv:3)" for the known locations of a cycle's edges.
pub(super) fn describe_cycle_edges(edges: &[Location]) -> String {
    let known: Vec<String> = edges
        .iter()
        .filter(|at| **at != Location::NONE)
        .map(|at| at.to_string().trim_end_matches(": ").to_owned())
        .collect();
    if known.is_empty() {
        String::new()
    } else {
        format!(" (edges read at {})", known.join(", "))
    }
}

pub(super) fn describe_unmatched(skills: &[String], unknown: &[(String, String)]) -> String {
    let mut parts = Vec::new();
    if !skills.is_empty() {
        let names: Vec<String> = skills.iter().map(|s| format!("`{s}`")).collect();
        parts.push(format!(
            "{} skill{} neither a standard id nor mapped to a standard ({}); map them with a SkillMap or ignore them",
            skills.len(),
            if skills.len() == 1 { " is" } else { "s are" },
            names.join(", ")
        ));
    }
    if !unknown.is_empty() {
        let pairs: Vec<String> = unknown
            .iter()
            .map(|(skill, standard)| format!("`{skill}` -> `{standard}`"))
            .collect();
        parts.push(format!("mapped to unknown standards: {}", pairs.join(", ")));
    }
    parts.join("; ")
}

/// "`id`" for an activity, "no activity" past the end of a catalog.
pub(super) fn describe_activity(id: Option<&str>) -> String {
    id.map_or_else(|| "no activity".to_owned(), |id| format!("`{id}`"))
}
