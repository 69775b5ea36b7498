//! The exam-server binary's own parts: the demo seeding (an institution, a bank, a session and
//! one account per role) and the guard that keeps demo accounts out of a real deployment.
//! `main.rs` is the CLI; everything else is in the application and web crates.

pub mod demo;
mod demo_bank;
pub mod demo_bench;
pub mod demo_guard;
mod demo_session;
