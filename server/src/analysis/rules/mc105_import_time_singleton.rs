use std::collections::HashSet;

use super::{
    check_each_file, Findings,
    import_referent, is_main_module_file, is_test_file, module_global, resolve_attrs, rule, Global, Referent, Rule,
    RuleContext,
};
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::project::Project;
use crate::analysis::summary::state::{Guard, Value};
use crate::analysis::summary::FileSummary;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags a module-level name bound to a new instance of a class (`service =
    /// DatabaseService()`): a class defined in the workspace, or a name written in CapWords, the
    /// convention for classes.
    ///
    /// ## Why is this bad?
    /// The top level runs once, at the first import, so the instance is created then — its
    /// `__init__` runs as a side effect of importing — and every importer gets the same object
    /// from the module cache for the rest of the process. It is a singleton, whether or not
    /// anyone meant one: its state is shared by all callers and all tests, it cannot be
    /// configured before it is created, and replacing it for a test means patching every module
    /// that took it with `from … import service`.
    ///
    /// ## Example
    /// ```python
    /// # services.py
    /// class DatabaseService:
    ///     def __init__(self):
    ///         self.connection = connect(DATABASE_URL)
    ///
    /// service = DatabaseService()   # connects on first import; shared by everyone
    /// ```
    ///
    /// ## How to fix
    /// Create the object where the program starts and pass it along, or make the singleton
    /// explicit and lazy: `@functools.cache def get_service(): return DatabaseService()`, which
    /// creates it on first use and offers `get_service.cache_clear()` for tests.
    ///
    /// ## What it does not flag
    /// Factory functions, whose names are not CapWords (`logging.getLogger(__name__)`,
    /// `re.compile(…)`, `object()`); typing constructs (`TypeVar`, `NewType`, `NamedTuple`…);
    /// value objects (`Path`, `Decimal`, `UUID`, `Struct`, `datetime`…); containers (MC101
    /// covers those); exceptions; metaclass calls that create classes; `ContextVar`; instances
    /// created under `if __name__ == "__main__":`; test modules, scripts and `__main__.py`,
    /// which other modules do not import.
    code: "MC105", name: "import-time-singleton", severity: Info,
    summary: "a module-level instance of a class, created at first import and shared",
    check: check,
};

/// Classes whose module-level instances are values or declarations, not shared services.
const NOT_SINGLETONS: &[&str] = &[
    "TypeVar", "ParamSpec", "TypeVarTuple", "NewType", "NamedTuple", "TypedDict", "TypeAliasType", "Enum", "IntEnum",
    "Flag", "IntFlag", "StrEnum", "Decimal", "Fraction", "Path", "PurePath", "PosixPath", "WindowsPath",
    "PurePosixPath", "PureWindowsPath", "UUID", "IPv4Address", "IPv6Address", "IPv4Network", "IPv6Network",
    "IPv4Interface", "IPv6Interface", "Struct", "ContextVar", "MappingProxyType", "Template", "OrderedDict",
    "Counter", "ChainMap", "WeakValueDictionary", "WeakKeyDictionary", "WeakSet", "Literal", "Annotated",
    // Dates and times, when the standard library itself is the workspace.
    "datetime", "date", "time", "timedelta", "timezone",
];

fn is_cap_words(name: &str) -> bool {
    let name = name.trim_start_matches('_');
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_ascii_lowercase())
}

/// The class that `callee` instantiates, if the call is an instantiation.
pub(crate) fn instantiated_class(project: &Project, path: &str, summary: &FileSummary, callee: &str, written: &str) -> Option<String> {
    let class = class_of_call(project, path, summary, callee, written)?;
    // Metaclass calls (`_TypedDictMeta('TypedDict', …)`) create classes, not instances.
    let excluded = NOT_SINGLETONS.contains(&class.as_str())
        || ["Error", "Exception", "Warning", "Meta", "Metaclass"].iter().any(|s| class.ends_with(s));
    (!excluded).then_some(class)
}

/// The class that a call of `callee` instantiates: a class of this module, a first-party class
/// found through the imports, or else a CapWords name.
fn class_of_call(project: &Project, path: &str, summary: &FileSummary, callee: &str, written: &str) -> Option<String> {
    // Calls of call results and methods of objects are not instantiations the text can name.
    if callee.contains("()") {
        return None;
    }
    let last = callee.rsplit('.').next().unwrap_or(callee);
    if let Some(local) = callee.strip_prefix('.') {
        let is_class = !local.contains('.') && summary.state.classes.iter().any(|c| c.module_level && c.name == local);
        return is_class.then(|| local.to_string());
    }
    let mut parts = written.split('.').map(str::trim);
    let first = parts.next().unwrap_or(written);
    let attrs: Vec<String> = parts.map(str::to_string).collect();
    if let Some(Global::Import(stmt)) = module_global(summary, first) {
        if let Some(referent) = import_referent(project, path, stmt, first) {
            let (referent, used) = resolve_attrs(project, referent, &attrs);
            if let (Referent::Global { file, name }, true) = (referent, used == attrs.len()) {
                match project.summary(&file).and_then(|s| module_global(s, &name)) {
                    Some(Global::Class(_)) => return Some(name),
                    Some(Global::Function | Global::Value(_)) => return None,
                    _ => {}
                }
            }
        }
    }
    is_cap_words(last).then(|| last.to_string())
}

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let project = ctx.project;
    // Test modules and scripts are not imported by other modules, so nothing shares their
    // objects.
    if is_main_module_file(path) || is_test_file(project, path, summary) || project.module_name(path).is_none() {
        return;
    }
    let module = project.display_name(path);
    let mut seen = HashSet::new();
    for binding in &summary.state.bindings {
        let Value::Call { callee, written } = &binding.value else { continue };
        if binding.class.is_some() || binding.guard != Guard::Runs || binding.name.starts_with("__") {
            continue;
        }
        // `a = b = Service()` creates one object: report its first name.
        if !seen.insert(binding.value_range) {
            continue;
        }
        let Some(class) = instantiated_class(project, path, summary, callee, written) else { continue };
        let message = format!(
            "`{}` is a `{class}` instance created when `{module}` is first imported: its `__init__` runs as a side effect of the import, and the module cache hands the same object to every importer for the life of the process — a singleton whose state all callers and tests share.",
            binding.name
        );
        let related = summary
            .state
            .classes
            .iter()
            .find(|c| c.module_level && c.name == class && callee.strip_prefix('.') == Some(class.as_str()))
            .map(|c| Related { path: path.to_string(), range: c.name_range, message: format!("`{class}` is defined here") })
            .into_iter()
            .collect();
        out.push(ctx.diagnostic(&RULE, path, binding.range, message, related));
    }
}
