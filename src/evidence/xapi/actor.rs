//! An xAPI agent and the learner id the crate gives it.

use serde_json::{Value, json};

/// An xAPI agent, identified by exactly one of the four inverse functional
/// identifiers of xAPI 1.0.3.
///
/// [`Actor::learner_id`] is the learner id an [`XapiReader`](super::XapiReader)
/// gives the agent's evidence; [`Actor::from_learner_id`] goes back, so that
/// exported statements name the learner as the LRS knows them.
///
/// ```
/// use mastery::evidence::xapi::Actor;
///
/// let bo = Actor::Account { home_page: "https://lms.example.org".into(), name: "bo".into() };
/// assert_eq!(bo.learner_id(), "https://lms.example.org|bo");
/// assert_eq!(Actor::from_learner_id("https://lms.example.org|bo"), bo);
/// assert_eq!(Actor::from_learner_id("mailto:ada@example.org").learner_id(), "mailto:ada@example.org");
/// // A plain id becomes an account on a placeholder home page.
/// assert_eq!(Actor::from_learner_id("ada").to_json()["account"]["name"], "ada");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Actor {
    /// `mbox`: a `mailto:` IRI.
    Mbox(String),
    /// `mbox_sha1sum`: the hex SHA-1 of the `mailto:` IRI.
    MboxSha1Sum(String),
    /// `openid`: an OpenID URI.
    OpenId(String),
    /// `account`: a name on a system's home page.
    Account {
        /// The system's home page.
        home_page: String,
        /// The learner's name on it.
        name: String,
    },
}

/// The home page of an account made from a plain learner id.
pub const PLAIN_ID_HOME_PAGE: &str = "urn:mastery:learner";

impl Actor {
    /// The learner id: `mailto:...`, `sha1:<hex>`, the OpenID URI, or
    /// `<homePage>|<name>`.
    #[must_use]
    pub fn learner_id(&self) -> String {
        match self {
            Actor::Mbox(mbox) => mbox.clone(),
            Actor::MboxSha1Sum(sha1) => format!("sha1:{sha1}"),
            Actor::OpenId(uri) => uri.clone(),
            Actor::Account { home_page, name } => format!("{home_page}|{name}"),
        }
    }

    /// The actor of a learner id made by [`Actor::learner_id`]; any other id
    /// becomes an account named by it on the home page `urn:mastery:learner`.
    #[must_use]
    pub fn from_learner_id(id: &str) -> Actor {
        if id.starts_with("mailto:") {
            return Actor::Mbox(id.to_owned());
        }
        if let Some(sha1) = id.strip_prefix("sha1:") {
            return Actor::MboxSha1Sum(sha1.to_owned());
        }
        if let Some((home_page, name)) = id.rsplit_once('|') {
            return Actor::Account {
                home_page: home_page.to_owned(),
                name: name.to_owned(),
            };
        }
        if id.starts_with("http://") || id.starts_with("https://") {
            return Actor::OpenId(id.to_owned());
        }
        Actor::Account {
            home_page: PLAIN_ID_HOME_PAGE.to_owned(),
            name: id.to_owned(),
        }
    }

    /// The agent as xAPI JSON (`{"objectType": "Agent", "mbox": ...}`).
    #[must_use]
    pub fn to_json(&self) -> Value {
        match self {
            Actor::Mbox(mbox) => json!({"objectType": "Agent", "mbox": mbox}),
            Actor::MboxSha1Sum(sha1) => json!({"objectType": "Agent", "mbox_sha1sum": sha1}),
            Actor::OpenId(uri) => json!({"objectType": "Agent", "openid": uri}),
            Actor::Account { home_page, name } => {
                json!({"objectType": "Agent", "account": {"homePage": home_page, "name": name}})
            }
        }
    }
}
