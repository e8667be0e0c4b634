//! Helpers for the end-to-end tests: real git repositories in temporary
//! folders, the real `tegenkracht` binary, and a real server on a free port.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The workspace root (the folder holding `Cargo.toml`, `content/`, ...).
/// A real server over the repository's starter content, served the way the
/// README's run command serves it: no configuration, from a git checkout
/// (the repository must outlive the server).
pub fn starter_server() -> (TestRepo, Server) {
    let r = TestRepo::new();
    r.copy_from_workspace("content", "content");
    r.commit("starter content");
    let s = Server::start_default(r.path());
    (r, s)
}

/// The `id`s of the hits of a search response, in order.
pub fn hit_ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The path of the `tegenkracht` binary, built once if missing.
pub fn binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable");
        // target/<profile>/deps/<test> -> target/<profile>/tegenkracht
        let profile_dir = exe.parent().and_then(Path::parent).expect("target layout");
        let bin = profile_dir.join("tegenkracht");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "tegenkracht", "--bin", "tegenkracht"])
            .current_dir(workspace());
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building tegenkracht failed");
        assert!(bin.exists(), "binary not found at {}", bin.display());
        bin
    })
    .clone()
}

/// A git repository in a temporary folder.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
    pub repo: git2::Repository,
}

impl Default for TestRepo {
    fn default() -> Self {
        Self::new()
    }
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = git2::Repository::init_opts(dir.path(), git2::RepositoryInitOptions::new().initial_head("main")).expect("git init");
        TestRepo { dir, repo }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating folders).
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path().join(rel)).expect("remove");
        self
    }

    /// Copies a folder of the workspace (such as `content/`) into the repository.
    pub fn copy_from_workspace(&self, rel: &str, to: &str) -> &Self {
        copy_dir(&workspace().join(rel), &self.path().join(to));
        self
    }

    /// Rewrites history: moves the branch back to the parent of HEAD (as a force-push would),
    /// so the next `commit` replaces the last one.
    pub fn drop_last_commit(&self) {
        let head = self.repo.head().expect("head").peel_to_commit().expect("commit");
        let parent = head.parent(0).expect("parent");
        self.repo.reset(parent.as_object(), git2::ResetType::Hard, None).expect("reset");
    }

    /// Stages everything and commits; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        let mut index = self.repo.index().expect("index");
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add");
        index.update_all(["*"], None).expect("update");
        index.write().expect("write index");
        let tree_id = index.write_tree().expect("tree");
        let tree = self.repo.find_tree(tree_id).expect("find tree");
        let sig = git2::Signature::now("Test", "test@example.nl").expect("signature");
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .expect("commit")
            .to_string()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs the binary with `args` in `cwd`.
///
/// `check` runs with `--taal en` unless the arguments choose a language: the
/// tests assert the English forms of the messages (the Dutch default has its
/// own tests).
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    let mut args: Vec<&str> = args.to_vec();
    if args.first() == Some(&"check") && !args.contains(&"--taal") {
        args.extend(["--taal", "en"]);
    }
    Command::new(binary())
        .args(&args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("binary runs")
}

/// A free port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A running `tegenkracht serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    _data: tempfile::TempDir,
    /// How it was started, for `kill_and_restart`.
    port: u16,
    cwd: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl Server {
    /// Starts the server with a configuration file's text (`{data}` is replaced by a fresh data folder).
    pub fn start(cwd: &Path, config: &str) -> Server {
        Server::start_env(cwd, config, &[])
    }

    /// Like `start`, with extra environment variables for the server.
    pub fn start_env(cwd: &Path, config: &str, env: &[(&str, &str)]) -> Server {
        Server::start_on(free_port(), cwd, config, env)
    }

    /// Like `start_env`, on a given port (for configurations that name it, such as `replicas`).
    pub fn start_on(port: u16, cwd: &Path, config: &str, env: &[(&str, &str)]) -> Server {
        let data = tempfile::tempdir().expect("data dir");
        let cfg = data.path().join("tegenkracht.toml");
        std::fs::write(&cfg, config.replace("{data}", &data.path().join("data").to_string_lossy())).expect("config");
        let cfg = cfg.to_string_lossy().to_string();
        Server::spawn(port, cwd, &["--config", &cfg], env, data)
    }

    /// Starts the server without a configuration, in `cwd` (the embedded default).
    pub fn start_default(cwd: &Path) -> Server {
        Server::spawn(free_port(), cwd, &[], &[], tempfile::tempdir().expect("data dir"))
    }

    /// Runs `serve` with `args` on a free port and waits until it is ready. Its log goes to
    /// a file (a pipe nobody reads could fill up and block the server).
    /// Kills the server at once (SIGKILL: no graceful stop, nothing flushed) and
    /// starts it again on the same port, data folder and configuration.
    pub fn kill_and_restart(mut self) -> Server {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let data = std::mem::replace(&mut self._data, tempfile::tempdir().expect("placeholder"));
        Server::spawn(self.port, &self.cwd.clone(), &args, &env, data)
    }

    fn spawn(port: u16, cwd: &Path, args: &[&str], env: &[(&str, &str)], data: tempfile::TempDir) -> Server {
        let log = data.path().join("server.log");
        let mut child = Command::new(binary())
            .arg("serve")
            .args(args)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .envs(env.iter().copied())
            .current_dir(cwd)
            .stdout(Stdio::null())
            .stderr(std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("log file"))
            .spawn()
            .expect("server starts");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let err = std::fs::read_to_string(&log).unwrap_or_default();
                panic!("server exited with {status}: {err}");
            }
            if let Ok(r) = reqwest::blocking::get(format!("{base}/readyz"))
                && r.status() == 200
            {
                break;
            }
            assert!(Instant::now() < deadline, "server did not become ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server {
            child,
            base,
            _data: data,
            port,
            cwd: cwd.to_path_buf(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    /// Stops the server as an operator would (SIGTERM) and waits until it exited.
    pub fn stop(mut self) {
        // The shell's own `kill`, so no procps package is needed.
        let _ = Command::new("sh").args(["-c", &format!("kill -TERM {}", self.child.id())]).status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().ok().flatten().is_none() {
            assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// GET a path; returns status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let r = reqwest::blocking::get(format!("{}{path}", self.base)).expect("request");
        let status = r.status().as_u16();
        (status, r.text().expect("body"))
    }

    /// POST a body with headers; returns status and the time it took.
    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Duration) {
        let client = reqwest::blocking::Client::new();
        let mut req = client.post(format!("{}{path}", self.base)).body(body.to_vec());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let start = Instant::now();
        let r = req.send().expect("request");
        (r.status().as_u16(), start.elapsed())
    }

    /// Polls `path` until `pred` holds for its JSON, or panics after `timeout`; returns the time taken.
    pub fn wait_for(&self, path: &str, timeout: Duration, pred: impl Fn(&serde_json::Value) -> bool) -> Duration {
        let start = Instant::now();
        loop {
            let (_, v) = self.json(path);
            if pred(&v) {
                return start.elapsed();
            }
            assert!(start.elapsed() < timeout, "condition on {path} not met within {timeout:?}: {v}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// GET a JSON path.
    pub fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let (status, body) = self.get(path);
        (
            status,
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}")),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal valid vocabulary, playbook and two dossiers for small fixtures.
pub mod fixture {
    pub const VOCAB: &str = include_str!("../../content/vocabulaire.yaml");

    pub fn playbook(titel: &str) -> String {
        format!(
            "---\ntitel: {titel}\ntype: playbook\nsamenvatting: Een playbook voor de tests over {titel} en de aanpak ervan.\ntoegang: openbaar\n---\n\n## Probleembeeld\n\nTekst.\n"
        )
    }

    /// A dossier with the given fields; `extra` is appended to the front matter.
    pub fn dossier(titel: &str, regio: &str, themas: &str, toegang: &str, extra: &str, body: &str) -> String {
        format!(
            "---\ntitel: {titel}\ntype: leerdossier\nregio: {regio}\nthemas: [{themas}]\nsamenvatting: Een dossier voor de tests, met genoeg tekst om geldig te zijn.\ntoegang: {toegang}\nlessen:\n  - uitdaging: leren\n    les: Schrijf lessen op zodat andere regio's ervan leren.\n{extra}---\n\n## Aanpak\n\n{body}\n"
        )
    }
}

/// A real SMTP server for the tests: aiosmtpd (Debian's `python3-aiosmtpd`,
/// installed by `.ci/run`), storing every message it accepts in a Maildir.
pub struct Smtp {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Smtp {
    /// Starts on a free port.
    pub fn start() -> Smtp {
        Smtp::start_on(free_port(), tempfile::tempdir().expect("maildir"))
    }

    fn start_on(port: u16, dir: tempfile::TempDir) -> Smtp {
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the test SMTP server starts (apt-get install python3-aiosmtpd)");
        let mut smtp = Smtp { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = smtp.child.try_wait() {
                panic!("the test SMTP server exited with {status}: is python3-aiosmtpd installed?");
            }
            assert!(Instant::now() < deadline, "the test SMTP server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        smtp
    }

    /// Stops it (an outage); `restart` brings it back on the same port with the same mail.
    pub fn stop(mut self) -> (u16, tempfile::TempDir) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("placeholder"));
        (self.port, dir)
    }

    pub fn restart((port, dir): (u16, tempfile::TempDir)) -> Smtp {
        Smtp::start_on(port, dir)
    }

    /// Every message accepted so far, raw, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<(std::time::SystemTime, String)> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.dir.path().join("maildir").join(sub)) {
                for e in entries.flatten() {
                    let modified = e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                    files.push((modified, std::fs::read_to_string(e.path()).unwrap_or_default()));
                }
            }
        }
        files.sort_by_key(|f| f.0);
        files.into_iter().map(|(_, m)| m).collect()
    }

    /// The messages to `address`.
    pub fn to(&self, address: &str) -> Vec<String> {
        self.messages()
            .into_iter()
            .filter(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&format!("X-RcptTo: {address}"))))
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
