//! Wire types shared by `exam-server` and `exam-client`: requests, responses and error bodies.
//! Serde and the pure item types of `question-bank` only: no async runtime, no HTTP, no SQL
//! (a test in `tests/` enforces this).

mod account;
mod audit;
mod bank;
mod error;
mod exam;
mod institution;
mod media;

pub use account::{Account, LoginRequest, LoginResponse, NewAccount, Role};
pub use audit::{AuditEvent, AuditVerifyReport};
pub use bank::{
    Bank, Blueprint, CandidateChoice, CandidateItem, Feasibility, ImportSummary, Importance, ItemContent, ItemPage, ItemRecord, ItemStatus, MemberRole,
    MissingImage, NewBank, NewMember, Outline, OutlineProblem, OutlineVersion, ReviewDecision, ReviewRequest, Shortfall, SkippedItem,
};
pub use error::ErrorBody;
pub use exam::{
    AnswerRequest, BatchCancel, BatchRename, CancelSession, CandidateLogin, CandidatePaper, ClientMessage, CreatedSession, ExamStatus, IntegrityKind,
    MarkOutcome, MarkRequest, MarkingProgress, MarkingTask, NewCandidate, NewSession, PaperQuestionView, ProctorAction, Response, RoomCandidate, RoomEvent,
    RosterBadRow, RosterCheck, RosterCheckRow, RosterEntry, SavedAnswer, ServerMessage, SessionNames, SessionSchedule, SessionView, Stage, StatusNotice,
};
pub use institution::{Institution, InstitutionKind, NewInstitution};
pub use media::{IceServer, MediaCaps, MediaKind, MediaSetup, SdpAnswer, ViewQuality, WatchRequest};
pub use question_bank::{Choice, Difficulty, ItemType, Key, Points};
