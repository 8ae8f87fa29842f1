# Hand-written stubs for the compiled module; checked by `python -m mypy.stubtest
# lurescan._lurescan --allowlist python/stubtest-allowlist.txt` (scripts/test-python.sh).
import os
from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypedDict, Union, final, overload

import numpy as np
import numpy.typing as npt

__all__ = [
    "__version__",
    "Classifier",
    "Explanation",
    "Reason",
    "Evidence",
    "train",
    "LurescanError",
    "ModelFormatError",
    "SchemaMismatchError",
    "ConfigError",
    "TrainingError",
]

__version__: str

_Label = Literal["ok", "review", "lure"]
_StrPath = Union[str, os.PathLike[str]]
# A batch of texts: a list/tuple/iterable of str (None or NaN for missing), a 1-d numpy array
# of str or object, a pandas Series, or a pyarrow (Large)StringArray or ChunkedArray.
_Texts = Union[Iterable[Union[str, float, None]], Any]

class _Thresholds(TypedDict):
    review: float
    lure: float

class LurescanError(Exception): ...
class ModelFormatError(LurescanError): ...

class SchemaMismatchError(LurescanError):
    expected: str
    found: str

class ConfigError(LurescanError, ValueError):
    field: str

class TrainingError(LurescanError): ...

@final
class Evidence:
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def value(self) -> dict[str, Any] | None: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Reason:
    @property
    def signal(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def weight(self) -> float: ...
    @property
    def contribution(self) -> float: ...
    @property
    def evidence(self) -> list[Evidence]: ...
    @property
    def spans(self) -> list[tuple[int, int, str]]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Explanation:
    @property
    def score(self) -> float: ...
    @property
    def label(self) -> _Label: ...
    @property
    def logit(self) -> float: ...
    @property
    def intercept(self) -> float: ...
    @property
    def ngram_contribution(self) -> float: ...
    @property
    def window(self) -> tuple[int, int]: ...
    @property
    def reasons(self) -> list[Reason]: ...
    def top_reasons(self, n: int = 3) -> list[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Classifier:
    def __new__(cls) -> Classifier: ...
    @classmethod
    def bundled(cls) -> Classifier: ...
    @classmethod
    def load(cls, path: _StrPath) -> Classifier: ...
    @classmethod
    def from_json(cls, data: str | bytes) -> Classifier: ...
    def to_json(self) -> str: ...
    def save(self, path: _StrPath) -> None: ...
    @property
    def model_info(self) -> dict[str, Any]: ...
    @property
    def thresholds(self) -> _Thresholds: ...
    def score(self, text: str) -> float: ...
    def classify(self, text: str) -> _Label: ...
    def explain(self, text: str) -> Explanation: ...
    @overload
    def score_batch(self, texts: _Texts, *, dtype: None = None) -> npt.NDArray[np.float32]: ...
    @overload
    def score_batch(  # type: ignore[overload-overlap]
        self, texts: _Texts, *, dtype: type[np.float32] | Literal["float32"]
    ) -> npt.NDArray[np.float32]: ...
    @overload
    def score_batch(
        self, texts: _Texts, *, dtype: type[np.float64] | Literal["float64"]
    ) -> npt.NDArray[np.float64]: ...
    def classify_batch(self, texts: _Texts) -> list[_Label | None]: ...
    def explain_batch(self, texts: _Texts) -> list[Explanation | None]: ...
    def _frame_columns(
        self, texts: _Texts, top: int = 3
    ) -> tuple[npt.NDArray[np.float32], list[_Label | None], list[list[str] | None]]: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

def train(
    texts: _Texts,
    labels: Iterable[bool | int | float] | Any,
    *,
    alpha: float | None = None,
    alphas: Sequence[float] | None = None,
    folds: int | None = None,
    max_iterations: int | None = None,
    min_df: int | None = None,
    max_ngram_features: int | None = None,
    seed: int | None = None,
    gradient_tolerance: float | None = None,
    lure_precision: float | None = None,
    review_recall: float | None = None,
    word_ngrams: tuple[int, int] | None = None,
    char_ngrams: tuple[int, int] | None = None,
    buckets: int | None = None,
    validation: tuple[_Texts, Iterable[bool | int | float] | Any] | None = None,
    metadata: Any = None,
) -> Classifier: ...
