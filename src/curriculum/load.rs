//! Loading a curriculum from CSV files.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::{Curriculum, CurriculumBuilder, Standard};
use crate::error::{Error, Location, Result};
use crate::io::{Input, header, open, optional, required};

/// Column names of a standards CSV file.
///
/// Only the id column is required. The other named columns are read when the
/// header has them; every further column is kept as a named
/// [attribute](Standard::attribute). Defaults:
///
/// | field | column | notes |
/// |---|---|---|
/// | id | `id` | required, unique |
/// | code | `code` | |
/// | title | `title` | |
/// | description | `description` | |
/// | grade | `grade` | |
/// | domain | `domain` | |
/// | cluster | `cluster` | |
/// | major work | `major_work` | `1`/`0`, `true`/`false`, `yes`/`no` or empty |
/// | tags | `tags` | separated by `;` |
/// | prerequisites | `prerequisites` | ids of this standard's prerequisites, separated by `;` |
///
/// Empty cells mean "not set". Edges from the prerequisites column are merged
/// with those of an edge file: an edge in both counts once, while an edge
/// repeated within one source is [`Error::DuplicatePrerequisite`]. An unknown
/// id in the column is [`Error::UnknownEndpoint`] with the standards file's
/// name and line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StandardColumns {
    /// The id column (required).
    pub id: String,
    /// The code column.
    pub code: String,
    /// The title column.
    pub title: String,
    /// The description column.
    pub description: String,
    /// The grade column.
    pub grade: String,
    /// The domain column.
    pub domain: String,
    /// The cluster column.
    pub cluster: String,
    /// The major-work flag column.
    pub major_work: String,
    /// The tags column (`;`-separated).
    pub tags: String,
    /// The prerequisites column (`;`-separated ids of this standard's prerequisites).
    pub prerequisites: String,
}

impl Default for StandardColumns {
    fn default() -> Self {
        StandardColumns {
            id: "id".into(),
            code: "code".into(),
            title: "title".into(),
            description: "description".into(),
            grade: "grade".into(),
            domain: "domain".into(),
            cluster: "cluster".into(),
            major_work: "major_work".into(),
            tags: "tags".into(),
            prerequisites: "prerequisites".into(),
        }
    }
}

/// Column names of a prerequisite edge-list CSV file: `from` (the
/// prerequisite) and `to` (the dependent), both required. Other columns are
/// ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EdgeColumns {
    /// The prerequisite's id column; default `from`.
    pub from: String,
    /// The dependent's id column; default `to`.
    pub to: String,
}

impl Default for EdgeColumns {
    fn default() -> Self {
        EdgeColumns {
            from: "from".into(),
            to: "to".into(),
        }
    }
}

/// Loads a [`Curriculum`] from a standards CSV file and/or a prerequisite
/// edge-list CSV file.
///
/// With only an edge file, the standards are the edge endpoints, in order of
/// first appearance. Fields are trimmed of surrounding whitespace; a UTF-8
/// byte-order mark is skipped. Every error names the file and line.
///
/// ```
/// use mastery::CsvLoader;
///
/// let standards = "code,grade,text\nA,3,Add\nB,3,Subtract\nC,4,Multiply\n";
/// let edges = "before,after\nA,B\nB,C\n";
/// let curriculum = CsvLoader::new()
///     .standards_reader("standards.csv", standards.as_bytes())
///     .id_column("code")
///     .edges_reader("edges.csv", edges.as_bytes())
///     .edge_columns("before", "after")
///     .load()?;
/// assert_eq!(curriculum.len(), 3);
/// assert_eq!(curriculum.standard("C")?.grade(), Some("4"));
/// assert_eq!(curriculum.standard("C")?.attribute("text"), Some("Multiply"));
///
/// let bad = CsvLoader::new()
///     .standards_reader("standards.csv", standards.as_bytes())
///     .id_column("code")
///     .edges_reader("edges.csv", "before,after\nA,Z\n".as_bytes())
///     .edge_columns("before", "after")
///     .load();
/// assert_eq!(
///     bad.unwrap_err().to_string(),
///     "edges.csv:2: prerequisite `A` -> `Z` names unknown standard `Z`"
/// );
/// # Ok::<(), mastery::Error>(())
/// ```
#[must_use]
#[derive(Default)]
pub struct CsvLoader<'r> {
    standards: Option<Input<'r>>,
    edges: Option<Input<'r>>,
    standard_columns: StandardColumns,
    edge_columns: EdgeColumns,
}

impl std::fmt::Debug for CsvLoader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvLoader")
            .field("standard_columns", &self.standard_columns)
            .field("edge_columns", &self.edge_columns)
            .finish_non_exhaustive()
    }
}

impl<'r> CsvLoader<'r> {
    /// A loader with no files and the default column names.
    pub fn new() -> Self {
        CsvLoader::default()
    }

    /// Reads standards from this file.
    pub fn standards_path(mut self, path: impl AsRef<Path>) -> Self {
        self.standards = Some(Input::Path(path.as_ref().to_path_buf()));
        self
    }

    /// Reads standards from a reader; `name` is used in error messages.
    pub fn standards_reader(mut self, name: &str, reader: impl Read + 'r) -> Self {
        self.standards = Some(Input::Reader(name.into(), Box::new(reader)));
        self
    }

    /// Reads prerequisite edges from this file.
    pub fn edges_path(mut self, path: impl AsRef<Path>) -> Self {
        self.edges = Some(Input::Path(path.as_ref().to_path_buf()));
        self
    }

    /// Reads prerequisite edges from a reader; `name` is used in error messages.
    pub fn edges_reader(mut self, name: &str, reader: impl Read + 'r) -> Self {
        self.edges = Some(Input::Reader(name.into(), Box::new(reader)));
        self
    }

    /// Sets the id column of the standards file (default `id`).
    pub fn id_column(mut self, column: impl Into<String>) -> Self {
        self.standard_columns.id = column.into();
        self
    }

    /// Sets all column names of the standards file.
    pub fn standard_columns(mut self, columns: StandardColumns) -> Self {
        self.standard_columns = columns;
        self
    }

    /// Sets the prerequisite and dependent columns of the edge file
    /// (default `from` and `to`).
    pub fn edge_columns(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.edge_columns = EdgeColumns {
            from: from.into(),
            to: to.into(),
        };
        self
    }

    /// Reads the files and builds the curriculum.
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be opened or read;
    /// [`Error::InputTooLarge`] past the documented size caps;
    /// [`Error::EmptyFile`] for a file without a header, a standards file
    /// without rows, or no files at all; [`Error::MissingColumn`];
    /// [`Error::InvalidUtf8`] and [`Error::Csv`] for malformed rows;
    /// [`Error::UnterminatedQuote`] at the line where a never-closed quote opened; and
    /// every validation error of [`CurriculumBuilder::build`], with file and line.
    pub fn load(self) -> Result<Curriculum> {
        let mut builder = CurriculumBuilder::new();
        match (self.standards, self.edges) {
            (None, None) => {
                return Err(Error::EmptyFile {
                    file: "(no input)".into(),
                    detail: "no standards file and no edge file given",
                });
            }
            (Some(standards), edges) => {
                let from_column = read_standards(&mut builder, standards, &self.standard_columns)?;
                let mut listed: HashSet<(String, String)> = HashSet::new();
                if let Some(edges) = edges {
                    read_edges(&mut builder, edges, &self.edge_columns)?;
                    listed.extend(
                        builder
                            .prerequisite_ids()
                            .map(|(f, t)| (f.to_owned(), t.to_owned())),
                    );
                }
                for (from, to, at) in from_column {
                    if !listed.contains(&(from.clone(), to.clone())) {
                        builder.push_prerequisite_at(from, to, at);
                    }
                }
            }
            (None, Some(edges)) => {
                builder = builder.implicit_standards(true);
                let count = read_edges(&mut builder, edges, &self.edge_columns)?;
                if count.rows == 0 {
                    return Err(Error::EmptyFile {
                        file: count.file,
                        detail: "no edges, and no standards file to list the standards",
                    });
                }
            }
        }
        builder.build()
    }
}

struct RowCount {
    file: Arc<str>,
    rows: usize,
}

/// An edge read from the prerequisites column: `(from, to, where)`.
type ColumnEdge = (String, String, Location);

/// Reads the standards into `builder`; returns the edges of the prerequisites column.
fn read_standards(
    builder: &mut CurriculumBuilder,
    input: Input<'_>,
    columns: &StandardColumns,
) -> Result<Vec<ColumnEdge>> {
    let (file, mut csv) = open(input)?;
    let header = header(&file, &mut csv)?;
    let id = required(&file, &header, &columns.id)?;
    let named = [
        &columns.code,
        &columns.title,
        &columns.description,
        &columns.grade,
        &columns.domain,
        &columns.cluster,
        &columns.major_work,
        &columns.tags,
        &columns.prerequisites,
    ]
    .map(|c| optional(&header, c).filter(|&i| i != id));
    let [
        code,
        title,
        description,
        grade,
        domain,
        cluster,
        major_work,
        tags,
        prerequisites,
    ] = named;
    let mut edges = Vec::new();
    let attributes: Vec<usize> = (0..header.len())
        .filter(|&i| i != id && !named.contains(&Some(i)))
        .collect();

    let mut record = crate::io::Record::default();
    let mut rows = 0usize;
    while csv.read_record(&mut record)? {
        rows += 1;
        let at = Location::new(Some(file.clone()), Some(record.line()));
        let cell =
            |column: Option<usize>| column.and_then(|i| record.get(i)).filter(|v| !v.is_empty());
        let mut standard = Standard::unchecked(record.get(id).unwrap_or_default().to_owned());
        if let Some(v) = cell(code) {
            standard = standard.with_code(v);
        }
        if let Some(v) = cell(title) {
            standard = standard.with_title(v);
        }
        if let Some(v) = cell(description) {
            standard = standard.with_description(v);
        }
        if let Some(v) = cell(grade) {
            standard = standard.with_grade(v);
        }
        if let Some(v) = cell(domain) {
            standard = standard.with_domain(v);
        }
        if let Some(v) = cell(cluster) {
            standard = standard.with_cluster(v);
        }
        if let Some(v) = cell(major_work) {
            standard = standard.with_major_work(parse_flag(v).ok_or_else(|| Error::Csv {
                at: at.clone(),
                message: format!(
                    "column `{}`: expected 1/0, true/false or yes/no, got {v:?}",
                    columns.major_work
                ),
            })?);
        }
        if let Some(v) = cell(tags) {
            for tag in v.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                standard = standard.with_tag(tag);
            }
        }
        for &i in &attributes {
            if let Some(v) = cell(Some(i)) {
                standard = standard.with_attribute(&header[i], v);
            }
        }
        if let Some(v) = cell(prerequisites) {
            for before in v.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                edges.push((before.to_owned(), standard.id().to_owned(), at.clone()));
            }
        }
        builder.push_standard_at(standard, at);
    }
    if rows == 0 {
        return Err(Error::EmptyFile {
            file,
            detail: "no standards below the header",
        });
    }
    Ok(edges)
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" => Some(true),
        "0" | "false" | "no" | "n" => Some(false),
        _ => None,
    }
}

fn read_edges(
    builder: &mut CurriculumBuilder,
    input: Input<'_>,
    columns: &EdgeColumns,
) -> Result<RowCount> {
    let (file, mut csv) = open(input)?;
    let header = header(&file, &mut csv)?;
    let from = required(&file, &header, &columns.from)?;
    let to = required(&file, &header, &columns.to)?;
    let mut record = crate::io::Record::default();
    let mut rows = 0usize;
    while csv.read_record(&mut record)? {
        rows += 1;
        let at = Location::new(Some(file.clone()), Some(record.line()));
        builder.push_prerequisite_at(
            record.get(from).unwrap_or_default().to_owned(),
            record.get(to).unwrap_or_default().to_owned(),
            at,
        );
    }
    Ok(RowCount { file, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse() {
        assert_eq!(parse_flag("1"), Some(true));
        assert_eq!(parse_flag("TRUE"), Some(true));
        assert_eq!(parse_flag("no"), Some(false));
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn edges_only_makes_endpoints_standards_in_first_appearance_order() {
        let c = CsvLoader::new()
            .edges_reader("e.csv", "from,to\nB,C\nA,B\n".as_bytes())
            .load()
            .unwrap();
        let ids: Vec<&str> = c.standards().iter().map(Standard::id).collect();
        assert_eq!(ids, ["B", "C", "A"]);
        assert_eq!(c.prerequisite_count(), 2);
    }

    #[test]
    fn byte_order_mark_is_skipped() {
        let c = CsvLoader::new()
            .standards_reader("s.csv", "\u{feff}id\nA\n".as_bytes())
            .load()
            .unwrap();
        assert!(c.contains("A"));
    }

    #[test]
    fn unparsable_flag_names_file_and_line() {
        let err = CsvLoader::new()
            .standards_reader("s.csv", "id,major_work\nA,1\nB,perhaps\n".as_bytes())
            .load()
            .unwrap_err();
        assert!(matches!(err, Error::Csv { .. }));
        assert!(
            err.to_string().starts_with("s.csv:3: column `major_work`"),
            "{err}"
        );
    }

    #[test]
    fn extra_columns_become_attributes_and_tags_split() {
        let c = CsvLoader::new()
            .standards_reader(
                "s.csv",
                "id,tags,unit\nA, music ; sports;,Unit 1\nB,,\n".as_bytes(),
            )
            .load()
            .unwrap();
        let a = c.standard("A").unwrap();
        assert_eq!(a.tags(), ["music", "sports"]);
        assert_eq!(a.attribute("unit"), Some("Unit 1"));
        assert!(c.standard("B").unwrap().attributes().is_empty());
    }
}
