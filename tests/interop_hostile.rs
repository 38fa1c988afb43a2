//! Hostile input to the CASE and xAPI readers: arbitrary text and damaged
//! copies of the fixtures give errors or skipped statements, never a panic,
//! and every xAPI statement is accounted for.

use mastery::curriculum::case::{CaseOptions, DanglingAssociations};
use mastery::evidence::xapi::{Alignment, XapiReader};
use proptest::prelude::*;

const CASE: &str = include_str!("fixtures/case/state_fractions.json");
const LINES: &str = include_str!("fixtures/xapi/statements.jsonl");
const ALIGNMENT: &str = include_str!("fixtures/xapi/alignment.json");

/// `text` with the byte at `at` replaced (keeping UTF-8 valid by working on chars).
fn damaged(text: &str, at: usize, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    chars[at % n] = with;
    chars.into_iter().collect()
}

fn accounted(batch: &mastery::evidence::xapi::XapiBatch) -> bool {
    let ignored: usize = batch.ignored_verbs.values().sum();
    batch.evidence.len() + batch.skipped.len() + ignored + batch.voiding == batch.statements
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        let _ = CaseOptions::new().read_str("x.json", &text);
        let alignment = Alignment::new().standard("https://content.example.org/items/fractions-1", "3.NF.A.1");
        let batch = XapiReader::new(&alignment).read_json_lines_str(&text);
        prop_assert!(accounted(&batch));
        let _ = XapiReader::new(&alignment).read_array_str("x.json", &text);
        let _ = Alignment::from_json("a.json", &text);
    }

    #[test]
    fn damaged_fixtures_never_panic(
        at in proptest::collection::vec(any::<usize>(), 1..4),
        with in proptest::sample::select(vec!['"', '{', '}', '[', ']', ',', ':', '0', 'x', ' ', '\n', '-', '\u{7f}']),
    ) {
        let mut case = CASE.to_owned();
        let mut lines = LINES.to_owned();
        for &i in &at {
            case = damaged(&case, i, with);
            lines = damaged(&lines, i, with);
        }
        for dangling in [DanglingAssociations::Error, DanglingAssociations::SkipAndReport] {
            if let Ok(framework) = CaseOptions::new().dangling(dangling).read_str("state.json", &case) {
                for node in framework.hierarchy().nodes() {
                    let _ = framework.hierarchy().standards_under(node.identifier()).unwrap();
                }
            }
        }
        let alignment = Alignment::from_json("alignment.json", ALIGNMENT).unwrap();
        let mut reader = XapiReader::new(&alignment);
        let batch = reader.read_json_lines_str(&lines);
        prop_assert!(accounted(&batch));
        let again = reader.read_json_lines_str(&lines);
        prop_assert!(accounted(&again));
    }
}
