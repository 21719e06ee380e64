//! Surveys: question schemas, answer encodings and per-question results.
//!
//! Encoding of one answer, question by question (`a` = "answered" bit;
//! required questions add the constraint a = 1):
//!
//! | type | entries | valid when |
//! |---|---|---|
//! | choice, yesno, rating | one-hot over [skip?, option 1, ..., option k] | bits, sum = 1 (skip slot only for optional questions) |
//! | multi | a, k option bits, w bits spelling `max * a - selected` | bits, spelled (so nothing is selected when skipped) |
//! | number | a, y, w bits of y, w bits of `R * a - y` | bits, spelled: y in [0, R], and y = 0 when skipped |
//! | number with bucket edges | a, y, w bits of y, one-hot cell bits c, w bits of `sum c_i (B_(i+1) - 1) - y`, w bits of `y - sum c_i B_i` | bits, `sum c = a`, spelled: y in its cell `[B_i, B_(i+1))` (so in [0, R]), and y = 0 when skipped |
//!
//! Every answer ends with the proof that its bits are bits
//! ([`crate::apps::bit_proof`]).
//!
//! For numbers, x = lo + y / 10^decimals and R = (hi - lo) * 10^decimals:
//! fixed point, exact. Results per question: `count` (answered), and as
//! fits the type `histogram`, `sum`, `mean`, `median`, `quartiles`.
//! Quartiles use linear interpolation between order statistics (the
//! "type 7" rule of R and NumPy): for n answers the q-quantile is
//! x(h) with h = (n - 1) q, interpolating between ranks floor(h) and
//! ceil(h). So the median of an even count is the mean of the two middle
//! values. Order statistics are exact (see [`super::quantile`]).

pub mod tally;
#[cfg(test)]
mod tests;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Value, json};

use crate::apps::validity::{Constraint, Encoding};
use crate::apps::{AnswerError, bits_for};
use crate::field::Fp;

/// Largest number of questions in a survey.
pub const MAX_QUESTIONS: usize = 100;
/// Largest number of options of a choice question.
pub const MAX_OPTIONS: usize = 64;

/// A survey: an ordered list of questions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurveySchema {
    /// The questions, with distinct ids.
    pub questions: Vec<Question>,
    /// Pairs of choice (or yes/no) question ids to cross-tabulate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crosstabs: Vec<(String, String)>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Identifier used in answers and results.
    pub id: String,
    /// The question as shown to participants.
    pub text: String,
    /// More about the question, shown under it (optional; at most
    /// [`MAX_QUESTION_DESCRIPTION_CHARS`](crate::session::MAX_QUESTION_DESCRIPTION_CHARS)
    /// characters, line breaks allowed; checked by `Manifest::validate`).
    /// Absent from the encoding when `None`, so manifests without one keep
    /// their hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What kind of answer it takes.
    pub answer: AnswerKind,
    /// Whether a participant may skip it.
    #[serde(default)]
    pub optional: bool,
}

/// The type of a question's answer.
///
/// Written with its `type` tag first; read by a hand-written
/// [`Deserialize`] through one flat set of fields (`AnswerFields`),
/// whatever the order of the keys (a draft's schema comes through
/// `serde_json`'s sorted maps, tag last). serde's derived internally
/// tagged reader would buffer every answer through its `Content` type: a
/// second deserializer for the whole schema, about 20 KB of each wasm
/// module (docs/wasm.md). Keys of other types are ignored, as before, but
/// must have their own type's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum AnswerKind {
    /// A number in [min, max] with `decimals` digits after the point.
    Number {
        /// Smallest allowed answer (in units of 10^-decimals).
        min: i64,
        /// Largest allowed answer (in units of 10^-decimals).
        max: i64,
        /// Digits after the decimal point (0 for integers).
        #[serde(default)]
        decimals: u8,
        /// Histogram bucket edges (ascending, in the same units), if any:
        /// bucket i counts answers in `[edges[i], edges[i+1])`, the last
        /// bucket `[edges[last], max]`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buckets: Vec<i64>,
    },
    /// One option among several.
    Choice {
        /// The options.
        options: Vec<String>,
    },
    /// Any number of options, at most `max_selections` when given.
    Multi {
        /// The options.
        options: Vec<String>,
        /// Largest number of selections.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_selections: Option<u32>,
    },
    /// An integer rating 1..=scale.
    Rating {
        /// Highest rating.
        scale: u32,
    },
    /// Yes or no.
    Yesno,
}

/// The `type` tag of [`AnswerKind`].
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum AnswerType {
    Number,
    Choice,
    Multi,
    Rating,
    Yesno,
}

/// Every key an [`AnswerKind`] may have; each type takes its own.
#[derive(Deserialize)]
struct AnswerFields {
    #[serde(rename = "type")]
    kind: Option<AnswerType>,
    #[serde(default, deserialize_with = "present")]
    min: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    max: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    decimals: Option<u8>,
    #[serde(default, deserialize_with = "present")]
    buckets: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "present")]
    options: Option<Vec<String>>,
    // `null` reads as absent, as for the derived `Option<u32>` field.
    #[serde(default)]
    max_selections: Option<u32>,
    #[serde(default, deserialize_with = "present")]
    scale: Option<u32>,
}

/// A field that, when present, must hold a `T` (`null` is refused).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `v`, or serde's "missing field" error.
fn need<T, E: serde::de::Error>(v: Option<T>, name: &'static str) -> Result<T, E> {
    v.ok_or_else(|| E::missing_field(name))
}

impl<'de> Deserialize<'de> for AnswerKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AnswerKind, D::Error> {
        let f = AnswerFields::deserialize(d)?;
        Ok(match f.kind {
            None => return Err(D::Error::missing_field("type")),
            Some(AnswerType::Number) => AnswerKind::Number {
                min: need(f.min, "min")?,
                max: need(f.max, "max")?,
                decimals: f.decimals.unwrap_or_default(),
                buckets: f.buckets.unwrap_or_default(),
            },
            Some(AnswerType::Choice) => AnswerKind::Choice {
                options: need(f.options, "options")?,
            },
            Some(AnswerType::Multi) => AnswerKind::Multi {
                options: need(f.options, "options")?,
                max_selections: f.max_selections,
            },
            Some(AnswerType::Rating) => AnswerKind::Rating {
                scale: need(f.scale, "scale")?,
            },
            Some(AnswerType::Yesno) => AnswerKind::Yesno,
        })
    }
}

impl Question {
    /// The option labels of one-hot questions (choice, rating, yesno).
    pub fn labels(&self) -> Option<Vec<String>> {
        match &self.answer {
            AnswerKind::Choice { options } => Some(options.clone()),
            AnswerKind::Rating { scale } => Some((1..=*scale).map(|r| r.to_string()).collect()),
            AnswerKind::Yesno => Some(vec!["no".into(), "yes".into()]),
            _ => None,
        }
    }

    /// Integer range width R of a number question, in fixed-point units.
    pub(crate) fn number_range(&self) -> Option<(i64, u64)> {
        match &self.answer {
            AnswerKind::Number { min, max, .. } => Some((*min, max.abs_diff(*min))),
            _ => None,
        }
    }

    /// A number question with bucket edges: the bounds of its cells in
    /// units above min, `0 = B_0 < B_1 < .. < B_c = range + 1`, where
    /// `B_1 ..` are the edges above min. Cell i holds `B_i <= y < B_(i+1)`;
    /// the buckets shown are the cells from the first edge up (below it,
    /// cell 0 when the first edge is above min, is not a bucket).
    pub(crate) fn cell_bounds(&self) -> Option<Vec<u64>> {
        let AnswerKind::Number {
            min, max, buckets, ..
        } = &self.answer
        else {
            return None;
        };
        if buckets.is_empty() {
            return None;
        }
        let mut bounds = vec![0];
        bounds.extend(buckets.iter().map(|b| b.abs_diff(*min)).filter(|t| *t > 0));
        bounds.push(max.abs_diff(*min) + 1);
        Some(bounds)
    }
}

impl SurveySchema {
    /// Checks ids, options, bounds and cross-tab references.
    pub fn validate(&self) -> Result<(), String> {
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(format!(
                "a survey has between 1 and {MAX_QUESTIONS} questions"
            ));
        }
        for (i, q) in self.questions.iter().enumerate() {
            if q.id.is_empty()
                || q.id.len() > 64
                || self.questions[..i].iter().any(|p| p.id == q.id)
            {
                return Err(format!(
                    "question id {:?} must be 1 to 64 characters and unique",
                    q.id
                ));
            }
            match &q.answer {
                AnswerKind::Number {
                    min,
                    max,
                    decimals,
                    buckets,
                } => {
                    if min > max || *decimals > 6 || max.abs_diff(*min) >= 1 << 48 {
                        return Err(format!(
                            "question {}: need min <= max, at most 6 decimals, range below 2^48",
                            q.id
                        ));
                    }
                    if buckets.windows(2).any(|w| w[0] >= w[1])
                        || buckets.iter().any(|b| b < min || b > max)
                    {
                        return Err(format!(
                            "question {}: bucket edges must ascend within [min, max]",
                            q.id
                        ));
                    }
                }
                AnswerKind::Choice { options } | AnswerKind::Multi { options, .. } => {
                    if options.is_empty() || options.len() > MAX_OPTIONS {
                        return Err(format!(
                            "question {}: between 1 and {MAX_OPTIONS} options",
                            q.id
                        ));
                    }
                    if options
                        .iter()
                        .enumerate()
                        .any(|(i, o)| options[..i].contains(o))
                    {
                        return Err(format!("question {}: options must be distinct", q.id));
                    }
                }
                AnswerKind::Rating { scale } if !(2..=100).contains(scale) => {
                    return Err(format!(
                        "question {}: a rating scale runs from 2 to 100",
                        q.id
                    ));
                }
                _ => {}
            }
        }
        for (a, b) in &self.crosstabs {
            for id in [a, b] {
                if self.question(id).and_then(|q| q.labels()).is_none() {
                    return Err(format!(
                        "cross-tab needs two choice, rating or yes/no questions, not {id:?}"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }
}

/// Where one question's entries sit in the encoded vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Start of the question's segment.
    pub at: usize,
    /// One-hot questions: index of the first option slot.
    pub first_option: usize,
    /// Number and multi questions: index of the "answered" bit.
    pub answered: Option<usize>,
    /// Number questions: index of y and of its first bit, and the bit width.
    pub number: Option<(usize, usize, u32)>,
    /// Number questions with bucket edges: index of the first of the
    /// one-hot cell bits (cells as `Question::cell_bounds` gives them).
    pub cells: Option<usize>,
}

/// The encoding of a whole survey answer, and each question's layout.
pub fn encoding(schema: &SurveySchema) -> (Encoding, Vec<Layout>) {
    let mut e = Encoding::default();
    let mut layouts = Vec::new();
    for q in &schema.questions {
        let at = e.len;
        let mut layout = Layout {
            at,
            first_option: at,
            answered: None,
            number: None,
            cells: None,
        };
        if let Some(labels) = q.labels() {
            let slots = labels.len() + q.optional as usize;
            e.alloc(slots);
            e.bits(at, slots);
            e.sum_is(at, slots, 1);
            layout.first_option = at + q.optional as usize;
        } else {
            let a = e.alloc(1);
            e.bits(a, 1);
            if !q.optional {
                e.sum_is(a, 1, 1);
            }
            layout.answered = Some(a);
            match &q.answer {
                AnswerKind::Multi {
                    options,
                    max_selections,
                } => {
                    let k = options.len();
                    let first = e.alloc(k);
                    e.bits(first, k);
                    layout.first_option = first;
                    let max = max_selections.map_or(k as u64, |m| (m as u64).min(k as u64));
                    let mut terms: Vec<(usize, Fp)> = vec![(a, Fp::from(max))];
                    terms.extend((first..first + k).map(|i| (i, -Fp::ONE)));
                    e.spelled_by_bits(terms, Fp::ZERO, bits_for(max));
                }
                _ => {
                    let (_, range) = q.number_range().unwrap_or((0, 0));
                    let w = bits_for(range);
                    let y = e.alloc(1);
                    let bits = e.spelled_by_bits(vec![(y, Fp::ONE)], Fp::ZERO, w);
                    match q.cell_bounds() {
                        // y <= a * range (so y = 0 when unanswered).
                        None => {
                            e.spelled_by_bits(
                                vec![(a, Fp::from(range)), (y, -Fp::ONE)],
                                Fp::ZERO,
                                w,
                            );
                        }
                        Some(bounds) => layout.cells = Some(bucket_cells(&mut e, a, y, w, &bounds)),
                    }
                    layout.number = Some((y, bits, w));
                }
            }
        }
        layouts.push(layout);
    }
    (e.with_bit_proof(), layouts)
}

/// Adds the one-hot bucket of a number answer y (in units above min) to
/// the encoding, with the constraints that prove it is y's bucket:
/// `sum_i c_i = a` (one cell when answered, none otherwise) and
/// `B_i <= y <= B_(i+1) - 1` for the cell i set, as two slacks spelled by
/// w bits: `sum_i c_i (B_(i+1) - 1) - y` (which also bounds y by the
/// range, and makes y = 0 when unanswered) and `y - sum_i c_i B_i`.
/// Returns the index of the first cell bit. The committee then counts a
/// bucket by adding its cell bits, without a message.
fn bucket_cells(e: &mut Encoding, a: usize, y: usize, w: u32, bounds: &[u64]) -> usize {
    let c = bounds.len() - 1;
    let cells = e.alloc(c);
    e.bits(cells, c);
    let mut one = vec![(a, -Fp::ONE)];
    one.extend((cells..cells + c).map(|i| (i, Fp::ONE)));
    e.constraints.push(Constraint::Linear {
        terms: one,
        constant: Fp::ZERO,
    });
    let mut upper = vec![(y, -Fp::ONE)];
    upper.extend((0..c).map(|i| (cells + i, Fp::from(bounds[i + 1] - 1))));
    e.spelled_by_bits(upper, Fp::ZERO, w);
    let mut lower = vec![(y, Fp::ONE)];
    lower.extend((0..c).map(|i| (cells + i, -Fp::from(bounds[i]))));
    e.spelled_by_bits(lower, Fp::ZERO, w);
    cells
}

/// Encodes a participant's answers: `{"q1": "B", "q2": 42.5, "q3": ["x"],
/// "q4": true, "q5": 4}`; optional questions may be left out or `null`.
pub fn encode(schema: &SurveySchema, answers: &Value) -> Result<Vec<Fp>, AnswerError> {
    let obj = answers
        .as_object()
        .ok_or_else(|| AnswerError::Invalid("answers must be an object of question ids".into()))?;
    if let Some(extra) = obj.keys().find(|k| schema.question(k).is_none()) {
        return Err(AnswerError::Invalid(format!(
            "there is no question {extra:?}"
        )));
    }
    let (enc, layouts) = encoding(schema);
    let mut x = vec![Fp::ZERO; enc.len];
    for (q, l) in schema.questions.iter().zip(&layouts) {
        let answer = obj.get(&q.id).filter(|v| !v.is_null());
        let Some(answer) = answer else {
            if !q.optional {
                return Err(AnswerError::Missing(q.id.clone()));
            }
            if q.labels().is_some() {
                x[l.at] = Fp::ONE; // the skip slot
            }
            // Multi and number: everything stays zero, which is valid.
            continue;
        };
        let bad = |what: String| AnswerError::Invalid(format!("question {}: {what}", q.id));
        match &q.answer {
            AnswerKind::Choice { options } => {
                let s = answer
                    .as_str()
                    .ok_or_else(|| bad("pick one option".into()))?;
                let i = options
                    .iter()
                    .position(|o| o == s)
                    .ok_or_else(|| AnswerError::UnknownOption(s.into()))?;
                x[l.first_option + i] = Fp::ONE;
            }
            AnswerKind::Yesno => {
                let b = answer
                    .as_bool()
                    .ok_or_else(|| bad("answer true or false".into()))?;
                x[l.first_option + b as usize] = Fp::ONE;
            }
            AnswerKind::Rating { scale } => {
                let r = answer.as_u64().filter(|r| (1..=*scale as u64).contains(r));
                let r = r.ok_or_else(|| {
                    AnswerError::OutOfRange(format!("question {}: rate from 1 to {scale}", q.id))
                })?;
                x[l.first_option + r as usize - 1] = Fp::ONE;
            }
            AnswerKind::Multi {
                options,
                max_selections,
            } => {
                let list = answer
                    .as_array()
                    .ok_or_else(|| bad("give a list of options".into()))?;
                let max = max_selections
                    .map_or(options.len(), |m| m as usize)
                    .min(options.len());
                if list.len() > max {
                    return Err(bad(format!("select at most {max} options")));
                }
                for item in list {
                    let s = item
                        .as_str()
                        .ok_or_else(|| bad("options are strings".into()))?;
                    let i = options
                        .iter()
                        .position(|o| o == s)
                        .ok_or_else(|| AnswerError::UnknownOption(s.into()))?;
                    if x[l.first_option + i] == Fp::ONE {
                        return Err(bad(format!("{s:?} is selected twice")));
                    }
                    x[l.first_option + i] = Fp::ONE;
                }
                let a = l.answered.unwrap_or(l.at);
                x[a] = Fp::ONE;
                let spell_at = l.first_option + options.len();
                Encoding::spell(
                    &mut x[spell_at..spell_at + bits_for(max as u64) as usize],
                    (max - list.len()) as u64,
                );
            }
            AnswerKind::Number {
                min, max, decimals, ..
            } => {
                let v = answer.as_f64().ok_or_else(|| bad("give a number".into()))?;
                let scaled = v * 10f64.powi(*decimals as i32);
                let units = scaled.round();
                if (units - scaled).abs() > 1e-6 * scaled.abs().max(1.0) {
                    return Err(bad(format!(
                        "use at most {decimals} digits after the decimal point"
                    )));
                }
                let units = units as i64;
                if units < *min || units > *max {
                    return Err(AnswerError::OutOfRange(format!(
                        "question {}: answer from {} to {}",
                        q.id,
                        decimal_string(*min, *decimals),
                        decimal_string(*max, *decimals)
                    )));
                }
                let (y, bits, w) = l.number.unwrap_or((0, 0, 0));
                let w = w as usize;
                let range = max.abs_diff(*min);
                let yv = units.abs_diff(*min);
                x[l.answered.unwrap_or(l.at)] = Fp::ONE;
                x[y] = Fp::from(yv);
                Encoding::spell(&mut x[bits..bits + w], yv);
                match (l.cells, q.cell_bounds()) {
                    (Some(cells), Some(b)) => {
                        // The cell i with B_i <= y < B_(i+1); its slacks.
                        let i = b.partition_point(|&edge| edge <= yv) - 1;
                        x[cells + i] = Fp::ONE;
                        let slack = cells + b.len() - 1;
                        Encoding::spell(&mut x[slack..slack + w], b[i + 1] - 1 - yv);
                        Encoding::spell(&mut x[slack + w..slack + 2 * w], yv - b[i]);
                    }
                    _ => Encoding::spell(&mut x[bits + w..bits + 2 * w], range - yv),
                }
            }
        }
    }
    enc.prove(&mut x);
    debug_assert!(enc.is_valid(&x));
    Ok(x)
}

/// Ranks needed for the type-7 quartiles of n values: (floor, ceil) of
/// (n - 1) q for q = 1/4, 1/2, 3/4.
pub fn quartile_ranks(n: u64) -> Vec<u64> {
    // Sorted and without repeats, by insertion (a library sort is several
    // KB of code in the WebAssembly member module, for six numbers).
    let mut ranks: Vec<u64> = Vec::with_capacity(6);
    for r in [1u64, 2, 3]
        .iter()
        .flat_map(|&q| [(n - 1) * q / 4, ((n - 1) * q).div_ceil(4)])
    {
        if let Err(at) = ranks.binary_search(&r) {
            ranks.insert(at, r);
        }
    }
    ranks
}

/// Type-7 quartiles from the order statistics at [`quartile_ranks`].
pub fn quartiles_from(n: u64, ranks: &[u64], values: &[f64]) -> [f64; 3] {
    let at = |r: u64| {
        ranks
            .iter()
            .position(|x| *x == r)
            .map_or(0.0, |i| values[i])
    };
    [1u64, 2, 3].map(|q| {
        let (lo, hi) = ((n - 1) * q / 4, ((n - 1) * q).div_ceil(4));
        let frac = ((n - 1) * q % 4) as f64 / 4.0;
        at(lo) + frac * (at(hi) - at(lo))
    })
}

/// A histogram object from labels and (possibly suppressed) counts.
pub fn histogram_json(labels: &[String], counts: &[Option<u64>]) -> Value {
    crate::apps::object(
        labels
            .iter()
            .zip(counts)
            .map(|(l, c)| (l.clone(), c.map_or(json!("suppressed"), |c| json!(c)))),
    )
}

/// Writes `units / 10^decimals` exactly, without trailing zeros
/// (`1250, 2` → `"12.5"`, `-5, 1` → `"-0.5"`, `300, 2` → `"3"`). Integer
/// arithmetic: exact for every value, and it keeps the float formatter
/// (about 25 KB) out of the wasm module.
pub fn decimal_string(units: i64, decimals: u8) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let digits = units.unsigned_abs().to_string();
    let d = usize::from(decimals);
    let (int, frac) = if digits.len() > d {
        digits.split_at(digits.len() - d)
    } else {
        ("0", digits.as_str())
    };
    let frac = format!("{frac:0>d$}");
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Converts a fixed-point offset back to the question's units.
pub fn to_units(min: i64, decimals: u8, y: f64) -> f64 {
    (min as f64 + y) / 10f64.powi(decimals as i32)
}
