//! A private redis-server (Debian's package) on a free port of 127.0.0.1,
//! stopped by its PID; never the system service.

use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::Duration;

use crate::net::free_port;

pub struct RedisServer {
    pub port: u16,
    child: Mutex<Option<Child>>,
}

impl RedisServer {
    /// A missing redis-server is an error saying how to install it.
    pub fn start() -> Self {
        let server = Self { port: free_port(), child: Mutex::new(None) };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts it (again) on the same port, and waits until it accepts
    /// connections.
    pub fn restart(&self) {
        let binary = ["/usr/bin/redis-server", "redis-server"]
            .into_iter()
            .find(|b| !b.starts_with('/') || std::path::Path::new(b).exists())
            .unwrap();
        let child = Command::new(binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("redis-server is needed: `apt-get install -y redis-server` (or run `bash scripts/test.sh`): {e}")
            });
        *self.child.lock().unwrap() = Some(child);
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not listen on port {}", self.port);
    }

    /// SIGSTOP: it keeps its port but answers nothing (a slow Redis);
    /// `thaw` resumes it.
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        if let Some(child) = self.child.lock().unwrap().as_ref() {
            let _ = Command::new("kill").args([signal, &child.id().to_string()]).status();
        }
    }

    /// SIGKILL, and waits for its port to close.
    pub fn kill(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = Command::new("kill").args(["-CONT", &child.id().to_string()]).status();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
