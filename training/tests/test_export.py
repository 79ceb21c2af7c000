"""Export round trip: train a few steps on the fixture, export, and check ONNX against PyTorch."""
import json

import numpy as np
import pytest
import torch

from training.__main__ import main
from training.onnx_check import run_graph
from training.tests.conftest import FIXTURES
from training.weights import load_model_dir


@pytest.mark.parametrize("variant", ["lstm", "attention"])
def test_export_round_trip(tmp_path, variant):
    run, out = tmp_path / "run", tmp_path / f"fixture-{variant}"
    main(["train", "--variant", variant, "--data", str(FIXTURES / "flickr8k"), "--run", str(run), "--epochs", "1",
          "--min-word-count", "1", "--captions-per-image", "1"])
    main(["export", "--run", str(run), "--out", str(out)])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 2 and manifest["variant"] == variant
    assert len(manifest["metrics"]["test"]["bleu"]) == 4
    assert manifest["params"]["total"] > 0
    golden = json.loads((out / "golden.json").read_text())
    assert golden["tensor"]["shape"] == [1, 3, 64, 64]

    model, cfg, tokens = load_model_dir(out)  # the PyTorch model rebuilt from the ONNX initializers
    images = torch.randn(5, 3, 64, 64)  # another batch size than the export's
    with torch.no_grad():
        features = model.encoder(images)
        h, c = model.decoder.init_state(features)
        token = torch.full((5,), 1, dtype=torch.long)
        logprobs, *_ = model.decoder.step(token, h, c, features)
    onnx_features = run_graph(out, "encoder", {"image": images.numpy()})["features"]
    state = run_graph(out, "init", {"features": onnx_features})
    feeds = {"token": token.numpy(), "h": state["h"], "c": state["c"]}
    if variant == "attention":
        feeds.update(features=onnx_features, projected=state["projected"])  # format 2: projected once per image
    step = run_graph(out, "step", feeds)
    assert np.abs(step["logprobs"] - logprobs.numpy()).max() < 1e-4
    assert ("alpha" in step) == (variant == "attention")
