"""Placeholder: being written."""
from pathlib import Path
from ..models import LoadResult
def load_jsonl(path: Path) -> LoadResult: raise NotImplementedError
def load_csv(path: Path) -> LoadResult: raise NotImplementedError
