"""Frozen-encoder feature cache: each image goes through the ResNet once, and training reads the maps.

Layout of a cache directory (gitignored; default training/data/features/<dataset>):
  meta.json   the encoder's identity and the row of every image file
  maps.f16    float16 [rows, P, D] region features (P = 49 regions of a 7x7 grid, D = 2048)
  done.u8     one byte per row, set only after that row's features were flushed to disk,
              so a killed extraction resumes where it stopped and never trusts a half-written row
"""
import hashlib
import json
from pathlib import Path

import numpy as np
import torch

from .images import resize, to_tensor
from .progress import progress


def encoder_identity(package_dir: Path, image_size: int) -> str:
    """Changes whenever the cached numbers would: other weights, other topology, other input size."""
    spec = (Path(package_dir) / "model.json").read_bytes()
    return hashlib.sha256(spec + str(image_size).encode()).hexdigest()[:16]


class FeatureCache:
    def __init__(self, root: Path, files: list, identity: str, regions: int, dim: int):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        meta_path = self.root / "meta.json"
        meta = {"identity": identity, "files": files, "regions": regions, "dim": dim}
        if meta_path.exists():
            old = json.loads(meta_path.read_text())
            if old != meta:
                raise ValueError(f"{self.root} holds features of another encoder or image list; "
                                 "delete it or pass another --cache directory")
        else:
            meta_path.write_text(json.dumps(meta))
        self.files = files
        self.row = {f: i for i, f in enumerate(files)}
        shape = (len(files), regions, dim)
        mode = "r+" if (self.root / "maps.f16").exists() else "w+"
        self.maps = np.memmap(self.root / "maps.f16", np.float16, mode, shape=shape)
        self.done = np.memmap(self.root / "done.u8", np.uint8, mode, shape=(len(files),))

    @classmethod
    def open(cls, root: Path):
        """An existing, complete cache, read-only."""
        meta = json.loads((Path(root) / "meta.json").read_text())
        cache = cls(root, meta["files"], meta["identity"], meta["regions"], meta["dim"])
        missing = int((cache.done == 0).sum())
        if missing:
            raise ValueError(f"{root} lacks features for {missing} images; run `python3 -m training features` to finish it")
        return cache

    def pending(self) -> list:
        return [i for i in range(len(self.files)) if not self.done[i]]

    def write(self, rows: list, features: torch.Tensor):
        self.maps[rows] = features.numpy().astype(np.float16)
        self.maps.flush()
        self.done[rows] = 1
        self.done.flush()

    def load(self, files: list) -> torch.Tensor:
        """float16 [len(files), P, D] in memory (about 1.2 GB for Flickr8k's 6000 training images)."""
        return torch.from_numpy(np.ascontiguousarray(self.maps[[self.row[f] for f in files]]))


@torch.no_grad()
def extract(examples: list, encoder, cache_dir: Path, identity: str, image_size: int, mean, std, batch: int = 16):
    """Fill the cache for `examples` with encoder(image) -> (N, P, D); resumes a partial cache."""
    files = sorted({e.file for e in examples})
    path_of = {e.file: e.path for e in examples}
    meta = Path(cache_dir) / "meta.json"
    if meta.exists():  # resuming: the shape is known (and checked with the identity)
        old = json.loads(meta.read_text())
        regions, dim = old["regions"], old["dim"]
    else:
        _, regions, dim = encoder(torch.zeros(1, 3, image_size, image_size)).shape
    cache = FeatureCache(cache_dir, files, identity, regions, dim)
    todo = cache.pending()
    print(f"{len(files) - len(todo)} of {len(files)} images already cached in {cache_dir}")
    from PIL import Image
    for start in progress(range(0, len(todo), batch), desc="features", total=(len(todo) + batch - 1) // batch):
        rows = todo[start:start + batch]
        images = torch.stack([to_tensor(resize(Image.open(path_of[files[r]]), image_size), mean, std) for r in rows])
        cache.write(rows, encoder(images))
    return cache


def default_cache(data_dir: Path) -> Path:
    return Path(__file__).parent / "data" / "features" / Path(data_dir).resolve().name


def extract_dataset(data_dir: Path, cache_dir, encoder: str, package_dir, threads: int, batch: int) -> Path:
    """The `features` command: every train/val/test image of a dataset through the frozen encoder."""
    import os
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)  # OpenBLAS ignores torch.set_num_threads
    torch.set_num_threads(threads)
    from .data import load_examples
    from .keras_resnet import CAFFE_MEAN, CAFFE_STD, find_package
    from .models import FrozenBackbone
    backbone = FrozenBackbone(encoder, package_dir)
    if encoder == "keras-resnet50":
        identity, mean, std = encoder_identity(find_package(package_dir), 224), CAFFE_MEAN, CAFFE_STD
    else:
        identity, mean, std = "torchvision-resnet50-224", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    cache_dir = Path(cache_dir) if cache_dir else default_cache(data_dir)
    extract(load_examples(data_dir), backbone, cache_dir, f"{encoder}:{identity}", 224, mean, std, batch)
    return cache_dir
