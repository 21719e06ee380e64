//! A map kept as a `Vec` sorted by key, for small maps: one entry per
//! committee member, or per open engine round (the engine's inbox, the
//! committee member's channels, keys and Readies).
//!
//! Each `BTreeMap` key and value type costs the wasm member module its own
//! copy of the B-tree's node code (insert, split, merge, steal, drop:
//! several KB each, docs/wasm.md); a sorted `Vec` is a binary search and
//! `Vec`'s own insert and remove. Iteration is in key order, as with
//! `BTreeMap`. Not for large maps: insert and remove move the entries
//! after the key.

/// A sorted-`Vec` map with the part of `BTreeMap`'s interface the engine
/// and the committee member use.
#[derive(Debug)]
pub struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: Ord + Copy, V> SmallMap<K, V> {
    fn find(&self, key: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The value at `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.find(key).ok().map(|i| &self.0[i].1)
    }

    /// The value at `key`, to change.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: K, value: V) {
        match self.find(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// The value at `key`, made with `make` if there was none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, make()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Takes the value at `key` out.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Keeps the entries for which `keep` holds.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.0.retain_mut(|(k, v)| keep(k, v));
    }
}

#[cfg(test)]
mod tests {
    use super::SmallMap;

    #[test]
    fn behaves_as_a_sorted_map() {
        let mut m = SmallMap::default();
        for k in [5u16, 1, 9, 3] {
            m.insert(k, u32::from(k) * 10);
        }
        m.insert(3, 31);
        assert_eq!(m.0, vec![(1, 10), (3, 31), (5, 50), (9, 90)]);
        assert_eq!(m.get(&5), Some(&50));
        assert_eq!(m.get(&4), None);
        *m.get_mut(&9).unwrap() += 1;
        m.get_or_insert_with(7, || 70);
        *m.get_or_insert_with(7, || 0) += 1;
        assert_eq!(m.remove(&1), Some(10));
        assert_eq!(m.remove(&1), None);
        m.retain(|k, _| *k != 5);
        assert!(m.iter().map(|(k, _)| *k).eq([3, 7, 9]));
        assert_eq!(m.0, vec![(3, 31), (7, 71), (9, 91)]);
    }
}
