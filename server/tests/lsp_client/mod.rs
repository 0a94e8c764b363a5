//! A small JSON-RPC/LSP client for the language-server tests: spawns the real
//! `prodlint lsp`, frames messages over stdio, answers the server's requests,
//! and waits for messages with a timeout (a hung server fails the test).
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn binary() -> PathBuf {
    match std::env::var_os("PRODLINT_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_prodlint")),
    }
}

/// `file://` URI of an absolute path (percent-encoding what needs it).
pub fn file_uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

pub enum Incoming {
    Message(Value),
    /// Bytes that were not a well-formed frame (the test fails on these).
    Garbage(String),
}

pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Incoming>,
    next_id: i64,
    /// Received, not yet consumed.
    queue: VecDeque<Value>,
    /// Everything received, in order.
    pub seen: Vec<Value>,
    /// Answer to `workspace/configuration` (one item per requested section).
    pub configuration: Value,
    pub init_result: Value,
    pub utf8: bool,
    /// Answer the server's requests (off: a client that never answers).
    pub answer_requests: bool,
}

/// Client capabilities: UTF-16 only, push diagnostics, versioned edits.
pub fn caps_utf16() -> Value {
    json!({
        "workspace": {
            "workspaceEdit": { "documentChanges": true },
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "didChangeConfiguration": { "dynamicRegistration": true },
            "configuration": true,
            "workspaceFolders": true
        },
        "window": { "workDoneProgress": true },
        "textDocument": {
            "synchronization": { "didSave": true },
            "publishDiagnostics": { "versionSupport": true },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "source", "source.fixAll"] } } }
        }
    })
}

pub fn caps_utf8() -> Value {
    let mut c = caps_utf16();
    c["general"] = json!({ "positionEncodings": ["utf-8", "utf-16"] });
    c
}

pub fn caps_pull() -> Value {
    let mut c = caps_utf16();
    c["textDocument"]["diagnostic"] =
        json!({ "dynamicRegistration": false, "relatedDocumentSupport": false });
    c["workspace"]["diagnostics"] = json!({ "refreshSupport": true });
    c
}

impl Server {
    /// Spawn `prodlint lsp` and run `initialize`/`initialized`.
    pub fn start(folders: &[&Path], capabilities: Value, init_options: Value) -> Server {
        Server::start_with_args(folders, capabilities, init_options, &[])
    }

    pub fn start_with_args(
        folders: &[&Path],
        capabilities: Value,
        init_options: Value,
        args: &[&str],
    ) -> Server {
        Server::start_full(folders, capabilities, init_options, args, "off")
    }

    /// Like [`Server::start`], with `trace: "verbose"` (the server then logs
    /// every lint: `linted URI vN: ...`).
    pub fn start_verbose(folders: &[&Path], capabilities: Value, init_options: Value) -> Server {
        Server::start_full(folders, capabilities, init_options, &[], "verbose")
    }

    fn start_full(
        folders: &[&Path],
        capabilities: Value,
        init_options: Value,
        args: &[&str],
        trace: &str,
    ) -> Server {
        let mut s = Server::spawn(args);
        let folders_json: Vec<Value> = folders
            .iter()
            .map(
                |f| json!({ "uri": file_uri(f), "name": f.file_name().unwrap().to_string_lossy() }),
            )
            .collect();
        let params = json!({
            "processId": std::process::id(),
            "rootUri": folders.first().map(|f| file_uri(f)),
            "capabilities": capabilities,
            "initializationOptions": init_options,
            "workspaceFolders": if folders.is_empty() { Value::Null } else { json!(folders_json) },
            "clientInfo": { "name": "prodlint-tests" },
            "trace": trace
        });
        let result = s
            .request("initialize", params)
            .expect("initialize succeeds");
        s.utf8 = result["capabilities"]["positionEncoding"] == "utf-8";
        s.init_result = result;
        s.notify("initialized", json!({}));
        s
    }

    /// Spawn without initializing.
    pub fn spawn(args: &[&str]) -> Server {
        let mut child = Command::new(binary())
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn prodlint lsp");
        let stdout = child.stdout.take().unwrap();
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_frames(stdout, tx));
        Server {
            child,
            stdin,
            rx,
            next_id: 1,
            queue: VecDeque::new(),
            seen: Vec::new(),
            configuration: json!({}),
            init_result: Value::Null,
            utf8: false,
            answer_requests: true,
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to server");
        stdin.flush().unwrap();
    }

    /// Like `send_raw`, but a server that stops reading (and closes its
    /// input) is not an error here; returns whether everything was written.
    pub fn send_raw_lossy(&mut self, bytes: &[u8]) -> bool {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).and_then(|_| stdin.flush()).is_ok()
    }

    pub fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{}", body.len(), body);
        self.send_raw(frame.as_bytes());
    }

    /// Send several messages in one write (they reach the server back to back).
    pub fn send_many(&mut self, msgs: &[Value]) {
        let mut bytes = Vec::new();
        for msg in msgs {
            let body = msg.to_string();
            bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            bytes.extend_from_slice(body.as_bytes());
        }
        self.send_raw(&bytes);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request without waiting; returns its id.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Send a request and wait for its response: `Ok(result)` or `Err(error)`.
    pub fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.request_async(method, params);
        self.response(id)
    }

    pub fn response(&mut self, id: i64) -> Result<Value, Value> {
        let msg = self.wait_for(&format!("response to request {id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        });
        match msg.get("error") {
            Some(e) => Err(e.clone()),
            None => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
        }
    }

    /// Take the next message from the server (answering its requests), or `None`
    /// at `deadline`.
    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        match self.rx.recv_timeout(deadline - now) {
            Ok(Incoming::Message(m)) => {
                self.seen.push(m.clone());
                if m.get("method").is_some() && m.get("id").is_some() && self.answer_requests {
                    self.answer(&m);
                }
                Some(m)
            }
            Ok(Incoming::Garbage(g)) => panic!("server wrote a malformed frame: {g:?}"),
            Err(_) => None,
        }
    }

    fn answer(&mut self, req: &Value) {
        let result = match req["method"].as_str().unwrap_or("") {
            "workspace/configuration" => {
                let n = req["params"]["items"].as_array().map_or(1, Vec::len);
                json!(vec![self.configuration.clone(); n])
            }
            _ => Value::Null,
        };
        let id = req["id"].clone();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": result }));
    }

    /// Wait (bounded by [`TIMEOUT`]) for a message matching `pred`; earlier
    /// unmatched messages stay queued.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(TIMEOUT, pred).unwrap_or_else(|| {
            let recent: Vec<String> = self
                .seen
                .iter()
                .rev()
                .take(15)
                .map(|m| {
                    let s = m.to_string();
                    s.chars().take(400).collect()
                })
                .collect();
            panic!(
                "timed out waiting for {what}; last messages (newest first):\n{}",
                recent.join("\n")
            )
        })
    }

    pub fn try_wait_for(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(i) = self.queue.iter().position(&pred) {
            return self.queue.remove(i);
        }
        let deadline = Instant::now() + timeout;
        while let Some(m) = self.next(deadline) {
            if pred(&m) {
                return Some(m);
            }
            self.queue.push_back(m);
        }
        None
    }

    /// Collect messages for `dur` (everything stays queued as well).
    pub fn drain_for(&mut self, dur: Duration) -> Vec<Value> {
        let deadline = Instant::now() + dur;
        let mut got = Vec::new();
        while let Some(m) = self.next(deadline) {
            got.push(m.clone());
            self.queue.push_back(m);
        }
        got
    }

    /// The next `publishDiagnostics` for `uri` with `version` (versions are
    /// always sent by this server for open documents).
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait_for(&format!("diagnostics for {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The next `publishDiagnostics` for `uri`, whatever its version.
    pub fn any_diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    pub fn open(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language_id, "version": version, "text": text } }),
        );
    }

    /// A `didChange` notification with one incremental change (to send later,
    /// e.g. with [`Server::send_many`]).
    pub fn change_message(uri: &str, version: i64, range: Value, text: &str) -> Value {
        json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": { "textDocument": { "uri": uri, "version": version },
                            "contentChanges": [ { "range": range, "text": text } ] } })
    }

    /// A `didChange` notification replacing the whole text.
    pub fn change_full_message(uri: &str, version: i64, text: &str) -> Value {
        json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": { "textDocument": { "uri": uri, "version": version },
                            "contentChanges": [ { "text": text } ] } })
    }

    /// Send one incremental change.
    pub fn change(&mut self, uri: &str, version: i64, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [ { "range": range, "text": text } ] }),
        );
    }

    pub fn change_full(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [ { "text": text } ] }),
        );
    }

    /// `shutdown` then `exit`; returns the exit code.
    pub fn shutdown_and_exit(mut self) -> i32 {
        self.request("shutdown", Value::Null)
            .expect("shutdown succeeds");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Wait (bounded) for the process to end.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit within {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Log messages (`window/logMessage`) received so far.
    pub fn logs(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/logMessage")
            .map(|m| m["params"]["message"].as_str().unwrap_or("").to_string())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_frames(stdout: impl Read, tx: mpsc::Sender<Incoming>) {
    let mut r = BufReader::new(stdout);
    loop {
        let mut len: Option<usize> = None;
        loop {
            let mut line = String::new();
            match r.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let t = line.trim_end();
            if t.is_empty() {
                break;
            }
            match t.split_once(':') {
                Some((k, v)) if k.eq_ignore_ascii_case("content-length") => {
                    len = v.trim().parse().ok()
                }
                Some(_) => {}
                None => {
                    let _ = tx.send(Incoming::Garbage(line));
                    return;
                }
            }
        }
        let Some(len) = len else {
            let _ = tx.send(Incoming::Garbage("frame without Content-Length".into()));
            return;
        };
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        match serde_json::from_slice(&body) {
            Ok(v) => {
                if tx.send(Incoming::Message(v)).is_err() {
                    return;
                }
            }
            Err(_) => {
                let _ = tx.send(Incoming::Garbage(
                    String::from_utf8_lossy(&body).into_owned(),
                ));
                return;
            }
        }
    }
}

// ---- text helpers -------------------------------------------------------

/// Byte offsets where the lines of `text` start, with LSP 3.17's line ends
/// (`\n`, `\r\n` and a lone `\r`), computed independently of the server's code.
pub fn line_starts(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut starts = vec![0];
    for i in 0..b.len() {
        let ends = b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n'));
        if ends {
            starts.push(i + 1);
        }
    }
    starts
}

/// LSP position of byte `offset` in `text` (UTF-16 or UTF-8 columns),
/// computed independently of the server's code.
pub fn pos(text: &str, offset: usize, utf8: bool) -> Value {
    let starts = line_starts(text);
    let line = starts.iter().rposition(|&s| s <= offset).unwrap_or(0);
    let prefix = &text[starts[line]..offset];
    let col = if utf8 {
        prefix.len()
    } else {
        prefix.encode_utf16().count()
    };
    json!({ "line": line, "character": col })
}

pub fn range(text: &str, start: usize, end: usize, utf8: bool) -> Value {
    json!({ "start": pos(text, start, utf8), "end": pos(text, end, utf8) })
}

/// Byte offset of an LSP position.
pub fn offset(text: &str, p: &Value, utf8: bool) -> usize {
    let line = p["line"].as_u64().unwrap() as usize;
    let col = p["character"].as_u64().unwrap() as usize;
    let start = *line_starts(text).get(line).expect("line exists");
    let mut units = 0;
    for (i, ch) in text[start..].char_indices() {
        if units >= col || ch == '\n' || ch == '\r' {
            return start + i;
        }
        units += if utf8 { ch.len_utf8() } else { ch.len_utf16() };
    }
    text.len()
}

/// Apply LSP text edits (non-overlapping, against the same original text).
pub fn apply_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], utf8),
                offset(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in spans {
        assert!(s >= at, "overlapping edits");
        out.push_str(&text[at..s]);
        out.push_str(&t);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// The edits a WorkspaceEdit makes to `uri`, with the version it names.
pub fn edits_for(edit: &Value, uri: &str) -> (Vec<Value>, Option<i64>) {
    if let Some(dc) = edit["documentChanges"].as_array() {
        let mut edits = Vec::new();
        let mut version = None;
        for d in dc {
            if d["textDocument"]["uri"] == uri {
                edits.extend(d["edits"].as_array().cloned().unwrap_or_default());
                version = d["textDocument"]["version"].as_i64();
            }
        }
        return (edits, version);
    }
    let edits = edit["changes"][uri].as_array().cloned().unwrap_or_default();
    (edits, None)
}

pub fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// A fresh temporary folder (removed on drop).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("prodlint-lsp-test")
        .tempdir()
        .expect("temp dir")
}

pub fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// Wait for a publish for `uri` whose diagnostics satisfy `pred`.
pub fn wait_diags(s: &mut Server, uri: &str, what: &str, pred: impl Fn(&[Value]) -> bool) -> Value {
    let uri = uri.to_string();
    s.wait_for(what, move |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri.as_str()
            && pred(
                m["params"]["diagnostics"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            )
    })["params"]
        .clone()
}
