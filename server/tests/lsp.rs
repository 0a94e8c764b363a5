//! Language-server tests: the real `prodlint lsp` binary over stdio, driven by
//! the JSON-RPC client in `lsp_client/`. Every wait is bounded.

mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn no_debounce() -> Value {
    json!({ "debounceMs": 0 })
}

// ---- lifecycle ------------------------------------------------------------

#[test]
fn shutdown_then_exit_gives_code_0() {
    let s = Server::start(&[], caps_utf16(), no_debounce());
    assert_eq!(s.init_result["serverInfo"]["name"], "prodlint");
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn exit_without_shutdown_gives_code_1() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit(), 1);
}

#[test]
fn end_of_input_without_shutdown_gives_code_1() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    s.close_stdin();
    assert_eq!(s.wait_exit(), 1);
}

#[test]
fn requests_after_shutdown_are_rejected_and_exit_still_works() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    s.request("shutdown", Value::Null).unwrap();
    let err = s
        .request("textDocument/codeAction", json!({}))
        .expect_err("no requests after shutdown");
    assert!(err["code"].is_i64());
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit(), 0);
}

// ---- position encodings ---------------------------------------------------

const ACCENTED: &str = "// café 😀 naïve — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\nconst é = \"😀😀\"; const x = y as any;\n";

fn expect_any_cast_range(s: &mut Server, text: &str, uri: &str) {
    let diags = s.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["no-any-cast"], "{diags:?}");
    let start = text.find("y as any").unwrap();
    let end = start + "y as any".len();
    assert_eq!(diags[0]["range"], range(text, start, end, s.utf8));
}

#[test]
fn utf16_client_gets_utf16_ranges() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], "utf-16");
    let uri = "untitled:utf16.ts";
    s.open(uri, "typescript", 1, ACCENTED);
    expect_any_cast_range(&mut s, ACCENTED, uri);
    // Independently: `y` is at UTF-16 column 28 on line 1 ("const é = \"😀😀\"; const x = ").
    let diags_line = &s
        .seen
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics")
        .unwrap()["params"]["diagnostics"][0]["range"];
    assert_eq!(diags_line["start"], json!({"line": 1, "character": 28}));
    assert_eq!(diags_line["end"], json!({"line": 1, "character": 36}));
    let d = &s
        .seen
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics")
        .unwrap()["params"]["diagnostics"][0];
    assert_eq!(d["source"], "prodlint");
    assert_eq!(d["severity"], 2);
    assert_eq!(
        d["codeDescription"]["href"],
        "https://prodlint.dev/rules/no-any-cast"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn utf8_client_gets_byte_ranges() {
    let mut s = Server::start(&[], caps_utf8(), no_debounce());
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], "utf-8");
    assert!(s.utf8);
    let uri = "untitled:utf8.ts";
    s.open(uri, "typescript", 1, ACCENTED);
    expect_any_cast_range(&mut s, ACCENTED, uri);
    let d = &s
        .seen
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics")
        .unwrap()["params"]["diagnostics"][0]["range"];
    // "const é = \"😀😀\"; const x = " is 33 bytes (é: 2, each emoji: 4).
    assert_eq!(d["start"], json!({"line": 1, "character": 33}));
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn a_client_listing_only_utf32_gets_utf16() {
    let mut caps = caps_utf16();
    caps["general"] = json!({ "positionEncodings": ["utf-32"] });
    let s = Server::start(&[], caps, no_debounce());
    assert_eq!(s.init_result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- incremental sync -------------------------------------------------------

/// Apply `change` (byte range + new text) to `text` as the client would, send
/// it as an incremental change, and return the new text.
fn edit(
    s: &mut Server,
    uri: &str,
    text: &str,
    version: i64,
    start: usize,
    end: usize,
    new: &str,
) -> String {
    let r = range(text, start, end, s.utf8);
    s.change(uri, version, r, new);
    format!("{}{}{}", &text[..start], new, &text[end..])
}

/// Every no-any-cast finding's range must be exactly the `as any` expressions
/// of `text` (computed independently of the server).
fn assert_ranges(s: &mut Server, uri: &str, version: i64, text: &str, needles: &[&str]) {
    let diags = s.diagnostics(uri, version);
    let mut want: Vec<Value> = Vec::new();
    for n in needles {
        let mut from = 0;
        while let Some(i) = text[from..].find(n) {
            let start = from + i;
            want.push(range(text, start, start + n.len(), s.utf8));
            from = start + n.len();
        }
    }
    let got: Vec<Value> = diags.iter().map(|d| d["range"].clone()).collect();
    assert_eq!(got, want, "version {version}, text:\n{text}");
}

fn incremental_edits(caps: Value) {
    let mut s = Server::start(&[], caps, no_debounce());
    let uri = "untitled:edits.ts";
    let mut text =
        "// 😀 émoji\r\nconst a = p as any;\r\n\r\nfunction f() {\r\n  return q as any;\r\n}\r\n"
            .to_string();
    s.open(uri, "typescript", 1, &text);
    assert_ranges(&mut s, uri, 1, &text, &["p as any", "q as any"]);
    // Multi-line insert (CRLF) before the first finding, with astral characters.
    let at = text.find("const a").unwrap();
    text = edit(
        &mut s,
        uri,
        &text,
        2,
        at,
        at,
        "const 𝔘 = \"😀\";\r\nconst b = r as any;\r\n// ü\r\n",
    );
    assert_ranges(&mut s, uri, 2, &text, &["r as any", "p as any", "q as any"]);
    // Multi-line delete spanning the end of one line into the middle of another.
    let start = text.find("\"😀\";").unwrap() + "\"😀\";".len();
    let end = text.find("// ü").unwrap() + "// ü".len();
    text = edit(&mut s, uri, &text, 3, start, end, "");
    assert_ranges(&mut s, uri, 3, &text, &["p as any", "q as any"]);
    // Replace inside a line after an emoji: `q as any` → `q as unknown`.
    let at = text.find("q as any").unwrap() + 5;
    text = edit(&mut s, uri, &text, 4, at, at + 3, "unknown");
    assert_ranges(&mut s, uri, 4, &text, &["p as any"]);
    // Several changes in one notification (applied in order).
    let a = text.find("p as any").unwrap();
    let r1 = range(&text, a, a + 1, s.utf8);
    let t1 = format!("{}pp{}", &text[..a], &text[a + 1..]);
    let b = t1.find("function").unwrap();
    let r2 = range(&t1, b, b, s.utf8);
    let t2 = format!("{}const z = w as any;\r\n{}", &t1[..b], &t1[b..]);
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 5 },
                "contentChanges": [ { "range": r1, "text": "pp" }, { "range": r2, "text": "const z = w as any;\r\n" } ] }),
    );
    text = t2;
    assert_ranges(&mut s, uri, 5, &text, &["pp as any", "w as any"]);
    // The incrementally edited document equals the same text opened fresh.
    let uri2 = "untitled:fresh.ts";
    s.open(uri2, "typescript", 1, &text);
    let fresh = s.diagnostics(uri2, 1);
    let fix_all = |s: &mut Server, u: &str| {
        let r = s.request("textDocument/codeAction", json!({
            "textDocument": { "uri": u },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [], "only": ["source.fixAll"] }
        })).unwrap();
        let (edits, _) = edits_for(&r[0]["edit"], u);
        edits
    };
    let edited_fix = apply_edits(&text, &fix_all(&mut s, uri), s.utf8);
    let fresh_fix = apply_edits(&text, &fix_all(&mut s, uri2), s.utf8);
    assert_eq!(edited_fix, fresh_fix);
    assert_eq!(fresh.len(), 2);
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn incremental_edits_utf16_crlf() {
    incremental_edits(caps_utf16());
}

#[test]
fn incremental_edits_utf8_crlf() {
    incremental_edits(caps_utf8());
}

#[test]
fn full_text_changes_replace_the_document() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:full.ts";
    s.open(uri, "typescript", 1, "const a = 1;\n");
    assert!(s.diagnostics(uri, 1).is_empty());
    let text = "const a = b as any;\n";
    s.change_full(uri, 2, text);
    assert_ranges(&mut s, uri, 2, text, &["b as any"]);
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- scheduling: leading edge, coalescing, trailing edge -------------------------

/// The no-any-cast ranges a correct lint of `text` reports: every `as any`
/// expression whose operand is one of `operands` (computed independently of
/// the server).
fn any_cast_ranges(text: &str, operands: &[&str], utf8: bool) -> Vec<Value> {
    let mut want = Vec::new();
    for o in operands {
        let needle = format!("{o} as any");
        let mut from = 0;
        while let Some(i) = text[from..].find(&needle) {
            let start = from + i;
            // `y as any` but not `y as anyThing`.
            let end = start + needle.len();
            if !text[end..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
                want.push((start, range(text, start, end, utf8)));
            }
            from = end;
        }
    }
    want.sort_by_key(|(start, _)| *start);
    want.into_iter().map(|(_, r)| r).collect()
}

fn ranges_of(diags: &[Value], code: &str) -> Vec<Value> {
    diags
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["range"].clone())
        .collect()
}

/// A change to a document with no lint running or waiting is linted at once
/// (leading edge), however long the debounce.
#[test]
fn an_edit_after_idle_is_linted_at_once_whatever_the_debounce() {
    let mut s = Server::start(&[], caps_utf16(), json!({ "debounceMs": 2000 }));
    let uri = "untitled:idle.ts";
    let mut text = "const a = 1;\nconst b = 2;\n".to_string();
    s.open(uri, "typescript", 1, &text);
    assert!(s.diagnostics(uri, 1).is_empty());
    let steps: [(&str, &str, &[&str]); 3] = [
        ("1", "x as any", &["x as any"]),
        ("2", "y as any", &["x as any", "y as any"]),
        ("x as any", "0", &["y as any"]),
    ];
    for (i, (old, new, want)) in steps.into_iter().enumerate() {
        let version = i as i64 + 2;
        let at = text.find(old).unwrap();
        let sent = Instant::now();
        text = edit(&mut s, uri, &text, version, at, at + old.len(), new);
        assert_ranges(&mut s, uri, version, &text, want);
        let took = sent.elapsed();
        assert!(
            took < Duration::from_millis(1000),
            "v{version}: diagnostics {took:?} after an edit to an idle document (debounce 2000 ms)"
        );
    }
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// Edits sent back to back (in one write) while a lint runs: they are
/// coalesced into one more lint of the newest text (after the debounce), no
/// publish of an older version follows a newer one, every publish is right for
/// the text of the version it names, and the final version's diagnostics are
/// right (an `as any` typed one character at a time, then moved by an edit
/// above it).
fn burst_of_edits(debounce_ms: u64) {
    let mut s = Server::start_verbose(&[], caps_utf16(), json!({ "debounceMs": debounce_ms }));
    let uri = format!("untitled:burst{debounce_ms}.ts");
    // Long enough that a lint takes a moment: the burst arrives while the
    // first edit's lint runs.
    let mut text: String = (0..400)
        .map(|i| format!("export const v{i} = f({i}, \"😀\");\n"))
        .collect();
    text.push_str("const last = y;\n");
    s.open(&uri, "typescript", 1, &text);
    assert!(s.diagnostics(&uri, 1).is_empty());
    let mut texts = vec![String::new(), text.clone()];
    let mut msgs = Vec::new();
    let mut at = text.find("= y;").unwrap() + "= y".len();
    for ch in " as any".chars() {
        let version = texts.len() as i64;
        let r = range(&text, at, at, s.utf8);
        msgs.push(Server::change_message(&uri, version, r, &ch.to_string()));
        text.insert(at, ch);
        at += ch.len_utf8();
        texts.push(text.clone());
    }
    // Two lines inserted above it, and a line replaced across a line break.
    let version = texts.len() as i64;
    let top = text.find("export const v200").unwrap();
    let r = range(&text, top, top, s.utf8);
    msgs.push(Server::change_message(
        &uri,
        version,
        r,
        "// 😀 new\n// line\n",
    ));
    text.insert_str(top, "// 😀 new\n// line\n");
    texts.push(text.clone());
    let version = texts.len() as i64;
    let from = text.find("f(300").unwrap();
    let to = text.find("export const v302").unwrap();
    let r = range(&text, from, to, s.utf8);
    msgs.push(Server::change_message(&uri, version, r, "z as any;\n"));
    text.replace_range(from..to, "z as any;\n");
    texts.push(text.clone());
    let last = version;
    let edits = msgs.len();

    let sent = Instant::now();
    s.send_many(&msgs);
    let diags = s.diagnostics(&uri, last);
    let took = sent.elapsed();
    assert_eq!(
        ranges_of(&diags, "no-any-cast"),
        any_cast_ranges(&text, &["y", "z"], s.utf8),
        "final version {last}"
    );
    assert_eq!(ranges_of(&diags, "no-any-cast").len(), 2);
    if debounce_ms > 0 {
        // The final version came in the burst: its lint waited for the debounce.
        assert!(
            took >= Duration::from_millis(debounce_ms),
            "v{last} published {took:?} after the burst (debounce {debounce_ms} ms)"
        );
    }
    // Anything late would show up now.
    s.drain_for(Duration::from_millis(300));
    let publishes: Vec<Value> = s
        .seen
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .map(|m| m["params"].clone())
        .collect();
    let mut newest = 0;
    for p in &publishes {
        let v = p["version"].as_i64().expect("results carry their version");
        assert!(v > newest, "v{v} published after v{newest}");
        newest = v;
        let d = p["diagnostics"].as_array().unwrap();
        assert_eq!(
            ranges_of(d, "no-any-cast"),
            any_cast_ranges(&texts[v as usize], &["y", "z"], s.utf8),
            "the diagnostics published for v{v} are for its text"
        );
    }
    assert_eq!(newest, last, "nothing after the final version");
    // Coalescing: the lints of the burst (from the verbose log) are of
    // increasing versions, the last one the final version, and fewer than the
    // edits. (Typically two: the first edit found the document idle, the rest
    // arrived while it was linted. A loaded machine can let a lint end before
    // the next edit of the write is read, which then is linted at once too.)
    let linted: Vec<i64> = s
        .logs()
        .iter()
        .filter_map(|l| l.strip_prefix(&format!("linted {uri} v")))
        .filter_map(|l| l.split(':').next()?.parse().ok())
        .filter(|&v| v > 1)
        .collect();
    assert_eq!(linted.last(), Some(&last), "{linted:?}");
    assert!(linted.windows(2).all(|w| w[0] < w[1]), "{linted:?}");
    assert!(
        linted.len() < edits,
        "{edits} edits in one write made {} lints: {linted:?}",
        linted.len()
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn a_burst_of_edits_is_coalesced_without_debounce() {
    burst_of_edits(0);
}

#[test]
fn a_burst_of_edits_is_coalesced_after_the_debounce() {
    burst_of_edits(300);
}

// ---- code actions -----------------------------------------------------------

fn code_actions(
    s: &mut Server,
    uri: &str,
    text: &str,
    start: usize,
    end: usize,
    diags: Value,
    only: Option<Value>,
) -> Vec<Value> {
    let mut context = json!({ "diagnostics": diags });
    if let Some(o) = only {
        context["only"] = o;
    }
    let r = s
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": range(text, start, end, s.utf8),
                "context": context
            }),
        )
        .expect("codeAction succeeds");
    r.as_array().cloned().unwrap_or_default()
}

#[test]
fn quick_fix_and_disable_comment_apply_cleanly() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:qf.ts";
    let text = "// 😀\r\nfunction f() {\r\n\tconst v = take(x as any);\r\n}\r\n";
    s.open(uri, "typescript", 1, text);
    let diags = s.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["no-any-cast"]);
    let at = text.find("x as any").unwrap();
    let actions = code_actions(&mut s, uri, text, at, at, json!(diags), None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Disable no-any-cast for this line"),
        "{titles:?}"
    );
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().contains("unknown"))
        .expect("a quick fix to `unknown`");
    assert_eq!(fix["diagnostics"][0]["code"], "no-any-cast");
    assert_eq!(fix["isPreferred"], true);
    let (edits, version) = edits_for(&fix["edit"], uri);
    assert_eq!(version, Some(1), "versioned edit");
    let fixed = apply_edits(text, &edits, false);
    assert_eq!(
        fixed,
        "// 😀\r\nfunction f() {\r\n\tconst v = take(x as unknown);\r\n}\r\n"
    );
    s.change_full(uri, 2, &fixed);
    assert!(s.diagnostics(uri, 2).is_empty());

    // Disable comment: own line above, same indentation, CRLF.
    let text2 = text;
    s.change_full(uri, 3, text2);
    let diags = s.diagnostics(uri, 3);
    let actions = code_actions(
        &mut s,
        uri,
        text2,
        at,
        at,
        json!(diags),
        Some(json!(["quickfix"])),
    );
    let disable = actions
        .iter()
        .find(|a| a["title"] == "Disable no-any-cast for this line")
        .unwrap();
    assert_eq!(disable["kind"], "quickfix");
    let (edits, version) = edits_for(&disable["edit"], uri);
    assert_eq!(version, Some(3));
    let disabled = apply_edits(text2, &edits, false);
    assert_eq!(
        disabled,
        "// 😀\r\nfunction f() {\r\n\t// prodlint-ignore no-any-cast: <reason>\r\n\tconst v = take(x as any);\r\n}\r\n"
    );
    s.change_full(uri, 4, &disabled);
    assert!(
        s.diagnostics(uri, 4).is_empty(),
        "the suppression silences the finding"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn disable_comment_uses_sql_and_dotenv_comment_syntax() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    // sql-syntax is the SQL finding that exists in every build.
    let uri = "untitled:q.sql";
    let text = "select 1;\n  selec oops from;\n";
    s.open(uri, "sql", 1, text);
    let diags = s.diagnostics(uri, 1);
    let d = diags
        .iter()
        .find(|d| d["code"] == "sql-syntax")
        .expect("sql-syntax finding");
    let at = offset(text, &d["range"]["start"], false);
    let actions = code_actions(
        &mut s,
        uri,
        text,
        at,
        at,
        json!([d]),
        Some(json!(["quickfix"])),
    );
    let disable = actions
        .iter()
        .find(|a| a["title"] == "Disable sql-syntax for this line")
        .expect("disable action");
    let (edits, _) = edits_for(&disable["edit"], uri);
    let line = offset(
        text,
        &json!({"line": d["range"]["start"]["line"], "character": 0}),
        false,
    );
    let indent: String = text[line..].chars().take_while(|c| *c == ' ').collect();
    assert_eq!(
        edits[0]["newText"],
        format!("{indent}-- prodlint-ignore sql-syntax: <reason>\n")
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn fix_all_applies_safe_fixes_only() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:all.ts";
    let text = "const a = f(x as any);\nconst b = (y as any).z;\nconst c = g(w as any);\n";
    s.open(uri, "typescript", 1, text);
    assert_eq!(s.diagnostics(uri, 1).len(), 3);
    for only in [
        json!(["source.fixAll"]),
        json!(["source.fixAll.prodlint"]),
        json!(["source"]),
    ] {
        let actions = code_actions(&mut s, uri, text, 0, 0, json!([]), Some(only.clone()));
        assert_eq!(actions.len(), 1, "{only}: {actions:?}");
        assert_eq!(actions[0]["kind"], "source.fixAll.prodlint");
        let (edits, version) = edits_for(&actions[0]["edit"], uri);
        assert_eq!(version, Some(1));
        let fixed = apply_edits(text, &edits, false);
        assert_eq!(
            fixed,
            "const a = f(x as unknown);\nconst b = (y as any).z;\nconst c = g(w as unknown);\n"
        );
    }
    // Not offered when only quick fixes are asked for.
    let actions = code_actions(
        &mut s,
        uri,
        text,
        0,
        0,
        json!([]),
        Some(json!(["quickfix"])),
    );
    assert!(actions.iter().all(|a| a["kind"] == "quickfix"));
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn clients_without_document_changes_get_plain_changes() {
    let mut caps = caps_utf16();
    caps["workspace"]["workspaceEdit"]["documentChanges"] = json!(false);
    let mut s = Server::start(&[], caps, no_debounce());
    let uri = "untitled:plain.ts";
    let text = "const a = f(x as any);\n";
    s.open(uri, "typescript", 1, text);
    s.diagnostics(uri, 1);
    let actions = code_actions(
        &mut s,
        uri,
        text,
        0,
        0,
        json!([]),
        Some(json!(["source.fixAll"])),
    );
    assert!(actions[0]["edit"]["documentChanges"].is_null());
    let edits = actions[0]["edit"]["changes"][uri].as_array().unwrap();
    assert_eq!(
        apply_edits(text, edits, false),
        "const a = f(x as unknown);\n"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn every_fix_of_a_finding_is_a_quick_fix() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:login.ts";
    let text = "app.post('/login', (req, res) => {\n  console.log('login', req.body);\n});\n";
    s.open(uri, "typescript", 1, text);
    let diags = s.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["log-request-data"]);
    assert_eq!(diags[0]["severity"], 1);
    let at = text.find("console").unwrap();
    let actions = code_actions(&mut s, uri, text, at, at, json!(diags), None);
    let fixes: Vec<&Value> = actions
        .iter()
        .filter(|a| a["kind"] == "quickfix" && !a["title"].as_str().unwrap().starts_with("Disable"))
        .collect();
    assert_eq!(fixes.len(), 2, "{actions:?}");
    // Both are unsafe: neither is preferred, and fix-all offers nothing.
    assert!(fixes.iter().all(|a| a["isPreferred"] == false));
    let results: Vec<String> = fixes
        .iter()
        .map(|a| apply_edits(text, &edits_for(&a["edit"], uri).0, false))
        .collect();
    assert!(
        results.iter().any(|t| !t.contains("console.log")),
        "{results:?}"
    );
    assert!(
        results
            .iter()
            .any(|t| t.contains("process.env.NODE_ENV !== 'production'")),
        "{results:?}"
    );
    let mut v = 1;
    for t in &results {
        v += 1;
        s.change_full(uri, v, t);
        assert!(s.diagnostics(uri, v).is_empty(), "after applying:\n{t}");
        v += 1;
        s.change_full(uri, v, text);
        assert_eq!(s.diagnostics(uri, v).len(), 1);
    }
    let all = code_actions(
        &mut s,
        uri,
        text,
        0,
        0,
        json!([]),
        Some(json!(["source.fixAll"])),
    );
    assert!(all.is_empty(), "unsafe fixes are not in fix-all: {all:?}");
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// The fixture of the editor contract: cors-wildcard (unsafe fix: a quick fix,
/// not in fix-all) and cache-without-cachelife (safe fix: in fix-all).
#[test]
fn contract_fixture_quick_fixes_and_fix_all() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:contract.ts";
    // cookie sessions (express-session) make the bare `cors()` a cors-wildcard finding
    let text = "import cors from 'cors';\nimport session from 'express-session';\nconst app = express();\napp.use(cors());\nexport async function getProducts() {\n  'use cache'\n  return fetch('https://api.example.com/products');\n}\n";
    s.open(uri, "typescript", 1, text);
    let diags = s.diagnostics(uri, 1);
    let mut found = codes(&diags);
    found.sort();
    assert_eq!(
        found,
        vec!["cache-without-cachelife", "cors-wildcard"],
        "{diags:?}"
    );
    let cors = diags.iter().find(|d| d["code"] == "cors-wildcard").unwrap();
    let at = text.find("cors()").unwrap();
    assert_eq!(cors["range"]["start"], pos(text, at, false));
    let actions = code_actions(&mut s, uri, text, at, at, json!([cors]), None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Disable cors-wildcard for this line"),
        "{titles:?}"
    );
    assert!(
        actions.iter().any(
            |a| a["kind"] == "quickfix" && !a["title"].as_str().unwrap().starts_with("Disable")
        ),
        "cors-wildcard's unsafe fix is offered as a quick fix: {titles:?}"
    );
    let all = code_actions(
        &mut s,
        uri,
        text,
        0,
        0,
        json!([]),
        Some(json!(["source.fixAll"])),
    );
    assert_eq!(all.len(), 1, "{all:?}");
    let (edits, _) = edits_for(&all[0]["edit"], uri);
    let fixed = apply_edits(text, &edits, false);
    assert!(
        fixed.contains("  'use cache'\n  cacheLife('hours')\n"),
        "{fixed}"
    );
    assert!(fixed.contains("from 'next/cache'"), "{fixed}");
    assert!(
        fixed.contains("app.use(cors());"),
        "the unsafe fix is not applied: {fixed}"
    );
    s.change_full(uri, 2, &fixed);
    assert_eq!(codes(&s.diagnostics(uri, 2)), vec!["cors-wildcard"]);
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn disabling_a_second_rule_extends_the_comment_above() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:two.ts";
    let text = "import cors from 'cors';\nimport cookieParser from 'cookie-parser';\nif (a) {\n  // prodlint-ignore no-any-cast: legacy payload\n  app.use(cors()); take(x as any);\n}\n";
    s.open(uri, "typescript", 1, text);
    let diags = s.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["cors-wildcard"]);
    let at = text.find("cors()").unwrap();
    let actions = code_actions(
        &mut s,
        uri,
        text,
        at,
        at,
        json!(diags),
        Some(json!(["quickfix"])),
    );
    let disable = actions
        .iter()
        .find(|a| a["title"] == "Disable cors-wildcard for this line")
        .unwrap();
    let fixed = apply_edits(text, &edits_for(&disable["edit"], uri).0, false);
    assert_eq!(
        fixed,
        "import cors from 'cors';\nimport cookieParser from 'cookie-parser';\nif (a) {\n  // prodlint-ignore no-any-cast, cors-wildcard: legacy payload\n  app.use(cors()); take(x as any);\n}\n"
    );
    s.change_full(uri, 2, &fixed);
    assert!(s.diagnostics(uri, 2).is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- lone CR line endings -----------------------------------------------------

/// LSP 3.17 counts `\r`, `\n` and `\r\n` as line ends. With lone CRs the
/// diagnostic, its quick fix, the disable comment and incremental edits must
/// all be on the client's lines (the client helpers count lines the same way).
#[test]
fn lone_cr_line_endings_agree_with_the_client() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:cr.ts";
    let text = "// a\r// b\rconst e = JSON.parse(raw) as any;\n";
    s.open(uri, "typescript", 1, text);
    let diags = s.diagnostics(uri, 1);
    assert_eq!(codes(&diags), vec!["no-any-cast"], "{diags:?}");
    assert_eq!(diags[0]["range"]["start"]["line"], 2, "{diags:?}");
    let start = text.find("JSON.parse(raw) as any").unwrap();
    assert_eq!(
        diags[0]["range"],
        range(text, start, start + "JSON.parse(raw) as any".len(), false)
    );
    // The quick fix edits line 2, not the comment on line 0.
    let at = text.find("as any").unwrap();
    let actions = code_actions(&mut s, uri, text, at, at, json!(diags), None);
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["title"].as_str().unwrap().contains("unknown"))
        .expect("a quick fix to `unknown`");
    let (edits, _) = edits_for(&fix["edit"], uri);
    assert_eq!(
        apply_edits(text, &edits, false),
        "// a\r// b\rconst e = JSON.parse(raw) as unknown;\n"
    );
    // "Disable for this line" goes on its own line above line 2 (with a lone CR),
    // and the suppression works across a lone CR.
    let disable = actions
        .iter()
        .find(|a| a["title"] == "Disable no-any-cast for this line")
        .expect("a disable action");
    let (edits, _) = edits_for(&disable["edit"], uri);
    let disabled = apply_edits(text, &edits, false);
    assert_eq!(
        disabled,
        "// a\r// b\r// prodlint-ignore no-any-cast: <reason>\rconst e = JSON.parse(raw) as any;\n"
    );
    s.change_full(uri, 2, &disabled);
    assert!(s.diagnostics(uri, 2).is_empty(), "the suppression applies");
    // Incremental edits after lone CRs keep the server's text the client's.
    s.change_full(uri, 3, text);
    assert_eq!(s.diagnostics(uri, 3).len(), 1);
    let mut cur = text.to_string();
    let at = cur.find("// b").unwrap();
    cur = edit(&mut s, uri, &cur, 4, at, at + 2, "const f = g as any;\r");
    assert_ranges(
        &mut s,
        uri,
        4,
        &cur,
        &["g as any", "JSON.parse(raw) as any"],
    );
    let at = cur.find("raw").unwrap();
    cur = edit(&mut s, uri, &cur, 5, at, at + 3, "input");
    assert_ranges(
        &mut s,
        uri,
        5,
        &cur,
        &["g as any", "JSON.parse(input) as any"],
    );
    // Fix-all against the server's text gives the client's text, fixed.
    let r = s
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": range(&cur, 0, 0, false),
                "context": { "diagnostics": [], "only": ["source.fixAll"] }
            }),
        )
        .unwrap();
    let (edits, _) = edits_for(&r[0]["edit"], uri);
    assert_eq!(
        apply_edits(&cur, &edits, false),
        "// a\rconst f = g as unknown;\r b\rconst e = JSON.parse(input) as unknown;\n"
    );
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- malformed framing --------------------------------------------------------

/// A header line with no end (here 1 MiB, no newline) is not buffered: past
/// 8 KiB the server gives up on the stream and exits as at the end of its
/// input (code 1: no shutdown), like vscode-languageserver on a bad header.
#[test]
fn an_endless_header_line_closes_the_connection() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let mut junk = b"Content-Length: 1".to_vec();
    junk.extend(std::iter::repeat_n(b'0', 1 << 20));
    s.send_raw_lossy(&junk);
    assert_eq!(s.wait_exit(), 1);
}

/// Headers within the caps still work, and stray long-but-legal header lines
/// (a few KiB) are accepted.
#[test]
fn long_but_legal_headers_are_accepted() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let body = json!({ "jsonrpc": "2.0", "id": 77, "method": "shutdown" }).to_string();
    let frame = format!(
        "X-Note: {}\r\nContent-Length: {}\r\n\r\n{}",
        "n".repeat(4000),
        body.len(),
        body
    );
    s.send_raw(frame.as_bytes());
    assert!(s.response(77).is_ok());
    s.notify("exit", Value::Null);
    assert_eq!(s.wait_exit(), 0);
}

// ---- hostile input ----------------------------------------------------------

/// The issue's deep inputs, opened in the editor: the server used to overflow its
/// stack at about 3,000 levels (6 KB of text) or never finish the lint. Now each
/// document gets its diagnostics — the shallow findings and one
/// `analysis-limit` info for the part deeper than the walk goes — and the server
/// stays up for the next request.
#[test]
fn deeply_nested_documents_get_diagnostics_and_the_server_survives() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let n = 20_000;
    let docs = [
        (
            "untitled:destructure.ts",
            format!(
                "const {}x{} = req.body;\nconsole.log(x);\nconst y = raw as any;\n",
                "[".repeat(n),
                "]".repeat(n)
            ),
        ),
        (
            "untitled:member.ts",
            format!(
                "console.log(req{});\nconst y = raw as any;\n",
                ".body".repeat(n)
            ),
        ),
        (
            "untitled:parens.ts",
            format!(
                "const a = {}x as any{};\nconst y = raw as any;\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ),
        (
            "untitled:templates.ts",
            format!(
                "db.query(`select ${{{}x{} }}`);\nconst y = raw as any;\n",
                "`${ ".repeat(n / 4),
                " }`".repeat(n / 4)
            ),
        ),
    ];
    for (uri, text) in &docs {
        s.open(uri, "typescript", 1, text);
        let diags = s.diagnostics(uri, 1);
        let codes = codes(&diags);
        assert!(
            codes.contains(&"analysis-limit".to_string()),
            "{uri}: {codes:?}"
        );
        assert!(
            codes.contains(&"no-any-cast".to_string()),
            "{uri}: {codes:?}"
        );
    }
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- response rules (issue 16) ------------------------------------------------

/// `text` after the quick fix at `at` whose title starts with `title`.
fn apply_quick_fix(
    s: &mut Server,
    uri: &str,
    text: &str,
    at: usize,
    diags: &[Value],
    title: &str,
) -> String {
    let actions = code_actions(
        s,
        uri,
        text,
        at,
        at,
        json!(diags),
        Some(json!(["quickfix"])),
    );
    let action = actions
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with(title)))
        .unwrap_or_else(|| panic!("a quick fix titled {title}…"));
    apply_edits(text, &edits_for(&action["edit"], uri).0, false)
}

/// The response rules are live: an edit that sends the error's message in a
/// 500, drops `Retry-After` from a 429 and the flags from a session cookie gets
/// their findings; the quick fix of the cookie and the edit back clear them.
#[test]
fn response_rules_follow_edits() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:account.ts";
    let clean = "app.post('/login', async (req, res) => {\n  try {\n    res.cookie('session', await login(Login.parse(req.body)), { httpOnly: true, secure: true, sameSite: 'lax' });\n    res.set('Retry-After', '60');\n    res.status(429).json({ error: 'slow down' });\n  } catch (err) {\n    res.status(500).json({ error: 'Internal Server Error' });\n  }\n});\n";
    s.open(uri, "typescript", 1, clean);
    assert!(s.diagnostics(uri, 1).is_empty());
    let leaky = clean
        .replace(", { httpOnly: true, secure: true, sameSite: 'lax' }", "")
        .replace("    res.set('Retry-After', '60');\n", "")
        .replace(
            "{ error: 'Internal Server Error' }",
            "{ error: err.message }",
        );
    s.change_full(uri, 2, &leaky);
    let diags = s.diagnostics(uri, 2);
    let mut found = codes(&diags);
    found.sort();
    assert_eq!(
        found,
        vec![
            "error-details-leak",
            "insecure-cookie",
            "missing-retry-after"
        ]
    );
    let at = leaky.find("'session'").unwrap();
    let fixed = apply_quick_fix(&mut s, uri, &leaky, at, &diags, "Add httpOnly");
    assert!(fixed.contains("res.cookie('session', await login(Login.parse(req.body)), { httpOnly: true, secure: true, sameSite: 'lax' });"));
    s.change_full(uri, 3, &fixed);
    let mut left = codes(&s.diagnostics(uri, 3));
    left.sort();
    assert_eq!(left, vec!["error-details-leak", "missing-retry-after"]);
    s.change_full(uri, 4, clean);
    assert!(s.diagnostics(uri, 4).is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- issue 16: stub-auth and the logging rules, live ------------------------

#[test]
fn stub_auth_and_logging_rules_follow_edits() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "file:///tmp/prodlint-lsp-issue16/src/server/auth.ts";
    let mut text = String::from(
        "export function getUserId(req: Request) {\n  return req.headers.get('x-user') ?? null;\n}\n",
    );
    s.open(uri, "typescript", 1, &text);
    let has = |s: &mut Server, v: i64, rule: &str| {
        codes(&s.diagnostics(uri, v)).contains(&rule.to_string())
    };
    assert!(!has(&mut s, 1, "stub-auth"));
    // The fallback becomes a constant user: stub-auth appears.
    let at = text.find("null").unwrap();
    text = edit(&mut s, uri, &text, 2, at, at + 4, "'demo-user'");
    assert!(has(&mut s, 2, "stub-auth"));
    // A log line with an email (and console in server code) appears…
    let end = text.len();
    text = edit(
        &mut s,
        uri,
        &text,
        3,
        end,
        end,
        "export function login(email: string) {\n  console.log('login', email);\n}\n",
    );
    let diags = s.diagnostics(uri, 3);
    let got = codes(&diags);
    for rule in ["stub-auth", "log-sensitive-data", "console-in-production"] {
        assert!(got.contains(&rule.to_string()), "{rule}: {got:?}");
    }
    // …and goes when the line is guarded for development.
    let at = text.find("  console.log").unwrap();
    text = edit(
        &mut s,
        uri,
        &text,
        4,
        at,
        at,
        "  if (process.env.NODE_ENV !== 'production')",
    );
    let got = codes(&s.diagnostics(uri, 4));
    assert!(
        !got.contains(&"log-sensitive-data".to_string()),
        "{got:?}\n{text}"
    );
    assert!(
        !got.contains(&"console-in-production".to_string()),
        "{got:?}"
    );
    assert!(got.contains(&"stub-auth".to_string()), "{got:?}");
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- redirect and token rules (issue 16) ---------------------------------------

/// `open-redirect` and `jwt-without-expiry` are live: dropping the path check
/// and the token's `expiresIn` gets both findings; the token's quick fix and
/// the check put back clear them.
#[test]
fn redirect_and_token_rules_follow_edits() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:sessions.ts";
    // The rules under test (the query value also gets unvalidated-input).
    let mine = |d: &[Value]| {
        let mut c = codes(d);
        c.retain(|c| c == "open-redirect" || c == "jwt-without-expiry");
        c.sort();
        c
    };
    let clean = "import jwt from 'jsonwebtoken';\napp.get('/done', (req, res) => {\n  const next = String(req.query.next);\n  if (!next.startsWith('/') || next.startsWith('//')) return res.redirect('/');\n  res.cookie('t', jwt.sign({ sub: req.user.id }, secret, { expiresIn: '1h' }));\n  res.redirect(next);\n});\n";
    s.open(uri, "typescript", 1, clean);
    assert!(mine(&s.diagnostics(uri, 1)).is_empty());
    let risky = clean
        .replace(
            "  if (!next.startsWith('/') || next.startsWith('//')) return res.redirect('/');\n",
            "",
        )
        .replace(", { expiresIn: '1h' }", "");
    s.change_full(uri, 2, &risky);
    let diags = s.diagnostics(uri, 2);
    assert_eq!(mine(&diags), vec!["jwt-without-expiry", "open-redirect"]);
    let at = risky.find("jwt.sign").unwrap();
    let fixed = apply_quick_fix(&mut s, uri, &risky, at, &diags, "Add `expiresIn");
    assert!(fixed.contains("jwt.sign({ sub: req.user.id }, secret, { expiresIn: '15m' })"));
    s.change_full(uri, 3, &fixed);
    assert_eq!(mine(&s.diagnostics(uri, 3)), vec!["open-redirect"]);
    s.change_full(uri, 4, clean);
    assert!(mine(&s.diagnostics(uri, 4)).is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

// ---- webhook-not-idempotent (issue 16) ----------------------------------------

/// `webhook-not-idempotent` is live: a Stripe webhook that loses its
/// processed-event check gets the finding; putting the check back clears it.
#[test]
fn webhook_idempotency_follows_edits() {
    let mut s = Server::start(&[], caps_utf16(), no_debounce());
    let uri = "untitled:billing.ts";
    let deduped = "app.post('/webhooks/stripe', async (req, res) => {\n  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);\n  if (await prisma.stripeEvent.findUnique({ where: { id: event.id } })) return res.sendStatus(200);\n  await prisma.order.create({ data: { total: 1 } });\n  res.sendStatus(200);\n});\n";
    s.open(uri, "typescript", 1, deduped);
    assert!(s.diagnostics(uri, 1).is_empty());
    let repeated = deduped.replace(
        "  if (await prisma.stripeEvent.findUnique({ where: { id: event.id } })) return res.sendStatus(200);\n",
        "",
    );
    s.change_full(uri, 2, &repeated);
    let diags = s.diagnostics(uri, 2);
    assert_eq!(codes(&diags), vec!["webhook-not-idempotent"]);
    assert_eq!(diags[0]["range"]["start"]["line"], 2);
    s.change_full(uri, 3, deduped);
    assert!(s.diagnostics(uri, 3).is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// `route-without-auth` is live and follows the workspace: a route losing its
/// auth call gets the finding after the edit; a `middleware.ts` created on
/// disk whose matcher covers the route clears it (workspace facts), and
/// deleting it brings the finding back.
#[test]
fn route_without_auth_follows_edits_and_next_middleware() {
    let dir = temp_dir();
    let root = dir.path();
    let with_auth = "import { auth } from '@/auth';\nexport async function POST(req: Request) {\n  const session = await auth();\n  await db.post.create({ data: await req.json() });\n  return Response.json({ ok: true });\n}\n";
    let route = write(root, "src/app/api/posts/route.ts", with_auth);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&route);
    s.open(&uri, "typescript", 1, with_auth);
    let has = |d: &[Value]| d.iter().any(|x| x["code"] == "route-without-auth");
    assert!(!has(&s.diagnostics(&uri, 1)));
    // The edit drops the auth call: the finding appears.
    let without = with_auth.replace("  const session = await auth();\n", "");
    s.change_full(&uri, 2, &without);
    let d = s.diagnostics(&uri, 2);
    assert!(has(&d), "{d:?}");
    // A middleware that checks the session and covers /api: cleared.
    settle_publishes(&mut s, &uri);
    let mw = write(
        root,
        "src/middleware.ts",
        "export { auth as middleware } from '@/auth';\nexport const config = { matcher: ['/api/:path*'] };\n",
    );
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&mw), "type": 1 } ] }),
    );
    wait_diags(&mut s, &uri, "cleared by middleware.ts", |d| !has(d));
    // Deleted again: back.
    settle_publishes(&mut s, &uri);
    std::fs::remove_file(&mw).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&mw), "type": 3 } ] }),
    );
    wait_diags(&mut s, &uri, "back without middleware.ts", has);
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// Consume the publishes for `uri` received so far (and any in the next
/// 300 ms), so that a later wait sees only answers to what follows.
fn settle_publishes(s: &mut Server, uri: &str) {
    let uri = uri.to_string();
    while s
        .try_wait_for(Duration::from_millis(300), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        })
        .is_some()
    {}
}

// ---- Supabase migration rules (issue 18) -------------------------------------

/// `rls-initplan` and `view-security-invoker` are live in a Supabase migration:
/// the quick fix wraps `auth.uid()` in `(select …)`, and an `ALTER VIEW … SET
/// (security_invoker = on)` in a later migration on disk settles the view
/// (workspace facts); deleting that migration brings the finding back.
#[test]
fn supabase_policy_and_view_rules_follow_edits_and_later_migrations() {
    let dir = temp_dir();
    let root = dir.path();
    let text = "create policy \"own\" on public.todos for select to authenticated\n  using (auth.uid() = user_id);\ncreate view public.totals as select count(*) from public.todos;\n";
    let path = write(root, "supabase/migrations/20240101000000_init.sql", text);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&path);
    s.open(&uri, "sql", 1, text);
    let d = s.diagnostics(&uri, 1);
    let has = |d: &[Value], rule: &str| d.iter().any(|x| x["code"] == rule);
    assert!(
        has(&d, "rls-initplan") && has(&d, "view-security-invoker"),
        "{d:?}"
    );
    let at = text.find("auth.uid()").unwrap();
    let fixed = apply_quick_fix(&mut s, &uri, text, at, &d, "Wrap `auth.uid()`");
    assert!(
        fixed.contains("using ((select auth.uid()) = user_id)"),
        "{fixed}"
    );
    s.change_full(&uri, 2, &fixed);
    let d = s.diagnostics(&uri, 2);
    assert!(
        !has(&d, "rls-initplan") && has(&d, "view-security-invoker"),
        "{d:?}"
    );
    settle_publishes(&mut s, &uri);
    let later = write(
        root,
        "supabase/migrations/20240102000000_invoker.sql",
        "alter view public.totals set (security_invoker = on);\n",
    );
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&later), "type": 1 } ] }),
    );
    wait_diags(&mut s, &uri, "settled by the later ALTER VIEW", |d| {
        !has(d, "view-security-invoker")
    });
    settle_publishes(&mut s, &uri);
    std::fs::remove_file(&later).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&later), "type": 3 } ] }),
    );
    wait_diags(&mut s, &uri, "back without the later migration", |d| {
        has(d, "view-security-invoker")
    });
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// `secret-in-client` follows the workspace: a `'use client'` component
/// importing `@/lib/pay` gets the finding when `lib/pay.ts` (open in the
/// editor) starts reading a server secret when it loads, and loses it when
/// the read moves into a function (client-boundary facts of another file).
#[test]
fn secret_in_client_follows_the_imported_module() {
    let dir = temp_dir();
    let root = dir.path();
    let client = "'use client';\nimport { pay } from '@/lib/pay';\nexport function Buy() {\n  return <button onClick={() => pay()}>Buy</button>;\n}\n";
    let lazy = "export function pay() {\n  return new Stripe(process.env.STRIPE_SECRET_KEY!);\n}\n";
    let eager = "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);\nexport function pay() {\n  return stripe;\n}\n";
    let buy = write(root, "src/components/buy.tsx", client);
    let lib = write(root, "src/lib/pay.ts", lazy);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&buy);
    s.open(&uri, "typescriptreact", 1, client);
    let has = |d: &[Value]| d.iter().any(|x| x["code"] == "secret-in-client");
    assert!(!has(&s.diagnostics(&uri, 1)));
    settle_publishes(&mut s, &uri);
    // The imported module now creates the client when it loads: flagged at the import.
    let lib_uri = file_uri(&lib);
    s.open(&lib_uri, "typescript", 1, lazy);
    s.change_full(&lib_uri, 2, eager);
    let d = wait_diags(
        &mut s,
        &uri,
        "flagged after lib/pay.ts reads the secret",
        has,
    );
    let d = d["diagnostics"].as_array().expect("diagnostics");
    let found = d.iter().find(|x| x["code"] == "secret-in-client").unwrap();
    assert_eq!(found["range"]["start"]["line"], 1);
    assert!(found["message"]
        .as_str()
        .unwrap()
        .contains("STRIPE_SECRET_KEY"));
    // Back inside the function: cleared.
    settle_publishes(&mut s, &uri);
    s.change_full(&lib_uri, 3, lazy);
    wait_diags(&mut s, &uri, "cleared after the read moves back", |d| {
        !has(d)
    });
    assert_eq!(s.shutdown_and_exit(), 0);
}

#[test]
fn fk_without_index_follows_an_index_in_a_later_migration() {
    let dir = temp_dir();
    let root = dir.path();
    let first = "create table public.projects (\n  id uuid primary key,\n  owner_id uuid references auth.users (id)\n);\n";
    let m1 = write(
        root,
        "supabase/migrations/20240101000000_projects.sql",
        first,
    );
    let m2 = write(
        root,
        "supabase/migrations/20240102000000_indexes.sql",
        "select 1;\n",
    );
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&m1);
    s.open(&uri, "sql", 1, first);
    let has = |d: &[Value]| d.iter().any(|x| x["code"] == "fk-without-index");
    let d = s.diagnostics(&uri, 1);
    assert!(has(&d), "{d:?}");
    // The second migration gets the index (edited in the editor): cleared.
    settle_publishes(&mut s, &uri);
    let uri2 = file_uri(&m2);
    s.open(&uri2, "sql", 1, "select 1;\n");
    s.change_full(
        &uri2,
        2,
        "create index concurrently projects_owner_idx on public.projects (owner_id);\n",
    );
    wait_diags(
        &mut s,
        &uri,
        "cleared by the index in the second migration",
        |d| !has(d),
    );
    // The index dropped again in the same buffer: back.
    settle_publishes(&mut s, &uri);
    s.change_full(
        &uri2,
        3,
        "create index concurrently projects_owner_idx on public.projects (owner_id);\ndrop index projects_owner_idx;\n",
    );
    wait_diags(&mut s, &uri, "back after the drop", has);
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// `.env*` documents are linted live: a plain-text client (`plaintext`: the
/// file name decides) and an untitled buffer with the `dotenv` language id;
/// findings follow edits, ranges are UTF-16 on CRLF text with emoji, and no
/// message holds the secret's value.
#[test]
fn dotenv_documents_are_linted_live() {
    let dir = temp_dir();
    let root = dir.path();
    let text = "# 🎉 prod\r\nAPP_URL=http://localhost:3000\r\nJWT_SECRET=Tr0ub4dor3zzq\r\n";
    let path = write(root, ".env.production", text);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&path);
    s.open(&uri, "plaintext", 1, text);
    let d = s.diagnostics(&uri, 1);
    let codes: Vec<&str> = d.iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, vec!["env-localhost-url", "env-weak-secret"], "{d:?}");
    assert_eq!(
        d[1]["range"],
        json!({ "start": { "line": 2, "character": 11 }, "end": { "line": 2, "character": 24 } })
    );
    assert_eq!(d[1]["severity"], 1, "an error in a production file");
    assert!(d
        .iter()
        .all(|x| !x["message"].as_str().unwrap_or("").contains("Tr0ub4dor3")));
    // The edit sets a strong secret: only the URL is left.
    let fixed = text.replace("Tr0ub4dor3zzq", "Yc9rV2xq8LkP3zW7tN4mB6hD1fG5jS0aQ");
    s.change_full(&uri, 2, &fixed);
    let d = s.diagnostics(&uri, 2);
    let codes: Vec<&str> = d.iter().filter_map(|x| x["code"].as_str()).collect();
    assert_eq!(codes, vec!["env-localhost-url"], "{d:?}");
    // An untitled buffer in dotenv mode is linted as `.env`: a warning.
    let untitled = "untitled:Untitled-1";
    s.open(untitled, "dotenv", 1, "SESSION_SECRET=changeme\n");
    let d = s.diagnostics(untitled, 1);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "env-weak-secret");
    assert_eq!(d[0]["severity"], 2);
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// `select-star`'s quick fix in the editor: with the table's migration on disk
/// (indexed as workspace facts), the action lists the table's columns in
/// declared order, later `ADD`/`DROP COLUMN` applied; UTF-16 positions on a
/// line with an emoji.
#[test]
fn select_star_quick_fix_lists_the_columns_from_the_migrations() {
    let dir = temp_dir();
    let root = dir.path();
    write(
        root,
        "supabase/migrations/20240101000000_profiles.sql",
        "create table public.profiles (id uuid primary key, email text, created_at timestamptz);\nalter table profiles add column plan text;\nalter table profiles drop column email;\n",
    );
    let text = "// 🎉 profiles\nexport const load = (id: string) => supabase.from('profiles').select('*').eq('id', id);\n";
    let file = write(root, "src/lib/profiles.ts", text);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&file);
    s.open(&uri, "typescript", 1, text);
    let diags = s.diagnostics(&uri, 1);
    assert_eq!(codes(&diags), vec!["select-star"], "{diags:?}");
    // a script does not wait for the folder's first scan: let it end (its
    // re-lint publishes again) before asking for the fix that reads it
    settle_publishes(&mut s, &uri);
    let at = text.find("'*'").unwrap();
    let fixed = apply_quick_fix(
        &mut s,
        &uri,
        text,
        at,
        &diags,
        "Select the table's 3 columns",
    );
    assert_eq!(
        fixed,
        "// 🎉 profiles\nexport const load = (id: string) => supabase.from('profiles').select('id, created_at, plan').eq('id', id);\n"
    );
    s.change_full(&uri, 2, &fixed);
    assert!(s.diagnostics(&uri, 2).is_empty());
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// `missing-graceful-shutdown` is a workspace rule: the server file's finding
/// goes when another file of the app (open in the editor) starts handling
/// SIGTERM, and comes back when that handler is removed.
#[test]
fn missing_graceful_shutdown_follows_the_other_file() {
    let dir = temp_dir();
    let root = dir.path();
    let server = "import express from 'express';\nconst app = express();\nexport const server = app.listen(3000);\n";
    let none = "export function stop() {}\n";
    let handler =
        "import { server } from './server';\nprocess.on('SIGTERM', () => server.close());\n";
    let main = write(root, "api/src/server.ts", server);
    let other = write(root, "api/src/shutdown.ts", none);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&main);
    s.open(&uri, "typescript", 1, server);
    let has = |d: &[Value]| d.iter().any(|x| x["code"] == "missing-graceful-shutdown");
    let d = wait_diags(&mut s, &uri, "flagged without a handler", has);
    let found = d["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "missing-graceful-shutdown"))
        .cloned()
        .expect("the finding");
    assert_eq!(found["range"]["start"]["line"], 2);
    settle_publishes(&mut s, &uri);
    let other_uri = file_uri(&other);
    s.open(&other_uri, "typescript", 1, none);
    s.change_full(&other_uri, 2, handler);
    wait_diags(&mut s, &uri, "cleared by the handler in shutdown.ts", |d| {
        !has(d)
    });
    settle_publishes(&mut s, &uri);
    s.change_full(&other_uri, 3, none);
    wait_diags(&mut s, &uri, "back once the handler is removed", has);
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// `fire-and-forget` follows the project's deployment config: an Express route
/// leaving a promise un-awaited is quiet in a long-running server; a
/// `vercel.json` created beside it (a watched file, never linted) makes the
/// project serverless and brings the finding; deleting it clears it again.
#[test]
fn fire_and_forget_follows_vercel_json() {
    let dir = temp_dir();
    let root = dir.path();
    write(root, "package.json", "{ \"name\": \"api\" }\n");
    let text = "import express from 'express';\nconst app = express();\nasync function track(e: string) { await analytics.capture(e); }\napp.post('/signup', async (req, res) => {\n  track('signup');\n  res.json({ ok: true });\n});\nexport default app;\n";
    let file = write(root, "src/app.ts", text);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&file);
    s.open(&uri, "typescript", 1, text);
    let has = |d: &[Value]| d.iter().any(|x| x["code"] == "fire-and-forget");
    assert!(!has(&s.diagnostics(&uri, 1)));
    // the folder's first scan ends with a re-lint: still quiet
    settle_publishes(&mut s, &uri);
    let vercel = write(
        root,
        "vercel.json",
        "{ \"rewrites\": [{ \"source\": \"/(.*)\", \"destination\": \"/api\" }] }\n",
    );
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&vercel), "type": 1 } ] }),
    );
    let d = wait_diags(&mut s, &uri, "flagged once vercel.json exists", has);
    let found = d["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|x| x["code"] == "fire-and-forget"))
        .cloned()
        .expect("the finding");
    assert_eq!(found["range"]["start"]["line"], 4);
    assert_eq!(found["range"]["start"]["character"], 2);
    settle_publishes(&mut s, &uri);
    std::fs::remove_file(&vercel).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&vercel), "type": 3 } ] }),
    );
    wait_diags(&mut s, &uri, "cleared once vercel.json is deleted", |d| {
        !has(d)
    });
    assert_eq!(s.shutdown_and_exit(), 0);
}

/// A NestJS module's authenticating middleware (`consumer.apply(AuthMiddleware)
/// .forRoutes(ItemsController)`) is a workspace fact: creating the module on
/// disk clears `route-without-auth` on the open controller, deleting it brings
/// the finding back.
#[test]
fn route_without_auth_follows_a_nest_modules_auth_middleware() {
    let dir = temp_dir();
    let root = dir.path();
    let controller = "import { Body, Controller, Post } from '@nestjs/common';\n@Controller('items')\nexport class ItemsController {\n  @Post()\n  create(@Body() dto: CreateItemDto) {\n    return this.items.create(dto);\n  }\n}\n";
    let path = write(root, "src/items/items.controller.ts", controller);
    let mut s = Server::start(&[root], caps_utf16(), no_debounce());
    let uri = file_uri(&path);
    s.open(&uri, "typescript", 1, controller);
    let has = |d: &[Value]| d.iter().any(|x| x["code"] == "route-without-auth");
    let d = s.diagnostics(&uri, 1);
    assert!(has(&d), "{d:?}");
    settle_publishes(&mut s, &uri);
    let module = write(
        root,
        "src/app.module.ts",
        "@Module({ controllers: [ItemsController] })\nexport class AppModule implements NestModule {\n  configure(consumer: MiddlewareConsumer) {\n    consumer.apply(AuthMiddleware).forRoutes(ItemsController);\n  }\n}\n",
    );
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&module), "type": 1 } ] }),
    );
    wait_diags(&mut s, &uri, "cleared by the module's middleware", |d| {
        !has(d)
    });
    settle_publishes(&mut s, &uri);
    std::fs::remove_file(&module).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [ { "uri": file_uri(&module), "type": 3 } ] }),
    );
    wait_diags(&mut s, &uri, "back without the module", has);
    assert_eq!(s.shutdown_and_exit(), 0);
}
