//! Code actions. Each returns an edit that keeps the file parseable (the tests apply every
//! action and parse the result):
//! - suppress a finding on its line;
//! - break a crashing cycle: `from m import x` → `import m` with qualified uses, or move the
//!   import into the functions that use it, or guard an annotation-only import with
//!   `if TYPE_CHECKING:`;
//! - insert `importlib.reload(m)` after an import, re-binding names taken with `from m import`;
//! - turn a module-level object into a factory function or an explicit lazy singleton, updating
//!   its uses in every first-party file (a workspace edit).

use std::collections::HashMap;

use tower_lsp_server::ls_types::*;
use tree_sitter::Node;

use super::document::Document;
use super::session::Session;
use crate::analysis::summary::{parse, ImportKind, ImportStmt};
use crate::analysis::text::TextRange;

pub fn code_actions(s: &Session, params: &CodeActionParams) -> Option<CodeActionResponse> {
    let uri = &params.text_document.uri;
    let path = s.path_of(uri)?;
    let document = s.documents.get(&path)?;
    let start = document.offset(params.range.start, s.encoding) as u32;
    let end = document.offset(params.range.end, s.encoding) as u32;
    let mut actions = Vec::new();
    let edit_for = |edits: Vec<(TextRange, String)>| -> WorkspaceEdit {
        let changes = edits
            .into_iter()
            .map(|(range, new_text)| TextEdit { range: document.range(range, s.encoding), new_text })
            .collect();
        WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), changes)])), ..Default::default() }
    };
    for diagnostic in params.context.diagnostics.iter().filter(|d| d.source.as_deref() == Some("modcache")) {
        let Some(NumberOrString::String(code)) = &diagnostic.code else { continue };
        let line = diagnostic.range.start.line;
        let edits = suppress(&document.text, &document.line_index, line, code);
        actions.push(action(format!("Suppress {code} on this line"), CodeActionKind::QUICKFIX, edit_for(edits), Some(diagnostic.clone())));
    }
    let statements: Vec<&ImportStmt> = document
        .summary
        .imports
        .iter()
        .filter(|stmt| stmt.range.start <= end && start <= stmt.range.end && stmt.context.in_function.is_none())
        .collect();
    for (title, edits) in object_conversions(s, &path, document, start) {
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for (file, range, new_text) in edits {
            let Some(file_uri) = s.uri_of(&file) else { continue };
            let Some((text, index)) = s.text(&file) else { continue };
            changes.entry(file_uri).or_default().push(TextEdit { range: s.encoding.range(&text, &index, range), new_text });
        }
        let edit = WorkspaceEdit { changes: Some(changes), ..Default::default() };
        actions.push(action(title, CodeActionKind::REFACTOR_REWRITE, edit, None));
    }
    for stmt in statements {
        let crash = params.context.diagnostics.iter().find(|d| {
            d.code == Some(NumberOrString::String("MC002".into()))
                && document.offset(d.range.start, s.encoding) as u32 == stmt.range.start
        });
        if let Some(edits) = import_module_instead(document, stmt) {
            actions.push(action(edits.0, CodeActionKind::QUICKFIX, edit_for(edits.1), crash.cloned()));
        }
        if let Some(edits) = move_into_functions(document, stmt) {
            actions.push(action(edits.0, CodeActionKind::QUICKFIX, edit_for(edits.1), crash.cloned()));
        }
        if let Some(edits) = guard_with_type_checking(document, stmt) {
            actions.push(action(edits.0, CodeActionKind::QUICKFIX, edit_for(edits.1), crash.cloned()));
        }
        if let Some(edits) = insert_reload(document, stmt) {
            actions.push(action(edits.0, CodeActionKind::REFACTOR_REWRITE, edit_for(edits.1), None));
        }
    }
    Some(actions)
}

fn action(title: String, kind: CodeActionKind, edit: WorkspaceEdit, diagnostic: Option<Diagnostic>) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|d| vec![d]),
        edit: Some(edit),
        ..Default::default()
    })
}

/// Adds the code to the line's `# modcache: ignore[...]` comment, or appends one.
pub fn suppress(text: &str, index: &crate::analysis::text::LineIndex, line: u32, code: &str) -> Vec<(TextRange, String)> {
    let range = index.line_range(text, line);
    let content = &text[range.start as usize..range.end as usize];
    if let Some(at) = content.find("# modcache: ignore[") {
        let open = at + "# modcache: ignore[".len();
        if let Some(close) = content[open..].find(']') {
            let insert = range.start + (open + close) as u32;
            return vec![(TextRange { start: insert, end: insert }, format!(", {code}"))];
        }
    }
    vec![(TextRange { start: range.end, end: range.end }, format!("  # modcache: ignore[{code}]"))]
}

/// The identifiers of the file that read `name` as a global (not attribute names, keyword
/// names, parameters, or names in import statements).
fn uses_of<'t>(root: Node<'t>, text: &str, name: &str) -> Vec<Node<'t>> {
    let mut uses = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" | "import_from_statement" | "future_import_statement" => continue,
            "identifier" if &text[node.byte_range()] == name => {
                let parent = node.parent();
                let field_of_parent = |field: &str| parent.and_then(|p| p.child_by_field_name(field)) == Some(node);
                let excluded = match parent.map(|p| p.kind()) {
                    Some("attribute") => field_of_parent("attribute"),
                    Some("keyword_argument") => field_of_parent("name"),
                    Some("function_definition" | "class_definition") => field_of_parent("name"),
                    Some("parameters" | "default_parameter" | "typed_parameter" | "typed_default_parameter") => {
                        field_of_parent("name") || parent.is_some_and(|p| p.kind() == "parameters")
                    }
                    Some("global_statement" | "nonlocal_statement") => true,
                    _ => false,
                };
                if !excluded {
                    uses.push(node);
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    uses.sort_by_key(|n| n.start_byte());
    uses
}

/// Whether a use sits in an annotation (parameter or return type, or a variable annotation).
fn in_annotation(node: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "type" {
            return true;
        }
        if matches!(parent.kind(), "function_definition" | "class_definition" | "module" | "block") {
            return false;
        }
        current = parent;
    }
    false
}

/// The function definition whose body holds `node`.
fn enclosing_function(node: Node) -> Option<Node> {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.kind() == "function_definition" && parent.child_by_field_name("body").is_some_and(|b| b.byte_range().contains(&node.start_byte())) {
            return Some(parent);
        }
        current = parent;
    }
    None
}

/// The statement's whole lines, with its line break, for deleting it.
fn statement_lines(document: &Document, stmt: &ImportStmt) -> TextRange {
    let index = &document.line_index;
    let first = index.line_of(stmt.range.start);
    let last = index.line_of(stmt.range.end);
    TextRange { start: index.line_start(first), end: index.line_start(last + 1) }
}

fn indentation(document: &Document, offset: u32) -> String {
    let line = document.line_index.line_of(offset);
    let start = document.line_index.line_start(line) as usize;
    document.text[start..].chars().take_while(|c| *c == ' ' || *c == '\t').collect()
}

/// `from m import a, b` → `import m` with uses `m.a`, `m.b` (reads at use time, when `m` has
/// finished initialising).
fn import_module_instead(document: &Document, stmt: &ImportStmt) -> Option<(String, Vec<(TextRange, String)>)> {
    let ImportKind::From { level, module, names, star: false } = &stmt.kind else { return None };
    let (new_import, qualifier) = match (level, module) {
        (0, Some(module)) => match module.rsplit_once('.') {
            Some((_, last)) => (format!("import {module} as {last}"), last.to_string()),
            None => (format!("import {module}"), module.clone()),
        },
        (level, Some(module)) => {
            let (parent, last) = match module.rsplit_once('.') {
                Some((parent, last)) => (format!("{}{parent}", ".".repeat(*level as usize)), last.to_string()),
                None => (".".repeat(*level as usize), module.clone()),
            };
            (format!("from {parent} import {last}"), last)
        }
        _ => return None,
    };
    let tree = parse(&document.text)?;
    let mut edits = vec![(stmt.range, new_import.clone())];
    let mut in_annotations = false;
    for name in names {
        for node in uses_of(tree.root_node(), &document.text, name.bound_name()) {
            in_annotations |= in_annotation(node);
            edits.push((TextRange::new(node.start_byte(), node.end_byte()), format!("{qualifier}.{}", name.name)));
        }
    }
    // Annotations are evaluated when the `def` runs, at import time, where the module is still
    // partial; postponed evaluation keeps `models.User` in an annotation from reading it then.
    if in_annotations && !document.text.contains("from __future__ import annotations") {
        let at = future_import_position(document, tree.root_node());
        edits.push((TextRange { start: at, end: at }, "from __future__ import annotations\n".to_string()));
    }
    Some((format!("Use `{new_import}` and qualified names (breaks the cycle at import time)"), edits))
}

/// Deletes a from-import whose names are used only inside functions, and imports them at the
/// start of each of those functions instead.
fn move_into_functions(document: &Document, stmt: &ImportStmt) -> Option<(String, Vec<(TextRange, String)>)> {
    let tree = parse(&document.text)?;
    let bound = stmt.kind.bound_names();
    if bound.is_empty() {
        return None;
    }
    let mut functions: Vec<Node> = Vec::new();
    for name in &bound {
        for node in uses_of(tree.root_node(), &document.text, name) {
            let function = enclosing_function(node)?;
            // Annotations of the function itself are evaluated where the def runs.
            if in_annotation(node) && !function.child_by_field_name("body")?.byte_range().contains(&node.start_byte()) {
                return None;
            }
            if !functions.iter().any(|f| f.id() == function.id()) {
                functions.push(function);
            }
        }
    }
    if functions.is_empty() {
        return None;
    }
    let statement_text = document.text[stmt.range.start as usize..stmt.range.end as usize].to_string();
    let mut edits = vec![(statement_lines(document, stmt), String::new())];
    for function in functions {
        let body = function.child_by_field_name("body")?;
        let first = body.named_child(0)?;
        let indent = indentation(document, first.start_byte() as u32);
        let at = document.line_index.line_start(document.line_index.line_of(first.start_byte() as u32));
        edits.push((TextRange { start: at, end: at }, format!("{indent}{statement_text}\n")));
    }
    Some(("Move this import into the functions that use it".to_string(), edits))
}

/// Puts an import whose names appear only in annotations under `if TYPE_CHECKING:` (and adds
/// `from __future__ import annotations`, so that the annotations are no longer evaluated).
fn guard_with_type_checking(document: &Document, stmt: &ImportStmt) -> Option<(String, Vec<(TextRange, String)>)> {
    if stmt.context.type_checking || matches!(stmt.kind, ImportKind::Dynamic { .. }) {
        return None;
    }
    let tree = parse(&document.text)?;
    let bound = stmt.kind.bound_names();
    let mut any_use = false;
    for name in &bound {
        for node in uses_of(tree.root_node(), &document.text, name) {
            if !in_annotation(node) {
                return None;
            }
            any_use = true;
        }
    }
    if !any_use || !indentation(document, stmt.range.start).is_empty() {
        return None;
    }
    let statement_text = &document.text[stmt.range.start as usize..stmt.range.end as usize];
    let has_type_checking = document.text.contains("import TYPE_CHECKING");
    let mut replacement = String::new();
    if !has_type_checking {
        replacement.push_str("from typing import TYPE_CHECKING\n\n");
    }
    replacement.push_str("if TYPE_CHECKING:\n");
    for line in statement_text.lines() {
        replacement.push_str("    ");
        replacement.push_str(line);
        replacement.push('\n');
    }
    let mut edits = vec![(statement_lines(document, stmt), replacement)];
    if !document.text.contains("from __future__ import annotations") {
        let at = future_import_position(document, tree.root_node());
        edits.push((TextRange { start: at, end: at }, "from __future__ import annotations\n".to_string()));
    }
    Some(("Import only for type checking (`if TYPE_CHECKING:`)".to_string(), edits))
}

/// Where a `from __future__` import may go: after the module docstring and other future imports.
fn future_import_position(document: &Document, root: Node) -> u32 {
    let mut at = 0;
    let mut cursor = root.walk();
    for (i, child) in root.named_children(&mut cursor).enumerate() {
        let is_docstring = i == 0
            && child.kind() == "expression_statement"
            && child.named_child(0).is_some_and(|c| c.kind() == "string");
        if is_docstring || child.kind() == "future_import_statement" {
            at = document.line_index.line_start(document.line_index.line_of(child.end_byte() as u32) + 1);
        } else if child.kind() != "comment" {
            break;
        }
    }
    at
}

/// Inserts `importlib.reload(m)` after an import, re-binding from-imported names.
fn insert_reload(document: &Document, stmt: &ImportStmt) -> Option<(String, Vec<(TextRange, String)>)> {
    let indent = indentation(document, stmt.range.start);
    let after = statement_lines(document, stmt).end;
    let mut lines = Vec::new();
    let has_importlib = document.summary.imports.iter().any(|i| {
        matches!(&i.kind, ImportKind::Import { modules } if modules.iter().any(|m| m.dotted == "importlib" && m.alias.is_none()))
    });
    if !has_importlib {
        lines.push("import importlib".to_string());
    }
    let title = match &stmt.kind {
        ImportKind::Import { modules } => {
            let module = modules.first()?;
            let bound = module.alias.clone().unwrap_or_else(|| module.dotted.clone());
            lines.push(format!("importlib.reload({bound})"));
            format!("Insert `importlib.reload({bound})` after this import")
        }
        ImportKind::From { level: 0, module: Some(module), names, star: false } => {
            let bound = module.clone();
            lines.push(format!("import {module}"));
            lines.push(format!("importlib.reload({bound})"));
            for name in names {
                lines.push(format!("{} = {bound}.{}", name.bound_name(), name.name));
            }
            format!("Insert `importlib.reload({bound})` and re-bind the imported names")
        }
        _ => return None,
    };
    let text: String = lines.iter().map(|l| format!("{indent}{l}\n")).collect();
    // A statement on the last line without a newline needs one before the insertion.
    let text = if after as usize == document.text.len() && !document.text.ends_with('\n') { format!("\n{text}") } else { text };
    Some((title, vec![(TextRange { start: after, end: after }, text)]))
}

/// A module-level `name = value` statement at `offset`: (statement, name, value) nodes.
fn module_assignment<'t>(root: Node<'t>, text: &str, offset: u32) -> Option<(Node<'t>, String, Node<'t>)> {
    let mut cursor = root.walk();
    let statement = root
        .named_children(&mut cursor)
        .find(|n| n.start_byte() as u32 <= offset && offset <= n.end_byte() as u32 && n.kind() == "expression_statement")?;
    let assignment = statement.named_child(0).filter(|a| a.kind() == "assignment")?;
    let left = assignment.child_by_field_name("left").filter(|l| l.kind() == "identifier")?;
    let right = assignment.child_by_field_name("right")?;
    let is_object = matches!(right.kind(), "call" | "list" | "dictionary" | "set" | "list_comprehension" | "dictionary_comprehension" | "set_comprehension");
    let name = text[left.byte_range()].to_string();
    (is_object && name != "__all__").then_some((statement, name, right))
}

/// Whether `node` is written to (an assignment target, a `del`, a loop variable): a use that a
/// function call cannot replace.
fn is_write(node: Node) -> bool {
    let mut current = node;
    while let Some(parent) = current.parent() {
        match parent.kind() {
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" | "named_expression" => {
                let target = parent.child_by_field_name("left").or_else(|| parent.child_by_field_name("name"));
                return target.is_some_and(|t| t.byte_range().contains(&node.start_byte()));
            }
            "delete_statement" | "global_statement" | "nonlocal_statement" => return true,
            "pattern_list" | "tuple_pattern" | "list_pattern" => current = parent,
            _ => return false,
        }
    }
    false
}

type FileEdit = (String, TextRange, String);

/// "Turn into a factory function" and "turn into a lazy singleton" for a module-level object.
fn object_conversions(s: &Session, path: &str, document: &Document, offset: u32) -> Vec<(String, Vec<FileEdit>)> {
    let Some(tree) = parse(&document.text) else { return Vec::new() };
    let text = &document.text;
    let Some((statement, name, value)) = module_assignment(tree.root_node(), text, offset) else { return Vec::new() };
    let local_uses = uses_of(tree.root_node(), text, &name);
    // Rebinding the name anywhere, or reading it before it is defined, has no call equivalent.
    if local_uses.iter().any(|n| is_write(*n) && !statement.byte_range().contains(&n.start_byte())) {
        return Vec::new();
    }
    let value_text = &text[value.byte_range()];
    let statement_range = TextRange::new(statement.start_byte(), statement.end_byte());
    let mut conversions = Vec::new();
    for (function, definition, title) in [
        (
            format!("get_{}", name.trim_start_matches('_')),
            format!(
                "_{name} = None\n\n\ndef get_{bare}():\n    \"\"\"The shared `{name}`, created at the first call instead of at import time.\"\"\"\n    global _{name}\n    if _{name} is None:\n        _{name} = {value_text}\n    return _{name}",
                bare = name.trim_start_matches('_')
            ),
            "Turn `{name}` into a lazy singleton `{function}()`",
        ),
        (
            format!("make_{}", name.trim_start_matches('_')),
            format!(
                "def make_{bare}():\n    \"\"\"A new `{name}` for each caller, instead of one object shared by every importer.\"\"\"\n    return {value_text}",
                bare = name.trim_start_matches('_')
            ),
            "Turn `{name}` into a factory function `{function}()`",
        ),
    ] {
        let mut edits: Vec<FileEdit> = vec![(path.to_string(), statement_range, definition)];
        for node in &local_uses {
            if statement.byte_range().contains(&node.start_byte()) {
                continue;
            }
            edits.push((path.to_string(), TextRange::new(node.start_byte(), node.end_byte()), format!("{function}()")));
        }
        match importer_edits(s, path, &name, &function) {
            Some(more) => edits.extend(more),
            None => continue,
        }
        conversions.push((title.replace("{name}", &name).replace("{function}", &function), edits));
    }
    conversions
}

/// The edits in other first-party files: `from m import name` and `m.name`.
fn importer_edits(s: &Session, path: &str, name: &str, function: &str) -> Option<Vec<FileEdit>> {
    let results = s.results.as_ref()?;
    let project = &results.project;
    let mut edits = Vec::new();
    for (other, summary) in project.files() {
        if other == path {
            continue;
        }
        let importing: Vec<&ImportStmt> = summary
            .imports
            .iter()
            .filter(|stmt| crate::analysis::graph::static_targets(project, other, stmt).iter().any(|t| t == path))
            .collect();
        if importing.is_empty() {
            continue;
        }
        let (text, _) = s.text(other)?;
        let tree = parse(&text)?;
        let current = crate::analysis::summary::summarize_tree(&text, &tree);
        for stmt in &current.imports {
            if !crate::analysis::graph::static_targets(project, other, stmt).iter().any(|t| t == path) {
                continue;
            }
            match &stmt.kind {
                ImportKind::From { names, .. } => {
                    for imported in names.iter().filter(|n| n.name == name) {
                        let bound = imported.bound_name().to_string();
                        let replacement = match &imported.alias {
                            Some(alias) => format!("{function} as {alias}"),
                            None => function.to_string(),
                        };
                        edits.push((other.to_string(), imported.range, replacement));
                        let new_name = imported.alias.clone().unwrap_or_else(|| function.to_string());
                        for node in uses_of(tree.root_node(), &text, &bound) {
                            if is_write(node) {
                                return None;
                            }
                            edits.push((other.to_string(), TextRange::new(node.start_byte(), node.end_byte()), format!("{new_name}()")));
                        }
                    }
                }
                ImportKind::Import { modules } => {
                    for module in modules {
                        let local = module.alias.clone().unwrap_or_else(|| module.dotted.clone());
                        attribute_uses(tree.root_node(), &text, &local, name, function, other, &mut edits);
                    }
                }
                ImportKind::Dynamic { .. } => {}
            }
        }
    }
    Some(edits)
}

/// `local.name` (with `local` possibly dotted, as after `import pkg.mod`) → `local.function()`.
fn attribute_uses(root: Node, text: &str, local: &str, name: &str, function: &str, path: &str, edits: &mut Vec<FileEdit>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() == "attribute" {
            let object = node.child_by_field_name("object");
            let attribute = node.child_by_field_name("attribute");
            if let (Some(object), Some(attribute)) = (object, attribute) {
                let object_text: String = text[object.byte_range()].chars().filter(|c| !c.is_whitespace()).collect();
                if object_text == local && &text[attribute.byte_range()] == name {
                    edits.push((path.to_string(), TextRange::new(attribute.start_byte(), attribute.end_byte()), format!("{function}()")));
                }
            }
        }
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
}
