//! Who is reading: anonymous, signed in with a bearer token (stored as a
//! SHA-256 hash in the configuration), or signed in through a trusted
//! reverse proxy. The result is an `Audience`, the only thing access rules
//! look at. Tokens are compared in constant time and never logged.

use crate::config::AuthConfig;
use crate::error::Problem;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use indexer::Audience;
use ipnet::IpNet;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;

tokio::task_local! {
    /// The reader of the request being handled, for the page header.
    static READER: Reader;
}

/// Runs `f` (the rest of a request) with `reader` as the request's reader.
pub async fn scope<F: std::future::Future>(reader: Reader, f: F) -> F::Output {
    READER.scope(reader, f).await
}

/// The reader of the request being handled (anonymous outside a request).
pub fn current() -> Reader {
    READER.try_with(Clone::clone).unwrap_or_else(|_| Reader::anonymous())
}

/// The reader of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    /// Token name or proxy user; `None` for anonymous readers. Never logged with queries.
    pub name: Option<String>,
    pub audience: Audience,
    /// The reader's address, from the token's configuration or the trusted
    /// proxy's email header; only email alerts use it.
    pub email: Option<String>,
    /// Signed in with a bearer token (not through the proxy).
    pub token: bool,
}

impl Reader {
    pub fn anonymous() -> Reader {
        Reader {
            name: None,
            audience: Audience::Public,
            email: None,
            token: false,
        }
    }

    pub fn is_signed_in(&self) -> bool {
        self.name.is_some()
    }

    // The access policy beyond documents. Which documents a reader sees is
    // `Audience::may_see`, applied before indexing (the shelf); what else a
    // reader may see or do is decided here, and every handler asks these.

    /// A dossier's contact person (anonymous readers only learn there is one).
    pub fn sees_contacts(&self) -> bool {
        self.is_signed_in()
    }

    /// The sources' findings and the last update's counts in `/api/v1/status`.
    pub fn sees_findings(&self) -> bool {
        self.is_signed_in()
    }

    /// A national (LIEC) curator: `/beheer`, `/beheer/inzicht`, editing any
    /// dossier with the writing form, "Bewerk" on every dossier.
    pub fn is_curator(&self) -> bool {
        self.audience == Audience::Liec
    }
}

/// The parsed `[auth]` section.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    tokens: Vec<Token>,
    proxy_user: Option<String>,
    proxy_email: Option<String>,
    proxy_groups: Option<String>,
    trusted: Vec<IpNet>,
}

/// One configured token.
#[derive(Debug, Clone)]
struct Token {
    name: String,
    hash: [u8; 32],
    regions: Vec<String>,
    email: Option<String>,
}

/// Why a request could not be authenticated.
#[derive(Debug, PartialEq, Eq)]
pub struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let mut r = crate::error::ApiError(Problem::Unauthorized).into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tegenkracht\""));
        r
    }
}

impl Auth {
    /// Parses the configuration; fails on malformed hashes or networks.
    pub fn new(cfg: &AuthConfig) -> anyhow::Result<Auth> {
        let mut tokens = Vec::new();
        for t in &cfg.token {
            let bytes = hex::decode(&t.sha256).map_err(|_| anyhow::anyhow!("token `{}`: sha256 is not hexadecimal", t.name))?;
            let hash: [u8; 32] = bytes
                .try_into()
                .map_err(|_| anyhow::anyhow!("token `{}`: sha256 must be 32 bytes", t.name))?;
            tokens.push(Token {
                name: t.name.clone(),
                hash,
                regions: t.regions.clone(),
                email: t.email.clone(),
            });
        }
        let mut trusted = Vec::new();
        for p in &cfg.trusted_proxies {
            let net: IpNet = p
                .parse()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| anyhow::anyhow!("trusted_proxies: `{p}` is not an address or network"))?;
            trusted.push(net);
        }
        Ok(Auth {
            tokens,
            proxy_user: cfg.proxy_user_header.clone(),
            proxy_email: cfg.proxy_email_header.clone(),
            proxy_groups: cfg.proxy_groups_header.clone(),
            trusted,
        })
    }

    /// Identifies the reader from the request headers and the peer address.
    pub fn reader(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<Reader, Unauthorized> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or(Unauthorized)?;
            let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            let mut found = None;
            for t in &self.tokens {
                // Every configured hash is compared, in constant time.
                if constant_time_eq(&hash, &t.hash) && found.is_none() {
                    found = Some(t);
                }
            }
            let t = found.ok_or(Unauthorized)?;
            return Ok(Reader {
                name: Some(t.name.clone()),
                audience: Audience::signed_in(&t.regions),
                email: t.email.clone(),
                token: true,
            });
        }
        if let (Some(user_header), Some(peer)) = (&self.proxy_user, peer)
            && self.trusted.iter().any(|n| n.contains(&peer.ip()))
            && let Some(user) = headers
                .get(user_header.as_str())
                .and_then(|v| v.to_str().ok())
                .filter(|u| !u.trim().is_empty())
        {
            let groups: Vec<String> = self
                .proxy_groups
                .as_ref()
                .and_then(|h| headers.get(h.as_str()))
                .and_then(|v| v.to_str().ok())
                .map(|g| g.split(',').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default();
            let email = self
                .proxy_email
                .as_ref()
                .and_then(|h| headers.get(h.as_str()))
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_string);
            return Ok(Reader {
                name: Some(user.trim().to_string()),
                audience: Audience::signed_in(&groups),
                email,
                token: false,
            });
        }
        Ok(Reader::anonymous())
    }
}

impl Auth {
    /// The current audience of the token named `name`, if it is still configured
    /// with the address `email` (email alerts apply the access rule again at
    /// every mail; a token whose address changed no longer mails the old one).
    pub fn token_audience(&self, name: &str, email: &str) -> Option<Audience> {
        self.tokens
            .iter()
            .find(|t| t.name == name && t.email.as_deref() == Some(email))
            .map(|t| Audience::signed_in(&t.regions))
    }
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Adds header names to `Vary`, keeping those an inner layer set
/// (`Accept-Language` on pages), each name once, in one header.
pub fn add_vary(headers: &mut axum::http::HeaderMap, names: &str) {
    let mut all: Vec<String> = headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    for n in names.split(',').map(str::trim) {
        if !all.iter().any(|a| a.eq_ignore_ascii_case(n)) {
            all.push(n.to_string());
        }
    }
    if let Ok(v) = HeaderValue::from_str(&all.join(", ")) {
        headers.insert(header::VARY, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenConfig;

    fn auth() -> Auth {
        let hash = hex::encode(Sha256::digest(b"geheim-token"));
        Auth::new(&AuthConfig {
            proxy_user_header: Some("X-Forwarded-User".into()),
            proxy_groups_header: Some("X-Forwarded-Groups".into()),
            trusted_proxies: vec!["127.0.0.1/32".into()],
            token: vec![TokenConfig {
                name: "analist".into(),
                sha256: hash,
                regions: vec!["limburg".into()],
                email: Some("analist@example.nl".into()),
            }],
            ..AuthConfig::default()
        })
        .unwrap()
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        h
    }

    #[test]
    fn can_sign_in_with_a_token_and_rejects_bad_ones() {
        let a = auth();
        let r = a.reader(&headers(&[("authorization", "Bearer geheim-token")]), None).unwrap();
        assert_eq!(r.audience, Audience::Regions(vec!["limburg".into()]));
        assert_eq!(a.reader(&headers(&[("authorization", "Bearer fout")]), None), Err(Unauthorized));
        assert_eq!(a.reader(&headers(&[("authorization", "Basic eDp5")]), None), Err(Unauthorized));
    }

    #[test]
    fn capabilities_follow_the_reader() {
        let a = auth();
        let anon = Reader::anonymous();
        assert!(!anon.sees_contacts() && !anon.sees_findings() && !anon.is_curator());
        let token = a.reader(&headers(&[("authorization", "Bearer geheim-token")]), None).unwrap();
        assert!(token.sees_contacts() && token.sees_findings() && !token.is_curator());
        assert_eq!(token.email.as_deref(), Some("analist@example.nl"));
        let liec = a
            .reader(
                &headers(&[("x-forwarded-user", "piet"), ("x-forwarded-groups", "liec")]),
                Some("127.0.0.1:1".parse().unwrap()),
            )
            .unwrap();
        assert!(liec.is_curator() && !liec.token);
    }

    #[test]
    fn trusts_proxy_headers_only_from_trusted_proxies() {
        let a = auth();
        let h = headers(&[("x-forwarded-user", "piet"), ("x-forwarded-groups", "liec, andere")]);
        let trusted: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let stranger: SocketAddr = "10.1.2.3:5000".parse().unwrap();
        assert_eq!(a.reader(&h, Some(trusted)).unwrap().audience, Audience::Liec);
        assert_eq!(a.reader(&h, Some(stranger)).unwrap(), Reader::anonymous());
        assert_eq!(a.reader(&h, None).unwrap(), Reader::anonymous());
    }
}
