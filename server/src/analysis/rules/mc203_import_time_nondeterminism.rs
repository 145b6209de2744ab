use super::{check_each_file, import_time_effects, rule, via_call, Rule, RuleContext, Findings};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::summary::state::EffectKind;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags calls that return a different value on each run or over time — `random.*`
    /// (`randint`, `choice`, `shuffle`…), `secrets.token_*`, `uuid.uuid1`/`uuid4`,
    /// `os.urandom`, `time.time`, `time.localtime()`, `datetime.now`/`today`/`utcnow`,
    /// `date.today` — when they run at import time: at top level, in class bodies, in default
    /// argument values, or in functions that the top level calls.
    ///
    /// ## Why is this bad?
    /// The module's top level runs once, at the first import, and the module is cached. The
    /// value is computed that one time and shared by every importer for the life of the
    /// process: a "random" token is the same for every request, a timestamp records when the
    /// module happened to be imported rather than when the code runs, and a default argument
    /// `def f(when=datetime.now())` is fixed forever. Tests see a different value on every run
    /// and cannot control it without reloading the module.
    ///
    /// ## Example
    /// ```python
    /// import random
    /// RANDOM_NUMBER = random.randint(1, 100)   # one number per process, for everyone
    ///
    /// def log(message, when=time.time()):      # `when` never changes
    ///     ...
    /// ```
    ///
    /// ## How to fix
    /// Compute the value when it is needed (`def new_token(): return secrets.token_hex()`;
    /// `def log(message, when=None): when = time.time() if when is None else when`), or inject
    /// it so tests can choose it.
    ///
    /// ## What it does not flag
    /// Calls inside functions that the top level does not call, under
    /// `if __name__ == "__main__":` or `if TYPE_CHECKING:`, in `__main__.py`; `random.seed`,
    /// `random.Random(…)` and other generators that are created rather than drawn from;
    /// `time.monotonic()` and `time.perf_counter()`, which only measure durations, so a start
    /// time taken at import is what they are for.
    code: "MC203", name: "import-time-nondeterminism", severity: Warning,
    summary: "a top-level random/uuid/time/datetime value, computed once for every importer",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let effects = import_time_effects(ctx.project, path, summary, |k| k == EffectKind::Nondeterminism);
    let module = ctx.project.display_name(path);
    for (effect, via) in effects {
        let (because, related) = via_call(ctx, path, summary, via);
        let message = format!(
            "`{}` runs once, when `{module}` is first imported: the cached module keeps that one value, shared by every importer for the life of the process, and it differs from run to run.{because}",
            effect.what
        );
        out.push(ctx.diagnostic(&RULE, path, effect.range, message, related));
    }
}
