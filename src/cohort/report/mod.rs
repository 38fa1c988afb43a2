//! Class reports for teachers and progress reports for learners and families.

mod class;
mod progress;
mod render;
mod words;

pub use class::{ClassReport, LearnerFlag, MOST_BLOCKED, StandardSummary};
pub use progress::ProgressReport;
