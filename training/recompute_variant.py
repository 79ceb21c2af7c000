"""The attention model as it was before format 2, for measuring what format 2 saves: a copy of a model
directory whose init graph outputs only h and c and whose step graph recomputes the projection of the
features at every word for every beam. Same weights, same outputs; only the work differs."""
import json
import shutil
from pathlib import Path

import torch

from .export import _export
from .half import store_weights_fp16
from .weights import load_model_dir


class _Init(torch.nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, features):
        return self.decoder.init_state(features)


class _Step(torch.nn.Module):
    def __init__(self, decoder):
        super().__init__()
        self.decoder = decoder

    def forward(self, token, h, c, features):
        return self.decoder.step(token, h, c, features)  # no `projected`: recomputed from the features


def write_recompute_variant(model_dir: Path, out: Path) -> Path:
    model_dir, out = Path(model_dir), Path(out)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    if manifest["variant"] != "attention":
        raise ValueError(f"{model_dir} is a {manifest['variant']} model; only attention steps use `projected`")
    model, cfg, _ = load_model_dir(model_dir)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    encoder = (model_dir / manifest["files"]["encoder"]).resolve()
    shutil.copy(encoder, out / "encoder.onnx")  # format 1 keeps the encoder in the folder
    shutil.copy(model_dir / manifest["vocab"], out / "vocab.json")
    features = torch.randn(2, cfg.grid_size ** 2, 2048)
    h, c = model.decoder.init_state(features)
    token = torch.ones(2, dtype=torch.long)
    _export(_Init(model.decoder), (features,), out / "init.onnx", ["features"], ["h", "c"],
            {"features": {0: "n"}, "h": {1: "n"}, "c": {1: "n"}})
    _export(_Step(model.decoder), (token, h, c, features), out / "step.onnx", ["token", "h", "c", "features"],
            ["logprobs", "h_out", "c_out", "alpha"],
            {"token": {0: "n"}, "features": {0: "n"}, "h": {1: "n"}, "c": {1: "n"}, "logprobs": {0: "n"},
             "h_out": {1: "n"}, "c_out": {1: "n"}, "alpha": {0: "n"}})
    if manifest.get("weights") == "float16":
        for name in ("init.onnx", "step.onnx"):
            store_weights_fp16(out / name)
    import hashlib
    legacy = dict(manifest, format=1, id=manifest["id"] + "-recompute",
                  files={"encoder": "encoder.onnx", "init": "init.onnx", "step": "step.onnx"})
    legacy.pop("weights", None)
    legacy["sha256"] = {n: hashlib.sha256((out / n).read_bytes()).hexdigest()
                        for n in ("encoder.onnx", "init.onnx", "step.onnx", "vocab.json")}
    (out / "manifest.json").write_text(json.dumps(legacy, indent=2))
    shutil.copy(model_dir / "golden.png", out / "golden.png")
    shutil.copy(model_dir / "golden.json", out / "golden.json")
    return out
