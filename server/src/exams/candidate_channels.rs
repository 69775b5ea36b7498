//! The open sockets of candidates, by candidate: one dispatcher hands each proctor notice and
//! each change of a paper's clock (from the event bus, so from any process) and each media change
//! to that candidate's sockets only, instead of every socket looking at every event.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use exam_protocol::ServerMessage;
use tokio::sync::{broadcast, mpsc};

use crate::events::{Event, EventBus};

/// What a candidate's socket is handed to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ToSocket {
    /// Send this. Boxed: each socket's channel keeps a block of 32 slots from the start, and
    /// 19,900 sockets with 72-byte slots would hold 45 MB of them.
    Message(Box<ServerMessage>),
    /// The paper was paused, resumed, given time or ended: read its clock afresh and send it.
    ClockChanged,
}

type Senders = HashMap<i64, Vec<(u64, mpsc::Sender<ToSocket>)>>;

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
    pub fn register(self: &Arc<Self>, candidate: i64, out: mpsc::Sender<ToSocket>) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.open.lock().unwrap_or_else(|e| e.into_inner()).entry(candidate).or_default().push((id, out));
        Registration { channels: Arc::downgrade(self), candidate, id }
    }

    /// Hands to every open socket of the candidate; a full or closed one is skipped.
    pub fn send(&self, candidate: i64, msg: &ToSocket) {
        let targets: Vec<mpsc::Sender<ToSocket>> =
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
                            ch.send(candidate_id, &ToSocket::Message(Box::new(ServerMessage::Notice { text, warning, at_ms })));
                        }
                        Ok(Event::PaperChanged { candidate_id, .. }) if candidate_id != 0 => {
                            let Some(ch) = me.upgrade() else { return };
                            ch.send(candidate_id, &ToSocket::ClockChanged);
                        }
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    e = media_events.recv() => match e {
                        Ok(e) => {
                            let Some(ch) = me.upgrade() else { return };
                            let publisher = e.publisher();
                            ch.send(publisher, &ToSocket::Message(Box::new(ServerMessage::Media { flowing: m.flowing(publisher) })));
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_clock_change_reaches_only_that_candidates_sockets() {
        let bus = EventBus::local();
        let media = media::sfu::MediaServer::new(media::sfu::MediaConfig::local(std::env::temp_dir()));
        let ch = Arc::new(CandidateChannels::default());
        ch.dispatch(&bus, &media);
        let (a_tx, mut a) = mpsc::channel(8);
        let (b_tx, mut b) = mpsc::channel(8);
        let (_ra, _rb) = (ch.register(7, a_tx), ch.register(8, b_tx));
        bus.publish(Event::PaperChanged { paper_id: 70, candidate_id: 7 });
        bus.publish(Event::Notice { candidate_id: 8, text: "请坐好".into(), warning: false, at_ms: 1 });
        assert_eq!(a.recv().await, Some(ToSocket::ClockChanged));
        assert!(matches!(b.recv().await, Some(ToSocket::Message(m)) if matches!(*m, ServerMessage::Notice { .. })));
        assert!(a.try_recv().is_err() && b.try_recv().is_err());
    }
}
