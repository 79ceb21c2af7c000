"""Export a trained run to the model-directory contract (models/README.md): encoder/init/step ONNX graphs,
vocab, manifest (the seed's table: params, loss, BLEU-n on val and test) and golden.json.

The graphs are checked against PyTorch before the manifest is written, so a directory with a manifest is
a verified one. Parameters keep their PyTorch names as ONNX initializers (no constant folding), so the
PyTorch side can be rebuilt from the shipped files alone (see weights.py) without a second copy.

A frozen encoder (the ImageNet ResNet50) is written once to a shared folder (models/encoders/) and every
manifest that uses it points there, so the runtime can run it once per image for all of them.
With `half`, weight matrices are stored as float16 (computed in float32): the PyTorch model is rounded
the same way first, so golden.json and the manifest's metrics describe exactly the shipped weights.
"""
import hashlib
import inspect
import json
import os
import shutil
from pathlib import Path

import torch
import torch.nn as nn
from PIL import Image

from .data import END, START, FeatureDataset
from .decode import beam_search
from .evaluate import evaluate_model
from .features import FeatureCache, extract
from .half import round_weights, store_weights_fp16
from .images import make_transform, resize, to_tensor
from .models import FrozenBackbone, count_parameters, is_frozen
from .onnx_check import check_graphs
from .train import load_run, load_splits

OPSET = 17
FORMAT = 2
MACHINE_PATHS = ("data_dir", "feature_cache", "warm_start")  # where the training machine kept things: not the model's business


class EncoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.encoder = model.encoder

    def forward(self, image):
        return self.encoder(image)


class InitGraph(nn.Module):
    """features -> h, c, and for attention `projected`: the per-image part of the attention that the
    step would otherwise recompute at every word for every beam (format 2)."""

    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder
        self.attention = model.cfg.variant == "attention"

    def forward(self, features):
        h, c = self.decoder.init_state(features)
        return (h, c, self.decoder.project_features(features)) if self.attention else (h, c)


class StepGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder
        self.attention = model.cfg.variant == "attention"

    def forward(self, token, h, c, features=None, projected=None):
        logprobs, h, c, alpha = self.decoder.step(token, h, c, features, projected) if self.attention \
            else self.decoder.step(token, h, c)
        return (logprobs, h, c, alpha) if self.attention else (logprobs, h, c)


# torch >= 2.5 can export through dynamo (the default from 2.9); the contract relies on the TorchScript
# exporter's names and dynamic axes, so ask for it wherever the choice exists.
_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def _export(module, args, path, inputs, outputs, dynamic):
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=OPSET, do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                      **_EXPORTER)


def export_graphs(model, cfg, out: Path, sample_images, encoder_file: str = None, half: bool = False):
    """Write init and step (and the encoder, unless a shared `encoder_file` is given); returns the sample
    inputs and PyTorch's outputs of each graph file for verification."""
    model.eval()
    attention = cfg.variant == "attention"
    with torch.no_grad():
        features = model.encode(sample_images)
        state = InitGraph(model)(features)
        h, c = state[:2]
        token = torch.full((sample_images.size(0),), START, dtype=torch.long)
        step_out = StepGraph(model)(token, h, c, *((features, state[2]) if attention else ()))
    expected = {}
    if encoder_file is None:
        encoder_file = "encoder.onnx"
        _export(EncoderGraph(model), (sample_images,), out / encoder_file, ["image"], ["features"],
                {"image": {0: "n"}, "features": {0: "n"}})
        expected[encoder_file] = ({"image": sample_images}, {"features": features})
    init_outputs = ["h", "c"] + (["projected"] if attention else [])
    init_dynamic = {"features": {0: "n"}, "h": {1: "n"}, "c": {1: "n"}, "projected": {0: "n"}}
    _export(InitGraph(model), (features,), out / "init.onnx", ["features"], init_outputs,
            {k: v for k, v in init_dynamic.items() if k in ["features"] + init_outputs})
    step_inputs = ["token", "h", "c"] + (["features", "projected"] if attention else [])
    step_outputs = ["logprobs", "h_out", "c_out"] + (["alpha"] if attention else [])
    dynamic = {name: {0: "n"} for name in ["token", "features", "projected", "logprobs", "alpha"]}
    dynamic.update({name: {1: "n"} for name in ["h", "c", "h_out", "c_out"]})
    step_args = (token, h, c, features, state[2]) if attention else (token, h, c)
    _export(StepGraph(model), step_args, out / "step.onnx", step_inputs, step_outputs,
            {k: v for k, v in dynamic.items() if k in step_inputs + step_outputs})
    if half:
        for name in ("init.onnx", "step.onnx") if encoder_file != "encoder.onnx" else ("encoder.onnx", "init.onnx", "step.onnx"):
            store_weights_fp16(out / name)
    expected["init.onnx"] = ({"features": features}, dict(zip(init_outputs, state)))
    expected["step.onnx"] = (dict(zip(step_inputs, step_args)), dict(zip(step_outputs, step_out)))
    return expected


def export_shared_encoder(backbone, cfg, encoders_dir: Path, half: bool) -> Path:
    """The frozen encoder's graph, written once to encoders_dir and verified; reused when already there."""
    path = Path(encoders_dir) / f"{cfg.encoder}{'-fp16' if half else ''}.onnx"
    sample = torch.randn(2, 3, cfg.image_size, cfg.image_size) * 50  # caffe-scaled inputs are 0..255-ish
    with torch.no_grad():
        want = backbone(sample)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".partial")
        _export(backbone, (sample,), tmp, ["image"], ["features"], {"image": {0: "n"}, "features": {0: "n"}})
        if half:
            store_weights_fp16(tmp)
        tmp.replace(path)
    report = check_graphs(path.parent, {path.name: ({"image": sample}, {"features": want})}, tolerance=2e-3)
    print(f"shared encoder {path} matches PyTorch: {report}")
    return path


@torch.no_grad()
def golden(model, cfg, vocab, example, out: Path):
    """One test image at model resolution (PNG: no resampling or JPEG noise for the runtime to differ on),
    its tensor checksum, PyTorch's greedy tokens with their log-probs and the first step's top 5."""
    image = resize(Image.open(example.path), cfg.image_size)
    image.save(out / "golden.png")
    x = to_tensor(Image.open(out / "golden.png"), cfg.mean, cfg.std).unsqueeze(0)  # (1, 3, H, W)
    features = model.encode(x)
    h, c = model.decoder.init_state(features)
    token = torch.tensor([START])
    tokens, logprobs, first = [], [], None
    for _ in range(cfg.max_length + 1):
        lp, h, c, _ = model.decoder.step(token, h, c, features)
        if first is None:
            top = lp[0].topk(5)
            first = [{"token": int(i), "logprob": float(v)} for v, i in zip(top.values, top.indices)]
        best = int(lp[0].argmax()) if len(tokens) < cfg.max_length else END
        logprobs.append(float(lp[0, best]))
        if best == END:
            break
        tokens.append(best)
        token = torch.tensor([best])
    searched, _ = beam_search(model, x, 1, cfg.max_length)[0]
    assert searched == tokens, f"beam 1 {searched} differs from greedy {tokens}"
    record = {
        "image": "golden.png",
        "source": example.file,
        "tensor": {"shape": list(x.shape), "sum": float(x.double().sum()), "sumAbs": float(x.double().abs().sum())},
        "greedy": {"tokens": tokens, "words": [vocab.tokens[t] for t in tokens], "logprobs": logprobs},
        "firstStep": {"top": first},
    }
    (out / "golden.json").write_text(json.dumps(record, indent=2))
    return record


def _epochs_run(run_dir: Path) -> int:
    log = run_dir / "log.csv"
    return max(0, len(log.read_text().splitlines()) - 1) if log.exists() else 0


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _shipped_features(backbone, cfg, encoder_path: Path, examples: list, vocab):
    """Val/test features from the shipped encoder itself (its float16-rounded weights, when half), cached
    beside the training cache: the manifest's metrics are those a user of the model directory gets."""
    root = Path(cfg.feature_cache).with_name(Path(cfg.feature_cache).name + "-" + _sha256(encoder_path)[:12])
    cache = extract(examples, backbone, root, f"shipped:{_sha256(encoder_path)}", cfg.image_size, cfg.mean, cfg.std)
    return lambda items: FeatureDataset(items, vocab, cache, cfg.max_length)


def export_run(run_dir: Path, out: Path, model_id: str = None, half: bool = False, encoders_dir: Path = None) -> Path:
    model, cfg, vocab, state = load_run(run_dir)
    model_id = model_id or out.name
    splits = load_splits(cfg)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "vocab.json").write_text(json.dumps(vocab.tokens))
    if half:
        round_weights(model)

    frozen = is_frozen(cfg.encoder)
    encoder_file, dataset_for = None, None
    if frozen:
        backbone = FrozenBackbone(cfg.encoder)
        if half:
            round_weights(backbone)
        model.attach_backbone(backbone)
        encoder_path = export_shared_encoder(backbone, cfg, encoders_dir or out.parent / "encoders", half)
        encoder_file = os.path.relpath(encoder_path, out)
        dataset_for = _shipped_features(backbone, cfg, encoder_path, splits["val"] + splits["test"], vocab)

    transform = make_transform(cfg.image_size, cfg.mean, cfg.std)
    samples = torch.stack([transform(Image.open(e.path)) for e in splits["test"][:3]])
    expected = export_graphs(model, cfg, staging, samples, encoder_file, half)
    report = check_graphs(staging, expected, tolerance=1e-4)
    print(f"ONNX matches PyTorch: {report}")
    golden(model, cfg, vocab, splits["test"][0], staging)

    metrics = {split: evaluate_model(model, cfg, vocab, splits[split], split, [1, cfg.beam_size], dataset_for)
               for split in ("val", "test")}
    grid = cfg.grid_size if cfg.variant == "attention" or frozen else 1
    files = {"encoder": encoder_file or "encoder.onnx", "init": "init.onnx", "step": "step.onnx"}
    manifest = {
        "format": FORMAT,
        "id": model_id,
        "variant": cfg.variant,
        "dataset": {"name": cfg.dataset_name, "splits": {s: len(v) for s, v in splits.items()}},
        "image": {"height": cfg.image_size, "width": cfg.image_size, "mean": cfg.mean, "std": cfg.std, "resize": "fill"},
        "grid": {"rows": grid, "cols": grid},
        "vocab": "vocab.json",
        "specials": {"pad": 0, "start": 1, "end": 2, "unk": 3},
        "maxLength": cfg.max_length,
        "files": files,
        "sha256": {name: _sha256(staging / name) for name in list(files.values()) + ["vocab.json"]},
        "weights": "float16" if half else "float32",
        "params": count_parameters(model) if not frozen else _frozen_params(model, backbone),
        "metrics": metrics,
        "training": {"epochs": _epochs_run(run_dir), "keptEpoch": state["epoch"], "bestValBleu4Greedy": state["best_bleu4"]},
        "hyperparameters": {k: v for k, v in cfg.to_dict().items() if k not in MACHINE_PATHS},
    }
    for name in ("log.csv", "curves.png"):
        if (run_dir / name).exists():
            shutil.copy(run_dir / name, staging / ("training-log.csv" if name == "log.csv" else "training-curves.png"))
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return out


def _frozen_params(model, backbone) -> dict:
    """As the seed counts them: the decoder (with the linear layer replacing ResNet's top) is trainable,
    the ResNet50 without its 1000-class layer is frozen."""
    trainable = sum(p.numel() for p in model.parameters())
    frozen = sum(p.numel() for name, p in backbone.named_parameters() if "fc1000" not in name)
    return {"trainable": trainable, "frozen": frozen, "total": trainable + frozen}
