"""The package's layers, read from its imports: a lower layer never imports a higher one.

Data flows load -> chunk -> index -> retrieve -> answer -> verify -> present, but dependencies
point down to what is more basic: the verifier checks text against evidence and needs nothing
that retrieves or generates, settings need nothing at all, and the core never reaches up into
an interface. Every module must be placed in LAYERS, so a new one is placed on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "assistant"

LAYERS: dict[str, int] = {
    # 0 foundation: imports nothing of the project but other foundation modules (bibliography uses citations)
    "errors": 0, "models": 0, "config": 0, "vocabulary": 0, "bibliography": 0, "citations": 0, "bagofwords": 0,
    # 1 text utilities, packaged prompts, bundled models located, the sentence-role and question-kind readers
    "text": 1, "prompts": 1, "resources": 1, "roles": 1, "asked": 1,
    # 2 reading papers, parsing questions, checking claims against evidence
    "loaders": 2, "chunking": 2, "question": 2, "evidence": 2, "verify": 2, "manuscript": 2,
    # 3 the models' stack and the store
    "embeddings": 3, "index": 3, "lexical": 3, "llm": 3, "vector_cache": 3,
    # 4 retrieval
    "retrieve": 4,
    # 5 answering: choose evidence, run the agent, end in finalize
    "selection": 5, "tools": 5, "finalize": 5, "agent": 5, "review": 5, "extract": 5, "check": 5,
    # 6 the Python API, which interfaces are thin layers over
    "api": 6, "__init__": 6,
    # 7 interfaces and the evaluation that judges the product from outside
    "present": 7, "cli": 7, "ui": 7, "eval_cli": 7, "evaluation": 7, "__main__": 7,
}

# Stricter than the layer number: exactly what these modules may import from the project.
ONLY = {
    "config": set(),
    "errors": set(),
    "models": {"bibliography", "citations"},
    "bibliography": {"citations"},
    "vocabulary": set(),
    "evidence": {"models"},
    "citations": set(),
    "verify": {"models", "text", "citations", "vocabulary"},
}

# The eval grades the product from outside: what decides a score never imports the answering code
# or its text utilities, so a change to the product cannot move the ruler.
SCORING = ["evaluation/metrics.py", "evaluation/judges.py", "evaluation/text_rules.py", "evaluation/reviews.py",
           "evaluation/extraction.py",
           "evaluation/checks.py"]
ANSWERING = {"text", "question", "evidence", "verify", "retrieve", "selection", "tools", "finalize", "agent", "api"}


def _unit(module: str) -> str:
    """'assistant.loaders.bibtex' -> 'loaders'; the first name under the package is the unit that is layered."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path, root: Path = PACKAGE.parent) -> str:
    relative = path.relative_to(root).with_suffix("")
    return ".".join(relative.parts)


def project_imports(path: Path, root: Path = PACKAGE.parent) -> set[str]:
    """Project modules imported anywhere in the file, function-level imports included."""
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "assistant"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "assistant":
                continue
            if node.module is None or target == "assistant":  # "from . import x": x are modules
                found |= {f"{target}.{alias.name}" for alias in node.names}
            else:
                found.add(target)
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "data" not in p.relative_to(PACKAGE).parts)


def test_every_module_is_placed_in_a_layer():
    unplaced = sorted({_unit(_module_name(p)) for p in SOURCES} - set(LAYERS))
    assert unplaced == [], f"place these modules in LAYERS: {unplaced}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path):
    unit = _unit(_module_name(path))
    upward = sorted(
        f"{target} (layer {LAYERS[_unit(target)]})"
        for target in project_imports(path)
        if _unit(target) != unit and LAYERS.get(_unit(target), 99) > LAYERS[unit]
    )
    assert upward == [], f"{unit} (layer {LAYERS[unit]}) imports upward: {upward}"


@pytest.mark.parametrize("unit", sorted(ONLY))
def test_basic_modules_import_only_what_they_must(unit):
    path = PACKAGE / f"{unit}.py"
    imported = {_unit(target) for target in project_imports(path)} - {unit}
    assert imported <= ONLY[unit], f"{unit} may import only {sorted(ONLY[unit])}, imports {sorted(imported)}"


@pytest.mark.parametrize("relative", SCORING)
def test_scoring_imports_nothing_of_the_answering_code(relative):
    imported = {_unit(target) for target in project_imports(PACKAGE / relative)}
    assert imported & ANSWERING == set(), f"{relative} imports answering code: {sorted(imported & ANSWERING)}"


def test_the_import_reader_sees_relative_absolute_and_function_level_imports(tmp_path):
    """The checks above are only as good as this reader: show it on a file with each kind of import."""
    fake_package = tmp_path / "assistant"
    (fake_package / "loaders").mkdir(parents=True)
    source = fake_package / "loaders" / "pdf.py"
    source.write_text(
        "from ..models import Paper\n"
        "from . import bibtex\n"
        "import assistant.text\n"
        "import json\n"
        "def load():\n"
        "    from ..index import PaperIndex\n"
    )
    assert project_imports(source, root=tmp_path) == {
        "assistant.models", "assistant.loaders.bibtex", "assistant.text", "assistant.index"
    }
