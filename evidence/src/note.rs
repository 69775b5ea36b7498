//! C2SP signed notes with Ed25519 keys: a text ending in a newline, a blank line, then one
//! line per signature, `— <name> <base64(key ID ‖ signature)>`. The key ID is the first four
//! bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). Keys are written as Go's
//! `golang.org/x/mod/sumdb/note` writes them: `<name>+<hex ID>+<base64(0x01 ‖ key)>`, the
//! signer's prefixed with `PRIVATE+KEY+`.
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

const ED25519: u8 = 0x01;
const DASH: &str = "\u{2014} ";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("the key is not in the signed-note form")]
    MalformedKey,
    #[error("the key name is not usable (empty, or with a space or +)")]
    BadName,
    #[error("the note is not in the signed-note form")]
    Malformed,
    #[error("no signature by this key")]
    Unsigned,
    #[error("the signature does not match the text")]
    BadSignature,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key ID of an Ed25519 public key under a name.
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Splits `[PRIVATE+KEY+]name+hexid+base64` into the name, ID and key bytes (without the
/// algorithm byte), checking the ID.
fn parse_key(text: &str, private: bool) -> Result<(String, [u8; 4], [u8; 32]), NoteError> {
    let text = text.trim();
    let rest = if private { text.strip_prefix("PRIVATE+KEY+").ok_or(NoteError::MalformedKey)? } else { text };
    // The name and the ID hold no `+`; the base64 key may.
    let mut parts = rest.splitn(3, '+');
    let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(NoteError::MalformedKey);
    };
    if !valid_name(name) {
        return Err(NoteError::BadName);
    }
    let id: [u8; 4] = hex::decode(id).ok().and_then(|b| b.try_into().ok()).ok_or(NoteError::MalformedKey)?;
    let raw = STANDARD.decode(key).map_err(|_| NoteError::MalformedKey)?;
    let (alg, key) = raw.split_first().ok_or(NoteError::MalformedKey)?;
    let key: [u8; 32] = key.try_into().map_err(|_| NoteError::MalformedKey)?;
    if *alg != ED25519 {
        return Err(NoteError::MalformedKey);
    }
    Ok((name.to_string(), id, key))
}

/// A named Ed25519 signing key.
#[derive(Clone)]
pub struct NoteSigner {
    name: String,
    id: [u8; 4],
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner").field("name", &self.name).field("id", &hex::encode(self.id)).finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer from a 32-byte seed (the caller brings the randomness).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<NoteSigner, NoteError> {
        if !valid_name(name) {
            return Err(NoteError::BadName);
        }
        let key = SigningKey::from_bytes(&seed);
        Ok(NoteSigner { name: name.to_string(), id: key_id(name, key.verifying_key().as_bytes()), key })
    }

    /// A signer from its text form, `PRIVATE+KEY+<name>+<hex ID>+<base64(0x01 ‖ seed)>`.
    pub fn from_text(text: &str) -> Result<NoteSigner, NoteError> {
        let (name, id, seed) = parse_key(text, true)?;
        let s = NoteSigner::from_seed(&name, seed)?;
        if s.id != id {
            return Err(NoteError::MalformedKey);
        }
        Ok(s)
    }

    /// The signer's text form (secret: for the configuration only).
    pub fn to_text(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!("PRIVATE+KEY+{}+{}+{}", self.name, hex::encode(self.id), STANDARD.encode(raw))
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public verifier key in its text form, to publish.
    pub fn verifier_text(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(self.key.verifying_key().as_bytes());
        format!("{}+{}+{}", self.name, hex::encode(self.id), STANDARD.encode(raw))
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), id: self.id, key: self.key.verifying_key() }
    }

    /// The signed note of `text` (which must end in a newline and hold no blank line's end).
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') || text.contains("\n\n") || text.is_empty() {
            return Err(NoteError::Malformed);
        }
        let sig = self.key.sign(text.as_bytes());
        let mut raw = self.id.to_vec();
        raw.extend_from_slice(&sig.to_bytes());
        Ok(format!("{text}\n{DASH}{} {}\n", self.name, STANDARD.encode(raw)))
    }
}

/// A named Ed25519 public key that checks notes.
#[derive(Debug, Clone)]
pub struct NoteVerifier {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

impl NoteVerifier {
    /// From the published text form `<name>+<hex ID>+<base64(0x01 ‖ key)>`.
    pub fn from_text(text: &str) -> Result<NoteVerifier, NoteError> {
        let (name, id, key) = parse_key(text, false)?;
        if key_id(&name, &key) != id {
            return Err(NoteError::MalformedKey);
        }
        let key = VerifyingKey::from_bytes(&key).map_err(|_| NoteError::MalformedKey)?;
        Ok(NoteVerifier { name, id, key })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The note's text, if this key signed it; other keys' signatures are ignored.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let split = note.rfind("\n\n").ok_or(NoteError::Malformed)?;
        let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
        if !sigs.ends_with('\n') {
            return Err(NoteError::Malformed);
        }
        let mut found = false;
        for line in sigs.lines() {
            let rest = line.strip_prefix(DASH).ok_or(NoteError::Malformed)?;
            let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed)?;
            let raw = STANDARD.decode(b64).map_err(|_| NoteError::Malformed)?;
            if raw.len() < 4 {
                return Err(NoteError::Malformed);
            }
            if name != self.name || raw[..4] != self.id {
                continue;
            }
            let sig = Signature::from_slice(&raw[4..]).map_err(|_| NoteError::BadSignature)?;
            self.key.verify_strict(text.as_bytes(), &sig).map_err(|_| NoteError::BadSignature)?;
            found = true;
        }
        if found { Ok(text) } else { Err(NoteError::Unsigned) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_reads_back_whatever_its_base64_holds() {
        // Base64 uses `+`: keys whose text carries one must still read back.
        for seed in 0..64u8 {
            let s = NoteSigner::from_seed("exam.example/evidence", [seed; 32]).expect("signer");
            assert_eq!(NoteSigner::from_text(&s.to_text()).expect("private").verifier_text(), s.verifier_text());
            NoteVerifier::from_text(&s.verifier_text()).expect("public");
        }
    }

    #[test]
    fn keys_round_trip_through_their_text_and_sign() {
        let s = NoteSigner::from_seed("exam.example/evidence", [7; 32]).expect("signer");
        let again = NoteSigner::from_text(&s.to_text()).expect("parse");
        assert_eq!(again.verifier_text(), s.verifier_text());
        let v = NoteVerifier::from_text(&s.verifier_text()).expect("verifier");
        let note = s.sign("hello\nworld\n").expect("sign");
        assert_eq!(v.open(&note), Ok("hello\nworld\n"));
        // One changed character of the text, or another key, fails.
        assert_eq!(v.open(&note.replacen("world", "wOrld", 1)), Err(NoteError::BadSignature));
        let other = NoteSigner::from_seed("exam.example/evidence", [8; 32]).expect("other").verifier();
        assert_eq!(other.open(&note), Err(NoteError::Unsigned));
        assert!(NoteVerifier::from_text("name+00000000+AQ==").is_err());
        assert!(s.sign("no newline").is_err());
    }
}
