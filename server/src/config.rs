//! Configuration: `tegenkracht.toml` (strict: unknown keys are errors),
//! overridden by `TEGENKRACHT_<SECTION>__<KEY>` environment variables, then
//! by command-line flags. Parsing is pure (`Config::parse`, `apply_env`);
//! only `Config::load` touches files and the process environment.

use anyhow::{Context, Result, bail};
use indexer::{Location, SourceSpec};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address to serve on.
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// Base of absolute links (feeds, sitemap); never taken from the Host header.
    #[serde(default = "default_site_url")]
    pub site_url: String,
    /// Mirrors and indexes; disposable, rebuilt from git.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// How often every source is re-read, besides webhooks (`5m`, `30s`, ...).
    #[serde(default = "default_poll", with = "humantime_serde_compat")]
    pub poll_interval: Duration,
    /// `Contact:` of `/.well-known/security.txt` (RFC 9116), e.g. `mailto:security@example.nl` (extension).
    #[serde(default)]
    pub security_contact: Option<String>,
    /// `Expires:` of security.txt, an RFC 3339 time such as `2027-12-31T23:00:00Z` (extension).
    #[serde(default)]
    pub security_expires: Option<String>,
    /// Folder with theme files that override the embedded default theme (extension).
    #[serde(default)]
    pub theme_dir: Option<PathBuf>,
    /// How many search results to keep in memory, per audience and content load (extension;
    /// 0 turns the cache off).
    #[serde(default = "default_search_cache")]
    pub search_cache: usize,
    /// `serve --preview DIR`: a working folder served before every source, with its
    /// findings shown on the pages (set from the command line only).
    #[serde(skip)]
    pub preview: Option<PathBuf>,
    /// The other replicas of this server, as `host:port` names resolved anew at
    /// every webhook (a Kubernetes headless Service names every pod): a webhook
    /// delivery received by one replica is passed on to each address, body and
    /// signature unchanged, and each verifies it itself (extension; `fanout.rs`).
    #[serde(default)]
    pub replicas: Vec<String>,
    /// The content sources, in priority order.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// Readers who sign in (accepted now; access levels use it).
    #[serde(default)]
    pub auth: AuthConfig,
    /// Email alerts (extension).
    #[serde(default)]
    pub mail: Option<MailConfig>,
}

/// One `[[source]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub name: String,
    pub url: String,
    #[serde(default = "default_branch")]
    pub branch: String,
    #[serde(default)]
    pub path: String,
    pub regions: Vec<String>,
    #[serde(default)]
    pub edit_url: Option<String>,
    /// The forge's "new file" page with `{path}` and `{content}` (both filled in
    /// URL-encoded), for the writing form's hand-off (extension), e.g.
    /// `https://github.com/riec-limburg/leerdossiers/new/main?filename={path}&value={content}`.
    #[serde(default)]
    pub new_url: Option<String>,
    #[serde(default)]
    pub webhook_secret_env: Option<String>,
}

/// `[auth]`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    #[serde(default)]
    pub proxy_user_header: Option<String>,
    #[serde(default)]
    pub proxy_groups_header: Option<String>,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    #[serde(default)]
    pub token: Vec<TokenConfig>,
    /// Where the "Inloggen" link of every page leads, e.g. oauth2-proxy's
    /// `/oauth2/start` (extension; without it no sign-in link is shown).
    #[serde(default)]
    pub sign_in_url: Option<String>,
    /// The header in which the trusted proxy passes the reader's email address
    /// (oauth2-proxy: `X-Forwarded-Email`), for email alerts (extension).
    #[serde(default)]
    pub proxy_email_header: Option<String>,
    /// Where the "Uitloggen" link leads for a signed-in reader, e.g.
    /// `/oauth2/sign_out` (extension).
    #[serde(default)]
    pub sign_out_url: Option<String>,
}

/// One `[[auth.token]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub name: String,
    pub sha256: String,
    pub regions: Vec<String>,
    /// The address of the person or service behind the token, for email
    /// alerts through the API (extension; without it the token cannot subscribe).
    #[serde(default)]
    pub email: Option<String>,
}

/// `[mail]`: email alerts (extension; `alerts/`). Without it no alerts are offered.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    /// This replica keeps the subscriptions and sends (exactly one replica).
    #[serde(default)]
    pub mailer: bool,
    /// `From:` of every alert, e.g. `Tegenkracht <noreply@kennisbank.example.nl>`.
    pub from: String,
    pub smtp_host: String,
    /// Default 587 for `starttls`, 465 for `tls`, 25 for `none`.
    #[serde(default)]
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls` (implicit TLS) or `none` (only for a relay on this machine).
    #[serde(default = "default_mail_tls")]
    pub tls: String,
    /// How often the mailer looks for new content and for mail that is due.
    #[serde(default = "default_mail_interval", with = "humantime_serde_compat")]
    pub interval: Duration,
    /// At most this many mails per run; the rest waits for the next run.
    #[serde(default = "default_mail_max_per_run")]
    pub max_per_run: usize,
}

fn default_mail_tls() -> String {
    "starttls".into()
}
fn default_mail_interval() -> Duration {
    Duration::from_secs(60)
}
fn default_mail_max_per_run() -> usize {
    200
}

fn default_search_cache() -> usize {
    1024
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:8080".parse().expect("valid address")
}
impl Config {
    /// A warning when absolute links (feeds, sitemap, canonical links) would
    /// point to the default address while the server listens elsewhere.
    pub fn site_url_warning(&self) -> Option<String> {
        (self.site_url == default_site_url() && self.listen != default_listen()).then(|| {
            format!(
                "site_url is not set: feeds, the sitemap and canonical links point to {}, not to the address the server listens on; set site_url to the public address",
                self.site_url
            )
        })
    }
}

fn default_site_url() -> String {
    "http://127.0.0.1:8080".into()
}
fn default_data_dir() -> PathBuf {
    "data".into()
}
fn default_poll() -> Duration {
    Duration::from_secs(300)
}
fn default_branch() -> String {
    "main".into()
}

mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(|e| serde::de::Error::custom(format!("invalid duration `{s}`: {e}")))
    }
}

const ENV_PREFIX: &str = "TEGENKRACHT_";
/// The source name of `serve --preview DIR`.
pub const PREVIEW_SOURCE: &str = "voorbeeld";

impl Config {
    /// Parses a configuration text, applies `env` overrides and validates it.
    pub fn parse(text: &str, env: &[(String, String)]) -> Result<Config> {
        let mut value: toml::Table = toml::from_str(text).map_err(|e| anyhow::anyhow!("invalid configuration: {}", e.message()))?;
        apply_env(&mut value, env)?;
        let config: Config = toml::Value::Table(value)
            .try_into()
            .map_err(|e: toml::de::Error| anyhow::anyhow!("invalid configuration: {}", e.message()))?;
        config.validate()?;
        Ok(config)
    }

    /// Reads `file`, or falls back to the repository's own `content/` when none is given.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let env: Vec<(String, String)> = std::env::vars().filter(|(k, _)| k.starts_with(ENV_PREFIX)).collect();
        let implicit = PathBuf::from("tegenkracht.toml");
        let file = file.map(Path::to_path_buf).or_else(|| implicit.is_file().then_some(implicit));
        match file {
            Some(path) => {
                let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read configuration {}", path.display()))?;
                let mut config = Config::parse(&text, &env).with_context(|| format!("in {}", path.display()))?;
                config.resolve_paths(path.parent().unwrap_or(Path::new(".")));
                Ok(config)
            }
            None => Config::default_for_repository(&std::env::current_dir()?, &env),
        }
    }

    /// The embedded default: the `content/` folder of the git repository that
    /// contains `cwd` (or `cwd/content` without git), data in its `data/`.
    pub fn default_for_repository(cwd: &Path, env: &[(String, String)]) -> Result<Config> {
        let (root, url, branch) = match git2::Repository::discover(cwd)
            .ok()
            .and_then(|r| r.workdir().map(Path::to_path_buf))
        {
            Some(workdir) => (workdir.clone(), workdir.to_string_lossy().to_string(), "HEAD".to_string()),
            None => (cwd.to_path_buf(), String::new(), String::new()),
        };
        let mut config = Config::parse("", env)?;
        if config.sources.is_empty() {
            config.sources.push(SourceConfig {
                name: "centraal".into(),
                url: if url.is_empty() {
                    root.join("content").to_string_lossy().to_string()
                } else {
                    url
                },
                branch: if branch.is_empty() { "-".into() } else { branch },
                path: if root.join(".git").exists() {
                    "content".into()
                } else {
                    String::new()
                },
                regions: vec!["*".into()],
                edit_url: None,
                new_url: None,
                webhook_secret_env: None,
            });
        }
        config.resolve_paths(&root);
        Ok(config)
    }

    /// Makes relative local paths relative to `base` (the configuration file's folder).
    fn resolve_paths(&mut self, base: &Path) {
        if self.data_dir.is_relative() {
            self.data_dir = base.join(&self.data_dir);
        }
        if let Some(t) = &self.theme_dir
            && t.is_relative()
        {
            self.theme_dir = Some(base.join(t));
        }
        for s in &mut self.sources {
            if !s.url.contains("://") && Path::new(&s.url).is_relative() {
                s.url = base.join(&s.url).to_string_lossy().to_string();
            }
        }
    }

    fn validate(&self) -> Result<()> {
        if let Some(m) = &self.mail {
            if !matches!(m.tls.as_str(), "starttls" | "tls" | "none") {
                bail!("mail.tls must be starttls, tls or none, not `{}`", m.tls);
            }
            let local = matches!(m.smtp_host.as_str(), "localhost" | "127.0.0.1" | "::1");
            if m.tls == "none" && !local {
                bail!("mail.tls = \"none\" sends passwords and addresses in clear text: only for a relay on this machine (localhost)");
            }
            if m.smtp_host.is_empty() || m.from.is_empty() {
                bail!("mail needs smtp_host and from");
            }
            if m.max_per_run == 0 {
                bail!("mail.max_per_run must be at least 1");
            }
            if m.interval < Duration::from_secs(1) {
                bail!("mail.interval must be at least 1s");
            }
        }
        for r in &self.replicas {
            let port = r
                .rsplit_once(':')
                .and_then(|(host, port)| (!host.is_empty() && !host.contains('/')).then_some(port));
            if port.and_then(|p| p.parse::<u16>().ok()).is_none_or(|p| p == 0) {
                bail!("replicas: `{r}` is not a host:port such as `tegenkracht-replicas:8080`");
            }
        }
        let mut names = std::collections::HashSet::new();
        for s in &self.sources {
            if s.name.is_empty() || !s.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                bail!("source name `{}` must match [a-z0-9-]+", s.name);
            }
            if !names.insert(&s.name) {
                bail!("source name `{}` is used twice", s.name);
            }
            if s.regions.is_empty() {
                bail!("source `{}` needs `regions` (region slugs, or \"*\" for all)", s.name);
            }
            if let Some(u) = &s.edit_url
                && !u.contains("{path}")
            {
                bail!("source `{}`: edit_url must contain {{path}}", s.name);
            }
            if let Some(u) = &s.new_url
                && !(u.contains("{path}") && u.contains("{content}") && (u.starts_with("https://") || u.starts_with("http://")))
            {
                bail!(
                    "source `{}`: new_url must be an http(s) address containing {{path}} and {{content}}",
                    s.name
                );
            }
            if s.url.contains("://") && !["file://", "https://", "http://"].iter().any(|p| s.url.starts_with(p)) {
                bail!(
                    "source `{}`: url must be a local path or a file://, https:// or http:// URL",
                    s.name
                );
            }
            if s.url
                .split_once("://")
                .is_some_and(|(_, rest)| rest.split('/').next().unwrap_or("").contains('@'))
            {
                bail!(
                    "source `{}`: put credentials in the TK_GIT_USERNAME_*/TK_GIT_PASSWORD_* environment variables, not in the url",
                    s.name
                );
            }
        }
        if !(self.site_url.starts_with("http://") || self.site_url.starts_with("https://")) {
            bail!("site_url must start with http:// or https://");
        }
        if let Some(e) = &self.security_expires
            && time::OffsetDateTime::parse(e, &time::format_description::well_known::Rfc3339).is_err()
        {
            bail!("security_expires must be an RFC 3339 time such as 2027-12-31T23:00:00Z");
        }
        if self.security_contact.is_some() != self.security_expires.is_some() {
            bail!("security_contact and security_expires go together (RFC 9116 requires both)");
        }
        if self.poll_interval < Duration::from_secs(1) {
            bail!("poll_interval must be at least 1s");
        }
        for (key, url) in [("sign_in_url", &self.auth.sign_in_url), ("sign_out_url", &self.auth.sign_out_url)] {
            if let Some(u) = url
                && !((u.starts_with('/') && !u.starts_with("//")) || u.starts_with("https://") || u.starts_with("http://"))
            {
                bail!("auth.{key} must be a path on this site (/oauth2/start) or an http(s):// address, not `{u}`");
            }
        }
        for t in &self.auth.token {
            if t.sha256.len() != 64 || !t.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!("token `{}`: sha256 must be 64 hexadecimal characters", t.name);
            }
        }
        Ok(())
    }

    /// The webhook secret of every source that has `webhook_secret_env`, read from `env`.
    /// A configured but missing or empty secret is an error.
    pub fn webhook_secrets(&self, env: &HashMap<String, String>) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        for s in &self.sources {
            if let Some(var) = &s.webhook_secret_env {
                match env.get(var) {
                    Some(v) if !v.trim().is_empty() => {
                        out.insert(s.name.clone(), v.trim().to_string());
                    }
                    _ => bail!("source `{}`: webhook_secret_env names {var}, which is not set or empty", s.name),
                }
            }
        }
        Ok(out)
    }

    /// The sources as the content engine sees them (a preview folder first).
    pub fn source_specs(&self) -> Vec<SourceSpec> {
        let preview = self.preview.iter().map(|dir| SourceSpec {
            name: PREVIEW_SOURCE.into(),
            location: Location::Dir(dir.clone()),
            regions: vec!["*".into()],
            edit_url: None,
        });
        preview.chain(self.sources_without_preview()).collect()
    }

    fn sources_without_preview(&self) -> impl Iterator<Item = SourceSpec> + '_ {
        self.sources.iter().map(|s| {
            let url = s.url.strip_prefix("file://").unwrap_or(&s.url);
            let location = if s.branch == "-" {
                Location::Dir(PathBuf::from(url))
            } else {
                Location::Git {
                    repo: PathBuf::from(url),
                    branch: s.branch.clone(),
                    root: s.path.clone(),
                }
            };
            SourceSpec {
                name: s.name.clone(),
                location,
                regions: s.regions.clone(),
                edit_url: s.edit_url.clone(),
            }
        })
    }
}

/// Top-level keys and sections that environment variables may override.
const ENV_KEYS: &[&str] = &[
    "listen",
    "site_url",
    "data_dir",
    "poll_interval",
    "security_contact",
    "security_expires",
    "theme_dir",
    "search_cache",
    "replicas",
    "source",
    "auth",
    "mail",
];

/// Applies `TEGENKRACHT_<SECTION>__<KEY>=value` overrides to a TOML table.
/// Values are parsed as TOML when they can be (`["a"]`, `5`), else taken as text.
/// A variable whose first part is no configuration key (`TEGENKRACHT_PORT` from
/// Kubernetes service links, a tool's own `TEGENKRACHT_BIN`) is not meant for
/// us: it is ignored with a warning. An unknown key inside a known section is
/// an error, like in the file.
pub fn apply_env(table: &mut toml::Table, env: &[(String, String)]) -> Result<()> {
    for (key, raw) in env {
        let Some(rest) = key.strip_prefix(ENV_PREFIX) else { continue };
        let path: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
        if path.iter().any(String::is_empty) {
            bail!("environment variable {key}: malformed name");
        }
        if !ENV_KEYS.contains(&path[0].as_str()) {
            eprintln!(
                "warning: ignoring environment variable {key}: `{}` is not a configuration key",
                path[0]
            );
            continue;
        }
        let value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.clone()));
        let mut cur = &mut *table;
        for part in &path[..path.len() - 1] {
            let entry = cur.entry(part.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            cur = entry
                .as_table_mut()
                .with_context(|| format!("environment variable {key}: `{part}` is not a section"))?;
        }
        cur.insert(path[path.len() - 1].clone(), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../deploy/tegenkracht.example.toml");

    #[test]
    fn can_parse_the_example_configuration() {
        let c = Config::parse(EXAMPLE, &[]).unwrap();
        assert_eq!(c.sources[0].name, "centraal");
        assert_eq!(c.poll_interval, Duration::from_secs(300));
        assert_eq!(c.auth.token[0].regions, vec!["limburg"]);
    }

    #[test]
    fn errors_on_unknown_keys_and_bad_values() {
        let e = Config::parse("listen = \"127.0.0.1:1\"\nlisten_port = 3\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `listen_port`"), "{e}");
        let e = Config::parse("poll_interval = \"soms\"\n", &[]).unwrap_err().to_string();
        assert!(e.contains("invalid duration"), "{e}");
        let e = Config::parse("[[source]]\nname = \"A\"\nurl = \".\"\nregions = [\"*\"]\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("must match"), "{e}");
        for bad in ["//elders.example/start", "javascript:alert(1)", "oauth2/start"] {
            let e = Config::parse(&format!("[auth]\nsign_in_url = \"{bad}\"\n"), &[])
                .unwrap_err()
                .to_string();
            assert!(e.contains("auth.sign_in_url must be a path on this site"), "{bad}: {e}");
        }
        let c = Config::parse(
            "[auth]\nsign_in_url = \"/oauth2/start\"\nsign_out_url = \"https://sso.example/out\"\n",
            &[],
        )
        .unwrap();
        assert_eq!(c.auth.sign_in_url.as_deref(), Some("/oauth2/start"));
        for bad in [
            "tegenkracht",
            "http://tegenkracht:8080",
            ":8080",
            "tegenkracht:0",
            "tegenkracht:http",
        ] {
            let e = Config::parse(&format!("replicas = [\"{bad}\"]\n"), &[]).unwrap_err().to_string();
            assert!(e.contains("is not a host:port"), "{bad}: {e}");
        }
        let c = Config::parse("replicas = [\"tegenkracht-replicas.tk.svc:8080\", \"[::1]:8080\"]\n", &[]).unwrap();
        assert_eq!(c.replicas.len(), 2);
    }

    #[test]
    fn environment_overrides_the_file() {
        let env = vec![
            ("TEGENKRACHT_LISTEN".to_string(), "127.0.0.1:9999".to_string()),
            ("TEGENKRACHT_AUTH__PROXY_USER_HEADER".to_string(), "X-User".to_string()),
        ];
        let c = Config::parse("listen = \"127.0.0.1:1\"\n", &env).unwrap();
        assert_eq!(c.listen.port(), 9999);
        assert_eq!(c.auth.proxy_user_header.as_deref(), Some("X-User"));
        let bad = vec![("TEGENKRACHT_AUTH__PROXY_USR".to_string(), "x".to_string())];
        assert!(Config::parse("", &bad).is_err(), "unknown key in a known section");
        let foreign = vec![
            ("TEGENKRACHT_SERVICE_HOST".to_string(), "10.0.0.1".to_string()),
            ("TEGENKRACHT_BIN".to_string(), "x".to_string()),
        ];
        assert!(
            Config::parse("", &foreign).is_ok(),
            "variables that are not configuration keys are ignored"
        );
    }
}
