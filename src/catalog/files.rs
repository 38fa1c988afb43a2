//! Catalogs from and to files: JSON both ways, CSV in (with line numbers).

use super::*;

impl Catalog {
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
    /// let catalog = Catalog::from_csv_reader(&ccss, "catalog.csv", csv.as_bytes())?;
    /// assert_eq!(catalog.len(), 2);
    /// assert_eq!(catalog.activities()[1].weights(), [1.0, 0.5]);
    /// let bad = "id,kind,standards\nx,podcast,3.NF.A.1\n";
    /// assert_eq!(
    ///     Catalog::from_csv_reader(&ccss, "catalog.csv", bad.as_bytes()).unwrap_err().to_string(),
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
    pub fn from_csv_reader(
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
}
