"""Tests of the oracle harness itself: tracer, generator and driver.

    python3 tests/oracle/selftest.py

The driver is checked against fake_modcache.py, which answers with CPython's own trace: in echo
mode everything must pass, in perturb mode everything must fail.
"""

import os
import re
import subprocess
import sys
import tempfile
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
# The harness lives in the repository; keep it free of __pycache__ folders.
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import generate  # noqa: E402
import run  # noqa: E402

FAKE = os.path.join(HERE, "fake_modcache.py")
SEEDS = range(run.FIXED_SEED_BASE, run.FIXED_SEED_BASE + 300)

# A generated file that CPython must refuse to compile (see Generator.uncompilable_item).
UNCOMPILABLE = re.compile(r"^def legacy_\d+\(", re.MULTILINE)

# Every construct the generator must produce at least once over SEEDS, as a regex over one
# file's text (multi-line mode).
CONSTRUCTS = {
    "import a": r"^\s*import (alpha|beta|gamma|delta)$",
    "import pkg.b": r"^\s*import pkg\.\w+(\.\w+)?$",
    "import pkg.b as x": r"^\s*import pkg\.[\w.]+ as \w+$",
    "from pkg import b (submodule)": r"^\s*from pkg import (one|two|inner|space)$",
    "from . import b": r"^\s*from \.+ import (one|two|inner|space|leaf|twig|deep)$",
    "from .b import name": r"^\s*from \.+\w+ import ",
    "from a import name": r"^\s*from (alpha|beta|gamma|delta) import (A|B|make)",
    "from pkg import *": r"^from pkg[\w.]* import \*$",
    "__all__": r"^__all__ = \[",
    "import_module in a loop over strings": r"^\s*for (part_\d+) in \['\w+'\]:\n\s+m_\d+ = importlib\.import_module\(.*\1",
    "top-level attribute access": r"^_seen_\d+ = \w+(\.\w+)+$",
    "function import, called": r"^def (load_\d+)\(\):\n(    .*\n)+\1\(\)$",
    "if TYPE_CHECKING": r"^if TYPE_CHECKING:\n    (import|from) ",
    "sys.version_info check": r"^if sys\.version_info(\[0?:?\d\])? [<>=!]+ ",
    "sys.version_info.major/.minor check": r"^if sys\.version_info\.(major|minor) [<>=!]+ ",
    "sys.platform check": r"^if (not )?sys\.platform( [=!]= |\.startswith\()",
    "os.name check": r"^if os\.name [=!]= ",
    "platform.system() check": r"^if platform\.system\(\) [=!]= ",
    "sys.platform membership": r"^if sys\.platform (not )?in \(",
    "hasattr(sys, ...)": r"^if (not )?hasattr\(sys, '",
    "implementation check": r"^if (sys\.implementation\.name|platform\.python_implementation\(\)) [=!]= ",
    "sys.platform through a global": r"^(_platform_\d+) = sys\.platform(\.lower\(\))?\n(IS_NEW_\d+ = .*\n)?if (not )?[\w]*",
    "named condition": r"^IS_NEW_\d+ = .*\nif (not )?IS_NEW_\d+( == (True|False))?:",
    "flag imported from another module": r"^from flags import (IS_NEW_\d+)\nif (not )?\1( == (True|False))?:",
    "flags module": r"^(IS_NEW_\d+) = (sys|os)\.",
    "import on an error path": r"^(        |    )(import|from) [^\n]+\n\1raise (ValueError\('error path'\)|TypeError\('not an int'\))$",
    "globals() write with a literal key": r"^globals\(\)\['(FLAG_\d+)'\] = False\nif \1:",
    "flag bound to another name": r"^(_flag_\d+) = IS_NEW_\d+\nif (not )?\1( == (True|False))?:",
    "sys.version_info[0:2]": r"^if sys\.version_info\[0:2\]",
    "test of a function's result": r"^if (not )?(_check_\d+)\(\):",
    "test of a name bound to a function's result": r"^(_RESULT_\d+) = (_check_\d+)\(\)\nif (not )?\1:",
    "module that does not compile": r"^def legacy_\d+\(",
    "sys.version_info[:2] check": r"^if sys\.version_info\[:2\] [<>=!]+ \(3, \d+\):",
    "__main__ guard": r'^if __name__ == "__main__":\n    ',
    "try/except ImportError": r"^try:\n(    .*\n)+except ImportError:",
    "try/except ModuleNotFoundError": r"^try:\n(    .*\n)+except ModuleNotFoundError:",
    "try/except with a tuple": r"^try:\n(    .*\n)+except \(ImportError, AttributeError\):",
    "try/bare except": r"^try:\n(    .*\n)+except:",
    "class body import": r"^class Holder_\d+:\n    (import|from|m_\d+ =) ",
    "__init__ run by creating an object": r"^class (Maker_\d+):\n    def __init__\(self\):\n(        .*\n)+_obj_\d+ = \1\(\)$",
    "inherited __init__": r"^class (Base_\d+):\n    def __init__\(self\):\n(        .*\n)+class (Maker_\d+)\(\1\):\n    pass\n_obj_\d+ = \3\(\)$",
    "super().__init__()": r"^        super\(\)\.__init__\(\)$",
    "classmethod called at module level": r"^    @classmethod\n    def build\(cls\):\n(        .*\n)+    +return cls\n_obj_\d+ = Maker_\d+\.build\(\)$",
    "__new__": r"^    def __new__\(cls\):\n",
    "built-in base before a first-party mixin": r"^class Maker_\d+\(dict, Base_\d+\):",
    "class never instantiated": r"^class (Maker_\d+):\n    def __init__\(self\):\n(        .*\n)*        [^\n]*\n(?!_obj_\d+ = \1)(?!class Maker)",
    "method called on an object": r"^(_obj_\d+) = Maker_\d+\(\)\n\1\.run\(\)$",
    "__init__ calls an overridden method": r"^        self\.run\(\)\n    def run\(self\):\n        pass\nclass Maker_\d+\(Base_\d+\):$",
    "method of a new object": r"^Maker_\d+\(\)\.run\(\)$",
    "classmethod through cls": r"^    def make\(cls\):\n        cls\.build\(\)$",
    "staticmethod through an object": r"^(_obj_\d+)\.helper\(1\)$",
    "__call__ of an object": r"^    def __call__\(self\):\n(        .*\n)+(_obj_\d+) = Maker_\d+\(\)\n\2\(\)$",
    "method never called": r"^    def run\(self\):\n(        .*\n)+(_obj_\d+) = Maker_\d+\(\)(?!\n\2)",
    "importlib.reload": r"^import importlib\nimport ([\w.]+)\nimportlib\.reload\(\1\)$",
    "reload imported from importlib": r"^from importlib import reload\nimport ([\w.]+)\nreload\(\1\)$",
    "flag set by an optional import's try": r"^(FLAG_\d+) = False\ntry:\n    import missing_mod\n    \1 = True\nexcept ImportError:\n    pass\nif \1:$",
    "mode string compared": r"^(FLAG_\d+) = '\w+'\nif [^\n]*\1[^\n]*'fast'[^\n]*:$|^(FLAG_\d+) = '\w+'\nif 'fast' == \2:$",
    "flag compared with None": r"^(FLAG_\d+) = \w+\nif \1 is (not )?None:$",
    "failing import under an undecidable test": r"^if sys\.argv\[1:\]:\n    import missing_mod$",
    "match on the platform": r"^match (sys\.platform|os\.name):\n    case '\w+'( \| '\w+')?:\n",
    "raise behind a platform or version test": r"^if (sys|os)\.[^\n]*:\n    raise \w+\('gated'\)$",
    "raise caught on the spot": r"^try:\n    raise \w+\('caught'\)\nexcept \w+:\n    pass$",
    "bare raise in a handler": r"^except ImportError:\n    raise$",
    "raise behind an undecidable condition": r"^if sys\.argv\[1:\]:\n    raise ValueError",
    "raise behind an environment test": r"^if [^\n]*os\.(environ|getenv)[^\n]*:\n    raise \w+\('gated'\)$",
    "generator created, not iterated": r"^def (gen_\d+)\(\):\n(    .*\n)+_made_\d+ = \1\(\)$",
    "generator iterated": r"^(for _ in|list\()gen_\d+\(\)",
    "coroutine never awaited": r"^co_\d+\(\)\.close\(\)$",
    "coroutine driven": r"^drive_\d+\(co_\d+\(\)\)$",
    "with suppress(...)": r"^with suppress\([\w, ]+\):\n    ",
    "module __getattr__ for every name": r"^def __getattr__\(name\):\n(    .*\n)+    return 0$",
    "module __getattr__ for one name": r"^def __getattr__\(name\):\n    if name (==|in) [^\n]+:\n(        .*\n)+    raise AttributeError\(name\)$",
    "return guarded by a decidable test": r"^def load_\d+\(\):\n    import (sys|os)\n    if [^\n]+:\n        return None$",
    "raise in a called function": r"^    raise (ImportError|RuntimeError)\('late'\)\nload_\d+\(\)$",
    "top-level for": r"^for _i in range\(2\):\n    ",
    "top-level with": r"^with open\(__file__\) as _handle:\n    ",
    "top-level while": r"^while True:\n    ",
    "sys.modules plant then import": r"^sys\.modules\['(ghost|phantom)'\] = object\(\)\nimport (ghost|phantom)$",
    "sys.modules plant over first-party": r"^sys\.modules\['(alpha|beta|gamma|delta|pkg[\w.]*|nsp\.\w+)'\] = object\(\)$",
    "del sys.modules": r"^del sys\.modules\[",
    "missing module": r"import missing_mod|from missing_mod import",
    "import main": r"^\s*(import main( as \w+)?|from main import .*|\w+ = (__import__|importlib\.import_module)\('main'\))$",
    "relative import in main.py": r"^\s*from \. import",
    "importlib.import_module": r"importlib\.import_module\('",
    "importlib.import_module relative": r"importlib\.import_module\('\.\w+', 'pkg[\w.]*'\)",
    "__import__": r"__import__\('",
}


def generated_projects():
    return [generate.generate(seed) for seed in SEEDS]


class GeneratorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.projects = generated_projects()

    def test_deterministic(self):
        for seed in list(SEEDS)[:20]:
            self.assertEqual(generate.generate(seed).render(), generate.generate(seed).render())

    def test_older_pythons_get_the_same_project_in_their_syntax(self):
        import ast
        rewritten = 0
        for seed in list(SEEDS)[:200]:
            current, old = generate.generate(seed), generate.generate(seed, (3, 8))
            self.assertEqual(sorted(current.files), sorted(old.files))
            rewritten += current.render() != old.render()
            for path, content in old.files.items():
                if UNCOMPILABLE.search(content):
                    continue
                with self.subTest(seed=seed, path=path):
                    ast.parse(content, path, feature_version=(3, 8))
        # `match` statements are among the constructs, so some projects must have changed.
        self.assertGreater(rewritten, 0)

    def test_every_file_compiles_unless_made_not_to(self):
        for project in self.projects:
            for path, content in project.files.items():
                with self.subTest(seed=project.seed, path=path):
                    if UNCOMPILABLE.search(content):
                        with self.assertRaises(SyntaxError):
                            compile(content, path, "exec")
                    else:
                        compile(content, path, "exec")

    def test_covers_every_construct(self):
        missing = []
        for label, pattern in CONSTRUCTS.items():
            regex = re.compile(pattern, re.MULTILINE)
            hits = 0
            for project in self.projects:
                for path, content in project.files.items():
                    if label == "relative import in main.py" and path != "main.py":
                        continue
                    if label == "import main" and path == "main.py":
                        continue
                    hits += bool(regex.search(content))
            if not hits:
                missing.append(label)
        self.assertEqual(missing, [], "constructs never generated")

    def test_functions_with_imports_that_are_never_called(self):
        uncalled = 0
        for project in self.projects:
            for content in project.files.values():
                for name in re.findall(r"^def (load_\d+)\(\):", content, re.MULTILINE):
                    uncalled += not re.search(r"^%s\(\)$" % name, content, re.MULTILINE)
        self.assertGreater(uncalled, 0)

    def test_layouts(self):
        paths = {path for project in self.projects for path in project.files}
        self.assertIn("pkg/inner/__init__.py", paths, "nested regular package")
        self.assertIn("pkg/__main__.py", paths)
        self.assertTrue(any(path.startswith("nsp/") for path in paths))
        self.assertNotIn("nsp/__init__.py", paths, "nsp must stay a namespace package")
        self.assertNotIn("pkg/space/__init__.py", paths, "pkg.space must stay a namespace package")
        self.assertTrue(any("-m pkg" in project.entries for project in self.projects))
        for project in self.projects:
            self.assertEqual("-m pkg" in project.entries, "pkg/__main__.py" in project.files)


def top_level_imports(content):
    """Absolute module names imported by unindented statements of one file."""
    names = set()
    for match in re.finditer(r"^(?:import ([\w.]+)|from ([\w.]+) import)", content, re.MULTILINE):
        name = match.group(1) or match.group(2)
        names.add(name)
    return names


def has_cycle(graph):
    visiting, done = set(), set()

    def visit(node):
        visiting.add(node)
        for child in graph.get(node, ()):
            if child in visiting or (child not in done and visit(child)):
                return True
        visiting.discard(node)
        done.add(node)
        return False

    return any(node not in done and visit(node) for node in list(graph))


class OutcomeVarietyTest(unittest.TestCase):
    """The random projects must exercise crashing and harmless cycles, not only one of them."""

    def test_outcomes(self):
        args = types.SimpleNamespace(python=sys.executable, cpython_only=True)
        kinds = set()
        with tempfile.TemporaryDirectory() as scratch:
            cases = run.random_cases(list(SEEDS)[:200], scratch, tuple(sys.version_info[:2]))
            results = [run.check(case, args) for case in cases]
        for result in results:
            self.assertTrue(result.passed, result.problems)
            outcome = result.cpython["outcome"]
            if outcome["status"] == "ok":
                ran = {step["module"] for step in result.cpython["order"]} - {"__main__"}
                project = result.case.project
                graph = {
                    name: {target for target in top_level_imports(project.files[path]) if target in ran}
                    for name, path in ((step["module"], step["path"]) for step in result.cpython["order"])
                    if name in ran
                }
                kinds.add("harmless cycle" if has_cycle(graph) else "ok")
            elif "partially initialized" in outcome["message"]:
                kinds.add("partial " + outcome["error"])
            else:
                kinds.add(outcome["error"])
        for kind in ("ok", "harmless cycle", "partial ImportError", "partial AttributeError",
                     "ImportError", "ModuleNotFoundError", "SyntaxError"):
            self.assertIn(kind, kinds)


class TracerTest(unittest.TestCase):
    def test_loads_no_extra_module(self):
        with tempfile.TemporaryDirectory() as root:
            with open(os.path.join(root, "main.py"), "w") as handle:
                handle.write("import sys\nprint(sorted(set(sys.modules) - {'sitecustomize'}))\n")
            plain = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True)
            env = dict(os.environ, PYTHONPATH=run.TRACER_DIR, MODCACHE_TRACE_ROOT=root,
                       MODCACHE_TRACE_OUT=os.path.join(root, "trace.json"))
            traced = subprocess.run([sys.executable, "main.py"], cwd=root, capture_output=True, text=True, env=env)
            self.assertEqual(plain.stdout, traced.stdout)
            self.assertTrue(os.path.exists(os.path.join(root, "trace.json")))

    def test_json_escaping(self):
        sys.path.insert(0, run.TRACER_DIR)
        try:
            # Importing the tracer without MODCACHE_TRACE_OUT installs nothing.
            saved = os.environ.pop("MODCACHE_TRACE_OUT", None)
            import sitecustomize as tracer
        finally:
            sys.path.remove(run.TRACER_DIR)
            if saved is not None:
                os.environ["MODCACHE_TRACE_OUT"] = saved
        import json
        value = {"a": ['x"y\\z\n\t\u00e9\x01', 3, None, True], "b": {}}
        self.assertEqual(json.loads(tracer.to_json(value)), value)


class NormaliseTest(unittest.TestCase):
    def test_suffixes(self):
        cases = {
            "cannot import name 'User' from partially initialized module 'models' "
            "(most likely due to a circular import) (/tmp/x/models.py)":
                "cannot import name 'User' from partially initialized module 'models'",
            "cannot import name 'x' from 'ns' (unknown location)": "cannot import name 'x' from 'ns'",
            "partially initialized module 'a' has no attribute 'x' (most likely due to a circular import)":
                "partially initialized module 'a' has no attribute 'x'",
            "No module named 'x'": "No module named 'x'",
        }
        for raw, expected in cases.items():
            self.assertEqual(run.normalise_message(raw, "/tmp/x"), expected)

    def test_paths_relative_to_the_workspace(self):
        # CPython 3.13 names the module's file by its absolute path; modcache by the relative one.
        raw = ("module 'a' has no attribute 'x' (consider renaming '/tmp/x/a.py' if it has the same "
               "name as a third-party module you intended to import)")
        self.assertEqual(run.normalise_message(raw, "/tmp/x"), raw.replace("/tmp/x/", ""))
        raw = "partially initialized module 'p.a' from '/tmp/x/p/a.py' has no attribute 'y'"
        self.assertEqual(run.normalise_message(raw, "/tmp/x/"), raw.replace("/tmp/x/", ""))
        # Another folder that merely starts like the workspace stays as it is.
        raw = "partially initialized module 'p.a' from '/tmp/xy/p/a.py' has no attribute 'y'"
        self.assertEqual(run.normalise_message(raw, "/tmp/x"), raw)


class DriverTest(unittest.TestCase):
    def drive(self, mode):
        env = dict(os.environ, FAKE_MODCACHE_MODE=mode)
        completed = subprocess.run(
            [sys.executable, os.path.join(HERE, "run.py"), "--modcache", FAKE, "--random", "4"],
            capture_output=True, text=True, env=env, timeout=600,
        )
        last = completed.stdout.strip().splitlines()[-1]
        match = re.fullmatch(r"(\d+) passed, (\d+) failed", last)
        self.assertIsNotNone(match, completed.stdout[-2000:] + completed.stderr)
        return completed, int(match.group(1)), int(match.group(2))

    def test_echo_passes(self):
        completed, passed, failed = self.drive("echo")
        self.assertEqual((completed.returncode, failed), (0, 0), completed.stdout[-5000:])
        self.assertGreater(passed, 40)

    def test_perturb_fails_loudly(self):
        completed, passed, failed = self.drive("perturb")
        self.assertEqual((completed.returncode, passed), (1, 0), completed.stdout[-5000:])
        self.assertGreater(failed, 40)
        self.assertIn("--- CPython order", completed.stdout)
        self.assertIn("--- CPython outcome", completed.stdout)
        self.assertIn("# file: main.py\n", completed.stdout)
        self.assertIn("replay: ", completed.stdout)


if __name__ == "__main__":
    unittest.main()
