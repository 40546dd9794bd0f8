//! The fault harness: caselog on infrastructure of the test's own, so a test may kill,
//! pause or cut Postgres, nats-server and the services without touching anyone else's.
//!
//! - [`postgres`] and [`nats`]: a private Postgres (initdb in a temporary directory)
//!   and nats-server (the local stack's configuration, its own store), on loopback.
//! - [`proxy`]: a TCP fault proxy between each service and each of them.
//! - [`stack`]: the three service binaries started against those proxies.
//! - [`nats_cluster`] and [`cluster`]: a three-node JetStream cluster and several
//!   instances of every service, for the faults of running beyond one machine.
//! - [`load`]: a steady command load with a ledger of every acknowledged command.
//! - [`oracle`]: what must hold after any fault: nothing lost, nothing twice, the
//!   stream equal to the log, every read model equal to its rebuild.
//! - [`report`]: one row per fault for `docs/RELIABILITY.md`.

pub mod cluster;
pub mod load;
pub mod nats;
pub mod nats_cluster;
pub mod oracle;
pub mod postgres;
pub mod proxy;
pub mod report;
pub mod stack;

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}
