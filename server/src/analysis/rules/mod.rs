//! The rule catalogue. One file per rule; each declares its metadata with [`rule!`], whose doc
//! comment is the rule's documentation (docs/rules/CODE.md is generated from it, and
//! `modcache explain CODE` prints it).

use std::collections::BTreeMap;

use super::config::Entry;
use super::diagnostic::{Diagnostic, Related, Severity};
use super::graph::ImportGraph;
use super::project::Project;
use super::simulate::{LoadOrder, Site};
use super::text::TextRange;

mod mc001_import_cycle;
mod mc002_circular_import_error;
mod mc003_main_module_reimported;
mod mc004_stdlib_shadowing;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub default_severity: Severity,
    /// Markdown: what it does, why it matters, example, how to fix, what it does not flag.
    pub doc: &'static str,
    /// One line for listings.
    pub summary: &'static str,
    pub check: fn(&RuleContext, &mut Vec<Diagnostic>),
}

/// Declares a rule; the doc comment becomes [`Rule::doc`].
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        code: $code:literal, name: $name:literal, severity: $severity:ident, summary: $summary:literal, check: $check:path $(,)?
    ) => {
        $crate::analysis::rules::Rule {
            code: $code,
            name: $name,
            default_severity: $crate::analysis::diagnostic::Severity::$severity,
            doc: concat!($($doc, "\n"),*),
            summary: $summary,
            check: $check,
        }
    };
}
pub(crate) use rule;

/// Every rule, in code order.
pub static RULES: &[&Rule] = &[
    &mc001_import_cycle::RULE,
    &mc002_circular_import_error::RULE,
    &mc003_main_module_reimported::RULE,
    &mc004_stdlib_shadowing::RULE,
];

pub fn find_rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code) || r.name == code)
}

/// The rule's documentation as Markdown, with the leading space of each doc-comment line removed.
pub fn documentation(rule: &Rule) -> String {
    let body: String = rule.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n");
    format!(
        "# {} ({})\n\nDefault severity: {}.\n\n{}\n",
        rule.code,
        rule.name,
        rule.default_severity,
        body.trim()
    )
}

/// What the rules read: the project, its graph, and the simulated runs of every entry.
pub struct RuleContext<'a> {
    pub project: &'a Project,
    pub graph: &'a ImportGraph,
    /// Script-like entries (configured or detected) with their simulations.
    pub entry_orders: &'a [LoadOrder],
    /// `import M` for each module M of an import cycle, with their simulations.
    pub cycle_orders: &'a [LoadOrder],
}

impl RuleContext<'_> {
    pub fn line(&self, path: &str, offset: u32) -> u32 {
        self.project.summary(path).map(|s| s.line_number(offset)).unwrap_or(0)
    }

    pub fn diagnostic(&self, rule: &Rule, path: &str, range: TextRange, message: String, related: Vec<Related>) -> Diagnostic {
        Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.default_severity,
            path: path.to_string(),
            range,
            message,
            related,
        }
    }

    /// `path:line` of a site, for messages.
    pub fn at(site: &Site) -> String {
        format!("{}:{}", site.path, site.line)
    }

    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entry_orders.iter().map(|o| &o.entry)
    }
}

/// Groups findings that several entries produce at the same statement, keeping the first.
pub fn first_per_site<T>(items: impl IntoIterator<Item = (Site, T)>) -> BTreeMap<Site, T> {
    let mut map = BTreeMap::new();
    for (site, item) in items {
        map.entry(site).or_insert(item);
    }
    map
}
