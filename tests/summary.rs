//! Summary extraction as data: a module's text and the imports it records, each with the
//! context flags the rules and the graph rely on.

use modcache::analysis::summary::{summarize, ImportKind};

/// `expected`: one line per import, `line kind target [flags]`.
fn check(text: &str, expected: &[&str]) {
    let summary = summarize(text);
    let actual: Vec<String> = summary
        .imports
        .iter()
        .map(|stmt| {
            let target = match &stmt.kind {
                ImportKind::Import { modules } => format!(
                    "import {}",
                    modules
                        .iter()
                        .map(|m| match &m.alias {
                            Some(a) => format!("{} as {a}", m.dotted),
                            None => m.dotted.clone(),
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                ImportKind::From { level, module, names, star } => format!(
                    "from {}{} import {}",
                    ".".repeat(*level as usize),
                    module.clone().unwrap_or_default(),
                    if *star { "*".to_string() } else { names.iter().map(|n| n.bound_name().to_string()).collect::<Vec<_>>().join(",") }
                ),
                ImportKind::Dynamic { module, package, bind, .. } => format!(
                    "dynamic {module}{}{}",
                    package.as_ref().map(|p| format!(" in {p}")).unwrap_or_default(),
                    bind.as_ref().map(|b| format!(" -> {b}")).unwrap_or_default()
                ),
            };
            let c = &stmt.context;
            let mut flags = Vec::new();
            for (set, name) in [
                (c.in_function.is_some(), "function"),
                (c.in_class, "class"),
                (c.type_checking, "type-checking"),
                (c.main_guard, "main-guard"),
                (c.guarded_by_except, "try"),
                (c.in_import_fallback, "fallback"),
                (c.statically_false, "false"),
                (c.conditional, "conditional"),
            ] {
                if set {
                    flags.push(name);
                }
            }
            let flags = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(",")) };
            format!("{} {target}{flags}", stmt.line)
        })
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn import_forms() {
    check(
        "import a.b.c as x, d\nfrom .. import y as z\nfrom .m import (p,\n  q)\nfrom pkg import *\n",
        &["1 import a.b.c as x,d", "2 from .. import z", "3 from .m import p,q", "5 from pkg import *"],
    );
}

#[test]
fn contexts() {
    check(
        "\
from typing import TYPE_CHECKING
import sys
if TYPE_CHECKING:
    import t1
else:
    import t2
if __name__ == '__main__':
    import m1
try:
    import fast
except ImportError:
    import slow
if False:
    import never
if sys.version_info >= (3, 8):
    import new
else:
    import old
def f():
    import inside
class C:
    import in_class
",
        &[
            "1 from typing import TYPE_CHECKING",
            "2 import sys",
            "4 import t1 [type-checking]",
            "6 import t2",
            "8 import m1 [main-guard]",
            "10 import fast [try]",
            "12 import slow [fallback,conditional]",
            "14 import never [false]",
            "16 import new [conditional]",
            "18 import old [conditional]",
            "20 import inside [function]",
            "22 import in_class [class]",
        ],
    );
}

#[test]
fn dynamic_imports_with_literal_names() {
    check(
        "\
import importlib
from importlib import import_module as im
m = importlib.import_module('pkg.mod')
im('.rel', 'pkg')
top = __import__('a.b')
importlib.import_module(name)
",
        &[
            "1 import importlib",
            "2 from importlib import im",
            "3 dynamic pkg.mod -> m",
            "4 dynamic .rel in pkg",
            "5 dynamic a.b -> top",
        ],
    );
}

#[test]
fn loops_over_literal_strings_import_each_module_in_order() {
    check(
        "\
import importlib
APPS = ('a', 'b')
for app in APPS:
    importlib.import_module(f'apps.{app}.models')
for name in ['x', 'y']:
    __import__('lib_%s' % name)
for name in ['x']:
    importlib.import_module('.{}'.format(name), package='pkg')
# Not unrolled: a list that something else changes, a body with a `break`, an `else`, a name
# that is not the loop's.
MORE = ['c']
MORE.append('d')
for app in MORE:
    importlib.import_module('apps.' + app)
for app in ['e']:
    importlib.import_module('apps.' + app)
    break
for app in ['f']:
    importlib.import_module('apps.' + app)
else:
    pass
for app in ['g']:
    importlib.import_module('apps.' + other)
",
        &[
            "1 import importlib",
            "4 dynamic apps.a.models",
            "4 dynamic apps.b.models",
            "6 dynamic lib_x",
            "6 dynamic lib_y",
            "8 dynamic .x in pkg",
        ],
    );
}

#[test]
fn broken_code_still_yields_imports() {
    let summary = summarize("import a\ndef broken(:\n    pass\nimport b\n");
    assert!(!summary.syntax_errors.is_empty());
    let names: Vec<String> = summary.imports.iter().map(|i| format!("{:?}", i.kind.bound_names())).collect();
    assert!(names.contains(&"[\"a\"]".to_string()), "{names:?}");
    assert!(names.contains(&"[\"b\"]".to_string()), "{names:?}");
}

#[test]
fn all_and_main_guard_and_suppressions() {
    let summary = summarize(
        "__all__ = ['a', 'b']\n__all__ += ['c']\nimport x  # noqa: MC001\nif __name__ == \"__main__\":\n    pass\n",
    );
    assert_eq!(summary.all, Some(vec!["a".into(), "b".into(), "c".into()]));
    assert!(summary.main_guard.is_some());
    assert!(summary.is_suppressed(3, "MC001"));
    assert!(!summary.is_suppressed(3, "MC002"));
}

#[test]
fn summaries_never_panic_on_garbage() {
    for text in ["", "\u{feff}", "(((((", "def", "from . import", "import", "if x:\n\tpass\n  else", "\0\0"] {
        let _ = summarize(text);
    }
}
