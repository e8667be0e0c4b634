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
}
