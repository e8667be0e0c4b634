//! The collector that gathers every matching dossier (or page) as its
//! library ordinal with its score.

use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Collects every matching dossier ordinal with its score.
pub(crate) struct AllMatches {
    ordinals: Arc<Vec<Vec<u32>>>,
}

impl AllMatches {
    pub(crate) fn new(ordinals: &Arc<Vec<Vec<u32>>>) -> Self {
        AllMatches {
            ordinals: Arc::clone(ordinals),
        }
    }
}

pub(crate) struct SegmentMatches {
    ordinals: Arc<Vec<Vec<u32>>>,
    segment: usize,
    out: Vec<(u32, Score)>,
}

impl Collector for AllMatches {
    type Fruit = Vec<(u32, Score)>;
    type Child = SegmentMatches;

    fn for_segment(&self, seg: SegmentOrdinal, _reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(SegmentMatches {
            ordinals: Arc::clone(&self.ordinals),
            segment: seg as usize,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, Score)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(u32, Score)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let ord = self
            .ordinals
            .get(self.segment)
            .and_then(|m| m.get(doc as usize))
            .copied()
            .unwrap_or(u32::MAX);
        if ord != u32::MAX {
            self.out.push((ord, score));
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.out
    }
}
