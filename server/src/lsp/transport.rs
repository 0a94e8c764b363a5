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
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => return,
                Ok(_) => {}
                Err(_) => return,
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if saw_header {
                    break;
                }
                continue; // stray blank lines between messages
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
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
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
