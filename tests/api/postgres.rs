//! A throwaway PostgreSQL cluster for the test binary: created in a temp dir
//! on first use (as the `postgres` user when running as root), one fresh
//! database per test, stopped and removed when the binary exits.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

pub struct Cluster {
    pub port: u16,
    bin: PathBuf,
    dir: PathBuf,
    as_postgres_user: bool,
    /// fsync and synchronous commit on, as in production; the shared
    /// cluster runs without them for speed, losing its last commits if it
    /// is stopped abruptly.
    durable: bool,
}

/// A cluster of one test's own, to stop and start at will; stopped and
/// removed when dropped.
pub struct PrivateCluster(pub Cluster);

impl PrivateCluster {
    /// None when PostgreSQL is not installed.
    pub fn start() -> Option<PrivateCluster> {
        create(true).map(PrivateCluster)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        self.0.stop();
        let _ = std::fs::remove_dir_all(&self.0.dir);
    }
}

static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
static STARTED: Mutex<Option<(PathBuf, PathBuf, bool)>> = Mutex::new(None);

/// The directory holding initdb and pg_ctl: PATH first, then Debian's layout.
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            // Resolve symlinks so createdb comes from the same installation.
            if let Ok(initdb) = dir.join("initdb").canonicalize() {
                let real = initdb.parent()?.to_path_buf();
                if real.join("pg_ctl").is_file() && real.join("createdb").is_file() {
                    return Some(real);
                }
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn run(bin: &Path, as_postgres_user: bool, tool: &str, args: &[&str]) -> std::process::Output {
    let program = bin.join(tool);
    let output = if as_postgres_user {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&program)
            .args(args)
            .output()
    } else {
        Command::new(&program).args(args).output()
    };
    output.unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn start() -> Option<Cluster> {
    let cluster = create(false)?;
    *STARTED.lock().unwrap() = Some((
        cluster.bin.clone(),
        cluster.dir.clone(),
        cluster.as_postgres_user,
    ));
    Some(cluster)
}

/// Creates and starts a cluster in a new temp dir.
fn create(durable: bool) -> Option<Cluster> {
    let bin = find_bin_dir()?;
    let as_postgres_user = is_root();
    let dir = tempfile::Builder::new()
        .prefix("hailong-pg-")
        .tempdir()
        .expect("temp dir")
        .keep();
    if as_postgres_user {
        let status = Command::new("chown")
            .args(["postgres:postgres", dir.to_str().unwrap()])
            .status()
            .expect("chown");
        assert!(
            status.success(),
            "cannot give the cluster directory to postgres"
        );
    }
    let data = dir.join("data");
    let out = run(
        &bin,
        as_postgres_user,
        "initdb",
        &[
            "-D",
            data.to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",
        ],
    );
    assert!(
        out.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cluster = Cluster {
        port,
        bin,
        dir,
        as_postgres_user,
        durable,
    };
    cluster.resume();
    Some(cluster)
}

/// The shared cluster, or None when PostgreSQL is not installed (a failure
/// when HAILONG_REQUIRE_POSTGRES=1).
pub fn cluster() -> Option<&'static Cluster> {
    let cluster = CLUSTER.get_or_init(start).as_ref();
    if cluster.is_none() {
        if std::env::var("HAILONG_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
            panic!("HAILONG_REQUIRE_POSTGRES=1 but no PostgreSQL server binaries (initdb, pg_ctl) were found");
        }
        SKIPPED.fetch_add(1, Ordering::Relaxed);
    }
    cluster
}

/// How many PostgreSQL cases found no cluster; said once when the binary exits.
static SKIPPED: AtomicUsize = AtomicUsize::new(0);

impl Cluster {
    /// Starts the server (again), on the same port.
    pub fn resume(&self) {
        let speed = if self.durable {
            ""
        } else {
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        };
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={}{speed} -c max_connections=500",
            self.port,
            self.dir.display()
        );
        let data = self.dir.join("data");
        let log = self.dir.join("server.log");
        let out = run(
            &self.bin,
            self.as_postgres_user,
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the server at once (open connections are cut).
    pub fn stop(&self) {
        let data = self.dir.join("data");
        let _ = run(
            &self.bin,
            self.as_postgres_user,
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
        );
    }

    /// Creates an empty database and returns its URL.
    pub fn fresh_database(&self) -> String {
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let out = run(
            &self.bin,
            self.as_postgres_user,
            "createdb",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                &name,
            ],
        );
        assert!(
            out.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    #[allow(dead_code)]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[ctor::dtor]
fn stop_cluster() {
    let skipped = SKIPPED.load(Ordering::Relaxed);
    if skipped > 0 {
        eprintln!(
            "PostgreSQL skipped in {skipped} test case(s): no server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql; HAILONG_REQUIRE_POSTGRES=1 makes this a failure"
        );
    }
    if let Ok(mut started) = STARTED.lock() {
        if let Some((bin, dir, as_postgres_user)) = started.take() {
            let data = dir.join("data");
            let _ = run(
                &bin,
                as_postgres_user,
                "pg_ctl",
                &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
            );
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
