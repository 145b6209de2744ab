use super::{rule, Rule, RuleContext, Findings};

pub static RULE: Rule = rule! {
    /// ## What it does
    /// With `modcache check --warn-unused-ignores`, flags suppression comments that silenced
    /// nothing: a bare `# modcache: ignore`, a code in `# modcache: ignore[MC201]`, or an `MC`
    /// code in `# noqa: MC201`, on a line where no finding of that code was reported. The
    /// message says why each code is unused: nothing to silence, the rule is not enabled (by
    /// `select`/`ignore`), or the code is unknown. Like ruff's RUF100, it is off unless asked
    /// for.
    ///
    /// ## Why is this bad?
    /// A suppression outlives the problem it was written for. Once the module-level cache is
    /// gone or the import moved, the comment only hides the next real finding on that line, and
    /// readers keep believing the line does something the module cache makes dangerous.
    ///
    /// ## Example
    /// ```python
    /// def load():
    ///     print("loading")  # modcache: ignore[MC201]   (inside a function: never a finding)
    /// ```
    ///
    /// ## How to fix
    /// Delete the comment, or the unused codes from it.
    ///
    /// ## What it does not flag
    /// A bare `# noqa` and codes of other tools in `# noqa: E501, F401` (ruff, flake8 and pylint
    /// read those comments too), and suppressions in files outside the paths being checked.
    code: "MC900", name: "unused-suppression", severity: Warning,
    summary: "a suppression comment that silenced nothing (with --warn-unused-ignores)",
    check: check,
};

/// The findings are made by the checker, which knows which suppressions silenced something.
fn check(_ctx: &RuleContext, _out: &mut Findings) {}
