//! The site's theme: minijinja templates and static files. The default
//! theme (`themes/default/`) is embedded in the binary; a `theme_dir` on
//! disk overrides it file by file.

use minijinja::Environment;
use std::path::PathBuf;

/// The embedded default theme: (path relative to `themes/default/`, contents).
macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../../themes/default/", $path)) as &[u8])),*]
    };
}

pub const DEFAULT: &[(&str, &[u8])] = embed![
    "templates/base.html",
    "templates/macros.html",
    "templates/home.html",
    "templates/zoeken.html",
    "templates/dossier.html",
    "templates/thema.html",
    "templates/themas.html",
    "templates/regio.html",
    "templates/regios.html",
    "templates/collectie.html",
    "templates/collecties.html",
    "templates/lessen.html",
    "templates/fout.html",
    "templates/inzicht.html",
    "templates/pagina.html",
    "templates/api.html",
    "templates/schrijven.html",
    "templates/beheer.html",
    "templates/samenstellen.html",
    "templates/abonnementen.html",
    "templates/afmelden.html",
    "templates/feed.xml",
    "templates/sitemap.xml",
    "templates/mail/melding.txt",
    "templates/mail/melding.html",
    "static/utrecht-components.css",
    "static/tokens.css",
    "static/tegenkracht.css",
    "static/favicon.svg",
    "static/schrijven.js",
    "i18n/en.json",
];

/// Theme files: the embedded default plus an optional override folder.
#[derive(Debug, Clone, Default)]
pub struct Theme {
    dir: Option<PathBuf>,
}

impl Theme {
    pub fn new(dir: Option<PathBuf>) -> Theme {
        Theme { dir }
    }

    /// The bytes of a theme file, from disk when overridden there.
    pub fn file(&self, rel: &str) -> Option<Vec<u8>> {
        if rel.split('/').any(|p| p.is_empty() || p == ".." || p == "." || p.starts_with('.')) {
            return None;
        }
        if let Some(dir) = &self.dir {
            let path = dir.join(rel);
            if let Ok(meta) = std::fs::symlink_metadata(&path)
                && meta.is_file()
            {
                return std::fs::read(&path).ok();
            }
        }
        DEFAULT.iter().find(|(p, _)| *p == rel).map(|(_, b)| b.to_vec())
    }

    /// A minijinja environment whose templates come from this theme.
    pub fn environment(&self) -> Environment<'static> {
        let mut env = Environment::new();
        let theme = self.clone();
        env.set_loader(move |name| Ok(theme.file(&format!("templates/{name}")).and_then(|b| String::from_utf8(b).ok())));
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") || name.ends_with(".xml") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        // `{{ "Zoeken" | t }}`: the interface text in the reader's language (`taal`
        // in the context). Dutch is the source; English comes from `i18n/en.json`;
        // a missing translation falls back to the Dutch text. Content is never translated.
        let en: std::collections::HashMap<String, String> = self
            .file("i18n/en.json")
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        env.add_filter("t", move |state: &minijinja::State<'_, '_>, text: String| -> String {
            let english = state.lookup("taal").is_some_and(|t| t.as_str() == Some("en"));
            if english { en.get(&text).cloned().unwrap_or(text) } else { text }
        });
        // minijinja also escapes `/`, which turns every URL into `&#x2f;`; escape
        // what HTML needs (text and quoted attributes) and nothing more.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::Html
                && !value.is_safe()
                && let Some(s) = value.as_str()
            {
                return out.write_str(&indexer::text::escape_html(s)).map_err(minijinja::Error::from);
            }
            minijinja::escape_formatter(out, state, value)
        });
        env
    }
}

/// The content type of a static file, by extension.
pub fn content_type(rel: &str) -> &'static str {
    match rel.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates_interface_text_and_falls_back_to_dutch() {
        let env = Theme::default().environment();
        let t = |taal: &str, text: &str| {
            env.render_str(&format!("{{{{ \"{text}\" | t }}}}"), minijinja::context! { taal })
                .unwrap()
        };
        assert_eq!(t("en", "Zoeken"), "Search");
        assert_eq!(t("nl", "Zoeken"), "Zoeken");
        assert_eq!(t("en", "Onvertaald"), "Onvertaald");
    }

    #[test]
    fn disk_overrides_the_embedded_theme_and_paths_cannot_escape() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/tegenkracht.css"), "body{}").unwrap();
        let theme = Theme::new(Some(dir.path().to_path_buf()));
        assert_eq!(theme.file("static/tegenkracht.css").unwrap(), b"body{}");
        assert!(theme.file("templates/base.html").is_some());
        assert!(theme.file("../Cargo.toml").is_none());
        assert!(theme.file("static/../../x").is_none());
    }
}
