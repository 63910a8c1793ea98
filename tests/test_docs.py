"""The documentation cannot rot: its snippets run, its API reference is complete and
every example is in the gallery.

Each page of docs/ is run as a doctest. A page about an estimator that this build does
not have yet declares it in a comment, ``.. sknn-requires: CNNClassifier``; the page is
then skipped with a reason that names the missing estimator (visible with ``-ra``),
and runs as soon as the estimator exists. Building the HTML site itself is
``make -C docs html`` (see docs/conf.py); it is not part of this file.
"""

import ast
import doctest
import importlib
import pathlib
import re

import matplotlib
import pytest

import sknn

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED = {"_build", "auto_examples", "gen_modules", "_templates"}
PAGES = sorted(p for p in DOCS.rglob("*.rst")
               if not GENERATED & set(p.relative_to(DOCS).parts)
               and p.name != "sg_execution_times.rst")  # written by sphinx-gallery
REQUIRES = re.compile(r"^\.\. sknn-requires:\s*(.+)$", re.MULTILINE)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _missing(names):
    """Names (sknn attributes, or dotted modules) this installation does not have."""
    missing = []
    for name in names:
        if "." in name:
            try:
                importlib.import_module(name)
            except ImportError:
                missing.append(name)
        elif not hasattr(sknn, name):
            missing.append(f"sknn.{name}")
    return missing


def _required(text):
    return [name.strip() for match in REQUIRES.findall(text)
            for name in match.split(",") if name.strip()]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_snippets_run(page):
    text = page.read_text()
    missing = _missing(_required(text))
    if missing:
        pytest.skip(f"{page.relative_to(ROOT)} documents {', '.join(missing)}, not in "
                    "this build yet")
    test = doctest.DocTestParser().get_doctest(text, {"__name__": "__docs__"},
                                               str(page.relative_to(ROOT)), str(page), 0)
    if page.parent.name == "user_guide" and page.stem != "index":
        assert test.examples, f"{page.name} has no runnable snippet"
    report = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=report.append)
    plt.close("all")
    assert runner.failures == 0, "".join(report)


def test_required_names_are_spelled_as_the_issues_name_them():
    """A typo in a requires-comment would skip a page forever; only known names pass."""
    known = {"PerceptronClassifier", "MLPClassifier", "MLPRegressor", "CNNClassifier",
             "CNNRegressor", "LSTMClassifier", "LSTMRegressor", "GANSampler",
             "TransferClassifier", "TransferRegressor", "AutoEncoder", "sklearn.callback",
             "rich", "tqdm", "palmerpenguins"}
    for page in PAGES:
        unknown = set(_required(page.read_text())) - known
        assert not unknown, f"{page.name}: unknown names in sknn-requires: {unknown}"


def _documented_names():
    text = "".join(p.read_text() for p in (DOCS / "api.rst",))
    names, module = set(), None
    for line in text.splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::")[1].strip()
        elif line.startswith("   ") and re.fullmatch(r"   [A-Za-z_][A-Za-z0-9_]*", line):
            names.add(f"{module}.{line.strip()}")
    return names


@pytest.mark.parametrize("module_name", ["sknn", "sknn.plotting", "sknn.modules", "sknn.layouts",
                                         "sknn.metrics", "sknn.model_selection"])
def test_every_public_name_is_in_the_api_reference(module_name):
    module = importlib.import_module(module_name)
    public = {f"{module_name}.{name}" for name in module.__all__ if not name.startswith("_")}
    missing = public - _documented_names()
    assert not missing, f"add {sorted(missing)} to docs/api.rst"


def test_api_reference_lists_only_real_names():
    for dotted in _documented_names():
        module, name = dotted.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), name), f"{dotted} does not exist"


EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_a_gallery_page(script):
    """sphinx-gallery needs a title docstring; ``plot_`` names are executed for figures."""
    assert script.name.startswith("plot_"), "name it plot_*.py so the gallery runs it"
    docstring = ast.get_docstring(ast.parse(script.read_text()))
    assert docstring, f"{script.name} needs a module docstring with a title"
    title, underline = docstring.splitlines()[:2]
    assert title.strip() and set(underline.strip()) == {"="} and len(underline) >= len(title)
    assert (ROOT / "examples" / "README.txt").exists()


def test_optional_pages_are_in_the_toctree():
    """docs/scaling.rst (written elsewhere) is linked and picked up once it exists."""
    assert "   scaling\n" in (DOCS / "guides.rst").read_text()
