//! Small text helpers shared by the analyzer's neighbours: folding Dutch
//! diacritics and splitting text into surface words.

/// Lowercases and folds the accented letters of Dutch (and neighbours) to ASCII.
pub fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).map(fold_char).collect()
}

/// Folds one lowercase letter (see `fold`).
pub fn fold_char(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        c => c,
    }
}

/// True for a Dutch function word (`de`, `een`, `hoe`, `om`, …): Snowball's
/// Dutch stop list as tantivy ships it. `word` is folded (see `fold`).
pub fn is_function_word(word: &str) -> bool {
    use tantivy::tokenizer::{Language, RawTokenizer, StopWordFilter, TextAnalyzer};
    thread_local! {
        static FILTER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
            TextAnalyzer::builder(RawTokenizer::default())
                .filter(StopWordFilter::new(Language::Dutch).expect("tantivy ships a Dutch stop list"))
                .build(),
        );
    }
    FILTER.with(|f| {
        let mut f = f.borrow_mut();
        let mut stream = f.token_stream(word);
        !stream.advance()
    })
}

/// The all-capital words of a text (`OM`, `RIEC`, `FIOD`: two or more letters,
/// every one a capital), lowercased: what the index keeps of the written
/// acronyms, so an abbreviation that is also a word (`OM`, `om`) can match the
/// acronym without the word.
pub fn acronyms(text: &str) -> String {
    let mut out = String::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.chars().count() >= 2 && w.chars().all(char::is_uppercase) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(w.chars().flat_map(char::to_lowercase));
        }
    }
    out
}

/// The words of a text, folded: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_dutch_diacritics() {
        assert_eq!(fold("Coöperatie café België"), "cooperatie cafe belgie");
        assert_eq!(
            words("drugs-criminaliteit, één").collect::<Vec<_>>(),
            ["drugs", "criminaliteit", "een"]
        );
    }

    #[test]
    fn knows_dutch_function_words_and_written_acronyms() {
        for w in ["de", "een", "hoe", "om", "het", "van"] {
            assert!(is_function_word(w), "{w}");
        }
        for w in ["vakantiepark", "bibob", "horeca", "ovj"] {
            assert!(!is_function_word(w), "{w}");
        }
        assert_eq!(acronyms("Het OM en de RIEC's, om te zien; FIOD-team, B. en Ab"), "om riec fiod");
    }
}
