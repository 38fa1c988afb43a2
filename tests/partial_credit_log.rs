//! Issue 17.7: the evidence log reader took only 0 and 1 although the API
//! takes partial credit; a score of 0.5 in the `correct` column is now
//! `Outcome::Partial`, and replaying it lands between a wrong and a right
//! answer.

use mastery::evidence::{ResponseColumns, read_responses};
use mastery::learner::predict_responses;
use mastery::{BktParams, Curriculum, Model};

fn mastery_after(score: &str) -> f64 {
    let skills = Curriculum::builder()
        .standard_ids(["Median"])
        .unwrap()
        .build()
        .unwrap();
    let model = Model::plain_bkt(skills, [("Median".to_owned(), BktParams::default())]).unwrap();
    // A prediction's `p_mastery` is the mastery after its row.
    let log = format!("order_id,user_id,skill_name,correct\n1,u1,Median,{score}\n");
    let rows = read_responses("log.csv", log.as_bytes(), &ResponseColumns::default()).unwrap();
    predict_responses(&model, &rows).unwrap()[0].p_mastery
}

#[test]
fn half_credit_lands_between_a_wrong_and_a_right_answer() {
    let (wrong, half, right) = (mastery_after("0"), mastery_after("0.5"), mastery_after("1"));
    assert!(wrong < half && half < right, "{wrong} {half} {right}");
    let (quarter, three_quarters) = (mastery_after("0.25"), mastery_after("0.75"));
    assert!(wrong < quarter && quarter < half && half < three_quarters && three_quarters < right);
}
