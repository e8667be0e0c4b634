//! Front matter of the public texts beside the dossiers: site pages
//! (`paginas/{slug}.md`) and region descriptions (`regios/{slug}.md`).

use super::{Fields, Split, load, sources};
use crate::diag::Diagnostic;
use crate::model::{PageMeta, RegionContact, RegionMeta};

/// Validates a site page's front matter.
pub fn page(path: &str, split: &Split<'_>) -> Result<PageMeta, Vec<Diagnostic>> {
    const KEYS: &[&str] = &["titel", "type", "samenvatting", "redactie", "bronnen"];
    let root = load(path, split)?;
    let mut f = Fields::new(path, split.yaml_offset, &root, KEYS, "front matter")?;
    let titel = f.text("titel", true, 1, 160);
    let kind = f.one_of("type", true, &[("pagina", ())]);
    let samenvatting = f.text("samenvatting", true, 20, 600);
    let redactie = f.text("redactie", false, 2, 200);
    let bronnen = sources(&mut f);
    let meta = (|| {
        kind?;
        Some(PageMeta {
            titel: titel?,
            samenvatting: samenvatting?,
            redactie,
            bronnen,
        })
    })();
    match meta {
        Some(meta) => f.finish(meta),
        None => Err(f.errors),
    }
}

/// Validates a region description's front matter (whether its file name is a
/// region of the vocabulary is checked where the sources are assembled).
pub fn region(path: &str, split: &Split<'_>) -> Result<RegionMeta, Vec<Diagnostic>> {
    const KEYS: &[&str] = &[
        "type",
        "samenvatting",
        "werkgebied",
        "gemeenten",
        "website",
        "contact",
        "redactie",
        "bronnen",
    ];
    let root = load(path, split)?;
    let mut f = Fields::new(path, split.yaml_offset, &root, KEYS, "front matter")?;
    let kind = f.one_of("type", true, &[("regio", ())]);
    let samenvatting = f.text("samenvatting", true, 20, 600);
    let werkgebied = f.texts("werkgebied");
    let gemeenten = f.texts("gemeenten");
    let website = f.text("website", false, 8, 2000);
    if let (Some(u), Some(n)) = (&website, f.get("website"))
        && (!(u.starts_with("https://") || u.starts_with("http://")) || u.contains(char::is_whitespace))
    {
        f.error(n, format!("`website` must be a web address starting with https://, found `{u}`"));
    }
    let contact = contact(&mut f);
    let redactie = f.text("redactie", false, 2, 200);
    let bronnen = sources(&mut f);
    let meta = (|| {
        kind?;
        Some(RegionMeta {
            samenvatting: samenvatting?,
            werkgebied,
            gemeenten,
            website,
            contact,
            redactie,
            bronnen,
        })
    })();
    match meta {
        Some(meta) => f.finish(meta),
        None => Err(f.errors),
    }
}

/// A region's public contact data: at least one of e-mail, phone, address.
fn contact(f: &mut Fields<'_>) -> Option<RegionContact> {
    let node = f.get("contact")?;
    let mut sub = match Fields::new(f.path, f.offset, node, &["email", "telefoon", "adres"], "`contact`") {
        Ok(sub) => sub,
        Err(e) => {
            f.errors.extend(e);
            return None;
        }
    };
    let email = sub.text("email", false, 3, 254);
    if let (Some(e), Some(n)) = (&email, sub.get("email"))
        && (!e.contains('@') || e.contains(char::is_whitespace))
    {
        sub.error(n, format!("`email` is not an e-mail address: `{e}`"));
    }
    let telefoon = sub.text("telefoon", false, 3, 40);
    let adres = sub.text("adres", false, 3, 300);
    if email.is_none() && telefoon.is_none() && adres.is_none() && sub.errors.is_empty() {
        sub.error(node, "`contact` needs at least one of email, telefoon, adres");
    }
    let ok = sub.errors.is_empty();
    f.errors.append(&mut sub.errors);
    ok.then_some(RegionContact { email, telefoon, adres })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::frontmatter::split;

    #[test]
    fn pages_and_regions_are_validated_with_lines() {
        let ok = "---\ntitel: Over\ntype: pagina\nsamenvatting: Wat deze kennisbank is en wie haar schrijft.\n---\nTekst.\n";
        assert_eq!(page("p.md", &split(ok).unwrap()).unwrap().titel, "Over");
        let errs = page("p.md", &split(&ok.replace("type: pagina", "type: playbook")).unwrap()).unwrap_err();
        assert_eq!(errs[0].to_string(), "p.md:3: error: `type` must be one of pagina, not `playbook`");

        let region_text = "---\ntype: regio\nsamenvatting: De regio in het oosten, met Gelderland en Overijssel.\nwerkgebied: [Gelderland, Twente]\ngemeenten: [Deventer]\nwebsite: https://example.nl\ncontact:\n  email: info@example.nl\n---\n";
        let r = region("r.md", &split(region_text).unwrap()).unwrap();
        assert_eq!((r.werkgebied.len(), r.gemeenten[0].as_str()), (2, "Deventer"));
        assert_eq!(r.contact.unwrap().email.as_deref(), Some("info@example.nl"));
        for (bad, want) in [
            ("website: https://example.nl", "website: ftp://x.nl"),
            ("  email: info@example.nl", "  email: geen-adres"),
            ("contact:\n  email: info@example.nl", "contact: {}"),
            ("type: regio", "type: regio\ntitel: Oost"),
        ] {
            let errs = region("r.md", &split(&region_text.replace(bad, want)).unwrap()).unwrap_err();
            assert!(!errs.is_empty(), "{want}");
        }
        let errs = region(
            "r.md",
            &split(&region_text.replace("contact:\n  email: info@example.nl", "contact: {}")).unwrap(),
        )
        .unwrap_err();
        assert!(errs[0].message.contains("needs at least one of"), "{errs:?}");
    }
}
