use super::{first_per_site, rule, Rule, RuleContext, Findings};
use crate::analysis::diagnostic::{Diagnostic, Related};
use crate::analysis::simulate::LoadOrder;

pub static RULE: Rule = rule! {
    /// ## What it does
    /// Runs every plausible way of starting the program — configured entries, detected scripts
    /// (`if __name__ == "__main__":`, `__main__.py`, `[project.scripts]`) and each module of an
    /// import cycle imported first from outside — through a model of CPython's import system, and
    /// flags the statement where CPython would raise `ImportError` ("cannot import name … from
    /// partially initialized module …") or `AttributeError` on a partially initialised module.
    /// The message names the entry, the order in which the modules started, the missing name,
    /// and the line where that name gets bound.
    ///
    /// ## Why is this bad?
    /// A module is placed in `sys.modules` before its code runs. When a cycle leads back to it,
    /// the importer gets the half-built module, with only the names bound above the import that
    /// started the cycle. `from models import User` then fails if `User` is defined below
    /// `models`' own import of the importer. The crash depends on which module is imported
    /// first, so tests that import `services` first pass while `python main.py`, which imports
    /// `models` first, crashes.
    ///
    /// ## Example
    /// ```python
    /// # main.py
    /// import models
    ///
    /// # models.py
    /// from services import save   # models starts, then runs services
    ///
    /// class User: ...
    ///
    /// # services.py
    /// from models import User     # models has not bound User yet: ImportError
    /// ```
    ///
    /// ## How to fix
    /// Break the cycle: in services.py write `import models` and use `models.User` inside
    /// functions, or move the import into the function that needs it, or guard an import used
    /// only in annotations with `if TYPE_CHECKING:`. Moving `class User` above
    /// `from services import save` also works, but leaves a cycle that the next edit can break.
    ///
    /// ## What it does not flag
    /// Harmless cycles, where every name is bound before the import that closes the cycle; these
    /// are MC001 only.
    code: "MC002", name: "circular-import-error", severity: Error,
    summary: "an import that raises on a partially initialised module for some entry order",
    check: check,
};

fn check(ctx: &RuleContext, out: &mut Findings) {
    let crashes = ctx
        .entry_orders
        .iter()
        .chain(ctx.cycle_orders)
        .filter_map(|order| order.partial_init_error().and_then(|e| e.site.clone()).map(|site| (site, order)));
    for (site, order) in first_per_site(crashes) {
        out.push(diagnostic(ctx, &site, order));
    }
}

fn diagnostic(ctx: &RuleContext, site: &crate::analysis::simulate::Site, order: &LoadOrder) -> Diagnostic {
    let error = order.partial_init_error().expect("filtered on partial-initialisation errors");
    let missing = error.missing.as_ref().expect("partial-initialisation errors name the missing name");
    let bound_at = missing
        .path
        .as_ref()
        .and_then(|path| ctx.project.summary(path).and_then(|s| s.module_binding(&missing.name)).map(|r| (path, r)));
    let chain: Vec<String> = error
        .chain
        .iter()
        .map(|link| match (&link.module[..], &link.path) {
            ("__main__", Some(path)) => format!("`__main__` ({path})"),
            ("__main__", None) => "`-c`".to_string(),
            (module, _) => format!("`{module}`"),
        })
        .filter(|s| s != "`-c`")
        .collect();
    let explanation = if missing.submodule {
        format!(
            "`{0}.{1}` is still initialising here, and `{0}` gets the attribute `{1}` only when it finishes",
            missing.module, missing.name
        )
    } else {
        let where_bound = match &bound_at {
            Some((path, range)) => format!("it is bound at {path}:{}", ctx.line(path, range.start)),
            None => format!("`{}` never binds it at import time", missing.module),
        };
        format!(
            "`{}` is still initialising here and has not bound `{}` yet ({where_bound})",
            missing.module, missing.name
        )
    };
    let message = format!(
        "{}: {} when the program starts with `{}`. Modules start in this order: {}; {explanation}.",
        error.kind,
        error.message,
        order.entry.command(),
        chain.join(" → "),
    );
    let mut related: Vec<Related> = error
        .chain
        .iter()
        .filter_map(|link| {
            let at = link.at.as_ref()?;
            if at == site {
                return None;
            }
            Some(Related {
                path: at.path.to_string(),
                range: at.range,
                message: format!("`{}` is initialising and runs this import", link.module),
            })
        })
        .collect();
    if let Some((path, range)) = bound_at {
        related.push(Related {
            path: path.clone(),
            range,
            message: format!("`{}` is bound here, after the import that started the cycle", missing.name),
        });
    }
    ctx.diagnostic(&RULE, &site.path, site.range, message, related)
}
