//! The last step of the Dutch analyzer: a stem never ends in a doubled
//! consonant (`rolmodellen` stems to `rolmodell`, `rolmodel` to `rolmodel`).

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Undoubles a final double consonant of a stem, as Dutch spelling does for
/// a word (`modell` → `model`, `bussen` → `bus`, `stoff` → `stof`).
///
/// Snowball's Dutch stemmer undoubles only `kk`, `dd` and `tt`, so the plural
/// of a word in `-el`, `-es`, `-of`, … stems apart from its singular. Dutch
/// spelling never ends a native word in a doubled letter; the few loanwords
/// that do (`stress`) fold with their neighbour, on both sides of the search.
#[derive(Clone, Copy, Debug, Default)]
pub struct Undouble;

impl TokenFilter for Undouble {
    type Tokenizer<T: Tokenizer> = UndoubleFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> UndoubleFilter<T> {
        UndoubleFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct UndoubleFilter<T>(T);

impl<T: Tokenizer> Tokenizer for UndoubleFilter<T> {
    type TokenStream<'a> = UndoubleStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        UndoubleStream(self.0.token_stream(text))
    }
}

pub struct UndoubleStream<T>(T);

impl<T: TokenStream> TokenStream for UndoubleStream<T> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        undouble(&mut self.0.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// Drops the last letter of a stem of four letters or more that ends in a
/// doubled consonant (short words such as `ss` or `mm` stay as they are).
pub fn undouble(stem: &mut String) {
    let b = stem.as_bytes();
    let n = b.len();
    if n >= 4 && b[n - 1] == b[n - 2] && b[n - 1].is_ascii_alphabetic() && !b"aeiouy".contains(&b[n - 1]) {
        stem.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn undoubled(s: &str) -> String {
        let mut s = s.to_string();
        undouble(&mut s);
        s
    }

    #[test]
    fn final_double_consonants_fold_and_nothing_else() {
        assert_eq!(undoubled("rolmodell"), "rolmodel");
        assert_eq!(undoubled("buss"), "bus");
        assert_eq!(undoubled("rolmodel"), "rolmodel");
        // Vowels, digits and short tokens stay.
        assert_eq!(undoubled("zee"), "zee");
        assert_eq!(undoubled("kaal"), "kaal");
        assert_eq!(undoubled("2000"), "2000");
        assert_eq!(undoubled("mm"), "mm");
    }
}
