//! The Redis side of the event bus: one task publishes this process's events, one task
//! receives everyone's and hands on those of other processes. Both reconnect by themselves; after
//! a reconnect of the receiver, a `Resync` tells subscribers that events may have been missed.
//!
//! Redis is not trusted: a message is `hex(HMAC-SHA256(secret, body)).body`, its body carries the
//! time it was sent, and a message without the right signature or older than a minute is
//! dropped, so whoever reaches Redis cannot make a candidate appear to stream or open a watch.
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};

use super::Event;

const RETRY: Duration = Duration::from_secs(1);

/// How old a message may be when it arrives.
const MAX_AGE_MS: i64 = 60_000;

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The sending process, so it does not deliver its own events twice.
    origin: u64,
    /// When it was sent, so an old message replayed later is refused.
    at_ms: i64,
    event: Event,
}

type Mac = hmac::Hmac<sha2::Sha256>;

fn mac(secret: &[u8]) -> Mac {
    use hmac::Mac as _;
    // HMAC takes a key of any length.
    Mac::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// The signed wire form of an envelope.
fn seal(secret: &[u8], env: &Envelope) -> Option<String> {
    use hmac::Mac as _;
    let body = serde_json::to_string(env).ok()?;
    let mut m = mac(secret);
    m.update(body.as_bytes());
    Some(format!("{}.{body}", hex::encode(m.finalize().into_bytes())))
}

/// The envelope of a message whose signature holds and that is fresh.
fn open(secret: &[u8], payload: &[u8], now_ms: i64) -> Option<Envelope> {
    use hmac::Mac as _;
    let dot = payload.iter().position(|b| *b == b'.')?;
    let (sig, body) = (hex::decode(&payload[..dot]).ok()?, &payload[dot + 1..]);
    let mut m = mac(secret);
    m.update(body);
    m.verify_slice(&sig).ok()?;
    let env: Envelope = serde_json::from_slice(body).ok()?;
    ((now_ms - env.at_ms).abs() <= MAX_AGE_MS).then_some(env)
}

pub(super) fn start(
    client: redis::Client,
    channel: String,
    secret: Vec<u8>,
    local: broadcast::Sender<Event>,
    ready: watch::Sender<bool>,
) -> mpsc::UnboundedSender<Event> {
    let origin: u64 = rand::random();
    let (tx, rx) = mpsc::unbounded_channel();
    let secret = std::sync::Arc::new(secret);
    tokio::spawn(publish_loop(client.clone(), channel.clone(), secret.clone(), origin, rx));
    tokio::spawn(receive_loop(client, channel, secret, origin, local, ready));
    tx
}

async fn publish_loop(client: redis::Client, channel: String, secret: std::sync::Arc<Vec<u8>>, origin: u64, mut rx: mpsc::UnboundedReceiver<Event>) {
    let mut pending: Option<Event> = None;
    loop {
        let mut conn = match client.get_multiplexed_async_connection().await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "event bus: cannot reach Redis to publish; retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        loop {
            let event = match pending.take() {
                Some(e) => e,
                None => match rx.recv().await {
                    Some(e) => e,
                    None => return,
                },
            };
            let Some(payload) = seal(&secret, &Envelope { origin, at_ms: crate::clock::now_ms(), event: event.clone() }) else {
                continue;
            };
            let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH").arg(&channel).arg(payload).query_async(&mut conn).await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "event bus: publish failed; reconnecting");
                // Sent again once connected: other processes must not miss a clock change.
                pending = Some(event);
                break;
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

async fn receive_loop(
    client: redis::Client,
    channel: String,
    secret: std::sync::Arc<Vec<u8>>,
    origin: u64,
    local: broadcast::Sender<Event>,
    ready: watch::Sender<bool>,
) {
    loop {
        let subscribed = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            redis::RedisResult::Ok(pubsub)
        };
        let pubsub = match subscribed.await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "event bus: cannot subscribe on Redis; retrying");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        // Whatever was cached while nothing arrived may be stale.
        let _ = local.send(Event::Resync);
        let _ = ready.send(true);
        let mut messages = pubsub.into_on_message();
        while let Some(msg) = messages.next().await {
            match open(&secret, msg.get_payload_bytes(), crate::clock::now_ms()) {
                Some(env) if env.origin != origin => {
                    let _ = local.send(env.event);
                }
                Some(_) => {}
                None => tracing::warn!("event bus: a message without a valid signature, or too old, was dropped"),
            }
        }
        let _ = ready.send(false);
        tracing::warn!("event bus: the Redis subscription ended; reconnecting");
        tokio::time::sleep(RETRY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_signed_fresh_messages_open() {
        let key = b"0123456789abcdef0123456789abcdef";
        let env = Envelope { origin: 1, at_ms: 1_000_000, event: Event::MediaEnded { candidate_id: 5 } };
        let wire = seal(key, &env).expect("sealed");
        assert!(open(key, wire.as_bytes(), 1_000_500).is_some());
        assert!(open(b"another-secret-another-secret-xx", wire.as_bytes(), 1_000_500).is_none(), "wrong key");
        assert!(open(key, wire.as_bytes(), 1_000_000 + MAX_AGE_MS + 1).is_none(), "replayed late");
        let forged = wire.replace("\"candidate_id\":5", "\"candidate_id\":6");
        assert!(open(key, forged.as_bytes(), 1_000_500).is_none(), "changed body");
        let unsigned = serde_json::to_string(&env).expect("json");
        assert!(open(key, unsigned.as_bytes(), 1_000_500).is_none(), "the old unsigned form");
    }
}
