//! Offers and their scoring: the pure scoring engine (criteria tree, price formulas,
//! evaluators' notes, ranking, OAB flags, robustness panel).

pub mod scoring;
