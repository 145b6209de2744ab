"""Generate small random Python projects whose import behaviour CPython and modcache must agree on.

Every project is a pure function of its seed (`random.Random(seed)`), so a failing project can be
replayed with `run.py --seed S` or printed with `python3 tests/oracle/generate.py --seed S`.

A project has `main.py` plus a few modules: top-level modules, modules in a regular package `pkg`
(with a nested regular package `pkg.inner` and a namespace sub-package `pkg.space`), and modules
in a namespace package `nsp`. Each module binds some names (`A`, `B`, `make`) and imports other
modules in many different forms and contexts. Cycles arise from imports that point back to modules
that are still running, so whether a `from m import A` or a top-level `m.A` succeeds depends on
whether `m` bound `A` before it reached the import that closed the cycle.
"""

import argparse
import os
import random
import sys
from dataclasses import dataclass, field

# Module slots that a project may use besides `main`. Package `__init__` modules are added when a
# module inside them is chosen. `nsp` and `pkg.space` never get an `__init__.py`.
SLOTS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "pkg.one",
    "pkg.two",
    "pkg.inner.deep",
    "pkg.space.leaf",
    "nsp.leaf",
    "nsp.twig",
]
NAMESPACE_PACKAGES = {"nsp", "pkg.space"}
VALUE_NAMES = ["A", "B", "make"]
# Names that no project file provides: `missing_mod` never exists, and the ghosts exist only when
# a module plants them in `sys.modules`.
MISSING_MODULE = "missing_mod"
GHOSTS = ["ghost", "phantom"]

# How often each import context is chosen, as (context, weight).
CONTEXTS = [
    ("top", 40),
    ("attr", 10),
    ("func_called", 7),
    ("func_uncalled", 4),
    ("class_body", 4),
    ("for", 3),
    ("with", 3),
    ("while", 2),
    ("type_checking", 4),
    ("main_guard", 5),
    ("try", 6),
    ("version_check", 3),
    ("platform_check", 2),
    ("class_method", 5),
    ("generator", 3),
    ("coroutine", 2),
    ("suppress", 3),
    ("flag", 4),
]


@dataclass
class Module:
    name: str
    path: str
    is_package: bool = False
    # Items are rendered snippets of top-level code, in source order.
    items: list = field(default_factory=list)
    # Names from VALUE_NAMES that this module binds somewhere at top level.
    binds: set = field(default_factory=set)
    # A name from VALUE_NAMES that the module's `__getattr__` serves instead of binding it.
    lazy: str = None

    @property
    def package(self):
        """The package that relative imports in this module are resolved against."""
        if self.is_package:
            return self.name
        return self.name.rpartition(".")[0]


@dataclass
class Project:
    seed: int
    files: dict
    entries: list

    def render(self):
        """Return the whole project as one block with `# file:` headers, ready for a fixture."""
        # Every generated file is empty or ends with a newline, so the headers start lines.
        chunks = ["# file: %s\n%s" % (path, self.files[path]) for path in sorted(self.files)]
        chunks.append("# file: modcache.toml\n%s" % toml_entries(self.entries))
        return "".join(chunks)

    def write(self, directory):
        """Write the project's files and its `modcache.toml` under `directory`."""
        for path, content in self.files.items():
            target = os.path.join(directory, *path.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(content)
        with open(os.path.join(directory, "modcache.toml"), "w", encoding="utf-8") as handle:
            handle.write(toml_entries(self.entries))


def toml_entries(entries):
    return "entries = [%s]\n" % ", ".join('"%s"' % entry for entry in entries)


def module_path(name, is_package):
    parts = name.split(".")
    if is_package:
        return "/".join(parts) + "/__init__.py"
    return "/".join(parts) + ".py"


def with_importlib(statement):
    """The statement, after `import importlib` when it calls into importlib."""
    return "import importlib\n" + statement if "importlib." in statement else statement


# A test that CPython never passes (run.py passes no arguments) and that the model cannot
# decide, for the branches that only an undecided condition reaches.
UNDECIDABLE = "sys.argv[1:]"


def condition_import(condition):
    """The import that a platform or version test needs: `os` for `os.name`, `platform` for
    `platform.system()`, else `sys`."""
    if condition.startswith("platform.") or " platform." in condition:
        return "import platform\n"
    return "import os\n" if "os." in condition else "import sys\n"


def indent(snippet, prefix="    "):
    return "".join(prefix + line + "\n" if line else "\n" for line in snippet.splitlines())


class Generator:
    def __init__(self, seed, python=None):
        self.seed = seed
        # The (major, minor) version of the CPython that will run the project: older versions
        # get the same project in the syntax they parse.
        self.python = python or tuple(sys.version_info[:2])
        self.rng = random.Random(seed)
        self.counter = 0
        self.modules = {}
        # Lines of `flags.py`, a module of flags that other modules import (see import_item).
        self.flags = []

    def fresh(self, stem):
        self.counter += 1
        return "%s_%d" % (stem, self.counter)

    def chance(self, probability):
        return self.rng.random() < probability

    def layout(self):
        """Choose which modules exist; `main` is always one of them."""
        self.modules["main"] = Module("main", "main.py")
        count = self.rng.randint(1, 6)
        for name in self.rng.sample(SLOTS, count):
            parts = name.split(".")
            for depth in range(1, len(parts)):
                package = ".".join(parts[:depth])
                if package not in NAMESPACE_PACKAGES and package not in self.modules:
                    self.modules[package] = Module(package, module_path(package, True), True)
            self.modules[name] = Module(name, module_path(name, False))
        if "pkg" in self.modules and self.chance(0.4):
            self.modules["pkg.__main__"] = Module("pkg.__main__", "pkg/__main__.py")
        for module in self.modules.values():
            module.binds = {name for name in VALUE_NAMES if self.chance(0.6)}
            if not module.binds and self.chance(0.9):
                module.binds.add(self.rng.choice(VALUE_NAMES))
            unbound = [name for name in VALUE_NAMES if name not in module.binds]
            if unbound and not module.is_package and module.name not in ("main", "pkg.__main__") and self.chance(0.08):
                module.lazy = self.rng.choice(unbound)

    def importable(self):
        """Modules that other modules may import by name (`pkg.__main__` only runs via -m)."""
        return [name for name in self.modules if name not in ("main", "pkg.__main__")]

    def children(self, package):
        """The leaf names of the importable modules directly inside `package`."""
        return [
            name.rpartition(".")[2]
            for name in self.importable()
            if name.rpartition(".")[0] == package
        ]

    def pick_name(self, target):
        """A name to take from `target`: usually one it binds, sometimes one it never binds."""
        module = self.modules.get(target)
        bound = sorted(module.binds | ({module.lazy} if module.lazy else set())) if module else []
        if bound and not self.chance(0.03):
            return self.rng.choice(bound)
        return "NOPE"

    def module_forms(self, importer, target):
        """Statements that bind a local name to module `target`, as (statement, local name)."""
        forms = []
        alias = self.fresh("m")
        forms.append(("import %s" % target, target))
        forms.append(("import %s as %s" % (target, alias), alias))
        parent, _, leaf = target.rpartition(".")
        forms.append(("%s = importlib.import_module(%r)" % (alias, target), alias))
        if parent:
            # A plugin loop: the module's name built from a loop variable over literal strings.
            variable = self.fresh("part")
            name = self.rng.choice([
                "%r + %s" % (parent + ".", variable),
                "f%r" % (parent + ".{%s}" % variable),
                "%r %% %s" % (parent + ".%s", variable),
                "%r.format(%s)" % (parent + ".{}", variable),
            ])
            loop = "for %s in [%r]:\n    %s = importlib.import_module(%s)" % (variable, leaf, alias, name)
            forms.append((loop, alias))
            forms.append(("from %s import %s" % (parent, leaf), leaf))
            relative = self.relative_prefix(importer, parent)
            if relative is not None:
                forms.append(("from %s import %s" % (relative, leaf), leaf))
                forms.append((
                    "%s = importlib.import_module(%r, %r)" % (alias, "." + leaf, parent),
                    alias,
                ))
        forms.append(("%s = __import__(%r)" % (alias, target), alias if not parent else None))
        return forms

    def name_forms(self, importer, target):
        """Statements that take a name out of `target`."""
        name = self.pick_name(target)
        forms = [("from %s import %s" % (target, name), None)]
        if self.chance(0.3):
            other = self.pick_name(target)
            if other != name:
                forms = [("from %s import %s, %s" % (target, name, other), None)]
        relative = self.relative_prefix(importer, target)
        if relative is not None:
            forms.append(("from %s import %s" % (relative, name), None))
        elif "." in target:
            parent, _, leaf = target.rpartition(".")
            relative = self.relative_prefix(importer, parent)
            if relative is not None:
                forms.append(("from %s%s import %s" % (relative, leaf, name), None))
        if self.modules.get(target) and self.modules[target].is_package and self.chance(0.3):
            forms.append(("from %s import *" % target, None))
        return forms

    def relative_prefix(self, importer, package):
        """The dots that name `package` from inside `importer`, or None when not an ancestor.

        `main.py` gets dots anyway now and then: a relative import in a script is an error that
        the model must report.
        """
        module = self.modules[importer]
        if importer == "main":
            return "." if self.chance(0.03) else None
        own = module.package
        if not own:
            return None
        own_parts = own.split(".")
        parts = package.split(".")
        if own_parts[: len(parts)] != parts:
            return None
        return "." * (len(own_parts) - len(parts) + 1)

    def import_statement(self, importer, target):
        """One import of `target` from `importer`, as (statement, local module name or None)."""
        if target == MISSING_MODULE:
            return self.rng.choice([
                ("import %s" % MISSING_MODULE, MISSING_MODULE),
                ("from %s import A" % MISSING_MODULE, None),
            ])
        if self.chance(0.45):
            return self.rng.choice(self.name_forms(importer, target))
        return self.rng.choice(self.module_forms(importer, target))

    def choose_target(self, importer, rank, allow_missing=True):
        """Mostly import modules later in a random rank (a DAG); sometimes point back (cycles)."""
        roll = self.rng.random()
        if roll < 0.03 and allow_missing:
            return MISSING_MODULE
        if roll < 0.06 and importer != "main":
            return "main"
        candidates = [name for name in self.importable() if name != importer]
        if not candidates:
            return None
        later = [name for name in candidates if rank[name] > rank.get(importer, -1)]
        if later and not self.chance(0.4):
            return self.rng.choice(later)
        return self.rng.choice(candidates)

    def import_item(self, importer, target):
        """Render one import of `target` wrapped in a randomly chosen context."""
        contexts, weights = zip(*CONTEXTS)
        context = self.rng.choices(contexts, weights)[0]
        if target == MISSING_MODULE and self.chance(0.85):
            context = "try"
        statement, local = self.import_statement(importer, target)
        if "import *" in statement and context in ("func_called", "func_uncalled", "class_body", "class_method", "generator", "coroutine"):
            # A star import is a SyntaxError outside module level.
            context = "top"
        statement = with_importlib(statement)
        if context == "top":
            return statement
        if context == "attr":
            if local is None:
                return statement
            name = self.pick_name(target) if target in self.modules else "A"
            children = self.children(target)
            if children and self.chance(0.3):
                # Reading a submodule as an attribute fails while it is unloaded or partial.
                name = self.rng.choice(children)
            return "%s\n_%s = %s.%s" % (statement, self.fresh("seen"), local, name)
        if context in ("func_called", "func_uncalled"):
            function = self.fresh("load")
            body = statement
            if self.chance(0.2):
                # A `return` that a decidable test guards ends the call before the import.
                condition = self.decidable_condition()
                body = "%sif %s:\n    return None\n%s" % (condition_import(condition), condition, body)
            if self.chance(0.15):
                body += "\nraise %s('late')" % self.rng.choice(["ImportError", "RuntimeError"])
            elif local is not None and self.chance(0.5):
                body += "\nreturn %s" % local
            snippet = "def %s():\n%s" % (function, indent(body))
            if context == "func_called":
                snippet += "%s()" % function
            return snippet
        if context == "class_body":
            return ("class %s:\n%s" % (self.fresh("Holder"), indent(statement))).rstrip("\n")
        if context == "for":
            return "for _i in range(2):\n%s" % indent(statement).rstrip("\n")
        if context == "with":
            return "with open(__file__) as _handle:\n%s" % indent(statement).rstrip("\n")
        if context == "while":
            return "while True:\n%s    break" % indent(statement)
        if context == "type_checking":
            return "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n%s" % indent(statement).rstrip("\n")
        if context == "main_guard":
            return 'if __name__ == "__main__":\n%s' % indent(statement).rstrip("\n")
        if context == "platform_check" and self.chance(0.3):
            return self.match_item(statement)
        if context in ("version_check", "platform_check"):
            condition = self.version_condition() if context == "version_check" else self.platform_condition()
            header = condition_import(condition)
            if "sys.platform" in condition and self.chance(0.25):
                # Libraries also keep the platform in a global (`_platform = sys.platform.lower()`).
                alias = "_%s" % self.fresh("platform")
                header += "%s = sys.platform%s\n" % (alias, self.rng.choice(["", ".lower()"]))
                condition = condition.replace("sys.platform", alias)
            if self.chance(0.3):
                # Libraries name their checks once (`PY2 = sys.version_info[0] == 2`), often in
                # a compat module that the others import the flag from.
                name = self.fresh("IS_NEW").upper()
                if "_platform" not in condition and self.chance(0.4):
                    self.flags.append("%s%s = %s\n" % (condition_import(condition), name, condition))
                    header = "from flags import %s\n" % name
                else:
                    header += "%s = %s\n" % (name, condition)
                if self.chance(0.3):
                    # A name bound to another name holds the same value (filelock's has_fcntl).
                    alias = self.fresh("_flag")
                    header += "%s = %s\n" % (alias, name)
                    name = alias
                condition = self.rng.choice([name, "not " + name, "%s == %s" % (name, self.rng.choice(["True", "False"]))])
            elif self.chance(0.6):
                header, condition = self.function_result_test(header, condition)
            if self.chance(0.5):
                return "%sif %s:\n%s" % (header, condition, indent(statement).rstrip("\n"))
            return "%sif %s:\n    pass\nelse:\n%s" % (header, condition, indent(statement).rstrip("\n"))
        if context == "class_method":
            return self.class_method_item(statement)
        if context == "generator":
            # Calling a generator function runs nothing; iterating it runs the body.
            function = self.fresh("gen")
            use = self.rng.choice(["_%s = %s()" % (self.fresh("made"), function),
                                   "for _ in %s():\n    pass" % function, "list(%s())" % function])
            return "def %s():\n%s    yield 1\n%s" % (function, indent(statement), use)
        if context == "coroutine":
            # Calling an `async` function runs nothing; sending into the coroutine runs it.
            function = self.fresh("co")
            if self.chance(0.5):
                use = "%s().close()" % function
            else:
                drive = self.fresh("drive")
                use = "def %s(coro):\n    try:\n        coro.send(None)\n    except StopIteration:\n        pass\n%s(%s())" % (
                    drive, drive, function)
            return "async def %s():\n%s%s" % (function, indent(statement), use)
        if context == "flag":
            return self.flag_item(statement).rstrip("\n")
        if context == "suppress":
            caught = self.rng.choice(["ImportError", "ModuleNotFoundError", "ImportError, AttributeError", "KeyError"])
            return "from contextlib import suppress\nwith suppress(%s):\n%s" % (caught, indent(statement).rstrip("\n"))
        if context == "try":
            name = local if local and local.isidentifier() else "_fallback"
            fallback = self.rng.choice(["pass", "%s = None" % name])
            # Real fallbacks catch more or less than ImportError: a ModuleNotFoundError handler
            # lets "cannot import name" through.
            caught = self.rng.choice(["ImportError"] * 4 + ["ModuleNotFoundError", "(ImportError, AttributeError)", "Exception", ""])
            return "try:\n%sexcept%s:\n    %s" % (indent(statement), " " + caught if caught else "", fallback)
        raise AssertionError(context)

    def function_result_test(self, header, condition):
        """The test moved into a function whose result the module then tests, as platformdirs'
        `_is_android_app()` does: the function returns a literal on the path the test decides,
        or the result of an optional import's probe. Gives the new header and condition."""
        function = self.fresh("_check")
        form = self.rng.randrange(4)
        if form == 0:
            body = "if %s:\n    return True\nreturn False" % condition
        elif form == 1:
            body = "if not (%s):\n    return False\nreturn True" % condition
        elif form == 2:
            # No `return` on the path that falls through: the call returns None.
            body = "if %s:\n    return 'yes'" % condition
        else:
            # The probe of a module that no file provides returns False; the test is negated so
            # that a `not` the run cannot read would show.
            body = "try:\n    import %s\nexcept ImportError:\n    return False\nreturn True" % MISSING_MODULE
            condition = "not (%s)" % condition if self.chance(0.5) else condition
            body = "if %s:\n    pass\n%s" % (condition, body)
            header += "def %s():\n%s" % (function, indent(body))
            return header, self.rng.choice(["%s()" % function, "not %s()" % function])
        header += "def %s():\n%s" % (function, indent(body))
        if self.chance(0.4):
            result = self.fresh("_RESULT").upper()
            header += "%s = %s()\n" % (result, function)
            return header, self.rng.choice([result, "not " + result])
        return header, self.rng.choice(["%s()" % function, "not %s()" % function])

    def flag_item(self, statement):
        """The import behind a test of a module-level name that module code bound before: a
        flag that an optional import's `try` sets, a mode string or `None`. (A flag rebound
        under a condition that no model decides is unknown, and the model takes both branches
        of a test of it; like every undecidable condition, it guards no import here, since an
        import that CPython skips would differ. fixtures/order/flag_conditions has one.)"""
        flag = self.fresh("FLAG").upper()
        form = self.rng.randrange(3)
        if form == 0:
            taken = self.chance(0.5)
            setup = "%s = False\ntry:\n    import %s\n    %s = True\nexcept ImportError:\n    pass\n" % (flag, MISSING_MODULE, flag)
            if taken:
                return "%sif %s:\n    pass\nelse:\n%s" % (setup, flag, indent(statement))
            return "%sif %s:\n%s" % (setup, flag, indent(statement))
        if form == 1:
            mode = self.rng.choice(["python", "fast"])
            test = self.rng.choice(["%s == 'fast'", "%s != 'fast'", "'fast' == %s"]) % flag
            return "%s = %r\nif %s:\n%s" % (flag, mode, test, indent(statement))
        value = self.rng.choice(["None", "0", "1"])
        test = self.rng.choice(["%s is None", "%s is not None", "%s", "not %s"]) % flag
        return "%s = %s\nif %s:\n%s" % (flag, value, test, indent(statement))

    def class_method_item(self, statement):
        """The import in a method, and module code that creates an object or calls the method
        in one of the ways that run it (or, now and then, in none)."""
        cls = self.fresh("Maker")
        base = self.fresh("Base")
        obj = "_%s" % self.fresh("obj")
        method = "def __init__(self):\n%s" % indent(statement)
        form = self.rng.randrange(13)
        if form == 0:
            # The class's own `__init__`.
            return "class %s:\n%s%s = %s()" % (cls, indent(method), obj, cls)
        if form == 1:
            # An inherited `__init__`.
            return "class %s:\n%sclass %s(%s):\n    pass\n%s = %s()" % (base, indent(method), cls, base, obj, cls)
        if form == 2:
            # `super().__init__()` reaches the base's.
            return "class %s:\n%sclass %s(%s):\n    def __init__(self):\n        super().__init__()\n%s = %s()" % (
                base, indent(method), cls, base, obj, cls)
        if form == 3:
            build = "@classmethod\ndef build(cls):\n%s    return cls\n" % indent(statement)
            return "class %s:\n%s%s = %s.build()" % (cls, indent(build), obj, cls)
        if form == 4:
            new = "def __new__(cls):\n%s    return super().__new__(cls)\n" % indent(statement)
            return "class %s:\n%s%s = %s()" % (cls, indent(new), obj, cls)
        if form == 5:
            # A built-in base comes first, so the first-party mixin's `__init__` never runs.
            return "class %s:\n%sclass %s(dict, %s):\n    pass\n%s = %s()" % (base, indent(method), cls, base, obj, cls)
        run = "def run(self):\n%s" % indent(statement)
        if form == 7:
            # A method called on the object.
            return "class %s:\n%s%s = %s()\n%s.run()" % (cls, indent(run), obj, cls, obj)
        if form == 8:
            # `__init__` calls a method of the object, which a subclass overrides.
            return ("class %s:\n    def __init__(self):\n        self.run()\n    def run(self):\n        pass\n"
                    "class %s(%s):\n%s%s = %s()") % (base, cls, base, indent(run), obj, cls)
        if form == 9:
            # A method of a new object, and a classmethod that calls another through `cls`.
            if self.chance(0.5):
                return "class %s:\n%s%s().run()" % (cls, indent(run), cls)
            build = "@classmethod\ndef make(cls):\n    cls.build()\n@classmethod\ndef build(cls):\n%s" % indent(statement)
            return "class %s:\n%s%s.make()" % (cls, indent(build), cls)
        if form == 10:
            # A staticmethod and `__call__`, each called through the object.
            if self.chance(0.5):
                helper = "@staticmethod\ndef helper(value):\n%s" % indent(statement)
                return "class %s:\n%s%s = %s()\n%s.helper(1)" % (cls, indent(helper), obj, cls, obj)
            call = "def __call__(self):\n%s" % indent(statement)
            return "class %s:\n%s%s = %s()\n%s()" % (cls, indent(call), obj, cls, obj)
        if form == 11:
            # Created, but the method is never called.
            return "class %s:\n%s%s = %s()" % (cls, indent(run), obj, cls)
        # Defined, never created.
        return "class %s:\n%s" % (cls, indent(method).rstrip("\n"))

    def version_condition(self):
        """A `sys.version_info` test in one of the spellings that real code uses, which the
        interpreter running the oracle decides one way or the other."""
        op = self.rng.choice(["<", "<=", ">", ">=", "==", "!="])
        minor = self.rng.randint(6, 14)
        form = self.rng.randrange(6)
        if form == 0:
            return "sys.version_info %s (3, %d)" % (op, minor)
        if form == 1:
            return "sys.version_info[%s:2] %s (3, %d)" % (self.rng.choice(["", "", "0"]), op, minor)
        if form == 2:
            return "sys.version_info[1] %s %d" % (op, minor)
        if form == 3:
            return "sys.version_info[0] %s %d" % (op, self.rng.choice([2, 3]))
        if form == 4:
            return "sys.version_info[:1] %s (3,)" % op
        return self.rng.choice(["sys.version_info.major %s 3" % op, "sys.version_info.minor %s %d" % (op, minor)])

    def decidable_condition(self):
        """A platform, version or environment test, each of which the model decides."""
        return self.rng.choice([self.platform_condition, self.version_condition, self.environment_condition])()

    def environment_condition(self):
        """A test of an environment variable as real code spells it: run.py sets
        MODCACHE_ORACLE_FLAG=yes for both sides, and MODCACHE_ORACLE_UNSET is never set."""
        variable = self.rng.choice(["MODCACHE_ORACLE_FLAG", "MODCACHE_ORACLE_UNSET"])
        negate = self.rng.choice(["", "not "])
        form = self.rng.randrange(5)
        if form == 0:
            return "%sos.environ.get(%r)" % (negate, variable)
        if form == 1:
            return "%r %s os.environ" % (variable, self.rng.choice(["in", "not in"]))
        if form == 2:
            return "os.getenv(%r, '0').lower() %s ('1', 'yes')" % (variable, self.rng.choice(["in", "not in"]))
        if form == 3:
            return "os.environ.get(%r, '').upper() %s 'YES'" % (variable, self.rng.choice(["==", "!="]))
        return "%sbool(os.getenv(%r))" % (negate, variable)

    def match_item(self, statement):
        """The import in one case of a `match` on `sys.platform` or `os.name`."""
        if self.chance(0.5):
            subject, values = "sys.platform", ["linux", "win32", "darwin", "cygwin"]
        else:
            subject, values = "os.name", ["posix", "nt"]
        first = " | ".join(repr(v) for v in self.rng.sample(values, self.rng.randint(1, 2)))
        second = self.rng.choice(values)
        cases = [(first, "pass"), (repr(second), "pass"), ("_", "pass")]
        # The import goes in one of the cases; the wildcard comes last, where it belongs.
        at = self.rng.randrange(len(cases))
        cases[at] = (cases[at][0], statement)
        module = subject.split(".")[0]
        if self.python < (3, 10):
            # `match` is 3.10 syntax; the same cases as an if/elif chain, drawn from the same
            # random numbers, keep every other file of the project as it is.
            tests = ["%s in (%s,)" % (subject, pattern.replace(" |", ",")) if "|" in pattern
                     else "%s == %s" % (subject, pattern) for pattern, _ in cases[:-1]]
            keywords = ["if", "elif"]
            body = "".join("%s %s:\n%s" % (keyword, test, indent(code, "    "))
                           for keyword, test, (_, code) in zip(keywords, tests, cases))
            body += "else:\n%s" % indent(cases[-1][1], "    ")
            return "import %s\n%s" % (module, body.rstrip("\n"))
        body = "".join("    case %s:\n%s" % (pattern, indent(code, "        ")) for pattern, code in cases)
        return "import %s\nmatch %s:\n%s" % (module, subject, body.rstrip("\n"))

    def platform_condition(self):
        """A `sys.platform`, `os.name`, `platform.system()`, implementation or `hasattr(sys, …)`
        test as real code spells it."""
        op = self.rng.choice(["==", "!="])
        form = self.rng.randrange(7)
        if form == 6:
            attribute = self.rng.choice(["pypy_version_info", "getwindowsversion", "setdlopenflags", "modules"])
            return "%shasattr(sys, %r)" % (self.rng.choice(["", "not "]), attribute)
        if form == 4:
            values = self.rng.sample(["linux", "win32", "darwin", "cygwin"], self.rng.randint(1, 3))
            return "sys.platform %s (%s,)" % (self.rng.choice(["in", "not in"]), ", ".join(map(repr, values)))
        if form == 5:
            if self.chance(0.5):
                return "sys.implementation.name %s %r" % (op, self.rng.choice(["cpython", "pypy"]))
            return "platform.python_implementation() %s %r" % (op, self.rng.choice(["CPython", "PyPy"]))
        if form == 3:
            return "platform.system() %s %r" % (op, self.rng.choice(["Linux", "Windows", "Darwin"]))
        if form == 0:
            return "sys.platform %s %r" % (op, self.rng.choice(["linux", "win32", "darwin", "cygwin"]))
        if form == 1:
            negate = self.rng.choice(["", "not "])
            return "%ssys.platform.startswith(%r)" % (negate, self.rng.choice(["linux", "win", "darwin", "freebsd"]))
        return "os.name %s %r" % (op, self.rng.choice(["posix", "nt"]))

    def binding_item(self, name):
        if name == "make":
            return "def make():\n    return %d" % self.rng.randint(0, 9)
        return self.rng.choice(["%s = %d" % (name, self.rng.randint(0, 9)), "%s = [%d]" % (name, self.rng.randint(0, 9))])

    def extra_items(self, module, rank):
        """Rarer constructs: planted `sys.modules` entries, star-import lists, re-runs."""
        items = []
        if self.chance(0.08):
            ghost = self.rng.choice(GHOSTS)
            planted = "import sys\nsys.modules[%r] = object()\nimport %s" % (ghost, ghost)
            items.append(planted)
        if self.chance(0.02):
            # Planting over a first-party module means a later import runs no file.
            victims = [name for name in self.importable() if name != module.name]
            if victims:
                victim = self.rng.choice(victims)
                items.append("import sys\nsys.modules[%r] = object()" % victim)
        if self.chance(0.04):
            ghost = self.rng.choice(GHOSTS)
            items.append("import %s" % ghost if self.chance(0.1) else "try:\n    import %s\nexcept ImportError:\n    pass" % ghost)
        items.extend(self.raise_items())
        if module.name not in ("main", "pkg.__main__") and self.chance(0.02):
            items.append(self.uncompilable_item())
        if self.chance(0.04):
            # An error path: an import that only the message of a `raise` needs (hypothesis's
            # check_type), behind a test that CPython never passes.
            target = self.choose_target(module.name, rank, allow_missing=False)
            if target is not None:
                statement, _ = self.import_statement(module.name, target)
                if "import *" not in statement:
                    if self.chance(0.5):
                        items.append("import sys\nif %s:\n%s    raise ValueError('error path')"
                                     % (UNDECIDABLE, indent(statement)))
                    else:
                        check = self.fresh("check")
                        items.append("def %s(value):\n    if not isinstance(value, int):\n%s        raise TypeError('not an int')\n"
                                     "    return value\n%s(1)" % (check, indent(statement, "        "), check))
        if self.chance(0.03):
            # A write through globals() with a literal key binds that name. (A key built at run
            # time makes every name of the module possibly bound, so the model no longer says
            # that `from m import x` fails; fixtures/order/globals_writes has that case.)
            flag = self.fresh("FLAG")
            items.append("globals()[%r] = False\nif %s:\n    raise ImportError('flag bound through globals()')" % (flag, flag))
        if module.lazy or (not module.is_package and module.name != "main" and self.chance(0.03)):
            # A module `__getattr__` (PEP 562): as libraries write it, serving one name and
            # raising AttributeError for the others (`from m import x` asks it for `__path__`
            # first), or answering every name. Packages are left out: for a submodule's name the
            # model assumes a lazy loader that imports the submodule.
            target = self.choose_target(module.name, rank, allow_missing=False)
            statement = "pass"
            if target is not None:
                statement, _ = self.import_statement(module.name, target)
                statement = "pass" if "import *" in statement else with_importlib(statement)
            if module.lazy:
                test = self.rng.choice(["name == %r" % module.lazy, "name in {%r, 'other'}" % module.lazy])
                items.append("def __getattr__(name):\n    if %s:\n%s        return 0\n    raise AttributeError(name)" % (
                    test, indent(statement, "        ")))
            else:
                items.append("def __getattr__(name):\n%s    return 0" % indent(statement))
        if module.is_package and self.chance(0.4):
            children = self.children(module.name)
            listed = self.rng.sample(children, min(len(children), self.rng.randint(0, 2)))
            listed += [name for name in sorted(module.binds) if self.chance(0.5)]
            items.append("__all__ = [%s]" % ", ".join(repr(name) for name in listed))
        if self.chance(0.05):
            # `importlib.reload` runs the module's code again; a module reloading one that is
            # still running (itself, or an importer up the stack) runs it once more, not forever.
            target = self.rng.choice(self.importable())
            if self.chance(0.5):
                items.append("import importlib\nimport %s\nimportlib.reload(%s)" % (target, target))
            else:
                items.append("from importlib import reload\nimport %s\nreload(%s)" % (target, target))
        if module.name == "main" and self.chance(0.06):
            victim = self.rng.choice(self.importable())
            items.append("import sys\nimport %s\ndel sys.modules[%r]\nimport %s" % (victim, victim, victim))
        return items

    def uncompilable_item(self):
        """A function that is never called and that CPython refuses to compile, so that the whole
        module never starts and its import raises SyntaxError: a token of Python 2, a parameter
        list, a declaration, a target, a starred value, a keyword, an escape, a binding of
        `__debug__`, a `:=` or an asynchronous comprehension that the parser, the symbol table or
        the compiler rejects, or indentation that the tokenizer or the parser rejects (an
        unexpected indent, a missing block, an unmatched dedent). Files with one are
        the only ones that do not compile; their functions are named `legacy_N`."""
        name = self.fresh("legacy")
        body = self.rng.choice([
            "():\n    return 0755",
            "():\n    return `1`",
            "(a=1, b):\n    return a",
            "(a, a):\n    return a",
            "():\n    print(value)\n    global value",
            "():\n    from os import *",
            "():\n    del value()",
            "():\n    result = *value\n    return result",
            "():\n    return dict(a=1, a=2)",
            "():\n    return \"C:\\Users\\value\"",
            "(*):\n    return 0",
            "():\n    __debug__ = False",
            "():\n    return [(i := 0) for i in range(2)]",
            "():\n    return [item async for item in value]",
            "():\n    result = 1\n        return result",
            "():\n    if value:\n    return 1",
            "():\n    if value:\n        result = 1\n      return result",
        ])
        return "def %s%s" % (name, body)

    def raise_items(self):
        """`raise` at module level: behind a platform or version test (the importer's fallback
        may catch it), caught on the spot, raised again from a handler, or behind a condition
        that no model can decide."""
        items = []
        if self.chance(0.06):
            condition = self.decidable_condition()
            header = condition_import(condition)
            error = self.rng.choice(["ImportError", "ModuleNotFoundError", "RuntimeError", "NotImplementedError"])
            items.append("%sif %s:\n    raise %s(%r)" % (header, condition, error, "gated"))
        if self.chance(0.04):
            error, caught = self.rng.choice([
                ("KeyError", "LookupError"), ("ModuleNotFoundError", "ImportError"),
                ("IOError", "OSError"), ("ValueError", "Exception"), ("TypeError", "ImportError"),
            ])
            items.append("try:\n    raise %s(%r)\nexcept %s:\n    pass" % (error, "caught", caught))
        if self.chance(0.03):
            items.append("try:\n    import %s\nexcept ImportError:\n    raise" % MISSING_MODULE)
        if self.chance(0.03):
            items.append("import sys\nif %s:\n    raise ValueError('undecided')" % UNDECIDABLE)
        if self.chance(0.03):
            # A failing import that CPython never reaches; in the model it ends the branch.
            items.append("import sys\nif %s:\n    import %s" % (UNDECIDABLE, MISSING_MODULE))
        return items

    def main_guard_item(self, module, rank):
        """A `__main__` guard with imports: its body runs only in the entry module."""
        lines = []
        for _ in range(self.rng.randint(1, 2)):
            target = self.choose_target(module.name, rank, allow_missing=False)
            if target is None:
                continue
            statement, _ = self.import_statement(module.name, target)
            lines.append(with_importlib(statement))
        if not lines:
            lines.append("pass")
        return 'if __name__ == "__main__":\n%s' % indent("\n".join(lines)).rstrip("\n")

    def fill(self):
        order = list(self.modules)
        self.rng.shuffle(order)
        rank = {name: index for index, name in enumerate(order)}
        rank["main"] = -1
        for module in self.modules.values():
            items = [self.binding_item(name) for name in sorted(module.binds)]
            if module.name == "main":
                count = self.rng.randint(1, 3)
            elif module.is_package:
                count = self.rng.randint(0, 2)
            else:
                count = self.rng.randint(0, 3)
            for _ in range(count):
                target = self.choose_target(module.name, rank)
                if target is not None:
                    items.append(self.import_item(module.name, target))
            items.extend(self.extra_items(module, rank))
            self.rng.shuffle(items)
            if module.name in ("main", "pkg.__main__") or self.chance(0.15):
                items.append(self.main_guard_item(module, rank))
            module.items = items

    def project(self):
        self.layout()
        self.fill()
        files = {}
        for module in self.modules.values():
            files[module.path] = "".join(item.rstrip("\n") + "\n" for item in module.items)
        if self.flags:
            files["flags.py"] = "".join(self.flags)
        entries = ["main.py"]
        if "pkg.__main__" in self.modules:
            entries.append("-m pkg")
        return Project(self.seed, files, entries)


def generate(seed, python=None):
    """Return the random project for `seed`, for CPython `python` ((major, minor); default:
    the one running this)."""
    return Generator(seed, python).project()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--write", metavar="DIR", help="write the project here instead of printing it")
    args = parser.parse_args(argv)
    project = generate(args.seed)
    if args.write:
        project.write(args.write)
    else:
        sys.stdout.write(project.render())


if __name__ == "__main__":
    main()
