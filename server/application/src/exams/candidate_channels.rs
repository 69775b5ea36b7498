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
    /// The sign-in this socket was opened with has ended: say so and close.
    SignedOut,
}

/// One open socket: its id in the registry, the sign-in (token hash) it was opened with, and
/// where to hand it things.
#[derive(Debug)]
struct Socket {
    id: u64,
    token_hash: String,
    out: mpsc::Sender<ToSocket>,
}

#[derive(Debug, Default)]
struct Open {
    by_candidate: HashMap<i64, Vec<Socket>>,
    /// The candidate behind each account with a socket open, for sign-outs.
    candidate_of: HashMap<i64, i64>,
}

#[derive(Debug, Default)]
pub struct CandidateChannels {
    open: Mutex<Open>,
    next: AtomicU64,
}

/// Removes its socket from the registry when dropped.
#[derive(Debug)]
pub struct Registration {
    channels: Weak<CandidateChannels>,
    candidate: i64,
    account: i64,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Some(ch) = self.channels.upgrade() {
            let mut open = ch.open.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(list) = open.by_candidate.get_mut(&self.candidate) {
                list.retain(|s| s.id != self.id);
                if list.is_empty() {
                    open.by_candidate.remove(&self.candidate);
                    open.candidate_of.remove(&self.account);
                }
            }
        }
    }
}

impl CandidateChannels {
    /// Registers a candidate's socket, opened by `account` with the sign-in `token_hash`.
    pub fn register(self: &Arc<Self>, candidate: i64, account: i64, token_hash: &str, out: mpsc::Sender<ToSocket>) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.by_candidate.entry(candidate).or_default().push(Socket { id, token_hash: token_hash.to_string(), out });
        open.candidate_of.insert(account, candidate);
        Registration { channels: Arc::downgrade(self), candidate, account, id }
    }

    /// Hands to every open socket of the candidate; a full or closed one is skipped.
    pub fn send(&self, candidate: i64, msg: &ToSocket) {
        let targets: Vec<mpsc::Sender<ToSocket>> = self
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .by_candidate
            .get(&candidate)
            .map(|l| l.iter().map(|s| s.out.clone()).collect())
            .unwrap_or_default();
        for t in targets {
            let _ = t.try_send(msg.clone());
        }
    }

    /// Tells the sockets opened with this sign-in (None: every sign-in of the account) that it
    /// has ended. A full channel gets it once it has room: this one must not be dropped.
    pub fn signed_out(&self, account: i64, token_hash: Option<&str>) {
        let targets: Vec<mpsc::Sender<ToSocket>> = {
            let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let Some(candidate) = open.candidate_of.get(&account) else {
                return;
            };
            open.by_candidate
                .get(candidate)
                .map(|l| l.iter().filter(|s| token_hash.is_none_or(|t| t == s.token_hash)).map(|s| s.out.clone()).collect())
                .unwrap_or_default()
        };
        for t in targets {
            if let Err(mpsc::error::TrySendError::Full(_)) = t.try_send(ToSocket::SignedOut) {
                tokio::spawn(async move { t.send(ToSocket::SignedOut).await });
            }
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
                        Ok(Event::SignedOut { account_id, token_hash }) => {
                            let Some(ch) = me.upgrade() else { return };
                            ch.signed_out(account_id, token_hash.as_deref());
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
        let (_ra, _rb) = (ch.register(7, 70, "t7", a_tx), ch.register(8, 80, "t8", b_tx));
        bus.publish(Event::PaperChanged { paper_id: 70, candidate_id: 7 });
        bus.publish(Event::Notice { candidate_id: 8, text: "请坐好".into(), warning: false, at_ms: 1 });
        assert_eq!(a.recv().await, Some(ToSocket::ClockChanged));
        assert!(matches!(b.recv().await, Some(ToSocket::Message(m)) if matches!(*m, ServerMessage::Notice { .. })));
        assert!(a.try_recv().is_err() && b.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_sign_out_reaches_the_sockets_of_that_sign_in() {
        let bus = EventBus::local();
        let media = media::sfu::MediaServer::new(media::sfu::MediaConfig::local(std::env::temp_dir()));
        let ch = Arc::new(CandidateChannels::default());
        ch.dispatch(&bus, &media);
        let (old_tx, mut old) = mpsc::channel(8);
        let (new_tx, mut new) = mpsc::channel(8);
        let (_ro, _rn) = (ch.register(7, 70, "old-device", old_tx), ch.register(7, 70, "new-device", new_tx));
        bus.publish(Event::SignedOut { account_id: 70, token_hash: Some("old-device".into()) });
        assert_eq!(old.recv().await, Some(ToSocket::SignedOut));
        assert!(new.try_recv().is_err(), "the other sign-in stays");
        bus.publish(Event::SignedOut { account_id: 70, token_hash: None });
        assert_eq!(new.recv().await, Some(ToSocket::SignedOut));
    }
}
