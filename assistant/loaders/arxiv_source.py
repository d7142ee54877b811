"""Placeholder: being written."""
from ..models import LoadResult
def load_ids(ids: list[str]) -> LoadResult: raise NotImplementedError
def load_query(query: str) -> LoadResult: raise NotImplementedError
