//! The stdio transport with a guard in front of tower-lsp-server.
//!
//! tower-lsp-server stops reading its input after the first message it cannot
//! decode (invalid JSON, a body that is not a JSON-RPC message, a missing
//! `Content-Length`, a `Content-Type` without `charset=utf-8`): `FramedRead` ends
//! the stream after a decoder error, and the server then shuts down. So the real
//! standard input is read here, on a plain thread: every frame is checked, a bad
//! one is answered with a JSON-RPC error (`-32700` parse error, `-32600` invalid
//! request) and dropped, and only well-formed messages are handed on, re-framed
//! with a plain `Content-Length` header.
//!
//! Output goes the other way: tower-lsp writes its frames into [`FrameSink`],
//! which cuts the byte stream into whole frames and hands them to the writer
//! thread, which also writes the guard's own error responses. Whole frames only,
//! so the two sources never interleave inside a message.

use serde_json::{json, Value};
use std::io::{BufRead, Read, Write};
use std::pin::Pin;
use std::sync::mpsc as std_mpsc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc as tokio_mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Frames over this size are read and discarded with an error (nothing legitimate
/// comes close: documents over the size limit are not linted anyway).
const MAX_FRAME: usize = 256 * 1024 * 1024;

/// A header line longer than this (real ones are under 100 bytes) ends the
/// connection: the stream cannot be resynchronised, so, like
/// vscode-languageserver on a malformed header, the server stops reading (and
/// exits as at the end of its input) instead of buffering the line.
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// The same for a message's header block as a whole (many short lines and no
/// empty line).
pub const MAX_HEADER_BLOCK: usize = 64 * 1024;

/// Read one line (up to and including `\n`) into `line`, at most `cap` bytes.
/// `Ok(None)` at the end of the input; `Err` for a line over the cap (nothing
/// beyond the cap is kept).
fn read_header_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<()>> {
    line.clear();
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(if line.is_empty() { None } else { Some(()) });
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if line.len() + take > cap {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("header line longer than {cap} bytes"),
            ));
        }
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        if done {
            return Ok(Some(()));
        }
    }
}

/// A message for the writer thread.
pub enum Out {
    Frame(Vec<u8>),
    /// Flush and stop.
    Stop,
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn error_frame(id: Value, code: i64, message: &str) -> Vec<u8> {
    let body = json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message }
    });
    frame(body.to_string().as_bytes())
}

/// What to do with one incoming body.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// Hand it to the server.
    Forward,
    /// Answer with this error frame and drop it.
    Reject(Vec<u8>),
}

/// Check one message body.
pub fn check_body(body: &[u8]) -> Verdict {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Verdict::Reject(error_frame(
                Value::Null,
                -32700,
                &format!("Parse error: {e}"),
            ))
        }
    };
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_i64() || id.is_u64())
        .cloned()
        .unwrap_or(Value::Null);
    let Some(obj) = value.as_object() else {
        return Verdict::Reject(error_frame(
            Value::Null,
            -32600,
            "Invalid Request: a message must be a JSON object",
        ));
    };
    if obj.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Verdict::Reject(error_frame(
            id,
            -32600,
            "Invalid Request: `jsonrpc` must be \"2.0\"",
        ));
    }
    let is_response = obj.contains_key("result") || obj.contains_key("error");
    let ok = if is_response {
        serde_json::from_value::<Response>(value.clone()).is_ok()
    } else {
        obj.get("method").is_some_and(Value::is_string)
            && serde_json::from_value::<Request>(value.clone()).is_ok()
    };
    if ok {
        Verdict::Forward
    } else if is_response {
        // A malformed response to one of our requests has no one to answer to.
        Verdict::Reject(Vec::new())
    } else {
        Verdict::Reject(error_frame(
            id,
            -32600,
            "Invalid Request: not a JSON-RPC request or notification",
        ))
    }
}

/// Read frames from `input` until it ends. Good bodies go to `forward` (re-framed);
/// error responses go to `out`.
pub fn read_loop(
    input: impl Read,
    forward: tokio_mpsc::UnboundedSender<Vec<u8>>,
    out: std_mpsc::Sender<Out>,
) {
    let mut reader = std::io::BufReader::with_capacity(64 * 1024, input);
    loop {
        // Headers: lines up to an empty line.
        let mut content_length: Option<Result<usize, String>> = None;
        let mut saw_header = false;
        let mut header_bytes = 0usize;
        let mut line = Vec::new();
        loop {
            match read_header_line(&mut reader, &mut line, MAX_HEADER_LINE) {
                Ok(Some(())) => {}
                Ok(None) => return,
                Err(e) => {
                    eprintln!("prodlint lsp: malformed input ({e}); closing the connection");
                    return;
                }
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if saw_header {
                    break;
                }
                continue; // stray blank lines between messages
            }
            header_bytes += line.len();
            if header_bytes > MAX_HEADER_BLOCK {
                eprintln!(
                    "prodlint lsp: malformed input (headers longer than {MAX_HEADER_BLOCK} bytes); closing the connection"
                );
                return;
            }
            saw_header = true;
            if let Some((name, value)) = text.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    content_length =
                        Some(value.trim().parse::<usize>().map_err(|e| {
                            format!("invalid Content-Length `{}`: {e}", value.trim())
                        }));
                }
            }
        }
        let len = match content_length {
            Some(Ok(n)) => n,
            Some(Err(msg)) => {
                let _ = out.send(Out::Frame(error_frame(Value::Null, -32700, &msg)));
                continue;
            }
            None => {
                let _ = out.send(Out::Frame(error_frame(
                    Value::Null,
                    -32700,
                    "missing Content-Length header",
                )));
                continue;
            }
        };
        if len > MAX_FRAME {
            let mut sink = std::io::sink();
            if std::io::copy(&mut (&mut reader).take(len as u64), &mut sink).is_err() {
                return;
            }
            let _ = out.send(Out::Frame(error_frame(
                Value::Null,
                -32700,
                "message too large",
            )));
            continue;
        }
        // Grown as the bytes arrive: a large Content-Length with no body behind
        // it does not allocate its size up front.
        let mut body = Vec::new();
        match (&mut reader).take(len as u64).read_to_end(&mut body) {
            Ok(n) if n == len => {}
            _ => return,
        }
        match check_body(&body) {
            Verdict::Forward => {
                if forward.send(frame(&body)).is_err() {
                    return;
                }
            }
            Verdict::Reject(err) => {
                if !err.is_empty() {
                    let _ = out.send(Out::Frame(err));
                }
            }
        }
    }
}

/// Write frames to `output` until told to stop (or every sender is gone).
pub fn write_loop(mut output: impl Write, rx: std_mpsc::Receiver<Out>) {
    while let Ok(msg) = rx.recv() {
        match msg {
            Out::Frame(bytes) => {
                if output
                    .write_all(&bytes)
                    .and_then(|_| output.flush())
                    .is_err()
                {
                    return;
                }
            }
            Out::Stop => {
                let _ = output.flush();
                return;
            }
        }
    }
}

/// The server's input: frames checked by [`read_loop`].
pub struct ChannelReader {
    rx: tokio_mpsc::UnboundedReceiver<Vec<u8>>,
    pending: Vec<u8>,
    at: usize,
}

impl ChannelReader {
    pub fn new(rx: tokio_mpsc::UnboundedReceiver<Vec<u8>>) -> ChannelReader {
        ChannelReader {
            rx,
            pending: Vec::new(),
            at: 0,
        }
    }
}

impl AsyncRead for ChannelReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.at >= this.pending.len() {
            match this.rx.poll_recv(cx) {
                Poll::Ready(Some(bytes)) => {
                    this.pending = bytes;
                    this.at = 0;
                }
                // End of input.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = (this.pending.len() - this.at).min(buf.remaining());
        buf.put_slice(&this.pending[this.at..this.at + n]);
        this.at += n;
        Poll::Ready(Ok(()))
    }
}

/// The server's output: cut into whole frames and handed to the writer thread.
pub struct FrameSink {
    buf: Vec<u8>,
    tx: std_mpsc::Sender<Out>,
}

impl FrameSink {
    pub fn new(tx: std_mpsc::Sender<Out>) -> FrameSink {
        FrameSink {
            buf: Vec::new(),
            tx,
        }
    }

    fn drain_frames(&mut self) {
        loop {
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                return;
            };
            let headers = String::from_utf8_lossy(&self.buf[..end]);
            let len = headers.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                if name.trim().eq_ignore_ascii_case("content-length") {
                    value.trim().parse::<usize>().ok()
                } else {
                    None
                }
            });
            let Some(len) = len else {
                // Cannot happen with tower-lsp's encoder; pass the bytes on as they are.
                let bytes = std::mem::take(&mut self.buf);
                let _ = self.tx.send(Out::Frame(bytes));
                return;
            };
            let total = end + 4 + len;
            if self.buf.len() < total {
                return;
            }
            let rest = self.buf.split_off(total);
            let frame = std::mem::replace(&mut self.buf, rest);
            let _ = self.tx.send(Out::Frame(frame));
        }
    }
}

impl AsyncWrite for FrameSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.buf.extend_from_slice(data);
        self.drain_frames();
        Poll::Ready(Ok(data.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// A panic inside a request handler must not take the server down: it becomes
/// an internal-error response (notifications: nothing) and is reported on stderr
/// by the panic hook.
pub struct CatchPanic<S>(pub S);

impl<S> tower::Service<Request> for CatchPanic<S>
where
    S: tower::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let fut = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.0.call(req)));
        match fut {
            Ok(fut) => Box::pin(Guarded {
                inner: Box::pin(fut),
                id,
                method,
            }),
            Err(_) => Box::pin(std::future::ready(Ok(panic_response(id, &method)))),
        }
    }
}

fn panic_response(id: Option<tower_lsp_server::jsonrpc::Id>, method: &str) -> Option<Response> {
    id.map(|id| {
        let mut e = tower_lsp_server::jsonrpc::Error::internal_error();
        e.message = format!("internal error in prodlint while handling {method}").into();
        Response::from_error(id, e)
    })
}

struct Guarded<F> {
    inner: Pin<Box<F>>,
    id: Option<tower_lsp_server::jsonrpc::Id>,
    method: String,
}

impl<F, E> std::future::Future for Guarded<F>
where
    F: std::future::Future<Output = Result<Option<Response>, E>>,
{
    type Output = Result<Option<Response>, E>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            this.inner.as_mut().poll(cx)
        })) {
            Ok(p) => p,
            Err(_) => Poll::Ready(Ok(panic_response(this.id.take(), &this.method))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected_code(body: &str) -> Option<i64> {
        match check_body(body.as_bytes()) {
            Verdict::Forward => None,
            Verdict::Reject(f) => {
                let text = String::from_utf8(f).unwrap();
                let json = text.split("\r\n\r\n").nth(1).unwrap();
                let v: Value = serde_json::from_str(json).unwrap();
                v["error"]["code"].as_i64()
            }
        }
    }

    #[test]
    fn good_messages_pass_bad_ones_get_errors() {
        assert_eq!(
            rejected_code(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#),
            None
        );
        assert_eq!(
            rejected_code(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
            None
        );
        assert_eq!(
            rejected_code(r#"{"jsonrpc":"2.0","id":1,"result":null}"#),
            None
        );
        assert_eq!(rejected_code("{not json"), Some(-32700));
        assert_eq!(rejected_code("[1,2]"), Some(-32600));
        assert_eq!(rejected_code(r#"{"id":3,"method":"x"}"#), Some(-32600));
        assert_eq!(rejected_code(r#"{"jsonrpc":"2.0","id":3}"#), Some(-32600));
        assert_eq!(
            rejected_code(r#"{"jsonrpc":"2.0","id":3,"method":7}"#),
            Some(-32600)
        );
    }

    struct Panicky;
    impl tower::Service<Request> for Panicky {
        type Response = Option<Response>;
        type Error = std::convert::Infallible;
        type Future = Pin<
            Box<dyn std::future::Future<Output = Result<Option<Response>, Self::Error>> + Send>,
        >;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, req: Request) -> Self::Future {
            if req.method() == "now" {
                panic!("in call");
            }
            Box::pin(async { panic!("in the future") })
        }
    }

    #[test]
    fn panics_in_handlers_become_internal_errors() {
        use tower::Service;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut svc = CatchPanic(Panicky);
        for method in ["now", "later"] {
            let req = Request::build(method.to_string()).id(7).finish();
            let res = rt.block_on(svc.call(req)).unwrap().expect("a response");
            assert_eq!(
                res.error().unwrap().code,
                tower_lsp_server::jsonrpc::ErrorCode::InternalError
            );
            let note = Request::build(method.to_string()).finish();
            assert!(rt.block_on(svc.call(note)).unwrap().is_none());
        }
    }

    #[test]
    fn sink_cuts_whole_frames() {
        let (tx, rx) = std_mpsc::channel();
        let mut sink = FrameSink::new(tx);
        let a = frame(b"{\"a\":1}");
        let b = frame("{\"é\":2}".as_bytes());
        let mut all = a.clone();
        all.extend_from_slice(&b);
        for chunk in all.chunks(5) {
            sink.buf.extend_from_slice(chunk);
            sink.drain_frames();
        }
        let got: Vec<Vec<u8>> = rx
            .try_iter()
            .map(|o| match o {
                Out::Frame(f) => f,
                Out::Stop => unreachable!(),
            })
            .collect();
        assert_eq!(got, vec![a, b]);
    }
}
