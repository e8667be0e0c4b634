//! Search quality, measured: nDCG@10 and recall@10 over the graded queries
//! in `tests/relevance/queries.toml`, precision@3 of similar initiatives over
//! `similar.toml`, for this engine and for a plain baseline (tantivy's
//! default tokenizer, no stemming, no expansion), side by side.
//!
//! Run `cargo test -p tegenkracht-tests --test relevance -- --nocapture` to see the table.

use indexer::index::SearchIndex;
use indexer::search::SearchRequest;
use indexer::similar::SimilarOptions;
use indexer::{Audience, Catalog, Library, Location, SourceSpec};
use std::collections::BTreeMap;
use tegenkracht_tests::workspace;

#[derive(serde::Deserialize)]
struct Queries {
    query: Vec<Query>,
}

#[derive(serde::Deserialize)]
struct Query {
    q: String,
    kind: String,
    #[serde(default)]
    judgments: BTreeMap<String, u32>,
}

#[derive(serde::Deserialize)]
struct Similars {
    similar: Vec<Similar>,
}

#[derive(serde::Deserialize)]
struct Similar {
    id: String,
    similar: Vec<String>,
}

fn library() -> Library {
    let spec = SourceSpec {
        name: "content".into(),
        location: Location::Dir(workspace().join("content")),
        regions: vec!["*".into()],
        edit_url: None,
    };
    let cat = Catalog::load(&[spec]);
    assert_eq!(cat.diagnostics().filter(|d| d.is_error()).count(), 0);
    Library::new(&cat, Audience::Public)
}

fn dcg(grades: &[u32]) -> f64 {
    grades
        .iter()
        .enumerate()
        .map(|(i, g)| (2f64.powi(*g as i32) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

struct Scores {
    ndcg: f64,
    recall: f64,
}

fn evaluate(index: &SearchIndex, lib: &Library, q: &Query) -> Scores {
    let req = SearchRequest {
        q: q.q.clone(),
        per_page: 10,
        ..Default::default()
    };
    let res = index.search(lib, &req).expect("search");
    let got: Vec<&str> = res.hits.iter().map(|h| lib.dossiers[h.ord].id.as_str()).collect();
    let grades: Vec<u32> = got.iter().map(|id| q.judgments.get(*id).copied().unwrap_or(0)).collect();
    let mut ideal: Vec<u32> = q.judgments.values().copied().collect();
    ideal.sort_by(|a, b| b.cmp(a));
    ideal.truncate(10);
    let ndcg = if ideal.is_empty() { 1.0 } else { dcg(&grades) / dcg(&ideal) };
    let relevant = q.judgments.values().filter(|g| **g > 0).count();
    let found = got.iter().filter(|id| q.judgments.get(**id).is_some_and(|g| *g > 0)).count();
    let recall = if relevant == 0 {
        1.0
    } else {
        found as f64 / relevant.min(10) as f64
    };
    Scores {
        ndcg,
        recall: recall.min(1.0),
    }
}

fn precision_at_3(index: &SearchIndex, lib: &Library, s: &Similar) -> f64 {
    let ord = lib.ordinal(&s.id).unwrap_or_else(|| panic!("unknown id {}", s.id));
    let found = index
        .similar(lib, ord, SimilarOptions { k: 3, zelfde_regio: false })
        .expect("similar");
    let hits = found.iter().filter(|f| s.similar.contains(&lib.dossiers[f.ord].id)).count();
    hits as f64 / s.similar.len().min(3) as f64
}

#[test]
fn dutch_search_beats_the_plain_baseline() {
    let lib = library();
    let engine = SearchIndex::build_in_ram(&lib).unwrap();
    let plain_analyzer = indexer::tantivy::tokenizer::TextAnalyzer::builder(indexer::tantivy::tokenizer::SimpleTokenizer::default())
        .filter(indexer::tantivy::tokenizer::RemoveLongFilter::limit(40))
        .filter(indexer::tantivy::tokenizer::LowerCaser)
        .build();
    let baseline = SearchIndex::build_in_ram_with(&lib, plain_analyzer, true).unwrap();
    let queries: Queries = toml::from_str(&std::fs::read_to_string(workspace().join("tests/relevance/queries.toml")).unwrap()).unwrap();
    let similars: Similars = toml::from_str(&std::fs::read_to_string(workspace().join("tests/relevance/similar.toml")).unwrap()).unwrap();
    assert!(queries.query.len() >= 40 && similars.similar.len() >= 15);

    let mut by_kind: BTreeMap<String, (usize, f64, f64, f64, f64)> = BTreeMap::new();
    let mut worst = Vec::new();
    for q in &queries.query {
        let e = evaluate(&engine, &lib, q);
        let b = evaluate(&baseline, &lib, q);
        let k = by_kind.entry(q.kind.clone()).or_default();
        k.0 += 1;
        k.1 += e.ndcg;
        k.2 += b.ndcg;
        k.3 += e.recall;
        k.4 += b.recall;
        worst.push((e.ndcg, q.q.clone()));
    }
    let n = queries.query.len() as f64;
    let (mut e_ndcg, mut b_ndcg, mut e_rec, mut b_rec) = (0.0, 0.0, 0.0, 0.0);
    println!(
        "\n{:<14} {:>3}  {:>12} {:>12}  {:>12} {:>12}",
        "kind", "n", "nDCG@10", "baseline", "recall@10", "baseline"
    );
    for (kind, (c, en, bn, er, br)) in &by_kind {
        let c2 = *c as f64;
        println!(
            "{kind:<14} {c:>3}  {:>12.3} {:>12.3}  {:>12.3} {:>12.3}",
            en / c2,
            bn / c2,
            er / c2,
            br / c2
        );
        e_ndcg += en;
        b_ndcg += bn;
        e_rec += er;
        b_rec += br;
    }
    println!(
        "{:<14} {:>3}  {:>12.3} {:>12.3}  {:>12.3} {:>12.3}",
        "all",
        queries.query.len(),
        e_ndcg / n,
        b_ndcg / n,
        e_rec / n,
        b_rec / n
    );
    let p3: f64 = similars.similar.iter().map(|s| precision_at_3(&engine, &lib, s)).sum::<f64>() / similars.similar.len() as f64;
    let p3_base: f64 = similars.similar.iter().map(|s| precision_at_3(&baseline, &lib, s)).sum::<f64>() / similars.similar.len() as f64;
    println!("similar initiatives precision@3: {p3:.3} (baseline index: {p3_base:.3})");
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("weakest queries: {:?}", &worst[..8.min(worst.len())]);

    let ndcg = e_ndcg / n;
    assert!(ndcg >= 0.85, "nDCG@10 {ndcg:.3} is below the 0.85 target");
    assert!(
        ndcg - b_ndcg / n >= 0.15,
        "nDCG@10 {ndcg:.3} is not 0.15 above the baseline {:.3}",
        b_ndcg / n
    );
    assert!(p3 >= 0.8, "similar-initiative precision@3 {p3:.3} is below 0.8");
}
