//! Log lines: human-readable text (the default) or one JSON object per line
//! (`--log-format json`), filtered by `RUST_LOG`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use tracing_subscriber::EnvFilter;

/// What is logged when `RUST_LOG` says nothing.
const DEFAULT_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// `--log-format`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

static JSON: AtomicBool = AtomicBool::new(false);

/// Sets up logging for the process (the first call wins).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let installed = match format {
        // Colours only on a terminal: a log file or a collector gets plain text.
        LogFormat::Text => builder.with_ansi(std::io::stdout().is_terminal()).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
    };
    if installed.is_ok() {
        JSON.store(format == LogFormat::Json, Ordering::Relaxed);
    }
}

/// True when log lines are JSON: then nothing else may be printed between them.
pub fn is_json() -> bool {
    JSON.load(Ordering::Relaxed)
}
