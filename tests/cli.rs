//! The `medgraph` command line.

use std::process::Command;

fn medgraph(args: &[&str], data_dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_medgraph"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args(args)
        .env_remove("DATABASE_URL")
        .env("MEDGRAPH_LOG__FILTER", "warn")
        .output()
        .unwrap()
}

#[test]
fn schema_and_openapi_print_the_documents() {
    let dir = tempfile::tempdir().unwrap();
    let out = medgraph(&["schema"], dir.path());
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        medgraph::graphql::sdl()
    );
    let out = medgraph(&["openapi"], dir.path());
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["paths"]["/city"]["get"].is_object());
}

#[test]
fn migrate_seed_and_token_on_the_embedded_database() {
    let dir = tempfile::tempdir().unwrap();
    assert!(medgraph(&["migrate", "up"], dir.path()).status.success());
    assert!(
        dir.path().join("medgraph.db").exists(),
        "SQLite file in the data dir"
    );
    let status = medgraph(&["migrate", "status"], dir.path());
    let text = String::from_utf8(status.stdout).unwrap();
    assert_eq!(
        text.lines().count(),
        <migration::Migrator as migration::MigratorTrait>::migrations().len(),
        "{text}"
    );
    assert!(text.lines().all(|l| l.starts_with("Applied")), "{text}");

    let seeded = medgraph(&["seed", "--demo"], dir.path());
    assert!(
        String::from_utf8(seeded.stdout)
            .unwrap()
            .contains("demo-patient")
    );
    let again = medgraph(&["seed", "--demo"], dir.path());
    assert!(
        String::from_utf8(again.stdout)
            .unwrap()
            .contains("not loaded")
    );

    let token = medgraph(&["token", "issue", "demo-patient"], dir.path());
    assert!(token.status.success());
    assert_eq!(String::from_utf8(token.stdout).unwrap().trim().len(), 43);
    let missing = medgraph(&["token", "issue", "nobody"], dir.path());
    assert!(!missing.status.success());

    let steps = <migration::Migrator as migration::MigratorTrait>::migrations()
        .len()
        .to_string();
    let down = medgraph(&["migrate", "down", "--steps", &steps], dir.path());
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    let status = medgraph(&["migrate", "status"], dir.path());
    assert!(
        String::from_utf8(status.stdout)
            .unwrap()
            .lines()
            .all(|l| l.starts_with("Pending"))
    );
}

#[test]
fn production_refuses_to_start_without_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = medgraph(
        &["serve", "--production", "--listen", "127.0.0.1:0"],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("DATABASE_URL")
    );
}

#[test]
fn documents_load_reads_a_manifest_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("persisted-documents.json");
    std::fs::write(
        &manifest,
        r#"{"a1": "query A { __typename }", "b2": "query B { regions(first: 1) { totalCount } }"}"#,
    )
    .unwrap();
    let out = medgraph(
        &["documents", "load", manifest.to_str().unwrap()],
        dir.path(),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("2 trusted documents loaded"), "{text}");
    std::fs::write(&manifest, r#"{"c3": "{ noSuchField }"}"#).unwrap();
    let out = medgraph(
        &["documents", "load", "--replace", manifest.to_str().unwrap()],
        dir.path(),
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("c3"));
}
