//! Theory test delivery on the wire: candidate sign-in, the candidate's paper, and the
//! messages of the answer channel (WebSocket, with an HTTP fallback).
use serde::{Deserialize, Serialize};

use crate::bank::CandidateItem;
use question_bank::Points;
pub use question_bank::scoring::Response;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateLogin {
    /// Admission ticket number (准考证号).
    pub ticket: String,
    pub id_number: String,
    /// The password or one-time code the institution issued.
    pub password: String,
    /// A random id the browser keeps for itself (localStorage), so a change of device can be
    /// told and, where the session requires it, approved by a proctor.
    #[serde(default)]
    pub device: Option<String>,
}

/// Where the candidate is in the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Signed in; the commitment letter (承诺书) must be accepted.
    Commitment,
    /// Waiting for the session to open.
    Waiting,
    /// May start (the paper is assembled at start).
    Ready,
    InProgress,
    Paused,
    HandedIn,
    Terminated,
    /// The late-entry cut-off passed before the candidate started.
    EntryClosed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamStatus {
    pub stage: Stage,
    pub session_name: String,
    pub room: String,
    pub candidate_name: String,
    pub ticket: String,
    pub starts_at_ms: i64,
    /// The server's clock when this was written; the page keeps time from the server only.
    pub server_now_ms: i64,
    pub remaining_ms: Option<i64>,
    pub earliest_hand_in_at_ms: i64,
    pub paper_id: Option<i64>,
    pub score: Option<Points>,
    pub passed: Option<bool>,
    /// The session's pass mark, out of 100.
    #[serde(default)]
    pub pass_mark: i64,
    /// Points earned of the paper's total, once it is scored (the score is out of 100).
    #[serde(default)]
    pub raw_points: Option<Points>,
    #[serde(default)]
    pub max_points: Option<Points>,
    /// Why the paper was paused, or ended by a proctor: their reason, shown to the candidate.
    #[serde(default)]
    pub paused_reason: Option<String>,
    #[serde(default)]
    pub ended_reason: Option<String>,
    /// The proctor's warnings so far, oldest first: they stay on the page after a reload.
    #[serde(default)]
    pub notices: Vec<StatusNotice>,
}

/// A proctor's warning as the candidate's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusNotice {
    pub at_ms: i64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperQuestionView {
    /// 1-based number on this paper.
    pub no: i64,
    pub points: Points,
    pub item: CandidateItem,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedAnswer {
    pub no: i64,
    pub seq: i64,
    pub response: Response,
}

/// The candidate's copy: no keys, no seed, no per-option points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidatePaper {
    pub paper_id: i64,
    pub questions: Vec<PaperQuestionView>,
    pub answers: Vec<SavedAnswer>,
    /// The highest sequence number stored; a new page continues after it.
    pub last_seq: i64,
    pub remaining_ms: i64,
    pub server_now_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrityKind {
    PageHidden,
    WindowBlur,
    FullscreenExit,
    CopyPaste,
    SecondSignIn,
    /// The test page was reloaded: recorded as such, not as leaving the page.
    Reload,
}

/// From the candidate's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMessage {
    Answer {
        seq: i64,
        no: i64,
        response: Response,
    },
    Integrity {
        kind: IntegrityKind,
    },
    /// The question now on the candidate's screen (numbered from 1), for review playback.
    Viewing {
        no: i64,
    },
    Ping,
    /// Publishes camera, microphone and screen: the browser's SDP offer, and which offered
    /// track id is which. A new offer replaces the previous connection (renegotiation).
    MediaOffer {
        sdp: String,
        tracks: std::collections::BTreeMap<String, crate::MediaKind>,
    },
}

/// To the candidate's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Durable: the answer is committed (or was already).
    Ack {
        seq: i64,
        duplicate: bool,
    },
    /// Not stored, with the stable code and a message in the candidate's language. `retry`:
    /// the refusal is not final (the server had trouble, the paper is paused, too many answers
    /// at once): the page keeps the answer and sends it again; otherwise it will never count.
    Refused {
        seq: Option<i64>,
        error: String,
        message: String,
        #[serde(default)]
        retry: bool,
    },
    Time {
        remaining_ms: i64,
        server_now_ms: i64,
        paused: bool,
    },
    Ended {
        stage: Stage,
    },
    /// The server's answer to a media offer.
    MediaAnswer {
        sdp: String,
    },
    /// The tracks the server receives now (sent whenever that changes).
    Media {
        flowing: Vec<crate::MediaKind>,
    },
    /// A proctor's message or warning, to be shown at once.
    Notice {
        text: String,
        warning: bool,
        at_ms: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub seq: i64,
    pub no: i64,
    pub response: Response,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCandidate {
    pub name: String,
    pub id_kind: question_bank::identity::IdKind,
    pub id_number: String,
    /// The password to issue; a random one-time code is issued when absent.
    #[serde(default)]
    pub password: Option<String>,
}

/// A session (场次) as an institution admin creates it. Durations in minutes; defaults from
/// the notice: 90 minutes, entry until 30 minutes after the start, hand-in from 30 minutes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub bank_id: i64,
    pub level: u8,
    pub batch: String,
    pub name: String,
    pub room: String,
    pub starts_at_ms: i64,
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub late_entry_minutes: Option<i64>,
    #[serde(default)]
    pub earliest_hand_in_minutes: Option<i64>,
    #[serde(default)]
    pub capacity: Option<i64>,
    #[serde(default)]
    pub multiple_partial: bool,
    #[serde(default)]
    pub pass_mark: Option<i64>,
    #[serde(default)]
    pub device_approval: bool,
    /// Percent of a question's points two markers of a short answer may differ by before a
    /// third marks (default 20).
    #[serde(default)]
    pub marking_threshold_pct: Option<i64>,
    pub proctor_ids: Vec<i64>,
    /// Tracks the candidate must stream before the first question (default camera,
    /// microphone and screen).
    #[serde(default)]
    pub required_media: Option<Vec<crate::MediaKind>>,
    /// Who marks short answers (考评员: proctor accounts of the institution, at least 2);
    /// empty means the session's proctors.
    #[serde(default)]
    pub marker_ids: Vec<i64>,
    pub candidates: Vec<NewCandidate>,
}

/// A batch (批次) renamed across its sessions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRename {
    pub from: String,
    pub to: String,
}

/// The sessions of a batch that have not started, cancelled with one reason.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchCancel {
    pub batch: String,
    pub reason: String,
}

/// A session's time and staff changed before it starts (改期、调整监考): every field is
/// required, so what is sent is what the session becomes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSchedule {
    pub starts_at_ms: i64,
    pub duration_minutes: i64,
    pub late_entry_minutes: i64,
    pub earliest_hand_in_minutes: i64,
    pub pass_mark: i64,
    pub proctor_ids: Vec<i64>,
    pub marker_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    pub institution_id: i64,
    pub bank_id: i64,
    pub level: u8,
    pub batch: String,
    pub name: String,
    pub room: String,
    pub starts_at_ms: i64,
    pub deadline_ms: i64,
    pub late_entry_until_ms: i64,
    pub earliest_hand_in_at_ms: i64,
    pub capacity: i64,
    pub pass_mark: i64,
    /// Cancelled before it started: its candidates cannot sign in.
    #[serde(default)]
    pub cancelled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub ticket: String,
    pub name: String,
    pub id_masked: String,
    /// The issued password or one-time code; returned once, when the session is created.
    pub password: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedSession {
    pub session: SessionView,
    pub roster: Vec<RosterEntry>,
}

/// One candidate on the proctor's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomCandidate {
    pub candidate_id: i64,
    pub name: String,
    pub ticket: String,
    pub id_masked: String,
    pub stage: Stage,
    pub answered: i64,
    pub questions: i64,
    pub remaining_ms: Option<i64>,
    pub integrity_events: i64,
    pub score: Option<Points>,
    /// The candidate asked to continue on another device and waits for approval.
    #[serde(default)]
    pub device_pending: bool,
    /// The candidate's media tracks reaching this server now.
    #[serde(default)]
    pub media: Vec<crate::MediaKind>,
    /// The candidate took their photo at the device check.
    #[serde(default)]
    pub photo: bool,
    /// The institution holds a photo of the candidate (the roster's).
    #[serde(default)]
    pub roster_photo: bool,
    /// The proctor's identity check (人证核验): `Some(true)` the person matches the photo and
    /// the document, `Some(false)` they do not, `None` not checked yet.
    #[serde(default)]
    pub identity_checked: Option<bool>,
}

/// An entry of the exam-room feed: integrity events, sign-ins, proctor actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomEvent {
    pub id: i64,
    pub candidate_id: Option<i64>,
    pub kind: String,
    pub detail: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum ProctorAction {
    Pause {
        reason: String,
    },
    Resume,
    ExtraTime {
        minutes: i64,
        reason: String,
    },
    Terminate {
        reason: String,
    },
    /// A message or warning shown on the candidate's page and kept in the record.
    Warn {
        message: String,
    },
    /// A time-stamped note in the exam-room record (考场记录表).
    Note {
        text: String,
    },
    /// Lets the candidate continue on the device they asked to move to; the old one is signed out.
    ApproveDevice,
    /// The identity check (人证核验): the person on camera against the photo and the document.
    VerifyIdentity {
        matches: bool,
        #[serde(default)]
        note: String,
    },
    /// Clears the run of wrong passwords that slowed the candidate's sign-in.
    ClearSignIn,
}

/// One answer to mark, as a marker sees it: no name, ticket or ID, and no other marker's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkingTask {
    /// The marking item to send the mark to.
    pub id: i64,
    pub session_name: String,
    pub question_no: i64,
    /// The question's stem (sanitised HTML).
    pub stem: String,
    /// The reference answer from the bank, if it has one.
    pub reference: Option<String>,
    /// What the candidate wrote.
    pub response: String,
    pub max_points: Points,
    /// Answers still waiting for this marker in all their sessions, this one included.
    pub waiting: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkRequest {
    pub points: Points,
    #[serde(default)]
    pub comment: String,
}

/// What a mark did to its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkOutcome {
    /// The answer's final points, once settled (two close marks, or a third).
    pub settled: Option<Points>,
    /// The paper's score out of 100, once every answer on it is settled.
    pub paper_score: Option<Points>,
}

/// How far a session's marking has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkingProgress {
    pub answers: i64,
    pub settled: i64,
    /// Answers whose two marks differ beyond the threshold and wait for a third.
    pub awaiting_third: i64,
    /// Handed-in papers whose score waits for marking.
    pub papers_waiting: i64,
}

/// A roster file as checked before a session is made: the good rows (with their numbers, for
/// the admin who uploaded them to send on with the session) and the bad ones with reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterCheck {
    pub rows: Vec<RosterCheckRow>,
    pub bad: Vec<RosterBadRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterCheckRow {
    /// The row as the spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub name: String,
    pub id_kind: question_bank::identity::IdKind,
    pub id_kind_name: String,
    pub id_number: String,
    pub id_masked: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterBadRow {
    pub row: usize,
    pub name: String,
    /// Stable: `roster_missing_name`, `invalid_id_checksum`, `roster_duplicate_id`, …
    pub code: String,
    /// In the reader's language; never contains the document number.
    pub message: String,
}

/// A session's names, as its institution's admin changes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionNames {
    pub batch: String,
    pub name: String,
    pub room: String,
}

/// Why a session is cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancelSession {
    pub reason: String,
}
