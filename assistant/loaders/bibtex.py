"""Placeholder: being written."""
from pathlib import Path
from ..models import LoadResult
def load(path: Path) -> LoadResult: raise NotImplementedError
