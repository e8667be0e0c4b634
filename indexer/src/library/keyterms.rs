//! Characteristic words per dossier (tf-idf over one audience's dossiers),
//! used to explain similarity with "gedeelde termen" a reader can check.

use std::collections::HashMap;

/// Words too common in Dutch (or in this field) to explain anything.
/// Sorted (searched by bisection; a unit test keeps it sorted).
const STOP: &[&str] = &[
    "aan",
    "aanpak",
    "al",
    "alle",
    "alles",
    "als",
    "altijd",
    "ander",
    "andere",
    "anderen",
    "belangrijk",
    "belangrijke",
    "ben",
    "bij",
    "bijvoorbeeld",
    "binnen",
    "bleek",
    "blijkt",
    "buiten",
    "daar",
    "daarbij",
    "daardoor",
    "daarmee",
    "daarna",
    "daarnaast",
    "daarom",
    "daarvoor",
    "dan",
    "dat",
    "de",
    "deze",
    "die",
    "dit",
    "doch",
    "doen",
    "door",
    "doordat",
    "dossier",
    "drie",
    "dus",
    "echter",
    "een",
    "eens",
    "eerste",
    "eigen",
    "elkaar",
    "en",
    "enkele",
    "er",
    "gaan",
    "gaat",
    "geen",
    "gemeente",
    "gemeenten",
    "genoeg",
    "geweest",
    "ging",
    "gingen",
    "goed",
    "goede",
    "groot",
    "grote",
    "haar",
    "had",
    "hadden",
    "heb",
    "hebben",
    "heeft",
    "helemaal",
    "hem",
    "het",
    "hier",
    "hierbij",
    "hierdoor",
    "hiervoor",
    "hij",
    "hoe",
    "hun",
    "iedereen",
    "iemand",
    "iets",
    "ik",
    "in",
    "is",
    "ja",
    "jaar",
    "jaren",
    "je",
    "kan",
    "komen",
    "komt",
    "kon",
    "konden",
    "kregen",
    "krijgen",
    "kunnen",
    "kwam",
    "laten",
    "lessen",
    "lijkt",
    "maakt",
    "maar",
    "maken",
    "me",
    "meer",
    "meest",
    "meeste",
    "men",
    "met",
    "mij",
    "mijn",
    "minder",
    "moest",
    "moesten",
    "moet",
    "moeten",
    "mogelijk",
    "na",
    "naar",
    "nadat",
    "namelijk",
    "niemand",
    "niet",
    "niets",
    "nieuwe",
    "nog",
    "nu",
    "of",
    "om",
    "omdat",
    "onder",
    "ondermijnende",
    "ondermijning",
    "onderzoek",
    "onderzoekers",
    "ongeveer",
    "ons",
    "ook",
    "op",
    "opnieuw",
    "over",
    "partner",
    "partners",
    "praktijk",
    "project",
    "projecten",
    "projectleider",
    "projectleiders",
    "rapport",
    "reeds",
    "regio",
    "regios",
    "respondent",
    "respondenten",
    "resultaten",
    "richting",
    "riec",
    "rondom",
    "samenwerken",
    "samenwerking",
    "sinds",
    "staat",
    "steeds",
    "sterk",
    "stond",
    "te",
    "tegen",
    "telkens",
    "terwijl",
    "tijdens",
    "toch",
    "toen",
    "tot",
    "totdat",
    "tussen",
    "twee",
    "tweede",
    "uit",
    "uw",
    "vaak",
    "van",
    "vanuit",
    "veel",
    "verder",
    "verschillende",
    "voor",
    "vooral",
    "voordat",
    "waar",
    "waarbij",
    "waardoor",
    "waarin",
    "waarmee",
    "waarvoor",
    "wanneer",
    "want",
    "waren",
    "was",
    "wat",
    "weinig",
    "welke",
    "werd",
    "werden",
    "wezen",
    "wie",
    "wil",
    "wilden",
    "worden",
    "wordt",
    "zal",
    "zeker",
    "zelf",
    "zelfs",
    "zich",
    "zij",
    "zijn",
    "zo",
    "zoals",
    "zodat",
    "zonder",
    "zou",
    "zouden",
    "zowel",
];

/// How many terms are kept per dossier.
const KEEP: usize = 25;

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(|w| w.trim_matches('-').to_lowercase())
        .filter(|w| w.chars().count() >= 5 && w.chars().all(|c| c.is_alphabetic() || c == '-') && STOP.binary_search(&w.as_str()).is_err())
}

/// The word statistics of a text: candidate terms with counts, and distinct surface words.
pub fn doc_words(text: &str) -> crate::model::DocWords {
    let mut tf: HashMap<String, u32> = HashMap::new();
    for w in words(text) {
        *tf.entry(w).or_insert(0) += 1;
    }
    let mut terms: Vec<(String, u32)> = tf.into_iter().collect();
    terms.sort();
    let mut surface: Vec<String> = crate::text::words(text)
        .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    surface.sort();
    surface.dedup();
    crate::model::DocWords::new(&terms, &surface)
}

/// In how many of `dossiers` each candidate term occurs (the document
/// frequencies), counted the plain way: the reference the tests hold a
/// library's own counts (`library::count_words`, `Library::update`) against.
#[cfg(test)]
fn document_frequencies(dossiers: &[std::sync::Arc<crate::model::Dossier>]) -> HashMap<String, u32> {
    let mut df: HashMap<String, u32> = HashMap::new();
    for d in dossiers {
        for (w, _) in d.words.read().terms() {
            match df.get_mut(w) {
                Some(n) => *n += 1,
                None => {
                    df.insert(w.to_string(), 1);
                }
            }
        }
    }
    df
}

/// The characteristic words of one dossier with term counts `tf`, among `n`
/// dossiers with document frequencies `df`, strongest first.
pub fn of(tf: &crate::model::DocWords, df: &HashMap<String, u32>, n: usize) -> Vec<(String, f32)> {
    let n = n as f32;
    let tf = tf.read();
    let mut terms: Vec<(&str, f32)> = tf
        .terms()
        .filter_map(|(w, c)| {
            let d = *df.get(w).unwrap_or(&1) as f32;
            // A word in only one dossier cannot be shared; one in most explains nothing.
            (d >= 2.0 && d <= (n / 2.0).max(2.0)).then(|| (w, (1.0 + (c as f32).ln()) * (n / d).ln().max(0.01)))
        })
        .collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    terms.truncate(KEEP);
    terms.into_iter().map(|(w, s)| (w.to_string(), s)).collect()
}

/// Computes the characteristic words of each dossier, strongest first (all at
/// once, for tests; a library computes them one dossier at a time, on first use).
#[cfg(test)]
pub(crate) fn compute(dossiers: &[std::sync::Arc<crate::model::Dossier>]) -> Vec<Vec<(String, f32)>> {
    let df = document_frequencies(dossiers);
    dossiers.iter().map(|d| of(&d.words, &df, dossiers.len())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stop_list_is_sorted_and_stop_words_are_no_terms() {
        assert!(STOP.windows(2).all(|w| w[0] < w[1]), "STOP must stay sorted and unique");
        let words = doc_words("Omdat de gemeente vastgoed onderzocht, onderzocht ze ook andere panden.").read();
        let terms: Vec<(&str, u32)> = words.terms().collect();
        assert_eq!(
            terms,
            [("onderzocht", 2), ("panden", 1), ("vastgoed", 1)],
            "`omdat`, `gemeente` and `andere` are stop words"
        );
        assert!(words.surface().any(|w| w == "omdat"), "surface words keep stop words");
    }
}
