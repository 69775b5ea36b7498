//! C2SP tlog-checkpoint: the signed head of the log, `<origin>\n<size>\n<base64 root>\n`,
//! carried in a signed note.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::merkle::Hash;
use crate::note::{NoteError, NoteSigner, NoteVerifier};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's name, the same as its key's.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("the checkpoint's body is not origin, size and root hash")]
    Malformed,
    #[error("the checkpoint is of another log ({0})")]
    OtherLog(String),
}

impl Checkpoint {
    /// The body the note signs.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root))
    }

    /// Reads a body (extension lines after the root are allowed and ignored).
    pub fn parse(body: &str) -> Result<Checkpoint, CheckpointError> {
        let mut lines = body.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(CheckpointError::Malformed)?;
        let size = lines.next().ok_or(CheckpointError::Malformed)?;
        if size.is_empty() || (size.len() > 1 && size.starts_with('0')) || !size.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CheckpointError::Malformed);
        }
        let size = size.parse().map_err(|_| CheckpointError::Malformed)?;
        let root = lines.next().and_then(|r| STANDARD.decode(r).ok()).and_then(|r| <Hash>::try_from(r).ok()).ok_or(CheckpointError::Malformed)?;
        Ok(Checkpoint { origin: origin.to_string(), size, root })
    }

    /// The signed checkpoint, as served at `checkpoint`.
    pub fn sign(&self, signer: &NoteSigner) -> Result<String, CheckpointError> {
        Ok(signer.sign(&self.body())?)
    }

    /// A signed checkpoint's contents, if the key signed it and it names the key's log.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Checkpoint, CheckpointError> {
        let c = Checkpoint::parse(verifier.open(note)?)?;
        if c.origin != verifier.name() {
            return Err(CheckpointError::OtherLog(c.origin));
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_signs_and_opens_and_its_fields_are_strict() {
        let signer = NoteSigner::from_seed("exam.example/log", [1; 32]).expect("signer");
        let c = Checkpoint { origin: "exam.example/log".into(), size: 42, root: [9; 32] };
        let note = c.sign(&signer).expect("sign");
        assert_eq!(Checkpoint::open(&note, &signer.verifier()), Ok(c.clone()));
        assert!(Checkpoint::parse("exam.example/log\n042\nAAAA\n").is_err());
        let other = Checkpoint { origin: "another/log".into(), ..c };
        let signed = signer.sign(&other.body()).expect("sign");
        assert_eq!(Checkpoint::open(&signed, &signer.verifier()), Err(CheckpointError::OtherLog("another/log".into())));
    }
}
