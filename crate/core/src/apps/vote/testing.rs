//! Builders for the tests: a counting method with its parameters in one
//! value, turned into the manifest's [`VoteSchema`] and a [`Policy`].

use super::{Reveal, VoteMethod, VoteSchema};
use crate::apps::{Computation, Policy, SessionKind};

/// A counting method with its parameters (test shorthand for a schema).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Method {
    Plurality,
    Approval { max: Option<u32> },
    Score { max: u32 },
    Borda,
    Irv,
}

impl Method {
    /// The schema of this method over `options`, revealing the tally.
    pub(crate) fn schema(&self, options: Vec<String>) -> VoteSchema {
        let (method, max_approvals, max_score) = match *self {
            Method::Plurality => (VoteMethod::Plurality, None, None),
            Method::Approval { max } => (VoteMethod::Approval, max, None),
            Method::Score { max } => (VoteMethod::Score, None, Some(max)),
            Method::Borda => (VoteMethod::Borda, None, None),
            Method::Irv => (VoteMethod::Irv, None, None),
        };
        VoteSchema {
            method,
            options,
            reveal: Reveal::Tally,
            max_approvals,
            max_score,
        }
    }
}

/// A vote as the tests describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VoteSpec {
    pub(crate) method: Method,
    pub(crate) options: Vec<String>,
    pub(crate) winner_only: bool,
    pub(crate) min_submissions: u64,
    pub(crate) dp_milli: Option<u32>,
}

impl VoteSpec {
    pub(crate) fn schema(&self) -> VoteSchema {
        let mut s = self.method.schema(self.options.clone());
        if self.winner_only {
            s.reveal = Reveal::Winner;
        }
        s
    }

    pub(crate) fn policy(&self) -> Policy {
        Policy {
            min_submissions: self.min_submissions,
            min_cell: None,
            dp_milli: self.dp_milli,
        }
    }

    pub(crate) fn computation(&self) -> Computation {
        Computation::new(SessionKind::Vote(self.schema()), self.policy())
    }
}

/// Option names "A", "B", ... (`n` of them, n <= 26).
pub(crate) fn letters(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| char::from(b'A' + i as u8).to_string())
        .collect()
}
