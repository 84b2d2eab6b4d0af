//! A private slapd running the fixture directory (tests/fixtures/openldap),
//! started as a plain process on free ports.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::net::free_port;

/// The fixture's credentials (tests/fixtures/openldap).
pub const ROOT_DN: &str = "cn=admin,dc=example,dc=org";
pub const ROOT_PASSWORD: &str = "Fixture-Root-Passw0rd!";
pub const SERVICE_DN: &str = "cn=pwproxy,ou=services,dc=example,dc=org";
pub const SERVICE_PASSWORD: &str = "Service-Passw0rd!";
/// Every seeded person's password.
pub const SEED_PASSWORD: &str = "Initial-Passw0rd!";

pub struct Slapd {
    dir: tempfile::TempDir,
    pub ldap_port: u16,
    pub ldaps_port: u16,
    listen: String,
}

impl Slapd {
    /// Starts the fixture; a missing slapd is an error that says how to
    /// install it. Free ports are found by binding port 0, and another
    /// process may take one first, so a failed start is retried.
    pub fn start() -> Self {
        let script = crate::repository().join("tests/fixtures/openldap/start.sh");
        let mut last_error = String::new();
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("temp dir");
            let (ldap_port, ldaps_port) = (free_port(), free_port());
            let output = Command::new("bash")
                .arg(&script)
                .arg(dir.path().join("slapd"))
                .arg(ldap_port.to_string())
                .arg(ldaps_port.to_string())
                .output()
                .expect("run tests/fixtures/openldap/start.sh");
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            if output.status.code() == Some(2) {
                panic!(
                    "OpenLDAP's slapd and ldap-utils are needed: `apt-get install -y slapd ldap-utils openssl` \
                     (or run `bash scripts/test.sh`, which installs them). {stderr}"
                );
            }
            let ldapi = dir.path().join("slapd/ldapi").display().to_string().replace('/', "%2F");
            let listen =
                format!("ldap://127.0.0.1:{ldap_port}/ ldaps://127.0.0.1:{ldaps_port}/ ldapi://{ldapi}");
            let slapd = Self { dir, ldap_port, ldaps_port, listen };
            if output.status.success() {
                return slapd;
            }
            last_error = stderr;
        }
        panic!("the fixture slapd did not start: {last_error}");
    }

    pub fn ldap_url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.ldap_port)
    }

    pub fn ldaps_url(&self) -> String {
        format!("ldaps://127.0.0.1:{}", self.ldaps_port)
    }

    pub fn ca_file(&self) -> PathBuf {
        self.home().join("ca.pem")
    }

    /// The server's certificate (for localhost and 127.0.0.1, signed by
    /// [`Self::ca_file`]) and key: pwproxy's HTTPS tests use them too.
    pub fn server_certificate(&self) -> (PathBuf, PathBuf) {
        (self.home().join("server.pem"), self.home().join("server.key"))
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("slapd")
    }

    fn pid(&self) -> Option<String> {
        std::fs::read_to_string(self.home().join("slapd.pid")).ok().map(|p| p.trim().to_owned())
    }

    /// slapd's process id, for CPU accounting.
    pub fn process_id(&self) -> u32 {
        self.pid().and_then(|p| p.parse().ok()).expect("slapd.pid")
    }

    /// Kills slapd (SIGKILL: the data is disposable and a graceful stop waits
    /// seconds for idle clients) and waits until its ports are closed.
    pub fn stop(&self) {
        let pid = self.pid().expect("slapd.pid");
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
        for _ in 0..500 {
            // Gone, or a zombie waiting for init to reap it: either way its
            // sockets are closed.
            match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
                Err(_) => return,
                Ok(stat)
                    if stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')) =>
                {
                    return;
                }
                Ok(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        panic!("slapd {pid} did not exit");
    }

    /// Starts the stopped slapd again on the same ports with the same data,
    /// and waits until it accepts connections. A killed slapd's threads may
    /// still hold its ports for a moment after `stop` saw it gone: a start
    /// that cannot bind them is tried again.
    pub fn restart(&self) {
        let slapd = if Path::new("/usr/sbin/slapd").exists() { "/usr/sbin/slapd" } else { "slapd" };
        let config = self.home().join("slapd.d").display().to_string();
        let mut last = String::new();
        for _ in 0..50 {
            let output =
                Command::new(slapd).args(["-F", &config, "-h", &self.listen]).output().expect("run slapd");
            if output.status.success() {
                for _ in 0..500 {
                    if std::net::TcpStream::connect(("127.0.0.1", self.ldap_port)).is_ok() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                panic!("slapd did not listen again on port {}", self.ldap_port);
            }
            last = String::from_utf8_lossy(&output.stderr).into_owned();
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("slapd did not restart: {last}");
    }

    /// SIGSTOP: the process keeps its sockets but answers nothing.
    /// Returns once every thread of slapd has stopped: a signal is only
    /// queued when `kill` returns, and a busy slapd could answer one more
    /// request meanwhile.
    pub fn freeze(&self) {
        self.signal("-STOP");
        let tasks = format!("/proc/{}/task", self.pid().expect("slapd.pid"));
        let stopped =
            |stat: &str| stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('T'));
        for _ in 0..500 {
            let all_stopped = std::fs::read_dir(&tasks).is_ok_and(|entries| {
                entries.flatten().all(|task| {
                    std::fs::read_to_string(task.path().join("stat")).is_ok_and(|stat| stopped(&stat))
                })
            });
            if all_stopped {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("slapd did not stop");
    }

    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self.pid().expect("slapd.pid");
        assert!(Command::new("kill").args([signal, &pid]).status().unwrap().success());
    }

    /// Loads many entries fast: slapd is stopped, `slapadd` writes them
    /// straight into the database (no overlays run, so use it only for
    /// entries no group refers to), and slapd is started again.
    pub fn bulk_load(&self, ldif: &str) {
        let file = self.dir.path().join("bulk.ldif");
        std::fs::write(&file, ldif).expect("write LDIF");
        self.stop();
        let slapadd = if Path::new("/usr/sbin/slapadd").exists() { "/usr/sbin/slapadd" } else { "slapadd" };
        let output = Command::new(slapadd)
            .args(["-q", "-n1", "-F", &self.home().join("slapd.d").display().to_string(), "-l"])
            .arg(&file)
            .output()
            .expect("run slapadd");
        assert!(output.status.success(), "slapadd: {}", String::from_utf8_lossy(&output.stderr));
        let _ = std::fs::remove_file(&file);
        self.restart();
    }

    /// Adds entries from LDIF text over the local socket, as the root DN.
    pub fn ldapadd(&self, ldif: &str) {
        let ldapi =
            format!("ldapi://{}", self.home().join("ldapi").display().to_string().replace('/', "%2F"));
        let file = self.dir.path().join("extra.ldif");
        std::fs::write(&file, ldif).expect("write LDIF");
        let output = Command::new("ldapadd")
            .args(["-x", "-H", &ldapi, "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-f"])
            .arg(&file)
            .output()
            .expect("run ldapadd");
        assert!(output.status.success(), "ldapadd: {}", String::from_utf8_lossy(&output.stderr));
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        if let Some(pid) = self.pid() {
            let _ = Command::new("kill").args(["-CONT", &pid]).status();
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
    }
}
