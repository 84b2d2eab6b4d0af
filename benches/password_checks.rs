//! What pwproxy's password checks cost: loading operator blocklists of 1 and
//! 10 million lines (time and memory), and checking one password with the
//! built-in list and a loaded list (time per check).
//!
//!   cargo bench --bench password_checks -- --lines 1000000,10000000

use std::io::{BufWriter, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use clap::Parser;
use pwproxy::config::PolicySettings;
use pwproxy::policy::Policy;
use secrecy::SecretString;

#[derive(Parser)]
struct Args {
    /// Sizes of the generated lists.
    #[arg(long, value_delimiter = ',', default_value = "1000000,10000000")]
    lines: Vec<usize>,
    /// Checks timed per kind of password.
    #[arg(long, default_value_t = 200_000)]
    checks: u32,
    /// Internal: load this list in a process of its own and report.
    #[arg(long, hide = true)]
    measure_load: Option<std::path::PathBuf>,
    /// Passed by `cargo bench`.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let args = Args::parse();
    if let Some(path) = args.measure_load {
        return measure_load(path);
    }
    println!("# pwproxy password checks\n");
    println!("| list | load time | peak RSS of the process | RSS after load | entries |");
    println!("|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let mut largest = None;
    for &lines in &args.lines {
        let path = dir.path().join(format!("list-{lines}.txt"));
        write_list(&path, lines);
        let output = Command::new(std::env::current_exe().unwrap())
            .arg("--measure-load")
            .arg(&path)
            .output()
            .expect("measure a load");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        print!("| {lines} lines | {}", String::from_utf8_lossy(&output.stdout));
        largest = Some(path);
    }

    println!("\n| check | mean per check |");
    println!("|---|---|");
    let builtin = policy(Vec::new());
    let listed = policy(largest.into_iter().collect());
    let context = ["Quentin Marsupial".to_owned(), "q.marsupial@example.org".to_owned()];
    for (what, policy) in [("built-in list only", &builtin), ("built-in + the largest list", &listed)] {
        for (kind, password) in [
            ("a good password", "correct-horse-battery-42"),
            ("a common one", "Welcome123"),
            ("full-width characters", "Ｆｕｌｌｗｉｄｔｈ-Ｐａｓｓ-42"),
        ] {
            let password = SecretString::from(password);
            let started = Instant::now();
            for _ in 0..args.checks {
                std::hint::black_box(policy.check("qmarsupial", &context, &password, None));
            }
            let mean = started.elapsed() / args.checks;
            println!("| {what}: {kind} | {} |", micros(mean));
        }
    }
}

fn policy(blocklist_files: Vec<std::path::PathBuf>) -> Policy {
    Policy::load(&PolicySettings { blocklist_files, ..PolicySettings::default() }).unwrap()
}

/// `lines` distinct passwords, as a breach corpus would have them.
fn write_list(path: &std::path::Path, lines: usize) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    for i in 0..lines {
        writeln!(out, "Leaked{}-{:x}!", i % 977, i.wrapping_mul(2_654_435_761)).unwrap();
    }
}

fn measure_load(path: std::path::PathBuf) {
    let started = Instant::now();
    let policy = policy(vec![path]);
    let elapsed = started.elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned()).unwrap_or_default()
    };
    println!(
        "{:.2} s | {} | {} | {} |",
        elapsed.as_secs_f64(),
        field("VmHWM:"),
        field("VmRSS:"),
        policy.blocklist().entries()
    );
}

fn micros(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}
