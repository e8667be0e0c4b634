//! Access partitions: every dossier belongs to exactly one, named after its
//! own front matter (`openbaar`, `netwerk`, `regio-{regio}`), and is analysed
//! and indexed once, in that partition's index. Which partitions an audience
//! searches is decided by `Audience::may_see`, the same rule that decides which
//! documents it sees, so a partition is visible exactly when its documents are.

use crate::access::Audience;
use crate::model::{Dossier, Toegang};

/// The key of the public partition.
pub const PUBLIC: &str = "openbaar";

/// The partition of a dossier.
pub fn key_of(d: &Dossier) -> String {
    match d.meta.toegang {
        Toegang::Openbaar => PUBLIC.into(),
        Toegang::Netwerk => "netwerk".into(),
        Toegang::Regio => format!("regio-{}", d.meta.regio),
    }
}

/// The access level of a partition's documents: (toegang, region).
fn access_of(key: &str) -> Option<(Toegang, Option<&str>)> {
    match key {
        "openbaar" => Some((Toegang::Openbaar, None)),
        "netwerk" => Some((Toegang::Netwerk, None)),
        _ => key.strip_prefix("regio-").map(|r| (Toegang::Regio, Some(r))),
    }
}

/// Whether `audience` may see the documents of partition `key`.
pub fn visible_to(key: &str, audience: &Audience) -> bool {
    access_of(key).is_some_and(|(toegang, regio)| audience.may_see(toegang, regio))
}

/// The audience that sees exactly a partition's level: the thema names in its
/// texts are those this audience sees, so no reader of the partition learns a
/// name they could not see.
pub fn own_audience(key: &str) -> Audience {
    match access_of(key) {
        Some((Toegang::Openbaar, _)) | None => Audience::Public,
        Some((Toegang::Netwerk, _)) => Audience::Network,
        Some((Toegang::Regio, r)) => Audience::Regions(vec![r.unwrap_or_default().to_string()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_audience_sees_the_partitions_of_the_documents_it_sees() {
        let keys = ["openbaar", "netwerk", "regio-limburg", "regio-rotterdam"];
        let sees = |a: &Audience| keys.iter().filter(|k| visible_to(k, a)).copied().collect::<Vec<_>>();
        assert_eq!(sees(&Audience::Public), ["openbaar"]);
        assert_eq!(sees(&Audience::Network), ["openbaar", "netwerk"]);
        assert_eq!(
            sees(&Audience::Regions(vec!["limburg".into()])),
            ["openbaar", "netwerk", "regio-limburg"]
        );
        assert_eq!(sees(&Audience::Liec), keys);
        assert!(!visible_to("iets-anders", &Audience::Liec), "an unknown folder is no partition");
        assert_eq!(own_audience("regio-limburg"), Audience::Regions(vec!["limburg".into()]));
    }
}
