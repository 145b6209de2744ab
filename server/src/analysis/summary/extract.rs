//! Builds a [`FileSummary`] from a tree-sitter parse tree.

use std::cell::RefCell;
use std::collections::HashSet;

use tree_sitter::{Node, Parser, Tree};

use super::condition::{CompareOp, Cond};
use super::*;
use crate::analysis::text::{LineIndex, TextRange};

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new(new_parser());
}

/// A parser for Python; the grammar is linked in, so this cannot fail at run time.
pub fn new_parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .expect("the bundled tree-sitter-python grammar matches the tree-sitter runtime");
    parser
}

/// Parses `text` with the calling thread's parser.
pub fn parse(text: &str) -> Option<Tree> {
    PARSER.with(|parser| parser.borrow_mut().parse(text, None))
}

/// Summarises a file's text. Never fails: unparseable regions are recorded as syntax errors and
/// the rest of the file is still summarised.
pub fn summarize(text: &str) -> FileSummary {
    match parse(text) {
        Some(tree) => summarize_tree(text, &tree),
        // tree-sitter gives up only on cancellation or a timeout, neither of which is set here;
        // an empty summary with an error over the whole file keeps the contract all the same.
        None => FileSummary {
            syntax_errors: vec![TextRange::new(0, text.len())],
            line_index: LineIndex::new(text),
            ..FileSummary::default()
        },
    }
}

/// Summarises a file from an existing parse tree (the language server keeps trees per document).
pub fn summarize_tree(text: &str, tree: &Tree) -> FileSummary {
    let root = tree.root_node();
    let mut suppressions = Vec::new();
    let line_index = LineIndex::new(text);
    let mut extractor = Extractor {
        text,
        aliases: Aliases::collect(root, text, &line_index, &mut suppressions),
        summary: FileSummary { line_index, ..FileSummary::default() },
        ctx: Ctx::default(),
        future_annotations: false,
        assigning_bare_object: false,
    };
    if root.has_error() {
        collect_syntax_errors(root, &mut extractor.summary.syntax_errors);
    }
    let body = extractor.block(root);
    extractor.summary.body = body;
    extractor.summary.suppressions = suppressions;
    extractor.summary.state = super::state::collect(text, root);
    extractor.summary
}

fn collect_syntax_errors(node: Node, out: &mut Vec<TextRange>) {
    const LIMIT: usize = 100;
    if out.len() >= LIMIT {
        return;
    }
    if node.is_error() || node.is_missing() {
        out.push(TextRange::new(node.start_byte(), node.end_byte()));
        return;
    }
    if node.has_error() {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            collect_syntax_errors(child, out);
        }
    }
}

/// Local names for the modules and objects whose use the summary must recognise.
#[derive(Default)]
struct Aliases {
    sys: HashSet<String>,
    sys_modules: HashSet<String>,
    version_info: HashSet<String>,
    platform: HashSet<String>,
    os: HashSet<String>,
    importlib: HashSet<String>,
    import_module: HashSet<String>,
    type_checking: HashSet<String>,
}

impl Aliases {
    /// Also gathers suppression comments, since it visits every node once anyway.
    fn collect(root: Node, text: &str, line_index: &LineIndex, suppressions: &mut Vec<Suppression>) -> Self {
        let mut aliases = Aliases::default();
        aliases.sys.insert("sys".into());
        aliases.os.insert("os".into());
        aliases.importlib.insert("importlib".into());
        aliases.type_checking.insert("TYPE_CHECKING".into());
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            if node.kind() == "comment" {
                if let Some(codes) = Suppression::parse(node_text(node, text)) {
                    suppressions.push(Suppression {
                        line: line_index.line_number(node.start_byte() as u32),
                        range: range(node),
                        codes,
                    });
                }
                continue;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
            match node.kind() {
                "import_statement" => {
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        if let Some((dotted, alias)) = dotted_and_alias(name, text) {
                            let local = alias.unwrap_or_else(|| dotted.clone());
                            match dotted.as_str() {
                                "sys" => { aliases.sys.insert(local); }
                                "os" => { aliases.os.insert(local); }
                                "importlib" => { aliases.importlib.insert(local); }
                                _ => {}
                            }
                        }
                    }
                }
                "import_from_statement" => {
                    let module = node.child_by_field_name("module_name").map(|m| node_text(m, text));
                    let mut cursor = node.walk();
                    for name in node.children_by_field_name("name", &mut cursor) {
                        if let Some((imported, alias)) = dotted_and_alias(name, text) {
                            let local = alias.unwrap_or_else(|| imported.clone());
                            match (module, imported.as_str()) {
                                (Some("sys"), "modules") => { aliases.sys_modules.insert(local); }
                                (Some("sys"), "version_info") => { aliases.version_info.insert(local); }
                                (Some("sys"), "platform") => { aliases.platform.insert(local); }
                                (Some("importlib"), "import_module") => { aliases.import_module.insert(local); }
                                (Some(_), "TYPE_CHECKING") => { aliases.type_checking.insert(local); }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        suppressions.sort_by_key(|s| s.range);
        aliases
    }
}

/// `a.b` or `a.b as c` → ("a.b", Some("c")).
fn dotted_and_alias(node: Node, text: &str) -> Option<(String, Option<String>)> {
    match node.kind() {
        "dotted_name" => Some((dotted_text(node, text), None)),
        "aliased_import" => {
            let name = node.child_by_field_name("name")?;
            let alias = node.child_by_field_name("alias").map(|a| node_text(a, text).to_string());
            Some((dotted_text(name, text), alias))
        }
        _ => None,
    }
}

/// The text of a dotted name without the whitespace or comments Python allows between parts.
fn dotted_text(node: Node, text: &str) -> String {
    let mut cursor = node.walk();
    let parts: Vec<&str> =
        node.named_children(&mut cursor).filter(|c| c.kind() == "identifier").map(|c| node_text(c, text)).collect();
    if parts.is_empty() {
        node_text(node, text).to_string()
    } else {
        parts.join(".")
    }
}

fn node_text<'t>(node: Node, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

fn range(node: Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

/// Where the walker stands; copied into each [`ImportContext`].
#[derive(Clone, Default)]
struct Ctx {
    in_function: Option<FuncId>,
    in_class: bool,
    type_checking: bool,
    main_guard: bool,
    guarded_by_except: bool,
    in_import_fallback: bool,
    statically_false: bool,
    conditional: bool,
}

struct Extractor<'t> {
    text: &'t str,
    aliases: Aliases,
    summary: FileSummary,
    ctx: Ctx,
    future_annotations: bool,
    /// The right-hand side of the assignment being read is a bare `object()`.
    assigning_bare_object: bool,
}

impl<'t> Extractor<'t> {
    fn text(&self, node: Node) -> &'t str {
        node_text(node, self.text)
    }

    fn at_module_level(&self) -> bool {
        self.ctx.in_function.is_none() && !self.ctx.in_class
    }

    /// The statements of a `module` or `block` node.
    fn block(&mut self, node: Node) -> Block {
        let mut out = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        for child in children {
            self.stmt(child, &mut out);
        }
        out
    }

    /// The block of a compound statement's field, or nothing when the parse lost it.
    fn field_block(&mut self, node: Node, field: &str) -> Block {
        match node.child_by_field_name(field) {
            Some(block) => self.block(block),
            None => Vec::new(),
        }
    }

    fn with_ctx<R>(&mut self, change: impl FnOnce(&mut Ctx), f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.ctx.clone();
        change(&mut self.ctx);
        let result = f(self);
        self.ctx = saved;
        result
    }

    fn stmt(&mut self, node: Node, out: &mut Block) {
        match node.kind() {
            "import_statement" => self.import_statement(node, out),
            "import_from_statement" => self.import_from_statement(node, out),
            "future_import_statement" => {
                if self.text(node).contains("annotations") {
                    self.future_annotations = true;
                }
            }
            "expression_statement" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    match child.kind() {
                        "assignment" => self.assignment(child, out),
                        "augmented_assignment" => self.augmented_assignment(child, out),
                        _ => self.expr(child, out),
                    }
                }
            }
            "if_statement" => self.if_statement(node, out),
            "while_statement" => {
                let cond_node = node.child_by_field_name("condition");
                if let Some(c) = cond_node {
                    self.expr(c, out);
                }
                let cond = cond_node.map(|c| self.cond(c)).unwrap_or(Cond::Unknown);
                let body = self.branch_block(&cond, node, "body");
                let orelse = node.child_by_field_name("alternative").map(|e| self.field_block(e, "body"));
                out.push(Event::If { branches: vec![Branch { cond, body }], orelse: None });
                if let Some(orelse) = orelse {
                    out.extend(orelse);
                }
            }
            "for_statement" => {
                if let Some(right) = node.child_by_field_name("right") {
                    self.expr(right, out);
                }
                if let Some(left) = node.child_by_field_name("left") {
                    self.target(left, out);
                }
                out.extend(self.field_block(node, "body"));
                if let Some(orelse) = node.child_by_field_name("alternative") {
                    out.extend(self.field_block(orelse, "body"));
                }
            }
            "with_statement" => {
                let mut cursor = node.walk();
                let clauses: Vec<Node> =
                    node.named_children(&mut cursor).filter(|c| c.kind() == "with_clause").collect();
                for clause in clauses {
                    let mut cursor = clause.walk();
                    let items: Vec<Node> = clause.named_children(&mut cursor).collect();
                    for item in items {
                        match item.child_by_field_name("value") {
                            Some(value) => self.with_item_value(value, out),
                            None => self.expr(item, out),
                        }
                    }
                }
                out.extend(self.field_block(node, "body"));
            }
            "try_statement" => self.try_statement(node, out),
            "function_definition" => self.function_definition(node, &[], out),
            "class_definition" => self.class_definition(node, &[], out),
            "decorated_definition" => {
                let mut cursor = node.walk();
                let decorators: Vec<Node> =
                    node.named_children(&mut cursor).filter(|c| c.kind() == "decorator").collect();
                for decorator in &decorators {
                    let mut cursor = decorator.walk();
                    let exprs: Vec<Node> = decorator.named_children(&mut cursor).collect();
                    for e in exprs {
                        self.expr(e, out);
                    }
                }
                let applied: Vec<Node> = decorators
                    .iter()
                    .rev()
                    .filter_map(|d| d.named_child(0))
                    .collect();
                if let Some(def) = node.child_by_field_name("definition") {
                    match def.kind() {
                        "function_definition" => self.function_definition(def, &applied, out),
                        "class_definition" => self.class_definition(def, &applied, out),
                        _ => {}
                    }
                }
            }
            "global_statement" => {
                if let Some(func) = self.ctx.in_function {
                    let mut cursor = node.walk();
                    let names: Vec<String> = node
                        .named_children(&mut cursor)
                        .filter(|c| c.kind() == "identifier")
                        .map(|c| self.text(c).to_string())
                        .collect();
                    self.summary.functions[func as usize].globals.extend(names);
                }
            }
            "delete_statement" => {
                let mut cursor = node.walk();
                let targets: Vec<Node> = node.named_children(&mut cursor).collect();
                for target in targets {
                    self.delete_target(target, out);
                }
            }
            "match_statement" => {
                if let Some(subject) = node.child_by_field_name("subject") {
                    self.expr(subject, out);
                }
                let mut branches = Vec::new();
                if let Some(body) = node.child_by_field_name("body") {
                    let mut cursor = body.walk();
                    let cases: Vec<Node> =
                        body.named_children(&mut cursor).filter(|c| c.kind() == "case_clause").collect();
                    for case in cases {
                        let body = self.with_ctx(|c| c.conditional = true, |this| this.field_block(case, "consequence"));
                        branches.push(Branch { cond: Cond::Unknown, body });
                    }
                }
                out.push(Event::If { branches, orelse: None });
            }
            "type_alias_statement" => {
                if let Some(left) = node.child_by_field_name("left") {
                    let name = self.text(left).split('[').next().unwrap_or("").trim().to_string();
                    if !name.is_empty() {
                        out.push(Event::Bind { name, range: range(left) });
                    }
                }
            }
            "pass_statement" | "break_statement" | "continue_statement" | "comment" | "nonlocal_statement" => {}
            "ERROR" => {
                // Keep what can be read inside a broken region: statements and expressions alike.
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.stmt(child, out);
                }
            }
            // return, raise, assert, print (Python 2) and anything else: their expressions run.
            _ => self.expr(node, out),
        }
    }

    fn with_item_value(&mut self, value: Node, out: &mut Block) {
        if value.kind() == "as_pattern" {
            let mut cursor = value.walk();
            let children: Vec<Node> = value.named_children(&mut cursor).collect();
            for child in children {
                if child.kind() == "as_pattern_target" {
                    let mut cursor = child.walk();
                    let targets: Vec<Node> = child.named_children(&mut cursor).collect();
                    for target in targets {
                        self.target(target, out);
                    }
                } else {
                    self.expr(child, out);
                }
            }
        } else {
            self.expr(value, out);
        }
    }

    fn branch_ctx(ctx: &mut Ctx, cond: &Cond) {
        if cond.mentions_type_checking() && cond.is_always_false() {
            ctx.type_checking = true;
        } else if cond.is_main_guard() {
            ctx.main_guard = true;
        } else if cond.is_always_false() {
            ctx.statically_false = true;
        } else {
            ctx.conditional = true;
        }
    }

    fn branch_block(&mut self, cond: &Cond, node: Node, field: &str) -> Block {
        self.with_ctx(|ctx| Self::branch_ctx(ctx, cond), |this| this.field_block(node, field))
    }

    fn if_statement(&mut self, node: Node, out: &mut Block) {
        let Some(condition) = node.child_by_field_name("condition") else {
            return;
        };
        self.expr(condition, out);
        let cond = self.cond(condition);
        if self.at_module_level() && cond.is_main_guard() && self.summary.main_guard.is_none() {
            self.summary.main_guard = Some(range(node));
        }
        let mut branches = vec![Branch { body: self.branch_block(&cond, node, "consequence"), cond: cond.clone() }];
        let mut previous = vec![cond];
        let mut orelse = None;
        let mut cursor = node.walk();
        let alternatives: Vec<Node> = node.children_by_field_name("alternative", &mut cursor).collect();
        for alt in alternatives {
            match alt.kind() {
                "elif_clause" => {
                    let cond = alt.child_by_field_name("condition").map(|c| self.cond(c)).unwrap_or(Cond::Unknown);
                    let body = self.branch_block(&cond, alt, "consequence");
                    previous.push(cond.clone());
                    branches.push(Branch { cond, body });
                }
                "else_clause" => {
                    // The else branch runs when every earlier condition is false.
                    let negated = Cond::And(previous.iter().map(|c| Cond::Not(Box::new(c.clone()))).collect());
                    let body = self.with_ctx(
                        |ctx| {
                            if previous.len() == 1 && previous[0].mentions_type_checking() {
                                // `else:` of `if TYPE_CHECKING:` runs at run time, unconditionally.
                            } else if negated.is_always_false() {
                                ctx.statically_false = true;
                            } else {
                                ctx.conditional = true;
                            }
                        },
                        |this| this.field_block(alt, "body"),
                    );
                    orelse = Some(body);
                }
                _ => {}
            }
        }
        out.push(Event::If { branches, orelse });
    }

    fn try_statement(&mut self, node: Node, out: &mut Block) {
        let mut cursor = node.walk();
        let clauses: Vec<Node> = node.named_children(&mut cursor).collect();
        let mut handler_nodes = Vec::new();
        let mut else_node = None;
        let mut finally_node = None;
        for clause in &clauses {
            match clause.kind() {
                "except_clause" | "except_group_clause" => handler_nodes.push(*clause),
                "else_clause" => else_node = Some(*clause),
                "finally_clause" => finally_node = Some(*clause),
                _ => {}
            }
        }
        let catches: Vec<Catch> = handler_nodes.iter().map(|h| self.catch(*h)).collect();
        let guards_imports = catches.iter().any(|c| c.catches("ImportError"));
        let body = self.with_ctx(
            |ctx| ctx.guarded_by_except |= guards_imports,
            |this| this.field_block(node, "body"),
        );
        let mut handlers = Vec::new();
        for (handler, catches) in handler_nodes.into_iter().zip(catches) {
            let fallback = catches.catches("ImportError");
            let mut body = Vec::new();
            if let Some(alias) = handler.child_by_field_name("alias") {
                if alias.kind() == "identifier" {
                    body.push(Event::Bind { name: self.text(alias).to_string(), range: range(alias) });
                }
            }
            let mut cursor = handler.walk();
            let blocks: Vec<Node> = handler.named_children(&mut cursor).filter(|c| c.kind() == "block").collect();
            for block in blocks {
                let events = self.with_ctx(
                    |ctx| {
                        ctx.in_import_fallback |= fallback;
                        ctx.conditional = true;
                    },
                    |this| this.block(block),
                );
                body.extend(events);
            }
            if let Some(alias) = handler.child_by_field_name("alias") {
                if alias.kind() == "identifier" {
                    // Python deletes the exception name at the end of the handler.
                    body.push(Event::Unbind { name: self.text(alias).to_string() });
                }
            }
            handlers.push(Handler { catches, body });
        }
        let orelse = else_node.map(|e| self.field_block(e, "body")).unwrap_or_default();
        let finally = match finally_node {
            Some(f) => {
                let mut cursor = f.walk();
                let blocks: Vec<Node> = f.named_children(&mut cursor).filter(|c| c.kind() == "block").collect();
                blocks.into_iter().flat_map(|b| self.block(b)).collect()
            }
            None => Vec::new(),
        };
        out.push(Event::Try { body, handlers, orelse, finally });
    }

    /// What an `except` clause's type expression catches.
    fn catch(&self, handler: Node) -> Catch {
        let value = handler.child_by_field_name("value").or_else(|| {
            // Older grammars put the type as the first named child.
            let mut cursor = handler.walk();
            let first = handler.named_children(&mut cursor).find(|c| c.kind() != "block");
            first
        });
        let Some(value) = value else {
            return Catch::All;
        };
        let mut names = Vec::new();
        self.exception_names(value, &mut names);
        if names.iter().any(|n| n == "BaseException") {
            Catch::All
        } else {
            Catch::Names(names)
        }
    }

    fn exception_names(&self, node: Node, out: &mut Vec<String>) {
        match node.kind() {
            "identifier" => out.push(self.text(node).to_string()),
            "attribute" => {
                if let Some(attr) = node.child_by_field_name("attribute") {
                    out.push(self.text(attr).to_string());
                }
            }
            "tuple" | "parenthesized_expression" | "expression_list" => {
                let mut cursor = node.walk();
                for child in node.named_children(&mut cursor) {
                    self.exception_names(child, out);
                }
            }
            // `except ImportError as e` in grammars that wrap it in an as_pattern.
            "as_pattern" => {
                if let Some(first) = node.named_child(0) {
                    self.exception_names(first, out);
                }
            }
            _ => {}
        }
    }

    fn function_definition(&mut self, node: Node, decorators: &[Node], out: &mut Block) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        let name = self.text(name_node).to_string();
        // Default values (and, without `from __future__ import annotations`, annotations) are
        // evaluated when the `def` statement runs.
        if let Some(params) = node.child_by_field_name("parameters") {
            let mut cursor = params.walk();
            let params: Vec<Node> = params.named_children(&mut cursor).collect();
            for param in params {
                if let Some(value) = param.child_by_field_name("value") {
                    self.expr(value, out);
                }
                if !self.future_annotations {
                    if let Some(annotation) = param.child_by_field_name("type") {
                        self.expr(annotation, out);
                    }
                }
            }
        }
        if !self.future_annotations {
            if let Some(ret) = node.child_by_field_name("return_type") {
                self.expr(ret, out);
            }
        }
        let func = self.summary.functions.len() as FuncId;
        self.summary.functions.push(Function {
            name: name.clone(),
            body: Vec::new(),
            globals: Vec::new(),
            range: range(node),
            name_range: range(name_node),
        });
        let body = self.with_ctx(
            |ctx| {
                ctx.in_function = Some(func);
                ctx.in_class = false;
            },
            |this| this.field_block(node, "body"),
        );
        self.summary.functions[func as usize].body = body;
        if self.at_module_level() && name == "__getattr__" {
            self.summary.dynamic_namespace = true;
        }
        self.apply_decorators(decorators, out);
        out.push(Event::Def { name, func, range: range(name_node) });
    }

    fn class_definition(&mut self, node: Node, decorators: &[Node], out: &mut Block) {
        let Some(name_node) = node.child_by_field_name("name") else {
            return;
        };
        if let Some(bases) = node.child_by_field_name("superclasses") {
            self.expr(bases, out);
        }
        let body = self.with_ctx(|ctx| ctx.in_class = true, |this| this.field_block(node, "body"));
        out.push(Event::Class { name: String::new(), body, range: range(node) });
        self.apply_decorators(decorators, out);
        out.push(Event::Bind { name: self.text(name_node).to_string(), range: range(name_node) });
    }

    /// A decorator that is a plain name or attribute is called with the new function or class.
    fn apply_decorators(&mut self, decorators: &[Node], out: &mut Block) {
        for decorator in decorators {
            if let Some(callee) = self.callee(*decorator) {
                out.push(Event::Call { callee, range: range(*decorator) });
            }
        }
    }

    fn callee(&self, node: Node) -> Option<Callee> {
        match node.kind() {
            "identifier" => Some(Callee::Name(self.text(node).to_string())),
            "attribute" => {
                let object = node.child_by_field_name("object")?;
                let attr = node.child_by_field_name("attribute")?;
                (object.kind() == "identifier").then(|| Callee::Attr {
                    base: self.text(object).to_string(),
                    attr: self.text(attr).to_string(),
                })
            }
            _ => None,
        }
    }

    fn assignment(&mut self, node: Node, out: &mut Block) {
        // `a = b = value`: the value is the innermost right-hand side; targets bind left to right.
        let mut targets = Vec::new();
        let mut current = node;
        let mut annotation = None;
        loop {
            if let Some(left) = current.child_by_field_name("left") {
                targets.push(left);
            }
            if annotation.is_none() {
                annotation = current.child_by_field_name("type");
            }
            match current.child_by_field_name("right") {
                Some(right) if right.kind() == "assignment" => current = right,
                Some(right) => {
                    if self.at_module_level() && targets.len() == 1 && self.text(targets[0]) == "__all__" {
                        self.record_all(right, false);
                    }
                    // `m = importlib.import_module('m')`: the import binds the module to `m`.
                    if targets.len() == 1 && targets[0].kind() == "identifier" && right.kind() == "call" {
                        if let Some(kind) = self.dynamic_import_call(right, Some(self.text(targets[0]).to_string())) {
                            if let Some(args) = right.child_by_field_name("arguments") {
                                self.expr(args, out);
                            }
                            self.push_import(kind, right, out);
                            return;
                        }
                    }
                    self.expr(right, out);
                    self.assigning_bare_object = right.kind() == "call"
                        && right.child_by_field_name("function").is_some_and(|f| self.text(f) == "object")
                        && right.child_by_field_name("arguments").is_some_and(|a| a.named_child_count() == 0);
                    break;
                }
                None => {
                    // `x: int` without a value binds nothing (but a module-level annotation is
                    // still evaluated).
                    if let Some(annotation) = annotation {
                        if !self.future_annotations && self.ctx.in_function.is_none() {
                            self.expr(annotation, out);
                        }
                    }
                    return;
                }
            }
        }
        if let Some(annotation) = annotation {
            if !self.future_annotations && self.ctx.in_function.is_none() {
                self.expr(annotation, out);
            }
        }
        for target in targets {
            self.target(target, out);
        }
        self.assigning_bare_object = false;
    }

    fn augmented_assignment(&mut self, node: Node, out: &mut Block) {
        let left = node.child_by_field_name("left");
        if let Some(right) = node.child_by_field_name("right") {
            if self.at_module_level() && left.map(|l| self.text(l)) == Some("__all__") {
                self.record_all(right, true);
            }
            self.expr(right, out);
        }
        if let Some(left) = left {
            match left.kind() {
                "identifier" => out.push(Event::Bind { name: self.text(left).to_string(), range: range(left) }),
                _ => self.target(left, out),
            }
        }
    }

    /// Reads a literal list or tuple of strings assigned (or added) to `__all__`.
    fn record_all(&mut self, value: Node, extend: bool) {
        let names = self.string_sequence(value);
        match names {
            Some(names) => {
                if extend {
                    match &mut self.summary.all {
                        Some(all) => all.extend(names),
                        None => self.summary.all_is_dynamic = true,
                    }
                } else {
                    self.summary.all = Some(names);
                }
            }
            None => self.summary.all_is_dynamic = true,
        }
    }

    fn string_sequence(&self, node: Node) -> Option<Vec<String>> {
        match node.kind() {
            "list" | "tuple" | "parenthesized_expression" | "expression_list" => {
                let mut cursor = node.walk();
                let mut names = Vec::new();
                for child in node.named_children(&mut cursor) {
                    if child.kind() == "comment" {
                        continue;
                    }
                    names.push(self.string_literal(child)?);
                }
                Some(names)
            }
            "binary_operator" => {
                let mut left = self.string_sequence(node.child_by_field_name("left")?)?;
                left.extend(self.string_sequence(node.child_by_field_name("right")?)?);
                Some(left)
            }
            _ => None,
        }
    }

    /// The value of a plain string literal (no f-string, no escapes that change the text).
    fn string_literal(&self, node: Node) -> Option<String> {
        if node.kind() == "concatenated_string" {
            let mut cursor = node.walk();
            let mut value = String::new();
            for part in node.named_children(&mut cursor) {
                value.push_str(&self.string_literal(part)?);
            }
            return Some(value);
        }
        if node.kind() != "string" {
            return None;
        }
        let mut cursor = node.walk();
        let mut value = String::new();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "string_start" => {
                    let prefix = self.text(child).to_ascii_lowercase();
                    if prefix.contains('f') || prefix.contains('b') || prefix.contains('t') {
                        return None;
                    }
                }
                "string_content" => value.push_str(self.text(child)),
                "string_end" => {}
                _ => return None,
            }
        }
        Some(value)
    }

    /// An assignment target: binds names, or writes an attribute or item.
    fn target(&mut self, node: Node, out: &mut Block) {
        match node.kind() {
            "identifier" => out.push(Event::Bind { name: self.text(node).to_string(), range: range(node) }),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "list_splat_pattern" | "tuple" | "list"
            | "parenthesized_expression" | "expression_list" | "list_splat" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.target(child, out);
                }
            }
            "attribute" => {
                let (Some(object), Some(attr)) = (node.child_by_field_name("object"), node.child_by_field_name("attribute"))
                else {
                    return;
                };
                if object.kind() == "identifier" {
                    out.push(Event::SetAttr {
                        base: self.text(object).to_string(),
                        attr: self.text(attr).to_string(),
                        range: range(node),
                    });
                } else {
                    self.expr(object, out);
                }
            }
            "subscript" => {
                if let Some(name) = self.sys_modules_key(node) {
                    out.push(Event::SysModulesSet { name, range: range(node), bare: self.assigning_bare_object });
                    return;
                }
                if self.at_module_level() && self.is_globals_call(node.child_by_field_name("value")) {
                    self.summary.dynamic_namespace = true;
                }
                self.expr(node, out);
            }
            _ => self.expr(node, out),
        }
    }

    fn delete_target(&mut self, node: Node, out: &mut Block) {
        match node.kind() {
            "identifier" => out.push(Event::Unbind { name: self.text(node).to_string() }),
            "expression_list" | "tuple" | "parenthesized_expression" | "list" => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.delete_target(child, out);
                }
            }
            "subscript" => match self.sys_modules_key(node) {
                Some(name) => out.push(Event::SysModulesDel { name, range: range(node) }),
                None => self.expr(node, out),
            },
            _ => self.expr(node, out),
        }
    }

    fn is_globals_call(&self, node: Option<Node>) -> bool {
        node.is_some_and(|n| {
            n.kind() == "call" && n.child_by_field_name("function").is_some_and(|f| self.text(f) == "globals")
        })
    }

    /// Whether `node` is `sys.modules` (or a local alias of it).
    fn is_sys_modules(&self, node: Node) -> bool {
        match node.kind() {
            "identifier" => self.aliases.sys_modules.contains(self.text(node)),
            "attribute" => {
                let object = node.child_by_field_name("object");
                let attr = node.child_by_field_name("attribute");
                match (object, attr) {
                    (Some(o), Some(a)) => {
                        o.kind() == "identifier" && self.aliases.sys.contains(self.text(o)) && self.text(a) == "modules"
                    }
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// `sys.modules['name']` → `name`.
    fn sys_modules_key(&self, subscript: Node) -> Option<String> {
        let value = subscript.child_by_field_name("value")?;
        if !self.is_sys_modules(value) {
            return None;
        }
        let key = subscript.child_by_field_name("subscript")?;
        self.string_literal(key)
    }

    /// The events of evaluating an expression, in evaluation order.
    fn expr(&mut self, node: Node, out: &mut Block) {
        match node.kind() {
            "identifier" | "string" | "integer" | "float" | "true" | "false" | "none" | "comment" | "ellipsis" => {}
            "lambda" => {
                // Only the defaults of a lambda run when it is created.
                if let Some(params) = node.child_by_field_name("parameters") {
                    self.expr(params, out);
                }
            }
            "call" => self.call(node, out),
            "attribute" => {
                let mut chain = Vec::new();
                let mut current = node;
                while current.kind() == "attribute" {
                    match current.child_by_field_name("attribute") {
                        Some(attr) => chain.push(self.text(attr).to_string()),
                        None => break,
                    }
                    match current.child_by_field_name("object") {
                        Some(object) => current = object,
                        None => break,
                    }
                }
                chain.reverse();
                if current.kind() == "identifier" && !chain.is_empty() {
                    out.push(Event::Attr { base: self.text(current).to_string(), attrs: chain, range: range(node) });
                } else {
                    self.expr(current, out);
                }
            }
            "named_expression" => {
                if let Some(value) = node.child_by_field_name("value") {
                    self.expr(value, out);
                }
                if let Some(name) = node.child_by_field_name("name") {
                    out.push(Event::Bind { name: self.text(name).to_string(), range: range(name) });
                }
            }
            "for_in_clause" => {
                // The loop variable lives in the comprehension's own scope; the iterable runs.
                if let Some(right) = node.child_by_field_name("right") {
                    self.expr(right, out);
                }
            }
            "keyword_argument" => {
                if let Some(value) = node.child_by_field_name("value") {
                    self.expr(value, out);
                }
            }
            _ => {
                let mut cursor = node.walk();
                let children: Vec<Node> = node.named_children(&mut cursor).collect();
                for child in children {
                    self.expr(child, out);
                }
            }
        }
    }

    fn call(&mut self, node: Node, out: &mut Block) {
        let function = node.child_by_field_name("function");
        let arguments = node.child_by_field_name("arguments");
        if let (Some(function), Some(arguments)) = (function, arguments) {
            if let Some(kind) = self.dynamic_import_call(node, None) {
                if let Some(args) = Some(arguments) {
                    self.expr(args, out);
                }
                self.push_import(kind, node, out);
                return;
            }
            if self.is_sys_modules_pop(function) {
                if let Some(name) = arguments.named_child(0).and_then(|a| self.string_literal(a)) {
                    out.push(Event::SysModulesDel { name, range: range(node) });
                    return;
                }
            }
            if self.at_module_level() {
                let callee_text = self.text(function);
                if callee_text == "exec" || (callee_text.ends_with(".update") && self.is_globals_call(function.child_by_field_name("object"))) {
                    self.summary.dynamic_namespace = true;
                }
            }
        }
        if let Some(function) = function {
            self.expr(function, out);
        }
        if let Some(arguments) = arguments {
            self.expr(arguments, out);
        }
        if let Some(callee) = function.and_then(|f| self.callee(f)) {
            out.push(Event::Call { callee, range: range(node) });
        }
    }

    fn is_sys_modules_pop(&self, function: Node) -> bool {
        function.kind() == "attribute"
            && function.child_by_field_name("attribute").is_some_and(|a| self.text(a) == "pop")
            && function.child_by_field_name("object").is_some_and(|o| self.is_sys_modules(o))
    }

    fn dynamic_import_call(&self, call: Node, bind: Option<String>) -> Option<ImportKind> {
        let function = call.child_by_field_name("function")?;
        let arguments = call.child_by_field_name("arguments")?;
        match self.dynamic_import(function, arguments)? {
            ImportKind::Dynamic { module, package, returns_top_level, .. } => {
                Some(ImportKind::Dynamic { module, package, bind, returns_top_level })
            }
            other => Some(other),
        }
    }

    /// `importlib.import_module('x'[, 'pkg'])`, `import_module(...)` or `__import__('x')`.
    fn dynamic_import(&self, function: Node, arguments: Node) -> Option<ImportKind> {
        let is_import_module = match function.kind() {
            "identifier" => {
                let name = self.text(function);
                if name == "__import__" {
                    let module = self.string_literal(arguments.named_child(0)?)?;
                    // `__import__('a', ..., fromlist, level)` with a level is rare; only the
                    // plain absolute form is read.
                    return (!module.is_empty()).then_some(ImportKind::Dynamic {
                        module,
                        package: None,
                        bind: None,
                        returns_top_level: true,
                    });
                }
                self.aliases.import_module.contains(name)
            }
            "attribute" => {
                let object = function.child_by_field_name("object")?;
                let attr = function.child_by_field_name("attribute")?;
                object.kind() == "identifier"
                    && self.aliases.importlib.contains(self.text(object))
                    && self.text(attr) == "import_module"
            }
            _ => false,
        };
        if !is_import_module {
            return None;
        }
        let mut cursor = arguments.walk();
        let args: Vec<Node> =
            arguments.named_children(&mut cursor).filter(|a| a.kind() != "comment").collect();
        let module = self.string_literal(*args.first()?)?;
        let package = match args.get(1) {
            Some(arg) if arg.kind() == "keyword_argument" => {
                arg.child_by_field_name("value").and_then(|v| self.string_literal(v))
            }
            Some(arg) => self.string_literal(*arg),
            None => None,
        };
        if module.is_empty() || (module.starts_with('.') && package.is_none()) {
            return None;
        }
        Some(ImportKind::Dynamic { module, package, bind: None, returns_top_level: false })
    }

    fn push_import(&mut self, kind: ImportKind, node: Node, out: &mut Block) {
        let id = self.summary.imports.len() as ImportId;
        let ctx = &self.ctx;
        self.summary.imports.push(ImportStmt {
            kind,
            range: range(node),
            line: self.summary.line_index.line_number(node.start_byte() as u32),
            context: ImportContext {
                in_function: ctx.in_function,
                in_class: ctx.in_class,
                type_checking: ctx.type_checking,
                main_guard: ctx.main_guard,
                guarded_by_except: ctx.guarded_by_except,
                in_import_fallback: ctx.in_import_fallback,
                statically_false: ctx.statically_false,
                conditional: ctx.conditional,
            },
        });
        out.push(Event::Import(id));
    }

    fn import_statement(&mut self, node: Node, out: &mut Block) {
        let mut cursor = node.walk();
        let modules: Vec<ImportedModule> = node
            .children_by_field_name("name", &mut cursor)
            .filter_map(|name| {
                let (dotted, alias) = dotted_and_alias(name, self.text)?;
                Some(ImportedModule { dotted, alias, range: range(name) })
            })
            .collect();
        if modules.is_empty() {
            return;
        }
        self.push_import(ImportKind::Import { modules }, node, out);
    }

    fn import_from_statement(&mut self, node: Node, out: &mut Block) {
        let Some(module_node) = node.child_by_field_name("module_name") else {
            return;
        };
        let (level, module) = if module_node.kind() == "relative_import" {
            let mut level = 0;
            let mut module = None;
            let mut cursor = module_node.walk();
            for child in module_node.named_children(&mut cursor) {
                match child.kind() {
                    "import_prefix" => level = self.text(child).chars().filter(|c| *c == '.').count() as u32,
                    "dotted_name" => module = Some(dotted_text(child, self.text)),
                    _ => {}
                }
            }
            (level, module)
        } else {
            (0, Some(dotted_text(module_node, self.text)))
        };
        let mut star = false;
        let mut names = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "wildcard_import" {
                star = true;
            }
        }
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            if let Some((name_text, alias)) = dotted_and_alias(name, self.text) {
                names.push(ImportedName { name: name_text, alias, range: range(name) });
            }
        }
        if !star && names.is_empty() {
            return;
        }
        self.push_import(ImportKind::From { level, module, names, star }, node, out);
    }

    /// Reads an `if` condition.
    fn cond(&self, node: Node) -> Cond {
        match node.kind() {
            "true" => Cond::Const(true),
            "false" | "none" => Cond::Const(false),
            "integer" => Cond::Const(self.text(node).trim_start_matches('0') != ""),
            "parenthesized_expression" => node.named_child(0).map(|c| self.cond(c)).unwrap_or(Cond::Unknown),
            "identifier" => {
                let name = self.text(node);
                if self.aliases.type_checking.contains(name) {
                    Cond::TypeChecking
                } else if name == "__debug__" {
                    Cond::Const(true)
                } else {
                    Cond::Unknown
                }
            }
            "attribute" => {
                let attr = node.child_by_field_name("attribute").map(|a| self.text(a));
                if attr == Some("TYPE_CHECKING") {
                    Cond::TypeChecking
                } else {
                    Cond::Unknown
                }
            }
            "not_operator" => match node.child_by_field_name("argument") {
                Some(arg) => Cond::Not(Box::new(self.cond(arg))),
                None => Cond::Unknown,
            },
            "boolean_operator" => {
                let op = node.child_by_field_name("operator").map(|o| self.text(o));
                let left = node.child_by_field_name("left").map(|l| self.cond(l)).unwrap_or(Cond::Unknown);
                let right = node.child_by_field_name("right").map(|r| self.cond(r)).unwrap_or(Cond::Unknown);
                if op == Some("and") {
                    Cond::And(vec![left, right])
                } else {
                    Cond::Or(vec![left, right])
                }
            }
            "comparison_operator" => self.comparison(node),
            "call" => {
                // sys.platform.startswith("prefix")
                let function = node.child_by_field_name("function");
                let arguments = node.child_by_field_name("arguments");
                if let (Some(f), Some(args)) = (function, arguments) {
                    if f.kind() == "attribute"
                        && f.child_by_field_name("attribute").is_some_and(|a| self.text(a) == "startswith")
                        && f.child_by_field_name("object").is_some_and(|o| self.is_platform(o))
                    {
                        if let Some(prefix) = args.named_child(0).and_then(|a| self.string_literal(a)) {
                            return Cond::Platform { op: CompareOp::Eq, value: prefix, prefix: true };
                        }
                    }
                }
                Cond::Unknown
            }
            _ => Cond::Unknown,
        }
    }

    fn is_platform(&self, node: Node) -> bool {
        match node.kind() {
            "identifier" => self.aliases.platform.contains(self.text(node)),
            "attribute" => {
                node.child_by_field_name("object").is_some_and(|o| self.aliases.sys.contains(self.text(o)))
                    && node.child_by_field_name("attribute").is_some_and(|a| self.text(a) == "platform")
            }
            _ => false,
        }
    }

    fn is_version_info(&self, node: Node) -> bool {
        match node.kind() {
            "identifier" => self.aliases.version_info.contains(self.text(node)),
            "attribute" => {
                node.child_by_field_name("object").is_some_and(|o| self.aliases.sys.contains(self.text(o)))
                    && node.child_by_field_name("attribute").is_some_and(|a| self.text(a) == "version_info")
            }
            _ => false,
        }
    }

    fn comparison(&self, node: Node) -> Cond {
        let mut operands = Vec::new();
        let mut operators = Vec::new();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.is_named() {
                if child.kind() != "comment" {
                    operands.push(child);
                }
            } else {
                operators.push(self.text(child));
            }
        }
        if operands.len() != 2 || operators.len() != 1 {
            return Cond::Unknown;
        }
        let Some(op) = CompareOp::parse(operators[0]) else {
            return Cond::Unknown;
        };
        let (left, right) = (operands[0], operands[1]);
        // `__name__ == "__main__"` in either order.
        let is_name = |n: Node| n.kind() == "identifier" && self.text(n) == "__name__";
        let is_main = |n: Node| self.string_literal(n).as_deref() == Some("__main__");
        if (is_name(left) && is_main(right)) || (is_main(left) && is_name(right)) {
            return match op {
                CompareOp::Eq => Cond::MainGuard,
                CompareOp::Ne => Cond::Not(Box::new(Cond::MainGuard)),
                _ => Cond::Unknown,
            };
        }
        let (subject, value, op) = if self.is_version_subject(left) || self.is_platform(left) || self.is_os_name(left) {
            (left, right, op)
        } else {
            (right, left, op.flipped())
        };
        if self.is_platform(subject) {
            return match self.string_literal(value) {
                Some(value) => Cond::Platform { op, value, prefix: false },
                None => Cond::Unknown,
            };
        }
        if self.is_os_name(subject) {
            return match self.string_literal(value) {
                Some(value) => Cond::OsName { op, value },
                None => Cond::Unknown,
            };
        }
        if !self.is_version_subject(subject) {
            return Cond::Unknown;
        }
        let index = if subject.kind() == "subscript" {
            let Some(sub) = subject.child_by_field_name("subscript") else {
                return Cond::Unknown;
            };
            match sub.kind() {
                "integer" => match self.text(sub).parse::<u32>() {
                    Ok(i) if i < 2 => Some(i),
                    _ => return Cond::Unknown,
                },
                // `[:2]` and friends compare a prefix, which the tuple comparison handles.
                "slice" if self.text(sub).starts_with(':') => None,
                _ => return Cond::Unknown,
            }
        } else {
            None
        };
        let version: Option<Vec<u32>> = match (index, value.kind()) {
            (Some(_), "integer") => self.text(value).parse().ok().map(|v| vec![v]),
            (None, "tuple") => {
                let mut cursor = value.walk();
                let parts: Option<Vec<u32>> =
                    value.named_children(&mut cursor).map(|c| self.text(c).parse::<u32>().ok()).collect();
                parts
            }
            _ => None,
        };
        match version {
            Some(version) if !version.is_empty() => Cond::Version { op, index, version },
            _ => Cond::Unknown,
        }
    }

    fn is_version_subject(&self, node: Node) -> bool {
        if self.is_version_info(node) {
            return true;
        }
        node.kind() == "subscript" && node.child_by_field_name("value").is_some_and(|v| self.is_version_info(v))
    }

    fn is_os_name(&self, node: Node) -> bool {
        node.kind() == "attribute"
            && node.child_by_field_name("object").is_some_and(|o| self.aliases.os.contains(self.text(o)))
            && node.child_by_field_name("attribute").is_some_and(|a| self.text(a) == "name")
    }
}
