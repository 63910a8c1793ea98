"""Sphinx configuration of the sknn documentation.

Build with ``make -C docs html`` (warnings are errors). The gallery runs every
``examples/plot_*.py`` with ``SKNN_EXAMPLE_QUICK=1`` (small settings, a few seconds
each); ``make -C docs html-noplot`` builds without running them, and
``SKNN_EXAMPLE_QUICK=0 make -C docs html`` runs them with their full settings.
"""

import os
import pathlib
import sys
import warnings

DOCS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # a fresh clone builds without installing sknn

import sknn  # noqa: E402

os.environ.setdefault("SKNN_EXAMPLE_QUICK", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sknn"
author = "the sknn developers"
copyright = "the sknn developers"
version = release = sknn.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# -- API reference -----------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Methods scikit-learn adds to every estimator for metadata routing: documented by
# scikit-learn, and their docstrings link into scikit-learn's own user guide.
_ROUTING = ("set_fit_request", "set_partial_fit_request", "set_score_request",
            "set_predict_request", "set_predict_proba_request", "set_transform_request",
            "set_inverse_transform_request", "get_metadata_routing")


# Methods inherited from scikit-learn (get_params, score, set_output, ...) and from
# torch.nn.Module are documented by those projects (their docstrings link into their
# own sites); the API reference shows what sknn defines, plus set_callbacks.
_FOREIGN = ("sklearn.", "torch.")
_KEEP = {"set_callbacks"}


def _skip_member(app, what, name, obj, skip, options):
    if name in _ROUTING:
        return True
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and module.startswith(_FOREIGN) and name not in _KEEP:
        return True
    return None


# -- Gallery -----------------------------------------------------------------------
_run_examples = os.environ.get("SKNN_DOCS_PLOT", "1") != "0"
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "plot_gallery": str(_run_examples),
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("sknn",),
    "reference_url": {"sknn": None},
    "abort_on_example_error": True,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "show_memory": False,
    "download_all_examples": False,
}
warnings.filterwarnings("ignore", category=UserWarning,
                        message="Matplotlib is currently using agg")

# -- HTML --------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sknn {release}"
html_static_path = ["_static"]
html_css_files = ["sknn.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_prev_next": True,
    "header_links_before_dropdown": 5,
    "navigation_depth": 2,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "install": [], "api": []}


# -- Pages written by other people that may not exist yet ---------------------------
# docs/scaling.rst is written on another branch. Until it is merged, its toctree
# entry is left out (with a message) instead of failing a warnings-as-errors build.
OPTIONAL_PAGES = ("scaling",)


def _drop_missing_pages(app, docname, source):
    missing = [page for page in OPTIONAL_PAGES if not (DOCS / f"{page}.rst").exists()]
    if not missing:
        return
    lines = source[0].splitlines(keepends=True)
    kept = [line for line in lines if line.strip() not in missing]
    if len(kept) != len(lines):
        from sphinx.util import logging

        logging.getLogger(__name__).info(
            f"[sknn] {docname}: left {missing} out of the toctree (not written yet)")
        source[0] = "".join(kept)


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("source-read", _drop_missing_pages)
