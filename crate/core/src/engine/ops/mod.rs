//! The operations of the committee protocol, as `async` methods of
//! [`crate::engine::Ctx`] plus local (round-free) functions.
//!
//! | operation | online rounds | source |
//! |---|---|---|
//! | add, sub, scale, add_const, sum, prefix_sum | 0 | linearity of Shamir sharing |
//! | open, open_to | 1 | |
//! | mul, select (verified triples) | 1 | Beaver 1991 |
//! | square (verified square pairs) | 1 | |
//! | input | 1 | |
//! | triples, square pairs, random bits, masks, random sharings (`preprocess`) | 4 (5 the first time in a run), input-independent; one more only if the check fails (`audit`) | Lindell-Nof 2017, Damgard et al. 2006 |
//! | products by a fixed vector (`factor`, `factor_triples`, `mul_factor`) | 1 (triples: 4) | Beaver 1991, Lindell-Nof 2017 |
//! | lt, lt_public, eq, eq_public, bit_decompose on l bits | 1 + ceil(log2 l) | Catrina-de Hoogh 2010 |
//! | argmax over m values | lt + 1 + ceil(log2 ceil(log2 m)) | all-pairs, one layer |
//! | order statistics / median of m values | argmax + 1 | all-pairs ranks |

pub mod arith;
pub mod audit;
pub mod bits;
pub mod compare;
pub mod factor;
pub mod keys;
pub mod prep;
pub mod stats;
