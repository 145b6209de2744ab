use super::{check_each_file, import_time_effects, rule, via_call, Rule, RuleContext, Findings};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::summary::state::EffectKind;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags reads of the process environment that run when the module is imported:
    /// `os.environ[…]`, `os.environ.get(…)`, `os.getenv(…)`, `"X" in os.environ`,
    /// `dict(os.environ)` and `os.environ.copy()`, at top level, in class bodies, in default
    /// argument values, or in functions that the top level calls.
    ///
    /// ## Why is this bad?
    /// The module's top level runs once, at the first import, and the module is then cached.
    /// A value read from the environment there is frozen for the life of the process: setting
    /// the variable afterwards — in a test with `monkeypatch.setenv`, in a settings loader that
    /// runs `load_dotenv()` later, or in a parent process that configures a worker — changes
    /// nothing. Whether the setting "works" then depends on which module happened to be
    /// imported first.
    ///
    /// ## Example
    /// ```python
    /// # config.py
    /// import os
    /// DEBUG = os.getenv("DEBUG") == "1"   # read once, at first import
    ///
    /// # test_app.py
    /// def test_debug(monkeypatch):
    ///     monkeypatch.setenv("DEBUG", "1")  # too late: config.DEBUG is already False
    /// ```
    ///
    /// ## How to fix
    /// Read the environment when the value is needed (`def debug(): return os.getenv("DEBUG")
    /// == "1"`), or in one settings object created at program start and passed along.
    ///
    /// ## What it does not flag
    /// Reads inside functions that the top level does not call, under
    /// `if __name__ == "__main__":` or `if TYPE_CHECKING:`, in `__main__.py`; passing
    /// `os.environ` itself along (it stays live); writes such as `os.environ.setdefault(…)`.
    code: "MC202", name: "import-time-env-capture", severity: Warning,
    summary: "a top-level read of os.environ / os.getenv, frozen at first import",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let effects = import_time_effects(ctx.project, path, summary, |k| k == EffectKind::EnvRead);
    let module = ctx.project.display_name(path);
    for (effect, via) in effects {
        let (because, related) = via_call(ctx, path, summary, via);
        let message = format!(
            "`{}` reads the environment once, when `{module}` is first imported: the value is frozen in the cached module, so setting the variable later (a test's `monkeypatch.setenv`, a settings loader) changes nothing until the process restarts.{because}",
            effect.what
        );
        out.push(ctx.diagnostic(&RULE, path, effect.range, message, related));
    }
}
