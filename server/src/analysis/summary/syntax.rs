//! The node kinds and fields of tree-sitter-python that the summariser reads, as numbers looked up
//! once, and a way to visit a node's children that allocates nothing per node.
//!
//! Asking a node for its kind as a string costs a `strlen` and a UTF-8 check on every call, and
//! asking for a child by field name looks the name up by string comparison every time; a summary
//! asks both questions for almost every node of the tree, and these look-ups were a sixth of the
//! summariser's time. Here a kind id becomes a [`Kind`] by indexing a table built once from the
//! grammar, and a [`Field`] is an index into the field ids.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use tree_sitter::{Language, Node, TreeCursor};

use crate::analysis::text::TextRange;

/// Declares [`Kind`] with the grammar's name of each kind, so that the table maps exactly the
/// strings that `Node::kind()` returns.
macro_rules! kinds {
    ($($variant:ident = $name:literal,)*) => {
        /// The node kinds the summariser tells apart; every other kind is [`Kind::Other`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(super) enum Kind {
            Other,
            $($variant,)*
        }

        impl Kind {
            fn from_name(name: &str) -> Kind {
                match name {
                    $($name => Kind::$variant,)*
                    _ => Kind::Other,
                }
            }
        }
    };
}

kinds! {
    AliasedImport = "aliased_import",
    ArgumentList = "argument_list",
    AsPattern = "as_pattern",
    AsPatternTarget = "as_pattern_target",
    Assignment = "assignment",
    Attribute = "attribute",
    AugmentedAssignment = "augmented_assignment",
    Await = "await",
    BinaryOperator = "binary_operator",
    Block = "block",
    BooleanOperator = "boolean_operator",
    BreakStatement = "break_statement",
    Chevron = "chevron",
    Call = "call",
    CaseClause = "case_clause",
    CasePattern = "case_pattern",
    ClassDefinition = "class_definition",
    Comment = "comment",
    ComparisonOperator = "comparison_operator",
    ConcatenatedString = "concatenated_string",
    ConditionalExpression = "conditional_expression",
    ContinueStatement = "continue_statement",
    DecoratedDefinition = "decorated_definition",
    Decorator = "decorator",
    DefaultParameter = "default_parameter",
    DeleteStatement = "delete_statement",
    Dictionary = "dictionary",
    DictionaryComprehension = "dictionary_comprehension",
    DictionarySplat = "dictionary_splat",
    DictionarySplatPattern = "dictionary_splat_pattern",
    DottedName = "dotted_name",
    ElifClause = "elif_clause",
    Ellipsis = "ellipsis",
    ElseClause = "else_clause",
    Error = "ERROR",
    ExceptClause = "except_clause",
    ExceptGroupClause = "except_group_clause",
    ExecStatement = "exec_statement",
    ExpressionList = "expression_list",
    ExpressionStatement = "expression_statement",
    FalseLiteral = "false",
    FinallyClause = "finally_clause",
    Float = "float",
    ForInClause = "for_in_clause",
    ForStatement = "for_statement",
    FunctionDefinition = "function_definition",
    FutureImportStatement = "future_import_statement",
    GeneratorExpression = "generator_expression",
    GenericType = "generic_type",
    GlobalStatement = "global_statement",
    Identifier = "identifier",
    IfClause = "if_clause",
    IfStatement = "if_statement",
    ImportFromStatement = "import_from_statement",
    ImportPrefix = "import_prefix",
    ImportStatement = "import_statement",
    Integer = "integer",
    Interpolation = "interpolation",
    KeywordArgument = "keyword_argument",
    KeywordSeparator = "keyword_separator",
    Lambda = "lambda",
    LambdaParameters = "lambda_parameters",
    LineContinuation = "line_continuation",
    List = "list",
    ListComprehension = "list_comprehension",
    ListPattern = "list_pattern",
    ListSplat = "list_splat",
    ListSplatPattern = "list_splat_pattern",
    MatchStatement = "match_statement",
    Module = "module",
    NamedExpression = "named_expression",
    NoneLiteral = "none",
    NonlocalStatement = "nonlocal_statement",
    NotOperator = "not_operator",
    Pair = "pair",
    Parameters = "parameters",
    ParenthesizedExpression = "parenthesized_expression",
    PassStatement = "pass_statement",
    PatternList = "pattern_list",
    PositionalSeparator = "positional_separator",
    PrintStatement = "print_statement",
    RaiseStatement = "raise_statement",
    RelativeImport = "relative_import",
    ReturnStatement = "return_statement",
    Set = "set",
    SetComprehension = "set_comprehension",
    Slice = "slice",
    String = "string",
    StringContent = "string_content",
    StringEnd = "string_end",
    StringStart = "string_start",
    Subscript = "subscript",
    TryStatement = "try_statement",
    TrueLiteral = "true",
    Tuple = "tuple",
    TuplePattern = "tuple_pattern",
    TypeAliasStatement = "type_alias_statement",
    TypeParameter = "type_parameter",
    TypedDefaultParameter = "typed_default_parameter",
    TypedParameter = "typed_parameter",
    UnaryOperator = "unary_operator",
    UnionPattern = "union_pattern",
    WhileStatement = "while_statement",
    WildcardImport = "wildcard_import",
    WithClause = "with_clause",
    WithItem = "with_item",
    WithStatement = "with_statement",
    Yield = "yield",
}

impl Kind {
    /// Whether a node of this kind can hold statements when it parsed without errors (the
    /// grammar's node types say which: the module, blocks and the compound statements with their
    /// clauses). Statements never stand inside an expression, so a walk that looks for statements
    /// can pass over every other node that has no error inside.
    pub(super) fn may_hold_statements(self) -> bool {
        matches!(
            self,
            Kind::Module
                | Kind::Block
                | Kind::IfStatement
                | Kind::ElifClause
                | Kind::ElseClause
                | Kind::ForStatement
                | Kind::WhileStatement
                | Kind::TryStatement
                | Kind::ExceptClause
                | Kind::ExceptGroupClause
                | Kind::FinallyClause
                | Kind::WithStatement
                | Kind::MatchStatement
                | Kind::CaseClause
                | Kind::FunctionDefinition
                | Kind::ClassDefinition
                | Kind::DecoratedDefinition
        )
    }
}

impl Kind {
    /// Whether a node of this kind can hold, when it parsed without errors, a statement that
    /// binds names (assignments, `for`, `except … as`, imports, `del`, `global`, definitions),
    /// by the grammar's node types. Any other node is an expression, in which only a walrus or
    /// an `as` pattern binds.
    pub(super) fn may_hold_binding_statements(self) -> bool {
        self.may_hold_statements()
            || matches!(self, Kind::Assignment | Kind::AugmentedAssignment | Kind::ExpressionStatement | Kind::Error)
    }
}

/// Places of the text that tell the summariser where to look in the tree, found in one pass over
/// its bytes. A word here is a run of ASCII letters, digits and underscores: bytes of other
/// scripts end words, so every place where the parser saw a keyword is among the words, and some
/// others may be (in strings, comments, identifiers of other scripts); whoever reads the marks
/// checks the tree there.
#[derive(Default)]
pub(super) struct Marks {
    /// Where `import` stands as a word.
    pub(super) imports: Vec<usize>,
    /// Where `yield` stands as a word.
    pub(super) yields: Vec<usize>,
    /// Where an expression may bind a name: every `:=`, and `as` as a word.
    pub(super) binders: Vec<usize>,
    /// Where a suppression directive may start: `modcache:`, or a word that starts with `noqa`
    /// in any case. A directive starts a `#`-separated part of its comment, so it starts a word.
    pub(super) suppressions: Vec<usize>,
    /// The tokens without which an expression adds nothing to the event program: `(` (every
    /// call has it), `.` (every attribute) and `:=`.
    pub(super) events: Vec<usize>,
    /// The tokens without which an expression adds no state fact: `(` (calls), `[` (items of
    /// `os.environ`), and the words `in` (`… in os.environ`) and `yield` (which makes the rest of a
    /// fixture teardown).
    pub(super) facts: Vec<usize>,
    /// Where `return`, `await`, `async`, `break`, `continue`, `global`, `nonlocal` or `__future__` stand as words:
    /// with `yield`, the keywords that compile only in some places (see `compile_errors`).
    pub(super) placed_keywords: Vec<usize>,
    /// Where a token may stand that tree-sitter reads and CPython refuses (see `lexical`): a
    /// number with leading zeros, a misplaced `_` or an `L` suffix, a string prefix with `b` or
    /// one that Python 3 does not know, `<>`, a backquote.
    pub(super) lexical: Vec<usize>,
    /// The text has a byte outside ASCII, so a bytes literal may hold one.
    pub(super) non_ascii: bool,
    /// Where `lambda` stands as a word (see `parameters`).
    pub(super) lambdas: Vec<usize>,
}

/// The name of a function definition's first parameter (`self` of a method, `name` of a module
/// `__getattr__`), when it is a plain, typed or defaulted name (not `*args` or `**kwargs`).
pub(super) fn first_parameter<'a>(function: Node<'a>, kids: &Children<'a>) -> Option<Node<'a>> {
    let first = kids.iter(kids.child(function, Field::Parameters)?, Which::NamedCode).next()?;
    match kind(first) {
        Kind::Identifier => Some(first),
        Kind::TypedParameter => kids.iter(first, Which::NamedCode).find(|c| kind(*c) == Kind::Identifier),
        Kind::DefaultParameter | Kind::TypedDefaultParameter => kids.child(first, Field::Name),
        _ => None,
    }
}

/// Whether one of `marks` (sorted places, see [`Marks`]) lies inside `node`.
pub(super) fn any_within(marks: &[usize], node: Node) -> bool {
    let first = marks.partition_point(|at| *at < node.start_byte());
    marks.get(first).is_some_and(|at| *at < node.end_byte())
}

/// The starts of the places where `word` stands in `bytes` as a word of its own, in the sense
/// of [`Marks`]: no word byte touches it on either side.
pub(super) fn word_starts<'b>(bytes: &'b [u8], word: &'b [u8]) -> impl Iterator<Item = usize> + 'b {
    memchr::memmem::find_iter(bytes, word).filter(move |&start| {
        let touches_before = start > 0 && is_word_byte(bytes[start - 1]);
        let touches_after = bytes.get(start + word.len()).is_some_and(|b| is_word_byte(*b));
        !touches_before && !touches_after
    })
}

/// Whether a byte belongs to a word in the sense of [`Marks`]: an ASCII letter, digit or `_`.
pub(super) fn is_word_byte(byte: u8) -> bool {
    const fn word_bytes() -> [bool; 256] {
        let mut table = [false; 256];
        let mut byte = 0;
        while byte < 256 {
            let b = byte as u8;
            table[byte] = b.is_ascii_alphanumeric() || b == b'_';
            byte += 1;
        }
        table
    }
    static WORD: [bool; 256] = word_bytes();
    WORD[usize::from(byte)]
}

impl Marks {
    pub(super) fn scan(text: &str) -> Marks {
        let bytes = text.as_bytes();
        let mut marks = Marks::default();
        let mut at = 0;
        // Where the last word ended, and where it started: a word right before a quote is the
        // string's prefix.
        let mut word = 0..0;
        while at < bytes.len() {
            if !is_word_byte(bytes[at]) {
                match bytes[at] {
                    b'\'' | b'"' if word.end == at && is_suspect_prefix(&bytes[word.clone()]) => {
                        marks.lexical.push(word.start);
                    }
                    b'<' if bytes.get(at + 1) == Some(&b'>') => marks.lexical.push(at),
                    b'`' => marks.lexical.push(at),
                    0x80.. => marks.non_ascii = true,
                    b'(' => {
                        marks.events.push(at);
                        marks.facts.push(at);
                    }
                    b'.' => marks.events.push(at),
                    b'[' => marks.facts.push(at),
                    b':' if bytes.get(at + 1) == Some(&b'=') => {
                        marks.binders.push(at);
                        marks.events.push(at);
                    }
                    _ => {}
                }
                at += 1;
                continue;
            }
            let start = at;
            while at < bytes.len() && is_word_byte(bytes[at]) {
                at += 1;
            }
            word = start..at;
            // A word that starts with a digit and would be a number that CPython refuses (`010`,
            // `10L`, `1_`; `1_.5` ends its word at the `.`); the tree decides whether the word is
            // a number at all, and whether a float.
            if bytes[start].is_ascii_digit() && super::lexical::number_problem(&bytes[start..at], false).is_some() {
                marks.lexical.push(start);
            }
            // Most words are none of these; their length and first letter say so cheaply.
            let word = &bytes[start..at];
            match (word.len(), word[0] | 0x20) {
                (2, b'a') if word == b"as" => marks.binders.push(start),
                (2, b'i') if word == b"in" => marks.facts.push(start),
                (5, b'y') if word == b"yield" => {
                    marks.facts.push(start);
                    marks.yields.push(start);
                }
                (6, b'i') if word == b"import" => marks.imports.push(start),
                (6, b'l') if word == b"lambda" => marks.lambdas.push(start),
                (6, b'r') if word == b"return" => marks.placed_keywords.push(start),
                (5, b'a') if word == b"await" || word == b"async" => marks.placed_keywords.push(start),
                (5, b'b') if word == b"break" => marks.placed_keywords.push(start),
                (8, b'c') if word == b"continue" => marks.placed_keywords.push(start),
                (8, b'n') if word == b"nonlocal" => marks.placed_keywords.push(start),
                (6, b'g') if word == b"global" => marks.placed_keywords.push(start),
                (10, _) if word == b"__future__" => marks.placed_keywords.push(start),
                (8, b'm') if word == b"modcache" && bytes.get(at) == Some(&b':') => marks.suppressions.push(start),
                (4.., b'n') if word[..4].eq_ignore_ascii_case(b"noqa") => marks.suppressions.push(start),
                _ => {}
            }
        }
        marks
    }
}

/// Whether a word right before a quote may be a string prefix worth a look: tree-sitter reads
/// any run of the letters `rbuft` (in either case) as one, while Python 3.8–3.13 know only `r`,
/// `u`, `b`, `f` and the pairs `br` and `fr` in either order; and a bytes prefix, because a bytes
/// literal may hold what only a str may.
fn is_suspect_prefix(word: &[u8]) -> bool {
    word.iter().all(|b| matches!(b | 0x20, b'r' | b'b' | b'u' | b'f' | b't'))
        && (word.iter().any(|b| b | 0x20 == b'b') || !is_python3_prefix(word))
}

/// Whether Python 3.8–3.13 read `prefix` as a string prefix.
pub(super) fn is_python3_prefix(prefix: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 9] = [b"", b"r", b"u", b"b", b"f", b"br", b"rb", b"fr", b"rf"];
    PREFIXES.iter().any(|known| known.eq_ignore_ascii_case(prefix))
}

/// Declares [`Field`] with the grammar's name of each field.
macro_rules! fields {
    ($($variant:ident = $name:literal,)*) => {
        /// The fields the summariser reads.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(super) enum Field {
            $($variant,)*
        }

        const FIELD_NAMES: &[&str] = &[$($name,)*];
    };
}

fields! {
    Alias = "alias",
    Alternative = "alternative",
    Argument = "argument",
    Arguments = "arguments",
    Attribute = "attribute",
    Body = "body",
    Cause = "cause",
    Condition = "condition",
    Consequence = "consequence",
    Definition = "definition",
    Function = "function",
    Guard = "guard",
    Left = "left",
    ModuleName = "module_name",
    Name = "name",
    Object = "object",
    Operator = "operator",
    Parameters = "parameters",
    ReturnType = "return_type",
    Right = "right",
    Subject = "subject",
    Subscript = "subscript",
    Superclasses = "superclasses",
    Type = "type",
    TypeParameters = "type_parameters",
    Value = "value",
}

struct Grammar {
    /// The kind of each kind id of the grammar.
    kinds: Vec<Kind>,
    /// The id of each [`Field`]; 0 for a field the grammar does not have, which no child carries.
    fields: Vec<u16>,
}

fn grammar() -> &'static Grammar {
    static GRAMMAR: OnceLock<Grammar> = OnceLock::new();
    GRAMMAR.get_or_init(|| {
        let language: Language = tree_sitter_python::LANGUAGE.into();
        let kinds = (0..language.node_kind_count())
            .map(|id| u16::try_from(id).ok().and_then(|id| language.node_kind_for_id(id)).map_or(Kind::Other, Kind::from_name))
            .collect();
        let fields =
            FIELD_NAMES.iter().map(|name| language.field_id_for_name(name).map_or(0, |id| id.get())).collect();
        Grammar { kinds, fields }
    })
}

/// The kind of a node: the same answer as matching `node.kind()` against the grammar's names.
pub(super) fn kind(node: Node) -> Kind {
    let found = match grammar().kinds.get(usize::from(node.kind_id())) {
        Some(kind) => *kind,
        // Ids past the grammar's own symbols are tree-sitter's (`ERROR` is `u16::MAX`); they are
        // rare enough to be read by name.
        None => Kind::from_name(node.kind()),
    };
    debug_assert_eq!(found, Kind::from_name(node.kind()), "kind table disagrees for {:?}", node.kind());
    found
}

/// Which children [`Children::iter`] visits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Which {
    /// Named children, comments included (`Node::named_children`).
    Named,
    /// Named children other than comments.
    NamedCode,
    /// Every child, named or not (`Node::children`).
    All,
    /// The children in one field (`Node::children_by_field_name`).
    InField(Field),
}

impl Which {
    /// Which list of children answers the question. The code among the named children is
    /// read off their list (see [`ChildIter`]): the walks ask both questions of most nodes, and
    /// the children are then listed once.
    fn key(self) -> u8 {
        match self {
            Which::Named | Which::NamedCode => 0,
            Which::All => 2,
            Which::InField(field) => 3 + field as u8,
        }
    }
}

/// Up to this many children, [`Children`] asks a node for its children by index.
const SMALL: u32 = 12;

/// The children of the tree's nodes, each list looked up in the tree once per file, and their
/// fields.
///
/// Every question to the tree is expensive: a step of a tree cursor costs some 650
/// instructions, `Node::named_child(i)` some 450 (it starts again from the first child),
/// because each of them walks through the hidden nodes that the grammar wraps around
/// expressions. The summary's walks (the event program, the state facts, the names of each
/// scope) ask for the children of the same nodes, so the lists are kept: a node's children go
/// into one arena, and a map from the node (its id, unique in its tree) and the list leads to
/// them. A field is asked of the tree each time (see [`Children::child`]).
pub(super) struct Children<'a> {
    cursor: RefCell<TreeCursor<'a>>,
    /// Each child with whether it is a comment (known for the named children's lists only).
    arena: RefCell<Vec<(Node<'a>, bool)>>,
    lists: NodeMap<(u32, u32)>,
}

/// Answers kept per (node id, question).
type NodeMap<V> = RefCell<HashMap<(usize, u8), V, BuildNodeHasher>>;

impl<'a> Children<'a> {
    pub(super) fn new(root: Node<'a>) -> Self {
        Children {
            cursor: RefCell::new(root.walk()),
            arena: RefCell::new(Vec::new()),
            lists: RefCell::new(HashMap::default()),
        }
    }

    /// The children of `node` that `which` selects, in order.
    pub(super) fn iter(&self, node: Node<'a>, which: Which) -> ChildIter<'_, 'a> {
        let key = (node.id(), which.key());
        let known = self.lists.borrow().get(&key).copied();
        let (start, end) = known.unwrap_or_else(|| {
            let start = self.arena.borrow().len() as u32;
            self.push(node, which);
            let end = self.arena.borrow().len() as u32;
            self.lists.borrow_mut().insert(key, (start, end));
            (start, end)
        });
        ChildIter { children: self, skip_extras: which == Which::NamedCode, next: start as usize, end: end as usize }
    }

    /// The children as a vector, for the places that keep them while the walk goes on.
    pub(super) fn collect(&self, node: Node<'a>, which: Which) -> Vec<Node<'a>> {
        self.iter(node, which).collect()
    }

    /// The first child in `field`, as `Node::child_by_field_name` finds it. Unlike the lists
    /// of children, the answer is not kept: a field look-up stops at the field's child, which
    /// is among the first few, and costs less than keeping and finding the answer in a map.
    pub(super) fn child(&self, node: Node<'a>, field: Field) -> Option<Node<'a>> {
        match grammar().fields[field as usize] {
            0 => None,
            id => node.child_by_field_id(id),
        }
    }

    fn push(&self, node: Node<'a>, which: Which) {
        let field = match which {
            Which::InField(field) => match grammar().fields[field as usize] {
                0 => return,
                id => Some(id),
            },
            _ => None,
        };
        let mut arena = self.arena.borrow_mut();
        // A cursor step costs more than a step of the iteration behind `Node::child`, but
        // `child(i)` starts that iteration again from the first child: for the few children of
        // most nodes, asking by index is cheaper.
        let count = node.child_count();
        if count <= SMALL && field.is_none() {
            let named = || (0..node.named_child_count() as u32).filter_map(|i| node.named_child(i));
            match which {
                Which::All => arena.extend((0..count).filter_map(|i| node.child(i)).map(|c| (c, false))),
                Which::Named | Which::NamedCode => arena.extend(named().map(|c| (c, is_extra(c)))),
                Which::InField(_) => {}
            }
            return;
        }
        let mut cursor = self.cursor.borrow_mut();
        cursor.reset(node);
        if !cursor.goto_first_child() {
            return;
        }
        loop {
            let child = cursor.node();
            let wanted = match which {
                Which::Named | Which::NamedCode => child.is_named(),
                Which::All => true,
                Which::InField(_) => cursor.field_id().map(|id| id.get()) == field,
            };
            if wanted {
                let comment = matches!(which, Which::Named | Which::NamedCode) && is_extra(child);
                arena.push((child, comment));
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

/// The first anonymous child of `node` whose text is `token` (a keyword or punctuation).
pub(super) fn token_child<'a>(node: Node<'a>, token: &str, text: &str, kids: &Children<'a>) -> Option<Node<'a>> {
    kids.iter(node, Which::All).find(|c| !c.is_named() && node_text(*c, text) == token)
}

/// Whether a named node is no code: a comment, or a backslash that continues the line, which
/// the grammar lets stand between any two tokens.
fn is_extra(node: Node) -> bool {
    matches!(kind(node), Kind::Comment | Kind::LineContinuation)
}

/// The children found by one [`Children::iter`].
pub(super) struct ChildIter<'c, 'a> {
    children: &'c Children<'a>,
    /// The list holds the named children and the question was [`Which::NamedCode`].
    skip_extras: bool,
    next: usize,
    end: usize,
}

impl<'a> Iterator for ChildIter<'_, 'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        let arena = self.children.arena.borrow();
        while self.next < self.end {
            let (node, comment) = arena[self.next];
            self.next += 1;
            if !(self.skip_extras && comment) {
                return Some(node);
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        (if self.skip_extras { 0 } else { left }, Some(left))
    }
}

impl DoubleEndedIterator for ChildIter<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let arena = self.children.arena.borrow();
        while self.next < self.end {
            self.end -= 1;
            let (node, comment) = arena[self.end];
            if !(self.skip_extras && comment) {
                return Some(node);
            }
        }
        None
    }
}

/// Hashes the keys of [`Children`]'s maps: a node id is an address, and a multiply-rotate (the
/// one rustc uses for its own maps) spreads it over the table at a fraction of the cost of the
/// default hasher. The maps never reach any output, so their order does not matter.
#[derive(Clone, Copy, Default)]
struct BuildNodeHasher;

impl BuildHasher for BuildNodeHasher {
    type Hasher = NodeHasher;

    fn build_hasher(&self) -> NodeHasher {
        NodeHasher(0)
    }
}

struct NodeHasher(u64);

impl NodeHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for NodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.add(u64::from(*byte));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }
}

/// The source text of a node.
pub(super) fn node_text<'t>(node: Node, text: &'t str) -> &'t str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// The byte range of a node.
pub(super) fn range(node: Node) -> TextRange {
    TextRange::new(node.start_byte(), node.end_byte())
}

/// The text of a dotted name without the whitespace or comments Python allows between parts.
pub(super) fn dotted_text<'a>(node: Node<'a>, text: &str, kids: &Children<'a>) -> String {
    let parts: Vec<&str> = kids
        .iter(node, Which::Named)
        .filter(|c| kind(*c) == Kind::Identifier)
        .map(|c| node_text(c, text))
        .collect();
    if parts.is_empty() {
        node_text(node, text).to_string()
    } else {
        parts.join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds of the children that `which` selects, front to back and back to front, after
    /// `first` was asked of the same node (the answers share one list).
    fn selected(source: &str, path: &[usize], first: Which, which: Which) -> (Vec<Kind>, Vec<Kind>) {
        let tree = crate::analysis::summary::parse(source).expect("tree-sitter parses without a timeout");
        let kids = Children::new(tree.root_node());
        let mut node = tree.root_node();
        for &index in path {
            node = kids.iter(node, Which::Named).nth(index).expect("the path leads to a node");
        }
        let _ = kids.collect(node, first);
        let forward = kids.iter(node, which).map(kind).collect();
        let mut backward: Vec<Kind> = kids.iter(node, which).rev().map(kind).collect();
        backward.reverse();
        (forward, backward)
    }

    #[test]
    fn code_children_skip_the_comments_that_named_children_keep() {
        // The parameters of `f`: the module's function definition, then its parameters.
        let source = "def f(  # the receiver\n    self,  # and the value\n    value,\n): pass\n";
        let path = [0, 1];
        let named = vec![Kind::Comment, Kind::Identifier, Kind::Comment, Kind::Identifier];
        let code = vec![Kind::Identifier, Kind::Identifier];
        for first in [Which::Named, Which::NamedCode, Which::All] {
            assert_eq!(selected(source, &path, first, Which::Named), (named.clone(), named.clone()));
            assert_eq!(selected(source, &path, first, Which::NamedCode), (code.clone(), code.clone()));
        }
        // A backslash that continues the line is no argument.
        let source = "f(a=1, \\\n  b=2)\n";
        let path = [0, 0, 1];
        let named = vec![Kind::KeywordArgument, Kind::LineContinuation, Kind::KeywordArgument];
        let code = vec![Kind::KeywordArgument, Kind::KeywordArgument];
        assert_eq!(selected(source, &path, Which::Named, Which::Named), (named.clone(), named));
        assert_eq!(selected(source, &path, Which::Named, Which::NamedCode), (code.clone(), code));
    }
}
