//! State-rule fixtures (MC101–MC401, MC900): each case is a multi-file project and the exact
//! findings it must produce, as `path:line CODE`. Near misses are cases whose expected list is
//! empty (or lacks the code they nearly trigger).

mod support;

use modcache::analysis::check::{analyze, analyze_with, AnalyzeOptions};

fn findings(fixture: &str, options: AnalyzeOptions) -> (Vec<String>, Vec<String>) {
    let project = support::project(fixture);
    let analysis = analyze_with(&project, options);
    let lines = analysis
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.path, project.summary(&d.path).unwrap().line_number(d.range.start), d.code))
        .collect();
    let messages = analysis.diagnostics.iter().map(|d| format!("  {} {}: {}", d.path, d.code, d.message)).collect();
    (lines, messages)
}

/// Runs every rule over the fixture and compares `path:line CODE` of all findings.
fn check(fixture: &str, expected: &[&str]) {
    let (actual, messages) = findings(fixture, AnalyzeOptions::default());
    assert_eq!(actual, expected, "\nfindings differ; messages:\n{}", messages.join("\n"));
}

/// Every finding as `path:line CODE: message`, with related locations, for snapshots.
fn messages(fixture: &str) -> Vec<String> {
    let project = support::project(fixture);
    let line = |path: &str, offset: u32| project.summary(path).map(|s| s.line_number(offset)).unwrap_or(0);
    analyze(&project)
        .diagnostics
        .iter()
        .map(|d| {
            let mut text = format!("{}:{} {}: {}", d.path, line(&d.path, d.range.start), d.code, d.message);
            for r in &d.related {
                text.push_str(&format!("\n    {}:{}: {}", r.path, line(&r.path, r.range.start), r.message));
            }
            text
        })
        .collect()
}

fn check_unused(fixture: &str, expected: &[&str]) {
    let (actual, messages) = findings(fixture, AnalyzeOptions { warn_unused_suppressions: true });
    assert_eq!(actual, expected, "\nfindings differ; messages:\n{}", messages.join("\n"));
}

// The seed examples of the issue: each gives exactly the expected code at the expected line.

#[test]
fn seed_list_appended_in_a_test_is_mc401() {
    check(
        "\
# file: state.py
users = []
# file: test_users.py
from state import users

def test_add_user():
    users.append('alice')
    assert users == ['alice']
",
        &["test_users.py:4 MC401"],
    );
}

#[test]
fn seed_class_settings_changed_from_another_module_is_mc102() {
    check(
        "\
# file: config.py
class Config:
    settings = {}
# file: app.py
from config import Config
Config.settings['debug'] = True
",
        // The class attribute itself is MC103: it is mutated through the class from app.py.
        &["app.py:2 MC102", "config.py:2 MC103"],
    );
}

#[test]
fn seed_random_number_is_mc203() {
    check("# file: lottery.py\nimport random\nRANDOM_NUMBER = random.randint(1, 100)\n", &["lottery.py:2 MC203"]);
}

#[test]
fn seed_env_is_mc202() {
    check("# file: settings.py\nimport os\nENV = os.getenv('ENV', 'dev')\n", &["settings.py:2 MC202"]);
}

#[test]
fn seed_reload_after_from_import_is_mc301() {
    check(
        "\
# file: points.py
class Point:
    pass
# file: main.py
import importlib
import points
from points import Point

importlib.reload(points)
",
        &["main.py:5 MC301"],
    );
}

#[test]
fn seed_reload_of_a_string_is_mc302() {
    check("# file: main.py\nimport importlib\nimportlib.reload('points')\n# file: points.py\nX = 1\n", &["main.py:2 MC302"]);
}

#[test]
fn seed_del_sys_modules_is_mc303() {
    check("# file: main.py\nimport sys\ndel sys.modules['m']\n", &["main.py:2 MC303"]);
}

#[test]
fn seed_sys_modules_assignment_is_mc304() {
    check(
        "\
# file: main.py
import sys

class TestModule:
    def __init__(self, name):
        self.name = name

sys.modules['test'] = TestModule('test')
",
        &["main.py:7 MC304"],
    );
}

#[test]
fn seed_service_instance_is_mc105() {
    check(
        "\
# file: services.py
class DatabaseService:
    def query(self, sql):
        return sql

service = DatabaseService()
",
        &["services.py:5 MC105"],
    );
}

#[test]
fn seed_messages() {
    let fixture = "\
# file: state.py
import os
import random
import sys

cache = {}
ENV = os.getenv('ENV')
RANDOM_NUMBER = random.randint(1, 100)

def put(key, value):
    cache[key] = value

class DatabaseService:
    pass

service = DatabaseService()
sys.modules['test'] = DatabaseService()
# file: app.py
import importlib
import sys
import state
from state import cache
from config import Config

state.cache['user'] = 'alice'
Config.settings['debug'] = True
importlib.reload(state)
importlib.reload('state')

def forget():
    del sys.modules['state']
# file: worker.py
from state import cache

def work():
    cache.setdefault('jobs', []).append(1)
# file: config.py
class Config:
    settings = {}
# file: test_state.py
import state

def test_put():
    state.cache['k'] = 1
";
    insta::assert_snapshot!(messages(fixture).join("\n"));
}

// MC101 mutable-module-state

#[test]
fn mc101_fires_for_mutation_in_a_function_and_from_other_modules() {
    check(
        "\
# file: state.py
cache = {}
handlers = []
seen = set()
counts = collections.Counter()
import collections

def put(key, value):
    cache[key] = value
# file: app.py
import state
from state import handlers
import pkg.registry as registry

state.seen.add('app')
handlers.append(print)

def later():
    registry.REGISTRY['app'] = later
# file: pkg/__init__.py
# file: pkg/registry.py
REGISTRY = {}
",
        &["app.py:5 MC102", "app.py:6 MC102", "app.py:9 MC102", "pkg/registry.py:1 MC101", "state.py:1 MC101", "state.py:2 MC101", "state.py:3 MC101"],
    );
}

#[test]
fn mc101_follows_package_reexports_to_the_owner() {
    check(
        "\
# file: pkg/__init__.py
from .core import cache
# file: pkg/core.py
cache = {}
# file: app.py
from pkg import cache

def remember(key):
    cache[key] = True
",
        &["app.py:4 MC102", "pkg/core.py:1 MC101"],
    );
}

#[test]
fn mc101_near_misses_initialisation_and_immutable_values() {
    check(
        "\
# file: state.py
ITEMS = []
ITEMS.append(1)
for i in range(3):
    ITEMS.append(i)
NAMES = ('a', 'b')
FROZEN = frozenset({'x'})
TEXT = 'abc'
__all__ = ['ITEMS']
__all__.append('NAMES')
REGISTRY = {}

def register(func):
    REGISTRY[func.__name__] = func
    return func

@register
def handler():
    pass

def route(path):
    def decorator(func):
        REGISTRY[path] = func
        return func
    return decorator

@route('/')
def index():
    pass

def setup():
    ITEMS.extend([4, 5])

setup()

def shadowed(ITEMS):
    ITEMS.append(1)
    local = []
    local.append(1)
    return [x.append(1) for x in [[]]]

if __name__ == '__main__':
    MAIN_ONLY = []
    MAIN_ONLY.append(1)
    ITEMS.append(6)

def main_only():
    MAIN_ONLY.append(2)

if sys.platform == 'win32':
    DIRS = []

    def add_root(root):
        DIRS.append(root)

    add_root('C:\\')

FLAGS = {}
add_flag = lambda name: FLAGS.update({name: True})
add_flag('debug')
",
        &[],
    );
}

#[test]
fn mc101_ignores_mutations_made_by_tests_and_rebinding() {
    check(
        "\
# file: state.py
users = []
current = []

def reset():
    global current
    current = []
# file: test_state.py
import state

def test_users(monkeypatch):
    state.users.append('x')
",
        &["state.py:5 MC104"],
    );
}

// MC102 cross-module-mutation

#[test]
fn mc102_fires_for_every_spelling_of_another_modules_state() {
    check(
        "\
# file: other.py
cache = {}
x = 0
items = []

class Cls:
    attr = {}
# file: pkg/__init__.py
# file: pkg/other.py
cache = {}
# file: app.py
import other
import pkg.other as alias
from other import items, Cls

other.cache['k'] = 'v'
other.x = 1
del other.x
items.append(1)
alias.cache.clear()
Cls.attr['k'] = 'v'
Cls.attr = {}

def later():
    import pkg.other
    pkg.other.cache['k'] = 1
",
        &[
            "app.py:5 MC102",
            "app.py:6 MC102",
            "app.py:7 MC102",
            "app.py:8 MC102",
            "app.py:9 MC102",
            "app.py:10 MC102",
            "app.py:11 MC102",
            "app.py:15 MC102",
            // The containers are MC101 too: mutated from another module.
            "other.py:1 MC101",
            "other.py:3 MC101",
            "other.py:6 MC103",
            "pkg/other.py:1 MC101",
        ],
    );
}

#[test]
fn mc102_near_misses() {
    check(
        "\
# file: app.py
class App:
    def __init__(self):
        self.config = {}

app = App()
# file: views.py
import os
import sys
import app as application
from app import app

app.config['DEBUG'] = True
os.environ['MODE'] = 'test'
sys.path.append('/tmp')
application.app.config['X'] = 1
",
        &["app.py:5 MC105"],
    );
}

// MC103 mutable-class-state

#[test]
fn mc103_fires_through_self_cls_and_the_class() {
    check(
        "\
# file: cart.py
class Cart:
    items = []
    registry = {}
    shared: 'ClassVar[list]' = []

    def add(self, item):
        self.items.append(item)

    @classmethod
    def register(cls, name):
        cls.registry[name] = cls

class Special(Cart):
    def add_special(self, item):
        self.shared.append(item)

def clear():
    Cart.registry.clear()
",
        &["cart.py:2 MC103", "cart.py:3 MC103", "cart.py:4 MC103"],
    );
}

#[test]
fn mc103_near_misses() {
    check(
        "\
# file: models.py
from dataclasses import dataclass, field

class Shadowed:
    items = []

    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)

@dataclass
class Data:
    tags: list = field(default_factory=list)
    names: list = None

    def add(self, tag):
        self.tags.append(tag)

class Model(Base):
    fields: list = []

    def add(self, f):
        self.fields.append(f)

class Constants:
    NAMES = ('a', 'b')
    items = []
    items.append(1)

Constants.items.append(2)

class WithStatic:
    cache = {}

    @staticmethod
    def put(self, k):
        self.cache[k] = 1
",
        &[],
    );
}

// MC104 global-rebinding

#[test]
fn mc104_fires_for_rebinding_and_not_for_reading_or_initialisation() {
    check(
        "\
# file: state.py
counter = 0
_instance = None
items = []
config = None

def increment():
    global counter
    counter += 1

def get_instance():
    global _instance
    if _instance is None:
        _instance = object()
    return _instance

def read():
    global counter
    return counter

def mutate():
    global items
    items.append(1)

def _load():
    global config
    config = {}

_load()
",
        &["state.py:3 MC101", "state.py:7 MC104", "state.py:11 MC104"],
    );
}

// MC105 import-time-singleton

#[test]
fn mc105_fires_for_instances_of_classes() {
    check(
        "\
# file: services.py
from flask import Flask
from models import Repository
import models

class Cache:
    pass

app = Flask(__name__)
repo = Repository()
other = models.Repository()
primary = secondary = Cache()
# file: models.py
class Repository:
    pass
",
        &["services.py:8 MC105", "services.py:9 MC105", "services.py:10 MC105", "services.py:11 MC105"],
    );
}

#[test]
fn mc105_near_misses_factories_values_and_guards() {
    check(
        "\
# file: services.py
import logging
import re
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from models import MakeThing
from contextvars import ContextVar

logger = logging.getLogger(__name__)
PATTERN = re.compile('x')
T = TypeVar('T')
ZERO = Decimal('0')
HERE = Path(__file__)
thing = MakeThing()
sentinel = object()
request_id = ContextVar('request_id')
error = ValueError('x')

def make():
    service = Service()
    return service

if __name__ == '__main__':
    service = Service()
# file: models.py
def MakeThing():
    return 1
# file: test_services.py
client = Client()

def test_client():
    assert client
",
        &[],
    );
}

// MC201 import-time-side-effect

#[test]
fn mc201_fires_for_effects_at_import_time() {
    check(
        "\
# file: boot.py
import logging
import subprocess as sp
import threading
from time import sleep

print('loading')
logging.basicConfig(level=logging.INFO)
sleep(1)
sp.run(['ls'])
worker = threading.Thread(target=print)
worker.start()
with open('data.txt') as f:
    DATA = f.read()

def setup():
    print('setup')

setup()

class Config:
    print('class body')

def greet(message=print('default')):
    return message
",
        &[
            "boot.py:6 MC201",
            "boot.py:7 MC201",
            "boot.py:8 MC201",
            "boot.py:9 MC201",
            // The thread object itself is a module-level instance.
            "boot.py:10 MC105",
            "boot.py:11 MC201",
            "boot.py:12 MC201",
            "boot.py:16 MC201",
            "boot.py:21 MC201",
            "boot.py:23 MC201",
        ],
    );
}

#[test]
fn mc201_near_misses() {
    check(
        "\
# file: tool.py
import locale
import logging
import warnings
from typing import TYPE_CHECKING

logger = logging.getLogger(__name__)
warnings.warn('deprecated', DeprecationWarning)
CURRENT = locale.setlocale(locale.LC_ALL)
callback = lambda: print('later')

def run():
    print('running')

if TYPE_CHECKING:
    print('never')

if False:
    print('never')

if __name__ == '__main__':
    print('script')
    run()
# file: pkg/__init__.py
# file: pkg/__main__.py
print('python -m pkg')
",
        &[],
    );
}

#[test]
fn mc201_in_a_called_function_points_at_the_call() {
    let msgs = messages("# file: boot.py\ndef setup():\n    print('x')\n\nsetup()\n");
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("calls `setup()` (line 4)"), "{}", msgs[0]);
    assert!(msgs[0].contains("boot.py:4: `setup()` is called here, at import time"), "{}", msgs[0]);
}

// MC202 import-time-env-capture

#[test]
fn mc202_fires_for_environment_reads_at_import_time() {
    check(
        "\
# file: settings.py
import os
from os import environ, getenv

DEBUG = os.environ['DEBUG']
HOME = environ.get('HOME')
USER = getenv('USER')
if 'CI' in os.environ:
    CI = True
SNAPSHOT = dict(os.environ)

def connect(url=os.environ.get('DATABASE_URL')):
    return url
",
        &["settings.py:4 MC202", "settings.py:5 MC202", "settings.py:6 MC202", "settings.py:7 MC202", "settings.py:9 MC202", "settings.py:11 MC202"],
    );
}

#[test]
fn mc202_near_misses() {
    check(
        "\
# file: settings.py
import os

ENVIRON = os.environ
os.environ['MODE'] = 'test'
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')

def debug():
    return os.getenv('DEBUG') == '1'

if __name__ == '__main__':
    print(os.environ.get('HOME'))
",
        &[],
    );
}

// MC203 import-time-nondeterminism

#[test]
fn mc203_fires_for_values_that_differ_between_runs() {
    check(
        "\
# file: ids.py
import random
import time
import uuid
from datetime import datetime

SESSION = uuid.uuid4()
STARTED = time.time()
TODAY = datetime.now()
PICK = random.choice(['a', 'b'])

def log(message, when=time.time()):
    return message, when
",
        &["ids.py:6 MC203", "ids.py:7 MC203", "ids.py:8 MC203", "ids.py:9 MC203", "ids.py:11 MC203"],
    );
}

#[test]
fn mc203_near_misses() {
    check(
        "\
# file: ids.py
import random
import time

random.seed(42)
RNG = random.Random(7)
START = time.monotonic()

def new_id():
    return random.random()
",
        // The generator is not drawn from at import time; it is a shared instance, though.
        &["ids.py:5 MC105"],
    );
}

// MC301 reload-stale-binding

#[test]
fn mc301_fires_for_names_taken_before_the_reload() {
    check(
        "\
# file: pkg/__init__.py
# file: pkg/points.py
class Point:
    pass

ORIGIN = Point()
# file: main.py
import importlib
import pkg.points as points
from pkg.points import Point, ORIGIN

def refresh():
    importlib.reload(points)
",
        &["main.py:6 MC301", "pkg/points.py:4 MC105"],
    );
}

#[test]
fn mc301_near_misses() {
    check(
        "\
# file: points.py
class Point:
    pass
# file: main.py
import importlib
import points

def refresh():
    importlib.reload(points)
    from points import Point
    return Point

def again():
    from points import Point
    importlib.reload(points)
    from points import Point
    return Point

def other():
    from points import Point
    return Point
",
        &[],
    );
}

// MC302 reload-non-module

#[test]
fn mc302_fires_for_strings_classes_and_literals() {
    check(
        "\
# file: points.py
class Point:
    pass
# file: main.py
import importlib
from importlib import reload
from points import Point

class Local:
    pass

importlib.reload('points')
reload(Point)
importlib.reload(Local)
importlib.reload(42)
",
        &["main.py:8 MC302", "main.py:9 MC302", "main.py:10 MC302", "main.py:11 MC302"],
    );
}

#[test]
fn mc302_near_misses() {
    check(
        "\
# file: pkg/__init__.py
# file: pkg/points.py
X = 1
# file: main.py
import importlib
import sys
from pkg import points

def refresh(module):
    importlib.reload(module)

importlib.reload(sys.modules['pkg.points'])
importlib.reload(points)
",
        &[],
    );
}

// MC303 sys-modules-delete / MC304 sys-modules-assign

#[test]
fn mc303_fires_for_every_removal_and_not_for_reads() {
    check(
        "\
# file: main.py
import sys
from sys import modules

def fresh(name):
    del sys.modules[name]
    sys.modules.pop('settings', None)
    modules.clear()
    if name in sys.modules:
        return sys.modules.get(name)
    return sys.modules[name]
",
        &["main.py:5 MC303", "main.py:6 MC303", "main.py:7 MC303"],
    );
}

#[test]
fn mc304_names_the_shadowed_first_party_file() {
    check(
        "\
# file: settings.py
DEBUG = False
# file: main.py
import sys
import types

fake = types.ModuleType('settings')
sys.modules['settings'] = fake
sys.modules.setdefault('other', fake)
sys.modules[__name__] = fake
saved = dict(sys.modules)
sys.modules.update(saved)
",
        &["main.py:4 MC105", "main.py:5 MC304", "main.py:6 MC304", "main.py:7 MC304"],
    );
    let msgs = messages("# file: settings.py\nX = 1\n# file: main.py\nimport sys\nsys.modules['settings'] = object()\n");
    assert!(msgs[0].contains("first-party settings.py is shadowed"), "{}", msgs[0]);
}

// MC401 test-state-leak

#[test]
fn mc401_fires_for_changes_that_nothing_undoes() {
    check(
        "\
# file: config.py
DEBUG = False
settings = {}

class Registry:
    handlers = []
# file: tests/test_config.py
import config
from config import Registry, settings

config.DEBUG = True
RESULTS = []

def test_settings():
    settings['debug'] = True
    Registry.handlers.append(print)
    RESULTS.append(1)

class TestCase:
    def setUp(self):
        config.DEBUG = True
",
        &[
            "tests/test_config.py:4 MC401",
            "tests/test_config.py:8 MC401",
            "tests/test_config.py:9 MC401",
            "tests/test_config.py:10 MC401",
            "tests/test_config.py:14 MC401",
        ],
    );
}

#[test]
fn mc401_near_misses_changes_that_are_undone() {
    check(
        "\
# file: config.py
DEBUG = False
settings = {}
users = []
cache = {}
# file: conftest.py
import pytest
import config

@pytest.fixture(autouse=True)
def clean_users():
    yield
    config.users.clear()
# file: tests/test_config.py
import importlib
import pytest
import config

ITEMS = []
ITEMS.append(1)

def test_monkeypatch(monkeypatch):
    monkeypatch.setattr(config, 'DEBUG', True)
    monkeypatch.setitem(config.settings, 'debug', True)
    config.settings['direct'] = True

@pytest.fixture
def debug():
    config.DEBUG = True
    yield
    config.DEBUG = False

def test_finally():
    config.settings['mode'] = 'x'
    try:
        assert config.settings
    finally:
        del config.settings['mode']

def test_save_restore():
    old = config.DEBUG
    config.DEBUG = True
    config.DEBUG = old

def test_users():
    config.users.append('alice')

def test_clear_cache():
    config.cache.clear()

class TestCleanup:
    def test_cleanup(self):
        self.addCleanup(setattr, config, 'DEBUG', config.DEBUG)
        config.DEBUG = True

    def tearDown(self):
        importlib.reload(config)

    def test_reloaded(self):
        config.settings['reloaded'] = True

def test_reset_to_initial_value():
    config.DEBUG = False

class TestGuard:
    def setUp(self):
        config.settings = Guard()

    def tearDown(self):
        config.settings.__exit__()
",
        &[],
    );
}

#[test]
fn mc401_counts_only_the_conftest_files_that_apply_to_a_test() {
    // pytest applies a `conftest.py` to the tests of its folder and below: the teardown in
    // `api/conftest.py` undoes the write in `api/test_api.py` and in `api/v2/test_v2.py`, not in
    // `db/test_db.py`; a test module whose name ends in `conftest.py` is no conftest.
    check(
        "\
# file: config.py
users = []
# file: api/conftest.py
import pytest
import config

@pytest.fixture(autouse=True)
def clean():
    yield
    config.users.clear()
# file: api/test_api.py
import config

def test_api():
    config.users.append('api')
# file: api/v2/test_v2.py
import config

def test_v2():
    config.users.append('v2')
# file: db/test_db.py
import config

def test_db():
    config.users.append('db')
# file: db/test_conftest.py
import pytest
import config

@pytest.fixture(autouse=True)
def clean():
    yield
    config.users.clear()

def test_clean():
    pass
",
        &["db/test_db.py:4 MC401"],
    );
}

#[test]
fn mc401_is_reported_instead_of_mc102_in_test_files() {
    let fixture = "\
# file: state.py
cache = {}
# file: helpers.py
import state
state.cache['k'] = 1
# file: state_test.py
import state
state.cache['k'] = 1

def test_cache():
    assert state.cache
# file: test_named_like_a_test.py
import state
state.cache['k'] = 2
";
    // A file named like a test that defines no test is production code: MC102.
    check(
        fixture,
        &["helpers.py:2 MC102", "state.py:1 MC101", "state_test.py:2 MC401", "test_named_like_a_test.py:2 MC102"],
    );
}

// Suppression and configuration of the state rules.

#[test]
fn suppression_comments_and_configuration_apply_to_state_rules() {
    let base = "\
# file: boot.py
import os
print('a')  # modcache: ignore[MC201]
print('b')  # noqa: MC201
print('c')  # modcache: ignore
ENV = os.getenv('X')  # noqa: E501
print('d')
# file: tests/test_boot.py
import boot
boot.ENV = 'y'

def test_env():
    assert boot.ENV
";
    check(base, &["boot.py:5 MC202", "boot.py:6 MC201", "tests/test_boot.py:2 MC401"]);
    check(&format!("# file: modcache.toml\nselect = [\"MC2\"]\n{base}"), &["boot.py:5 MC202", "boot.py:6 MC201"]);
    check(&format!("# file: modcache.toml\nignore = [\"MC20\"]\n{base}"), &["tests/test_boot.py:2 MC401"]);
    check(
        &format!("# file: modcache.toml\n[per-file-ignores]\n\"tests/*\" = [\"MC401\"]\n{base}"),
        &["boot.py:5 MC202", "boot.py:6 MC201"],
    );
    let project = support::project(&format!("# file: modcache.toml\n[severity]\nMC2 = \"error\"\nMC202 = \"info\"\n{base}"));
    let severities: Vec<String> =
        analyze(&project).diagnostics.iter().map(|d| format!("{} {}", d.code, d.severity)).collect();
    assert_eq!(severities, ["MC202 info", "MC201 error", "MC401 warning"]);
}

// MC900 unused-suppression (--warn-unused-ignores)

#[test]
fn unused_suppressions_are_reported_only_when_asked_for() {
    let fixture = "\
# file: modcache.toml
ignore = [\"MC104\"]
# file: app.py
import os
print('used')  # modcache: ignore[MC201]
X = 1  # modcache: ignore[MC201]
Y = 2  # modcache: ignore
Z = 3  # noqa
W = 4  # noqa: E501, MC203
V = 5  # noqa: MC999
U = 6  # modcache: ignore[MC104]
ENV = os.getenv('X')  # modcache: ignore[MC202, MC203]
";
    check(fixture, &[]);
    check_unused(fixture, &["app.py:3 MC900", "app.py:4 MC900", "app.py:6 MC900", "app.py:7 MC900", "app.py:8 MC900", "app.py:9 MC900"]);
    let project = support::project(fixture);
    let analysis = analyze_with(&project, AnalyzeOptions { warn_unused_suppressions: true });
    let text: Vec<&str> = analysis.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert!(text[0].contains("`MC201` (no such finding on this line)"), "{}", text[0]);
    assert!(text[1].contains("`# modcache: ignore` silenced no finding"), "{}", text[1]);
    assert!(text[3].contains("`MC999` (unknown rule)"), "{}", text[3]);
    assert!(text[4].contains("`MC104` (rule not enabled)"), "{}", text[4]);
    assert!(text[5].contains("`MC203` (no such finding on this line)") && !text[5].contains("MC202"), "{}", text[5]);
    // The unused-suppression finding can itself be turned off.
    check_unused(&fixture.replace("ignore = [\"MC104\"]", "ignore = [\"MC104\", \"MC900\"]"), &[]);
}

#[test]
fn check_command_reports_unused_suppressions_with_the_flag_only() {
    let dir = tempfile::tempdir().unwrap();
    support::write_fixture(dir.path(), "# file: app.py\nX = 1  # modcache: ignore[MC201]\nprint('x')  # noqa: MC201\n");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_modcache")).current_dir(dir.path()).args(args).output().unwrap()
    };
    let quiet = run(&["check", "--format", "json"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", String::from_utf8_lossy(&quiet.stdout));
    let loud = run(&["check", "--format", "json", "--warn-unused-ignores"]);
    assert_eq!(loud.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&loud.stdout).unwrap();
    let found: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["range"]["start"]["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(found, [("MC900".to_string(), 1)]);
    let explain = run(&["explain", "MC900"]);
    assert!(String::from_utf8_lossy(&explain.stdout).starts_with("# MC900 (unused-suppression)"));
}

// The facts behind the rules.

#[test]
fn state_facts_survive_broken_code() {
    for text in ["def f(:\n    cache[", "x = [\nclass C:\n    items = [", "import sys\ndel sys.modules[", "global\nfor in", "\u{0}\u{1}"] {
        let summary = modcache::analysis::summary::summarize(text);
        let again = modcache::analysis::summary::summarize(text);
        assert_eq!(summary.state, again.state, "facts are a pure function of the text");
    }
    let summary = modcache::analysis::summary::summarize("cache = {}\ndef f(:\n    pass\ndef g():\n    cache['k'] = 1\n");
    assert_eq!(summary.state.bindings.len(), 1);
    assert!(!summary.state.mutations.is_empty(), "facts after a syntax error are still read");
}

#[test]
fn re_exports_that_loop_end_without_a_finding() {
    // A package that imports its own missing name, and two modules taking a name from each
    // other: following the re-exports must stop (these once overflowed the stack).
    check("# file: pkg/__init__.py\nx[k] = v\nfrom . import x\n", &[]);
    check(
        "# file: a.py\nfrom b import x\n\ndef f():\n    x.append(1)\n# file: b.py\nfrom a import x\n",
        &["a.py:1 MC001", "a.py:1 MC002", "b.py:1 MC001", "b.py:1 MC002"],
    );
}
