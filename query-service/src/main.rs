use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use uuid::Uuid;

use caselog_eventlog::LogReader;
use caselog_eventlog::erasure::Keyring;
use caselog_platform::settings::LocalNatsUser;
use caselog_platform::{connect, telemetry};
use caselog_query_service::audit::replay::{self, conversation_stream};
use caselog_query_service::audit::trust::{PublishedCheckpoints, Verifier};
use caselog_query_service::audit::{AsOf, verification};
use caselog_query_service::export::ExportKind;
use caselog_query_service::{Application, Settings, export};
use caselog_schemas::{StreamId, StreamType, SubjectRoot, TenantId};

/// caselog's query service: the read API, and the auditors' offline tools.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the read API (the default).
    Serve,
    /// Recompute the hash chains from the log: one conversation's stream, a tenant's
    /// events (every stream, the tenant chain, its signed checkpoints) or the whole log
    /// (also contiguous positions and the log chain). Prints a JSON report; exits 1
    /// when anything is broken.
    Verify {
        #[arg(long, required_unless_present = "log", conflicts_with = "log")]
        tenant: Option<Uuid>,
        #[arg(long, requires = "tenant")]
        conversation: Option<Uuid>,
        #[arg(long)]
        log: bool,
        /// Also hold the log against the newest checkpoint published on NATS, which
        /// catches a log cut short together with its own checkpoints.
        #[arg(long, conflicts_with = "conversation")]
        nats: bool,
    },
    /// Export a case history as PDF/A-2b, replayed from the log (as of a position or
    /// an RFC 3339 time when given). Prints a JSON summary.
    Export {
        #[arg(long)]
        conversation: Uuid,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        as_of: Option<AsOf>,
        /// `audit_record` (everything) or `transcript` (what the customer saw).
        #[arg(long, value_enum, default_value = "audit_record")]
        kind: ExportKind,
    },
    /// Export every case of a tenant started in [--from, --to) as one ZIP (a PDF per
    /// case, their events with hashes, the checkpoints, a manifest with SHA-256s), with
    /// a progress bar. Prints a JSON summary.
    BulkExport {
        #[arg(long)]
        tenant: Uuid,
        #[arg(long)]
        from: chrono::DateTime<chrono::Utc>,
        #[arg(long)]
        to: chrono::DateTime<chrono::Utc>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value = "audit_record")]
        kind: ExportKind,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    let settings = cli.settings;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Serve = command {
        settings.common.check()?;
        Keyring::install_from(&settings.common)?;
        let _telemetry = telemetry::init("query-service", &settings.common)?;
        Application::build(settings)
            .await?
            .run_until_stopped()
            .await?;
        return Ok(ExitCode::SUCCESS);
    }
    // A tool: log lines (progress) on stderr, its report alone on stdout.
    telemetry::init_tool(&settings.common)?;
    let pool = connect::postgres(&settings.common.database_url, "query-service-cli", 2).await?;
    let reader = LogReader::new(pool);
    match command {
        Command::Serve => unreachable!("served above"),
        Command::Verify {
            tenant: Some(tenant),
            conversation: Some(conversation),
            ..
        } => {
            let stream = conversation_stream(TenantId(tenant), conversation);
            let report = verification::verify_stream(&reader, &stream).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(exit_code(report.report.events > 0 && report.report.ok))
        }
        Command::Verify { tenant, nats, .. } => {
            let published = match nats {
                true => Some(PublishedCheckpoints::new(
                    connect::nats(&settings.common, "query-service-cli", LocalNatsUser::QUERY)
                        .await?,
                    settings.common.stream_name.clone(),
                    SubjectRoot::new(settings.common.subject_root.clone()),
                )),
                false => None,
            };
            let verifier = Verifier {
                reader,
                keys: Arc::new(settings.trusted_keys()?),
                published,
                show_progress: true,
            };
            let report = match tenant {
                Some(tenant) => verifier.tenant(TenantId(tenant)).await?,
                None => verifier.log().await?,
            };
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(exit_code(report.ok))
        }
        Command::BulkExport {
            tenant,
            from,
            to,
            out,
            kind,
        } => {
            Keyring::install_from(&settings.common)?;
            let period = export::bulk::Period { from, to };
            anyhow::ensure!(from < to, "--from must be before --to");
            let summary =
                export::to_file::bulk_export(&reader, TenantId(tenant), period, kind, &out).await?;
            println!("{summary}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            conversation,
            out,
            as_of,
            kind,
        } => {
            Keyring::install_from(&settings.common)?;
            export_case(&reader, conversation, &out, as_of, kind).await
        }
    }
}

/// `query-service export`: one case, replayed from the log, written to `out`.
async fn export_case(
    reader: &LogReader,
    conversation: Uuid,
    out: &std::path::Path,
    as_of: Option<AsOf>,
    kind: ExportKind,
) -> anyhow::Result<ExitCode> {
    let stream_type = StreamType::new("conversation")?;
    let tenant = reader
        .tenant_of(&stream_type, StreamId(conversation))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no conversation {conversation} in the log"))?;
    let document = replay::case_document(reader, tenant, conversation, as_of, kind)
        .await?
        .ok_or_else(|| anyhow::anyhow!("conversation {conversation} had not started then"))?;
    // The operator's export: no cap (the HTTP export has them).
    let bytes = export::render(
        &document,
        export::RenderLimits::UNBOUNDED,
        &export::StopFlag::new(false),
    )?;
    std::fs::write(out, &bytes)?;
    let header = &document.file.header;
    println!(
        "{}",
        serde_json::json!({
            "conversation": conversation,
            "out": out,
            "bytes": bytes.len(),
            "entries": document.file.entries.len(),
            "stream_version": header.stream_version,
            "position": header.position,
            "head_hash": header.head_hash,
        })
    );
    Ok(ExitCode::SUCCESS)
}

fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
