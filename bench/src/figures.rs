//! The shapes every measurement reports in: latency percentiles and a rate with them.

use std::fmt;

use hdrhistogram::Histogram;

/// Percentiles of a histogram of microseconds, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latency {
    pub samples: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

impl Latency {
    pub fn from_histogram(histogram: &Histogram<u64>) -> Self {
        let ms = |q: f64| histogram.value_at_quantile(q) as f64 / 1000.0;
        Self {
            samples: histogram.len(),
            p50_ms: ms(0.50),
            p99_ms: ms(0.99),
            p999_ms: ms(0.999),
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms ({} samples)",
            self.p50_ms, self.p99_ms, self.p999_ms, self.samples
        )
    }
}

/// A rate (operations/s) and the latency of its operations.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    pub per_second: f64,
    pub latency: Latency,
}

impl Measurement {
    /// `histogram` holds microseconds.
    pub fn from_histogram(per_second: f64, histogram: &Histogram<u64>) -> Self {
        Self {
            per_second,
            latency: Latency::from_histogram(histogram),
        }
    }
}

impl fmt::Display for Measurement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.0}/s, {}", self.per_second, self.latency)
    }
}
