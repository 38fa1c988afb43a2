//! The `isChildOf` tree of a CASE package: grades, domains, clusters and
//! standards, queryable by code or identifier.

use foldhash::{HashMap, HashMapExt, HashSet};
use serde::Serialize;

use crate::curriculum::StandardIdx;
use crate::error::{Error, Result};

/// One CFItem of a CASE package as a node of its [`Hierarchy`], whether or not
/// it counts as a standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HierarchyNode {
    identifier: String,
    uri: Option<String>,
    code: Option<String>,
    item_type: Option<String>,
    statement: Option<String>,
    standard: Option<StandardIdx>,
}

impl HierarchyNode {
    pub(crate) fn new(
        identifier: String,
        uri: Option<String>,
        code: Option<String>,
        item_type: Option<String>,
        statement: Option<String>,
        standard: Option<StandardIdx>,
    ) -> Self {
        HierarchyNode {
            identifier,
            uri,
            code,
            item_type,
            statement,
            standard,
        }
    }

    /// The CFItem's `identifier` (a UUID in CASE).
    #[must_use]
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The CFItem's `uri`, if the package gave one.
    #[must_use]
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }

    /// The `humanCodingScheme`, e.g. `3.NF` for a domain, `3.NF.A.1` for a standard.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The `CFItemType`, e.g. `Domain`, `Cluster`, `Standard`.
    #[must_use]
    pub fn item_type(&self) -> Option<&str> {
        self.item_type.as_deref()
    }

    /// The `fullStatement`.
    #[must_use]
    pub fn statement(&self) -> Option<&str> {
        self.statement.as_deref()
    }

    /// The standard this item became, if it counts as one (see
    /// [`CaseOptions::standard_types`](super::CaseOptions::standard_types)).
    #[must_use]
    pub fn standard(&self) -> Option<StandardIdx> {
        self.standard
    }
}

/// The items of a CASE package and their `isChildOf` associations: which
/// domain a cluster belongs to, which standards a cluster holds.
///
/// Look items up by `humanCodingScheme` (the first item with that code) or by
/// `identifier`. Queries never recurse, and an `isChildOf` cycle in a hostile
/// package is walked once.
///
/// ```
/// use mastery::curriculum::case::CaseOptions;
/// use mastery::Curriculum;
///
/// let ccss = Curriculum::ccss_math();
/// let json = ccss.to_case_json("Common Core math");
/// let framework = CaseOptions::new().read_str("ccss.json", &json)?;
/// let fractions: Vec<&str> = framework
///     .hierarchy()
///     .standards_under("3.NF")?
///     .iter()
///     .map(|&i| framework.curriculum()[i].id())
///     .collect();
/// assert!(fractions.contains(&"3.NF.A.1") && fractions.contains(&"3.NF.A.3.d"));
/// assert_eq!(framework.hierarchy().parent("3.NF.A.1")?.and_then(|p| p.code()), Some("3.NF.A"));
/// # Ok::<(), mastery::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    nodes: Vec<HierarchyNode>,
    by_identifier: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
    parents: Vec<Vec<usize>>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    /// `(child, parent)` pairs linked so far (`usize::MAX`: the document),
    /// so a repeated association is not linked twice, in O(1).
    linked: HashSet<(usize, usize)>,
}

impl Hierarchy {
    /// A hierarchy of `nodes` without associations yet.
    pub(crate) fn new(nodes: Vec<HierarchyNode>) -> Self {
        let mut by_identifier = HashMap::with_capacity(nodes.len());
        let mut by_code = HashMap::with_capacity(nodes.len());
        for (i, node) in nodes.iter().enumerate() {
            by_identifier.entry(node.identifier.clone()).or_insert(i);
            if let Some(code) = &node.code {
                by_code.entry(code.clone()).or_insert(i);
            }
        }
        let n = nodes.len();
        Hierarchy {
            nodes,
            by_identifier,
            by_code,
            parents: vec![Vec::new(); n],
            children: vec![Vec::new(); n],
            roots: Vec::new(),
            linked: HashSet::default(),
        }
    }

    /// Records `child isChildOf parent` (`None`: a child of the document).
    pub(crate) fn link(&mut self, child: usize, parent: Option<usize>) {
        if !self.linked.insert((child, parent.unwrap_or(usize::MAX))) {
            return;
        }
        match parent {
            Some(p) => {
                self.children[p].push(child);
                self.parents[child].push(p);
            }
            None => self.roots.push(child),
        }
    }

    /// Sorts every list of children by its CASE `sequenceNumber`
    /// (`order[(child, parent)]`; stable, unnumbered ones last).
    pub(crate) fn sort_children(&mut self, order: &HashMap<(usize, Option<usize>), i64>) {
        for (p, kids) in self.children.iter_mut().enumerate() {
            kids.sort_by_key(|&k| order.get(&(k, Some(p))).copied().unwrap_or(i64::MAX));
        }
        self.roots
            .sort_by_key(|&k| order.get(&(k, None)).copied().unwrap_or(i64::MAX));
    }

    /// The number of items.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the package had no items.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every item, in package order.
    #[must_use]
    pub fn nodes(&self) -> &[HierarchyNode] {
        &self.nodes
    }

    /// The items that are children of the CFDocument itself, in order.
    pub fn roots(&self) -> impl Iterator<Item = &HierarchyNode> {
        self.roots.iter().map(|&i| &self.nodes[i])
    }

    /// The position of the item with this identifier.
    pub(crate) fn position_of_identifier(&self, identifier: &str) -> Option<usize> {
        self.by_identifier.get(identifier).copied()
    }

    fn position(&self, key: &str) -> Result<usize> {
        self.by_code
            .get(key)
            .or_else(|| self.by_identifier.get(key))
            .copied()
            .ok_or_else(|| Error::UnknownCaseItem {
                key: crate::curriculum::shown_id(key),
            })
    }

    /// The item with this code (`humanCodingScheme`) or identifier.
    ///
    /// # Errors
    /// [`Error::UnknownCaseItem`] if there is none.
    pub fn node(&self, key: &str) -> Result<&HierarchyNode> {
        Ok(&self.nodes[self.position(key)?])
    }

    /// The item's parent (its first `isChildOf` destination that is an item), if any.
    ///
    /// # Errors
    /// [`Error::UnknownCaseItem`] for an unknown key.
    pub fn parent(&self, key: &str) -> Result<Option<&HierarchyNode>> {
        let i = self.position(key)?;
        Ok(self.parents[i].first().map(|&p| &self.nodes[p]))
    }

    /// Every parent of the item (CASE lets an item sit in several places).
    ///
    /// # Errors
    /// [`Error::UnknownCaseItem`] for an unknown key.
    pub fn parents(&self, key: &str) -> Result<Vec<&HierarchyNode>> {
        let i = self.position(key)?;
        Ok(self.parents[i].iter().map(|&p| &self.nodes[p]).collect())
    }

    /// The item's children, in `sequenceNumber` order, then package order.
    ///
    /// # Errors
    /// [`Error::UnknownCaseItem`] for an unknown key.
    pub fn children(&self, key: &str) -> Result<Vec<&HierarchyNode>> {
        let i = self.position(key)?;
        Ok(self.children[i].iter().map(|&c| &self.nodes[c]).collect())
    }

    /// The standards below the item (children, their children, ...), each
    /// once, in depth-first order; the item itself is not included.
    ///
    /// # Errors
    /// [`Error::UnknownCaseItem`] for an unknown key.
    pub fn standards_under(&self, key: &str) -> Result<Vec<StandardIdx>> {
        let start = self.position(key)?;
        let mut seen = vec![false; self.nodes.len()];
        seen[start] = true;
        let mut stack: Vec<usize> = self.children[start].iter().rev().copied().collect();
        let mut out = Vec::new();
        while let Some(v) = stack.pop() {
            if std::mem::replace(&mut seen[v], true) {
                continue;
            }
            if let Some(s) = self.nodes[v].standard {
                out.push(s);
            }
            stack.extend(self.children[v].iter().rev().copied());
        }
        Ok(out)
    }
}
