"""Record the order in which a real CPython run starts executing first-party modules.

`site` imports this file when the tracer folder is on PYTHONPATH. It writes the `order` JSON
of SPEC section 2 to the file named by MODCACHE_TRACE_OUT, treating every file under
MODCACHE_TRACE_ROOT as first-party. Without MODCACHE_TRACE_OUT it does nothing, so the folder can
stay on PYTHONPATH harmlessly.

This module must not import anything that is not already loaded when `site` runs: an extra
standard-library import would occupy its name in `sys.modules` before the traced program starts,
and a first-party file with that name would then no longer shadow it. `sys` and `os` are always
loaded by `site` itself, and builtin modules such as `atexit` cannot be shadowed by files at all.
That is also why the JSON is written by hand instead of with the `json` module.
"""

import os
import sys


def _install():
    out_path = os.environ.get("MODCACHE_TRACE_OUT")
    root = os.environ.get("MODCACHE_TRACE_ROOT")
    if not out_path or not root:
        return

    # `atexit` is a builtin module, so importing it never consults sys.path.
    import atexit

    bootstrap_external = sys.modules["_frozen_importlib_external"]
    bootstrap = sys.modules["_frozen_importlib"]
    loader_basics = bootstrap_external._LoaderBasics
    original_exec_module = loader_basics.exec_module

    # The cwd is captured now because relative `co_filename`s are relative to the start-up cwd,
    # even if the traced program changes directory later.
    start_cwd = os.getcwd()
    real_root = os.path.realpath(root)
    tracer_file = os.path.realpath(__file__)

    order = []
    state = {"main_seen": False, "outcome": None, "ended": False}

    def first_party(filename):
        """Return the root-relative '/' path of `filename`, or None when it is not first-party."""
        if not filename or filename.startswith("<"):
            return None
        real = os.path.realpath(os.path.join(start_cwd, filename))
        if real == tracer_file:
            return None
        if not real.startswith(real_root + os.sep):
            return None
        return os.path.relpath(real, real_root).replace(os.sep, "/")

    def entry_name():
        # For `python -m pkg`, runpy replaces argv[0] with the module's file, so the module name
        # comes from the original command line that CPython keeps in `sys.orig_argv` (3.10+),
        # or else from the spec that runpy gave `__main__`.
        orig = getattr(sys, "orig_argv", None)
        if orig is not None:
            # Interpreter options come before the script; the driver passes no option that
            # takes a separate value, so the first non-option argument ends the scan.
            for index, arg in enumerate(orig[1:-1], start=1):
                if arg == "-m":
                    return "-m " + orig[index + 1]
                if not arg.startswith("-"):
                    break
        else:
            spec = getattr(sys.modules.get("__main__"), "__spec__", None)
            if spec is not None:
                name = spec.name
                if name.endswith(".__main__"):
                    name = name[: -len(".__main__")]
                return "-m " + name
        argv = sys.argv
        return first_party(argv[0]) if argv and argv[0] else None

    def record_main(filename):
        state["main_seen"] = True
        path = first_party(filename)
        if path is not None:
            order.append({"module": "__main__", "path": path})

    def exec_module(self, module):
        # Mirror `_LoaderBasics.exec_module` so that the start is recorded only once the code has
        # compiled, exactly when it is about to run.
        code = self.get_code(module.__name__)
        if code is None:
            return original_exec_module(self, module)
        path = first_party(code.co_filename)
        if state["ended"]:
            # The program has ended; this is the interpreter reporting its error (see excepthook).
            pass
        elif path is not None or not state["main_seen"]:
            imported_from = None
            main_filename = None
            frame = sys._getframe(1)
            while frame is not None:
                if imported_from is None:
                    frame_path = first_party(frame.f_code.co_filename)
                    if frame_path is not None:
                        imported_from = {"path": frame_path, "line": frame.f_lineno}
                if frame.f_globals.get("__name__") == "__main__":
                    main_filename = frame.f_code.co_filename
                frame = frame.f_back
            # `__main__` has started if any frame runs in it; it started before this module.
            if not state["main_seen"] and main_filename is not None:
                record_main(main_filename)
            if path is not None:
                entry = {"module": module.__name__, "path": path}
                if imported_from is not None:
                    entry["imported_from"] = imported_from
                order.append(entry)
        bootstrap._call_with_frames_removed(exec, code, module.__dict__)

    loader_basics.exec_module = exec_module

    def describe(exc):
        """Return the outcome object for an exception that ended the run."""
        location = None
        tb = exc.__traceback__
        while tb is not None:
            path = first_party(tb.tb_frame.f_code.co_filename)
            if path is not None:
                location = (path, tb.tb_lineno)
            tb = tb.tb_next
        outcome = {"status": "error", "error": type(exc).__name__}
        if location is not None:
            outcome["path"], outcome["line"] = location
        outcome["message"] = str(exc)
        return outcome

    original_excepthook = sys.excepthook

    def excepthook(exc_type, exc, tb):
        # The run is over when an exception reaches the hook. What runs after is the
        # interpreter's report: CPython 3.13 prints tracebacks with the `traceback` module,
        # whose "Did you mean" suggestion for `cannot import name` imports the module again,
        # so a module that failed runs a second time while the error is printed.
        state["ended"] = True
        if state["outcome"] is None and exc is not None:
            if exc.__traceback__ is None:
                exc.__traceback__ = tb
            state["outcome"] = describe(exc)
        return original_excepthook(exc_type, exc, tb)

    sys.excepthook = excepthook

    original_exit = sys.exit

    def exit(status=None):
        # `python -m pkg` reports some failures through runpy's `sys.exit("python: Error while
        # finding module specification ...")`, which bypasses sys.excepthook. runpy raises its
        # private `_Error` for these, chained to the real error when there is one (an
        # ImportError in `pkg/__init__.py`); without one (no `pkg/__main__.py`) the outcome is
        # the SystemExit with runpy's message.
        if isinstance(status, str) and state["outcome"] is None:
            handled = sys.exc_info()[1]
            cause = handled
            while cause is not None and type(cause).__name__ == "_Error":
                cause = cause.__cause__ or cause.__context__
            if cause is not None:
                state["outcome"] = describe(cause)
            else:
                message = status
                prefix = "%s: " % sys.executable
                if message.startswith(prefix):
                    message = message[len(prefix):]
                state["outcome"] = {"status": "error", "error": "SystemExit", "message": message}
        return original_exit(status)

    sys.exit = exit

    def write():
        if not state["main_seen"]:
            # A script's `__file__` is deleted again when it finishes, but its loader keeps the
            # path. A `-m` entry that failed before runpy ran it has neither.
            main = sys.modules.get("__main__")
            loader = getattr(main, "__loader__", None)
            record_main(getattr(main, "__file__", None) or getattr(loader, "path", None))
        result = {
            "entry": entry_name(),
            "order": order,
            "outcome": state["outcome"] or {"status": "ok"},
        }
        with open(out_path, "w", encoding="utf-8") as handle:
            handle.write(to_json(result))
            handle.write("\n")

    atexit.register(write)


def to_json(value):
    """Serialise dicts, lists, strings, ints, booleans and None as JSON."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(_json_string(k) + ": " + to_json(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    raise TypeError("cannot serialise %r" % (value,))


def _json_string(text):
    parts = ['"']
    for char in text:
        if char == '"':
            parts.append('\\"')
        elif char == "\\":
            parts.append("\\\\")
        elif char == "\n":
            parts.append("\\n")
        elif ord(char) < 0x20 or 0xD800 <= ord(char) < 0xE000:
            parts.append("\\u%04x" % ord(char))
        else:
            parts.append(char)
    parts.append('"')
    return "".join(parts)


_install()
del _install
