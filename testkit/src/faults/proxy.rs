//! A TCP fault proxy on loopback, between a service and Postgres or NATS. It passes
//! bytes through until told otherwise:
//!
//! - `delay`: every chunk waits before it is forwarded;
//! - `blackhole`: live and new connections stay open and nothing goes through, in
//!   either direction (a half-open network path);
//! - `refuse`: new connections are reset as soon as they are accepted;
//! - `reset_live`: every live connection is reset (RST) at once;
//! - `cut_after_commits(n)`: the next `n` times a client sends `COMMIT`, the proxy
//!   forwards it to the server and then cuts the connection, so the transaction commits
//!   and its client never hears so.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Pass,
    Delay(Duration),
    Blackhole,
    Refuse,
}

struct Shared {
    upstream: String,
    mode: watch::Sender<Mode>,
    /// Bumped by `reset_live`; every connection alive then is reset.
    resets: watch::Sender<u64>,
    commit_cuts_left: AtomicU32,
    commit_cuts_made: AtomicU32,
    accepted: AtomicU64,
}

/// A running proxy; it stops (and drops every connection) when dropped.
pub struct FaultProxy {
    shared: Arc<Shared>,
    pub port: u16,
    stop: CancellationToken,
}

/// The query a Postgres client sends to commit (simple protocol, or parsed).
const COMMIT: &[u8] = b"COMMIT\0";

impl FaultProxy {
    pub async fn start(upstream: impl Into<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let port = listener.local_addr().expect("an address").port();
        let shared = Arc::new(Shared {
            upstream: upstream.into(),
            mode: watch::channel(Mode::Pass).0,
            resets: watch::channel(0).0,
            commit_cuts_left: AtomicU32::new(0),
            commit_cuts_made: AtomicU32::new(0),
            accepted: AtomicU64::new(0),
        });
        let stop = CancellationToken::new();
        tokio::spawn(accept_loop(listener, shared.clone(), stop.clone()));
        Self { shared, port, stop }
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn set(&self, mode: Mode) {
        self.shared.mode.send_replace(mode);
    }

    pub fn pass(&self) {
        self.set(Mode::Pass);
    }

    pub fn blackhole(&self) {
        self.set(Mode::Blackhole);
    }

    pub fn refuse(&self) {
        self.set(Mode::Refuse);
    }

    /// Resets every connection alive now (new ones are not affected).
    pub fn reset_live(&self) {
        self.shared
            .resets
            .send_modify(|generation| *generation += 1);
    }

    /// Ends a blackhole as a network path that comes back without its state would: the
    /// connections it swallowed are reset, new ones pass.
    pub fn heal(&self) {
        self.reset_live();
        self.pass();
    }

    /// Cuts the connection right after each of the next `n` `COMMIT`s went out.
    pub fn cut_after_commits(&self, n: u32) {
        self.shared.commit_cuts_left.store(n, Ordering::SeqCst);
    }

    pub fn commit_cuts_made(&self) -> u32 {
        self.shared.commit_cuts_made.load(Ordering::SeqCst)
    }

    pub fn connections_accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, stop: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((client, _)) = accepted else { continue };
        shared.accepted.fetch_add(1, Ordering::SeqCst);
        let _ = client.set_nodelay(true);
        if *shared.mode.borrow() == Mode::Refuse {
            reset(&client);
            continue;
        }
        tokio::spawn(connection(client, shared.clone(), stop.child_token()));
    }
}

async fn connection(client: TcpStream, shared: Arc<Shared>, stop: CancellationToken) {
    let server = tokio::select! {
        _ = stop.cancelled() => return,
        server = TcpStream::connect(&shared.upstream) => server,
    };
    let Ok(server) = server else {
        reset(&client);
        return;
    };
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let mut resets = shared.resets.subscribe();
    resets.mark_unchanged();
    let ended = CancellationToken::new();
    let upstream = pump(
        client_read,
        server_write,
        shared.clone(),
        ended.clone(),
        Direction::ToServer,
    );
    let downstream = pump(
        server_read,
        client_write,
        shared.clone(),
        ended.clone(),
        Direction::ToClient,
    );
    let upstream = tokio::spawn(upstream);
    let downstream = tokio::spawn(downstream);
    let killed = tokio::select! {
        _ = stop.cancelled() => true,
        _ = resets.changed() => true,
        _ = ended.cancelled() => false,
    };
    ended.cancel();
    let (Ok((server_write, cut)), Ok((client_write, _))) = (upstream.await, downstream.await)
    else {
        return;
    };
    if killed {
        reset(client_write.as_ref());
        reset(server_write.as_ref());
    } else if cut {
        // The server side was closed gracefully, so it still reads the COMMIT.
        reset(client_write.as_ref());
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    ToServer,
    ToClient,
}

/// Copies `from` into `to` as the mode says until the connection ends; returns the
/// writer (so the connection can be reset) and whether it cut the connection after a
/// commit.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    shared: Arc<Shared>,
    ended: CancellationToken,
    direction: Direction,
) -> (OwnedWriteHalf, bool) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = tokio::select! {
            _ = ended.cancelled() => return (to, false),
            read = from.read(&mut buffer) => read,
        };
        let chunk = match read {
            Ok(0) | Err(_) => {
                // One side closed: close the other gracefully, then end both pumps.
                let _ = to.shutdown().await;
                ended.cancel();
                return (to, false);
            }
            Ok(n) => &buffer[..n],
        };
        let mode = *shared.mode.borrow();
        match mode {
            Mode::Blackhole => continue,
            Mode::Delay(delay) => {
                tokio::select! {
                    _ = ended.cancelled() => return (to, false),
                    _ = tokio::time::sleep(delay) => {}
                }
            }
            Mode::Pass | Mode::Refuse => {}
        }
        let cut = direction == Direction::ToServer
            && contains(chunk, COMMIT)
            && shared
                .commit_cuts_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                    left.checked_sub(1)
                })
                .is_ok();
        if to.write_all(chunk).await.is_err() {
            ended.cancel();
            return (to, false);
        }
        if cut {
            // The server reads COMMIT before it sees the connection close, commits, and
            // its answer never reaches the client.
            let _ = to.flush().await;
            let _ = to.shutdown().await;
            shared.commit_cuts_made.fetch_add(1, Ordering::SeqCst);
            ended.cancel();
            return (to, true);
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

fn reset(stream: &TcpStream) {
    let _ = stream.set_zero_linger();
}
