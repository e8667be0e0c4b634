//! Crash safety: the real binary is killed with SIGKILL at random moments
//! (during fetch, parsing, indexing, committing), many times, while the
//! source keeps changing. Every start must open the indexes it finds (no
//! "unreadable" rebuilds) and the last start must serve the last commit.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tegenkracht_tests::{TestRepo, binary, fixture, free_port};

/// A small deterministic PRNG (xorshift), so failures can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn write_round(r: &TestRepo, round: usize, docs: usize) {
    for i in 0..docs {
        // Every round changes a third of the documents and adds one word per round.
        let version = if i % 3 == round % 3 { round } else { 0 };
        r.write(
            &format!("dossiers/limburg/d{i}.md"),
            &fixture::dossier(
                &format!("Dossier {i}"),
                "limburg",
                "vastgoed",
                "openbaar",
                "",
                &format!(
                    "Panden en witwassen in Maastricht, versie{version}, nummer{i}. {}",
                    "Tekst over vastgoed en huisjesmelkers. ".repeat(20)
                ),
            ),
        );
    }
    r.write(
        "dossiers/limburg/laatste.md",
        &fixture::dossier(
            "Laatste ronde",
            "limburg",
            "vastgoed",
            "openbaar",
            "",
            &format!("rondewoord{round}"),
        ),
    );
}

#[test]
fn killing_the_server_at_random_moments_never_corrupts_the_index() {
    let repo = TestRepo::new();
    repo.write("vocabulaire.yaml", fixture::VOCAB)
        .write("themas/vastgoed.md", &fixture::playbook("Vastgoed"));
    write_round(&repo, 0, 150);
    repo.commit("round 0");
    let data = tempfile::tempdir().unwrap();
    let cfg = data.path().join("tk.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = \"{}\"\npoll_interval = \"1h\"\n[[source]]\nname = \"centraal\"\nurl = \"{}\"\nbranch = \"main\"\nregions = [\"*\"]\n",
            data.path().join("data").display(),
            repo.path().display()
        ),
    )
    .unwrap();
    let seed = std::env::var("TK_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_u64);
    let mut rng = Rng(seed);
    let rounds = 30;
    let mut last = 0;
    let mut interrupted = 0;
    for round in 1..=rounds {
        if rng.next().is_multiple_of(2) {
            write_round(&repo, round, 150);
            repo.commit(&format!("round {round}"));
            last = round;
        }
        let log = data.path().join(format!("run-{round}.log"));
        let mut child = Command::new(binary())
            .args([
                "serve",
                "--config",
                &cfg.to_string_lossy(),
                "--listen",
                &format!("127.0.0.1:{}", free_port()),
            ])
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        // A third of the kills come early (while the first load is surely still
        // running, however fast the machine), the rest anywhere in 0.7 s.
        let delay = Duration::from_millis(if rng.next().is_multiple_of(3) {
            rng.next() % 80
        } else {
            rng.next() % 700
        });
        let start = Instant::now();
        while start.elapsed() < delay {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        // SIGKILL: no cleanup, no graceful shutdown.
        let _ = child.kill();
        let _ = child.wait();
        let text = std::fs::read_to_string(&log).unwrap();
        if !text.contains("content updated") {
            interrupted += 1;
        }
        assert!(
            !text.contains("unreadable"),
            "seed {seed}, round {round}: an index could not be opened:\n{text}"
        );
        assert!(!text.contains("panicked"), "seed {seed}, round {round}: panic:\n{text}");
    }
    assert!(
        interrupted >= 5,
        "seed {seed}: only {interrupted} runs were killed before their update finished"
    );
    // A last, uninterrupted start converges to the last commit.
    let port = free_port();
    let log = data.path().join("final.log");
    let mut child = Command::new(binary())
        .args([
            "serve",
            "--config",
            &cfg.to_string_lossy(),
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut found = serde_json::Value::Null;
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::blocking::get(format!("{base}/api/v1/search?q=rondewoord{last}"))
            && r.status() == 200
        {
            found = r.json().unwrap();
            if found["total"] == 1 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let all: serde_json::Value = reqwest::blocking::get(format!("{base}/api/v1/search?per_pagina=100"))
        .unwrap()
        .json()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        found["total"], 1,
        "seed {seed}: the last commit (round {last}) is served: {found}\n{text}"
    );
    assert_eq!(all["total"], 151, "no document lost or duplicated");
    assert!(!text.contains("unreadable"), "{text}");
}
