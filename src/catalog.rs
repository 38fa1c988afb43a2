//! Activities and the catalog that aligns them to standards.

use foldhash::HashMap;

use serde::{Deserialize, Serialize};

use crate::curriculum::{Curriculum, StandardIdx};
use crate::error::{Error, Location, Result};

/// The kind of an activity.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActivityKind {
    /// Practice problems.
    #[default]
    Practice,
    /// A video lesson.
    Video,
    /// A text to read.
    Reading,
    /// A project.
    Project,
    /// A performance task.
    PerformanceTask,
    /// An assessment (quiz, test).
    Assessment,
}

/// Something a learner can do, aligned to one or more standards.
///
/// ```
/// use mastery::{Activity, ActivityKind};
///
/// let a = Activity::new("area-and-multiplication", ActivityKind::Project)
///     .with_title("Tile a floor")
///     .aligned_to("3.MD.C.7.a")
///     .aligned_to("3.OA.A.1");
/// assert_eq!(a.standards(), ["3.MD.C.7.a", "3.OA.A.1"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default)]
    kind: ActivityKind,
    standards: Vec<String>,
    /// One weight per aligned standard (how much of the activity is about it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    weights: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minutes: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    /// KT-IDEM item difficulty: (guess, slip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    guess_slip: Option<(f64, f64)>,
    /// Activities to do before this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    prerequisites: Vec<String>,
}

impl ActivityKind {
    /// Every kind, in declaration order.
    pub const ALL: [ActivityKind; 6] = [
        ActivityKind::Practice,
        ActivityKind::Video,
        ActivityKind::Reading,
        ActivityKind::Project,
        ActivityKind::PerformanceTask,
        ActivityKind::Assessment,
    ];

    /// The kind in plain words, e.g. "performance task".
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Practice => "practice",
            ActivityKind::Video => "video",
            ActivityKind::Reading => "reading",
            ActivityKind::Project => "project",
            ActivityKind::PerformanceTask => "performance task",
            ActivityKind::Assessment => "assessment",
        }
    }

    /// Typical minutes, used when an activity does not say.
    #[must_use]
    pub fn typical_minutes(self) -> f64 {
        match self {
            ActivityKind::Practice => 10.0,
            ActivityKind::Video => 6.0,
            ActivityKind::Reading => 8.0,
            ActivityKind::Project => 45.0,
            ActivityKind::PerformanceTask => 30.0,
            ActivityKind::Assessment => 15.0,
        }
    }

    fn parse(text: &str) -> Option<ActivityKind> {
        let normalized: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        ActivityKind::ALL
            .into_iter()
            .find(|k| k.label().replace(' ', "") == normalized)
    }
}

impl Activity {
    /// An activity aligned to no standard yet.
    #[must_use]
    pub fn new(id: impl Into<String>, kind: ActivityKind) -> Self {
        Activity {
            id: id.into(),
            title: None,
            kind,
            standards: Vec::new(),
            weights: Vec::new(),
            minutes: None,
            tags: Vec::new(),
            guess_slip: None,
            prerequisites: Vec::new(),
        }
    }

    /// Aligns the activity to one more standard with a weight (default 1).
    #[must_use]
    pub fn aligned_to_weighted(mut self, standard: impl Into<String>, weight: f64) -> Self {
        let standard = standard.into();
        let n = self.standards.len();
        if !self.standards.contains(&standard) {
            self.standards.push(standard);
            self.weights.resize(n, 1.0);
            self.weights.push(weight);
        }
        self
    }

    /// Sets the expected minutes.
    #[must_use]
    pub fn with_minutes(mut self, minutes: f64) -> Self {
        self.minutes = Some(minutes);
        self
    }

    /// Adds a tag (an interest or theme, e.g. "sports").
    #[must_use]
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        let tag = tag.into();
        if !self.tags.contains(&tag) {
            self.tags.push(tag);
        }
        self
    }

    /// Sets the activity's own guess and slip (KT-IDEM item difficulty).
    #[must_use]
    pub fn with_guess_slip(mut self, guess: f64, slip: f64) -> Self {
        self.guess_slip = Some((guess, slip));
        self
    }

    /// Adds an activity to do before this one.
    #[must_use]
    pub fn after(mut self, activity: impl Into<String>) -> Self {
        self.prerequisites.push(activity.into());
        self
    }

    /// Expected minutes: as set, else the kind's typical minutes.
    #[must_use]
    pub fn minutes(&self) -> f64 {
        self.minutes.unwrap_or_else(|| self.kind.typical_minutes())
    }

    /// Tags.
    #[must_use]
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The weight of each aligned standard, in the order of [`Activity::standards`].
    #[must_use]
    pub fn weights(&self) -> Vec<f64> {
        (0..self.standards.len())
            .map(|i| self.weights.get(i).copied().unwrap_or(1.0))
            .collect()
    }

    /// The activity's own (guess, slip), if set.
    #[must_use]
    pub fn guess_slip(&self) -> Option<(f64, f64)> {
        self.guess_slip
    }

    /// Activities to do before this one.
    #[must_use]
    pub fn prerequisites(&self) -> &[String] {
        &self.prerequisites
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Aligns the activity to one more standard (ignored if already aligned).
    #[must_use]
    pub fn aligned_to(mut self, standard: impl Into<String>) -> Self {
        let standard = standard.into();
        if !self.standards.contains(&standard) {
            self.standards.push(standard);
        }
        self
    }

    /// The id.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The title, if any.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The kind.
    #[must_use]
    pub fn kind(&self) -> ActivityKind {
        self.kind
    }

    /// The ids of the aligned standards.
    #[must_use]
    pub fn standards(&self) -> &[String] {
        &self.standards
    }
}

/// Activity ids follow the rules of standard ids: not empty, at most
/// [`MAX_ID_BYTES`](crate::MAX_ID_BYTES), no leading or trailing whitespace,
/// no control characters.
fn validate_activity_id(id: &str, at: &Location) -> Result<()> {
    match crate::curriculum::id_problem(id) {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidActivityId {
            id: crate::curriculum::shown_id(id),
            reason,
            at: at.clone(),
        }),
    }
}

fn validate_numbers(activity: &Activity) -> Result<()> {
    let invalid = |what: &str, expected: &'static str, value: f64| Error::InvalidValue {
        what: format!("{what} of activity `{}`", activity.id),
        expected,
        value,
    };
    if let Some(m) = activity.minutes {
        if !(m.is_finite() && m > 0.0) {
            return Err(invalid("minutes", "a positive number", m));
        }
    }
    if activity.weights.len() > activity.standards.len() {
        return Err(invalid(
            "number of weights",
            "at most one per aligned standard",
            activity.weights.len() as f64,
        ));
    }
    if let Some(w) = activity
        .weights
        .iter()
        .find(|w| !(w.is_finite() && **w > 0.0))
    {
        return Err(invalid("weight", "a positive number", *w));
    }
    if let Some((g, s)) = activity.guess_slip {
        for (what, v) in [("guess", g), ("slip", s)] {
            if !(0.0..=1.0).contains(&v) {
                return Err(invalid(what, "a probability in [0, 1]", v));
            }
        }
        if g + s >= 1.0 {
            return Err(invalid("guess + slip", "below 1", g + s));
        }
    }
    Ok(())
}

/// The position of an activity in its [`Catalog`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ActivityIdx(u32);

impl ActivityIdx {
    pub(crate) fn new(index: usize) -> Self {
        ActivityIdx(index as u32)
    }

    /// The index as a `usize`.
    #[must_use]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The activities of a curriculum, validated against it and indexed by standard.
///
/// ```
/// use mastery::{Activity, ActivityKind, Catalog, Curriculum};
///
/// let ccss = Curriculum::ccss_math();
/// let catalog = Catalog::new(
///     &ccss,
///     [
///         Activity::new("unit-fractions", ActivityKind::Practice).aligned_to("3.NF.A.1"),
///         Activity::new("fraction-video", ActivityKind::Video).aligned_to("3.NF.A.1"),
///     ],
/// )?;
/// assert_eq!(catalog.for_standard(ccss.index_of("3.NF.A.1")?).len(), 2);
///
/// let bad = Catalog::new(&ccss, [Activity::new("x", ActivityKind::Video).aligned_to("9.ZZ.Z.9")]);
/// assert!(matches!(bad, Err(mastery::Error::UnknownStandard { .. })));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    activities: Vec<Activity>,
    aligned: Vec<Vec<StandardIdx>>,
    ids: HashMap<String, ActivityIdx>,
    by_standard: Vec<Vec<ActivityIdx>>,
    curriculum: u64,
}

impl Catalog {
    /// A catalog of `activities` for `curriculum`.
    ///
    /// # Errors
    /// [`Error::InvalidActivityId`] for an empty activity id, one with
    /// leading or trailing whitespace or a control character, or an activity
    /// that comes after itself; [`Error::UnknownPrerequisiteActivity`] for a
    /// prerequisite activity not in the catalog; [`Error::DuplicateActivity`], [`Error::UnalignedActivity`] for an
    /// activity aligned to nothing, [`Error::UnknownStandard`] for an
    /// alignment to a standard the curriculum does not have,
    /// [`Error::DuplicateAlignment`] for an activity aligned to one standard
    /// twice (possible through [`Catalog::from_json`]; the builder methods
    /// ignore a repeated alignment).
    pub fn new(
        curriculum: &Curriculum,
        activities: impl IntoIterator<Item = Activity>,
    ) -> Result<Self> {
        Catalog::build(
            curriculum,
            activities.into_iter().map(|a| (a, Location::NONE)),
        )
    }

    /// As [`Catalog::new`], each activity with where it was read (for errors).
    fn build(
        curriculum: &Curriculum,
        activities: impl IntoIterator<Item = (Activity, Location)>,
    ) -> Result<Self> {
        let mut catalog = Catalog {
            by_standard: vec![Vec::new(); curriculum.len()],
            curriculum: curriculum.fingerprint(),
            ..Catalog::default()
        };
        let mut places = Vec::new();
        for (activity, at) in activities {
            catalog.insert(curriculum, activity, &at)?;
            places.push(at);
        }
        // Activities may name later ones as prerequisites: check once all are in.
        for (activity, at) in catalog.activities.iter().zip(&places) {
            catalog.check_prerequisites(&activity.id, &activity.prerequisites, at)?;
        }
        Ok(catalog)
    }

    /// Adds one activity, validating only it (O(its alignments and
    /// prerequisites)), and returns its index. Its prerequisites must already
    /// be in the catalog. On error the catalog is unchanged. To use it in a
    /// model, [`Model::add_activity`](crate::Model::add_activity) adds it to
    /// the model's catalog without rebuilding the model.
    ///
    /// ```
    /// use mastery::{Activity, ActivityKind, Catalog, Curriculum};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let mut catalog = Catalog::demo(&ccss, 1);
    /// let n = catalog.len();
    /// let idx = catalog.push(&ccss, Activity::new("pizza-fractions", ActivityKind::Project).aligned_to("3.NF.A.1"))?;
    /// assert_eq!((idx.index(), catalog.len()), (n, n + 1));
    /// assert!(catalog.for_standard(ccss.index_of("3.NF.A.1")?).contains(&idx));
    /// assert!(catalog.push(&ccss, Activity::new("pizza-fractions", ActivityKind::Video).aligned_to("3.NF.A.1")).is_err());
    /// assert_eq!(catalog.len(), n + 1);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Catalog::new`], and [`Error::CurriculumMismatch`] when `curriculum`
    /// is not the catalog's.
    pub fn push(&mut self, curriculum: &Curriculum, activity: Activity) -> Result<ActivityIdx> {
        if curriculum.fingerprint() != self.curriculum || self.by_standard.len() != curriculum.len()
        {
            return Err(Error::CurriculumMismatch {
                what: "catalog",
                expected: curriculum.fingerprint(),
                found: self.curriculum,
            });
        }
        self.check_prerequisites(&activity.id, &activity.prerequisites, &Location::NONE)?;
        self.insert(curriculum, activity, &Location::NONE)
    }

    /// Validates and appends one activity (its prerequisites are checked by the caller).
    fn insert(
        &mut self,
        curriculum: &Curriculum,
        activity: Activity,
        at: &Location,
    ) -> Result<ActivityIdx> {
        validate_activity_id(&activity.id, at)?;
        if activity.standards.is_empty() {
            return Err(Error::UnalignedActivity {
                id: activity.id,
                at: at.clone(),
            });
        }
        let idx = ActivityIdx(u32::try_from(self.activities.len()).map_err(|_| {
            Error::IndexOutOfRange {
                index: self.activities.len(),
                len: u32::MAX as usize,
            }
        })?);
        if self.ids.contains_key(&activity.id) {
            return Err(Error::DuplicateActivity {
                id: activity.id,
                at: at.clone(),
            });
        }
        validate_numbers(&activity)?;
        let aligned = activity
            .standards
            .iter()
            .map(|s| {
                curriculum.index_of(s).map_err(|_| Error::UnknownStandard {
                    id: s.clone(),
                    at: at.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut sorted = aligned.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::DuplicateAlignment {
                activity: activity.id,
                standard: curriculum[pair[0]].id().to_owned(),
                at: at.clone(),
            });
        }
        for s in &aligned {
            self.by_standard[s.index()].push(idx);
        }
        self.ids.insert(activity.id.clone(), idx);
        self.aligned.push(aligned);
        self.activities.push(activity);
        Ok(idx)
    }

    fn check_prerequisites(&self, id: &str, prerequisites: &[String], at: &Location) -> Result<()> {
        for before in prerequisites {
            if before == id {
                return Err(Error::InvalidActivityId {
                    id: before.clone(),
                    reason: "an activity cannot come after itself",
                    at: at.clone(),
                });
            }
            if !self.ids.contains_key(before.as_str()) {
                return Err(Error::UnknownPrerequisiteActivity {
                    activity: id.to_owned(),
                    prerequisite: before.clone(),
                    at: at.clone(),
                });
            }
        }
        Ok(())
    }

    /// Reads a catalog from JSON: `{"activities": [{"id": .., "kind": "practice",
    /// "standards": [..], "weights": [..], "minutes": .., "tags": [..],
    /// "guess_slip": [g, s], "prerequisites": [..]}]}`; only `id` and
    /// `standards` are required.
    ///
    /// # Errors
    /// [`Error::Json`], or as [`Catalog::new`].
    pub fn from_json(curriculum: &Curriculum, json: &str) -> Result<Self> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            activities: Vec<Activity>,
        }
        let file: File = serde_json::from_str(json).map_err(|source| Error::Json {
            what: "catalog JSON".into(),
            source,
        })?;
        Catalog::new(curriculum, file.activities)
    }

    /// The catalog as JSON (the form [`Catalog::from_json`] reads).
    #[must_use]
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct File<'a> {
            activities: &'a [Activity],
        }
        // Strings and finite numbers only: cannot fail.
        serde_json::to_string_pretty(&File {
            activities: &self.activities,
        })
        .expect("catalog serializes to JSON")
    }

    /// Reads a catalog from CSV with columns `id`, `standards` (`;`-separated,
    /// each optionally `standard:weight`) and optionally `title`, `kind`,
    /// `minutes`, `tags` (`;`-separated), `guess`, `slip`, `prerequisites`
    /// (`;`-separated activity ids). `name` is used in error messages.
    ///
    /// ```
    /// use mastery::{Catalog, Curriculum};
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let csv = "id,kind,standards,minutes,tags\nfrac-video,video,3.NF.A.1,5,pizza\nfrac-game,practice,3.NF.A.1;3.NF.A.2:0.5,12,\n";
    /// let catalog = Catalog::from_csv(&ccss, "catalog.csv", csv.as_bytes())?;
    /// assert_eq!(catalog.len(), 2);
    /// assert_eq!(catalog.activities()[1].weights(), [1.0, 0.5]);
    /// let bad = "id,kind,standards\nx,podcast,3.NF.A.1\n";
    /// assert_eq!(
    ///     Catalog::from_csv(&ccss, "catalog.csv", bad.as_bytes()).unwrap_err().to_string(),
    ///     "catalog.csv:2: column `kind`: unknown activity kind \"podcast\""
    /// );
    /// # Ok::<(), mastery::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::EmptyFile`], [`Error::MissingColumn`], [`Error::InvalidUtf8`],
    /// [`Error::InputTooLarge`] past the documented size caps
    /// ([`MAX_LINE_BYTES`](crate::MAX_LINE_BYTES), [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES)),
    /// [`Error::Csv`] for an unparsable field,
    /// [`Error::UnterminatedQuote`] for a quote that never closes, or as
    /// [`Catalog::new`]; every error names the file and the activity's line.
    pub fn from_csv(
        curriculum: &Curriculum,
        name: &str,
        reader: impl std::io::Read,
    ) -> Result<Self> {
        use crate::io::{Input, header, open, optional, required};
        let (file, mut csv) = open(Input::Reader(name.into(), Box::new(reader)))?;
        let header = header(&file, &mut csv)?;
        let id = required(&file, &header, "id")?;
        let standards = required(&file, &header, "standards")?;
        let [title, kind, minutes, tags, guess, slip, prerequisites] = [
            "title",
            "kind",
            "minutes",
            "tags",
            "guess",
            "slip",
            "prerequisites",
        ]
        .map(|c| optional(&header, c));
        let mut activities = Vec::new();
        let mut record = crate::io::Record::default();
        while csv.read_record(&mut record)? {
            let at = Location::new(Some(file.clone()), Some(record.line()));
            let bad = |column: &str, message: String| Error::Csv {
                at: at.clone(),
                message: format!("column `{column}`: {message}"),
            };
            let cell = |c: Option<usize>| c.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
            let number = |c: Option<usize>, column: &str| -> Result<Option<f64>> {
                cell(c)
                    .map(|v| {
                        v.parse::<f64>()
                            .map_err(|_| bad(column, format!("expected a number, got {v:?}")))
                    })
                    .transpose()
            };
            let kind_value = match cell(kind) {
                Some(k) => ActivityKind::parse(k)
                    .ok_or_else(|| bad("kind", format!("unknown activity kind {k:?}")))?,
                None => ActivityKind::default(),
            };
            let mut activity = Activity::new(record.get(id).unwrap_or_default(), kind_value);
            if let Some(t) = cell(title) {
                activity = activity.with_title(t);
            }
            for part in record
                .get(standards)
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                let (standard, weight) = match part.rsplit_once(':') {
                    Some((standard, weight)) => match weight.parse::<f64>() {
                        Ok(weight) => (standard.trim(), Some(weight)),
                        Err(_) => (part, None),
                    },
                    None => (part, None),
                };
                if activity.standards.iter().any(|s| s == standard) {
                    return Err(Error::DuplicateAlignment {
                        activity: activity.id,
                        standard: standard.to_owned(),
                        at: at.clone(),
                    });
                }
                activity = match weight {
                    Some(weight) => activity.aligned_to_weighted(standard, weight),
                    None => activity.aligned_to(standard),
                };
            }
            if let Some(m) = number(minutes, "minutes")? {
                activity = activity.with_minutes(m);
            }
            for tag in cell(tags)
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                activity = activity.with_tag(tag);
            }
            match (number(guess, "guess")?, number(slip, "slip")?) {
                (Some(g), Some(s)) => activity = activity.with_guess_slip(g, s),
                (None, None) => {}
                _ => return Err(bad("guess", "guess and slip must be given together".into())),
            }
            for before in cell(prerequisites)
                .unwrap_or_default()
                .split(';')
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                activity = activity.after(before);
            }
            validate_numbers(&activity).map_err(|e| Error::Csv {
                at: at.clone(),
                message: e.to_string(),
            })?;
            activities.push((activity, at));
        }
        if activities.is_empty() {
            return Err(Error::EmptyFile {
                file,
                detail: "no activities below the header",
            });
        }
        Catalog::build(curriculum, activities)
    }

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

    /// An empty catalog for `curriculum`.
    #[must_use]
    pub fn empty(curriculum: &Curriculum) -> Self {
        Catalog::new(curriculum, []).unwrap_or_default()
    }

    /// The number of activities.
    #[must_use]
    pub fn len(&self) -> usize {
        self.activities.len()
    }

    /// Whether there are no activities.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.activities.is_empty()
    }

    /// All activities in index order.
    #[must_use]
    pub fn activities(&self) -> &[Activity] {
        &self.activities
    }

    /// The index of the activity with this id.
    ///
    /// # Errors
    /// [`Error::UnknownActivity`] if there is none.
    pub fn index_of(&self, id: &str) -> Result<ActivityIdx> {
        self.ids
            .get(id)
            .copied()
            .ok_or_else(|| Error::UnknownActivity { id: id.to_owned() })
    }

    /// The activity at `idx`, if it exists.
    #[must_use]
    pub fn get(&self, idx: ActivityIdx) -> Option<&Activity> {
        self.activities.get(idx.index())
    }

    /// The standards an activity is aligned to, as indices.
    #[must_use]
    pub fn alignment(&self, idx: ActivityIdx) -> &[StandardIdx] {
        self.aligned.get(idx.index()).map_or(&[], Vec::as_slice)
    }

    /// The activities aligned to a standard.
    #[must_use]
    pub fn for_standard(&self, standard: StandardIdx) -> &[ActivityIdx] {
        self.by_standard
            .get(standard.index())
            .map_or(&[], Vec::as_slice)
    }

    /// The fingerprint of the curriculum the catalog was validated against.
    #[must_use]
    pub fn curriculum_fingerprint(&self) -> u64 {
        self.curriculum
    }
}
