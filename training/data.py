"""Caption datasets: Flickr8k in its three common layouts (official, Karpathy JSON, Kaggle CSV), the
vocabulary, and the PyTorch dataset that yields each image once with all of its captions.

The synthetic shapes data is written in the official layout, so one loader serves both.
Formats and split rules: docs/datasets.md.
"""
import csv
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image

from .bleu import tokenize

IMAGE_DIRS = ["Flicker8k_Dataset", "Flickr8k_Dataset", "Images", "images", "."]
OFFICIAL_TOKENS = "Flickr8k.token.txt"
OFFICIAL_SPLITS = {"train": "Flickr_8k.trainImages.txt", "val": "Flickr_8k.devImages.txt", "test": "Flickr_8k.testImages.txt"}
KARPATHY_JSON = "dataset_flickr8k.json"
KAGGLE_CSV = "captions.txt"
SPECIALS = ["<pad>", "<start>", "<end>", "<unk>"]
PAD, START, END, UNK = range(4)


class DatasetError(ValueError):
    """A dataset directory that cannot be read; the message says which file and what to do."""


@dataclass
class Example:
    file: str
    path: Path
    split: str
    captions: list = field(default_factory=list)


def _image_dir(root: Path) -> Path:
    for name in IMAGE_DIRS:
        if (root / name).is_dir() and any((root / name).glob("*.jp*g")):
            return root / name
    raise DatasetError(f"no image folder with .jpg files in {root}; expected one of {IMAGE_DIRS[:-1]}")


def _check_present(examples: list, root: Path) -> list:
    missing = [e.file for e in examples if not e.path.is_file()]
    if missing:
        raise DatasetError(f"{len(missing)} image(s) listed in {root} are missing, e.g. {missing[:3]}; "
                           "re-extract the image archive or remove them from the caption file")
    return examples


def _read_official(root: Path) -> list:
    captions = {}
    for n, line in enumerate((root / OFFICIAL_TOKENS).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        key, sep, text = line.partition("\t")
        name, hash_, _ = key.partition("#")
        if not sep or not hash_ or not text.strip():
            raise DatasetError(f"{OFFICIAL_TOKENS} line {n} is malformed (want 'image.jpg#k<TAB>caption'): {line[:80]!r}")
        captions.setdefault(name, []).append(text.strip())
    images = _image_dir(root)
    examples = []
    for split, list_name in OFFICIAL_SPLITS.items():
        path = root / list_name
        if not path.is_file():
            raise DatasetError(f"missing split list {path}; Flickr8k's official layout has {list(OFFICIAL_SPLITS.values())}")
        for name in path.read_text().split():
            if name not in captions:
                raise DatasetError(f"{list_name} lists {name} but {OFFICIAL_TOKENS} has no captions for it")
            examples.append(Example(name, images / name, split, captions[name]))
    return examples


def _read_karpathy(root: Path) -> list:
    try:
        data = json.loads((root / KARPATHY_JSON).read_text(encoding="utf-8"))
        entries = data["images"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DatasetError(f"{KARPATHY_JSON} is not Karpathy's format ({error}); want {{'images': [...]}}") from error
    images = _image_dir(root)
    examples = []
    for i, entry in enumerate(entries):
        try:
            split = {"restval": "train"}.get(entry["split"], entry["split"])
            texts = [s["raw"] for s in entry["sentences"]]
            name = entry["filename"]
        except (KeyError, TypeError) as error:
            raise DatasetError(f"{KARPATHY_JSON} image #{i} lacks {error}; each needs filename, split, sentences[].raw") from error
        if split not in OFFICIAL_SPLITS:
            raise DatasetError(f"{KARPATHY_JSON} image #{i} has unknown split {split!r}")
        examples.append(Example(name, images / name, split, texts))
    return examples


def kaggle_split(names: list) -> dict:
    """Kaggle's CSV has no split: sorted file names, the last eighth is test and the eighth before it val
    (6000/1000/1000-like proportions). The API's importer uses the same rule."""
    ordered = sorted(names)
    n_eval = round(len(ordered) / 8)
    n_train = len(ordered) - 2 * n_eval
    return {name: "train" if i < n_train else "val" if i < n_train + n_eval else "test" for i, name in enumerate(ordered)}


def _read_kaggle(root: Path) -> list:
    captions = {}
    with (root / KAGGLE_CSV).open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:2]] != ["image", "caption"]:
            raise DatasetError(f"{KAGGLE_CSV} must start with the header 'image,caption', got {header}")
        for n, row in enumerate(reader, 2):
            if not row:
                continue
            if len(row) < 2 or not row[0].strip() or not ",".join(row[1:]).strip():
                raise DatasetError(f"{KAGGLE_CSV} line {n} is malformed (want 'image.jpg,caption'): {row}")
            captions.setdefault(row[0].strip(), []).append(",".join(row[1:]).strip())
    images = _image_dir(root)
    splits = kaggle_split(list(captions))
    return [Example(name, images / name, splits[name], texts) for name, texts in captions.items()]


def detect_format(root: Path) -> str:
    if (root / OFFICIAL_TOKENS).is_file():
        return "flickr8k"
    if (root / KARPATHY_JSON).is_file():
        return "karpathy"
    if (root / KAGGLE_CSV).is_file():
        return "kaggle"
    raise DatasetError(f"{root} holds none of {OFFICIAL_TOKENS}, {KARPATHY_JSON}, {KAGGLE_CSV}; "
                       "point at a Flickr8k folder or generate shapes with `python3 -m training shapes`")


def load_examples(root) -> list:
    """All examples of a dataset directory in any supported layout, with their split."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"dataset directory {root} does not exist")
    reader = {"flickr8k": _read_official, "karpathy": _read_karpathy, "kaggle": _read_kaggle}[detect_format(root)]
    return _check_present(reader(root), root)


class Vocabulary:
    """Tokens seen at least `min_count` times in the training captions; ids 0..3 are the specials."""

    def __init__(self, tokens: list):
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}

    @classmethod
    def build(cls, captions: list, min_count: int = 5):
        counts = Counter(w for c in captions for w in tokenize(c))
        words = sorted(w for w, n in counts.items() if n >= min_count)
        return cls(SPECIALS + words)

    def encode(self, caption: str) -> list:
        return [self.index.get(w, UNK) for w in tokenize(caption)]

    def decode(self, ids) -> list:
        words = []
        for i in ids:
            if i == END:
                break
            if i not in (PAD, START):
                words.append(self.tokens[i])
        return words

    def __len__(self):
        return len(self.tokens)


class CaptionDataset(torch.utils.data.Dataset):
    """Yields (image tensor, caption id lists) per image: the encoder sees each image once per step."""

    def __init__(self, examples: list, vocab: Vocabulary, transform, max_length: int, captions_per_image: int = 5, seed: int = 0):
        self.examples = examples
        self.vocab = vocab
        self.transform = transform
        self.max_length = max_length
        self.captions_per_image = captions_per_image
        self.rng = random.Random(seed)

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        e = self.examples[i]
        image = self.transform(Image.open(e.path).convert("RGB"))
        captions = [self.vocab.encode(c)[: self.max_length] for c in e.captions]
        if self.captions_per_image < len(captions):
            captions = self.rng.sample(captions, self.captions_per_image)
        return image, captions, i


class FeatureDataset(torch.utils.data.Dataset):
    """CaptionDataset's items, with a frozen encoder's cached features (P, D) in place of the image."""

    def __init__(self, examples: list, vocab: Vocabulary, cache, max_length: int):
        self.examples = examples
        self.features = cache.load([e.file for e in examples])  # float16, in memory
        self.captions = [[vocab.encode(c)[:max_length] for c in e.captions] for e in examples]

    def __len__(self):
        return len(self.examples)

    def __getitem__(self, i):
        return self.features[i].float(), self.captions[i], i


class PairDataset(torch.utils.data.Dataset):
    """Every (image, caption) pair of a dataset as one item: an epoch sees all five captions of each image."""

    def __init__(self, base):
        self.base = base
        self.pairs = [(i, j) for i in range(len(base)) for j in range(len(base.captions[i]))]

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, k):
        i, j = self.pairs[k]
        features, captions, _ = self.base[i]
        return features, [captions[j]], i


def collate(batch):
    """Stack images; pad captions into inputs (start + words) and targets (words + end)."""
    images = torch.stack([b[0] for b in batch])
    caps = [(c, k) for k, b in enumerate(batch) for c in b[1]]
    length = max(len(c) for c, _ in caps) + 1
    inputs = torch.full((len(caps), length), PAD, dtype=torch.long)
    targets = torch.full((len(caps), length), PAD, dtype=torch.long)
    for row, (c, _) in enumerate(caps):
        inputs[row, : len(c) + 1] = torch.tensor([START] + c)
        targets[row, : len(c) + 1] = torch.tensor(c + [END])
    image_index = torch.tensor([k for _, k in caps])
    return images, inputs, targets, image_index, [b[2] for b in batch]
