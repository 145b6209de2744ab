use std::process::ExitCode;

use clap::Args;

use super::Failure;
use crate::analysis::rules::{documentation, find_rule, RULES};

#[derive(Args)]
pub struct ExplainArgs {
    /// A rule code (MC002) or name (circular-import-error).
    code: String,
}

pub fn run(args: ExplainArgs) -> Result<ExitCode, Failure> {
    match find_rule(&args.code) {
        Some(rule) => {
            print!("{}", documentation(rule));
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let known: Vec<String> = RULES.iter().map(|r| format!("  {}  {}", r.code, r.name)).collect();
            Err(Failure(format!("unknown rule {:?}; the rules are:\n{}", args.code, known.join("\n"))))
        }
    }
}
