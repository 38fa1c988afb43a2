//! Response log rows as values: what the generators (`fit::synthetic_responses`,
//! `sim::responses`) return, and their CSV text for files and other tools.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// One row of a response log in pyBKT's columns (`order_id`, `user_id`,
/// `skill_name`, `correct`) and an optional item (or activity) id: what the
/// crate's generators return, and what
/// [`Dataset::from_responses`](crate::fit::Dataset::from_responses) reads
/// without a round trip through CSV text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResponseRow {
    /// The `order_id` (ascending within a learner).
    pub order: i64,
    /// The learner's id.
    pub learner: String,
    /// The skill (standard) id.
    pub skill: String,
    /// Whether the answer was correct.
    pub correct: bool,
    /// The item (template, activity) id, if any.
    pub item: Option<String>,
}

/// `rows` as CSV text: the header `order_id,user_id,skill_name,correct`,
/// plus `item_column` when given (its value per row is the row's item, empty
/// without one; without `item_column` items are left out), then one line
/// per row, `correct` as 1 or 0. A field holding a comma, a quote or a line
/// end is quoted (RFC 4180). O(rows).
///
/// ```
/// use mastery::evidence::{ResponseRow, responses_csv};
///
/// let row = ResponseRow {
///     order: 1,
///     learner: "ada".into(),
///     skill: "3.NF.A.1".into(),
///     correct: true,
///     item: Some("pizza, sliced".into()),
/// };
/// assert_eq!(
///     responses_csv(&[row.clone()], Some("activity")),
///     "order_id,user_id,skill_name,correct,activity\n1,ada,3.NF.A.1,1,\"pizza, sliced\"\n"
/// );
/// assert_eq!(responses_csv(&[row], None), "order_id,user_id,skill_name,correct\n1,ada,3.NF.A.1,1\n");
/// ```
#[must_use]
pub fn responses_csv(rows: &[ResponseRow], item_column: Option<&str>) -> String {
    let mut out = String::from("order_id,user_id,skill_name,correct");
    if let Some(column) = item_column {
        out.push(',');
        push_field(&mut out, column);
    }
    out.push('\n');
    for row in rows {
        // Writing to a String cannot fail.
        let _ = write!(out, "{},", row.order);
        push_field(&mut out, &row.learner);
        out.push(',');
        push_field(&mut out, &row.skill);
        out.push_str(if row.correct { ",1" } else { ",0" });
        if item_column.is_some() {
            out.push(',');
            push_field(&mut out, row.item.as_deref().unwrap_or(""));
        }
        out.push('\n');
    }
    out
}

/// Appends `field`, quoted if it holds a comma, a quote or a line end.
fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}
