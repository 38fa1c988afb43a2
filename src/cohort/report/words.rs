//! Words for families and teachers: standards by id or description,
//! durations, kinds of activity, goal plans in a sentence.

use crate::catalog::ActivityKind;
use crate::curriculum::{Curriculum, StandardIdx};
use crate::learner::GoalSetter;
use crate::recommend::GoalPlan;

/// "a video" -> "videos", for "most often videos".
pub(super) fn plural_kind(kind: ActivityKind) -> String {
    format!("{}s", kind.label())
}

/// A goal plan in a sentence for a family: whose goal, how far, on track.
pub(super) fn family_goal_sentence(name: &str, plan: &GoalPlan, curriculum: &Curriculum) -> String {
    let id = curriculum
        .standard(plan.goal.standard())
        .map_or("?", |s| s.id());
    let whose = match plan.goal.set_by() {
        GoalSetter::Learner => format!("{name}'s own goal"),
        _ => "The teacher's goal".to_owned(),
    };
    let n = plan.path.steps.len();
    if n == 0 {
        return format!("{whose} {id} is reached.");
    }
    let progress = format!(
        "{whose} {id}: {n} more {} to learn",
        if n == 1 { "standard" } else { "standards" }
    );
    match plan.on_track {
        Some(true) => format!("{progress}, on track for the due date."),
        Some(false) => {
            format!("{progress}; at the current pace it will take longer than the time left.")
        }
        None => format!("{progress}."),
    }
}

/// A standard's id, or `?` for an index the curriculum does not have (a
/// report is plain data: it may have been deserialized for another curriculum).
pub(super) fn id_of(curriculum: &Curriculum, s: StandardIdx) -> &str {
    curriculum.standard(s).map_or("?", |st| st.id())
}

/// A standard's id and its description (or title), `?` if unknown.
pub(super) fn describe(curriculum: &Curriculum, s: StandardIdx) -> (&str, &str) {
    curriculum.standard(s).map_or(("?", ""), |st| {
        (st.id(), st.description().or(st.title()).unwrap_or(""))
    })
}

/// Minutes as a family reads them: "40 minutes", "about 3 hours" above 90 minutes.
pub(super) fn duration(minutes: f64) -> String {
    let hours = minutes / 60.0;
    if hours >= 1.5 {
        format!("{hours:.0} hours")
    } else {
        format!("{minutes:.0} minutes")
    }
}

/// " (likely 2 to 5 hours)", " (likely 40 minutes to 2 hours)"; empty when
/// the range is a point.
pub(super) fn likely_duration((low, high): (f64, f64)) -> String {
    if high - low < 1.0 {
        return String::new();
    }
    if low / 60.0 >= 1.5 {
        format!(" (likely {:.0} to {:.0} hours)", low / 60.0, high / 60.0)
    } else if high / 60.0 >= 1.5 {
        format!(" (likely {low:.0} minutes to {:.0} hours)", high / 60.0)
    } else {
        format!(" (likely {low:.0} to {high:.0} minutes)")
    }
}
