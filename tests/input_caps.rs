//! Issue 21.6: inputs had no size cap, so `/dev/zero` ran every reader out
//! of memory. A line past `MAX_LINE_BYTES` (or a file past
//! `MAX_INPUT_BYTES`) is `Error::InputTooLarge` naming the file.

use std::io::Read;

use mastery::evidence::{ResponseColumns, read_responses};
use mastery::{Catalog, CsvLoader, Curriculum, Error, MAX_LINE_BYTES};

fn assert_too_large(err: Error, file: &str) {
    match &err {
        Error::InputTooLarge {
            file: f,
            limit,
            what,
            offset,
        } => {
            assert_eq!(&**f, file);
            assert_eq!((*limit, *what, *offset), (MAX_LINE_BYTES, "a line", 0));
        }
        other => panic!("expected InputTooLarge, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("{file}: a line longer than 1048576 bytes, starting at byte 0")
    );
}

#[test]
fn endless_zeros_are_an_error_not_an_out_of_memory() {
    let zeros = || std::io::repeat(0);
    assert_too_large(
        CsvLoader::new()
            .standards_reader("zeros.csv", zeros())
            .load()
            .unwrap_err(),
        "zeros.csv",
    );
    assert_too_large(
        Catalog::from_csv(&Curriculum::ccss_math(), "zeros.csv", zeros()).unwrap_err(),
        "zeros.csv",
    );
    assert_too_large(
        read_responses("zeros.csv", zeros(), &ResponseColumns::default()).unwrap_err(),
        "zeros.csv",
    );
    #[cfg(feature = "fit")]
    assert_too_large(
        mastery::fit::Dataset::from_reader("zeros.csv", zeros(), &Default::default()).unwrap_err(),
        "zeros.csv",
    );
}

#[test]
fn a_long_line_after_good_ones_says_where_it_starts() {
    let good = "id\nA\nB\n";
    let input = good.as_bytes().chain(std::io::repeat(b'x'));
    let err = CsvLoader::new()
        .standards_reader("s.csv", input)
        .load()
        .unwrap_err();
    assert!(
        matches!(err, Error::InputTooLarge { offset, .. } if offset == good.len() as u64),
        "{err:?}"
    );
    // Long lines below the cap still load.
    let long_id = "x".repeat(100_000);
    let c = CsvLoader::new()
        .standards_reader("s.csv", format!("id\n{long_id}\n").as_bytes())
        .load()
        .unwrap();
    assert_eq!(c.standards()[0].id(), long_id);
}

#[cfg(all(unix, feature = "fit"))]
#[test]
fn dev_zero_as_a_path() {
    assert_too_large(
        mastery::fit::Dataset::from_path("/dev/zero", &Default::default()).unwrap_err(),
        "/dev/zero",
    );
}
