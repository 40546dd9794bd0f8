//! Measurement 4: `projection-service rebuild <name>` for every projection, each from the
//! whole log into a fresh schema, swapped in at the end (as an operator runs it).

use caselog_testkit::stack::Stack;

pub const PROJECTIONS: [&str; 5] = ["inbox", "history", "internal_messages", "directory", "chat"];

pub struct Rebuild {
    pub projection: String,
    pub events: i64,
    pub seconds: f64,
}

impl Rebuild {
    pub fn per_second(&self) -> f64 {
        self.events as f64 / self.seconds
    }
}

pub async fn measure(stack: &Stack) -> Vec<Rebuild> {
    let mut rebuilds = Vec::new();
    for name in PROJECTIONS {
        let report = stack.rebuild(name).await;
        let rebuild = Rebuild {
            projection: name.to_owned(),
            events: report["events"].as_i64().unwrap_or(0),
            seconds: report["seconds"].as_f64().unwrap_or(f64::NAN),
        };
        eprintln!(
            "  {name}: {} events in {:.1} s ({:.0}/s)",
            rebuild.events,
            rebuild.seconds,
            rebuild.per_second()
        );
        rebuilds.push(rebuild);
    }
    rebuilds
}
