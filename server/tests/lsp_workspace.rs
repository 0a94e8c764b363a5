//! Language-server tests: pull diagnostics, settings and `prodlint.toml`
//! reloads, workspace folders and facts, robustness (malformed messages, stale
//! results, size limit). The real binary over stdio; every wait is bounded.

mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn no_debounce() -> Value {
    json!({ "debounceMs": 0 })
}

const ANY: &str = "const a = f(x as any);\n";

fn publishes_for(msgs: &[Value], uri: &str) -> Vec<Value> {
    msgs.iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .map(|m| m["params"].clone())
        .collect()
}

// ---- robustness ---------------------------------------------------------------

#[test]
fn malformed_messages_get_errors_and_the_server_keeps_running() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let error_with = |s: &mut Server, id: Value, code: i64| {
        let m = s.wait_for(&format!("error {code} for id {id}"), |m| {
            m.get("method").is_none() && m["id"] == id && m["error"]["code"] == code
        });
        assert!(m["error"]["message"].is_string());
    };
    // Invalid JSON.
    let body = "{\"jsonrpc\": \"2.0\", \"id\": 5, \"method\": ";
    s.send_raw(format!("Content-Length: {}\r\n\r\n{}", body.len(), body).as_bytes());
    error_with(&mut s, Value::Null, -32700);
    // JSON that is not a JSON-RPC message.
    s.send_raw(b"Content-Length: 5\r\n\r\n[1,2]");
    error_with(&mut s, Value::Null, -32600);
    s.send(&json!({ "jsonrpc": "2.0", "id": 41, "method": 12 }));
    error_with(&mut s, json!(41), -32600);
    s.send(&json!({ "jsonrpc": "1.0", "id": 42, "method": "textDocument/codeAction" }));
    error_with(&mut s, json!(42), -32600);
    // A header block without Content-Length.
    s.send_raw(b"X-Whatever: 1\r\n\r\n");
    error_with(&mut s, Value::Null, -32700);
    // Bad params for a known request.
    let err = s
        .request("textDocument/codeAction", json!({ "textDocument": 3 }))
        .expect_err("bad params");
    assert_eq!(err["code"], -32602);
    // Unknown request; unknown notifications are ignored.
    let err = s
        .request("prodlint/nonsense", json!({}))
        .expect_err("unknown method");
    assert_eq!(err["code"], -32601);
    s.notify("$/nonsense", json!({}));
    s.notify("nonsense/notification", json!({}));
    // A notification with bad params is dropped.
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": 7 } }),
    );
    // A Content-Type header without charset (tower-lsp alone would stop here).
    let open = json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": "untitled:after.ts", "languageId": "typescript", "version": 1, "text": ANY } } })
    .to_string();
    s.send_raw(
        format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n{}",
            open.len(),
            open
        )
        .as_bytes(),
    );
    // Still alive: the document is linted.
    assert_eq!(
        codes(&s.diagnostics("untitled:after.ts", 1)),
        vec!["no-any-cast"]
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn stale_results_are_never_published() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:stale.ts";
    let text = |v: i64| -> String {
        (0..(v % 4))
            .map(|i| format!("const v{i} = f(x as any);\n"))
            .collect()
    };
    s.open(uri, "typescript", 1, &text(1));
    for v in 2..=40 {
        s.change_full(uri, v, &text(v));
    }
    s.diagnostics(uri, 40);
    let msgs = s.drain_for(Duration::from_millis(300));
    let mut all: Vec<Value> = s.seen.clone();
    all.extend(msgs);
    let pubs = publishes_for(&s.seen, uri);
    let mut last = 0;
    for p in &pubs {
        let v = p["version"].as_i64().expect("every publish has a version");
        assert!(v >= last, "version {v} published after {last}");
        last = v;
        let n = p["diagnostics"].as_array().unwrap().len() as i64;
        assert_eq!(n, v % 4, "diagnostics of version {v} are for its text");
    }
    assert_eq!(last, 40);
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn typing_is_debounced() {
    let mut s = Server::start(&[], caps_utf16(), json!({ "debounceMs": 600 }));
    let uri = "untitled:debounce.ts";
    // A long text: its lint after a full-text change (a full parse) takes a
    // while, so edits sent right behind that change arrive while it runs.
    let pad: String = (0..3000)
        .map(|i| format!("export const p{i} = f({i});\n"))
        .collect();
    let mut text = format!("{pad}{ANY}");
    s.open(uri, "typescript", 1, &text);
    assert_eq!(s.diagnostics(uri, 1).len(), 1);
    let published_after = |s: &Server, v: i64| -> Vec<i64> {
        publishes_for(&s.seen, uri)
            .iter()
            .map(|p| p["version"].as_i64().unwrap())
            .filter(|&x| x > v)
            .collect()
    };
    let append = |text: &mut String, v: i64| -> Value {
        let end = text.len();
        let m = Server::change_message(uri, v, range(text, end, end, false), ANY);
        text.push_str(ANY);
        m
    };

    // The document is idle: the full-text change v2 is linted at once. v3..v5
    // arrive while that runs and make one lint, of v5, the debounce after v5.
    let mut msgs = vec![Server::change_full_message(uri, 2, &text)];
    for v in 3..=5 {
        msgs.push(append(&mut text, v));
    }
    let sent = Instant::now();
    s.send_many(&msgs);
    assert_eq!(s.diagnostics(uri, 5).len(), 4);
    let took = sent.elapsed();
    assert!(
        took >= Duration::from_millis(600),
        "the lint of the burst's last edit waits for the debounce: {took:?}"
    );
    let versions = published_after(&s, 1);
    assert!(
        versions == [5] || versions == [2, 5],
        "only the edit that found the document idle and the last one are linted: {versions:?}"
    );

    // A change while that trailing lint waits moves it: the debounce counts
    // from the last change.
    let msgs = vec![
        Server::change_full_message(uri, 6, &text),
        append(&mut text, 7),
    ];
    s.send_many(&msgs);
    std::thread::sleep(Duration::from_millis(300));
    let m = append(&mut text, 8);
    let sent = Instant::now();
    s.send(&m);
    assert_eq!(s.diagnostics(uri, 8).len(), 6);
    let took = sent.elapsed();
    assert!(
        took >= Duration::from_millis(600),
        "the wait restarted at the last change: {took:?}"
    );
    let versions = published_after(&s, 5);
    assert!(
        versions == [8] || versions == [6, 8],
        "v7 was never linted on its own: {versions:?}"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn documents_over_the_size_limit_are_skipped_with_one_message() {
    let mut s = Server::start(
        &[],
        caps_utf16(),
        json!({ "debounceMs": 0, "maxFileSize": 2000 }),
    );
    let uri = "untitled:big.ts";
    let big = ANY.repeat(200);
    s.open(uri, "typescript", 1, &big);
    let p = s.any_diagnostics(uri);
    assert_eq!(p["diagnostics"], json!([]));
    s.change_full(uri, 2, &(big.clone() + "// more\n"));
    // Shrink below the limit: linted again.
    s.change_full(uri, 3, ANY);
    assert_eq!(s.diagnostics(uri, 3).len(), 1);
    let shown: Vec<&Value> = s
        .seen
        .iter()
        .filter(|m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"].as_str().unwrap().contains("big.ts")
        })
        .collect();
    assert_eq!(
        shown.len(),
        1,
        "one message for the large document: {shown:?}"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn non_file_documents_use_the_language_id() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    s.open(
        "untitled:Untitled-1",
        "typescriptreact",
        1,
        "const v = <div>{x as any}</div>;\n",
    );
    assert_eq!(
        codes(&s.diagnostics("untitled:Untitled-1", 1)),
        vec!["no-any-cast"]
    );
    // Languages prodlint does not lint are ignored.
    s.open("untitled:notes", "markdown", 1, "x as any\n");
    s.open(
        "untitled:after",
        "javascript",
        1,
        "// prodlint-ignore no-any-cast: reason\nconst a = 1;\n",
    );
    assert_eq!(
        codes(&s.diagnostics("untitled:after", 1)),
        vec!["unused-suppression"]
    );
    assert!(publishes_for(&s.seen, "untitled:notes").is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn unused_suppression_has_a_removal_quick_fix_and_no_disable_action() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:unused.ts";
    let text = "const a = 1;\n// prodlint-ignore no-any-cast: legacy\nconst b = 2;\n";
    s.open(uri, "typescript", 1, text);
    let diags = s.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["unused-suppression"]);
    assert_eq!(diags[0]["tags"], json!([1]));
    let r = s
        .request("textDocument/codeAction", json!({
            "textDocument": { "uri": uri }, "range": diags[0]["range"], "context": { "diagnostics": diags }
        }))
        .unwrap();
    let actions = r.as_array().unwrap();
    assert!(actions
        .iter()
        .all(|a| !a["title"].as_str().unwrap().starts_with("Disable")));
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("removal fix");
    let (edits, _) = edits_for(&fix["edit"], uri);
    assert_eq!(
        apply_edits(text, &edits, false),
        "const a = 1;\nconst b = 2;\n"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- pull diagnostics ----------------------------------------------------------

fn pull(s: &mut Server, uri: &str, previous: Option<&str>) -> Value {
    let mut params = json!({ "textDocument": { "uri": uri } });
    if let Some(p) = previous {
        params["previousResultId"] = json!(p);
    }
    s.request("textDocument/diagnostic", params)
        .expect("pull succeeds")
}

#[test]
fn pull_diagnostics_for_pull_clients() {
    let mut s = Server::start(&[], caps_pull(), no_debounce());
    let provider = &s.init_result["capabilities"]["diagnosticProvider"];
    assert_eq!(provider["interFileDependencies"], true);
    let uri = "untitled:pull.ts";
    s.open(uri, "typescript", 1, ANY);
    let r = pull(&mut s, uri, None);
    assert_eq!(r["kind"], "full");
    assert_eq!(codes(r["items"].as_array().unwrap()), vec!["no-any-cast"]);
    assert_eq!(r["items"][0]["range"], range(ANY, 12, 20, false));
    let id = r["resultId"].as_str().unwrap().to_string();
    let r2 = pull(&mut s, uri, Some(&id));
    assert_eq!(r2["kind"], "unchanged");
    assert_eq!(r2["resultId"], id.as_str());
    // An edit: a full report again.
    s.change(uri, 2, range(ANY, 12, 12, false), "y as any, ");
    let r3 = pull(&mut s, uri, Some(&id));
    assert_eq!(r3["kind"], "full");
    assert_eq!(r3["items"].as_array().unwrap().len(), 2);
    // A settings change asks the client to pull again.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "prodlint": { "rules": { "no-any-cast": "off" } } } }),
    );
    s.wait_for("workspace/diagnostic/refresh", |m| {
        m["method"] == "workspace/diagnostic/refresh"
    });
    let r4 = pull(&mut s, uri, r3["resultId"].as_str());
    assert_eq!(r4["kind"], "full");
    assert_eq!(r4["items"], json!([]));
    // Nothing is pushed to a pull client.
    s.drain_for(Duration::from_millis(200));
    assert!(publishes_for(&s.seen, uri).is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn push_can_be_forced_for_pull_capable_clients() {
    let mut s = Server::start(
        &[],
        caps_pull(),
        json!({ "debounceMs": 0, "diagnosticMode": "push" }),
    );
    assert!(s.init_result["capabilities"]["diagnosticProvider"].is_null());
    s.open("untitled:p.ts", "typescript", 1, ANY);
    assert_eq!(s.diagnostics("untitled:p.ts", 1).len(), 1);
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- settings ---------------------------------------------------------------------

#[test]
fn settings_changes_relint_open_documents() {
    let mut s = Server::start(
        &[],
        caps_utf16(),
        json!({ "debounceMs": 0, "rules": { "no-any-cast": "info" } }),
    );
    let uri = "untitled:settings.ts";
    s.open(uri, "typescript", 1, ANY);
    let d = s.diagnostics(uri, 1);
    assert_eq!(d[0]["severity"], 3, "initializationOptions rules apply");
    let set = |s: &mut Server, v: Value| {
        s.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": { "prodlint": v } }),
        )
    };
    set(&mut s, json!({ "rules": { "no-any-cast": "error" } }));
    wait_diags(&mut s, uri, "error severity", |d| {
        d.len() == 1 && d[0]["severity"] == 1
    });
    set(&mut s, json!({ "rules": { "no-any-cast": "off" } }));
    wait_diags(&mut s, uri, "rule off", |d| d.is_empty());
    set(&mut s, json!({}));
    wait_diags(&mut s, uri, "defaults again", |d| {
        d.len() == 1 && d[0]["severity"] == 2
    });
    // enable: false clears and stops linting.
    set(&mut s, json!({ "enable": false }));
    wait_diags(&mut s, uri, "cleared", |d| d.is_empty());
    s.change_full(uri, 2, &ANY.repeat(2));
    let msgs = s.drain_for(Duration::from_millis(300));
    assert!(
        publishes_for(&msgs, uri).is_empty(),
        "nothing while disabled: {msgs:?}"
    );
    let r = s
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri },
            "range": range(ANY, 0, 0, false), "context": { "diagnostics": [] } }),
        )
        .unwrap();
    assert!(r.is_null() || r == json!([]));
    // run: onSave lints on save only.
    set(&mut s, json!({ "enable": true, "run": "onSave" }));
    assert_eq!(s.diagnostics(uri, 2).len(), 2);
    s.change_full(uri, 3, &ANY.repeat(3));
    let msgs = s.drain_for(Duration::from_millis(300));
    assert!(
        publishes_for(&msgs, uri).is_empty(),
        "no lint on type with run=onSave"
    );
    s.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(s.diagnostics(uri, 3).len(), 3);
    // A change notification without settings: the server asks for them.
    s.configuration = json!({ "run": "onType", "rules": { "no-any-cast": "off" } });
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    s.wait_for("workspace/configuration request", |m| {
        m["method"] == "workspace/configuration"
    });
    wait_diags(&mut s, uri, "settings from workspace/configuration", |d| {
        d.is_empty()
    });
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- workspace: prodlint.toml, folders, facts ------------------------------------------

#[test]
fn prodlint_toml_changes_reload_the_configuration() {
    let dir = temp_dir();
    let root = dir.path();
    let toml = write(
        root,
        "prodlint.toml",
        "root = true\n[rules]\nno-any-cast = \"error\"\n",
    );
    let file = write(root, "src/a.ts", ANY);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    // Watchers are registered dynamically.
    let reg = s.wait_for("registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let globs = reg["params"]["registrations"].to_string();
    // One glob for every extension of the language table, then file names.
    for g in [
        "**/*.{ts,mts,cts,tsx,js,jsx,mjs,cjs,sql}",
        "**/.env",
        "**/.env.*",
        "**/prodlint.toml",
        "**/supabase",
    ] {
        assert!(globs.contains(g), "{g} in {globs}");
    }
    let uri = file_uri(&file);
    s.open(&uri, "typescript", 1, ANY);
    wait_diags(&mut s, &uri, "error from prodlint.toml", |d| {
        d.len() == 1 && d[0]["severity"] == 1
    });
    let changed = |s: &mut Server| {
        s.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [ { "uri": file_uri(&toml), "type": 2 } ] }),
        )
    };
    std::fs::write(&toml, "root = true\n[rules]\nno-any-cast = \"off\"\n").unwrap();
    changed(&mut s);
    wait_diags(&mut s, &uri, "rule turned off", |d| d.is_empty());
    // An invalid file: one error message naming the key; nothing linted.
    std::fs::write(&toml, "root = true\n[rules]\nno-any-kast = \"warn\"\n").unwrap();
    changed(&mut s);
    let shown = s.wait_for("config error message", |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap()
                .contains("no-any-kast")
    });
    assert_eq!(shown["params"]["type"], 1);
    std::fs::write(&toml, "root = true\n[rules]\nno-any-cast = \"info\"\n").unwrap();
    changed(&mut s);
    wait_diags(&mut s, &uri, "info from the fixed file", |d| {
        d.len() == 1 && d[0]["severity"] == 3
    });
    // Saving prodlint.toml in the editor also reloads (clients without watchers).
    std::fs::write(&toml, "root = true\n[rules]\nno-any-cast = \"error\"\n").unwrap();
    s.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": file_uri(&toml) } }),
    );
    wait_diags(&mut s, &uri, "error after save", |d| {
        d.len() == 1 && d[0]["severity"] == 1
    });
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn each_workspace_folder_has_its_own_configuration() {
    let dir = temp_dir();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    write(
        &a,
        "prodlint.toml",
        "root = true\n[rules]\nno-any-cast = \"error\"\n",
    );
    write(
        &b,
        "prodlint.toml",
        "root = true\n[rules]\nno-any-cast = \"info\"\n[files]\nexclude = [\"gen/**\"]\n",
    );
    let fa = write(&a, "x.ts", ANY);
    let fb = write(&b, "x.ts", ANY);
    let fg = write(&b, "gen/x.ts", ANY);
    let mut s = Server::start(&[&a, &b], caps_utf16(), no_debounce());
    s.open(&file_uri(&fa), "typescript", 1, ANY);
    s.open(&file_uri(&fb), "typescript", 1, ANY);
    s.open(&file_uri(&fg), "typescript", 1, ANY);
    wait_diags(&mut s, &file_uri(&fa), "folder a: error", |d| {
        d.len() == 1 && d[0]["severity"] == 1
    });
    wait_diags(&mut s, &file_uri(&fb), "folder b: info", |d| {
        d.len() == 1 && d[0]["severity"] == 3
    });
    wait_diags(&mut s, &file_uri(&fg), "excluded file: nothing", |d| {
        d.is_empty()
    });
    // A folder added later gets its configuration too.
    let c = dir.path().join("c");
    write(
        &c,
        "prodlint.toml",
        "root = true\n[rules]\nno-any-cast = \"off\"\n",
    );
    let fc = write(&c, "x.ts", ANY);
    s.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": {
        "added": [ { "uri": file_uri(&c), "name": "c" } ], "removed": [] } }),
    );
    s.open(&file_uri(&fc), "typescript", 1, ANY);
    wait_diags(&mut s, &file_uri(&fc), "folder c: off", |d| d.is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn indexing_reports_work_done_progress() {
    let dir = temp_dir();
    let root = dir.path();
    for i in 0..30 {
        write(
            root,
            &format!("db/{i:03}.sql"),
            "create table t (id int);\n",
        );
        write(root, &format!("src/f{i}.ts"), ANY);
    }
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let create = s.wait_for("workDoneProgress/create", |m| {
        m["method"] == "window/workDoneProgress/create"
    });
    let token = create["params"]["token"].clone();
    let t = token.clone();
    s.wait_for("progress begin", move |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == t
            && m["params"]["value"]["kind"] == "begin"
    });
    let t = token.clone();
    let end = s.wait_for("progress end", move |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == t
            && m["params"]["value"]["kind"] == "end"
    });
    assert!(
        end["params"]["value"]["message"]
            .as_str()
            .unwrap()
            .contains("60 files"),
        "{end}"
    );
    assert!(
        s.logs()
            .iter()
            .any(|l| l.contains("60 with workspace facts (SQL, scripts)")),
        "{:?}",
        s.logs()
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

fn rule_exists(id: &str) -> bool {
    let out = std::process::Command::new(binary())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    list.as_array().unwrap().iter().any(|r| r["id"] == id)
}

/// A finding settled by another SQL file on disk that is not open: the table is
/// created in one migration and gets RLS in another.
#[test]
fn sql_findings_see_unopened_migrations_on_disk() {
    if !rule_exists("rls-disabled") {
        eprintln!("SKIPPED: this build has no rls-disabled rule yet");
        return;
    }
    let dir = temp_dir();
    let root = dir.path();
    let create_text = "create table public.profiles (id uuid primary key, email text);\n";
    let create = write(
        root,
        "supabase/migrations/20240101000000_init.sql",
        create_text,
    );
    let rls = write(
        root,
        "supabase/migrations/20240102000000_rls.sql",
        "alter table public.profiles enable row level security;\n",
    );
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&create);
    s.open(&uri, "sql", 1, create_text);
    let first = s.diagnostics(&uri, 1);
    assert!(
        !codes(&first).contains(&"rls-disabled".to_string()),
        "settled by the other file: {first:?}"
    );
    // The other migration is deleted on disk: the finding appears.
    std::fs::remove_file(&rls).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&rls), "type": 3 } ] }),
    );
    let p = wait_diags(&mut s, &uri, "rls-disabled after delete", |d| {
        d.iter().any(|x| x["code"] == "rls-disabled")
    });
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == "rls-disabled")
        .unwrap()
        .clone();
    assert_eq!(d["severity"], 1);
    // Unsaved text of an open document counts too.
    let rls_uri = file_uri(&rls);
    s.open(
        &rls_uri,
        "sql",
        1,
        "alter table public.profiles enable row level security;\n",
    );
    wait_diags(&mut s, &uri, "settled by the unsaved document", |d| {
        !d.iter().any(|x| x["code"] == "rls-disabled")
    });
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": rls_uri } }),
    );
    wait_diags(&mut s, &uri, "back after closing it", |d| {
        d.iter().any(|x| x["code"] == "rls-disabled")
    });
    // The safe fix inserts ENABLE ROW LEVEL SECURITY; applied, the finding is gone.
    let at = offset(create_text, &d["range"]["start"], false);
    let actions = s
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri },
            "range": range(create_text, at, at, false), "context": { "diagnostics": [d] } }),
        )
        .unwrap();
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix" && !a["title"].as_str().unwrap().starts_with("Disable"))
        .expect("rls fix");
    let (edits, _) = edits_for(&fix["edit"], &uri);
    let fixed = apply_edits(create_text, &edits, false);
    assert!(
        fixed.to_lowercase().contains("enable row level security"),
        "{fixed}"
    );
    s.change_full(&uri, 2, &fixed);
    assert!(!codes(&s.diagnostics(&uri, 2)).contains(&"rls-disabled".to_string()));
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn workspace_diagnostics_cover_closed_files_on_disk() {
    let dir = temp_dir();
    let root = dir.path();
    let a = write(root, "src/a.ts", ANY);
    let b = write(root, "src/b.ts", "export const b = 1;\n");
    let open = write(root, "src/open.ts", ANY);
    let mut s = Server::start(
        &[root],
        caps_pull(),
        json!({ "workspaceDiagnostics": true }),
    );
    assert_eq!(
        s.init_result["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"],
        true
    );
    s.wait_for("indexing", |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap()
                .starts_with("indexed")
    });
    // The open document's unsaved text wins over the disk.
    s.open(&file_uri(&open), "typescript", 3, "export const o = 1;\n");
    let report = |s: &mut Server, previous: Value| -> Vec<Value> {
        let r = s
            .request(
                "workspace/diagnostic",
                json!({ "previousResultIds": previous }),
            )
            .unwrap();
        r["items"].as_array().unwrap().clone()
    };
    let items = report(&mut s, json!([]));
    let find = |items: &[Value], p: &std::path::Path| -> Value {
        items
            .iter()
            .find(|i| i["uri"] == file_uri(p))
            .cloned()
            .unwrap_or_else(|| panic!("{} in {items:?}", p.display()))
    };
    assert_eq!(find(&items, &a)["kind"], "full");
    assert_eq!(
        codes(find(&items, &a)["items"].as_array().unwrap()),
        vec!["no-any-cast"]
    );
    assert!(find(&items, &a)["version"].is_null());
    assert_eq!(find(&items, &b)["items"], json!([]));
    assert_eq!(find(&items, &open)["version"], 3);
    assert_eq!(find(&items, &open)["items"], json!([]));
    // With the previous result ids: unchanged, until a file changes on disk.
    let previous: Vec<Value> = items
        .iter()
        .map(|i| json!({ "uri": i["uri"], "value": i["resultId"] }))
        .collect();
    let again = report(&mut s, json!(previous));
    assert!(again.iter().all(|i| i["kind"] == "unchanged"), "{again:?}");
    std::fs::write(&b, ANY).unwrap();
    let third = report(&mut s, json!(previous));
    assert_eq!(find(&third, &b)["kind"], "full");
    assert_eq!(find(&third, &b)["items"].as_array().unwrap().len(), 1);
    assert_eq!(find(&third, &a)["kind"], "unchanged");
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// Clients that cannot register file watchers (e.g. Neovim on Linux): the
/// server polls prodlint.toml and the SQL files itself.
#[test]
fn without_client_watchers_the_server_polls_files() {
    let dir = temp_dir();
    let root = dir.path();
    let toml = write(
        root,
        "prodlint.toml",
        "root = true\n[rules]\nno-any-cast = \"error\"\n",
    );
    let file = write(root, "src/a.ts", ANY);
    let create_text = "create table public.profiles (id uuid primary key, email text);\n";
    let create = write(
        root,
        "supabase/migrations/20240101000000_init.sql",
        create_text,
    );
    let rls = write(
        root,
        "supabase/migrations/20240102000000_rls.sql",
        "alter table public.profiles enable row level security;\n",
    );
    let mut caps = caps_utf16();
    caps["workspace"]["didChangeWatchedFiles"]["dynamicRegistration"] = json!(false);
    let mut s = Server::start(&[root], caps, no_debounce());
    let uri = file_uri(&file);
    s.open(&uri, "typescript", 1, ANY);
    wait_diags(&mut s, &uri, "error from prodlint.toml", |d| {
        d.len() == 1 && d[0]["severity"] == 1
    });
    let sql_uri = file_uri(&create);
    s.open(&sql_uri, "sql", 1, create_text);
    let first = s.diagnostics(&sql_uri, 1);
    assert!(
        !codes(&first).contains(&"rls-disabled".to_string()),
        "{first:?}"
    );
    // Let the poller record its baseline, then change the files.
    s.wait_for("polling baseline", |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"].as_str().unwrap().contains("polling")
    });
    std::fs::write(&toml, "root = true\n[rules]\nno-any-cast = \"off\"\n").unwrap();
    wait_diags(&mut s, &uri, "rule off after polling", |d| d.is_empty());
    std::fs::remove_file(&rls).unwrap();
    wait_diags(
        &mut s,
        &sql_uri,
        "rls-disabled after the migration is deleted",
        |d| d.iter().any(|x| x["code"] == "rls-disabled"),
    );
    let regs: Vec<&Value> = s
        .seen
        .iter()
        .filter(|m| m["method"] == "client/registerCapability")
        .collect();
    assert!(
        regs.iter()
            .all(|r| !r.to_string().contains("didChangeWatchedFiles")),
        "{regs:?}"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// A client that never answers the server's requests (registration, progress,
/// refresh) must not stall the server.
#[test]
fn a_client_that_never_answers_requests_does_not_stall_the_server() {
    let dir = temp_dir();
    let root = dir.path();
    let text = "create table public.profiles (id uuid primary key, email text);\n";
    let create = write(root, "supabase/migrations/20240101000000_init.sql", text);
    let mut s = Server::start(&[root], caps_pull(), no_debounce());
    s.answer_requests = false;
    let uri = file_uri(&create);
    s.open(&uri, "sql", 1, text);
    s.wait_for("indexing", |m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap()
                .starts_with("indexed")
    });
    let r = s
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )
        .unwrap();
    assert!(
        codes(r["items"].as_array().unwrap()).contains(&"rls-disabled".to_string()),
        "{r}"
    );
    // Settings changes send a refresh request nobody answers; pulls still work.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "prodlint": { "rules": { "rls-disabled": "off" } } } }),
    );
    s.wait_for("refresh", |m| m["method"] == "workspace/diagnostic/refresh");
    let r = s
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )
        .unwrap();
    assert!(
        !codes(r["items"].as_array().unwrap()).contains(&"rls-disabled".to_string()),
        "{r}"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}
