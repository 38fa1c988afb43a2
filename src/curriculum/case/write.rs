//! Writing a curriculum as a CASE 1.0 CFPackage.

use foldhash::{HashMap, HashMapExt};
use serde_json::{Map, Value, json};

use super::read::STANDARD_EXTENSION;
use crate::curriculum::{Curriculum, Standard};

/// When the package says it was last changed: fixed, so the output is
/// deterministic.
const CHANGED: &str = "1970-01-01T00:00:00+00:00";

/// A UUID-shaped identifier (version 8, RFC 9562) from two FNV-1a hashes of
/// `parts`: the same parts always give the same identifier.
fn identifier(parts: &[&str]) -> String {
    let hash = |seed: u64| {
        let mut h = seed;
        for part in parts {
            for &b in part.as_bytes().iter().chain(&[0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    };
    let (hi, lo) = (hash(0xcbf2_9ce4_8422_2325), hash(0x8422_2325_cbf2_9ce4));
    let hi = (hi & !0xf000) | 0x8000; // version 8
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // RFC variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

fn node_ref(identifier: &str, title: &str) -> Value {
    json!({"title": title, "identifier": identifier, "uri": format!("urn:uuid:{identifier}")})
}

/// The domain code people use, from a standard's id: `3.NF` for `3.NF.A.1`,
/// `HSA-APR` for `HSA-APR.A.1`; else `grade.domain` or the domain.
fn domain_code(s: &Standard, domain: &str) -> String {
    if let Some(cluster) = s.cluster() {
        if let Some(p) = s.id().find(&format!(".{cluster}.")) {
            if p > 0 {
                return s.id()[..p].to_owned();
            }
        }
    }
    match s.grade() {
        Some(grade) => format!("{grade}.{domain}"),
        None => domain.to_owned(),
    }
}

struct Package<'a> {
    title: &'a str,
    items: Vec<Value>,
    associations: Vec<Value>,
    /// Children so far of each parent identifier, for `sequenceNumber`.
    siblings: HashMap<String, u64>,
}

impl Package<'_> {
    fn child_of(&mut self, child: (&str, &str), parent: (&str, &str)) {
        let n = self.siblings.entry(parent.0.to_owned()).or_insert(0);
        *n += 1;
        let id = identifier(&[self.title, "isChildOf", child.0, parent.0]);
        self.associations.push(json!({
            "identifier": id,
            "uri": format!("urn:uuid:{id}"),
            "associationType": "isChildOf",
            "sequenceNumber": *n,
            "originNodeURI": node_ref(child.0, child.1),
            "destinationNodeURI": node_ref(parent.0, parent.1),
            "lastChangeDateTime": CHANGED,
        }));
    }

    fn item(&mut self, id: &str, code: &str, kind: &str, statement: &str, grade: Option<&str>) {
        let mut item = json!({
            "identifier": id,
            "uri": format!("urn:uuid:{id}"),
            "humanCodingScheme": code,
            "fullStatement": statement,
            "CFItemType": kind,
            "lastChangeDateTime": CHANGED,
        });
        if let (Some(grade), Some(map)) = (grade, item.as_object_mut()) {
            map.insert("educationLevel".into(), json!([grade]));
        }
        self.items.push(item);
    }
}

impl Curriculum {
    /// The curriculum as an IMS CASE 1.0 CFPackage (JSON), titled `title`;
    /// see [the module docs](crate::curriculum::case). Deterministic:
    /// identifiers are UUID-shaped hashes of the title and the codes.
    ///
    /// ```
    /// use mastery::curriculum::case::CaseOptions;
    /// use mastery::Curriculum;
    ///
    /// let ccss = Curriculum::ccss_math();
    /// let json = ccss.to_case_json("Common Core math");
    /// assert_eq!(CaseOptions::new().read_str("ccss.json", &json)?.into_curriculum(), ccss);
    /// # Ok::<(), mastery::Error>(())
    /// ```
    #[must_use]
    pub fn to_case_json(&self, title: &str) -> String {
        let document = identifier(&[title, "CFDocument"]);
        let mut package = Package {
            title,
            items: Vec::new(),
            associations: Vec::new(),
            siblings: HashMap::new(),
        };
        // Domains and clusters first, in order of first appearance.
        let mut groups: HashMap<Vec<&str>, (String, String)> = HashMap::new();
        let mut parent_of: Vec<Option<(String, String)>> = Vec::with_capacity(self.len());
        for s in self.standards() {
            let (Some(domain), grade) = (s.domain(), s.grade().unwrap_or("")) else {
                parent_of.push(None);
                continue;
            };
            let domain_key = vec!["domain", grade, domain];
            if !groups.contains_key(&domain_key) {
                let code = domain_code(s, domain);
                let id = identifier(&[title, "domain", grade, domain]);
                let name = s.attribute("domain_name").unwrap_or(domain);
                package.item(&id, &code, "Domain", name, s.grade());
                package.child_of((&id, &code), (&document, title));
                groups.insert(domain_key.clone(), (id, code));
            }
            let Some(cluster) = s.cluster() else {
                parent_of.push(groups.get(&domain_key).cloned());
                continue;
            };
            let cluster_key = vec!["cluster", grade, domain, cluster];
            if !groups.contains_key(&cluster_key) {
                let (domain_id, domain_code) = groups.get(&domain_key).cloned().unwrap_or_default();
                let code = format!("{domain_code}.{cluster}");
                let id = identifier(&[title, "cluster", grade, domain, cluster]);
                let name = s.attribute("cluster_name").unwrap_or(cluster);
                package.item(&id, &code, "Cluster", name, s.grade());
                package.child_of((&id, &code), (&domain_id, &domain_code));
                groups.insert(cluster_key.clone(), (id, code));
            }
            parent_of.push(groups.get(&cluster_key).cloned());
        }
        let ids: Vec<String> = self
            .standards()
            .iter()
            .map(|s| identifier(&[title, "standard", s.id()]))
            .collect();
        for (i, s) in self.standards().iter().enumerate() {
            let statement = s.description().or(s.title()).unwrap_or(s.id());
            package.item(&ids[i], s.id(), "Standard", statement, s.grade());
            if let Some(item) = package.items.last_mut().and_then(Value::as_object_mut) {
                let mut extensions = Map::new();
                extensions.insert(STANDARD_EXTENSION.into(), json!(s));
                item.insert("extensions".into(), Value::Object(extensions));
            }
            // A sub-standard (3.NF.A.3.a) sits under its standard (3.NF.A.3)
            // when both are in the same cluster; others under their cluster.
            let parent_standard = s
                .id()
                .rsplit_once('.')
                .and_then(|(head, _)| self.get(head))
                .filter(|p| {
                    (p.grade(), p.domain(), p.cluster()) == (s.grade(), s.domain(), s.cluster())
                })
                .and_then(|p| self.index_of(p.id()).ok());
            let parent = match (parent_standard, &parent_of[i]) {
                (Some(p), _) => (ids[p.index()].clone(), self[p].id().to_owned()),
                (None, Some(group)) => group.clone(),
                (None, None) => (document.clone(), title.to_owned()),
            };
            package.child_of((&ids[i], s.id()), (&parent.0, &parent.1));
        }
        for (from, to) in self.prerequisite_edges() {
            let (f, t) = (&ids[from.index()], &ids[to.index()]);
            let id = identifier(&[title, "precedes", f, t]);
            package.associations.push(json!({
                "identifier": id,
                "uri": format!("urn:uuid:{id}"),
                "associationType": "precedes",
                "originNodeURI": node_ref(f, self[from].id()),
                "destinationNodeURI": node_ref(t, self[to].id()),
                "lastChangeDateTime": CHANGED,
            }));
        }
        let value = json!({
            "CFDocument": {
                "identifier": document,
                "uri": format!("urn:uuid:{document}"),
                "title": title,
                "creator": "mastery",
                "lastChangeDateTime": CHANGED,
            },
            "CFItems": package.items,
            "CFAssociations": package.associations,
        });
        // A `Value` of strings, numbers, arrays and objects always serializes.
        serde_json::to_string_pretty(&value).expect("a JSON value serializes")
    }
}
