"""The seed-style table: BLEU-1..4 for each model directory side by side, as a picture and as Markdown,
optionally beside the seed's published Flickr8k test results."""
import json
from pathlib import Path

# The design brief's reference results on the Flickr8k test split (trainable parameters).
SEED = [
    {"id": "seed CNN+LSTM", "params": 5.52e6, "test": [0.496, 0.263, 0.135, 0.077]},
    {"id": "seed attention", "params": 19.23e6, "test": [0.652, 0.447, 0.305, 0.208]},
]


def _rows(model_dirs, split: str, with_seed: bool):
    rows = []
    for d in model_dirs:
        m = json.loads((Path(d) / "manifest.json").read_text())
        rows.append({"id": m["id"], "params": m["params"]["trainable"], "bleu": m["metrics"][split]["bleu"], "manifest": m})
    if with_seed:
        rows += [{"id": s["id"], "params": s["params"], "bleu": s["test"], "manifest": None} for s in SEED]
    return rows


def markdown_table(model_dirs, with_seed: bool = True) -> str:
    """Loss, BLEU-1..4 val/test, greedy and beam, trainable parameters: the README's results table."""
    lines = ["| model | trainable params | loss val / test | decode | BLEU-1 val / test | BLEU-2 val / test | BLEU-3 val / test | BLEU-4 val / test |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in _rows(model_dirs, "test", False):
        m = r["manifest"]["metrics"]
        loss = f"{m['val']['loss']:.3f} / {m['test']['loss']:.3f}"
        for key, name in (("bleuGreedy", "greedy"), ("bleu", f"beam {m['test']['decode']['beamSize']}")):
            cells = " | ".join(f"{m['val'][key][n]:.3f} / {m['test'][key][n]:.3f}" for n in range(4))
            lines.append(f"| {r['id']} | {r['params'] / 1e6:.2f}M | {loss} | {name} | {cells} |")
    if with_seed:
        for s in SEED:
            cells = " | ".join(f"– / {b:.3f}" for b in s["test"])
            lines.append(f"| {s['id']} (reference) | {s['params'] / 1e6:.2f}M | – | – | {cells} |")
    return "\n".join(lines)


def other_metrics_table(model_dirs) -> str:
    """CIDEr-D and ROUGE-L (docs/metrics.md) val/test at each manifest's beam, for manifests that have them."""
    lines = ["| model | decode | CIDEr-D val / test | ROUGE-L val / test |", "| --- | --- | --- | --- |"]
    for r in _rows(model_dirs, "test", False):
        m = r["manifest"]["metrics"]
        if "cider" not in m["test"]:
            continue
        cells = " | ".join(f"{m['val'][key]:.3f} / {m['test'][key]:.3f}" for key in ("cider", "rougeL"))
        lines.append(f"| {r['id']} | beam {m['test']['decode']['beamSize']} | {cells} |")
    return "\n".join(lines)


def plot_bleu_comparison(model_dirs, out_png: Path, split: str = "test", with_seed: bool = False):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _rows(model_dirs, split, with_seed)
    manifests = [r["manifest"] for r in rows if r["manifest"]]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.8 / len(rows)
    for i, r in enumerate(rows):
        xs = [n + i * width for n in range(4)]
        bars = ax.bar(xs, r["bleu"], width, label=f"{r['id']} ({r['params'] / 1e6:.2f}M trainable)",
                      hatch="//" if r["manifest"] is None else None, alpha=0.6 if r["manifest"] is None else 1.0)
        ax.bar_label(bars, fmt="%.3f", fontsize=7)
    ax.set_xticks([n + width * (len(rows) - 1) / 2 for n in range(4)], [f"BLEU-{n}" for n in range(1, 5)])
    beam = manifests[0]["metrics"][split]["decode"]["beamSize"]
    ax.set_title(f"{split} split, beam {beam}")
    ax.set_ylim(0, 1.05 if not with_seed else 0.8)
    ax.legend(loc="upper right", fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
    plt.close(fig)
    return out_png
