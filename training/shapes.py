"""The synthetic "shapes" captioning dataset, written in Flickr8k's own file layout.

Each image holds 1 to 3 objects (6 kinds, 6 colours, 2 sizes) on a varied background. Captions name
colours, sizes, counts and spatial relations, so a model has to look at the right place to caption well.
Everything is deterministic from the seed: image i of a split depends only on (seed, split, i).
"""
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from .progress import progress

KINDS = ["circle", "square", "triangle", "star", "diamond", "cross"]
COLOURS = {
    "red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 80, 220),
    "yellow": (235, 205, 30), "purple": (140, 50, 180), "orange": (245, 130, 20),
}
SIZE_WORDS = {"small": ["small", "little", "tiny"], "large": ["large", "big"]}
NUMBER_WORDS = {2: "two", 3: "three"}
CANVAS = 128
SPLITS = {"train": 6000, "val": 1000, "test": 1000}
SPLIT_FILES = {"train": "Flickr_8k.trainImages.txt", "val": "Flickr_8k.devImages.txt", "test": "Flickr_8k.testImages.txt"}


@dataclass
class Shape:
    kind: str
    colour: str
    size: str  # "small" | "large"
    x: float
    y: float
    radius: float


def _background(rng: random.Random) -> Image.Image:
    """Plain, two-tone gradient or speckled backgrounds in muted tones, never close to an object colour."""
    base = tuple(rng.randint(150, 245) if rng.random() < 0.7 else rng.randint(20, 90) for _ in range(1)) * 3
    tint = tuple(max(0, min(255, base[i] + rng.randint(-25, 25))) for i in range(3))
    img = Image.new("RGB", (CANVAS, CANVAS), tint)
    style = rng.choice(["plain", "gradient", "speckle"])
    draw = ImageDraw.Draw(img)
    if style == "gradient":
        other = tuple(max(0, min(255, c + rng.randint(-50, 50))) for c in tint)
        vertical = rng.random() < 0.5
        for i in range(CANVAS):
            t = i / (CANVAS - 1)
            colour = tuple(int(a + (b - a) * t) for a, b in zip(tint, other))
            draw.line([(0, i), (CANVAS, i)] if vertical else [(i, 0), (i, CANVAS)], fill=colour)
    elif style == "speckle":
        for _ in range(300):
            x, y = rng.randrange(CANVAS), rng.randrange(CANVAS)
            shade = tuple(max(0, min(255, c + rng.randint(-35, 35))) for c in tint)
            draw.point((x, y), fill=shade)
    return img


def _polygon(shape: Shape):
    x, y, r = shape.x, shape.y, shape.radius
    if shape.kind == "square":
        s = r * 0.85
        return [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]
    if shape.kind == "triangle":
        return [(x + r * math.cos(a), y + r * math.sin(a)) for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
    if shape.kind == "diamond":
        return [(x, y - r), (x + r * 0.75, y), (x, y + r), (x - r * 0.75, y)]
    if shape.kind == "star":
        points = []
        for i in range(10):
            a = -math.pi / 2 + i * math.pi / 5
            rr = r if i % 2 == 0 else r * 0.45
            points.append((x + rr * math.cos(a), y + rr * math.sin(a)))
        return points
    if shape.kind == "cross":
        w = r * 0.35
        return [(x - w, y - r), (x + w, y - r), (x + w, y - w), (x + r, y - w), (x + r, y + w), (x + w, y + w),
                (x + w, y + r), (x - w, y + r), (x - w, y + w), (x - r, y + w), (x - r, y - w), (x - w, y - w)]
    raise ValueError(shape.kind)


def _draw(img: Image.Image, shape: Shape):
    draw = ImageDraw.Draw(img)
    fill = COLOURS[shape.colour]
    if shape.kind == "circle":
        r = shape.radius
        draw.ellipse([shape.x - r, shape.y - r, shape.x + r, shape.y + r], fill=fill)
    else:
        draw.polygon(_polygon(shape), fill=fill)


def _place(rng: random.Random, count: int) -> list:
    """Non-overlapping objects; for two objects their offset is clearly horizontal or vertical so the
    relation word is unambiguous."""
    while True:
        shapes = []
        for _ in range(count):
            size = rng.choice(["small", "large"])
            radius = rng.uniform(10, 13) if size == "small" else rng.uniform(19, 24)
            shapes.append(Shape(rng.choice(KINDS), rng.choice(list(COLOURS)), size,
                                rng.uniform(radius + 2, CANVAS - radius - 2), rng.uniform(radius + 2, CANVAS - radius - 2), radius))
        apart = all(math.dist((a.x, a.y), (b.x, b.y)) > a.radius + b.radius + 6
                    for i, a in enumerate(shapes) for b in shapes[i + 1:])
        if not apart:
            continue
        if count == 2:
            dx, dy = abs(shapes[0].x - shapes[1].x), abs(shapes[0].y - shapes[1].y)
            if max(dx, dy) < 1.6 * min(dx, dy):
                continue
        if count == 3 and len({round(s.x / 8) for s in shapes}) < 3:
            continue  # left-to-right order must be clear
        return shapes


def _noun(shape: Shape, rng: random.Random, plural: bool = False) -> str:
    kind = shape.kind + ("es" if plural and shape.kind == "cross" else "s" if plural else "")
    words = [shape.colour, kind]
    if rng.random() < 0.75:
        words.insert(0, rng.choice(SIZE_WORDS[shape.size]))
    return " ".join(words)


def _a(phrase: str) -> str:
    return f"an {phrase}" if phrase[0] in "aeiou" else f"a {phrase}"


def _relation(a: Shape, b: Shape) -> tuple:
    """Relation of a to b and its inverse, by the dominant axis (image y grows downwards)."""
    if abs(a.x - b.x) >= abs(a.y - b.y):
        return ("to the left of", "to the right of") if a.x < b.x else ("to the right of", "to the left of")
    return ("above", "below") if a.y < b.y else ("below", "above")


def _captions_one(s: Shape, rng: random.Random) -> list:
    templates = [
        lambda: _a(_noun(s, rng)),
        lambda: f"there is {_a(_noun(s, rng))}",
        lambda: f"{_a(_noun(s, rng))} on its own",
        lambda: f"a single {_noun(s, rng)}",
        lambda: f"one {_noun(s, rng)} in the picture",
        lambda: f"an image with {_a(_noun(s, rng))}",
    ]
    return [t() for t in rng.sample(templates, 5)]


def _captions_two(a: Shape, b: Shape, rng: random.Random) -> list:
    rel, inverse = _relation(a, b)
    same = a.kind == b.kind and a.colour == b.colour
    templates = [
        lambda: f"{_a(_noun(a, rng))} {rel} {_a(_noun(b, rng))}",
        lambda: f"{_a(_noun(b, rng))} {inverse} {_a(_noun(a, rng))}",
        lambda: f"{_a(_noun(a, rng))} is {rel} {_a(_noun(b, rng))}",
        lambda: f"there is {_a(_noun(b, rng))} {inverse} {_a(_noun(a, rng))}",
        lambda: f"{_a(_noun(a, rng))} and {_a(_noun(b, rng))}",
        lambda: (f"two {a.colour} {a.kind}{'es' if a.kind == 'cross' else 's'}" if same
                 else f"{_a(_noun(b, rng))} and {_a(_noun(a, rng))}"),
    ]
    return [t() for t in rng.sample(templates, 5)]


def _captions_three(shapes: list, rng: random.Random) -> list:
    ordered = sorted(shapes, key=lambda s: s.x)
    groups = {}
    for s in shapes:
        groups.setdefault((s.colour, s.kind), []).append(s)

    def listing(items):
        names = [_a(_noun(s, rng)) for s in items]
        return f"{names[0]} , {names[1]} and {names[2]}"

    def counted():
        parts = []
        for (colour, kind), members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            if len(members) > 1:
                parts.append(f"{NUMBER_WORDS[len(members)]} {colour} {kind}{'es' if kind == 'cross' else 's'}")
            else:
                parts.append(_a(_noun(members[0], rng)))
        return " and ".join(parts) if len(parts) < 3 else f"{parts[0]} , {parts[1]} and {parts[2]}"

    templates = [
        lambda: f"three shapes : {listing(rng.sample(shapes, 3))}",
        lambda: f"from left to right {listing(ordered)}",
        lambda: counted(),
        lambda: f"there are {counted()}",
        lambda: f"{_a(_noun(ordered[0], rng))} to the left of {_a(_noun(ordered[1], rng))} and {_a(_noun(ordered[2], rng))}",
        lambda: f"three objects with {_a(_noun(ordered[2], rng))} on the right",
    ]
    return [t() for t in rng.sample(templates, 5)]


def make_example(seed: int, split: str, index: int):
    """One image and its five captions, a pure function of (seed, split, index)."""
    rng = random.Random(f"{seed}/{split}/{index}")
    count = rng.choices([1, 2, 3], weights=[0.25, 0.45, 0.30])[0]
    shapes = _place(rng, count)
    img = _background(rng)
    for s in shapes:
        _draw(img, s)
    img = img.filter(ImageFilter.SMOOTH)
    if count == 1:
        captions = _captions_one(shapes[0], rng)
    elif count == 2:
        captions = _captions_two(shapes[0], shapes[1], rng)
    else:
        captions = _captions_three(shapes, rng)
    return img, captions


def generate(out_dir: Path, seed: int = 1234, sizes: dict = None, quality: int = 92) -> Path:
    """Write the dataset in Flickr8k's layout: Flicker8k_Dataset/*.jpg, Flickr8k.token.txt, split lists."""
    sizes = sizes or SPLITS
    out_dir = Path(out_dir)
    images_dir = out_dir / "Flicker8k_Dataset"
    images_dir.mkdir(parents=True, exist_ok=True)
    token_lines = []
    jobs = [(split, i) for split, n in sizes.items() for i in range(n)]
    split_names = {split: [] for split in sizes}
    for split, i in progress(jobs, desc="generating shapes"):
        name = f"shapes_{split}_{i:05d}.jpg"
        img, captions = make_example(seed, split, i)
        path = images_dir / name
        if not path.exists():
            img.save(path, quality=quality)
        split_names[split].append(name)
        token_lines += [f"{name}#{k}\t{c}" for k, c in enumerate(captions)]
    (out_dir / "Flickr8k.token.txt").write_text("\n".join(token_lines) + "\n")
    for split, names in split_names.items():
        (out_dir / SPLIT_FILES[split]).write_text("\n".join(names) + "\n")
    (out_dir / "README.txt").write_text(f"Synthetic shapes captions, seed {seed}, sizes {sizes}. Generated by training/shapes.py.\n")
    return out_dir
