//! The content model's types: dossiers, playbooks, collections, their
//! front matter and the rendered documents built from them.

pub mod frontmatter;
pub mod markdown;
pub mod schema;
pub mod vocab;
pub mod words;
pub mod yaml;

use crate::blob::Blob;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Who may see a document (content model, section 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Toegang {
    Openbaar,
    Netwerk,
    Regio,
}

impl Toegang {
    pub fn as_str(self) -> &'static str {
        match self {
            Toegang::Openbaar => "openbaar",
            Toegang::Netwerk => "netwerk",
            Toegang::Regio => "regio",
        }
    }
}

/// The two kinds of dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DossierType {
    Leerdossier,
    Praktijk,
}

impl DossierType {
    pub fn as_str(self) -> &'static str {
        match self {
            DossierType::Leerdossier => "leerdossier",
            DossierType::Praktijk => "praktijk",
        }
    }
}

/// A dossier's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Idee,
    Pilot,
    Lopend,
    Afgerond,
    Gestopt,
}

impl Status {
    pub const ALL: [(&'static str, Status); 5] = [
        ("idee", Status::Idee),
        ("pilot", Status::Pilot),
        ("lopend", Status::Lopend),
        ("afgerond", Status::Afgerond),
        ("gestopt", Status::Gestopt),
    ];

    pub fn as_str(self) -> &'static str {
        Status::ALL.iter().find(|(_, s)| *s == self).map(|(n, _)| *n).unwrap_or("")
    }
}

/// A playbook's phase in the regional plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fase {
    Doe,
    Ontwikkel,
    Beide,
}

/// A date written as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    /// Today's date (UTC).
    pub fn today() -> PartialDate {
        let now = time::OffsetDateTime::now_utc();
        PartialDate {
            year: now.year() as u16,
            month: Some(u8::from(now.month())),
            day: Some(now.day()),
        }
    }

    /// Parses the three allowed forms, checking that the date exists.
    pub fn parse(s: &str) -> Option<PartialDate> {
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
        };
        let year = num(parts.first()?, 4)?;
        let month = match parts.get(1) {
            Some(m) => Some(num(m, 2).filter(|m| (1..=12).contains(m))? as u8),
            None => None,
        };
        let day = match parts.get(2) {
            Some(d) => {
                let d = num(d, 2)? as u8;
                let month = time::Month::try_from(month?).ok()?;
                time::Date::from_calendar_date(i32::from(year), month, d).ok()?;
                Some(d)
            }
            None => None,
        };
        if parts.len() > 3 {
            return None;
        }
        Some(PartialDate { year, month, day })
    }

    /// True when the date has a day (`YYYY-MM-DD`).
    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }

    /// Days since 0000-01-01-ish, for sorting and comparing; missing parts count as the start.
    pub fn sort_key(&self) -> u32 {
        u32::from(self.year) * 400 + u32::from(self.month.unwrap_or(1)) * 32 + u32::from(self.day.unwrap_or(1))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PartialDate::parse(&s).ok_or_else(|| serde::de::Error::custom("not a date"))
    }
}

/// One lesson learned, tagged with one of the six challenges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Les {
    pub uitdaging: String,
    pub les: String,
}

/// A contact block, shown only to signed-in readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub organisatie: String,
    pub functie: String,
    pub email: String,
}

/// A source a text draws on (`bronnen`): a published document, with the page
/// or section where it says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bron {
    pub titel: String,
    pub uitgever: String,
    pub jaar: u16,
    pub pagina: Option<String>,
    pub url: Option<String>,
}

/// The front matter of a dossier (`dossiers/**/*.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DossierMeta {
    pub titel: String,
    #[serde(rename = "type")]
    pub kind: DossierType,
    pub regio: String,
    pub themas: Vec<String>,
    pub toegang: Toegang,
    pub partners: Vec<String>,
    pub instrumenten: Vec<String>,
    pub status: Option<Status>,
    pub start: Option<PartialDate>,
    pub eind: Option<PartialDate>,
    pub gerelateerd: Vec<String>,
    pub contact: Option<Contact>,
    pub herzien_voor: Option<PartialDate>,
    pub bijgewerkt: Option<PartialDate>,
    /// The rest of the front matter, out of memory once the per-file cache
    /// holds it; the per-file cache saves it beside the fields above.
    #[serde(skip)]
    pub details: Details,
}

impl DossierMeta {
    /// The front matter that is kept out of memory, read back.
    pub fn details(&self) -> DossierDetails {
        self.details.read()
    }
}

/// The part of a dossier's front matter that only the dossier's own page,
/// its card, its feed entry and its indexing read. Facets, sorting, links and
/// access need none of it, so it is kept in a [`Details`] (out of memory)
/// rather than in every dossier's [`DossierMeta`]: at 100,000 dossiers these
/// fields were about 150 MiB of the serving memory.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DossierDetails {
    pub samenvatting: String,
    pub gemeenten: Vec<String>,
    pub trefwoorden: Vec<String>,
    pub lessen: Vec<Les>,
    /// The sources the dossier draws on (an extension, see docs/extensions.md).
    pub bronnen: Vec<Bron>,
}

/// [`DossierDetails`] encoded (postcard) in a [`Blob`], with a digest of the
/// encoding, so that whether they changed is known without reading them, and
/// the number of lessons, which the ranking prior needs for every dossier.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Details {
    blob: Blob,
    digest: u64,
    lessons: u32,
}

impl Details {
    pub fn new(details: &DossierDetails) -> Self {
        let bytes = postcard::to_stdvec(details).expect("details encode");
        Details {
            digest: digest64(&bytes),
            blob: Blob::new(bytes),
            lessons: details.lessen.len() as u32,
        }
    }

    /// From bytes as `new` encoded them, their digest and the number of
    /// lessons (the per-file cache).
    pub(crate) fn from_blob(blob: Blob, digest: u64, lessons: u32) -> Self {
        Details { blob, digest, lessons }
    }

    /// How many lessons the dossier lists.
    pub fn lessons(&self) -> u32 {
        self.lessons
    }

    pub(crate) fn blob(&self) -> &Blob {
        &self.blob
    }

    /// The digest of the encoded details (see the type).
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// The details. Only `new` makes the bytes, and the per-file cache checks
    /// a CRC before it points a blob into its file, so a failure here is an
    /// I/O error (logged by the blob); it yields empty details, not a panic.
    pub fn read(&self) -> DossierDetails {
        self.blob.with(|b| postcard::from_bytes(b).ok()).unwrap_or_default()
    }

    /// The details, or `None` when they cannot be read back (the index must
    /// not take that for empty details).
    pub fn try_read(&self) -> Option<DossierDetails> {
        self.blob.try_with(|b| postcard::from_bytes(b).ok()).ok().flatten()
    }
}

/// Saved as the encoded bytes, the digest and the number of lessons (read
/// back by the per-file cache).
impl Serialize for Details {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (&self.blob, self.digest, self.lessons).serialize(s)
    }
}

/// The first 8 bytes of the SHA-256 of `bytes`.
fn digest64(bytes: &[u8]) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// The front matter of a thema playbook (`themas/{slug}.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaybookMeta {
    pub titel: String,
    pub samenvatting: String,
    pub toegang: Toegang,
    pub fase: Option<Fase>,
    pub synoniemen: Vec<String>,
    /// Who wrote the playbook (an extension, see docs/extensions.md).
    pub redactie: Option<String>,
    pub bronnen: Vec<Bron>,
}

/// One item of a collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectionItem {
    pub id: String,
    pub notitie: Option<String>,
    #[serde(skip)]
    pub line: usize,
}

/// The front matter of a collection (`collecties/{slug}.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectionMeta {
    pub titel: String,
    pub samenvatting: String,
    pub toegang: Toegang,
    pub curator: String,
    /// Who wrote the collection's texts (an extension, see docs/extensions.md).
    pub redactie: Option<String>,
    pub bronnen: Vec<Bron>,
    pub items: Vec<CollectionItem>,
}

/// The front matter of a site page (`paginas/{slug}.md`, an extension): Over,
/// Contact, Privacyverklaring and the like. Pages are public.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageMeta {
    pub titel: String,
    pub samenvatting: String,
    pub redactie: Option<String>,
    pub bronnen: Vec<Bron>,
}

/// Public contact data of a region's centre (`regios/{slug}.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionContact {
    pub email: Option<String>,
    pub telefoon: Option<String>,
    pub adres: Option<String>,
}

/// The front matter of a region's description (`regios/{slug}.md`, an
/// extension); its name comes from the vocabulary. Region pages are public.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionMeta {
    pub samenvatting: String,
    /// Provinces and areas the region covers (searchable).
    pub werkgebied: Vec<String>,
    /// Municipalities in the region (searchable).
    pub gemeenten: Vec<String>,
    pub website: Option<String>,
    pub contact: Option<RegionContact>,
    pub redactie: Option<String>,
    pub bronnen: Vec<Bron>,
}

/// One heading of a document's outline, for its table of contents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// A markdown body rendered for the site and the index.
///
/// The HTML and the plain text are kept compressed ([`Packed`]): they are read
/// for one page, a handful of snippets or one indexing at a time, and held for
/// every dossier of every load, so they cost about a third of their size.
#[derive(Debug, Clone, PartialEq, Serialize, Default, Deserialize)]
pub struct Rendered {
    /// Sanitised HTML.
    html: Packed,
    /// Plain text for the index and snippets.
    text: Packed,
    /// Level-2 and level-3 headings, encoded (postcard): read for one page
    /// or one indexing at a time.
    toc: Blob,
    /// A digest of the plain text and the outline (the first 8 bytes of a
    /// SHA-256), so that whether a dossier's indexed text changed is known
    /// without reading them.
    digest: u64,
}

impl Rendered {
    pub fn new(html: &str, text: &str, toc: Vec<Heading>) -> Self {
        let toc = postcard::to_stdvec(&toc).expect("headings encode");
        Rendered {
            html: Packed::new(html),
            text: Packed::new(text),
            digest: digest64(&[text.as_bytes(), b"\0", &toc].concat()),
            toc: Blob::new(toc),
        }
    }

    /// From the compressed HTML and text and the encoded outline as `new`
    /// made them, and the text's digest (the per-file cache).
    pub(crate) fn from_blobs(html: Blob, text: Blob, toc: Blob, digest: u64) -> Self {
        Rendered {
            html: Packed(html),
            text: Packed(text),
            toc,
            digest,
        }
    }

    /// The digest of the plain text and the outline (see the field).
    pub fn text_digest(&self) -> u64 {
        self.digest
    }

    /// The compressed HTML and text and the encoded outline, in the order of `from_blobs`.
    pub(crate) fn blobs(&self) -> [&Blob; 3] {
        [&self.html.0, &self.text.0, &self.toc]
    }

    /// The level-2 and level-3 headings, for a table of contents.
    pub fn toc(&self) -> Vec<Heading> {
        self.toc.with(|b| postcard::from_bytes(b).ok()).unwrap_or_default()
    }

    /// The headings, or `None` when they cannot be read back (the index must
    /// not take that for no headings).
    pub fn try_toc(&self) -> Option<Vec<Heading>> {
        self.toc.try_with(|b| postcard::from_bytes(b).ok()).ok().flatten()
    }

    /// The sanitised HTML.
    pub fn html(&self) -> String {
        self.html.unpack()
    }

    /// The plain text, for the index and snippets.
    pub fn text(&self) -> String {
        self.text.unpack()
    }

    /// The plain text, or `None` when it cannot be read back (the index must
    /// not take that for an empty text).
    pub fn try_text(&self) -> Option<String> {
        let bytes = self.text.0.try_with(<[u8]>::to_vec).ok()?;
        String::from_utf8(lz4_flex::decompress_size_prepended(&bytes).ok()?).ok()
    }
}

/// A text compressed with LZ4 (its length first), in memory or on disk
/// ([`Blob`]).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
struct Packed(Blob);

impl Packed {
    fn new(text: &str) -> Self {
        Packed(Blob::new(lz4_flex::compress_prepend_size(text.as_bytes())))
    }

    /// The text. Only `new` makes the bytes of a `Packed`, and the per-file
    /// cache checks a CRC before it points one into its file, so a failure
    /// here is a broken invariant or an I/O error; it yields an empty text
    /// rather than a panic.
    fn unpack(&self) -> String {
        self.0
            .with(|b| lz4_flex::decompress_size_prepended(b).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.unpack())
    }
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    pub source: String,
    pub commit: Option<String>,
    /// Path inside the repository (including the source's root folder).
    pub path: String,
}

/// A dossier ready to publish. Its front matter, rendering and word statistics
/// are shared (`Arc`) between loads for as long as its file is unchanged, so a
/// new load builds a `Dossier` for an unchanged file without copying its text.
#[derive(Debug, Clone)]
pub struct Dossier {
    pub id: String,
    pub slug: String,
    pub meta: Arc<DossierMeta>,
    pub body: Arc<Rendered>,
    pub bron: Provenance,
    /// `bijgewerkt`, or else the date of the last commit that touched the file.
    pub updated: Option<PartialDate>,
    /// Word statistics of the full text, computed once per file version and shared:
    /// the same `Arc` (pointer) means the same file version, which lets library
    /// statistics and the index sync skip unchanged dossiers.
    pub words: Arc<DocWords>,
    /// Set in a public library whose copy had its `contact` removed: the page
    /// says that a contact exists for signed-in readers, and nothing more.
    pub contact_na_inloggen: bool,
}

/// The words of a dossier's full text, for similarity reasons and "Bedoelde u":
/// candidate characteristic words (see `keyterms`) with their counts, and the
/// distinct folded words of three letters or more.
///
/// Both lists are packed into one [`Blob`] (in memory, then on disk): a
/// dossier holds some 500 distinct words, and one allocation per word cost
/// about 45 KB a dossier, two thirds of what a served corpus kept in memory.
/// Layout: the number of terms and the byte length of the terms (u32 LE
/// each), a count per term (u32 LE), the terms, then the surface words; each
/// word is followed by a newline (words never hold one), each list sorted.
/// The whole is LZ4-compressed (its length first), like the texts: the lists
/// were half of what the per-file cache (and a first build's spill) wrote
/// per dossier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DocWords(Blob);

impl DocWords {
    /// From candidate terms with their counts and surface words, each sorted
    /// and without duplicates.
    pub fn new(terms: &[(String, u32)], surface: &[String]) -> Self {
        debug_assert!(terms.windows(2).all(|w| w[0].0 < w[1].0) && surface.windows(2).all(|w| w[0] < w[1]));
        let terms_len: usize = terms.iter().map(|(t, _)| t.len() + 1).sum();
        let surface_len: usize = surface.iter().map(|w| w.len() + 1).sum();
        let mut out = Vec::with_capacity(8 + 4 * terms.len() + terms_len + surface_len);
        out.extend((terms.len() as u32).to_le_bytes());
        out.extend((terms_len as u32).to_le_bytes());
        for (_, n) in terms {
            out.extend(n.to_le_bytes());
        }
        for w in terms.iter().map(|(t, _)| t).chain(surface) {
            debug_assert!(!w.contains('\n'));
            out.extend(w.as_bytes());
            out.push(b'\n');
        }
        DocWords(Blob::new(lz4_flex::compress_prepend_size(&out)))
    }

    /// From bytes laid out as `new` lays them out (the per-file cache).
    pub(crate) fn from_blob(blob: Blob) -> Self {
        DocWords(blob)
    }

    pub(crate) fn blob(&self) -> &Blob {
        &self.0
    }

    /// The two lists, read once for as many uses as the caller needs.
    pub fn read(&self) -> WordLists {
        (self.0)
            .with(|b| lz4_flex::decompress_size_prepended(b).ok())
            .and_then(|b| WordLists::decode(&b))
            .unwrap_or_default()
    }
}

/// The word lists of one dossier, read from its [`DocWords`].
#[derive(Debug, Default)]
pub struct WordLists {
    counts: Vec<u32>,
    terms: String,
    surface: String,
}

impl WordLists {
    fn decode(b: &[u8]) -> Option<Self> {
        let u32_at = |i: usize| Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
        let (n, terms_len) = (u32_at(0)? as usize, u32_at(4)? as usize);
        let terms_at = 8usize.checked_add(n.checked_mul(4)?)?;
        let surface_at = terms_at.checked_add(terms_len)?;
        let counts = (0..n).map(|i| u32_at(8 + 4 * i)).collect::<Option<Vec<u32>>>()?;
        let terms = std::str::from_utf8(b.get(terms_at..surface_at)?).ok()?;
        let surface = std::str::from_utf8(b.get(surface_at..)?).ok()?;
        (terms.split_terminator('\n').count() == n).then(|| WordLists {
            counts,
            terms: terms.to_string(),
            surface: surface.to_string(),
        })
    }

    /// The candidate terms with their counts, sorted by term.
    pub fn terms(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.terms.split_terminator('\n').zip(self.counts.iter().copied())
    }

    /// The distinct surface words, sorted.
    pub fn surface(&self) -> impl Iterator<Item = &str> + '_ {
        self.surface.split_terminator('\n')
    }
}

impl Dossier {
    /// The date a dossier sorts by: its last change, else its end, else its start.
    pub fn date_key(&self) -> u32 {
        self.updated.or(self.meta.eind).or(self.meta.start).map_or(0, |p| p.sort_key())
    }
}

/// The text that describes a dossier: title, summary, keywords and body.
pub fn full_text(meta: &DossierMeta, body: &Rendered) -> String {
    let details = meta.details();
    format!(
        "{} {} {} {}",
        meta.titel,
        details.samenvatting,
        details.trefwoorden.join(" "),
        body.text()
    )
}

/// A playbook ready to publish.
#[derive(Debug, Clone, Serialize)]
pub struct Playbook {
    pub slug: String,
    pub meta: PlaybookMeta,
    pub body: Rendered,
    pub bron: Provenance,
}

/// A collection ready to publish; its items are resolved dossier ids.
#[derive(Debug, Clone, Serialize)]
pub struct Collection {
    pub slug: String,
    pub meta: CollectionMeta,
    pub body: Rendered,
    pub bron: Provenance,
}

/// A site page ready to publish.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub slug: String,
    pub meta: PageMeta,
    pub body: Rendered,
    pub bron: Provenance,
}

/// A region's description ready to publish; `slug` is a region of the vocabulary.
#[derive(Debug, Clone, Serialize)]
pub struct RegionPage {
    pub slug: String,
    pub meta: RegionMeta,
    pub body: Rendered,
    pub bron: Provenance,
}

/// True when `s` is a valid slug: `a-z`, `0-9`, `-`, 1 to 80 characters.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= 80 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// True when `s` looks like `{regio}/{slug}`.
pub fn is_dossier_id(s: &str) -> bool {
    matches!(s.split_once('/'), Some((r, slug)) if is_slug(r) && is_slug(slug))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn can_parse_partial_dates() {
        assert_eq!(PartialDate::parse("2019").unwrap().to_string(), "2019");
        assert_eq!(PartialDate::parse("2020-03").unwrap().to_string(), "2020-03");
        assert_eq!(PartialDate::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for bad in ["19", "2019-13", "2023-02-29", "2019-1", "2019-01-01-01", "abcd", ""] {
            assert!(PartialDate::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn can_tell_slugs() {
        assert!(is_slug("vastgoed-in-beeld-2"));
        assert!(!is_slug("Vastgoed"));
        assert!(!is_slug("a_b"));
        assert!(!is_slug(&"a".repeat(81)));
    }
}
