"""The package, Binder and CI name the same dependencies (no drift)."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def _requirement_name(req: str) -> str:
    return re.split(r"[\s\[<>=!~;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _declared(extras: bool) -> set[str]:
    reqs = list(PYPROJECT["project"]["dependencies"])
    if extras:
        for group in PYPROJECT["project"]["optional-dependencies"].values():
            reqs += group
    return {_requirement_name(r) for r in reqs}


def _imported_modules() -> set[str]:
    modules = set()
    for path in (REPO / "lprkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - {"lprkit", "__future__"}


def test_every_third_party_import_is_a_declared_dependency():
    providers = md.packages_distributions()
    declared = _declared(extras=True)
    missing = {}
    for module in sorted(_imported_modules()):
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        # tensorflow is provided by tensorflow-cpu on Linux x86-64, tensorflow elsewhere
        if not dists & declared:
            missing[module] = sorted(dists)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_core_pins_live_in_pyproject():
    train = PYPROJECT["project"]["optional-dependencies"]["train"]
    assert any(d.startswith("tensorflow-cpu==2.21.") for d in train)
    assert any(d.startswith("tensorflow==2.21.") for d in train)
    assert any(d.startswith("keras==3.15.") for d in train)
    assert PYPROJECT["project"]["scripts"]["lprkit"] == "lprkit.cli:main"
    # requirements files do not pin again: they install the package itself
    for req in ("requirements.txt", "binder/requirements.txt"):
        lines = [ln.split("#")[0].strip() for ln in (REPO / req).read_text().splitlines()]
        lines = [ln for ln in lines if ln]
        assert lines and all(ln.startswith("-e .") for ln in lines), req


def _extras_of(text: str) -> set[str]:
    return set(re.search(r"\.\[([^\]]*)\]", text).group(1).split(","))


def _expand(extras: set[str]) -> set[str]:
    """Requirement names an install with ``extras`` brings (self-references followed)."""
    groups = PYPROJECT["project"]["optional-dependencies"]
    names = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    todo = list(extras)
    while todo:
        extra = todo.pop()
        assert extra in groups, extra
        for req in groups[extra]:
            if req.startswith("lprkit["):
                todo += _extras_of(req.replace("lprkit[", ".["))
            else:
                names.add(_requirement_name(req))
    return names


def test_binder_installs_package_with_edge_runtime_and_lab():
    line = (REPO / "binder/requirements.txt").read_text()
    names = _expand(_extras_of(line))
    assert {"tensorflow-cpu", "keras", "jupyterlab", "ipywidgets", "ai-edge-litert", "onnxruntime"} <= names


def test_light_install_has_no_tensorflow_and_the_course_has_it_all():
    """`pip install lprkit` reads plates without TensorFlow; requirements.txt, Binder and
    `make setup` still install everything the course and the tests import."""
    light = _declared(extras=False)
    assert not light & {"tensorflow", "tensorflow-cpu", "keras", "albumentations", "matplotlib"}
    assert {"ai-edge-litert", "onnxruntime", "opencv-python-headless", "numpy", "pyyaml"} <= light
    course = _expand({"course"})
    for req in ("requirements.txt", "binder/requirements.txt"):
        assert _expand(_extras_of((REPO / req).read_text())) >= course, req
    make = _expand(_extras_of((REPO / "Makefile").read_text().split("pip install")[-1]))
    everything = _declared(extras=True) - {"jax", "rapidocr-onnxruntime", "tensorflow", "lprkit"}
    assert make >= everything - {_requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["gpu"]}


def test_binder_apt_names_every_system_dependency():
    apt = {ln.strip() for ln in (REPO / "binder/apt.txt").read_text().splitlines() if ln.strip() and not ln.startswith("#")}
    from lprkit.info import APT_FIX
    from lprkit.synth.fonts import INSTALL_HINT

    mentioned = set(APT_FIX.split()[3:]) | {"fonts-dejavu-core", "fonts-liberation"}
    assert {w for w in INSTALL_HINT["hangul"].split() if w.startswith("fonts-")} <= apt | {"fonts-nanum`"}
    assert mentioned <= apt, mentioned - apt


def test_binder_start_sets_course_profile_and_quiet_tf():
    start = (REPO / "binder/start").read_text()
    assert "LPRKIT_PROFILE=course" in start and "TF_CPP_MIN_LOG_LEVEL" in start
    assert 'exec "$@"' in start


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text()
    assert "make test" in readme and "make demo" in readme
    ci = (REPO / ".ci/run").read_text()
    assert "make test" in ci
    # then the light install: a fresh venv, `pip install .` with no extras, a photo read
    assert ci.index("make test") < ci.index("bash scripts/check_light_install.sh")
    script = (REPO / "scripts/check_light_install.sh").read_text()
    assert 'pip install -q --disable-pip-version-check "$WORK/src"' in script
    assert "find_spec('$heavy')" in script and "--json -" in script and "lprkit.read(" in script


def test_import_is_fast_and_does_not_import_tensorflow():
    code = (
        "import sys, time; t = time.perf_counter(); import lprkit, lprkit.charset, lprkit.config, lprkit.cli;"
        "lprkit.cli.build_parser(); dt = time.perf_counter() - t;"
        "heavy = [m for m in ('tensorflow', 'keras', 'cv2', 'albumentations') if m in sys.modules];"
        "print(dt, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, heavy = out.stdout.split(" ", 1)
    assert heavy.strip() == "[]", f"import lprkit pulled in {heavy}"
    assert float(seconds) < 1.0
