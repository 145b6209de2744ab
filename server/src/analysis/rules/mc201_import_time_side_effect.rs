use super::{check_each_file, import_time_effects, rule, via_call, Rule, RuleContext, Findings};
use crate::analysis::summary::FileSummary;
use crate::analysis::diagnostic::Diagnostic;
use crate::analysis::summary::state::EffectKind;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Flags calls with side effects that run when the module is imported: output (`print`,
    /// `sys.stdout.write`), input, file-system and network I/O (`open`, `os.makedirs`,
    /// `shutil.rmtree`, `Path(…).write_text`, `socket.socket`, `urllib.request.urlopen`,
    /// `requests.get`), `time.sleep`, subprocesses (`subprocess.run`, `os.system`), database
    /// connections (`sqlite3.connect`, `psycopg2.connect`), thread starts (`threading.Thread(…)
    /// .start()`), event loops (`asyncio.run`) and process-wide configuration
    /// (`logging.basicConfig`, `signal.signal`, `os.chdir`, `locale.setlocale`). Calls are
    /// named through the file's imports (`from time import sleep; sleep(1)` counts), and calls
    /// inside functions count when the top level calls the function.
    ///
    /// ## Why is this bad?
    /// A module's top level runs once, at the first import that misses `sys.modules`. Its side
    /// effects therefore happen whenever anything imports it — a test collector, a documentation
    /// tool, a type checker plugin, a worker process — and exactly once: later imports are cache
    /// hits and do nothing, so code that relies on the effect happening again silently breaks,
    /// and code that merely wanted a function pays for a connection, a sleep or a changed
    /// logging setup.
    ///
    /// ## Example
    /// ```python
    /// # db.py
    /// import sqlite3
    /// connection = sqlite3.connect("app.db")   # opens the database on first import
    /// print("database ready")                 # printed once, by whoever imports first
    /// ```
    ///
    /// ## How to fix
    /// Move the effect into a function that the program calls when it starts (`main()`, an
    /// application factory, a `setup()` called from the entry point), or under
    /// `if __name__ == "__main__":` when the file is a script.
    ///
    /// ## What it does not flag
    /// The same calls inside functions that the top level does not call, under
    /// `if __name__ == "__main__":`, under `if TYPE_CHECKING:` or statically false conditions,
    /// in lambdas, and in `__main__.py`; `warnings.warn` (the warnings machinery is built for
    /// import-time use); `logging.getLogger` and other factories.
    code: "MC201", name: "import-time-side-effect", severity: Warning,
    summary: "a top-level call with side effects (output, I/O, sleep, subprocess, threads, global config)",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    check_each_file(ctx, RULE.code, out, check_file);
}

fn check_file(ctx: &RuleContext, path: &str, summary: &FileSummary, out: &mut Vec<Diagnostic>) {
    let effects = import_time_effects(ctx.project, path, summary, |k| matches!(k, EffectKind::SideEffect(_)));
    let module = ctx.project.display_name(path);
    for (effect, via) in effects {
        let EffectKind::SideEffect(kind) = effect.kind else { continue };
        let (because, related) = via_call(ctx, path, summary, via);
        let message = format!(
            "`{}` runs when `{module}` is first imported: importing the module {} as a side effect, once per process — later imports are cache hits and do nothing, and anything that merely imports `{module}` (a test, a tool) triggers it.{because}",
            effect.what,
            kind.describe()
        );
        out.push(ctx.diagnostic(&RULE, path, effect.range, message, related));
    }
}
