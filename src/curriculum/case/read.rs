//! Reading a CFPackage: items to standards and hierarchy nodes,
//! associations to prerequisites, parents and links.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use serde::Deserialize;
use serde_json::Value;

use super::{
    CaseFramework, CaseLink, CaseOptions, DanglingAssociations, Hierarchy, HierarchyNode, LinkKind,
    NodeRef, SkippedAssociation,
};
use crate::curriculum::{CurriculumBuilder, Standard, StandardIdx};
use crate::error::{Error, Location, Result};

/// The extension key under which [`Curriculum::to_case_json`](crate::Curriculum::to_case_json)
/// keeps a standard's full metadata.
pub(super) const STANDARD_EXTENSION: &str = "mastery:standard";

#[derive(Deserialize)]
struct DocumentRepr {
    identifier: String,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
struct ItemRepr {
    identifier: String,
    #[serde(default)]
    uri: Option<String>,
    #[serde(rename = "humanCodingScheme", default)]
    human_coding_scheme: Option<String>,
    #[serde(rename = "fullStatement", default)]
    full_statement: Option<String>,
    #[serde(rename = "abbreviatedStatement", default)]
    abbreviated_statement: Option<String>,
    #[serde(rename = "CFItemType", default)]
    item_type: Option<String>,
    #[serde(rename = "educationLevel", default)]
    education_level: Vec<String>,
    #[serde(default)]
    extensions: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
struct NodeRefRepr {
    identifier: String,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

impl From<NodeRefRepr> for NodeRef {
    fn from(r: NodeRefRepr) -> Self {
        NodeRef {
            identifier: r.identifier,
            uri: r.uri,
            title: r.title,
        }
    }
}

#[derive(Deserialize)]
struct AssociationRepr {
    identifier: String,
    #[serde(rename = "associationType")]
    association_type: String,
    #[serde(rename = "originNodeURI")]
    origin: NodeRefRepr,
    #[serde(rename = "destinationNodeURI")]
    destination: NodeRefRepr,
    #[serde(rename = "sequenceNumber", default)]
    sequence_number: Option<i64>,
}

/// CASE 1.0 association types that carry no meaning for a curriculum.
const IGNORED_TYPES: [&str; 5] = [
    "isPeerOf",
    "isPartOf",
    "replacedBy",
    "exemplar",
    "hasSkillLevel",
];

struct Context<'a> {
    file: &'a str,
}

impl Context<'_> {
    fn at(&self, path: &str) -> Location {
        Location::new(Some(Arc::from(format!("{}#{path}", self.file))), None)
    }

    fn error(&self, path: &str, identifier: &str, message: impl Into<String>) -> Error {
        Error::Case {
            at: self.at(path),
            identifier: crate::curriculum::shown_id(identifier),
            message: message.into(),
        }
    }
}

/// The `identifier` of a JSON object, for error messages (`?` if it has none).
fn identifier_of(value: &Value) -> &str {
    value
        .get("identifier")
        .and_then(Value::as_str)
        .unwrap_or("?")
}

/// An array member of the package (absent means empty).
fn array<'v>(ctx: &Context<'_>, package: &'v Value, key: &str) -> Result<&'v [Value]> {
    match package.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ctx.error(&format!("/{key}"), "?", format!("`{key}` must be an array"))),
    }
}

pub(super) fn read(options: &CaseOptions, file: &str, json: &str) -> Result<CaseFramework> {
    let ctx = Context { file };
    let package: Value = serde_json::from_str(json).map_err(|source| Error::Json {
        what: format!("CASE package {file}"),
        source,
    })?;
    if !package.is_object() {
        return Err(ctx.error("", "?", "a CFPackage must be a JSON object"));
    }
    let document = match package.get("CFDocument") {
        Some(doc) => DocumentRepr::deserialize(doc)
            .map_err(|e| ctx.error("/CFDocument", identifier_of(doc), e.to_string()))?,
        None => return Err(ctx.error("", "?", "missing `CFDocument`")),
    };

    let (nodes, builder) = read_items(options, &ctx, array(&ctx, &package, "CFItems")?)?;
    let mut hierarchy = Hierarchy::new(nodes);
    let mut reader = Associations {
        options,
        ctx: &ctx,
        document: &document.identifier,
        builder,
        links: Vec::new(),
        skipped: Vec::new(),
        ignored: BTreeMap::new(),
        order: HashMap::new(),
    };
    for (i, value) in array(&ctx, &package, "CFAssociations")?.iter().enumerate() {
        reader.read(&mut hierarchy, i, value)?;
    }
    let Associations {
        builder,
        links,
        skipped,
        ignored,
        order,
        ..
    } = reader;
    hierarchy.sort_children(&order);
    let curriculum = builder.build()?;
    Ok(CaseFramework {
        identifier: document.identifier,
        title: document.title,
        curriculum,
        hierarchy,
        links,
        skipped,
        ignored_associations: ignored,
    })
}

fn read_items(
    options: &CaseOptions,
    ctx: &Context<'_>,
    items: &[Value],
) -> Result<(Vec<HierarchyNode>, CurriculumBuilder)> {
    let mut builder = CurriculumBuilder::new();
    let mut nodes = Vec::with_capacity(items.len());
    let mut first_at: HashMap<String, usize> = HashMap::with_capacity(items.len());
    let mut standards = 0usize;
    for (i, value) in items.iter().enumerate() {
        let path = format!("/CFItems/{i}");
        let item = ItemRepr::deserialize(value)
            .map_err(|e| ctx.error(&path, identifier_of(value), e.to_string()))?;
        if let Some(first) = first_at.insert(item.identifier.clone(), i) {
            return Err(ctx.error(
                &path,
                &item.identifier,
                format!("duplicate identifier (first at #/CFItems/{first})"),
            ));
        }
        let code = item.human_coding_scheme.clone().filter(|c| !c.is_empty());
        let mut standard_idx = None;
        if options.counts_as_standard(item.item_type.as_deref()) {
            if code.is_none() && options.require_human_coding_scheme {
                return Err(ctx.error(
                    &path,
                    &item.identifier,
                    "a standard without `humanCodingScheme`",
                ));
            }
            let standard = item_standard(options, ctx, &path, &item, code.as_deref())?;
            standard_idx = StandardIdx::new(standards);
            standards += 1;
            builder.push_standard_at(standard, ctx.at(&path));
        }
        nodes.push(HierarchyNode::new(
            item.identifier,
            item.uri,
            code,
            item.item_type,
            item.full_statement,
            standard_idx,
        ));
    }
    Ok((nodes, builder))
}

/// The standard of a CFItem: from the `mastery:standard` extension when
/// present (and read), else from the CASE fields.
fn item_standard(
    options: &CaseOptions,
    ctx: &Context<'_>,
    path: &str,
    item: &ItemRepr,
    code: Option<&str>,
) -> Result<Standard> {
    let id = code.unwrap_or(&item.identifier);
    let extension = item
        .extensions
        .as_ref()
        .and_then(|e| e.get(STANDARD_EXTENSION))
        .filter(|_| options.read_extensions);
    if let Some(extension) = extension {
        let standard = Standard::deserialize(extension).map_err(|e| {
            ctx.error(
                path,
                &item.identifier,
                format!("extension `{STANDARD_EXTENSION}`: {e}"),
            )
        })?;
        if standard.id() != id {
            return Err(ctx.error(
                path,
                &item.identifier,
                format!(
                    "extension `{STANDARD_EXTENSION}` has id `{}`, not the item's `{}`",
                    crate::curriculum::shown_id(standard.id()),
                    crate::curriculum::shown_id(id)
                ),
            ));
        }
        return Ok(standard);
    }
    let mut standard = Standard::unchecked(id.to_owned())
        .with_attribute("case_identifier", item.identifier.clone());
    if let Some(text) = &item.full_statement {
        standard = standard.with_description(text.clone());
    }
    if let Some(title) = &item.abbreviated_statement {
        standard = standard.with_title(title.clone());
    }
    if !item.education_level.is_empty() {
        standard = standard.with_grade(item.education_level.join(","));
    }
    if let Some(t) = &item.item_type {
        standard = standard.with_attribute("case_item_type", t.clone());
    }
    if let Some(uri) = &item.uri {
        standard = standard.with_attribute("case_uri", uri.clone());
    }
    Ok(standard)
}

/// Where an association's end is: an item of the package, the document, or nowhere.
enum End {
    Item(usize),
    Document,
    Outside,
}

struct Associations<'a> {
    options: &'a CaseOptions,
    ctx: &'a Context<'a>,
    document: &'a str,
    builder: CurriculumBuilder,
    links: Vec<CaseLink>,
    skipped: Vec<SkippedAssociation>,
    ignored: BTreeMap<String, usize>,
    /// `sequenceNumber` of each `(child, parent)` pair.
    order: HashMap<(usize, Option<usize>), i64>,
}

impl Associations<'_> {
    fn end(&self, hierarchy: &Hierarchy, node: &NodeRefRepr) -> End {
        if node.identifier == self.document {
            return End::Document;
        }
        match hierarchy.position_of_identifier(&node.identifier) {
            Some(i) => End::Item(i),
            None => End::Outside,
        }
    }

    fn dangling(&mut self, path: String, identifier: &str, reason: String) -> Result<()> {
        match self.options.dangling {
            DanglingAssociations::Error => Err(self.ctx.error(&path, identifier, reason)),
            DanglingAssociations::SkipAndReport => {
                self.skipped.push(SkippedAssociation {
                    identifier: identifier.to_owned(),
                    path: format!("#{path}"),
                    reason,
                });
                Ok(())
            }
        }
    }

    fn read(&mut self, hierarchy: &mut Hierarchy, i: usize, value: &Value) -> Result<()> {
        let path = format!("/CFAssociations/{i}");
        let association = AssociationRepr::deserialize(value)
            .map_err(|e| self.ctx.error(&path, identifier_of(value), e.to_string()))?;
        let id = association.identifier.clone();
        let kind = association.association_type.as_str();
        let origin = self.end(hierarchy, &association.origin);
        let destination = self.end(hierarchy, &association.destination);
        let outside = |end: &End, r: &NodeRefRepr, which: &str| match end {
            End::Outside => Some(format!(
                "{kind} {which} `{}` is not an item of the package",
                crate::curriculum::shown_id(&r.identifier)
            )),
            _ => None,
        };
        match kind {
            "precedes" => {
                let problem = outside(&origin, &association.origin, "origin")
                    .or_else(|| outside(&destination, &association.destination, "destination"));
                if let Some(reason) = problem {
                    return self.dangling(path, &id, reason);
                }
                let is_standard = |i: usize| hierarchy.nodes()[i].standard().is_some();
                match (&origin, &destination) {
                    (End::Item(f), End::Item(t)) if is_standard(*f) && is_standard(*t) => {
                        let from = self.standard_id(hierarchy, *f);
                        let to = self.standard_id(hierarchy, *t);
                        self.builder
                            .push_prerequisite_at(from, to, self.ctx.at(&path));
                    }
                    _ => self.skipped.push(SkippedAssociation {
                        identifier: id,
                        path: format!("#{path}"),
                        reason: "precedes between items that are not both standards".into(),
                    }),
                }
            }
            "isChildOf" => {
                let problem = outside(&origin, &association.origin, "origin")
                    .or_else(|| outside(&destination, &association.destination, "destination"));
                if let Some(reason) = problem {
                    return self.dangling(path, &id, reason);
                }
                let End::Item(child) = origin else {
                    return Err(self
                        .ctx
                        .error(&path, &id, "the CFDocument cannot be a child"));
                };
                let parent = match destination {
                    End::Item(p) => Some(p),
                    _ => None,
                };
                if parent == Some(child) {
                    return Err(self
                        .ctx
                        .error(&path, &id, "an item cannot be its own child"));
                }
                hierarchy.link(child, parent);
                if let Some(n) = association.sequence_number {
                    self.order.insert((child, parent), n);
                }
            }
            "exactMatchOf" | "isRelatedTo" => {
                let (o, d) = (&origin, &destination);
                if matches!(o, End::Outside) && matches!(d, End::Outside) {
                    let reason = format!("{kind} links two items outside the package");
                    return self.dangling(path, &id, reason);
                }
                let standard = |end: &End| match end {
                    End::Item(i) => hierarchy.nodes()[*i].standard(),
                    _ => None,
                };
                let link = CaseLink {
                    identifier: id,
                    kind: if kind == "exactMatchOf" {
                        LinkKind::ExactMatch
                    } else {
                        LinkKind::Related
                    },
                    origin_standard: standard(o),
                    destination_standard: standard(d),
                    origin: association.origin.into(),
                    destination: association.destination.into(),
                };
                self.links.push(link);
            }
            other if IGNORED_TYPES.contains(&other) => {
                *self.ignored.entry(other.to_owned()).or_insert(0) += 1;
            }
            other => {
                return Err(self.ctx.error(
                    &path,
                    &id,
                    format!(
                        "unknown associationType `{}` (CASE 1.0 has isChildOf, precedes, exactMatchOf, isRelatedTo, isPeerOf, isPartOf, replacedBy, exemplar, hasSkillLevel)",
                        crate::curriculum::shown_id(other)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The id the builder knows the standard of item `i` by.
    fn standard_id(&self, hierarchy: &Hierarchy, i: usize) -> String {
        let node = &hierarchy.nodes()[i];
        node.code().unwrap_or(node.identifier()).to_owned()
    }
}
