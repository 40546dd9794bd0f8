//! caselog end to end: the real binaries against real Postgres and nats-server, one
//! module per subject, all in one test binary (linked once). nextest runs each test in
//! its own process; each test makes its own database and JetStream stream
//! (`caselog_testkit`), so they run in parallel.
//!
//! `deploy/dev test` runs them all except the long fault and cluster tests, of which
//! only the `smoke_` ones; `deploy/dev faults` runs `faults::` and `cluster::` at full
//! length (.config/nextest.toml).

// A panic is how a test fails.
#![allow(clippy::unwrap_used)]

mod as_of_replay;
mod auditors;
mod auto_close_and_live_dashboard;
mod bad_input;
mod bench_smoke;
mod bulk_exports;
mod case_files;
mod chat_bell_and_cards;
mod chatbot;
mod cluster;
mod contracts;
mod dashboard_tiles;
mod directory_and_settings;
mod erasure;
mod faults;
mod files_library;
mod groups_and_acceptance;
mod idempotency;
mod internal_chat;
mod internal_messages_across_cases;
mod isolation_and_visibility;
mod least_privilege;
mod limits;
mod live_streams;
mod log_appends;
mod log_order_under_concurrency;
mod log_tamper_evidence;
mod nats_permissions;
mod nats_tls;
mod offline_verification;
mod projections;
mod python_subscriber;
mod races_and_pages;
mod relay;
mod replies_and_transfers;
mod returning_contacts;
mod role_matrix;
mod sealing;
mod services;
mod shutdown;
mod subscriptions;
mod support_day;
mod telemetry;
mod tokens;
mod trusting_the_log;
mod upcasting;
mod webhooks;
mod who_looked;
