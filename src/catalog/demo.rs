//! A demo catalog for a curriculum: a practice, a video and a reading per standard.

use super::*;

impl Catalog {
    /// A generated demo catalog for any curriculum, so that examples and
    /// tests have activities without external files. Per standard: an
    /// easier and a harder practice set (their own guess and slip), a video;
    /// and, drawn by the seed, readings (about one standard in three),
    /// projects and performance tasks (about one in five each). Titles come
    /// from the standard's text or title ("Practice: Understand a fraction
    /// 1/b as ..."), tags from a small pool of interests, minutes vary.
    /// Same curriculum and seed, same catalog.
    ///
    /// ```
    /// use mastery::{ActivityKind, Catalog, Curriculum};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let demo = Catalog::demo(&ccss, 7);
    /// let for_fractions = demo.for_standard(ccss.index_of("3.NF.A.1")?);
    /// assert!(for_fractions.len() >= 3);
    /// let kinds: std::collections::BTreeSet<_> =
    ///     for_fractions.iter().map(|&a| demo.get(a).unwrap().kind()).collect();
    /// assert!(kinds.contains(&ActivityKind::Practice) && kinds.contains(&ActivityKind::Video));
    /// assert_eq!(demo.to_json(), Catalog::demo(&ccss, 7).to_json());
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn demo(curriculum: &Curriculum, seed: u64) -> Self {
        use rand::{RngExt, SeedableRng};
        const INTERESTS: [&str; 8] = [
            "sports", "music", "art", "games", "nature", "cooking", "space", "animals",
        ];
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut activities = Vec::new();
        for standard in curriculum.standards() {
            let id = standard.id();
            let text = standard.description().or(standard.title()).unwrap_or(id);
            let short: String = if text.chars().count() > 60 {
                format!(
                    "{}...",
                    text.chars().take(57).collect::<String>().trim_end()
                )
            } else {
                text.to_owned()
            };
            let tag = INTERESTS[rng.random_range(0..INTERESTS.len())];
            let add = |slug: &str, kind: ActivityKind, title: String, minutes: f64| {
                Activity::new(format!("{slug}:{id}"), kind)
                    .with_title(title)
                    .aligned_to(id)
                    .with_minutes(minutes)
                    .with_tag(tag)
            };
            activities.push(
                add(
                    "practice",
                    ActivityKind::Practice,
                    format!("Practice: {short}"),
                    f64::from(rng.random_range(6..=12u32)),
                )
                .with_guess_slip(0.25, 0.08),
            );
            activities.push(
                add(
                    "challenge",
                    ActivityKind::Practice,
                    format!("Challenge problems: {short}"),
                    f64::from(rng.random_range(10..=15u32)),
                )
                .with_guess_slip(0.1, 0.15),
            );
            activities.push(add(
                "video",
                ActivityKind::Video,
                format!("Watch: {short}"),
                f64::from(rng.random_range(4..=8u32)),
            ));
            if rng.random_range(0..3u32) == 0 {
                activities.push(add(
                    "reading",
                    ActivityKind::Reading,
                    format!("Read: {short}"),
                    f64::from(rng.random_range(6..=10u32)),
                ));
            }
            if rng.random_range(0..5u32) == 0 {
                activities.push(add(
                    "project",
                    ActivityKind::Project,
                    format!("Project ({tag}): {short}"),
                    f64::from(rng.random_range(30..=60u32)),
                ));
            }
            if rng.random_range(0..5u32) == 0 {
                activities.push(add(
                    "task",
                    ActivityKind::PerformanceTask,
                    format!("Show what you know: {short}"),
                    f64::from(rng.random_range(20..=40u32)),
                ));
            }
        }
        // Every id is "<slug>:<standard id>", unique per standard, every alignment is a
        // standard of `curriculum` and every number is valid: construction cannot fail.
        Catalog::new(curriculum, activities).unwrap_or_else(|_| Catalog::empty(curriculum))
    }
}
