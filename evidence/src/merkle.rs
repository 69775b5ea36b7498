//! The Merkle tree of RFC 9162 §2.1: leaf and node hashes, the tree kept as its complete
//! subtrees level by level (so appending is amortised O(1) and any range's hash is O(log n)),
//! and inclusion and consistency proofs with their verification exactly as §2.1.3.2 and
//! §2.1.4.2 give them.
use sha2::{Digest, Sha256};

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// The hash of an entry: SHA-256(0x00 || entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an interior node: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The hash of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Why a proof does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the index is not in the tree")]
    OutOfRange,
    #[error("the proof has the wrong length")]
    WrongLength,
    #[error("the proof does not lead to the root")]
    RootMismatch,
}

/// A tree: `levels[h][i]` is the hash of the complete subtree of 2^h leaves starting at leaf
/// i·2^h. Level 0 holds the leaf hashes.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new() -> Tree {
        Tree::default()
    }

    /// A tree of these leaf hashes, in order.
    pub fn from_leaf_hashes(leaves: impl IntoIterator<Item = Hash>) -> Tree {
        let mut t = Tree::new();
        for l in leaves {
            t.push_leaf_hash(l);
        }
        t
    }

    /// How many leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Appends an entry; its index.
    pub fn push(&mut self, entry: &[u8]) -> u64 {
        self.push_leaf_hash(leaf_hash(entry))
    }

    /// Appends a leaf hash; its index. Every subtree it completes is hashed now.
    pub fn push_leaf_hash(&mut self, leaf: Hash) -> u64 {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let index = self.levels[0].len() as u64 - 1;
        let mut h = 0;
        while self.levels[h].len().is_multiple_of(2) {
            let n = self.levels[h].len();
            let parent = node_hash(&self.levels[h][n - 2], &self.levels[h][n - 1]);
            if self.levels.len() == h + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[h + 1].push(parent);
            h += 1;
        }
        index
    }

    /// The complete subtree hashes at height `h` (what a tile of that level holds).
    pub fn level(&self, h: usize) -> &[Hash] {
        self.levels.get(h).map_or(&[], Vec::as_slice)
    }

    /// The root of the first `n` leaves (MTH(D[0:n])), for any n up to the size.
    pub fn root_at(&self, n: u64) -> Option<Hash> {
        match n {
            0 => Some(empty_root()),
            n if n > self.size() => None,
            n => Some(self.range(0, n)),
        }
    }

    pub fn root(&self) -> Hash {
        self.root_at(self.size()).unwrap_or_else(empty_root)
    }

    /// MTH(D[lo:hi]) for a range the recursions of §2.1 produce (lo a multiple of the largest
    /// power of two not above hi − lo), within the tree.
    fn range(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n.is_power_of_two() && lo.is_multiple_of(n) {
            let h = n.trailing_zeros() as usize;
            return self.levels[h][(lo >> h) as usize];
        }
        let k = split(n);
        node_hash(&self.range(lo, lo + k), &self.range(lo + k, hi))
    }

    /// The audit path of leaf `m` in the tree of the first `n` leaves (PATH(m, D[0:n])).
    pub fn inclusion_proof(&self, m: u64, n: u64) -> Result<Vec<Hash>, ProofError> {
        if m >= n || n > self.size() {
            return Err(ProofError::OutOfRange);
        }
        let mut out = Vec::new();
        self.path(m, 0, n, &mut out);
        Ok(out)
    }

    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        if hi - lo == 1 {
            return;
        }
        let k = split(hi - lo);
        if m < k {
            self.path(m, lo, lo + k, out);
            out.push(self.range(lo + k, hi));
        } else {
            self.path(m - k, lo + k, hi, out);
            out.push(self.range(lo, lo + k));
        }
    }

    /// The consistency proof between the trees of the first `m` and `n` leaves (PROOF(m, D[0:n])).
    pub fn consistency_proof(&self, m: u64, n: u64) -> Result<Vec<Hash>, ProofError> {
        if m > n || n > self.size() {
            return Err(ProofError::OutOfRange);
        }
        let mut out = Vec::new();
        if m > 0 && m < n {
            self.subproof(m, 0, n, true, &mut out);
        }
        Ok(out)
    }

    fn subproof(&self, m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !whole {
                out.push(self.range(lo, hi));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, lo, lo + k, whole, out);
            out.push(self.range(lo + k, hi));
        } else {
            self.subproof(m - k, lo + k, hi, false, out);
            out.push(self.range(lo, lo + k));
        }
    }
}

/// Checks an inclusion proof (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &Hash, index: u64, size: u64, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange);
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks a consistency proof between two tree heads (RFC 9162 §2.1.4.2): the second tree is
/// the first with entries appended, and nothing of the first changed.
pub fn verify_consistency(first: u64, first_root: &Hash, second: u64, second_root: &Hash, proof: &[Hash]) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::OutOfRange);
    }
    if first == second {
        return if !proof.is_empty() {
            Err(ProofError::WrongLength)
        } else if first_root == second_root {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if first == 0 {
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::WrongLength) };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let Some((c0, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*c0, *c0);
    for c in rest {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if &fr != first_root || &sr != second_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MTH straight from the definition in RFC 9162 §2.1.1, to check the tree against.
    fn mth(d: &[Vec<u8>]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => leaf_hash(&d[0]),
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    fn entries(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("entry {i}").into_bytes()).collect()
    }

    #[test]
    fn the_empty_tree_and_one_leaf_match_the_rfc() {
        assert_eq!(hex::encode(empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // RFC 6962's test vectors: the leaf hash of the empty entry.
        assert_eq!(hex::encode(leaf_hash(b"")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    }

    #[test]
    fn roots_proofs_and_their_checks_agree_with_the_definition() {
        let d = entries(70);
        let mut t = Tree::new();
        for e in &d {
            t.push(e);
        }
        for n in 1..=d.len() as u64 {
            let root = t.root_at(n).expect("root");
            assert_eq!(root, mth(&d[..n as usize]), "root of {n}");
            for m in 0..n {
                let p = t.inclusion_proof(m, n).expect("proof");
                assert_eq!(verify_inclusion(&leaf_hash(&d[m as usize]), m, n, &p, &root), Ok(()), "{m} in {n}");
                assert!(verify_inclusion(&leaf_hash(b"other"), m, n, &p, &root).is_err());
            }
            for m in 0..=n {
                let p = t.consistency_proof(m, n).expect("proof");
                let first = t.root_at(m).expect("first");
                assert_eq!(verify_consistency(m, &first, n, &root, &p), Ok(()), "{m} to {n}");
                if m > 0 && m < n {
                    // A rewritten first tree is caught.
                    let forged = leaf_hash(b"rewritten");
                    assert!(verify_consistency(m, &forged, n, &root, &p).is_err(), "{m} to {n}");
                }
            }
        }
    }

    #[test]
    fn a_proof_for_the_wrong_size_fails() {
        let mut t = Tree::new();
        for e in entries(9) {
            t.push(&e);
        }
        let p = t.inclusion_proof(3, 9).expect("proof");
        assert!(verify_inclusion(&t.level(0)[3], 3, 8, &p, &t.root_at(8).expect("root")).is_err());
        assert_eq!(t.inclusion_proof(9, 9), Err(ProofError::OutOfRange));
    }
}
