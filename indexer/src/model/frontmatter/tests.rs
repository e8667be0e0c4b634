//! Every front-matter rule of the content model, with the line of its error.

use super::*;

fn vocab() -> Vocabulary {
    Vocabulary::parse(
        "vocabulaire.yaml",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../content/vocabulaire.yaml")),
    )
    .unwrap()
}

fn themas() -> BTreeSet<String> {
    ["vastgoed", "horeca", "havens"].iter().map(|s| s.to_string()).collect()
}

const GOOD: &str = "---
titel: Pandenscan in Voorbeeldstad
type: leerdossier
regio: limburg
themas: [vastgoed]
samenvatting: Gemeente en politie legden registraties naast elkaar om panden te vinden.
toegang: openbaar
partners: [gemeente, politie]
instrumenten: [bestuursrechtelijk]
status: afgerond
start: 2019
eind: 2022-03
gemeenten: [Voorbeeldstad]
trefwoorden: [pandenscan]
lessen:
  - uitdaging: grenzen
    les: Plan de gegevensbeschermingseffectbeoordeling vanaf het begin in.
gerelateerd: [rotterdam/iets]
contact:
  organisatie: Gemeente Voorbeeldstad
  functie: projectleider
  email: a@b.example
herzien_voor: 2027-01-01
---
## Aanpak
";

/// Replaces the line starting with `key:` in GOOD by `line` (or removes it when empty).
fn with(key: &str, line: &str) -> String {
    GOOD.lines()
        .filter_map(|l| {
            if l.starts_with(&format!("{key}:")) {
                (!line.is_empty()).then(|| line.to_string())
            } else {
                Some(l.to_string())
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The diagnostics of validating `text` as a dossier, as `line: message` strings.
fn check(text: &str) -> Vec<String> {
    let v = vocab();
    let t = themas();
    let ctx = Context {
        vocab: &v,
        themas: &t,
        thema_namen: &[],
    };
    let split = match split(text) {
        Ok(s) => s,
        Err((line, m)) => return vec![format!("{line}: {m}")],
    };
    match dossier("d.md", &split, &ctx) {
        Ok(_) => vec![],
        Err(errs) => errs.iter().map(|d| format!("{}: {}", d.line, d.message)).collect(),
    }
}

#[test]
fn a_former_region_slug_is_published_under_its_new_region_with_a_warning() {
    let v = vocab();
    let t = themas();
    let text = GOOD.replace("regio: limburg", "regio: oost-brabant").replace(
        "gerelateerd: [rotterdam/iets]",
        "gerelateerd: [zeeland-west-brabant/iets, zeeland-brabant/iets]",
    );
    let (meta, notices) = dossier(
        "d.md",
        &split(&text).unwrap(),
        &Context {
            vocab: &v,
            themas: &t,
            thema_namen: &[],
        },
    )
    .unwrap();
    assert_eq!(meta.regio, "zeeland-brabant");
    assert_eq!(meta.gerelateerd, ["zeeland-brabant/iets"], "links read through the alias, once");
    let notice = notices.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    assert_eq!(notice.len(), 1, "{notice:?}");
    assert!(
        notice[0].starts_with("d.md:4: warning: regio `oost-brabant` is now part of `zeeland-brabant`"),
        "{notice:?}"
    );
    let errs = check(&GOOD.replace("regio: limburg", "regio: oost-braban"));
    assert_eq!(errs, ["4: unknown regio `oost-braban` (did you mean `oost-brabant`?)"]);
}

#[test]
fn can_accept_a_complete_dossier() {
    assert_eq!(check(GOOD), Vec::<String>::new());
    let v = vocab();
    let t = themas();
    let (meta, notices) = dossier(
        "d.md",
        &split(GOOD).unwrap(),
        &Context {
            vocab: &v,
            themas: &t,
            thema_namen: &[],
        },
    )
    .unwrap();
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(meta.start.unwrap().to_string(), "2019");
    assert_eq!(meta.details().lessen[0].uitdaging, "grenzen");
    assert_eq!(meta.contact.unwrap().email, "a@b.example");
}

#[test]
fn errors_with_line_numbers_for_every_rule() {
    let cases: &[(&str, &str, &str)] = &[
        ("titel", "titel: ab", "2: `titel` must be 3 to 160 characters long, it has 2"),
        ("titel", "titel: true", "2: `titel` must be text, found a boolean"),
        ("titel", "", "2: missing required key `titel`"),
        (
            "type",
            "type: playbook",
            "3: `type` must be one of leerdossier, praktijk, not `playbook`",
        ),
        ("regio", "regio: limbrug", "4: unknown regio `limbrug` (did you mean `limburg`?)"),
        (
            "themas",
            "themas: [vastgoed, fietsen]",
            "5: unknown thema (no playbook themas/{slug}.md) `fietsen` in `themas`",
        ),
        ("themas", "themas: []", "5: `themas` must list 1 to 5 themas, it lists 0"),
        ("themas", "themas: vastgoed", "5: `themas` must be a list, found text"),
        (
            "samenvatting",
            "samenvatting: te kort",
            "6: `samenvatting` must be 20 to 600 characters long, it has 7",
        ),
        (
            "toegang",
            "toegang: geheim",
            "7: `toegang` must be one of openbaar, netwerk, regio, not `geheim`",
        ),
        ("toegang", "", "2: missing required key `toegang`"),
        (
            "partners",
            "partners: [gemeente, polite]",
            "8: unknown partner `polite` in `partners` (did you mean `politie`?)",
        ),
        (
            "instrumenten",
            "instrumenten: [bestuurlijk]",
            "9: unknown instrument `bestuurlijk` in `instrumenten`",
        ),
        (
            "status",
            "status: klaar",
            "10: `status` must be one of idee, pilot, lopend, afgerond, gestopt, not `klaar`",
        ),
        ("start", "start: 19", "11: `start` must be YYYY, YYYY-MM or YYYY-MM-DD, not `19`"),
        ("eind", "eind: 2018", "12: `eind` (2018) lies before `start` (2019)"),
        ("gemeenten", "gemeenten: [A, A]", "13: `gemeenten` lists `A` twice"),
        (
            "herzien_voor",
            "herzien_voor: 2027",
            "23: `herzien_voor` must be a date YYYY-MM-DD, not `2027`",
        ),
        (
            "gerelateerd",
            "gerelateerd: [iets]",
            "18: unknown dossier id (expected regio/slug) `iets` in `gerelateerd`",
        ),
        ("trefwoorden", "trefwoorden: [a]\nkleur: rood", "15: unknown key `kleur`"),
        (
            "trefwoorden",
            "trefwoorden: [a]\ntittel: x",
            "15: unknown key `tittel` (did you mean `titel`?)",
        ),
        ("trefwoorden", "trefwoorden: [a, b", "15: malformed YAML"),
    ];
    for (key, line, expected) in cases {
        let errs = check(&with(key, line));
        assert!(
            errs.iter().any(|e| e.starts_with(expected)),
            "{key} -> {line}: expected `{expected}`, got {errs:?}"
        );
    }
}

#[test]
fn errors_on_lessons_and_contact_fields() {
    let bad = GOOD
        .replace("uitdaging: grenzen", "uitdaging: geld")
        .replace("email: a@b.example", "email: geen-adres");
    let errs = check(&bad);
    assert!(errs.iter().any(|e| e.starts_with("16: unknown uitdaging `geld`")), "{errs:?}");
    assert!(
        errs.iter().any(|e| e.starts_with("22: `email` is not an e-mail address")),
        "{errs:?}"
    );
    let short = GOOD.replace(
        "les: Plan de gegevensbeschermingseffectbeoordeling vanaf het begin in.",
        "les: kort",
    );
    assert!(check(&short).iter().any(|e| e.starts_with("17: `les` must be 10 to 400")));
}

#[test]
fn errors_when_front_matter_is_missing_or_unclosed() {
    assert_eq!(
        check("# geen front matter\n"),
        vec!["1: missing front matter: the file must start with a line `---`"]
    );
    assert_eq!(
        check("---\ntitel: x\n"),
        vec!["1: front matter is not closed: add a line `---` after it"]
    );
}

#[test]
fn can_validate_playbooks_and_collections() {
    let pb = "---\ntitel: Horeca\ntype: playbook\nsamenvatting: Over criminele invloed in de horeca en wat werkt.\ntoegang: openbaar\nfase: doe\nsynoniemen: [Kroeg, café]\n---\n";
    let meta = playbook("themas/horeca.md", &split(pb).unwrap()).unwrap();
    assert_eq!(meta.synoniemen, vec!["kroeg", "café"]);
    let errs = playbook("p.md", &split(&pb.replace("fase: doe", "fase: klaar")).unwrap()).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "p.md:6: error: `fase` must be one of doe, ontwikkel, beide, not `klaar`"
    );

    let col = "---\ntitel: Vastgoed\ntype: collectie\nsamenvatting: Een bundel.\ntoegang: openbaar\ncurator: LIEC\nitems:\n  - id: limburg/a\n    notitie: Begin hier.\n  - id: geen-id\n---\n";
    let v = vocab();
    let errs = collection("c.md", &split(col).unwrap(), &v).unwrap_err();
    assert_eq!(
        errs[0].to_string(),
        "c.md:10: error: item id `geen-id` is not a dossier id (regio/slug)"
    );
    let ok = collection("c.md", &split(&col.replace("  - id: geen-id\n", "")).unwrap(), &v).unwrap();
    assert_eq!(ok.items[0].notitie.as_deref(), Some("Begin hier."));
    assert_eq!(ok.items[0].line, 8);
    let old = collection("c.md", &split(&col.replace("geen-id", "oost-brabant/b")).unwrap(), &v).unwrap();
    assert_eq!(
        old.items[1].id, "zeeland-brabant/b",
        "a former region slug reads as the current one"
    );
}
