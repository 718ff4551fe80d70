"""Data sets: the tutorials' generators (each from its own seeded generator), CSV loading, splits."""
from __future__ import annotations

import io
from dataclasses import dataclass, replace

import numpy as np
import torch

from .config import MAX_FEATURES, MAX_N, Config
from .errors import DataError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # 5 MB: plenty for 100k rows of a few numbers
MAX_CSV_ROWS = 100_000
MAX_CSV_COLUMNS = MAX_FEATURES + 1


@dataclass(frozen=True, eq=False)
class Dataset:
    """Features X (n, d) and labels y (n, 1), float32 on the CPU, plus where they came from."""

    X: torch.Tensor
    y: torch.Tensor
    feature_names: tuple[str, ...]
    label_name: str = "y"
    kind: str = "custom"
    seed: int | None = None
    true_w: tuple[float, ...] | None = None
    true_b: float | None = None
    noise: float | None = None
    # State of the torch generator right after the data was drawn. A tutorial that draws its
    # data and then its initial weights from one seeded stream continues from here.
    gen_state: torch.Tensor | None = None
    X_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def is_binary(self) -> bool:
        return bool(torch.all((self.y == 0) | (self.y == 1)).item())

    def to_csv(self) -> str:
        """Header, then one row a sample: feature columns first, the label last."""
        cols = list(self.feature_names) + [self.label_name]
        table = torch.cat([self.X, self.y], dim=1).double().numpy()
        out = io.StringIO()
        out.write(",".join(cols) + "\n")
        np.savetxt(out, table, delimiter=",", fmt="%.9g")
        return out.getvalue()


def _names(d: int) -> tuple[str, ...]:
    return ("x",) if d == 1 else tuple(f"x{i + 1}" for i in range(d))


def linear_1d(n: int = 150, w: float = 2.0, b: float = 6.0, noise: float = 0.3,
              x_range: float = 5.0, seed: int = 100) -> Dataset:
    """Seed 000: `x = x_range * rand(n, 1)`, `y = w x + b + randn(n, 1) * noise` (numpy, float64)."""
    rs = np.random.RandomState(seed % 2**32)  # the legacy generator, own instance: same numbers as np.random.seed
    x = x_range * rs.rand(n, 1)
    y = w * x + b + rs.randn(n, 1) * noise
    return Dataset(torch.from_numpy(x).float(), torch.from_numpy(y).float(), _names(1), kind="linear",
                   seed=seed, true_w=(float(w),), true_b=float(b), noise=float(noise))


def uniform_1d(n: int = 50, w: float = 3.0, b: float = 0.8, noise: float = 0.0,
               x_range: float = 1.0, seed: int = 0) -> Dataset:
    """Seeds 002/003: `x = torch.rand([n, 1])`, `y = w x + b` (plus optional Gaussian noise)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g)
    if x_range != 1.0:
        x = x * x_range
    y = w * x + b
    if noise > 0:
        y = y + noise * torch.randn(n, 1, generator=g)
    return Dataset(x, y, _names(1), kind="uniform", seed=seed, true_w=(float(w),), true_b=float(b),
                   noise=float(noise), gen_state=g.get_state())


def synthetic_data(w=(2.0, -3.4), b: float = 4.2, n: int = 1000, noise: float = 0.01,
                   seed: int = 0) -> Dataset:
    """d2l's `synthetic_data`: X ~ N(0, 1), y = X @ w + b + N(0, noise^2), as a column."""
    g = torch.Generator().manual_seed(seed)
    true_w = torch.tensor([float(v) for v in w])
    X = torch.normal(0, 1, (n, len(true_w)), generator=g)
    y = torch.matmul(X, true_w) + b
    y += torch.normal(0, noise, y.shape, generator=g)
    return Dataset(X, y.reshape((-1, 1)), _names(len(true_w)), kind="synthetic", seed=seed,
                   true_w=tuple(float(v) for v in w), true_b=float(b), noise=float(noise),
                   gen_state=g.get_state())


def logistic_rule(n: int = 1000, w=(0.5, -1.5), b: float = 0.0, seed: int = 123) -> Dataset:
    """Seed 004: `X = randn(n, d)`, `y = 1 where x1*w1 + x2*w2 + ... + b > 0 else 0`."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(size=(n, len(w)), generator=g).float()
    score = X[:, 0] * float(w[0])
    for j in range(1, len(w)):
        score = score + X[:, j] * float(w[j])
    if b != 0:
        score = score + float(b)
    y = torch.where(score > 0, 1.0, 0.0).float().reshape(-1, 1)
    return Dataset(X, y, _names(len(w)), kind="logistic_rule", seed=seed,
                   true_w=tuple(float(v) for v in w), true_b=float(b), gen_state=g.get_state())


def make_dataset(config: Config) -> Dataset:
    """The data set a config describes (never called for 'custom' data)."""
    c = config
    if c.data == "linear":
        ds = linear_1d(c.n, c.true_w[0], c.true_b, c.noise, c.x_range, c.seed)
    elif c.data == "uniform":
        ds = uniform_1d(c.n, c.true_w[0], c.true_b, c.noise, c.x_range, c.seed)
    elif c.data == "synthetic":
        ds = synthetic_data(c.true_w, c.true_b, c.n, c.noise, c.seed)
    elif c.data == "logistic_rule":
        ds = logistic_rule(c.n, c.true_w, c.true_b, c.seed)
    else:
        raise DataError(key="custom_needs_csv")
    if c.val_fraction > 0:
        ds = split(ds, c.val_fraction, c.seed)
    return ds


def split(ds: Dataset, val_fraction: float, seed: int) -> Dataset:
    """Hold out a random share of samples as validation data (own generator)."""
    if not 0 < val_fraction < 1:
        raise DataError(key="val_share", value=val_fraction)
    n_val = int(round(ds.n * val_fraction))
    if n_val < 1 or ds.n - n_val < 1:
        raise DataError(key="val_too_few", n=ds.n, share=val_fraction)
    g = torch.Generator().manual_seed(seed + 7919)
    perm = torch.randperm(ds.n, generator=g)
    val, train = perm[:n_val].sort().values, perm[n_val:].sort().values
    return replace(ds, X=ds.X[train], y=ds.y[train], X_val=ds.X[val], y_val=ds.y[val])


# -- CSV ---------------------------------------------------------------------------------------

def load_csv(source, label: str | None = None, *, binary_labels: bool = False,
             max_bytes: int = MAX_UPLOAD_BYTES, max_rows: int = MAX_CSV_ROWS) -> Dataset:
    """Parse a CSV (bytes, text or a path) as numbers only; the label is the named or last column.

    Raises DataError with one sentence for anything that cannot be used as-is.
    """
    from .tables import read_table  # the file's checks live there (tables.py imports this module)

    table = read_table(source, max_bytes=max_bytes, max_rows=max_rows)
    if table.first_text is not None:
        line, cell = table.first_text
        raise DataError(key="csv_not_number", line=line, value=repr(cell[:40]))
    header, values = table.header, table.values
    if not np.all(np.isfinite(values)):
        r, c = np.argwhere(~np.isfinite(values))[0]
        raise DataError(key="csv_not_finite", line=int(r) + 2, column=repr(header[c]), value=str(values[r, c]))
    if np.abs(values).max() > 1e15:
        raise DataError(key="csv_too_large_values")
    label = header[-1] if label is None else label
    return table.dataset(label, [h for h in header if h != label], binary_labels=binary_labels)


def _read_bytes(source, max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        raw = source
    elif isinstance(source, str) and "\n" in source:
        raw = source.encode("utf-8")
    else:
        try:
            with open(source, "rb") as fh:
                raw = fh.read(max_bytes + 1)
        except OSError as exc:
            raise DataError(key="csv_unreadable", reason=str(exc.strerror or exc)) from None
    if len(raw) > max_bytes:
        raise DataError(key="file_too_large", mb=max_bytes / 1024 / 1024)
    return raw


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:4096]:
        raise DataError(key="csv_binary")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(key="csv_not_utf8") from None


def _sniff_separator(header_line: str) -> str:
    counts = {s: header_line.count(s) for s in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_for_task(ds: Dataset, task: str) -> None:
    """Raise DataError if the data cannot be used for the task."""
    if ds.n < 1:
        raise DataError(key="data_empty")
    if ds.n > MAX_N:
        raise DataError(key="data_too_many", n=ds.n, max=MAX_N)
    if task == "logreg" and not ds.is_binary:
        raise DataError(key="logreg_labels")
    if not (torch.isfinite(ds.X).all() and torch.isfinite(ds.y).all()):
        raise DataError(key="data_not_finite")

