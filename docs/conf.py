"""Sphinx configuration of the sklearn-fer documentation."""

import os
import sys
import warnings

sys.path.insert(0, os.path.abspath(".."))

import sklearn_fer  # noqa: E402

project = "sklearn-fer"
author = "sklearn-fer developers"
copyright = "2026, sklearn-fer developers"
version = release = sklearn_fer.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "generated/*.examples"]
autosummary_generate = True
autodoc_default_options = {"members": False, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# The theme of scikit-learn and imbalanced-learn: a top bar of sections, the section's
# pages on the left, the page's own contents on the right.
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-fer {release}"
html_static_path = ["_static"]
html_css_files = ["sklearn-fer.css"]
html_theme_options = {
    "navbar_align": "left",
    "header_links_before_dropdown": 8,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "show_prev_next": True,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
# No left column on pages that stand alone (the landing page, install, troubleshooting)
# nor on the gallery's pages, which are code and figures: the width is theirs.
html_sidebars = {
    "index": [],
    "install": [],
    "troubleshooting": [],
    "auto_examples/*": [],
}

# SKLEARN_FER_DOCS_GALLERY=0 builds the pages without running the examples.
run_gallery = os.environ.get("SKLEARN_FER_DOCS_GALLERY", "1") != "0"
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": run_gallery,
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
}

# Matplotlib without a display; modAL's FutureWarning about scikit-learn's renamed
# argument is modAL's own and not worth a docs failure.
os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", message=".*force_all_finite.*", category=FutureWarning)
