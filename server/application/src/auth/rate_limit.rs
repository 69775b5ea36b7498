//! Counters of what clients repeat (sign-in attempts, a candidate's integrity events) in
//! one-minute windows that start at a key's first count (not at the clock's minute, which let a
//! burst straddling a minute through twice). Keys name an address, an address's failures, a
//! username/ticket or a candidate; they are hashed, so no ticket or
//! address is kept in the clear. With Redis configured the counters live there, shared by every
//! server process behind the load balancer; when Redis cannot be reached each process counts on
//! its own until it can.
use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

pub const WINDOW_MS: i64 = 60_000;

/// INCR that starts the key's window on its first count, atomically.
const INCR_SCRIPT: &str = "local n = redis.call('INCR', KEYS[1]) \
    if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";

#[derive(Debug)]
pub struct RateLimiter {
    memory: Mutex<HashMap<[u8; 16], (i64, u32)>>,
    redis: Option<Shared>,
}

#[derive(Debug)]
struct Shared {
    client: redis::Client,
    prefix: String,
    conn: tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>,
}

fn digest(key: &str) -> [u8; 16] {
    let full = Sha256::digest(key.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

impl RateLimiter {
    /// In this process only.
    pub fn local() -> Self {
        Self { memory: Mutex::new(HashMap::new()), redis: None }
    }

    /// Shared through Redis at `url` (empty: in this process only); `prefix` keeps deployments
    /// sharing one Redis apart.
    pub fn new(redis_url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        if redis_url.trim().is_empty() {
            return Ok(Self::local());
        }
        let client = redis::Client::open(redis_url)?;
        let shared = Shared { client, prefix: format!("{prefix}:limit:"), conn: tokio::sync::Mutex::new(None) };
        Ok(Self { memory: Mutex::new(HashMap::new()), redis: Some(shared) })
    }

    /// Counts one attempt under `key`; false once the window holds more than `limit`.
    pub async fn hit(&self, key: &str, limit: u32, now_ms: i64) -> bool {
        self.add(key, now_ms, 1).await <= limit
    }

    /// The count in `key`'s current window, without adding to it.
    pub async fn count(&self, key: &str, now_ms: i64) -> u32 {
        self.add(key, now_ms, 0).await
    }

    /// Forgets `key`'s count (a right password clears the wrong ones before it).
    pub async fn reset(&self, key: &str) {
        let id = digest(key);
        if let Some(shared) = &self.redis
            && let Err(e) = shared.delete(&hex::encode(id)).await
        {
            tracing::warn!(error = %e, "sign-in limits: Redis unreachable");
        }
        let mut map = match self.memory.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.remove(&id);
    }

    async fn add(&self, key: &str, now_ms: i64, n: u32) -> u32 {
        let id = digest(key);
        if let Some(shared) = &self.redis {
            match shared.add(&hex::encode(id), n).await {
                Ok(count) => return count,
                Err(e) => {
                    tracing::warn!(error = %e, "sign-in limits: Redis unreachable, counting in this process")
                }
            }
        }
        self.add_local(id, now_ms, n)
    }

    fn add_local(&self, id: [u8; 16], now_ms: i64, n: u32) -> u32 {
        let mut map = match self.memory.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now_ms - *start < WINDOW_MS);
        }
        let entry = map.entry(id).or_insert((now_ms, 0));
        if now_ms - entry.0 >= WINDOW_MS {
            *entry = (now_ms, 0);
        }
        entry.1 = entry.1.saturating_add(n);
        entry.1
    }
}

impl Shared {
    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let c = self.client.get_multiplexed_async_connection().await?;
        *slot = Some(c.clone());
        Ok(c)
    }

    async fn delete(&self, id: &str) -> redis::RedisResult<()> {
        let mut conn = self.connection().await?;
        let done: redis::RedisResult<i64> = redis::cmd("DEL").arg(format!("{}{id}", self.prefix)).query_async(&mut conn).await;
        if done.is_err() {
            *self.conn.lock().await = None;
        }
        done.map(|_| ())
    }

    async fn add(&self, id: &str, n: u32) -> redis::RedisResult<u32> {
        let mut conn = self.connection().await?;
        let key = format!("{}{id}", self.prefix);
        let result: redis::RedisResult<i64> = if n == 0 {
            redis::cmd("GET").arg(&key).query_async::<Option<i64>>(&mut conn).await.map(|v| v.unwrap_or(0))
        } else {
            redis::cmd("EVAL").arg(INCR_SCRIPT).arg(1).arg(&key).arg(WINDOW_MS).query_async(&mut conn).await
        };
        if result.is_err() {
            *self.conn.lock().await = None;
        }
        result.map(|v| u32::try_from(v).unwrap_or(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn limit_applies_per_key_and_resets_each_window() {
        let rl = RateLimiter::local();
        assert!(rl.hit("a", 2, 0).await);
        assert!(rl.hit("a", 2, 1).await);
        assert!(!rl.hit("a", 2, 2).await);
        assert!(rl.hit("b", 2, 3).await);
        assert_eq!(rl.count("a", 4).await, 3, "a count does not add");
        assert!(rl.hit("a", 2, WINDOW_MS).await);
        rl.reset("b").await;
        assert_eq!(rl.count("b", 5).await, 0, "reset forgets");
    }

    #[tokio::test]
    async fn attempts_either_side_of_a_clock_minute_count_together() {
        let rl = RateLimiter::local();
        assert!(rl.hit("a", 2, WINDOW_MS - 2).await);
        assert!(rl.hit("a", 2, WINDOW_MS - 1).await);
        assert!(!rl.hit("a", 2, WINDOW_MS + 1).await, "the window runs a minute from the first attempt");
        assert!(rl.hit("a", 2, 2 * WINDOW_MS - 2).await);
    }
}
