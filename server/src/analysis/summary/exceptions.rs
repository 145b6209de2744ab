//! CPython's built-in exception classes and their bases, as `python3 -c "import builtins"`
//! lists them, for `raise` statements and the `except` clauses that catch them.

/// Each built-in exception class with its base (`BaseException` has none). `IOError` and
/// `EnvironmentError` are other names of `OSError` and are looked up through [`canonical`].
const CLASSES: &[(&str, &str)] = &[
    ("ArithmeticError", "Exception"),
    ("AssertionError", "Exception"),
    ("AttributeError", "Exception"),
    ("BaseException", ""),
    ("BaseExceptionGroup", "BaseException"),
    ("BlockingIOError", "OSError"),
    ("BrokenPipeError", "ConnectionError"),
    ("BufferError", "Exception"),
    ("BytesWarning", "Warning"),
    ("ChildProcessError", "OSError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionError", "OSError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"),
    ("DeprecationWarning", "Warning"),
    ("EOFError", "Exception"),
    ("EncodingWarning", "Warning"),
    ("Exception", "BaseException"),
    ("ExceptionGroup", "BaseExceptionGroup"),
    ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"),
    ("FloatingPointError", "ArithmeticError"),
    ("FutureWarning", "Warning"),
    ("GeneratorExit", "BaseException"),
    ("ImportError", "Exception"),
    ("ImportWarning", "Warning"),
    ("IndentationError", "SyntaxError"),
    ("IndexError", "LookupError"),
    ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"),
    ("KeyError", "LookupError"),
    ("KeyboardInterrupt", "BaseException"),
    ("LookupError", "Exception"),
    ("MemoryError", "Exception"),
    ("ModuleNotFoundError", "ImportError"),
    ("NameError", "Exception"),
    ("NotADirectoryError", "OSError"),
    ("NotImplementedError", "RuntimeError"),
    ("OSError", "Exception"),
    ("OverflowError", "ArithmeticError"),
    ("PendingDeprecationWarning", "Warning"),
    ("PermissionError", "OSError"),
    ("ProcessLookupError", "OSError"),
    ("RecursionError", "RuntimeError"),
    ("ReferenceError", "Exception"),
    ("ResourceWarning", "Warning"),
    ("RuntimeError", "Exception"),
    ("RuntimeWarning", "Warning"),
    ("StopAsyncIteration", "Exception"),
    ("StopIteration", "Exception"),
    ("SyntaxError", "Exception"),
    ("SyntaxWarning", "Warning"),
    ("SystemError", "Exception"),
    ("SystemExit", "BaseException"),
    ("TabError", "IndentationError"),
    ("TimeoutError", "OSError"),
    ("TypeError", "Exception"),
    ("UnboundLocalError", "NameError"),
    ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeEncodeError", "UnicodeError"),
    ("UnicodeError", "ValueError"),
    ("UnicodeTranslateError", "UnicodeError"),
    ("UnicodeWarning", "Warning"),
    ("UserWarning", "Warning"),
    ("ValueError", "Exception"),
    ("Warning", "Exception"),
    ("ZeroDivisionError", "ArithmeticError"),
];

/// The class a built-in exception name stands for, as `type(e).__name__` spells it.
pub fn canonical(name: &str) -> Option<&'static str> {
    let name = match name {
        "IOError" | "EnvironmentError" => "OSError",
        other => other,
    };
    CLASSES.iter().find(|(class, _)| *class == name).map(|(class, _)| *class)
}

/// Whether `except class` catches an exception of the built-in class `error`: the same class
/// or one of its bases. A name that is not a built-in class catches only itself.
pub fn is_caught_by(error: &str, class: &str) -> bool {
    let class = canonical(class).unwrap_or(class);
    let mut current = canonical(error).unwrap_or(error);
    // The chain is at most five classes long; the bound guards against a mistake in the table.
    for _ in 0..CLASSES.len() {
        if current == class {
            return true;
        }
        match CLASSES.iter().find(|(name, _)| *name == current) {
            Some((_, base)) if !base.is_empty() => current = base,
            _ => return false,
        }
    }
    false
}

/// Whether `raise` of this built-in class leaves module code the way any error does. Exits,
/// interrupts and generator exits are not import failures, and the model leaves them out.
pub fn is_modelled(class: &str) -> bool {
    is_caught_by(class, "Exception")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table agrees with the interpreter on every pair that these tests name; the whole
    /// table was printed from `builtins` of CPython 3.11.
    #[test]
    fn except_clauses_catch_subclasses() {
        for (error, class, caught) in [
            ("ModuleNotFoundError", "ImportError", true),
            ("ModuleNotFoundError", "Exception", true),
            ("ImportError", "ModuleNotFoundError", false),
            ("KeyError", "LookupError", true),
            ("FileNotFoundError", "IOError", true),
            ("FileNotFoundError", "EnvironmentError", true),
            ("UnicodeDecodeError", "ValueError", true),
            ("SystemExit", "Exception", false),
            ("SystemExit", "BaseException", true),
            ("RuntimeError", "ImportError", false),
            ("ImportError", "MyError", false),
        ] {
            assert_eq!(is_caught_by(error, class), caught, "{error} caught by {class}");
        }
        assert!(is_modelled("NotImplementedError"));
        assert!(!is_modelled("KeyboardInterrupt"));
        assert_eq!(canonical("IOError"), Some("OSError"));
        assert_eq!(canonical("MyError"), None);
    }
}
