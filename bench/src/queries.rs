//! Measurement 3: query latency, one request at a time, for the reads an agent's screen
//! makes. "Cold" requests each ask for something the query cache has not seen since the
//! data last changed (another viewer, filter or conversation), so the read model
//! answers; "warm" requests repeat them, so the cache does. Postgres's own buffers are
//! warm in both cases: the data is the recent history a support team works on.

use std::time::Instant;

use hdrhistogram::Histogram;

use caselog_testkit::stack::Session;

use crate::figures::Latency;
use crate::team::Team;

pub struct QueryRow {
    pub query: &'static str,
    pub cold: Latency,
    pub warm: Latency,
}

/// Up to `samples` requests per query, over `teams` and their `conversations`.
pub async fn measure(
    teams: &[Team],
    conversations: &[(usize, String)],
    samples: usize,
) -> anyhow::Result<Vec<QueryRow>> {
    let mut rows = Vec::new();
    for (query, requests) in [
        ("team inbox", team_inbox(teams)),
        ("my inbox", my_inbox(teams)),
        ("dashboard", dashboard(teams)),
        ("conversation", conversation(teams, conversations, "")),
        ("history", conversation(teams, conversations, "/history")),
    ] {
        let requests: Vec<_> = requests.into_iter().take(samples).collect();
        let cold = timed(&requests).await?;
        let warm = timed(&requests).await?;
        eprintln!("  {query}: cold {cold}; warm {warm}");
        rows.push(QueryRow { query, cold, warm });
    }
    Ok(rows)
}

async fn timed(requests: &[(Session, String)]) -> anyhow::Result<Latency> {
    let mut histogram = Histogram::<u64>::new(3)?;
    for (session, path) in requests {
        let started = Instant::now();
        let reply = session.get(path).await;
        let micros = started.elapsed().as_micros().max(1) as u64;
        anyhow::ensure!(
            reply.status == 200,
            "GET {path}: {} {}",
            reply.status,
            reply.body
        );
        histogram.record(micros)?;
    }
    Ok(Latency::from_histogram(&histogram))
}

/// Everyone of a team who reads the inbox.
fn viewers(team: &Team) -> impl Iterator<Item = &Session> {
    std::iter::once(&team.admin).chain(team.agents.iter())
}

/// Interleaves the teams' requests, so samples spread over tenants.
fn round_robin(per_team: Vec<Vec<(Session, String)>>) -> Vec<(Session, String)> {
    let longest = per_team.iter().map(Vec::len).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| per_team.iter().filter_map(move |list| list.get(i).cloned()))
        .collect()
}

fn team_inbox(teams: &[Team]) -> Vec<(Session, String)> {
    round_robin(
        teams
            .iter()
            .map(|team| {
                let mut list = Vec::new();
                for status in ["", "&status=open", "&status=resolved", "&status=closed"] {
                    for channel in ["", "&channel=whatsapp", "&channel=sms", "&channel=email"] {
                        for viewer in viewers(team) {
                            list.push((
                                viewer.clone(),
                                format!("/v1/inbox/team?group_id={}{status}{channel}", team.group),
                            ));
                        }
                    }
                }
                list
            })
            .collect(),
    )
}

fn my_inbox(teams: &[Team]) -> Vec<(Session, String)> {
    round_robin(
        teams
            .iter()
            .map(|team| {
                let mut list = Vec::new();
                for status in ["", "?status=open", "?status=resolved", "?status=closed"] {
                    for viewer in viewers(team) {
                        list.push((viewer.clone(), format!("/v1/inbox/mine{status}")));
                    }
                }
                list
            })
            .collect(),
    )
}

fn dashboard(teams: &[Team]) -> Vec<(Session, String)> {
    round_robin(
        teams
            .iter()
            .map(|team| {
                viewers(team)
                    .flat_map(|viewer| {
                        [
                            (
                                viewer.clone(),
                                format!("/v1/dashboard?group_id={}", team.group),
                            ),
                            (viewer.clone(), "/v1/dashboard".to_owned()),
                        ]
                    })
                    .collect()
            })
            .collect(),
    )
}

/// One conversation per request, read by one of its team's agents.
fn conversation(
    teams: &[Team],
    conversations: &[(usize, String)],
    suffix: &str,
) -> Vec<(Session, String)> {
    conversations
        .iter()
        .enumerate()
        .map(|(i, (team, id))| {
            let team = &teams[*team];
            (
                team.agents[i % team.agents.len()].clone(),
                format!("/v1/conversations/{id}{suffix}"),
            )
        })
        .collect()
}
