"""A progress bar: tqdm when installed (Debian python3-tqdm), else a plain line every few seconds."""
import sys
import time

try:
    from tqdm import tqdm as _tqdm
except ImportError:  # pragma: no cover - tqdm is optional
    _tqdm = None


def progress(iterable, desc: str = "", total: int = None):
    if _tqdm is not None:
        return _tqdm(iterable, desc=desc, total=total, mininterval=2.0, dynamic_ncols=True, file=sys.stderr)
    return _plain(iterable, desc, total if total is not None else len(iterable) if hasattr(iterable, "__len__") else None)


def _plain(iterable, desc, total):
    last = time.time()
    for i, item in enumerate(iterable, 1):
        yield item
        if time.time() - last > 5 or i == total:
            last = time.time()
            print(f"{desc}: {i}/{total or '?'}", file=sys.stderr, flush=True)
