//! Per-skill parameters as fitted and saved: BKT per skill, guess and slip per item.

use super::*;

/// BKT parameters per skill (or standard) id, in the JSON form
/// `{"params": {"<skill>": {"prior": p, "learn": t, "forget": f, "guess": g, "slip": s}}}`
/// that `examples/fit.rs` writes and `examples/predict.rs` reads. `forget`
/// may be omitted (0).
///
/// A fit with one guess and slip per item (KT-IDEM, `--item-col`) also
/// keeps them, under `"items": {"<skill>": {"<item>": {"guess": g, "slip": s}}}`;
/// the skill's own guess and slip are then the item values averaged by
/// responses, used for items the fit has not seen. Files without `items`
/// load as before.
///
/// ```
/// use mastery::model::SkillParams;
///
/// let json = r#"{"params": {"Median": {"prior": 0.35, "learn": 0.12, "guess": 0.22, "slip": 0.1}}}"#;
/// let params = SkillParams::from_json(json)?;
/// assert_eq!(params.params["Median"].forget(), 0.0);
/// assert_eq!(SkillParams::from_json(&params.to_json())?, params);
/// let bad = r#"{"params": {"Median": {"prior": 0.35, "learn": 0.12, "guess": 0.6, "slip": 0.5}}}"#;
/// assert!(SkillParams::from_json(bad).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
///
/// Per-item guess and slip:
///
/// ```
/// use mastery::model::SkillParams;
///
/// let json = r#"{"params": {"Median": {"prior": 0.35, "learn": 0.12, "guess": 0.2, "slip": 0.1}},
///                "items": {"Median": {"q1": {"guess": 0.05, "slip": 0.1}, "q2": {"guess": 0.35, "slip": 0.1}}}}"#;
/// let params = SkillParams::from_json(json)?;
/// let q2 = params.item_guess_slip("Median", "q2").unwrap();
/// assert!((q2.guess() - 0.35).abs() < 1e-12);
/// assert!(params.item_guess_slip("Median", "q3").is_none());
/// assert_eq!(SkillParams::from_json(&params.to_json())?, params);
/// // Items of a skill without parameters are an error, not ignored.
/// assert!(SkillParams::from_json(r#"{"params": {}, "items": {"Mode": {"q1": {"guess": 0.1, "slip": 0.1}}}}"#).is_err());
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SkillParamsRepr")]
pub struct SkillParams {
    /// Parameters by skill id.
    pub params: BTreeMap<String, BktParams>,
    /// Guess and slip per item, by skill id then item id (KT-IDEM fits
    /// only; empty otherwise). Every skill here has [`params`](Self::params).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, BTreeMap<String, GuessSlip>>,
}

/// The JSON form before validation, so that an error can name the skill.
#[derive(Deserialize)]
pub(super) struct SkillParamsRepr {
    params: BTreeMap<String, BktParamsRepr>,
    #[serde(default)]
    items: BTreeMap<String, BTreeMap<String, GuessSlip>>,
}

impl TryFrom<SkillParamsRepr> for SkillParams {
    type Error = Error;
    fn try_from(r: SkillParamsRepr) -> Result<Self> {
        if let Some(skill) = r.items.keys().find(|s| !r.params.contains_key(*s)) {
            return Err(Error::InvalidState {
                what: "skill parameters",
                reason: format!(
                    "`items` has skill `{skill}`, which has no parameters under `params`"
                ),
            });
        }
        let params = r
            .params
            .into_iter()
            .map(|(skill, p)| match BktParams::try_from(p) {
                Ok(params) => Ok((skill, params)),
                Err(Error::InvalidValue {
                    what,
                    expected,
                    value,
                }) => Err(Error::InvalidValue {
                    what: format!("{what} of skill `{skill}`"),
                    expected,
                    value,
                }),
                Err(other) => Err(other),
            })
            .collect::<Result<_>>()?;
        Ok(SkillParams {
            params,
            items: r.items,
        })
    }
}

impl SkillParams {
    /// Reads the JSON form.
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON (with line and column);
    /// [`Error::InvalidValue`] naming the skill for invalid parameters.
    pub fn from_json(json: &str) -> Result<Self> {
        Self::parse("skill parameters JSON", json)
    }

    /// Reads the JSON form from a file.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read, [`Error::InputTooLarge`]
    /// past [`MAX_INPUT_BYTES`](crate::MAX_INPUT_BYTES), else as
    /// [`SkillParams::from_json`], the file named in a JSON error.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        use std::io::Read;
        let path = path.as_ref();
        let name: std::sync::Arc<str> = path.display().to_string().into();
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            file: name.clone(),
            source,
        })?;
        let mut text = String::new();
        crate::io::Capped::whole(file)
            .read_to_string(&mut text)
            .map_err(|source| crate::io::io_error(&name, source))?;
        Self::parse(&name, &text)
    }

    fn parse(what: &str, json: &str) -> Result<Self> {
        let repr: SkillParamsRepr = serde_json::from_str(json).map_err(|source| Error::Json {
            what: what.to_owned(),
            source,
        })?;
        SkillParams::try_from(repr)
    }

    /// The fitted guess and slip of `item` of `skill`, if the parameters
    /// have per-item values for it.
    #[must_use]
    pub fn item_guess_slip(&self, skill: &str, item: &str) -> Option<GuessSlip> {
        self.items.get(skill)?.get(item).copied()
    }

    /// The JSON form.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Strings and finite numbers only: cannot fail.
        serde_json::to_string_pretty(self).expect("parameters serialize to JSON")
    }
}
