//! Theory test delivery: sessions, the candidate's flow, the paper's lifecycle and clocks, the
//! durable answer writer, proctoring, marking, the deadline sweep and the summary export.
pub mod answer_writer;
pub mod candidate;
pub mod candidate_channels;
pub mod lifecycle;
pub mod marking;
pub mod media_cluster;
pub mod media_log;
pub mod paper_view;
pub mod proctor;
pub mod roster;
pub mod roster_photos;
pub mod session_changes;
pub mod sessions;
pub mod summary;
pub mod sweeper;
pub mod tickets;
pub mod timing;
pub mod turn;
