//! A receipt: what a candidate (or anyone) keeps to prove later that an entry is in the log,
//! with the log's public key alone: the signed checkpoint, the entry's index and bytes, and
//! its inclusion proof (RFC 9162 audit path) up to that checkpoint.
use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::{Hash, ProofError, leaf_hash, verify_inclusion};
use crate::note::NoteVerifier;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] CheckpointError),
    #[error("the inclusion proof: {0}")]
    Proof(#[from] ProofError),
}

/// Checks a receipt; the checkpoint it is anchored in.
pub fn verify(verifier: &NoteVerifier, checkpoint_note: &str, index: u64, entry: &[u8], proof: &[Hash]) -> Result<Checkpoint, ReceiptError> {
    let cp = Checkpoint::open(checkpoint_note, verifier)?;
    verify_inclusion(&leaf_hash(entry), index, cp.size, proof, &cp.root)?;
    Ok(cp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::Tree;
    use crate::note::NoteSigner;

    #[test]
    fn a_receipt_holds_for_its_entry_only() {
        let signer = NoteSigner::from_seed("exam.example/log", [3; 32]).expect("signer");
        let mut tree = Tree::new();
        for i in 0..10u8 {
            tree.push(&[i]);
        }
        let note = Checkpoint { origin: "exam.example/log".into(), size: 10, root: tree.root() }.sign(&signer).expect("sign");
        let proof = tree.inclusion_proof(4, 10).expect("proof");
        assert!(verify(&signer.verifier(), &note, 4, &[4], &proof).is_ok());
        assert!(matches!(verify(&signer.verifier(), &note, 4, &[5], &proof), Err(ReceiptError::Proof(_))));
        let other = NoteSigner::from_seed("exam.example/log", [4; 32]).expect("other");
        assert!(matches!(verify(&other.verifier(), &note, 4, &[4], &proof), Err(ReceiptError::Checkpoint(_))));
    }
}
