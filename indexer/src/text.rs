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

/// Escapes text for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The edit distance (insertions, deletions, substitutions of characters) of
/// `a` and `b` if it is at most `max`, else `None`: the same as
/// `edit_distance` there, but only the diagonal band of width `max` is
/// computed (values are capped at `max + 1`), and it stops once a whole row
/// exceeds `max`. `rows` are reused buffers.
pub fn edit_distance_within(a: &[char], b: &[char], max: usize, rows: &mut (Vec<usize>, Vec<usize>)) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let far = max + 1;
    let (prev, cur) = (&mut rows.0, &mut rows.1);
    prev.clear();
    prev.extend((0..=b.len()).map(|j| j.min(far)));
    for (i, ca) in a.iter().enumerate() {
        let i = i + 1;
        let (lo, hi) = (i.saturating_sub(max), (i + max).min(b.len()));
        cur.clear();
        cur.resize(b.len() + 1, far);
        if lo == 0 {
            cur[0] = i.min(far);
        }
        let mut best = cur[0];
        for j in lo.max(1)..=hi {
            let v = (prev[j - 1] + usize::from(*ca != b[j - 1]))
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(far);
            cur[j] = v;
            best = best.min(v);
        }
        if best > max {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
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

    #[test]
    fn banded_edit_distance_equals_the_full_one_up_to_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "vastgoed",
            "vastgoedfraude",
            "vastgoedfruade",
            "witwassen",
            "witwasen",
            "wtiwassen",
            "coöperatie",
            "cooperatie",
            "horeca",
            "horec",
            "hoerca",
            "xyz",
            "criminaliteit",
            "crimineliteit",
        ];
        let mut rows = (Vec::new(), Vec::new());
        for a in words {
            for b in words {
                let full = edit_distance(a, b);
                let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                for max in 0..4 {
                    let want = (full <= max).then_some(full);
                    assert_eq!(edit_distance_within(&ac, &bc, max, &mut rows), want, "{a} {b} {max}");
                }
            }
        }
    }
}
