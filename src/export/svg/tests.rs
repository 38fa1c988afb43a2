//! The pictures' structure, text fitting and layout invariants.

use super::map::{MapLayout, place};
use super::*;
use ndarray::Array2;

fn chain_and_fork() -> Curriculum {
    // A and B have no prerequisites; C needs B, D needs A. In index order
    // the edges A->D and B->C cross; ordering by prerequisites does not.
    Curriculum::builder()
        .standard_ids(["A", "B", "C", "D"])
        .unwrap()
        .prerequisite("B", "C")
        .prerequisite("A", "D")
        .build()
        .unwrap()
}

#[test]
fn escapes_markup_and_drops_invalid_characters() {
    assert_eq!(
        xml("a & b <c> \"d\" 'e'"),
        "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"
    );
    assert_eq!(xml("bell\u{7}\u{FFFE}"), "bell\u{FFFD}\u{FFFD}");
    assert_eq!(xml("line\nbreak"), "line\nbreak");
}

#[test]
fn numbers_have_at_most_one_decimal() {
    assert_eq!(Px(12.0).to_string(), "12");
    assert_eq!(Px(12.345).to_string(), "12.3");
    assert_eq!(Px(-0.01).to_string(), "0");
}

#[test]
fn long_text_is_cut_with_an_ellipsis() {
    let long = "x".repeat(100);
    let cut = fit_text(&long, 100.0, 10.0);
    assert!(cut.ends_with('…'));
    assert!(text_width(&cut, 10.0) <= 100.0);
    assert_eq!(fit_text("short", 100.0, 10.0), "short");
}

#[test]
fn placement_keeps_order_and_spacing() {
    let y = place([0.0, 0.0, 0.0, 100.0].into_iter(), 10.0);
    assert_eq!(y, [-10.0, 0.0, 10.0, 100.0]);
    let y = place([5.0, 6.0, 7.0].into_iter(), 10.0);
    for pair in y.windows(2) {
        assert!(pair[1] - pair[0] >= 10.0 - 1e-9);
    }
    assert!((y.iter().sum::<f64>() - 18.0).abs() < 1e-9); // centered on the mean
    assert!(place(std::iter::empty(), 10.0).is_empty());
}

#[test]
fn layout_orders_by_prerequisites() {
    let c = chain_and_fork();
    let layout = MapLayout::new(&c).unwrap();
    assert_eq!(layout.layer, [0, 0, 1, 1]);
    let idx = |id: &str| c.index_of(id).unwrap().index();
    // A above B, so D (after A) must be above C (after B): no crossing.
    assert!(layout.y[idx("A")] < layout.y[idx("B")]);
    assert!(layout.y[idx("D")] < layout.y[idx("C")]);
    assert_eq!(layout.height, 2.0 * NODE_H + NODE_V_GAP);
}

#[test]
fn layout_is_deterministic() {
    let ccss = Curriculum::ccss_math();
    let a = MapLayout::new(&ccss).unwrap();
    let b = MapLayout::new(&ccss).unwrap();
    assert_eq!(a.y, b.y);
    assert_eq!(a.layers, ccss.longest_chain().len());
}

#[test]
fn status_follows_the_fringe() {
    let c = chain_and_fork();
    let status = MapStatus::from_mastered(&c, &c.set_of(["A", "D"]).unwrap()).unwrap();
    use MapStatus::{Mastered, NotYet, Ready};
    assert_eq!(status, [Mastered, Ready, NotYet, Mastered]);
    let json = serde_json::to_string(&status).unwrap();
    assert_eq!(json, r#"["mastered","ready","not_yet","mastered"]"#);
}

#[test]
fn invalid_mastery_names_the_standard() {
    let c = chain_and_fork();
    let status = vec![MapStatus::NotYet; 4];
    for bad in [f64::NAN, -0.1, 1.5, f64::INFINITY] {
        let err = mastery_map_svg(&c, &[0.0, 0.0, bad, 0.0], &status, "").unwrap_err();
        assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
        assert!(err.to_string().contains("`C`"), "{err}");
    }
    let err = mastery_map_svg(&c, &[0.0; 4], &status[..3], "").unwrap_err();
    assert!(matches!(
        err,
        Error::SizeMismatch {
            expected: 4,
            found: 3,
            ..
        }
    ));
}

#[test]
fn invalid_heatmap_value_names_row_and_column() {
    let rows = vec!["ada".to_owned(), "bo".to_owned()];
    let columns = vec!["X".to_owned()];
    let mut values = Array2::from_elem((2, 1), 0.5);
    values[[1, 0]] = f32::NAN;
    let err = heatmap_svg(&rows, &columns, values.view(), "").unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }));
    let message = err.to_string();
    assert!(
        message.contains("`bo`") && message.contains("`X`"),
        "{message}"
    );
    let err = heatmap_svg(&rows, &[], values.view(), "").unwrap_err();
    assert!(matches!(
        err,
        Error::SizeMismatch {
            expected: 1,
            found: 0,
            ..
        }
    ));
}

#[test]
fn gradient_matches_the_dot_scale() {
    let svg = heatmap_svg(&[], &[], Array2::zeros((0, 0)).view(), "").unwrap();
    for stop in ["#d73027", "#ffffbf", "#1a9850"] {
        assert!(svg.contains(&format!("stop-color=\"{stop}\"")));
    }
}
