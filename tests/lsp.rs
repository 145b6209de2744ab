//! The language server end to end: the real binary over stdio, a full handshake, and each
//! feature through the protocol.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications and server requests seen while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
    /// The answer to the server's `workspace/configuration` requests.
    configuration: Value,
}

impl Client {
    fn start(root: &std::path::Path, capabilities: Value) -> (Client, Value) {
        Client::start_with_env(root, capabilities, &[])
    }

    fn start_with_env(root: &std::path::Path, capabilities: Value, env: &[(&str, &str)]) -> (Client, Value) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_modcache"))
            .arg("server")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length: ") {
                        length = value.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice::<Value>(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client { child, stdin, messages: rx, backlog: Vec::new(), next_id: 1, configuration: json!([null]) };
        let root_uri = format!("file://{}", root.display());
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "capabilities": capabilities,
                   "workspaceFolders": [{"uri": root_uri, "name": "ws"}]}),
        );
        client.notify("initialized", json!({}));
        (client, result)
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// Waits for a message matching `predicate`, answering the server's own requests.
    fn wait(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&predicate) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let message = self.messages.recv_timeout(remaining).unwrap_or_else(|_| {
                panic!("timed out; seen: {}", serde_json::to_string_pretty(&self.backlog).unwrap())
            });
            if message.get("method").is_some() && message.get("id").is_some() {
                // A request from the server (configuration, registration, progress): answer it.
                let result = if message["method"] == "workspace/configuration" { self.configuration.clone() } else { Value::Null };
                self.send(json!({"jsonrpc": "2.0", "id": message["id"], "result": result}));
            }
            if predicate(&message) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The latest diagnostics published for a file, waiting until `accept` holds for them.
    fn diagnostics(&mut self, uri: &str, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.wait(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri);
            let list = message["params"]["diagnostics"].as_array().cloned().unwrap_or_default();
            if accept(&list) {
                return list;
            }
            assert!(Instant::now() < deadline, "diagnostics for {uri} never matched; last: {list:?}");
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "server exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("the server did not exit after `exit`");
    }
}

const MODELS: &str = "from services import save\n\nclass User:\n    pass\n";
const MODELS_FIXED: &str = "class User:\n    pass\n\nfrom services import save\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::write_fixture(
        dir.path(),
        &format!(
            "# file: main.py\nimport models\n# file: models.py\n{MODELS}# file: services.py\nfrom models import User\n\ndef save(user):\n    return user\n"
        ),
    );
    dir
}

fn uri(dir: &tempfile::TempDir, path: &str) -> String {
    format!("file://{}/{path}", std::fs::canonicalize(dir.path()).unwrap().display())
}

fn codes(list: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = list.iter().map(|d| d["code"].as_str().unwrap_or_default().to_string()).collect();
    codes.sort();
    codes
}

#[test]
fn cross_file_diagnostics_follow_edits_of_another_file() {
    let dir = workspace();
    let (mut client, init) = Client::start(dir.path(), json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let models = uri(&dir, "models.py");
    let services = uri(&dir, "services.py");
    client.open(&models, MODELS);
    // The first analysis covers the open file's imports; the complete one names `python main.py`.
    let list = client.diagnostics(&services, |l| {
        l.iter().any(|d| d["code"] == "MC002" && d["message"].as_str().unwrap_or_default().contains("python main.py"))
    });
    let mc002 = list.iter().find(|d| d["code"] == "MC002").unwrap();
    assert_eq!(mc002["range"]["start"], json!({"line": 0, "character": 0}));
    assert_eq!(mc002["source"], "modcache");
    assert!(mc002["message"].as_str().unwrap().contains("python main.py"), "{mc002}");
    assert!(!mc002["relatedInformation"].as_array().unwrap().is_empty());

    // Defining User before the import makes the cycle harmless: MC002 goes away in services.py.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": models, "version": 2}, "contentChanges": [{"text": MODELS_FIXED}]}),
    );
    client.diagnostics(&services, |l| !codes(l).contains(&"MC002".to_string()));
    // Undoing it (as an incremental edit) brings it back.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": models, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}}, "text": ""},
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": MODELS}
        ]}),
    );
    client.diagnostics(&services, |l| codes(l).contains(&"MC002".to_string()));
    client.shutdown();
}

#[test]
fn utf16_and_utf8_columns_on_lines_with_non_ascii_text() {
    let dir = workspace();
    let line = "x = \"é😀\"; from models import User\r\n";
    std::fs::write(dir.path().join("services.py"), format!("{line}\r\ndef save(user):\r\n    return user\r\n")).unwrap();
    let services = uri(&dir, "services.py");
    for (offered, expected_character) in [(json!(["utf-16"]), 11), (json!(["utf-8", "utf-16"]), 14)] {
        let (mut client, init) = Client::start(dir.path(), json!({"general": {"positionEncodings": offered}}));
        let encoding = init["capabilities"]["positionEncoding"].clone();
        client.open(&services, &std::fs::read_to_string(dir.path().join("services.py")).unwrap());
        let list = client.diagnostics(&services, |l| codes(l).contains(&"MC002".to_string()));
        let mc002 = list.iter().find(|d| d["code"] == "MC002").unwrap();
        // `from` starts after `x = "é😀"; `: 10 characters, 11 UTF-16 code units, 14 bytes.
        assert_eq!(mc002["range"]["start"]["character"], expected_character, "encoding {encoding}");
        assert_eq!(mc002["range"]["start"]["line"], 0);
        // Hover at the same position finds the import statement.
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": services}, "position": {"line": 0, "character": expected_character + 2}}),
        );
        let text = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        assert!(text.contains("**`models`**"), "{encoding}: {text}");
        client.shutdown();
    }
}

#[test]
fn hover_inlay_hints_code_lens_and_load_order() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let main = uri(&dir, "main.py");
    let services = uri(&dir, "services.py");
    client.open(&main, "import models\n");
    client.open(&services, &std::fs::read_to_string(dir.path().join("services.py")).unwrap());
    client.diagnostics(&services, |l| {
        l.iter().any(|d| d["code"] == "MC002" && d["message"].as_str().unwrap_or_default().contains("python main.py"))
    });
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": main}, "position": {"line": 0, "character": 9}}));
    let text = hover["contents"]["value"].as_str().unwrap().to_string();
    assert!(text.contains("`python main.py`: **runs** `models` here (step 2 of the load order)"), "{text}");
    assert!(text.contains("import cycle"), "{text}");
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": services}, "position": {"line": 0, "character": 6}}));
    let text = hover["contents"]["value"].as_str().unwrap().to_string();
    assert!(text.contains("cache hit") && text.contains("still initialising"), "{text}");
    let hints = client.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": main}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}}),
    );
    assert_eq!(hints[0]["label"], " runs code: models (step 2)", "{hints}");
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": services}}));
    assert!(lenses[0]["command"]["title"].as_str().unwrap().starts_with("runs at step 3 of `python main.py`"), "{lenses}");
    let order = client.request("modcache/loadOrder", json!({"entry": "main.py"}));
    assert_eq!(order["outcome"]["path"], "services.py");
    assert_eq!(order["order"][2]["module"], "services");
    assert_eq!(order["trace"].as_array().unwrap().last().unwrap()["action"], "cached-partial");
    let entries = client.request("modcache/entries", json!({}));
    assert!(entries["entries"].as_array().unwrap().contains(&json!("main.py")), "{entries}");
    let graph = client.request("modcache/graph", json!({}));
    assert_eq!(graph["cycles"], json!([["models", "services"]]));
    assert!(graph["mermaid"].as_str().unwrap().starts_with("graph LR"));
    client.shutdown();
}

#[test]
fn code_lens_says_that_a_module_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    support::write_fixture(
        dir.path(),
        "# file: main.py\nimport importlib\nimport config\nimportlib.reload(config)\n# file: config.py\nVALUE = 1\n",
    );
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let config = uri(&dir, "config.py");
    client.open(&config, "VALUE = 1\n");
    client.diagnostics(&config, |_| true);
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": config}}));
    let title = lenses[0]["command"]["title"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        title, "runs at step 2 of `python main.py`, first imported from main.py:2 — and runs again later in the same run",
        "{lenses}"
    );
    client.shutdown();
}

#[test]
fn bad_input_gets_clean_answers_and_the_server_goes_on() {
    let dir = workspace();
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let main = uri(&dir, "main.py");
    client.open(&main, "import models\n");
    let unknown = client.request_raw("modcache/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // The test-only request that panics does not exist unless the environment asks for it.
    let panic = client.request_raw("modcache/panic", json!({}));
    assert_eq!(panic["error"]["code"], -32601, "{panic}");
    client.send_raw("{ this is not json");
    let far = client.request("textDocument/hover", json!({"textDocument": {"uri": main}, "position": {"line": 999, "character": 999}}));
    assert!(far.is_null(), "{far}");
    let unknown_uri = client.request("textDocument/hover", json!({"textDocument": {"uri": "file:///nowhere/x.py"}, "position": {"line": 0, "character": 0}}));
    assert!(unknown_uri.is_null());
    let bad_entry = client.request_raw("modcache/loadOrder", json!({"entry": 42}));
    assert!(bad_entry["error"].is_object(), "{bad_entry}");
    // Binary garbage and invalid Python in an open document: still answers.
    client.open(&uri(&dir, "broken.py"), "def (:\n\u{0}\u{1}import models\n");
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": main}, "position": {"line": 0, "character": 9}}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("models"));
    client.shutdown();
}

#[test]
fn a_panic_in_a_handler_is_answered_shown_and_survived() {
    let dir = workspace();
    let (mut client, _) = Client::start_with_env(dir.path(), json!({}), &[("MODCACHE_ALLOW_PANIC_REQUEST", "1")]);
    let main = uri(&dir, "main.py");
    let services = uri(&dir, "services.py");
    client.open(&main, "import models\n");
    for attempt in 0..2 {
        let response = client.request_raw("modcache/panic", json!({"attempt": attempt}));
        assert_eq!(response["error"]["code"], -32603, "an internal error: {response}");
        let shown = client.wait(|m| m["method"] == "window/showMessage");
        assert_eq!(shown["params"]["type"], 1, "an error message: {shown}");
        let message = shown["params"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("internal error in modcache/panic"), "{message}");
    }
    // The session goes on: the session lock is usable, analysis still publishes, requests answer.
    client.open(&services, &std::fs::read_to_string(dir.path().join("services.py")).unwrap());
    client.diagnostics(&services, |l| codes(l).contains(&"MC002".to_string()));
    let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": main}, "position": {"line": 0, "character": 9}}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("models"), "{hover}");
    client.shutdown();
}

const STATE_WORKSPACE: &str = "\
# file: main.py
import app
# file: state.py
import os

cache = {}
ENV = os.getenv(\"APP_ENV\")


def put(key, value):
    cache[key] = value
# file: app.py
import state
from state import cache


def reset():
    cache.clear()
# file: tools.py
import importlib
import state
from state import cache

importlib.reload(state)
";

#[test]
fn hovers_describe_import_time_state_and_who_changes_it() {
    let dir = tempfile::tempdir().unwrap();
    support::write_fixture(dir.path(), STATE_WORKSPACE);
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let app = uri(&dir, "app.py");
    let state = uri(&dir, "state.py");
    let read = |path: &str| std::fs::read_to_string(dir.path().join(path)).unwrap();
    client.open(&app, &read("app.py"));
    client.open(&state, &read("state.py"));
    client.diagnostics(&state, |l| codes(l).contains(&"MC101".to_string()));
    let hover = |client: &mut Client, uri: &str, line: u32, character: u32| {
        let hover = client.request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}));
        hover["contents"]["value"].as_str().unwrap_or_default().to_string()
    };
    // On an import: what the imported module does when its top level runs.
    let text = hover(&mut client, &app, 0, 8);
    assert!(text.contains("reads the environment, once") && text.contains("`os.getenv()` at line 4"), "{text}");
    assert!(text.contains("[shared mutable state](") && text.contains("`cache` (dict, line 3)"), "{text}");
    // On a module-level name: when it is bound, that it is shared, and who changes it later.
    let text = hover(&mut client, &state, 2, 1);
    assert!(text.contains("bound at line 3") && text.contains("mutable `dict`"), "{text}");
    assert!(text.contains("`from state import cache` at `app.py:2`"), "{text}");
    assert!(text.contains("`app.py:6`: `reset()` clears it"), "{text}");
    assert!(text.contains("`state.py:8`: `put()` sets an item of it"), "{text}");
    let text = hover(&mut client, &state, 3, 1);
    assert!(text.contains("comes from `os.getenv()`") && text.contains("later changes to the environment are not seen"), "{text}");
    // On `importlib.reload`: what this call runs again and which names stay stale.
    let tools = uri(&dir, "tools.py");
    client.open(&tools, &read("tools.py"));
    let text = hover(&mut client, &tools, 4, 12);
    assert!(text.contains("**`importlib.reload(state)`** runs `state.py` again"), "{text}");
    assert!(text.contains("- `app.py:2`: `cache`\n- `tools.py:3`: `cache`"), "{text}");
    client.shutdown();
}

#[test]
fn watched_files_and_pulled_configuration_update_diagnostics() {
    let dir = workspace();
    let capabilities = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}, "configuration": true}});
    let (mut client, _) = Client::start(dir.path(), capabilities);
    // The client's settings leave MC001 out.
    client.configuration = json!([{"ignore": ["MC001"]}]);
    let registration = client.wait(|m| m["method"] == "client/registerCapability");
    let registered = registration["params"]["registrations"][0].clone();
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles", "{registration}");
    assert!(registered["registerOptions"]["watchers"].to_string().contains("**/*.py"), "{registration}");
    let services = uri(&dir, "services.py");
    let models = uri(&dir, "models.py");
    client.open(&services, &std::fs::read_to_string(dir.path().join("services.py")).unwrap());
    client.diagnostics(&services, |l| codes(l) == ["MC002"]);

    // models.py is not open: it changes on disk, and the watcher's event brings the change in.
    std::fs::write(dir.path().join("models.py"), MODELS_FIXED).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": models, "type": 2}]}));
    client.diagnostics(&services, |l| l.is_empty());
    std::fs::write(dir.path().join("models.py"), MODELS).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": models, "type": 2}]}));
    client.diagnostics(&services, |l| codes(l) == ["MC002"]);

    // New settings: the server asks for them again when told that they changed.
    client.configuration = json!([{"select": ["MC001"]}]);
    client.notify("workspace/didChangeConfiguration", json!({"settings": null}));
    client.diagnostics(&services, |l| codes(l) == ["MC001"]);
    client.shutdown();
}

#[test]
fn pulled_diagnostics_and_cancelled_requests() {
    let dir = workspace();
    // Enough files that indexing is still going on when the next requests arrive.
    let filler: String = (0..3000).map(|i| format!("# file: filler/m{i}.py\nVALUE = {i}\n")).collect();
    support::write_fixture(dir.path(), &filler);
    let capabilities = json!({"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": true}}});
    let (mut client, _) = Client::start(dir.path(), capabilities);
    // modcache/graph waits for the whole workspace; cancelling it ends the wait with an error.
    let id = client.next_id;
    client.next_id += 1;
    client.send(json!({"jsonrpc": "2.0", "id": id, "method": "modcache/graph", "params": {}}));
    client.notify("$/cancelRequest", json!({"id": id}));
    let cancelled = client.wait(|m| m["id"] == json!(id) && m.get("method").is_none());
    assert_eq!(cancelled["error"]["code"], -32800, "RequestCancelled: {cancelled}");

    // Pull mode: the server publishes nothing and asks the client to pull again when results change.
    let services = uri(&dir, "services.py");
    client.open(&services, &std::fs::read_to_string(dir.path().join("services.py")).unwrap());
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let report = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": services}}));
        assert_eq!(report["kind"], "full", "{report}");
        let items = report["items"].as_array().cloned().unwrap_or_default();
        if items.iter().any(|d| d["code"] == "MC002" && d["message"].as_str().unwrap_or_default().contains("python main.py")) {
            break;
        }
        assert!(Instant::now() < deadline, "MC002 never pulled; last: {report}");
        client.wait(|m| m["method"] == "workspace/diagnostic/refresh");
    }
    let workspace = client.request("workspace/diagnostic", json!({"previousResultIds": []}));
    let reports = workspace["items"].as_array().unwrap();
    let services_report = reports.iter().find(|r| r["uri"] == services).expect("a report for services.py");
    assert!(codes(services_report["items"].as_array().unwrap()).contains(&"MC002".to_string()), "{workspace}");
    assert!(reports.iter().any(|r| r["uri"] == uri(&dir, "models.py")), "{workspace}");
    assert!(client.backlog.iter().all(|m| m["method"] != "textDocument/publishDiagnostics"), "pull mode publishes nothing");
    client.shutdown();
}

/// Applies LSP text edits (UTF-16 positions) to a text.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let index = modcache::analysis::text::LineIndex::new(text);
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let pos = |p: &Value| {
                index.offset_utf16(
                    text,
                    modcache::analysis::text::LineCol { line: p["line"].as_u64().unwrap() as u32, col: p["character"].as_u64().unwrap() as u32 },
                ) as usize
            };
            (pos(&e["range"]["start"]), pos(&e["range"]["end"]), e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    ranges.sort_by_key(|r| std::cmp::Reverse((r.0, r.1)));
    let mut out = text.to_string();
    for (start, end, new) in ranges {
        out.replace_range(start..end, &new);
    }
    out
}

#[test]
fn code_actions_produce_parseable_edits_that_fix_the_crash() {
    let dir = workspace();
    let services_text = "from models import User\n\n\ndef save(user: User):\n    return User(user)\n";
    std::fs::write(dir.path().join("services.py"), services_text).unwrap();
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let services = uri(&dir, "services.py");
    client.open(&services, services_text);
    let list = client.diagnostics(&services, |l| codes(l).contains(&"MC002".to_string()));
    let mc002 = list.iter().find(|d| d["code"] == "MC002").unwrap().clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": services}, "range": mc002["range"], "context": {"diagnostics": [mc002]}}),
    );
    let titles: Vec<&str> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    for expected in ["Suppress MC002 on this line", "Use `import models` and qualified names (breaks the cycle at import time)", "Insert `importlib.reload(models)` and re-bind the imported names"] {
        assert!(titles.contains(&expected), "{titles:?}");
    }
    for action in actions.as_array().unwrap() {
        let edits = &action["edit"]["changes"][&services];
        let new_text = apply_edits(services_text, edits.as_array().unwrap());
        let summary = modcache::analysis::summary::summarize(&new_text);
        assert!(summary.syntax_errors.is_empty(), "{} made invalid Python:\n{new_text}", action["title"]);
        if action["title"].as_str().unwrap().starts_with("Use `import models`") {
            assert_eq!(
                new_text,
                "from __future__ import annotations\nimport models\n\n\ndef save(user: models.User):\n    return models.User(user)\n"
            );
            // And this crash is gone: analysed from scratch, services.py has no MC002 (models.py
            // still crashes when services is imported first, which is another statement's fix).
            let project = support::project(&format!(
                "# file: main.py\nimport models\n# file: models.py\n{MODELS}# file: services.py\n{new_text}"
            ));
            let analysis = modcache::analysis::check::analyze(&project);
            assert!(
                analysis.diagnostics.iter().all(|d| d.code != "MC002" || d.path != "services.py"),
                "{:?}",
                analysis.diagnostics
            );
        }
        if action["title"].as_str().unwrap().starts_with("Suppress") {
            assert!(new_text.starts_with("from models import User  # modcache: ignore[MC002]\n"));
        }
    }
    client.shutdown();
}

#[test]
fn object_conversions_rewrite_every_first_party_use_and_the_program_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let state = "class DatabaseService:\n    pass\n\n\nservice = DatabaseService()\n\n\ndef current():\n    return service\n";
    support::write_fixture(
        dir.path(),
        &format!(
            "# file: state.py\n{state}# file: app.py\nfrom state import service\n\nprint(type(service).__name__)\n# file: worker.py\nimport state\n\nassert state.service is state.current()\n"
        ),
    );
    let (mut client, _) = Client::start(dir.path(), json!({}));
    let state_uri = uri(&dir, "state.py");
    client.open(&state_uri, state);
    client.request("modcache/entries", json!({}));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": state_uri}, "range": {"start": {"line": 4, "character": 2}, "end": {"line": 4, "character": 2}}, "context": {"diagnostics": []}}),
    );
    let titles: Vec<String> = actions.as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_string()).collect();
    for title in ["Turn `service` into a lazy singleton `get_service()`", "Turn `service` into a factory function `make_service()`"] {
        let action = actions.as_array().unwrap().iter().find(|a| a["title"] == title).unwrap_or_else(|| panic!("{titles:?}"));
        let out = tempfile::tempdir().unwrap();
        for file in ["state.py", "app.py", "worker.py"] {
            let original = std::fs::read_to_string(dir.path().join(file)).unwrap();
            let edits = action["edit"]["changes"][uri(&dir, file)].as_array().cloned().unwrap_or_default();
            let edited = apply_edits(&original, &edits);
            assert!(modcache::analysis::summary::summarize(&edited).syntax_errors.is_empty(), "{title}: {file}:\n{edited}");
            std::fs::write(out.path().join(file), edited).unwrap();
        }
        let app = std::fs::read_to_string(out.path().join("app.py")).unwrap();
        let worker = std::fs::read_to_string(out.path().join("worker.py")).unwrap();
        if title.contains("singleton") {
            assert_eq!(app, "from state import get_service\n\nprint(type(get_service()).__name__)\n");
            assert_eq!(worker, "import state\n\nassert state.get_service() is state.current()\n");
            // CPython agrees that the program still runs.
            let run = Command::new("python3").current_dir(out.path()).args(["-c", "import app, worker"]).output().unwrap();
            assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
            assert_eq!(String::from_utf8_lossy(&run.stdout), "DatabaseService\n");
        } else {
            assert!(app.contains("make_service()"), "{app}");
        }
    }
    client.shutdown();
}
