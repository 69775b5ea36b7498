//! Theory test delivery: the session and paper clocks, the durable answer writer, and (as the
//! delivery issue proceeds) sessions, sign-in, papers and scoring.
pub mod answer_writer;
pub mod candidate;
pub mod candidate_channels;
pub mod marking;
pub mod media_cluster;
pub mod media_log;
pub mod paper_view;
pub mod proctor;
pub mod sessions;
pub mod summary;
pub mod sweeper;
pub mod timing;
pub mod turn;
