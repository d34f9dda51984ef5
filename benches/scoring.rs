//! Scoring 200 offers × 12 criteria × 10 evaluators (exact decimals, ranking with ties).
//! Target on the 2-core reference machine: under 10 ms.

use coordo::scoring::{score, test_cases::large_case};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 30)]
fn score_200_offers_12_criteria_10_evaluators(bencher: divan::Bencher) {
    let case = large_case(200, 10);
    bencher.bench_local(|| score(&case).expect("score").ranking.len());
}
