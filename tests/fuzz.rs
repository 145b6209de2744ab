//! Fuzzing with proptest (the stable toolchain has no cargo-fuzz): the summary extractor and the
//! whole analysis take arbitrary text and bytes without panicking and keep their invariants, and
//! the language server answers arbitrary and malformed messages without dying.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;

use modcache::analysis::check::analyze;
use modcache::analysis::config::Config;
use modcache::analysis::project::Project;
use modcache::analysis::python_env::PythonEnv;
use modcache::analysis::source::decode_python_source;
use modcache::analysis::summary::summarize;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::{json, Value};

/// Pieces of Python that reach every part of the extractor when shuffled: imports of every
/// form, guards, scopes, mutations, effects, `sys.modules`, reload, and broken fragments.
const PIECES: &[&str] = &[
    "import a\n", "import a.b as c\n", "from . import x\n", "from .. import (y,\n z)\n", "from a import *\n",
    "from a import b as c\n", "if TYPE_CHECKING:\n", "if __name__ == \"__main__\":\n", "try:\n", "except ImportError:\n",
    "finally:\n", "else:\n", "def f(x=[]):\n", "class C(B):\n", "    ", "        ", "\t", "pass\n", "return\n", "global g\n",
    "x = []\n", "x.append(1)\n", "x[k] = v\n", "del x[k]\n", "x += 1\n", "m.attr = 2\n", "sys.modules['m'] = obj\n",
    "del sys.modules[__name__]\n", "importlib.reload(m)\n", "importlib.import_module('a.b')\n", "__import__('q')\n",
    "print(1)\n", "os.getenv('A')\n", "random.random()\n", "S = Service()\n", "__all__ = ['x']\n", "__all__ += y\n",
    "if sys.version_info >= (3, 8):\n", "with open(p) as f:\n", "for i in x:\n", "lambda: x\n", "async def g():\n",
    "@decorator\n", "match x:\n", "case 1:\n", "# modcache: ignore[MC101]\n", "# noqa\n", "\"\"\"doc\n", "'''\n",
    "f\"{x!r:>{w}}\"\n", "é = 1\n", "😀\n", "\r\n", "\\\n", "(", ")", "[", "]", "{", "}", ":", ",", "=", ".", "\u{0}", "\u{feff}",
    "\u{2028}", "\u{85}", "\u{201c}x\u{201d}", "\u{a0}", "\u{20ac}", "'open\n", "\\ x\n", "\x0c", "if x:\n\tpass\n",
];

fn python_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|parts| parts.concat())
}

/// Every range of a summary lies inside the text on character boundaries, and every line
/// number is within the file.
fn assert_summary_invariants(text: &str) {
    let summary = summarize(text);
    for range in summary.ranges() {
        assert!(range.start <= range.end, "inverted range {range:?} in {text:?}");
        assert!((range.end as usize) <= text.len(), "range {range:?} beyond the text in {text:?}");
        assert!(text.is_char_boundary(range.start as usize) && text.is_char_boundary(range.end as usize), "{range:?} in {text:?}");
    }
    let lines = text.split('\n').count() as u32;
    for stmt in &summary.imports {
        assert!(stmt.line >= 1 && stmt.line <= lines, "line {} of {lines} in {text:?}", stmt.line);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn summaries_of_arbitrary_python_keep_their_invariants(text in python_text()) {
        assert_summary_invariants(&text);
    }

    #[test]
    fn summaries_of_arbitrary_unicode_keep_their_invariants(text in "\\PC{0,200}") {
        assert_summary_invariants(&text);
    }

    #[test]
    fn arbitrary_bytes_decode_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(text) = decode_python_source(&bytes) {
            assert_summary_invariants(&text);
        }
    }

    /// Whole projects of shuffled pieces go through every rule and simulation.
    #[test]
    fn analysis_of_arbitrary_projects_never_panics(texts in prop::collection::vec(python_text(), 1..5)) {
        let names = ["a.py", "b.py", "pkg/__init__.py", "pkg/m.py", "main.py"];
        let lengths: BTreeMap<String, usize> = texts.iter().zip(names).map(|(text, name)| (name.to_string(), text.len())).collect();
        let files: BTreeMap<String, _> =
            texts.iter().zip(names).map(|(text, name)| (name.to_string(), Arc::new(summarize(text)))).collect();
        let project = Project::new(files, &[], Config::default(), PythonEnv::default());
        let analysis = analyze(&project);
        for diagnostic in analysis.diagnostics.iter() {
            let length = lengths.get(&diagnostic.path).expect("diagnostics name workspace files");
            assert!(diagnostic.range.end as usize <= *length, "{diagnostic:?}");
        }
    }
}

/// One language-server process fed garbage between well-formed requests.
struct Server {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn start(root: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_modcache"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut server = Server { child, stdin, stdout };
        let root_uri = format!("file://{}", root.display());
        server.send(&json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"rootUri": root_uri, "capabilities": {}}}));
        server.response(0);
        server.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        server
    }

    fn raw(&mut self, bytes: &[u8]) {
        // The server may close its input on a frame it cannot recover from; the test notices
        // that at the next well-formed request.
        let _ = self.stdin.write_all(bytes);
        let _ = self.stdin.flush();
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Reads messages until the response with `id`, answering the server's own requests.
    fn response(&mut self, id: i64) -> Value {
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                assert!(self.stdout.read_line(&mut line).unwrap() > 0, "the server closed its output while request {id} was pending");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line.strip_prefix("Content-Length: ") {
                    length = Some(value.parse::<usize>().unwrap());
                }
            }
            let mut body = vec![0; length.expect("every frame has a Content-Length")];
            self.stdout.read_exact(&mut body).unwrap();
            let message: Value = serde_json::from_slice(&body).unwrap();
            if message.get("method").is_some() {
                if let Some(request_id) = message.get("id") {
                    self.send(&json!({"jsonrpc": "2.0", "id": request_id, "result": null}));
                }
                continue;
            }
            if message["id"] == json!(id) {
                return message;
            }
        }
    }
}

/// Messages that are well framed but wrong: unknown methods, wrong parameter types, positions
/// and URIs that do not exist, huge numbers, and notifications with requests' shapes.
fn wrong_message() -> impl Strategy<Value = Value> {
    let method = prop::sample::select(vec![
        "textDocument/hover", "textDocument/codeAction", "textDocument/inlayHint", "textDocument/codeLens",
        "textDocument/diagnostic", "workspace/diagnostic", "textDocument/didChange", "textDocument/didOpen",
        "textDocument/didClose", "workspace/didChangeWatchedFiles", "workspace/didChangeConfiguration",
        "modcache/loadOrder", "modcache/graph", "modcache/entries", "$/cancelRequest", "$/unknown", "no/such/method",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON numbers are finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        Just(json!("file:///nowhere/x.py")),
        Just(json!({"line": 4_000_000_000u64, "character": -1})),
    ];
    let params = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop::sample::select(vec!["textDocument", "uri", "position", "range", "contentChanges", "text", "version", "entry", "changes", "settings", "id"]),
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    });
    (method, params, prop::option::of(1000i64..2000)).prop_map(|(method, params, id)| {
        let mut message = json!({"jsonrpc": "2.0", "method": method, "params": params});
        if let Some(id) = id {
            message["id"] = json!(id);
        }
        message
    })
}

/// Frames that are broken at the transport level.
fn broken_frame() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "\\PC{0,40}".prop_map(|body| format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()),
        prop::collection::vec(any::<u8>(), 0..40)
            .prop_map(|body| [format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes(), body].concat()),
        Just(b"Content-Length: 2\r\n\r\n[]".to_vec()),
        Just(b"Content-Length: 4\r\n\r\nnull".to_vec()),
        Just(b"Content-Length: 17\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec()),
    ]
}

#[test]
fn the_server_survives_arbitrary_and_malformed_messages() {
    let dir = tempfile::tempdir().unwrap();
    support::write_fixture(dir.path(), "# file: main.py\nimport models\n# file: models.py\nfrom services import save\n# file: services.py\nfrom models import User\n");
    let mut server = Server::start(dir.path());
    let main_uri = format!("file://{}/main.py", dir.path().display());
    server.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
        {"uri": main_uri, "languageId": "python", "version": 1, "text": "import models\n"}}}));
    // Edits with ranges anywhere (often past the end of the text) and arbitrary Python pieces.
    let edit = (0u32..30, 0u32..60, 0u32..30, 0u32..60, python_text());
    // A fixed seed, so that a failure replays; the message strategies cover the space broadly.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for round in 0..40i64 {
        for _ in 0..5 {
            let message = wrong_message().new_tree(&mut runner).unwrap().current();
            server.send(&message);
        }
        let frame = broken_frame().new_tree(&mut runner).unwrap().current();
        server.raw(&frame);
        let (l1, c1, l2, c2, text) = edit.new_tree(&mut runner).unwrap().current();
        server.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": main_uri, "version": round + 2},
            "contentChanges": [{"range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}, "text": text}]}}));
        // A well-formed request after the garbage must still get its answer.
        let id = 10_000 + round;
        server.send(&json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": main_uri}, "position": {"line": 0, "character": 8}}}));
        let response = server.response(id);
        assert!(response.get("result").is_some() || response.get("error").is_some(), "{response}");
    }
    server.send(&json!({"jsonrpc": "2.0", "id": 99_999, "method": "shutdown"}));
    assert_eq!(server.response(99_999)["result"], Value::Null);
    server.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
    let status = server.child.wait().unwrap();
    assert!(status.success(), "the server exits cleanly after the fuzzing: {status}");
}
