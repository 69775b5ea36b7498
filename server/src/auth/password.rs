//! Password hashing with argon2id (memory-hard), run off the async threads.
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::Argon2;
use std::sync::LazyLock;

/// A hash of a random password nobody has, verified when the username is unknown so that a
/// wrong username takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash(&super::token::generate()).unwrap_or_default());

pub const MIN_LEN: usize = 8;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored.unwrap_or(DUMMY_HASH.as_str())) else { return false };
    let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && stored.is_some()
}

/// Hashes at once, at most: argon2id takes 19 MiB and tens of milliseconds each by design, so
/// a crowd signing in together must queue rather than take gigabytes.
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

/// Hashes on the blocking pool, a few at a time.
pub async fn hash_async(password: String) -> anyhow::Result<String> {
    let _permit = HASHING.acquire().await?;
    tokio::task::spawn_blocking(move || hash(&password)).await?
}

pub async fn verify_async(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = HASHING.acquire().await else { return false };
    tokio::task::spawn_blocking(move || verify(&password, stored.as_deref())).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_its_password() {
        let h = hash("正确的密码-2026").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("正确的密码-2026", Some(&h)));
        assert!(!verify("wrong", Some(&h)));
        assert!(!verify("anything", None), "the dummy hash never signs anyone in");
    }
}
