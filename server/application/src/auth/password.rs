//! Password hashing with argon2id (memory-hard). Verifying runs on a small pool of threads, one
//! per core (at most four), that each keep one block of argon2 memory while there is work
//! waiting: a crowd of candidates signing in together queues for those few blocks instead of
//! each allocating 19 MiB, and once the crowd is in, the blocks are given back.
use std::sync::{Arc, LazyLock, Mutex, mpsc};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// A hash of a random password nobody has, verified when the username is unknown so that a
/// wrong username takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash(&super::token::generate()).unwrap_or_default());

pub const MIN_LEN: usize = 8;

/// Threads verifying passwords, each with its own argon2 memory: more than one per core would
/// only hold more memory, not verify faster.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4)
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a password against a stored PHC string, using `memory` for argon2's blocks.
fn verify_with(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Ok(params), Some(expected), Some(salt)) = (Params::try_from(&parsed), parsed.hash, parsed.salt) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let mut out = vec![0u8; expected.len()];
    if argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..]).is_err() {
        return false;
    }
    // `Output` compares in constant time.
    Output::new(&out).is_ok_and(|o| o == expected)
}

/// Synchronous check, for tests and tools.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let ok = verify_with(password, stored.unwrap_or(DUMMY_HASH.as_str()), &mut Vec::new());
    ok && stored.is_some()
}

enum Job {
    Verify(String, Option<String>, oneshot::Sender<bool>),
    Hash(String, oneshot::Sender<Option<String>>),
}

/// Hashes a new password in `memory` (the default argon2id parameters), as a PHC string.
fn hash_with(password: &str, memory: &mut Vec<Block>) -> Option<String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf).ok()?;
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    let mut out = [0u8; 32];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..]).ok()?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(&params).ok()?,
        salt: Some(salt.as_salt()),
        hash: Output::new(&out).ok(),
    };
    Some(phc.to_string())
}

static POOL: LazyLock<Mutex<mpsc::Sender<Job>>> = LazyLock::new(|| {
    let (tx, rx) = mpsc::channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..workers() {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
            let mut memory: Vec<Block> = Vec::new();
            loop {
                let job = match rx.lock() {
                    Ok(r) => match r.try_recv() {
                        Ok(job) => Ok(job),
                        // Nothing waiting: the memory goes back before sleeping.
                        Err(mpsc::TryRecvError::Empty) => {
                            memory = Vec::new();
                            r.recv()
                        }
                        Err(mpsc::TryRecvError::Disconnected) => return,
                    },
                    Err(_) => return,
                };
                match job {
                    Ok(Job::Verify(password, stored, reply)) => {
                        let ok = verify_with(&password, stored.as_deref().unwrap_or(DUMMY_HASH.as_str()), &mut memory) && stored.is_some();
                        let _ = reply.send(ok);
                    }
                    Ok(Job::Hash(password, reply)) => {
                        let _ = reply.send(hash_with(&password, &mut memory));
                    }
                    Err(_) => return,
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start a password worker");
        }
    }
    Mutex::new(tx)
});

/// Hashes a new password on the password workers.
pub async fn hash_async(password: String) -> anyhow::Result<String> {
    let (reply, wait) = oneshot::channel();
    POOL.lock()
        .map_err(|_| anyhow::anyhow!("password workers unavailable"))?
        .send(Job::Hash(password, reply))
        .map_err(|_| anyhow::anyhow!("password workers stopped"))?;
    wait.await?.ok_or_else(|| anyhow::anyhow!("hashing password failed"))
}

/// Verifies on the password workers; resolves false on any failure.
pub async fn verify_async(password: String, stored: Option<String>) -> bool {
    let (reply, wait) = oneshot::channel();
    let sent = match POOL.lock() {
        Ok(tx) => tx.send(Job::Verify(password, stored, reply)).is_ok(),
        Err(_) => false,
    };
    sent && wait.await.unwrap_or(false)
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
        assert!(!verify("x", Some("not a phc string")));
    }

    #[tokio::test]
    async fn the_pool_verifies_like_the_direct_check() {
        let h = hash("pool-password").expect("hash");
        assert!(verify_async("pool-password".into(), Some(h.clone())).await);
        assert!(!verify_async("other".into(), Some(h)).await);
        assert!(!verify_async("pool-password".into(), None).await);
        let pooled = hash_async("pooled-hash".into()).await.expect("hash on the pool");
        assert!(pooled.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{pooled}");
        assert!(verify("pooled-hash", Some(&pooled)));
    }
}
