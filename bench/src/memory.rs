//! Measurement 6: each service's peak resident memory (the kernel's high-water mark).

use caselog_testkit::stack::Stack;

/// (service, peak RSS in MiB) for the three services of `stack`.
pub fn peaks(stack: &Stack) -> Vec<(&'static str, f64)> {
    [
        ("command-service", stack.command.child.id()),
        ("projection-service", stack.projection.child.id()),
        ("query-service", stack.query.child.id()),
    ]
    .into_iter()
    .map(|(name, pid)| (name, pid.and_then(peak_mib).unwrap_or(f64::NAN)))
    .collect()
}

fn peak_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
