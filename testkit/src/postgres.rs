//! A private PostgreSQL cluster (Debian's `postgresql` package): `initdb`
//! and `pg_ctl` run as the `postgres` user in a temporary folder, listening
//! on a free port of 127.0.0.1 only; never the system service. One cluster
//! serves a whole run; each test takes a database of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::net::free_port;

/// The password in every database URL of the kit.
pub const DATABASE_PASSWORD: &str = "pg-url-secret-5d1c";

pub struct PostgresServer {
    pub port: u16,
    folder: PathBuf,
    bin: PathBuf,
}

/// The one cluster of this test run, started at first use.
pub fn shared() -> &'static PostgresServer {
    static SERVER: OnceLock<PostgresServer> = OnceLock::new();
    SERVER.get_or_init(PostgresServer::start)
}

fn bin_folder() -> PathBuf {
    let versions = std::fs::read_dir("/usr/lib/postgresql").unwrap_or_else(|e| {
        panic!("PostgreSQL is needed: `apt-get install -y postgresql` (or run `bash scripts/test.sh`): {e}")
    });
    let mut found: Vec<PathBuf> = versions
        .filter_map(|v| v.ok())
        .map(|v| v.path().join("bin"))
        .filter(|b| b.join("initdb").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("PostgreSQL is needed: `apt-get install -y postgresql` (no initdb under /usr/lib/postgresql)")
}

/// `program args…` as the `postgres` user (initdb refuses root).
fn as_postgres(program: &Path, args: &[&str]) -> std::process::Output {
    let mut command = Command::new("runuser");
    command.args(["-u", "postgres", "--"]).arg(program).args(args);
    command.output().unwrap_or_else(|e| panic!("cannot run {} as postgres: {e}", program.display()))
}

impl PostgresServer {
    pub fn start() -> Self {
        let bin = bin_folder();
        let folder = std::env::temp_dir().join(format!("pwproxy-postgres-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&folder).unwrap();
        let chown = Command::new("chown").args(["postgres:postgres"]).arg(&folder).status().unwrap();
        assert!(chown.success(), "chown the PostgreSQL folder");
        let data = folder.join("data");
        let data = data.to_str().unwrap();
        let init =
            as_postgres(&bin.join("initdb"), &["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
        assert!(init.status.success(), "initdb: {}", String::from_utf8_lossy(&init.stderr));
        let port = free_port();
        let server = Self { port, folder, bin };
        server.resume();
        server.stop_with_this_process();
        server
    }

    /// A shared cluster lives in a static, which is never dropped: a
    /// watcher stops it and removes its folder once this test process is
    /// gone.
    fn stop_with_this_process(&self) {
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             runuser -u postgres -- {pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {folder}",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.folder.join("data").display(),
            folder = self.folder.display(),
        );
        let _ = Command::new("setsid")
            .args(["bash", "-c", &script])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    /// Starts the cluster (again) on its port and waits until it answers.
    pub fn resume(&self) {
        let data = self.folder.join("data");
        let log = self.folder.join("log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.folder.display()
        );
        let started = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-o", &options, "-w", "start"],
        );
        assert!(started.status.success(), "pg_ctl start: {}", String::from_utf8_lossy(&started.stderr));
    }

    /// Stops the cluster at once (the store going away); `resume` brings it
    /// back on the same port.
    pub fn halt(&self) {
        let data = self.folder.join("data");
        let stopped = as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-m", "immediate", "-w", "stop"],
        );
        assert!(stopped.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&stopped.stderr));
    }

    /// A new, empty database: its URL, with a password in it (the cluster
    /// trusts 127.0.0.1 and ignores it; the suites check it is never logged).
    pub fn database(&self) -> String {
        let name = format!("audit_{}", uuid::Uuid::new_v4().simple());
        let created = as_postgres(
            &self.bin.join("createdb"),
            &["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", &name],
        );
        assert!(created.status.success(), "createdb: {}", String::from_utf8_lossy(&created.stderr));
        format!("postgres://postgres:{DATABASE_PASSWORD}@127.0.0.1:{}/{name}", self.port)
    }

    /// `sql` run in the database at `url`, by psql: its output.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let out = as_postgres(&self.bin.join("psql"), &["-At", "-d", url, "-c", sql]);
        assert!(out.status.success(), "psql: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        let data = self.folder.join("data");
        let _ =
            as_postgres(&self.bin.join("pg_ctl"), &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"]);
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}
