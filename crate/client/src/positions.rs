//! The committee member's submissions by log position: a `Vec` sorted by
//! position, in place of a `BTreeMap` (each `BTreeMap` key and value type
//! costs the WebAssembly member module its own copy of the B-tree's node
//! code: docs/wasm.md, "What each part costs").
//!
//! The relay delivers submissions in log order, so an insert is almost
//! always a push at the end. A removal (a participant replaced its
//! submission) leaves a hole that iteration skips; the holes are swept
//! out once they are half of the entries, so a long run of removals
//! costs amortized constant time each, never a shift of the whole list
//! per removal.

/// Values by `u64` position, iterated in position order.
#[derive(Debug)]
pub(crate) struct Positions<V> {
    entries: Vec<(u64, Option<V>)>,
    /// Entries that are holes.
    holes: usize,
}

impl<V> Default for Positions<V> {
    fn default() -> Self {
        Positions {
            entries: Vec::new(),
            holes: 0,
        }
    }
}

impl<V> Positions<V> {
    fn find(&self, position: u64) -> Result<usize, usize> {
        self.entries.binary_search_by(|(p, _)| p.cmp(&position))
    }

    /// How many positions hold a value.
    pub(crate) fn len(&self) -> usize {
        self.entries.len() - self.holes
    }

    /// Sets `position` to `value`.
    pub(crate) fn insert(&mut self, position: u64, value: V) {
        if self.entries.last().is_none_or(|(p, _)| *p < position) {
            self.entries.push((position, Some(value)));
            return;
        }
        match self.find(position) {
            Ok(i) => {
                if self.entries[i].1.is_none() {
                    self.holes -= 1;
                }
                self.entries[i].1 = Some(value);
            }
            Err(i) => self.entries.insert(i, (position, Some(value))),
        }
    }

    /// Removes the value at `position`, if any.
    pub(crate) fn remove(&mut self, position: u64) {
        if let Ok(i) = self.find(position)
            && self.entries[i].1.take().is_some()
        {
            self.holes += 1;
            if self.holes * 2 > self.entries.len() {
                self.sweep();
            }
        }
    }

    /// Keeps the positions for which `keep` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(u64) -> bool) {
        self.entries.retain(|(p, v)| v.is_some() && keep(*p));
        self.holes = 0;
    }

    fn sweep(&mut self) {
        self.entries.retain(|(_, v)| v.is_some());
        self.holes = 0;
    }

    /// The value at `position`.
    pub(crate) fn get(&self, position: u64) -> Option<&V> {
        self.find(position)
            .ok()
            .and_then(|i| self.entries[i].1.as_ref())
    }

    /// The positions and their values, in position order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.entries
            .iter()
            .filter_map(|(p, v)| v.as_ref().map(|v| (*p, v)))
    }

    /// The values, in position order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().filter_map(|(_, v)| v.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rand_core::{Rng, SeedableRng};

    use super::Positions;

    #[test]
    fn behaves_as_a_btree_map() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        for round in 0..50 {
            let mut ours = Positions::default();
            let mut theirs = BTreeMap::new();
            let mut next = 1u64;
            for step in 0..400u64 {
                let r = rng.next_u64();
                match r % 8 {
                    // Mostly in log order, as the relay delivers.
                    0..=3 => {
                        ours.insert(next, step);
                        theirs.insert(next, step);
                        next += 1 + r % 3;
                    }
                    4 => {
                        let p = 1 + (r >> 8) % next;
                        ours.insert(p, step);
                        theirs.insert(p, step);
                    }
                    5 | 6 => {
                        let p = 1 + (r >> 8) % next;
                        ours.remove(p);
                        theirs.remove(&p);
                    }
                    _ if round % 5 == 0 => {
                        let cut = 1 + (r >> 8) % next;
                        ours.retain(|p| p <= cut);
                        theirs.retain(|p, _| *p <= cut);
                    }
                    _ => {}
                }
                assert_eq!(ours.len(), theirs.len());
                assert!(
                    ours.iter()
                        .map(|(p, v)| (p, *v))
                        .eq(theirs.iter().map(|(p, v)| (*p, *v)))
                );
                assert!(ours.values().eq(theirs.values()));
                let p = 1 + (r >> 16) % (next + 1);
                assert_eq!(ours.get(p), theirs.get(&p));
                assert!(ours.holes * 2 <= ours.entries.len().max(1));
            }
        }
    }
}
