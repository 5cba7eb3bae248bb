//! A real WordPress for tests: Debian's `wordpress` package, served by PHP's built-in server
//! on a free loopback port, on a MariaDB of its own (its own data folder and port), installed
//! through WordPress's own install form, with an application password for the brand's user.
//! Liaison publishes comment replies and moderates comments through WordPress's REST API; a
//! test gives Liaison [`WordPress::base_url`], [`WordPress::user`] and
//! [`WordPress::application_password`], and reads the outcome back through that same API.
//!
//! What it costs: the Debian packages once (`make deps` installs `wordpress mariadb-server
//! php-cli php-mysql`, about 30 s of apt), then about 1.5 s per [`WordPress::start`] (3 s when
//! several test binaries start theirs at once: MariaDB's data folder, both servers, the
//! install, the application password) and about 25 MB of disk under `.local/wordpress/<port>/`
//! while it runs. The tests of one binary share one instance
//! through [`shared`]; each test then makes its own posts and comments.
//!
//! How instances on different ports keep apart. Debian's `/usr/share/wordpress/wp-config.php`
//! requires `/etc/wordpress/config-<host>.php`, where `<host>` is `HTTP_HOST` with the port
//! cut off (`preg_replace('/:.*/', "", ...)`): every instance on 127.0.0.1 would read the same
//! file whatever its port. It prefers `/etc/wordpress/config-$_SERVER['WORDPRESS_CONFIG'].php`
//! when that is set (Apache's `SetEnv`), but PHP's built-in server does not copy the
//! environment into `$_SERVER`. So each instance's PHP runs with `auto_prepend_file` set to its
//! own settings (`.local/wordpress/<port>/config.php`: its database, its content folder,
//! `WP_ENVIRONMENT_TYPE` `local` so that application passwords work over plain http), which
//! define WordPress's constants and set `WORDPRESS_CONFIG` to `liaison-test`. Debian's file then
//! requires [`HOST_CONFIG`], a stub shared by every instance (written by `make deps`, or here
//! when missing), and keeps the constants already defined.
//!
//! The servers run under the stack's watchdogs ([`crate::stack`]): they stop when the
//! [`WordPress`] is dropped, or when the test process exits, even for the shared instance,
//! which is never dropped. The folder such an instance leaves behind is removed by the next
//! start, once the process that owned it is gone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};
use tokio::sync::OnceCell;

use crate::stack::{free_port, repo_root, wait_for_port, StackError, Supervised};

/// Where Debian's package installs WordPress.
const WORDPRESS_ROOT: &str = "/usr/share/wordpress";
/// What every instance sets `WORDPRESS_CONFIG` to: Debian's wp-config.php then requires
/// [`HOST_CONFIG`].
const CONFIG_NAME: &str = "liaison-test";
/// The stub Debian's wp-config.php requires for every instance; infra/deps.sh writes the same.
pub const HOST_CONFIG: &str = "/etc/wordpress/config-liaison-test.php";
const HOST_CONFIG_TEXT: &str = "<?php\n\
// Liaison's test WordPress (infra/stack/src/wordpress.rs): each instance's settings come\n\
// from its own PHP auto_prepend_file; Debian's wp-config.php only needs this file to exist.\n";

/// The brand's user: the administrator the install makes, author of the brand's replies.
const USER: &str = "brand";
const EMAIL: &str = "brand@example.com";
/// Its login password (the REST API takes the application password). Loopback only.
const LOGIN_PASSWORD: &str = "liaison-local-Wp-1";
const DB_NAME: &str = "wordpress";
const DB_USER: &str = "wordpress";
const DB_PASSWORD: &str = "liaison-local";

/// How long each server may take to listen.
const READY: Duration = Duration::from_secs(30);
/// How long one HTTP call to WordPress may take.
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Loaded by WordPress from the instance's content folder: a test WordPress makes no HTTP
/// request (there is no network; and PHP's one-process server would wait on the install's
/// requests to itself, 10 s) and sends no mail (there is no sendmail).
const MU_PLUGIN: &str = r#"<?php
// Liaison's test WordPress (infra/stack/src/wordpress.rs): no HTTP out, no mail.
add_filter('pre_http_request', function () {
    return new WP_Error('http_request_blocked', 'The Liaison test WordPress makes no HTTP requests.');
}, 1);
add_filter('pre_wp_mail', '__return_false');
"#;

/// `php app-password.php <host:port> <login>`: a new application password for the user,
/// printed as `{"user_id": .., "password": ".."}`.
const APP_PASSWORD_SCRIPT: &str = r#"<?php
// Liaison's test WordPress (infra/stack/src/wordpress.rs): an application password.
$_SERVER['HTTP_HOST'] = $argv[1];
$_SERVER['REQUEST_URI'] = '/';
require '/usr/share/wordpress/wp-load.php';
$user = get_user_by('login', $argv[2]);
if (!$user) {
    fwrite(STDERR, "no user {$argv[2]}\n");
    exit(1);
}
$made = WP_Application_Passwords::create_new_application_password($user->ID, array('name' => 'liaison'));
if (is_wp_error($made)) {
    fwrite(STDERR, $made->get_error_message() . "\n");
    exit(1);
}
echo json_encode(array('user_id' => $user->ID, 'password' => $made[0]));
"#;

/// A call to WordPress's REST API that did not give what was asked.
#[derive(Debug, thiserror::Error)]
pub enum WordPressError {
    #[error("{method} {url}: {source}")]
    Http {
        method: String,
        url: String,
        source: reqwest::Error,
    },
    #[error("{method} {url}: HTTP {status}: {body}")]
    Status {
        method: String,
        url: String,
        status: u16,
        body: String,
    },
    #[error("{method} {url}: unexpected answer: {body}")]
    Unexpected {
        method: String,
        url: String,
        body: String,
    },
}

/// One running WordPress (see the module's documentation).
pub struct WordPress {
    /// `http://127.0.0.1:<port>`: the site's address, as Liaison would be configured with it.
    pub base_url: String,
    /// The brand user's login.
    pub user: String,
    /// The brand user's application password, for HTTP Basic auth on the REST API.
    pub application_password: String,
    user_id: u64,
    dir: PathBuf,
    socket: PathBuf,
    php: PathBuf,
    /// PHP's server first, so that it stops before its database.
    processes: Vec<Supervised>,
}

impl std::fmt::Debug for WordPress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordPress")
            .field("base_url", &self.base_url)
            .field("user", &self.user)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

/// The WordPress the tests of this process share, started the first time one asks (a failed
/// start is tried again by the next). Its calls make an HTTP client each time, so it serves
/// every `#[tokio::test]`'s runtime. Never dropped: its servers stop when the process exits.
pub async fn shared() -> Result<&'static WordPress, StackError> {
    static SHARED: OnceCell<WordPress> = OnceCell::const_new();
    SHARED.get_or_try_init(WordPress::start).await
}

impl WordPress {
    /// Starts MariaDB and PHP's server on free loopback ports, with their data under
    /// `.local/wordpress/<port>/` and their logs in `.local/logs/`, installs WordPress and makes
    /// an application password for the brand user. `StackError::NotInstalled` when the Debian
    /// packages are missing (`make deps`).
    pub async fn start() -> Result<WordPress, StackError> {
        let started = Instant::now();
        let mut wordpress = blocking(launch).await?;
        wordpress.install().await?;
        let (php, base_url, dir) = (
            wordpress.php.clone(),
            wordpress.base_url.clone(),
            wordpress.dir.clone(),
        );
        let (user_id, password) =
            blocking(move || application_password(&php, &base_url, &dir)).await?;
        wordpress.user_id = user_id;
        wordpress.application_password = password;
        tracing::info!(
            base_url = %wordpress.base_url,
            seconds = started.elapsed().as_secs_f64(),
            "WordPress started"
        );
        Ok(wordpress)
    }

    /// The URL of a REST route: `rest("/wp/v2/comments")` is
    /// `{base_url}/index.php?rest_route=/wp/v2/comments` (no pretty permalinks needed).
    pub fn rest(&self, route: &str) -> String {
        format!("{}/index.php?rest_route={route}", self.base_url)
    }

    /// The brand user's WordPress user id: the `author` of the brand's replies.
    pub fn user_id(&self) -> u64 {
        self.user_id
    }

    /// A published post, open to comments; returns its id.
    pub async fn create_post(&self, title: &str) -> Result<u64, WordPressError> {
        let body = json!({ "title": title, "content": "", "status": "publish" });
        self.create(self.rest("/wp/v2/posts"), body).await
    }

    /// A visitor's comment, as a blog reader leaves one (author name and email, no user),
    /// `status` "approved" or "hold" (awaiting moderation); returns its id. WordPress refuses a
    /// comment identical to one already on the post (409): give each its own content.
    pub async fn create_comment(
        &self,
        post: u64,
        content: &str,
        author_name: &str,
        author_email: &str,
        status: &str,
    ) -> Result<u64, WordPressError> {
        let body = json!({
            "post": post,
            "content": content,
            "author_name": author_name,
            "author_email": author_email,
            "status": status,
        });
        self.create(self.rest("/wp/v2/comments"), body).await
    }

    /// A comment as its editor sees it (`context=edit`): `status` ("approved", "hold", "spam",
    /// "trash"), `parent`, `post`, `author` (0 for a visitor), `author_name`, `content.raw`...
    pub async fn comment(&self, id: u64) -> Result<Value, WordPressError> {
        let url = format!(
            "{}&context=edit",
            self.rest(&format!("/wp/v2/comments/{id}"))
        );
        self.call(reqwest::Method::GET, url, None).await
    }

    /// The replies to a comment, approved or held (not spam nor trash), oldest first, as their
    /// editor sees them (`context=edit`).
    pub async fn replies(&self, parent: u64) -> Result<Vec<Value>, WordPressError> {
        let url = format!(
            "{}&parent={parent}&status=all&context=edit&per_page=100&order=asc",
            self.rest("/wp/v2/comments")
        );
        let method = reqwest::Method::GET;
        match self.call(method.clone(), url.clone(), None).await? {
            Value::Array(replies) => Ok(replies),
            other => Err(WordPressError::Unexpected {
                method: method.to_string(),
                url,
                body: other.to_string(),
            }),
        }
    }

    async fn create(&self, url: String, body: Value) -> Result<u64, WordPressError> {
        let method = reqwest::Method::POST;
        let created = self.call(method.clone(), url.clone(), Some(body)).await?;
        created["id"]
            .as_u64()
            .ok_or_else(|| WordPressError::Unexpected {
                method: method.to_string(),
                url,
                body: created.to_string(),
            })
    }

    /// One REST call as the brand user; the answer's JSON when it succeeded.
    async fn call(
        &self,
        method: reqwest::Method,
        url: String,
        body: Option<Value>,
    ) -> Result<Value, WordPressError> {
        let http = |source| WordPressError::Http {
            method: method.to_string(),
            url: url.clone(),
            source,
        };
        let mut request = client()
            .map_err(http)?
            .request(method.clone(), &url)
            .basic_auth(&self.user, Some(&self.application_password));
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(http)?;
        let status = response.status();
        let text = response.text().await.map_err(http)?;
        if !status.is_success() {
            return Err(WordPressError::Status {
                method: method.to_string(),
                url,
                status: status.as_u16(),
                body: text,
            });
        }
        serde_json::from_str(&text).map_err(|_| WordPressError::Unexpected {
            method: method.to_string(),
            url,
            body: text,
        })
    }

    /// WordPress's own install form, as a person would post it.
    async fn install(&self) -> Result<(), StackError> {
        let url = format!("{}/wp-admin/install.php?step=2", self.base_url);
        let failed = |message: String| StackError::Setup {
            what: format!("WordPress's install (POST {url})"),
            message,
        };
        let form = [
            ("weblog_title", "Liaison test"),
            ("user_name", USER),
            ("admin_password", LOGIN_PASSWORD),
            ("admin_password2", LOGIN_PASSWORD),
            ("pw_weak", "1"),
            ("admin_email", EMAIL),
            ("blog_public", "0"),
            ("language", ""),
        ];
        let response = client()
            .map_err(|e| failed(e.to_string()))?
            .post(&url)
            .form(&form)
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = response.status();
        let page = response.text().await.map_err(|e| failed(e.to_string()))?;
        // The success page's table, whatever the language.
        if status.is_success() && page.contains("install-success") {
            Ok(())
        } else {
            Err(failed(format!("HTTP {status}: {}", excerpt(&page))))
        }
    }

    fn stop(&mut self) {
        for process in &mut self.processes {
            process.stop();
        }
        self.processes.clear();
    }
}

impl Drop for WordPress {
    /// Stops PHP's server, then MariaDB (the processes this instance started), and removes
    /// the instance's folder.
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// An HTTP client for one call: a client keeps connections on the runtime that made it, and
/// each `#[tokio::test]` has its own runtime. No proxy: WordPress is on loopback.
fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(HTTP_TIMEOUT)
        .no_proxy()
        .build()
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StackError> + Send + 'static,
) -> Result<T, StackError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StackError::Setup {
            what: "WordPress's start".into(),
            message: e.to_string(),
        })?
}

/// The programs the Debian packages provide.
struct Programs {
    php: PathBuf,
    mariadbd: PathBuf,
    install_db: PathBuf,
}

impl Programs {
    fn find() -> Result<Self, StackError> {
        let mut missing = Vec::new();
        if !Path::new(WORDPRESS_ROOT).join("wp-config.php").is_file() {
            missing.push("wordpress");
        }
        let mariadbd = program("mariadbd");
        let install_db = program("mariadb-install-db");
        if mariadbd.is_none() || install_db.is_none() {
            missing.push("mariadb-server");
        }
        let php = program("php");
        match &php {
            None => missing.push("php-cli"),
            Some(php) if !has_mysqli(php) => missing.push("php-mysql"),
            Some(_) => {}
        }
        match (php, mariadbd, install_db) {
            (Some(php), Some(mariadbd), Some(install_db)) if missing.is_empty() => Ok(Programs {
                php,
                mariadbd,
                install_db,
            }),
            _ => Err(StackError::NotInstalled(format!(
                "{} (the Debian packages of the test WordPress)",
                missing.join(", ")
            ))),
        }
    }
}

/// A program on the PATH, or in the system folders (a user's PATH may lack /usr/sbin, where
/// mariadbd is).
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn has_mysqli(php: &Path) -> bool {
    Command::new(php)
        .args(["-r", "exit(extension_loaded('mysqli') ? 0 : 1);"])
        .output()
        .is_ok_and(|out| out.status.success())
}

/// Whether this process runs as root: mariadbd then needs `--user=root`.
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

fn io_error(what: &str, path: &Path) -> impl FnOnce(std::io::Error) -> StackError {
    let what = format!("{what} {}", path.display());
    move |source| StackError::Spawn { what, source }
}

fn write(path: &Path, text: &str) -> Result<(), StackError> {
    std::fs::write(path, text).map_err(io_error("writing", path))
}

/// Debian's wp-config.php requires the stub; written once, atomically (other test processes
/// may be starting their own WordPress).
fn ensure_host_config() -> Result<(), StackError> {
    let path = Path::new(HOST_CONFIG);
    if path.is_file() {
        return Ok(());
    }
    let temporary = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&temporary, HOST_CONFIG_TEXT)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            StackError::NotInstalled(format!(
                "{HOST_CONFIG} (the host config of the test WordPress; could not write it: {e})"
            ))
        })
}

/// Removes the folders of instances whose process is gone (the shared instance is never
/// dropped); a folder without an owner yet is left for an hour (its owner may be starting).
fn sweep(instances: &Path) {
    let Ok(entries) = std::fs::read_dir(instances) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let owner = std::fs::read_to_string(dir.join("owner"))
            .ok()
            .and_then(|pid| pid.trim().parse::<u32>().ok());
        let gone = match owner {
            Some(pid) => !Path::new(&format!("/proc/{pid}")).exists(),
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| SystemTime::now().duration_since(modified).ok())
                .is_some_and(|age| age > Duration::from_secs(3600)),
        };
        if gone {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// A PHP single-quoted string.
fn php_string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The folders, MariaDB and PHP's server, listening; WordPress not installed yet.
fn launch() -> Result<WordPress, StackError> {
    let programs = Programs::find()?;
    ensure_host_config()?;
    let root = repo_root();
    let local = root.canonicalize().unwrap_or(root).join(".local");
    let logs = local.join("logs");
    let instances = local.join("wordpress");
    sweep(&instances);

    let port = free_port()?;
    let mut db_port = free_port()?;
    while db_port == port {
        db_port = free_port()?;
    }
    let base_url = format!("http://127.0.0.1:{port}");
    let dir = instances.join(port.to_string());
    let content = dir.join("content");
    let _ = std::fs::remove_dir_all(&dir);
    for folder in [
        &logs,
        &content.join("plugins"),
        &content.join("mu-plugins"),
        &content.join("uploads"),
    ] {
        std::fs::create_dir_all(folder).map_err(io_error("creating", folder))?;
    }
    write(&dir.join("owner"), &std::process::id().to_string())?;
    let mut wordpress = WordPress {
        base_url: base_url.clone(),
        user: USER.into(),
        application_password: String::new(),
        user_id: 0,
        socket: std::env::temp_dir().join(format!("liaison-wordpress-{port}.sock")),
        dir: dir.clone(),
        php: programs.php.clone(),
        processes: Vec::new(),
    };
    // Debian's themes, read-only; plugins, uploads and must-use plugins of its own.
    let themes = content.join("themes");
    std::os::unix::fs::symlink(Path::new(WORDPRESS_ROOT).join("wp-content/themes"), &themes)
        .map_err(io_error("linking", &themes))?;
    write(&content.join("mu-plugins/liaison-test.php"), MU_PLUGIN)?;

    // MariaDB: a data folder of its own, its database and user made by --init-file as it
    // starts (so no client is needed). A small redo log (4 MB, not 96) and no flush per
    // commit: test data.
    let data = dir.join("db");
    let root_user = if is_root() {
        vec!["--user=root".to_string()]
    } else {
        vec![]
    };
    let install_log = logs.join(format!("wordpress-install-db-{port}.log"));
    let installed = Command::new(&programs.install_db)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .args([
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            "--innodb-log-file-size=4M",
        ])
        .args(&root_user)
        .output()
        .map_err(|source| StackError::Spawn {
            what: programs.install_db.display().to_string(),
            source,
        })?;
    let mut install_output = installed.stdout.clone();
    install_output.extend_from_slice(&installed.stderr);
    let _ = std::fs::write(&install_log, &install_output);
    if !installed.status.success() {
        return Err(StackError::Setup {
            what: "mariadb-install-db".into(),
            message: format!(
                "{}: {}",
                installed.status,
                excerpt(&String::from_utf8_lossy(&install_output))
            ),
        });
    }
    let init = dir.join("init.sql");
    write(
        &init,
        &format!(
            "CREATE DATABASE IF NOT EXISTS {DB_NAME};\n\
             CREATE USER IF NOT EXISTS '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}';\n\
             GRANT ALL PRIVILEGES ON {DB_NAME}.* TO '{DB_USER}'@'127.0.0.1';\n"
        ),
    )?;
    let mut mariadb_args = vec![
        "--no-defaults".to_string(),
        format!("--datadir={}", data.display()),
        format!("--socket={}", wordpress.socket.display()),
        format!("--pid-file={}", dir.join("mariadb.pid").display()),
        format!("--port={db_port}"),
        "--bind-address=127.0.0.1".into(),
        "--skip-name-resolve".into(),
        format!("--init-file={}", init.display()),
        "--innodb-log-file-size=4M".into(),
        "--innodb-buffer-pool-size=32M".into(),
        "--innodb-flush-log-at-trx-commit=0".into(),
    ];
    mariadb_args.extend(root_user);
    wordpress.processes.push(Supervised::spawn(
        "wordpress-mariadb",
        &programs.mariadbd,
        &mariadb_args,
        &logs.join(format!("wordpress-mariadb-{port}.log")),
    )?);
    wait_for_port("WordPress's MariaDB", db_port, READY, &logs)?;

    // PHP's server, one process (its workers, PHP_CLI_SERVER_WORKERS, outlive a stopped
    // server), with this instance's settings prepended to every script.
    let config = dir.join("config.php");
    let defines = [
        ("DB_NAME", DB_NAME.to_string()),
        ("DB_USER", DB_USER.to_string()),
        ("DB_PASSWORD", DB_PASSWORD.to_string()),
        ("DB_HOST", format!("127.0.0.1:{db_port}")),
        ("WP_HOME", base_url.clone()),
        ("WP_SITEURL", base_url.clone()),
        ("WP_CONTENT_DIR", content.display().to_string()),
        // Application passwords need https, or this.
        ("WP_ENVIRONMENT_TYPE", "local".to_string()),
    ];
    let mut settings = format!(
        "<?php\n\
         // This test WordPress's settings (Liaison, infra/stack/src/wordpress.rs), prepended by PHP\n\
         // to every script. Debian's wp-config.php then requires {HOST_CONFIG}\n\
         // (named by WORDPRESS_CONFIG) and keeps the constants defined here.\n\
         $_SERVER['WORDPRESS_CONFIG'] = {};\n",
        php_string(CONFIG_NAME)
    );
    for (name, value) in defines {
        settings.push_str(&format!("define('{name}', {});\n", php_string(&value)));
    }
    settings.push_str(
        "define('DISABLE_WP_CRON', true);\ndefine('AUTOMATIC_UPDATER_DISABLED', true);\n",
    );
    write(&config, &settings)?;
    write(&dir.join("app-password.php"), APP_PASSWORD_SCRIPT)?;
    wordpress.processes.insert(
        0,
        Supervised::spawn(
            "wordpress-php",
            &programs.php,
            &[
                "-d".into(),
                format!("auto_prepend_file={}", config.display()),
                // Warnings go to the log, never into a JSON answer.
                "-d".into(),
                "display_errors=0".into(),
                "-d".into(),
                "log_errors=1".into(),
                "-S".into(),
                format!("127.0.0.1:{port}"),
                "-t".into(),
                WORDPRESS_ROOT.into(),
            ],
            &logs.join(format!("wordpress-php-{port}.log")),
        )?,
    );
    wait_for_port("WordPress (PHP's server)", port, READY, &logs)?;
    Ok(wordpress)
}

/// The brand user's id and a new application password, from WordPress's own PHP.
fn application_password(
    php: &Path,
    base_url: &str,
    dir: &Path,
) -> Result<(u64, String), StackError> {
    let failed = |message: String| StackError::Setup {
        what: "WordPress's application password".into(),
        message,
    };
    let host = base_url.trim_start_matches("http://");
    let out = Command::new(php)
        .arg("-d")
        .arg(format!(
            "auto_prepend_file={}",
            dir.join("config.php").display()
        ))
        .args(["-d", "display_errors=stderr"])
        .arg(dir.join("app-password.php"))
        .args([host, USER])
        .output()
        .map_err(|source| StackError::Spawn {
            what: "php app-password.php".into(),
            source,
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(failed(format!(
            "{}: {}{}",
            out.status,
            excerpt(&String::from_utf8_lossy(&out.stderr)),
            excerpt(&stdout)
        )));
    }
    let made: Value = serde_json::from_str(stdout.trim())
        .map_err(|e| failed(format!("{e}: {}", excerpt(&stdout))))?;
    match (made["user_id"].as_u64(), made["password"].as_str()) {
        (Some(user_id), Some(password)) => Ok((user_id, password.to_string())),
        _ => Err(failed(format!("unexpected output: {}", excerpt(&stdout)))),
    }
}

/// The start of a long text, for an error message.
fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(2000) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}
