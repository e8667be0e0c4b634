//! The findings of `check` (and of the writing form) in Dutch, for editors
//! who do not program; English stays available (`check --taal en`, the
//! English interface). Messages are made in English where the rules live;
//! here each known message form has its Dutch form, matched by its fixed
//! parts with `{}` for the variable ones. A message without a Dutch form is
//! shown as it is.

/// English form → Dutch form; `{}` in both, in the same order.
const FORMS: &[(&str, &str)] = &[
    // vocabulaire.yaml (shown on /beheer and by check)
    ("`{}` lacks required entries: {}", "`{}` mist verplichte waarden: {}"),
    (
        "`{}` is already in another synonym group",
        "`{}` staat al in een andere synoniemgroep",
    ),
    (
        "a synonym group needs at least two words",
        "een synoniemgroep heeft minstens twee woorden nodig",
    ),
    (
        "a synonym must be a word or phrase",
        "een synoniem moet een woord of woordgroep zijn",
    ),
    (
        "a pin must be a dossier id (regio/slug)",
        "een vastgezet resultaat moet een dossier-id zijn (regio/slug)",
    ),
    (
        "pins for `{}` must be a list of dossier ids",
        "vastgezet bij `{}` moet een lijst dossier-ids zijn",
    ),
    ("a pinned query may not be empty", "een vastgezette zoekvraag mag niet leeg zijn"),
    ("`{}` needs a display name", "`{}` heeft een weergavenaam nodig"),
    ("`{}` needs a `naam`", "`{}` heeft een `naam` nodig"),
    (
        "alias `{}` must point to a region listed in `regios`, not `{}`",
        "alias `{}` moet verwijzen naar een regio uit `regios`, niet naar `{}`",
    ),
    (
        "`{}` is a region in `regios` and cannot also be an alias: remove one of the two",
        "`{}` is een regio in `regios` en kan niet ook een alias zijn: haal een van de twee weg",
    ),
    (
        "`{}` is not a valid slug (a-z, 0-9 and -)",
        "`{}` is geen geldige slug (a-z, 0-9 en -)",
    ),
    (
        "unknown key `{}` for `{}` (expected naam, en)",
        "onbekend veld `{}` bij `{}` (verwacht: naam, en)",
    ),
    (
        "unknown key `{}` (expected regios, regio-aliassen, partners, instrumenten, uitdagingen, synoniemen, vastgezet)",
        "onbekend onderdeel `{}` (verwacht: regios, regio-aliassen, partners, instrumenten, uitdagingen, synoniemen, vastgezet)",
    ),
    (
        "missing front matter: the file must start with a line `---`",
        "de kopgegevens ontbreken: het bestand moet beginnen met een regel `---`",
    ),
    (
        "front matter is not closed: add a line `---` after it",
        "de kopgegevens zijn niet afgesloten: zet er een regel `---` onder",
    ),
    ("malformed YAML: {}", "de kopgegevens zijn geen geldige YAML: {}"),
    ("missing required key `{}`", "het verplichte veld `{}` ontbreekt"),
    ("unknown key `{}`{}", "onbekend veld `{}`{}"),
    ("duplicate key `{}`", "het veld `{}` staat er twee keer in"),
    ("`{}` must be text, found {}", "`{}` moet tekst zijn, maar is {}"),
    ("`{}` must be a list, found {}", "`{}` moet een lijst zijn, maar is {}"),
    ("`{}` has an empty entry", "`{}` heeft een lege waarde"),
    (
        "`{}` must be {} to {} characters long, it has {}",
        "`{}` moet {} tot {} tekens lang zijn, het zijn er {}",
    ),
    (
        "`{}` must be one of {}, not `{}`",
        "`{}` moet een van deze waarden zijn: {}, niet `{}`",
    ),
    (
        "`{}` must be a date YYYY-MM-DD, not `{}`",
        "`{}` moet een datum JJJJ-MM-DD zijn, niet `{}`",
    ),
    (
        "`{}` must be YYYY, YYYY-MM or YYYY-MM-DD, not `{}`",
        "`{}` moet JJJJ, JJJJ-MM of JJJJ-MM-DD zijn, niet `{}`",
    ),
    ("`eind` ({}) lies before `start` ({})", "`eind` ({}) ligt voor `start` ({})"),
    ("`{}` lists `{}` twice", "`{}` noemt `{}` twee keer"),
    ("unknown regio `{}`{}", "onbekende regio `{}`{}"),
    (
        "unknown thema (no playbook themas/{slug}.md) `{}` in `{}`{}",
        "onbekend thema `{}` in `{}` (er is geen playbook met die naam in themas/){}",
    ),
    ("unknown partner `{}` in `{}`{}", "onbekende partner `{}` in `{}`{}"),
    ("unknown instrument `{}` in `{}`{}", "onbekend instrument `{}` in `{}`{}"),
    (
        "unknown dossier id (expected regio/slug) `{}` in `{}`",
        "`{}` in `{}` is geen dossier-id (verwacht: regio/slug)",
    ),
    ("unknown uitdaging `{}` (one of {})", "onbekende uitdaging `{}` (een van {})"),
    (
        "`themas` must list 1 to 5 themas, it lists {}",
        "`themas` moet 1 tot 5 thema's noemen, het zijn er {}",
    ),
    ("`themas` must list 1 to 5 themas", "`themas` moet 1 tot 5 thema's noemen"),
    (
        "`{}` is another name of thema `{}`: write `{}` in `themas`",
        "`{}` is een andere naam van thema `{}`: schrijf `{}` in `themas`",
    ),
    (
        "regio `{}` is now part of `{}` ({}): the dossier is published as {}/…; write `regio: {}`",
        "regio `{}` is opgegaan in `{}` ({}): het dossier verschijnt als {}/…; schrijf `regio: {}`",
    ),
    ("`email` is not an e-mail address: `{}`", "`email` is geen e-mailadres: `{}`"),
    (
        "`jaar` must be a year like 2022, found `{}`",
        "`jaar` moet een jaartal zijn zoals 2022, niet `{}`",
    ),
    (
        "`url` must be a web address starting with https://, found `{}`",
        "`url` moet een webadres zijn dat begint met https://, niet `{}`",
    ),
    (
        "`website` must be a web address starting with https://, found `{}`",
        "`website` moet een webadres zijn dat begint met https://, niet `{}`",
    ),
    (
        "`contact` needs at least one of email, telefoon, adres",
        "`contact` heeft minstens een van email, telefoon of adres nodig",
    ),
    (
        "item id `{}` is not a dossier id (regio/slug)",
        "item `{}` is geen dossier-id (regio/slug)",
    ),
    ("item `{}` is listed twice", "item `{}` staat er twee keer in"),
    ("item `{}` is not a published dossier", "item `{}` is geen gepubliceerd dossier"),
    ("{} must be a mapping of keys and values", "{} moet bestaan uit velden met waarden"),
    (
        "file name `{}.md` is not a slug: use a-z, 0-9 and -, at most 80 characters",
        "de bestandsnaam `{}.md` is geen slug: gebruik a-z, 0-9 en -, hoogstens 80 tekens",
    ),
    ("file is not valid UTF-8", "het bestand is geen geldige UTF-8-tekst"),
    (
        "file is {} bytes, over the 1 MiB limit",
        "het bestand is {} bytes, meer dan de grens van 1 MiB",
    ),
    ("symbolic links are never read", "symbolische koppelingen worden nooit gelezen"),
    ("submodules are never read", "submodules worden nooit gelezen"),
    (
        "`{}` is still here: write this part, or remove it",
        "`{}` staat er nog: schrijf dit deel, of haal het weg",
    ),
    (
        "source `{}` may not publish for regio `{}`",
        "bron `{}` mag niet publiceren voor regio `{}`",
    ),
    (
        "source `{}` may not publish pages: only a source with regions = [\"*\"] may",
        "bron `{}` mag geen pagina's publiceren: dat mag alleen een bron met regions = [\"*\"]",
    ),
    (
        "the file is in dossiers/{}/ but its `regio` is `{}`: move it to dossiers/{}/ or correct `regio`",
        "het bestand staat in dossiers/{}/ maar de `regio` is `{}`: zet het in dossiers/{}/ of verbeter `regio`",
    ),
    (
        "duplicate id `{}`: source `{}` already publishes it from {}, and the first source wins, so this file is never published",
        "dubbele id `{}`: bron `{}` publiceert die al vanuit {}, en de eerste bron wint: dit bestand wordt nooit gepubliceerd",
    ),
    (
        "duplicate id `{}`: {} in this source has the same id",
        "dubbele id `{}`: {} in deze bron heeft dezelfde id",
    ),
    (
        "duplicate id `{}`: source `{}` already publishes it from {}",
        "dubbele id `{}`: bron `{}` publiceert die al vanuit {}",
    ),
    (
        "{} already exists in source `{}`: choose another file name (slug)",
        "{} bestaat al in bron `{}`: kies een andere bestandsnaam (slug)",
    ),
    (
        "`gerelateerd` links to `{}`, which is not a published dossier",
        "`gerelateerd` verwijst naar `{}`, en dat is geen gepubliceerd dossier",
    ),
    (
        "a leerdossier should have a `## Aanpak` section",
        "een leerdossier hoort een kop `## Aanpak` te hebben",
    ),
    (
        "a leerdossier should list its `lessen`",
        "een leerdossier hoort zijn `lessen` te noemen",
    ),
    (
        "`herzien_voor` ({}) has passed: check that the dossier is still right, then set a new date",
        "`herzien_voor` ({}) is voorbij: ga na of het dossier nog klopt en zet dan een nieuwe datum",
    ),
    (
        "no documents found, so nothing was checked: dossiers belong in dossiers/{regio}/{slug}.md, playbooks in themas/, collections in collecties/, under the folder you check{}",
        "geen documenten gevonden, dus niets gecontroleerd: dossiers horen in dossiers/{regio}/{slug}.md, playbooks in themas/, collecties in collecties/, in de map die je controleert{}",
    ),
    (
        "no vocabulaire.yaml in any source: dossiers cannot be checked",
        "geen vocabulaire.yaml in een van de bronnen: dossiers kunnen niet worden gecontroleerd",
    ),
    (
        "`{}` is not a region of the vocabulary{}",
        "`{}` is geen regio van het vocabulaire{}",
    ),
    (
        "duplicate page `{}`: an earlier source already has it",
        "dubbele pagina `{}`: een eerdere bron heeft die al",
    ),
    (
        "duplicate region description `{}`: an earlier source already has it",
        "dubbele regiobeschrijving `{}`: een eerdere bron heeft die al",
    ),
    (
        "duplicate thema `{}`: an earlier source already has this playbook",
        "dubbel thema `{}`: een eerdere bron heeft dit playbook al",
    ),
    ("duplicate collection `{}`", "dubbele collectie `{}`"),
    (
        "ignored: the vocabulary of an earlier source is used",
        "genegeerd: het vocabulaire van een eerdere bron wordt gebruikt",
    ),
    (
        "pin for `{}`: `{}` is not a published dossier",
        "vastgezet bij `{}`: `{}` is geen gepubliceerd dossier",
    ),
    ("more than {} links or images", "meer dan {} links of afbeeldingen"),
    (
        "block quotes or lists nested deeper than {} levels",
        "citaten of lijsten dieper genest dan {} niveaus",
    ),
    ("rendering took longer than {} s", "het omzetten duurde langer dan {} s"),
    ("lijkt op {} ({}, {}): {}", "lijkt op {} ({}, {}): {}"),
    (
        "no configured source publishes for this region",
        "geen geconfigureerde bron publiceert voor deze regio",
    ),
    (
        "this dossier has a contact only signed-in readers see: sign in to edit it",
        "dit dossier heeft een contactpersoon die alleen ingelogde lezers zien: log in om het te bewerken",
    ),
    (
        "this makes a new file: remove the old one, {}, in the same pull request",
        "zo ontstaat een nieuw bestand: verwijder het oude, {}, in dezelfde pull request",
    ),
    (
        "the collection has no items yet: search for dossiers and add them",
        "de collectie heeft nog geen dossiers: zoek ze en voeg ze toe",
    ),
    (
        "collecties/{}.md already exists: choose another file name (slug)",
        "collecties/{}.md bestaat al: kies een andere bestandsnaam (slug)",
    ),
];

/// Parts of messages (hints) that appear inside others.
const PHRASES: &[(&str, &str)] = &[
    (" (did you mean `", " (bedoel je `"),
    (
        " (YAML does not allow tabs: indent with spaces)",
        " (YAML staat geen tabs toe: spring in met spaties)",
    ),
    (
        " (is there a colon in a value? Put the value in quotes, for example titel: \"Vastgoed: de aanpak\")",
        " (staat er een dubbele punt in een waarde? Zet de waarde tussen aanhalingstekens, bijvoorbeeld titel: \"Vastgoed: de aanpak\")",
    ),
    (
        " (does every item of a list start with `- `, indented like the others?)",
        " (begint elk item van een lijst met `- `, even ver ingesprongen als de andere?)",
    ),
    (
        " (check the folder that holds `dossiers/`, not a folder inside it)",
        " (controleer de map waar `dossiers/` in staat, niet een map daarbinnen)",
    ),
    (" (try `tegenkracht check ", " (probeer `tegenkracht check "),
    (" is now part of `", " is opgegaan in `"),
    ("`, name the file after it", "`, geef het bestand die naam"),
    (
        "mapping values are not allowed in this context",
        "hier mag geen `naam: waarde` staan",
    ),
    ("found a tab character", "er staat een tab"),
];

/// `message` in `taal` (`nl` or `en`).
pub fn in_taal(message: &str, taal: &str) -> String {
    if taal == "en" {
        return message.to_string();
    }
    let translated = FORMS.iter().find_map(|(en, nl)| fill(nl, &captures(en, message)?));
    let mut out = translated.unwrap_or_else(|| message.to_string());
    for (en, nl) in PHRASES {
        if out.contains(en) {
            out = out.replace(en, nl);
        }
    }
    out
}

/// The variable parts of `message` if it has the form `pattern`.
fn captures(pattern: &str, message: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = pattern.split("{}").collect();
    let mut rest = message.strip_prefix(parts[0])?;
    let mut caps = Vec::new();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        let at = if last {
            if !rest.ends_with(part) {
                return None;
            }
            rest.len() - part.len()
        } else if part.is_empty() {
            // Two adjacent placeholders: the first takes up to the next backtick or end.
            rest.find('`').unwrap_or(rest.len())
        } else {
            rest.find(part)?
        };
        caps.push(rest[..at].to_string());
        rest = &rest[at + part.len()..];
    }
    (parts.len() == 1 && rest.is_empty() || parts.len() > 1).then_some(caps)
}

fn fill(template: &str, caps: &[String]) -> Option<String> {
    let parts: Vec<&str> = template.split("{}").collect();
    if parts.len() != caps.len() + 1 {
        return None;
    }
    let mut out = String::from(parts[0]);
    for (cap, part) in caps.iter().zip(&parts[1..]) {
        out.push_str(cap);
        out.push_str(part);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::in_taal;

    #[test]
    fn findings_read_in_dutch_and_stay_english_on_request() {
        for (en, nl) in [
            ("missing required key `titel`", "het verplichte veld `titel` ontbreekt"),
            (
                "unknown regio `limbrug` (did you mean `limburg`?)",
                "onbekende regio `limbrug` (bedoel je `limburg`?)",
            ),
            (
                "`samenvatting` must be 20 to 600 characters long, it has 4",
                "`samenvatting` moet 20 tot 600 tekens lang zijn, het zijn er 4",
            ),
            ("unknown key `kleur`", "onbekend veld `kleur`"),
            (
                "the file is in dossiers/oost-nederland/ but its `regio` is `limburg`: move it to dossiers/limburg/ or correct `regio`",
                "het bestand staat in dossiers/oost-nederland/ maar de `regio` is `limburg`: zet het in dossiers/limburg/ of verbeter `regio`",
            ),
            (
                "`[in te vullen]` is still here: write this part, or remove it",
                "`[in te vullen]` staat er nog: schrijf dit deel, of haal het weg",
            ),
            ("an unknown form stays as it is", "an unknown form stays as it is"),
            (
                "`gemeentes` is already in another synonym group",
                "`gemeentes` staat al in een andere synoniemgroep",
            ),
            (
                "unknown key `engels` for `gemeente` (expected naam, en)",
                "onbekend veld `engels` bij `gemeente` (verwacht: naam, en)",
            ),
        ] {
            assert_eq!(in_taal(en, "nl"), nl);
            assert_eq!(in_taal(en, "en"), en);
        }
        let yaml = in_taal(
            "malformed YAML: mapping values are not allowed in this context (is there a colon in a value? Put the value in quotes, for example titel: \"Vastgoed: de aanpak\")",
            "nl",
        );
        assert!(
            yaml.starts_with("de kopgegevens zijn geen geldige YAML: hier mag geen `naam: waarde` staan (staat er een dubbele punt"),
            "{yaml}"
        );
    }
}
