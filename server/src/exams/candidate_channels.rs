//! The open sockets of candidates, by candidate: one dispatcher hands each proctor notice (from
//! the event bus, so from any process) and each media change to that candidate's sockets only,
//! instead of every socket looking at every event.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use exam_protocol::ServerMessage;
use tokio::sync::{broadcast, mpsc};

use crate::events::{Event, EventBus};

type Senders = HashMap<i64, Vec<(u64, mpsc::Sender<ServerMessage>)>>;

#[derive(Debug, Default)]
pub struct CandidateChannels {
    open: Mutex<Senders>,
    next: AtomicU64,
}

/// Removes its socket from the registry when dropped.
#[derive(Debug)]
pub struct Registration {
    channels: Weak<CandidateChannels>,
    candidate: i64,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(ch) = self.channels.upgrade() {
            let mut open = ch.open.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(list) = open.get_mut(&self.candidate) {
                list.retain(|(id, _)| *id != self.id);
                if list.is_empty() {
                    open.remove(&self.candidate);
                }
            }
        }
    }
}

impl CandidateChannels {
    pub fn register(self: &Arc<Self>, candidate: i64, out: mpsc::Sender<ServerMessage>) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.open.lock().unwrap_or_else(|e| e.into_inner()).entry(candidate).or_default().push((id, out));
        Registration { channels: Arc::downgrade(self), candidate, id }
    }

    /// Sends to every open socket of the candidate; a full or closed one is skipped.
    pub fn send(&self, candidate: i64, msg: &ServerMessage) {
        let targets: Vec<mpsc::Sender<ServerMessage>> =
            self.open.lock().unwrap_or_else(|e| e.into_inner()).get(&candidate).map(|l| l.iter().map(|(_, s)| s.clone()).collect()).unwrap_or_default();
        for t in targets {
            let _ = t.try_send(msg.clone());
        }
    }

    /// Hands notices and media changes to the sockets they concern.
    pub fn dispatch(self: &Arc<Self>, bus: &EventBus, media: &media::sfu::MediaServer) {
        let (mut events, mut media_events, me, m) = (bus.subscribe(), media.events(), Arc::downgrade(self), media.clone());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    e = events.recv() => match e {
                        Ok(Event::Notice { candidate_id, text, warning, at_ms }) => {
                            let Some(ch) = me.upgrade() else { return };
                            ch.send(candidate_id, &ServerMessage::Notice { text, warning, at_ms });
                        }
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    e = media_events.recv() => match e {
                        Ok(e) => {
                            let Some(ch) = me.upgrade() else { return };
                            let publisher = e.publisher();
                            ch.send(publisher, &ServerMessage::Media { flowing: m.flowing(publisher) });
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                }
            }
        });
    }
}
