//! Everything pwproxy logs in a test process, at trace level, in one buffer:
//! the whole suite is checked for leaked secrets, not one scenario.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

fn captured() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let writer = move || SharedWriter(sink.clone());
        let _ = tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_ansi(false)
            .with_writer(writer)
            .try_init();
        log
    })
}

/// Starts capturing (once per process).
pub fn capture() {
    captured();
}

/// The log so far, as text.
pub fn text() -> String {
    let log = captured().lock().unwrap_or_else(|p| p.into_inner());
    String::from_utf8_lossy(&log).into_owned()
}

/// Panics naming the first of `secrets` that was logged.
pub fn assert_none_logged(secrets: &[String]) {
    let log = text();
    assert!(log.contains("pwproxy::"), "pwproxy's trace log is captured");
    for secret in secrets {
        assert!(!log.contains(secret.as_str()), "a secret of this test was logged: {secret}");
    }
}

/// The `directory_exchanges` of the audit line (a reset's, a sign-in's, a
/// lookup's) of the request with this id.
pub fn exchanges_of(request_id: &str) -> u32 {
    let log = text();
    let line = log
        .lines()
        .find(|l| l.contains("directory_exchanges=") && l.contains(request_id))
        .unwrap_or_else(|| panic!("no audit line for {request_id}"));
    let value = line.split("directory_exchanges=").nth(1).expect("directory_exchanges in the audit line");
    value.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
}

/// pwproxy's own lines, for a failing test's output (`PWPROXY_TEST_DUMP_LOG`).
pub fn dump() {
    for line in text().lines().filter(|l| l.contains("pwproxy") && !l.contains("TRACE")) {
        eprintln!("{line}");
    }
}

struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
