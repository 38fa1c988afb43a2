//! The parts of an xAPI 1.0.3 statement that become evidence, deserialized
//! with borrowed strings (a `Cow` owns only a string with escapes); every
//! other property is skipped.

use std::borrow::Cow;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub(super) struct RawStatement<'a> {
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub actor: RawActor<'a>,
    #[serde(borrow)]
    pub verb: RawVerb<'a>,
    #[serde(borrow)]
    pub object: RawObject<'a>,
    #[serde(default)]
    pub result: Option<RawResult>,
    /// Read only when the object is not aligned (most statements never need it).
    #[serde(borrow, default)]
    pub context: Option<&'a serde_json::value::RawValue>,
    #[serde(borrow, default)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub stored: Option<Cow<'a, str>>,
}

impl RawStatement<'_> {
    /// A statement with every property absent (and an empty verb id), for
    /// a reader to fill in place.
    pub(super) fn empty() -> Self {
        RawStatement {
            id: None,
            actor: RawActor {
                object_type: None,
                mbox: None,
                mbox_sha1sum: None,
                openid: None,
                account: None,
            },
            verb: RawVerb {
                id: Cow::Borrowed(""),
            },
            object: RawObject {
                object_type: None,
                id: None,
            },
            result: None,
            context: None,
            timestamp: None,
            stored: None,
        }
    }
}

/// Only the id, to name a statement that does not deserialize.
#[derive(Debug, Deserialize)]
pub(super) struct RawId<'a> {
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawActor<'a> {
    #[serde(rename = "objectType", borrow, default)]
    pub object_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub mbox: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub mbox_sha1sum: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub openid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub account: Option<RawAccount<'a>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawAccount<'a> {
    #[serde(rename = "homePage", borrow)]
    pub home_page: Cow<'a, str>,
    #[serde(borrow)]
    pub name: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawVerb<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawObject<'a> {
    #[serde(rename = "objectType", borrow, default)]
    pub object_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawResult {
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub score: Option<RawScore>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawScore {
    #[serde(default)]
    pub scaled: Option<f64>,
    #[serde(default)]
    pub raw: Option<f64>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawContext<'a> {
    #[serde(rename = "contextActivities", borrow, default)]
    pub context_activities: Option<RawContextActivities<'a>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawContextActivities<'a> {
    #[serde(borrow, default)]
    pub parent: Vec<RawActivityRef<'a>>,
    #[serde(borrow, default)]
    pub grouping: Vec<RawActivityRef<'a>>,
    #[serde(borrow, default)]
    pub category: Vec<RawActivityRef<'a>>,
    #[serde(borrow, default)]
    pub other: Vec<RawActivityRef<'a>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawActivityRef<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
}
