//! The Redis side of the event bus: one task publishes this process's events, one task
//! receives everyone's and hands on those of other processes. Both reconnect by themselves; after
//! a reconnect of the receiver, a `Resync` tells subscribers that events may have been missed.
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, watch};

use super::Event;

const RETRY: Duration = Duration::from_secs(1);

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The sending process, so it does not deliver its own events twice.
    origin: u64,
    event: Event,
}

pub(super) fn start(client: redis::Client, channel: String, local: broadcast::Sender<Event>, ready: watch::Sender<bool>) -> mpsc::UnboundedSender<Event> {
    let origin: u64 = rand::random();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(publish_loop(client.clone(), channel.clone(), origin, rx));
    tokio::spawn(receive_loop(client, channel, origin, local, ready));
    tx
}

async fn publish_loop(client: redis::Client, channel: String, origin: u64, mut rx: mpsc::UnboundedReceiver<Event>) {
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
            let Ok(payload) = serde_json::to_string(&Envelope { origin, event: event.clone() }) else { continue };
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

async fn receive_loop(client: redis::Client, channel: String, origin: u64, local: broadcast::Sender<Event>, ready: watch::Sender<bool>) {
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
            match serde_json::from_slice::<Envelope>(msg.get_payload_bytes()) {
                Ok(env) if env.origin != origin => {
                    let _ = local.send(env.event);
                }
                Ok(_) => {}
                Err(_) => tracing::warn!("event bus: a message in an unknown form was ignored"),
            }
        }
        let _ = ready.send(false);
        tracing::warn!("event bus: the Redis subscription ended; reconnecting");
        tokio::time::sleep(RETRY).await;
    }
}
