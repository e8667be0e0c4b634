//! `tegenkracht nieuw REGIO SLUG`: writes the skeleton of a new dossier at
//! `dossiers/{regio}/{slug}.md` (under `content/` in a repository that keeps
//! its content there), every field present and explained in a Dutch comment.
//! Texts still to write hold `frontmatter::PLACEHOLDER`, which `check` and the
//! server refuse, so an unfinished skeleton is never published.

use crate::config::Config;
use anyhow::{Result, bail};
use indexer::Catalog;
use indexer::model::frontmatter::PLACEHOLDER;
use indexer::model::is_slug;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes the skeleton in `root` and prints its path.
pub fn run(config: &Config, root: &Path, regio: &str, slug: &str, praktijk: bool) -> Result<ExitCode> {
    if !is_slug(slug) {
        bail!("`{slug}` is not a slug: use a-z, 0-9 and -, at most 80 characters (for example vastgoed-in-beeld)");
    }
    let catalog = Catalog::load(&config.source_specs());
    let vocab = &catalog.vocab;
    let themas: Vec<String> = catalog.playbooks.iter().map(|p| p.slug.clone()).collect();
    let regio = if vocab.regios.0.is_empty() {
        regio.to_string()
    } else if vocab.knows_regio(regio) {
        vocab.canonical_regio(regio).to_string()
    } else {
        let hint = indexer::diag::closest(regio, vocab.regios.slugs())
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        bail!(
            "unknown regio `{regio}`{hint}; regions: {}",
            vocab.regios.slugs().collect::<Vec<_>>().join(", ")
        );
    };
    let base = if root.join("content").join("vocabulaire.yaml").is_file() || root.join("content").join("dossiers").is_dir() {
        root.join("content")
    } else {
        root.to_path_buf()
    };
    let path: PathBuf = base.join("dossiers").join(&regio).join(format!("{slug}.md"));
    if path.exists() {
        bail!("{} already exists: choose another slug, or edit that file", path.display());
    }
    std::fs::create_dir_all(path.parent().expect("a dossier path has a folder"))?;
    let list = |names: Vec<&str>| names.join(", ");
    let text = skeleton(
        &regio,
        praktijk,
        &list(themas.iter().map(String::as_str).collect()),
        &list(vocab.partners.slugs().collect()),
        &list(vocab.instrumenten.slugs().collect()),
        &list(vocab.uitdagingen.slugs().collect()),
    );
    std::fs::write(&path, text)?;
    println!("{}", path.display());
    eprintln!("Fill in every `{PLACEHOLDER}`, then run `tegenkracht check` on the folder.");
    Ok(ExitCode::SUCCESS)
}

/// The file: valid YAML, every field present, Dutch comments for the author.
pub fn skeleton(regio: &str, praktijk: bool, themas: &str, partners: &str, instrumenten: &str, uitdagingen: &str) -> String {
    let p = PLACEHOLDER;
    let kind = if praktijk { "praktijk" } else { "leerdossier" };
    format!(
        r#"---
# Titel: kort en concreet, met een dubbele punt voor een ondertitel. Zet de
# titel tussen aanhalingstekens als er een dubbele punt in staat.
titel: "{p} Titel van het project"
# leerdossier (een project met lessen) of praktijk (een werkwijze die je kunt overnemen).
type: {kind}
# De regio die het dossier publiceert; de map dossiers/{regio}/ moet erbij passen.
regio: {regio}
# Een tot vijf thema's, als slugs. Mogelijk: {themas}
themas: ["{p}"]
# Twee tot vier zinnen: wat was het probleem, wat deed je, wat leverde het op.
samenvatting: "{p} Samenvatting in twee tot vier zinnen."
# openbaar (iedereen), netwerk (ingelogde partners) of regio (alleen deze regio en landelijk).
# Zet nooit namen van privépersonen of lopende onderzoeken in een openbaar dossier.
toegang: netwerk
# Betrokken partners (slugs), of laat de lijst leeg: []. Mogelijk: {partners}
partners: []
# Ingezette instrumenten (slugs), of []. Mogelijk: {instrumenten}
instrumenten: []
# idee, pilot, lopend, afgerond of gestopt (of verwijder de regel).
status: lopend
# Begin en einde: JJJJ, JJJJ-MM of JJJJ-MM-DD (verwijder eind als het project loopt).
start: 2025
# Gemeenten waar het project speelde (vrije tekst), of [].
gemeenten: []
# Zoekwoorden die niet al in de tekst staan, of [].
trefwoorden: []
# Lessen, elk bij een uitdaging. Mogelijk: {uitdagingen}
lessen:
  - uitdaging: leren
    les: "{p} Wat zou je een andere regio aanraden?"
# Verwante dossiers als regio/slug, of [].
gerelateerd: []
# Wie meer weet (alleen zichtbaar voor ingelogde lezers). Verwijder dit blok als er niemand is.
contact:
  organisatie: "{p} Organisatie"
  functie: "{p} Functie"
  email: "{p}@voorbeeld.nl"
# De openbare documenten waarop dit dossier steunt, met pagina of paragraaf.
bronnen:
  - titel: "{p} Titel van het rapport"
    uitgever: "{p} Uitgever"
    jaar: 2025
    pagina: "{p} pagina of paragraaf"
# Wanneer iemand moet nagaan of dit dossier nog klopt (JJJJ-MM-DD).
herzien_voor: 2027-01-01
# De datum van de laatste inhoudelijke wijziging (JJJJ-MM-DD).
bijgewerkt: 2025-01-01
---

## Aanleiding

{p} Welk probleem zag je, en waarom moest het anders?

## Aanpak

{p} Wat deed je, met wie, en hoe was het georganiseerd?

## Resultaat

{p} Wat leverde het op? Schrijf ook op wat niet werkte.

## Lessen

{p} Wat zou je een andere regio aanraden, en wat juist niet?
"#
    )
}
