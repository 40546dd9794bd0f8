//! The summary's figures before the second performance pass (the cost of one command
//! across the whole system), from the `deploy/dev bench` run of 2026-11-21 on this
//! machine, shown beside each new figure. Ratios compare across runs; absolute rates
//! move with the shared disk.

pub const COMMANDS_64: &str = "1482/s = 0.11×; p99 100.7 ms";
pub const COMMANDS_16_P99: &str = "p99 36.4 ms";
pub const CPU_PER_COMMAND: &str = "not measured (≈1.5 ms, estimated from `top`)";
pub const RELAY_LAG_64: &str = "p50 91.1 ms, p99 235.9 ms";
pub const PROJECTION_LAG: &str = "worst p99 74.0 ms";
pub const QUERIES: &str = "cached 1.0 ms, uncached 18.9 ms";
pub const REBUILD: &str = "30685 events/s";
pub const PDF: &str = "119 ms";
pub const MEMORY: &str = "61 MiB";
pub const BASELINE_64: &str = "13390 rows/s, p99 10.2 ms";
