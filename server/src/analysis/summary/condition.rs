//! Conditions of `if` statements that can be decided without running the program.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use crate::analysis::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompareOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CompareOp {
    pub fn parse(op: &str) -> Option<Self> {
        Some(match op {
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            "==" => CompareOp::Eq,
            "!=" => CompareOp::Ne,
            _ => return None,
        })
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            CompareOp::Lt => ordering.is_lt(),
            CompareOp::Le => ordering.is_le(),
            CompareOp::Gt => ordering.is_gt(),
            CompareOp::Ge => ordering.is_ge(),
            CompareOp::Eq => ordering.is_eq(),
            CompareOp::Ne => ordering.is_ne(),
        }
    }

    /// The operator that gives the same answer with its operands swapped (`3 < x` is `x > 3`).
    pub fn flipped(self) -> Self {
        match self {
            CompareOp::Lt => CompareOp::Gt,
            CompareOp::Le => CompareOp::Ge,
            CompareOp::Gt => CompareOp::Lt,
            CompareOp::Ge => CompareOp::Le,
            other => other,
        }
    }
}

/// A condition as far as this tool can read it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cond {
    Const(bool),
    /// `typing.TYPE_CHECKING`: false when the program runs.
    TypeChecking,
    /// `__name__ == "__main__"`: true only in the module that runs as `__main__`.
    MainGuard,
    /// `sys.version_info <op> (a, b, …)`, `sys.version_info[:n] <op> (a, b, …)`,
    /// `sys.version_info[i] <op> n` or `sys.version_info.major <op> n`, after `part`.
    Version { op: CompareOp, part: VersionPart, version: Vec<u32> },
    /// `sys.platform <op> "name"`, or `sys.platform.startswith("prefix")` when `prefix` is set.
    Platform { op: CompareOp, value: String, prefix: bool },
    /// `os.name == "posix"`.
    OsName { op: CompareOp, value: String },
    /// `platform.system() == "Windows"`.
    System { op: CompareOp, value: String },
    /// `sys.implementation.name == "pypy"`, or with `platform_call`
    /// `platform.python_implementation() == "PyPy"`. The model is CPython, which answers
    /// "cpython" and "CPython".
    Implementation { op: CompareOp, value: String, platform_call: bool },
    /// `hasattr(sys, "name")`, decided by the attributes that the interpreter's `sys` has
    /// when a program starts (`pypy_version_info` never, `getwindowsversion` on Windows).
    SysAttribute { name: String },
    /// `hasattr(builtins, "name")`, decided by the attributes of the interpreter's `builtins`
    /// (`__lazy_import__` exists only where the interpreter has lazy imports).
    BuiltinsAttribute { name: String },
    /// A test of an environment variable (`os.environ.get("X")`, `os.getenv("X", "0") == "1"`,
    /// `"X" in os.environ`), decided by the environment the interpreter starts with.
    Environ(Box<EnvTest>),
    /// The function's first parameter compared with strings: `name == "x"` (one value),
    /// `name in {"x", "y"}`, or with `negated` `!=` and `not in`. Decided only in a call whose
    /// argument the simulation knows: a module `__getattr__` asked for a name.
    Argument { values: Vec<String>, negated: bool },
    /// A test of a module-level name, decided by the value the run has bound to it when the
    /// test runs (`if HAS_JSON:`, `if BACKEND == "sage":`, `if json is None:`).
    Name { name: String, test: NameTest },
    /// A test of what a call of a name or of a name's attribute returned (`if
    /// _is_android_app():`, `if lib.ready():`), decided by the value the run knows the call at
    /// `call` to have returned when the test runs: a first-party function whose path through
    /// its body ends in a `return` of a literal, a decided flag, a name or such a call, or at
    /// the end of the body (see [`crate::analysis::summary::Event::Return`]).
    CallResult { call: TextRange, test: NameTest },
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Unknown,
}

/// What a [`Cond::Name`] asks of the name's value; `!=` and `is not` are a [`Cond::Not`] of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameTest {
    /// Its truth: `if NAME:`.
    Truth,
    /// `NAME is None`.
    IsNone,
    /// `NAME == literal`.
    Equals(Literal),
}

impl NameTest {
    /// The answer for a value, `None` when the run does not know the value.
    fn eval(&self, value: NameValue) -> Option<bool> {
        let none = Literal::None.key();
        match (self, value) {
            (_, NameValue::Unknown) => None,
            (NameTest::Truth, NameValue::Literal { truth, .. }) => Some(truth),
            (NameTest::Truth, NameValue::Object) => Some(true),
            (NameTest::IsNone, NameValue::Literal { key, .. }) => Some(key == none),
            (NameTest::IsNone | NameTest::Equals(_), NameValue::Object) => Some(false),
            (NameTest::Equals(literal), NameValue::Literal { key, .. }) => Some(literal.key() == key),
        }
    }
}

/// A literal that a name can be bound to and compared with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Literal {
    None,
    Bool(bool),
    Int(i64),
    Str(Box<str>),
}

impl Literal {
    /// Python's truth of the value.
    pub fn truth(&self) -> bool {
        match self {
            Literal::None => false,
            Literal::Bool(value) => *value,
            Literal::Int(value) => *value != 0,
            Literal::Str(value) => !value.is_empty(),
        }
    }

    /// A number that two literals share exactly when Python finds them equal (`True == 1`),
    /// up to hash collisions.
    pub fn key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        match self {
            Literal::None => 0u8.hash(&mut hasher),
            Literal::Bool(value) => (1u8, i64::from(*value)).hash(&mut hasher),
            Literal::Int(value) => (1u8, *value).hash(&mut hasher),
            Literal::Str(value) => (2u8, value).hash(&mut hasher),
        }
        hasher.finish()
    }
}

/// What a [`Cond::Environ`] reads of one variable, and what it asks of that.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnvTest {
    pub variable: String,
    /// The value read: the variable's, or `default` when it is not set.
    pub default: Literal,
    /// String methods called on the value read, in order (`.lower()`); a value that is not a
    /// string then raises AttributeError, which leaves the test undecided.
    pub methods: Vec<StrMethod>,
    pub question: EnvQuestion,
}

/// What an [`EnvTest`] asks.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EnvQuestion {
    /// `"X" in os.environ`: whether the variable is set.
    IsSet,
    /// The truth of the value read (`if os.environ.get("X"):`). With `boolean`, `bool()` wraps
    /// the read, so the expression's value is a `bool` (see [`Cond::is_boolean_flag`]).
    Truth { boolean: bool },
    /// `os.environ.get("X") is None`.
    IsNone,
    /// `os.environ.get("X") == literal`.
    Equals(Literal),
}

/// The string methods without arguments that an [`EnvTest`] applies to the value it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StrMethod {
    Lower,
    Upper,
    Casefold,
    Strip,
}

impl StrMethod {
    pub fn named(name: &str) -> Option<StrMethod> {
        Some(match name {
            "lower" => StrMethod::Lower,
            "upper" => StrMethod::Upper,
            "casefold" => StrMethod::Casefold,
            "strip" => StrMethod::Strip,
            _ => return None,
        })
    }

    fn apply(self, value: &str) -> String {
        match self {
            StrMethod::Lower => value.to_lowercase(),
            StrMethod::Upper => value.to_uppercase(),
            // Full case folding differs from lower case only outside ASCII (`ß` folds to `ss`);
            // such a value leaves the test undecided (see `EnvTest::eval`).
            StrMethod::Casefold => value.to_lowercase(),
            // `str.strip()` without arguments strips what `str.isspace()` calls white space.
            StrMethod::Strip => value.trim().to_string(),
        }
    }
}

impl EnvTest {
    fn eval(&self, environ: &BTreeMap<String, String>) -> Option<bool> {
        let set = environ.get(&self.variable);
        let value = match set {
            Some(value) => Literal::Str(value.as_str().into()),
            None => self.default.clone(),
        };
        let value = match value {
            Literal::Str(text) => {
                if self.methods.contains(&StrMethod::Casefold) && !text.is_ascii() {
                    return None;
                }
                let applied = self.methods.iter().fold(text.to_string(), |text, method| method.apply(&text));
                Literal::Str(applied.into())
            }
            other if self.methods.is_empty() => other,
            // `None.lower()` raises AttributeError.
            _ => return None,
        };
        Some(match &self.question {
            EnvQuestion::IsSet => set.is_some(),
            EnvQuestion::Truth { .. } => value.truth(),
            EnvQuestion::IsNone => value == Literal::None,
            EnvQuestion::Equals(literal) => literal.key() == value.key(),
        })
    }
}

/// What a run knows of a name's value when a [`Cond::Name`] tests it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameValue {
    /// Not known, or not bound.
    Unknown,
    /// A literal's value: its truth and its [`Literal::key`].
    Literal { truth: bool, key: u64 },
    /// A module, function or class: true, not `None`, and equal to no literal.
    Object,
}

/// The part of `sys.version_info` that a [`Cond::Version`] compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionPart {
    /// The whole 5-tuple (`major, minor, micro, releaselevel, serial`).
    Whole,
    /// `[:n]`, a tuple of the first `n` elements: `sys.version_info[:2] == (3, 8)` holds on 3.8,
    /// where the whole tuple is greater than `(3, 8)`.
    Prefix(u32),
    /// `[i]`, `.major` or `.minor`: one element.
    Item(u32),
}

/// A `major.minor` Python version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PythonVersion {
    pub major: u32,
    pub minor: u32,
}

impl Default for PythonVersion {
    fn default() -> Self {
        PythonVersion { major: 3, minor: 12 }
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl FromStr for PythonVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut parts = s.trim().trim_start_matches("py").split('.');
        let major = parts.next().and_then(|p| p.parse().ok());
        let minor = parts.next().and_then(|p| p.parse().ok());
        match (major, minor) {
            (Some(major), Some(minor)) => Ok(PythonVersion { major, minor }),
            _ => Err(format!("expected a version such as \"3.12\", found {s:?}")),
        }
    }
}

/// What a condition is evaluated against.
#[derive(Clone, Debug)]
pub struct CondEnv<'a> {
    pub is_main: bool,
    pub version: PythonVersion,
    pub platform: &'a str,
    /// The string that the running function got as its first argument, when known.
    pub argument: Option<&'a str>,
    /// What the run knows of the module-level names that the conditions test (see
    /// [`Cond::Name`]); a name missing here is unknown.
    pub names: &'a [(&'a str, NameValue)],
    /// What the run knows of the results of the calls that [`Cond::CallResult`] tests, by the
    /// call's start byte; a call missing here is unknown.
    pub calls: &'a [(u32, NameValue)],
    /// The attributes of the interpreter's `sys` module, when it was asked.
    pub sys_attributes: Option<&'a BTreeSet<String>>,
    /// The attributes of the interpreter's `builtins` module, when it was asked.
    pub builtins_attributes: Option<&'a BTreeSet<String>>,
    /// The environment variables the interpreter starts with, when it was asked.
    pub environ: Option<&'a BTreeMap<String, String>>,
}

impl Cond {
    /// `Some(value)` when the condition is decided in `env`, `None` when it depends on the run.
    pub fn eval(&self, env: &CondEnv) -> Option<bool> {
        match self {
            Cond::Const(value) => Some(*value),
            Cond::TypeChecking => Some(false),
            Cond::MainGuard => Some(env.is_main),
            Cond::Argument { values, negated } => {
                let argument = env.argument?;
                Some(values.iter().any(|v| v == argument) != *negated)
            }
            Cond::Name { name, test } => {
                test.eval(env.names.iter().find(|(n, _)| n == name).map_or(NameValue::Unknown, |(_, v)| *v))
            }
            Cond::CallResult { call, test } => {
                test.eval(env.calls.iter().find(|(at, _)| *at == call.start).map_or(NameValue::Unknown, |(_, v)| *v))
            }
            Cond::Version { op, part, version } => {
                // Only the major and minor version are known; the micro version and the release
                // level make an answer unknown only where the comparison reaches them.
                let actual = [env.version.major, env.version.minor];
                let length = match *part {
                    VersionPart::Item(i) => {
                        let actual = *actual.get(i as usize)?;
                        return Some(op.holds(actual.cmp(version.first()?)));
                    }
                    VersionPart::Whole => 5,
                    VersionPart::Prefix(n) => n.min(5) as usize,
                };
                // Compare as Python compares tuples: element by element, then by length.
                for (i, wanted) in version.iter().enumerate().take(length) {
                    match actual.get(i)?.cmp(wanted) {
                        Ordering::Equal => {}
                        ordering => return Some(op.holds(ordering)),
                    }
                }
                Some(op.holds(length.cmp(&version.len())))
            }
            Cond::Platform { op, value, prefix } => {
                if *prefix {
                    Some(env.platform.starts_with(value.as_str()))
                } else {
                    Some(op.holds(env.platform.cmp(value.as_str())))
                }
            }
            Cond::OsName { op, value } => {
                let os_name = if env.platform == "win32" { "nt" } else { "posix" };
                Some(op.holds(os_name.cmp(value.as_str())))
            }
            Cond::SysAttribute { name } => env.sys_attributes.map(|attributes| attributes.contains(name)),
            Cond::BuiltinsAttribute { name } => env.builtins_attributes.map(|attributes| attributes.contains(name)),
            Cond::Environ(test) => test.eval(env.environ?),
            Cond::Implementation { op, value, platform_call } => {
                let name = if *platform_call { "CPython" } else { "cpython" };
                Some(op.holds(name.cmp(value.as_str())))
            }
            Cond::System { op, value } => {
                // What `platform.system()` (`uname().system`) answers on each `sys.platform`;
                // Cygwin's answer names its version (`CYGWIN_NT-10.0`), so it is not known.
                let system = match env.platform {
                    "win32" => "Windows",
                    "darwin" => "Darwin",
                    "aix" => "AIX",
                    "emscripten" => "Emscripten",
                    platform if platform.starts_with("linux") => "Linux",
                    platform if platform.starts_with("freebsd") => "FreeBSD",
                    _ => return None,
                };
                Some(op.holds(system.cmp(value.as_str())))
            }
            Cond::Not(inner) => inner.eval(env).map(|v| !v),
            Cond::And(parts) => {
                let mut all_known = true;
                for part in parts {
                    match part.eval(env) {
                        Some(false) => return Some(false),
                        Some(true) => {}
                        None => all_known = false,
                    }
                }
                all_known.then_some(true)
            }
            Cond::Or(parts) => {
                let mut all_known = true;
                for part in parts {
                    match part.eval(env) {
                        Some(true) => return Some(true),
                        Some(false) => {}
                        None => all_known = false,
                    }
                }
                all_known.then_some(false)
            }
            Cond::Unknown => None,
        }
    }

    /// Adds the names that the condition's [`Cond::Name`] tests read.
    pub fn tested_names<'c>(&'c self, out: &mut Vec<&'c str>) {
        match self {
            Cond::Name { name, .. } => out.push(name),
            Cond::Not(inner) => inner.tested_names(out),
            Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|part| part.tested_names(out)),
            _ => {}
        }
    }

    /// Visits the byte ranges that the condition holds (the calls of [`Cond::CallResult`]).
    pub fn visit_ranges(&mut self, f: &mut dyn FnMut(&mut TextRange)) {
        match self {
            Cond::CallResult { call, .. } => f(call),
            Cond::Not(inner) => inner.visit_ranges(f),
            Cond::And(parts) | Cond::Or(parts) => parts.iter_mut().for_each(|part| part.visit_ranges(f)),
            _ => {}
        }
    }

    /// Whether two conditions ask the same once the ranges of the calls they test are left out
    /// (an edit that only moved text keeps what each test asks of its own call).
    pub fn eq_ignoring_ranges(&self, other: &Cond) -> bool {
        if self == other {
            return true;
        }
        let blank = |cond: &Cond| {
            let mut cond = cond.clone();
            cond.visit_ranges(&mut |range| *range = TextRange::default());
            cond
        };
        blank(self) == blank(other)
    }

    /// Adds the start bytes of the calls whose results the condition's [`Cond::CallResult`]
    /// tests read.
    pub fn tested_calls(&self, out: &mut Vec<u32>) {
        match self {
            Cond::CallResult { call, .. } => out.push(call.start),
            Cond::Not(inner) => inner.tested_calls(out),
            Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|part| part.tested_calls(out)),
            _ => {}
        }
    }

    /// Whether the condition can be decided once the interpreter and the entry are known:
    /// nothing in it is [`Cond::Unknown`].
    pub fn is_static(&self) -> bool {
        match self {
            Cond::Unknown | Cond::Argument { .. } | Cond::Name { .. } | Cond::CallResult { .. } => false,
            Cond::Not(inner) => inner.is_static(),
            Cond::And(parts) | Cond::Or(parts) => parts.iter().all(Cond::is_static),
            _ => true,
        }
    }

    /// Whether the expression that the condition was read from has a `bool` value whatever
    /// the run, and a value the interpreter and the entry decide: comparisons and
    /// `TYPE_CHECKING`, combined with `not`, `and` and `or`. A constant is left out, since
    /// `0 and x` is the int 0, and so is a test of a name, since `x or y` is one of them.
    pub fn is_boolean_flag(&self) -> bool {
        match self {
            Cond::TypeChecking
            | Cond::MainGuard
            | Cond::Version { .. }
            | Cond::Platform { .. }
            | Cond::OsName { .. }
            | Cond::System { .. }
            | Cond::Implementation { .. }
            | Cond::SysAttribute { .. }
            | Cond::BuiltinsAttribute { .. } => true,
            Cond::Environ(test) => !matches!(test.question, EnvQuestion::Truth { boolean: false }),
            // `not x` is a bool whatever `x` is.
            Cond::Not(_) => true,
            Cond::And(parts) | Cond::Or(parts) => parts.iter().all(Cond::is_boolean_flag),
            Cond::Const(_) | Cond::Argument { .. } | Cond::Name { .. } | Cond::CallResult { .. } | Cond::Unknown => false,
        }
    }

    /// Whether the condition is false however the program is run (used to classify imports).
    pub fn is_always_false(&self) -> bool {
        match self {
            Cond::Const(false) | Cond::TypeChecking => true,
            Cond::Not(inner) => inner.is_always_true(),
            Cond::And(parts) => parts.iter().any(Cond::is_always_false),
            Cond::Or(parts) => parts.iter().all(Cond::is_always_false),
            _ => false,
        }
    }

    fn is_always_true(&self) -> bool {
        match self {
            Cond::Const(true) => true,
            Cond::Not(inner) => inner.is_always_false(),
            Cond::And(parts) => parts.iter().all(Cond::is_always_true),
            Cond::Or(parts) => parts.iter().any(Cond::is_always_true),
            _ => false,
        }
    }

    pub fn mentions_type_checking(&self) -> bool {
        match self {
            Cond::TypeChecking => true,
            Cond::And(parts) | Cond::Or(parts) => parts.iter().any(Cond::mentions_type_checking),
            _ => false,
        }
    }

    pub fn is_main_guard(&self) -> bool {
        matches!(self, Cond::MainGuard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(minor: u32) -> CondEnv<'static> {
        CondEnv {
            is_main: false,
            version: PythonVersion { major: 3, minor },
            platform: "linux",
            argument: None,
            names: &[],
            calls: &[],
            sys_attributes: None,
            builtins_attributes: None,
            environ: None,
        }
    }

    /// Each case is a condition on `sys.version_info` of Python 3.8, and what Python says of
    /// it: the expected answers are those of `python3 -c "v = (3, 8, 18, 'final', 0); print(…)"`
    /// with `v` for `sys.version_info`; `None` where the answer needs the micro version.
    #[test]
    fn version_checks_compare_like_tuples() {
        use CompareOp::{Eq, Ge, Gt, Lt, Ne};
        use VersionPart::{Item, Prefix, Whole};
        let cases: &[(CompareOp, VersionPart, &[u32], Option<bool>)] = &[
            (Ge, Whole, &[3, 8], Some(true)),       // v >= (3, 8)
            (Ge, Whole, &[3, 9], Some(false)),      // v >= (3, 9)
            (Gt, Whole, &[3, 8], Some(true)),       // v > (3, 8)
            (Eq, Whole, &[3, 8], Some(false)),      // v == (3, 8)
            (Lt, Whole, &[3], Some(false)),         // v < (3,)
            (Ge, Whole, &[3, 8, 2], None),          // v >= (3, 8, 2)
            (Lt, Whole, &[3, 9, 2], Some(true)),    // v < (3, 9, 2)
            (Eq, Prefix(2), &[3, 8], Some(true)),   // v[:2] == (3, 8)
            (Ne, Prefix(2), &[3, 8], Some(false)),  // v[:2] != (3, 8)
            (Gt, Prefix(2), &[3, 8], Some(false)),  // v[:2] > (3, 8)
            (Ge, Prefix(2), &[3, 7], Some(true)),   // v[:2] >= (3, 7)
            (Lt, Prefix(2), &[3, 8, 0], Some(true)), // v[:2] < (3, 8, 0)
            (Eq, Prefix(1), &[3], Some(true)),      // v[:1] == (3,)
            (Eq, Prefix(3), &[3, 8], Some(false)),  // v[:3] == (3, 8)
            (Eq, Prefix(3), &[3, 8, 18], None),     // v[:3] == (3, 8, 18)
            (Eq, Item(0), &[2], Some(false)),       // v[0] == 2
            (Ge, Item(1), &[8], Some(true)),        // v[1] >= 8
        ];
        for (op, part, version, expected) in cases {
            let cond = Cond::Version { op: *op, part: *part, version: version.to_vec() };
            assert_eq!(cond.eval(&env(8)), *expected, "{cond:?}");
        }
    }

    /// Tests of a name against what the run bound to it, as Python answers them (`True == 1`,
    /// `0` is false, `''` is false, a module is not None and equals no literal).
    #[test]
    fn name_tests_compare_like_python() {
        let literal = |l: Literal| NameValue::Literal { truth: l.truth(), key: l.key() };
        let cases: &[(NameValue, NameTest, Option<bool>)] = &[
            (literal(Literal::Bool(true)), NameTest::Equals(Literal::Int(1)), Some(true)),
            (literal(Literal::Bool(false)), NameTest::Equals(Literal::Int(0)), Some(true)),
            (literal(Literal::Int(0)), NameTest::Truth, Some(false)),
            (literal(Literal::Str("".into())), NameTest::Truth, Some(false)),
            (literal(Literal::Str("1".into())), NameTest::Equals(Literal::Int(1)), Some(false)),
            (literal(Literal::Str("sage".into())), NameTest::Equals(Literal::Str("sage".into())), Some(true)),
            (literal(Literal::None), NameTest::IsNone, Some(true)),
            (literal(Literal::Int(0)), NameTest::IsNone, Some(false)),
            (NameValue::Object, NameTest::IsNone, Some(false)),
            (NameValue::Object, NameTest::Truth, Some(true)),
            (NameValue::Object, NameTest::Equals(Literal::Str("x".into())), Some(false)),
            (NameValue::Unknown, NameTest::Truth, None),
        ];
        for (value, test, expected) in cases {
            let names = [("X", *value)];
            let env = CondEnv { names: &names, ..env(11) };
            let cond = Cond::Name { name: "X".into(), test: test.clone() };
            assert_eq!(cond.eval(&env), *expected, "{value:?} {test:?}");
        }
        let unbound = Cond::Name { name: "Y".into(), test: NameTest::Truth };
        assert_eq!(unbound.eval(&env(11)), None);
    }

    /// Tests of environment variables, as Python answers them with `X=Yes` set and `U` unset:
    /// `os.environ.get("X")`, `os.getenv("U", "0")`, `.lower()` on the value, `None.lower()`
    /// (AttributeError, so undecided), `"X" in os.environ`.
    #[test]
    fn environment_tests_read_the_variables_as_python_does() {
        use EnvQuestion::{Equals, IsNone, IsSet, Truth};
        let str = |s: &str| Literal::Str(s.into());
        // The variable, the default of the read, the methods on the value, the question and
        // Python's answer.
        type Case<'c> = (&'c str, Literal, &'c [StrMethod], EnvQuestion, Option<bool>);
        let cases: &[Case] = &[
            ("X", Literal::None, &[], Truth { boolean: false }, Some(true)), // os.environ.get("X")
            ("U", Literal::None, &[], Truth { boolean: true }, Some(false)), // bool(os.environ.get("U"))
            ("U", str("0"), &[], Truth { boolean: false }, Some(true)),      // os.getenv("U", "0")
            ("U", str(""), &[], Truth { boolean: false }, Some(false)),      // os.getenv("U", "")
            ("U", Literal::Int(0), &[], Truth { boolean: false }, Some(false)), // os.getenv("U", 0)
            ("X", Literal::None, &[StrMethod::Lower], Equals(str("yes")), Some(true)), // .lower() == "yes"
            ("X", Literal::None, &[], Equals(str("yes")), Some(false)),      // == "yes"
            ("X", Literal::None, &[StrMethod::Upper], Equals(str("YES")), Some(true)),
            ("U", Literal::None, &[StrMethod::Lower], Truth { boolean: false }, None), // None.lower()
            ("U", str(" A "), &[StrMethod::Strip, StrMethod::Lower], Equals(str("a")), Some(true)),
            ("U", Literal::None, &[], IsNone, Some(true)),                   // os.environ.get("U") is None
            ("X", Literal::None, &[], IsNone, Some(false)),
            ("X", Literal::None, &[], IsSet, Some(true)),                    // "X" in os.environ
            ("U", Literal::None, &[], IsSet, Some(false)),
            ("N", Literal::None, &[StrMethod::Casefold], Equals(str("strasse")), None), // "Straße".casefold()
        ];
        let environ: BTreeMap<String, String> =
            [("X", "Yes"), ("N", "Straße")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        for (variable, default, methods, question, expected) in cases {
            let cond = Cond::Environ(Box::new(EnvTest {
                variable: variable.to_string(),
                default: default.clone(),
                methods: methods.to_vec(),
                question: question.clone(),
            }));
            let known = CondEnv { environ: Some(&environ), ..env(11) };
            assert_eq!(cond.eval(&known), *expected, "{cond:?}");
            // Without the interpreter's answer nothing is decided.
            assert_eq!(cond.eval(&env(11)), None, "{cond:?}");
        }
    }

    #[test]
    fn boolean_combinations_short_circuit() {
        let and = Cond::And(vec![Cond::Unknown, Cond::TypeChecking]);
        assert_eq!(and.eval(&env(11)), Some(false));
        let or = Cond::Or(vec![Cond::Unknown, Cond::Not(Box::new(Cond::TypeChecking))]);
        assert_eq!(or.eval(&env(11)), Some(true));
        assert_eq!(Cond::Or(vec![Cond::Unknown, Cond::Const(false)]).eval(&env(11)), None);
        assert!(Cond::And(vec![Cond::Unknown, Cond::TypeChecking]).is_always_false());
    }
}
