//! The stdio transport, with a guard in front of tower-lsp's codec.
//!
//! tower-lsp's framed reader ends the whole session at the first message it cannot decode
//! (malformed JSON, a body that is not a JSON-RPC message, a broken header). This layer reads
//! the frames itself, forwards only well-formed messages, and answers the others with a
//! JSON-RPC "Parse error" / "Invalid request" of its own, so that bad input never ends a session.
//! Output from the server and these answers are written by one task, frame by frame.

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// Largest message accepted; a bigger Content-Length is treated as garbage.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// Runs `serve` with input and output pipes, between the real `input` and `output`.
pub async fn guarded<I, O, F, Fut>(input: I, output: O, serve: F)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    F: FnOnce(tokio::io::DuplexStream, tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (mut to_server, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let (frames, mut frames_rx) = unbounded_channel::<Vec<u8>>();
    let answers = frames.clone();
    let input_task = tokio::spawn(async move {
        let mut reader = BufReader::new(input);
        while let Some(frame) = next_frame(&mut reader, &answers).await {
            if to_server.write_all(&frame).await.is_err() {
                break;
            }
        }
        // Dropping the pipe ends the server's input: it shuts down as on a closed stdin.
    });
    tokio::spawn(async move {
        let mut reader = BufReader::new(from_server);
        while let Some(frame) = read_raw_frame(&mut reader).await {
            if frames.send(frame).is_err() {
                break;
            }
        }
    });
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(frame) = frames_rx.recv().await {
            if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });
    serve(server_input, server_output).await;
    // After `exit` the client may keep its end open: stop reading, then flush what is queued.
    input_task.abort();
    let _ = writer.await;
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn answer(answers: &UnboundedSender<Vec<u8>>, code: i64, message: String) {
    let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": code, "message": message}}).to_string();
    let _ = answers.send(frame(body.as_bytes()));
}

/// Whether a value is a JSON-RPC 2.0 request, notification or response.
fn is_message(value: &Value) -> bool {
    let Some(object) = value.as_object() else { return false };
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return false;
    }
    match object.get("method") {
        Some(method) => {
            method.is_string()
                && object.get("params").is_none_or(|p| p.is_object() || p.is_array() || p.is_null())
                && object.get("id").is_none_or(|id| id.is_string() || id.is_i64() || id.is_u64() || id.is_null())
        }
        None => object.contains_key("id") && (object.contains_key("result") || object.contains_key("error")),
    }
}

/// The next well-formed message, re-framed; malformed ones are answered and skipped. `None` at
/// the end of the input.
async fn next_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>, answers: &UnboundedSender<Vec<u8>>) -> Option<Vec<u8>> {
    loop {
        let mut length: Option<usize> = None;
        let mut header_lines = 0;
        loop {
            let mut line = Vec::new();
            if reader.read_until(b'\n', &mut line).await.ok()? == 0 {
                return None;
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                if header_lines > 0 {
                    break;
                }
                continue;
            }
            header_lines += 1;
            if let Some((name, value)) = text.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok().filter(|n| *n <= MAX_MESSAGE);
                }
            }
        }
        let Some(length) = length else {
            answer(answers, -32700, "Parse error: missing or invalid Content-Length header".to_string());
            continue;
        };
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await.ok()?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(value) if is_message(&value) => return Some(frame(&body)),
            Ok(_) => answer(answers, -32600, "Invalid request: not a JSON-RPC 2.0 message".to_string()),
            Err(e) => answer(answers, -32700, format!("Parse error: {e}")),
        }
    }
}

/// A frame exactly as the server wrote it.
async fn read_raw_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        if let Some(value) = text.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.ok()?;
    head.extend_from_slice(&body);
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_json_rpc_messages() {
        assert!(is_message(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}})));
        assert!(is_message(&json!({"jsonrpc": "2.0", "method": "exit"})));
        assert!(is_message(&json!({"jsonrpc": "2.0", "id": 3, "result": null})));
        assert!(!is_message(&json!({"jsonrpc": "1.0", "method": "x"})));
        assert!(!is_message(&json!([1, 2])));
        assert!(!is_message(&json!({"jsonrpc": "2.0", "method": 5})));
        assert!(!is_message(&json!({"jsonrpc": "2.0", "method": "x", "params": 3})));
    }
}
