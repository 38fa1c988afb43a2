//! The SVG pictures: well-formed XML, boxes that do not overlap, labels that
//! fit, everything inside the view box, and errors for bad input.

use mastery::export::{self, MapStatus};
use mastery::{Curriculum, Error, Standard};
use ndarray::Array2;
use proptest::prelude::*;
use roxmltree::{Document, Node};

/// Text width as the tests estimate it: 0.6 em per character.
fn estimated_width(text: &str, font_size: f64) -> f64 {
    0.6 * font_size * text.chars().count() as f64
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Rect {
    fn of(node: Node<'_, '_>) -> Rect {
        Rect {
            x: num(node, "x"),
            y: num(node, "y"),
            w: num(node, "width"),
            h: num(node, "height"),
        }
    }

    fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }

    fn contains_point(&self, x: f64, y: f64) -> bool {
        x >= self.x - 1e-9
            && x <= self.x + self.w + 1e-9
            && y >= self.y - 1e-9
            && y <= self.y + self.h + 1e-9
    }

    fn contains(&self, other: &Rect) -> bool {
        self.contains_point(other.x, other.y)
            && self.contains_point(other.x + other.w, other.y + other.h)
    }
}

fn num(node: Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
        .parse()
        .unwrap_or_else(|e| panic!("{name} of <{}>: {e}", node.tag_name().name()))
}

fn class_is(node: &Node<'_, '_>, tag: &str, class: &str) -> bool {
    node.is_element() && node.tag_name().name() == tag && node.attribute("class") == Some(class)
}

/// Parses the SVG, checks the root and the elements used, and returns the
/// document and its view box (which must match width and height).
fn parse(svg: &str) -> (Document<'_>, Rect) {
    let doc = Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let parts: Vec<f64> = root
        .attribute("viewBox")
        .expect("viewBox")
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert_eq!(parts.len(), 4);
    let view = Rect {
        x: parts[0],
        y: parts[1],
        w: parts[2],
        h: parts[3],
    };
    assert!(view.w > 0.0 && view.h > 0.0);
    assert_eq!(num(root, "width"), view.w);
    assert_eq!(num(root, "height"), view.h);
    let allowed = [
        "svg",
        "g",
        "rect",
        "path",
        "line",
        "text",
        "title",
        "defs",
        "linearGradient",
        "stop",
    ];
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(
            allowed.contains(&node.tag_name().name()),
            "unexpected <{}>",
            node.tag_name().name()
        );
    }
    (doc, view)
}

/// Every rect in the document lies inside the view box.
fn assert_rects_inside(doc: &Document<'_>, view: &Rect) {
    for node in doc.descendants().filter(|n| n.has_tag_name("rect")) {
        let rect = Rect::of(node);
        assert!(
            view.contains(&rect),
            "{rect:?} outside the view box {view:?}"
        );
    }
}

/// Unrotated text: its estimated extent lies inside the view box.
fn assert_text_inside(node: Node<'_, '_>, view: &Rect) {
    let text = node.text().unwrap_or("");
    let size = num(node, "font-size");
    let (x, y) = (num(node, "x"), num(node, "y"));
    let w = estimated_width(text, size);
    let left = match node.attribute("text-anchor") {
        Some("middle") => x - w / 2.0,
        Some("end") => x - w,
        _ => x,
    };
    assert!(
        view.contains_point(left, y - 0.8 * size) && view.contains_point(left + w, y + 0.25 * size),
        "text {text:?} at ({x}, {y}) outside the view box {view:?}"
    );
}

struct MapNode {
    rect: Rect,
    tooltip: String,
    texts: Vec<(String, f64, f64, f64)>, // text, x, y, font size
}

/// The node groups of a mastery map.
fn map_nodes(doc: &Document<'_>) -> Vec<MapNode> {
    doc.descendants()
        .filter(|n| class_is(n, "g", "node"))
        .map(|g| {
            let children: Vec<Node> = g.children().filter(|n| n.is_element()).collect();
            assert_eq!(
                children[0].tag_name().name(),
                "title",
                "the tooltip comes first"
            );
            let rect = children
                .iter()
                .find(|n| class_is(n, "rect", "node"))
                .expect("a box");
            MapNode {
                rect: Rect::of(*rect),
                tooltip: children[0].text().unwrap_or("").to_owned(),
                texts: children
                    .iter()
                    .filter(|n| n.has_tag_name("text"))
                    .map(|t| {
                        (
                            t.text().unwrap_or("").to_owned(),
                            num(*t, "x"),
                            num(*t, "y"),
                            num(*t, "font-size"),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The checks every mastery map must pass; returns the parsed nodes.
fn check_map(curriculum: &Curriculum, svg: &str) -> Vec<MapNode> {
    let (doc, view) = parse(svg);
    assert_rects_inside(&doc, &view);
    for text in doc.descendants().filter(|n| n.has_tag_name("text")) {
        assert_text_inside(text, &view);
    }
    let nodes = map_nodes(&doc);
    assert_eq!(nodes.len(), curriculum.len());
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            assert!(
                !a.rect.overlaps(&b.rect),
                "{:?} overlaps {:?}",
                a.rect,
                b.rect
            );
        }
    }
    for (node, standard) in nodes.iter().zip(curriculum.standards()) {
        assert_eq!(node.texts.len(), 2, "id and percentage");
        assert!(node.tooltip.starts_with(standard.id()));
        if let Some(description) = standard.description() {
            assert!(node.tooltip.contains(description));
        }
        let r = node.rect;
        for (text, x, y, size) in &node.texts {
            let w = estimated_width(text, *size);
            assert!(
                (x - w / 2.0) >= r.x && (x + w / 2.0) <= r.x + r.w,
                "{text:?} ({w} px) does not fit its box {r:?}"
            );
            assert!(
                y - 0.8 * size >= r.y && y + 0.25 * size <= r.y + r.h,
                "{text:?} sticks out of {r:?}"
            );
        }
        assert!(node.texts[1].0.ends_with('%'));
    }
    // Edges are drawn before (behind) the nodes, one per prerequisite.
    let groups: Vec<&str> = doc
        .root_element()
        .children()
        .filter_map(|n| n.attribute("class"))
        .collect();
    let edges = groups.iter().position(|&c| c == "edges").expect("edges");
    let node_group = groups.iter().position(|&c| c == "nodes").expect("nodes");
    assert!(edges < node_group);
    let edge_count = doc
        .descendants()
        .find(|n| class_is(n, "g", "edges"))
        .unwrap()
        .children()
        .filter(|n| n.has_tag_name("path"))
        .count();
    assert_eq!(edge_count, curriculum.prerequisite_count());
    // The legend names the four statuses.
    let legend = doc
        .descendants()
        .find(|n| class_is(n, "g", "legend"))
        .expect("a legend");
    let labels: Vec<&str> = legend
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(
        labels,
        ["mastered", "almost there", "ready to learn", "not yet"]
    );
    assert_eq!(
        legend
            .descendants()
            .filter(|n| class_is(n, "rect", "swatch"))
            .count(),
        4
    );
    nodes
}

fn grade4() -> (Curriculum, Vec<usize>) {
    let ccss = Curriculum::ccss_math();
    let g4 = ccss
        .set_of(
            ccss.standards()
                .iter()
                .filter(|s| s.grade() == Some("4"))
                .map(|s| s.id()),
        )
        .unwrap();
    let sub = ccss
        .induced(&ccss.prerequisite_closure(&g4).unwrap())
        .unwrap();
    let columns = sub
        .standards()
        .iter()
        .enumerate()
        .filter(|(_, s)| s.grade() == Some("4"))
        .map(|(i, _)| i)
        .collect();
    (sub, columns)
}

/// Deterministic made-up mastery: stronger learners and shallower standards
/// score higher, plus seeded noise.
fn class_mastery(curriculum: &Curriculum, learners: usize) -> Array2<f64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let max_depth = curriculum
        .indices()
        .map(|v| curriculum.depth(v).unwrap())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut values = Array2::zeros((learners, curriculum.len()));
    for i in 0..learners {
        let ability = -2.0 + 4.0 * i as f64 / (learners.max(2) - 1) as f64;
        for v in curriculum.indices() {
            let depth = curriculum.depth(v).unwrap() as f64;
            let logit = 1.5 * ability + 3.0 - 6.0 * depth / max_depth + 2.0 * (uniform() - 0.5);
            values[[i, v.index()]] = 1.0 / (1.0 + (-logit).exp());
        }
    }
    values
}

fn learner_map(curriculum: &Curriculum, values: &[f64], title: &str) -> String {
    let mastered = curriculum
        .indices()
        .filter(|v| values[v.index()] >= 0.8)
        .collect();
    let status = MapStatus::from_mastered(curriculum, &mastered).unwrap();
    export::mastery_map_svg(curriculum, values, &status, title).unwrap()
}

fn grade4_heatmap(learners: usize) -> (String, usize, usize) {
    let (sub, columns) = grade4();
    let all = class_mastery(&sub, learners);
    let values = all.select(ndarray::Axis(1), &columns).mapv(|v| v as f32);
    let rows: Vec<String> = (1..=learners).map(|i| format!("Learner {i:02}")).collect();
    let labels: Vec<String> = columns
        .iter()
        .map(|&j| sub.standards()[j].id().to_owned())
        .collect();
    let svg =
        export::heatmap_svg(&rows, &labels, values.view(), "Grade 4: mastery by learner").unwrap();
    (svg, learners, columns.len())
}

#[test]
fn grade4_map_has_separate_boxes_and_fitting_labels() {
    let (sub, _) = grade4();
    let values = class_mastery(&sub, 30);
    let row = values.row(7).to_vec();
    let svg = learner_map(&sub, &row, "Grade 4 and prerequisites");
    let nodes = check_map(&sub, &svg);
    // Left to right by depth: every prerequisite's box is left of its dependent's.
    for (from, to) in sub.prerequisite_edges() {
        assert!(nodes[from.index()].rect.x + nodes[from.index()].rect.w < nodes[to.index()].rect.x);
    }
    for (node, value) in nodes.iter().zip(&row) {
        assert_eq!(node.texts[1].0, format!("{:.0}%", value * 100.0));
    }
    assert_eq!(
        svg,
        learner_map(&sub, &row, "Grade 4 and prerequisites"),
        "deterministic"
    );
}

#[test]
fn whole_ccss_map_has_separate_boxes_and_fitting_labels() {
    let ccss = Curriculum::ccss_math();
    let values: Vec<f64> = (0..ccss.len()).map(|i| (i % 101) as f64 / 100.0).collect();
    let svg = learner_map(&ccss, &values, "Common Core math");
    check_map(&ccss, &svg);
}

#[test]
fn text_is_escaped() {
    let nasty = ["a&b", "<script>", "say \"hi\"", "it's", "x > y & z < w"];
    let c = Curriculum::builder()
        .standards(nasty.iter().map(|id| {
            Standard::new(*id)
                .unwrap()
                .with_description(format!("desc of {id} & <more>"))
        }))
        .prerequisite("a&b", "<script>")
        .prerequisite("<script>", "say \"hi\"")
        .prerequisite("a&b", "x > y & z < w")
        .build()
        .unwrap();
    let status = vec![MapStatus::Ready; c.len()];
    let title = "Map of <\"'&'\">";
    let svg = export::mastery_map_svg(&c, &[0.5; 5], &status, title).unwrap();
    let nodes = check_map(&c, &svg);
    for (node, id) in nodes.iter().zip(nasty) {
        assert_eq!(node.texts[0].0, id);
        assert!(node.tooltip.contains(&format!("desc of {id} & <more>")));
    }
    let (doc, _) = parse(&svg);
    assert!(
        doc.descendants()
            .any(|n| class_is(&n, "text", "title") && n.text() == Some(title))
    );

    let rows: Vec<String> = nasty.iter().map(|s| s.to_string()).collect();
    let values = Array2::from_elem((5, 5), 0.25);
    let svg = export::heatmap_svg(&rows, &rows, values.view(), title).unwrap();
    let (doc, _) = parse(&svg);
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| class_is(n, "text", "row-label"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(labels, nasty);
    let tips: Vec<&str> = doc
        .descendants()
        .filter(|n| class_is(n, "rect", "cell"))
        .filter_map(|n| n.first_element_child().and_then(|t| t.text()))
        .collect();
    assert_eq!(tips[1], "a&b, <script>: 25%");
    // Characters XML does not allow are replaced, not written.
    let svg = export::heatmap_svg(
        &["bell\u{7}".to_owned()],
        &["ok".to_owned()],
        Array2::zeros((1, 1)).view(),
        "nul\u{0}",
    )
    .unwrap();
    parse(&svg);
}

#[test]
fn long_ids_are_cut_to_fit() {
    let long = format!("{}-end", "very-long-standard-id".repeat(4));
    let c = Curriculum::builder()
        .standard_ids([long.as_str(), "B"])
        .unwrap()
        .prerequisite(long.as_str(), "B")
        .build()
        .unwrap();
    let svg = export::mastery_map_svg(
        &c,
        &[1.0, 0.0],
        &[MapStatus::Mastered, MapStatus::Ready],
        "",
    )
    .unwrap();
    let nodes = check_map(&c, &svg);
    assert!(nodes[0].texts[0].0.ends_with('…'));
    assert!(
        nodes[0].tooltip.starts_with(&long),
        "the tooltip keeps the whole id"
    );
}

#[test]
fn empty_inputs_give_small_valid_pictures() {
    let empty = Curriculum::builder().build().unwrap();
    let svg = export::mastery_map_svg(&empty, &[], &[], "").unwrap();
    let (doc, view) = parse(&svg);
    // As wide as the legend of four statuses, no wider.
    assert!(view.w < 500.0 && view.h < 200.0, "{view:?}");
    assert_rects_inside(&doc, &view);
    check_map(&empty, &svg);

    let svg = export::heatmap_svg(&[], &[], Array2::zeros((0, 0)).view(), "Nobody yet").unwrap();
    let (doc, view) = parse(&svg);
    // As wide as the legend of four statuses, no wider.
    assert!(view.w < 500.0 && view.h < 200.0, "{view:?}");
    assert_rects_inside(&doc, &view);
    let svg =
        export::heatmap_svg(&["ada".to_owned()], &[], Array2::zeros((1, 0)).view(), "").unwrap();
    parse(&svg);
}

#[test]
fn heatmap_30_by_37() {
    let (svg, rows, columns) = grade4_heatmap(30);
    assert_eq!((rows, columns), (30, 37));
    let (doc, view) = parse(&svg);
    assert_rects_inside(&doc, &view);

    let cells: Vec<Node> = doc
        .descendants()
        .filter(|n| class_is(n, "rect", "cell"))
        .collect();
    assert_eq!(cells.len(), 1_110);
    let first = cells[0].first_element_child().unwrap();
    assert_eq!(first.tag_name().name(), "title");
    let tip = first.text().unwrap();
    assert!(
        tip.starts_with("Learner 01, 4.") && tip.ends_with('%'),
        "{tip}"
    );
    let rects: Vec<Rect> = cells.iter().map(|n| Rect::of(*n)).collect();
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            assert!(!a.overlaps(b));
        }
    }

    // Row labels: left of the grid, inside the picture, one per row.
    let grid_left = rects.iter().map(|r| r.x).fold(f64::INFINITY, f64::min);
    let grid_top = rects.iter().map(|r| r.y).fold(f64::INFINITY, f64::min);
    let row_labels: Vec<Node> = doc
        .descendants()
        .filter(|n| class_is(n, "text", "row-label"))
        .collect();
    assert_eq!(row_labels.len(), 30);
    for label in &row_labels {
        assert_text_inside(*label, &view);
        assert!(num(*label, "x") <= grid_left);
    }

    // Column labels: rotated -45 degrees about their anchors, anchors at
    // least one font height apart across the label direction, above the
    // grid, and the far end of each label inside the picture.
    let column_labels: Vec<Node> = doc
        .descendants()
        .filter(|n| class_is(n, "text", "column-label"))
        .collect();
    assert_eq!(column_labels.len(), 37);
    let (sin, cos) = (-45f64).to_radians().sin_cos();
    let mut anchors = Vec::new();
    for label in &column_labels {
        let (x, y, size) = (num(*label, "x"), num(*label, "y"), num(*label, "font-size"));
        assert_eq!(
            label.attribute("transform"),
            Some(format!("rotate(-45 {x} {y})").as_str())
        );
        assert!(y <= grid_top);
        let len = estimated_width(label.text().unwrap(), size);
        let (end_x, end_y) = (x + len * cos, y + len * sin);
        // The glyphs stand about 0.8 em above the baseline, across it.
        let (top_x, top_y) = (end_x + 0.8 * size * sin, end_y - 0.8 * size * cos);
        assert!(
            view.contains_point(end_x, end_y) && view.contains_point(top_x, top_y),
            "{:?}",
            label.text()
        );
        assert!(cell_fits_font(size, &rects[0]));
        anchors.push((x, y, size));
    }
    for pair in anchors.windows(2) {
        let (dx, dy) = (pair[1].0 - pair[0].0, pair[1].1 - pair[0].1);
        let across = (dx * sin - dy * cos).abs();
        assert!(
            across >= pair[0].2,
            "adjacent column labels {across} px apart"
        );
    }

    // The color legend: a gradient with the RdYlGn end points and 5 ticks.
    let stops: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("stop"))
        .filter_map(|n| n.attribute("stop-color"))
        .collect();
    assert_eq!(stops, ["#d73027", "#ffffbf", "#1a9850"]);
    let legend = doc
        .descendants()
        .find(|n| class_is(n, "g", "legend"))
        .expect("a legend");
    let ticks: Vec<&str> = legend
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(ticks, ["Mastery", "0%", "25%", "50%", "75%", "100%"]);
    for text in legend.descendants().filter(|n| n.has_tag_name("text")) {
        assert_text_inside(text, &view);
    }
    let title = doc
        .descendants()
        .find(|n| class_is(n, "text", "title"))
        .unwrap();
    assert_text_inside(title, &view);
}

/// Cells are at least one font height wide.
fn cell_fits_font(font_size: f64, cell: &Rect) -> bool {
    cell.w >= font_size
}

#[test]
fn heatmap_colors_follow_the_scale() {
    let rows = vec!["ada".to_owned()];
    let columns: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
    let values = Array2::from_shape_vec((1, 3), vec![0.0, 0.5, 1.0]).unwrap();
    let svg = export::heatmap_svg(&rows, &columns, values.view(), "").unwrap();
    let (doc, _) = parse(&svg);
    let fills: Vec<&str> = doc
        .descendants()
        .filter(|n| class_is(n, "rect", "cell"))
        .filter_map(|n| n.attribute("fill"))
        .collect();
    assert_eq!(fills, ["#d73027", "#ffffbf", "#1a9850"]);
    let dot = export::to_dot(
        &Curriculum::builder()
            .standard_ids(["x"])
            .unwrap()
            .build()
            .unwrap(),
        &export::DotOptions::new().values(&[0.5]),
    )
    .unwrap();
    assert!(dot.contains("#ffffbf"), "the DOT export is still reachable");
}

#[test]
fn heatmap_errors() {
    let rows: Vec<String> = vec!["ada".into(), "bo".into()];
    let columns: Vec<String> = vec!["A".into(), "B".into(), "C".into()];
    let ok = Array2::from_elem((2, 3), 0.5);
    let err = export::heatmap_svg(&rows[..1], &columns, ok.view(), "").unwrap_err();
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err}"
    );
    let err = export::heatmap_svg(&rows, &columns[..2], ok.view(), "").unwrap_err();
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = export::heatmap_svg(&rows, &columns, ok.t(), "").unwrap_err();
    assert!(matches!(err, Error::SizeMismatch { .. }), "{err}");
    for bad in [f32::NAN, -0.01, 1.01, f32::NEG_INFINITY] {
        let mut values = ok.clone();
        values[[1, 2]] = bad;
        let err = export::heatmap_svg(&rows, &columns, values.view(), "").unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("`bo`") && message.contains("`C`"),
            "{message}"
        );
    }
}

#[test]
fn map_errors() {
    let c = Curriculum::builder()
        .standard_ids(["A", "B"])
        .unwrap()
        .prerequisite("A", "B")
        .build()
        .unwrap();
    let status = [MapStatus::Mastered, MapStatus::Ready];
    let err = export::mastery_map_svg(&c, &[0.5], &status, "").unwrap_err();
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err}"
    );
    let err = export::mastery_map_svg(&c, &[0.5, 0.5], &status[..1], "").unwrap_err();
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err}"
    );
    let err = export::mastery_map_svg(&c, &[0.5, 2.0], &status, "").unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }));
    assert!(err.to_string().contains("`B`"), "{err}");
}

#[test]
fn status_labels_and_serde() {
    assert_eq!(MapStatus::Mastered.label(), "mastered");
    assert_eq!(MapStatus::Ready.label(), "ready to learn");
    assert_eq!(MapStatus::NotYet.label(), "not yet");
    let back: MapStatus = serde_json::from_str("\"not_yet\"").unwrap();
    assert_eq!(back, MapStatus::NotYet);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random DAGs: boxes never overlap and every edge runs left to right.
    #[test]
    fn random_dags_lay_out_cleanly(n in 1usize..40, edges in prop::collection::vec((0usize..40, 0usize..40), 0..80), seed in 0u64..1000) {
        let ids: Vec<String> = (0..n).map(|i| format!("S{}", (i as u64 * 7919 + seed) % 100_000)).collect();
        let mut pairs: Vec<(usize, usize)> = edges.into_iter().map(|(a, b)| (a % n, b % n)).filter(|(a, b)| a < b).collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut builder = Curriculum::builder().standard_ids(ids.iter().cloned()).unwrap();
        for &(a, b) in &pairs {
            builder = builder.prerequisite(ids[a].clone(), ids[b].clone());
        }
        let Ok(c) = builder.build() else { return Ok(()) }; // duplicate ids
        let values: Vec<f64> = (0..n).map(|i| ((i as u64 + seed) % 11) as f64 / 10.0).collect();
        let status = vec![MapStatus::NotYet; n];
        let svg = export::mastery_map_svg(&c, &values, &status, "random").unwrap();
        let nodes = check_map(&c, &svg);
        for (from, to) in c.prerequisite_edges() {
            prop_assert!(nodes[from.index()].rect.x < nodes[to.index()].rect.x);
        }
    }
}

#[test]
fn estimates_just_below_the_bar_are_almost_not_not_yet() {
    let c = Curriculum::builder()
        .standard_ids(["A", "B", "C", "D"])
        .unwrap()
        .prerequisite("A", "B")
        .prerequisite("B", "C")
        .prerequisite("C", "D")
        .build()
        .unwrap();
    let bar = 0.95;
    let mastery = [0.99, 0.93, 0.92, 0.5];
    let status = MapStatus::from_estimates(&c, &mastery, bar).unwrap();
    // 92-94% with a bar of 95% is almost there, whatever the prerequisites.
    assert_eq!(
        status,
        [
            MapStatus::Mastered,
            MapStatus::Almost,
            MapStatus::Almost,
            MapStatus::NotYet
        ]
    );
    let just_outside = bar - export::ALMOST_BELOW_BAR - 0.001;
    let status = MapStatus::from_estimates(&c, &[0.99, just_outside, 0.1, 0.1], bar).unwrap();
    assert_eq!(status[1], MapStatus::Ready);
    assert_eq!(MapStatus::Almost.label(), "almost there");
    assert_eq!(
        serde_json::to_string(&MapStatus::Almost).unwrap(),
        "\"almost\""
    );
    // The legend names it and the map colors the box apart from "not yet".
    let svg = export::mastery_map_svg(
        &c,
        &mastery,
        &MapStatus::from_estimates(&c, &mastery, bar).unwrap(),
        "t",
    )
    .unwrap();
    assert!(svg.contains("almost there"), "{svg}");
    assert!(matches!(
        MapStatus::from_estimates(&c, &[0.5; 3], bar),
        Err(Error::SizeMismatch { .. })
    ));
    assert!(MapStatus::from_estimates(&c, &mastery, f64::NAN).is_err());
}
