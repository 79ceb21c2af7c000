"""A picture of the seed-style table: BLEU-1..4 on test for each model directory, side by side."""
import json
from pathlib import Path


def plot_bleu_comparison(model_dirs, out_png: Path, split: str = "test"):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    manifests = [json.loads((Path(d) / "manifest.json").read_text()) for d in model_dirs]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / len(manifests)
    for i, m in enumerate(manifests):
        bleu = m["metrics"][split]["bleu"]
        xs = [n + i * width for n in range(4)]
        bars = ax.bar(xs, bleu, width, label=f"{m['id']} ({m['params']['total'] / 1e6:.2f}M params)")
        ax.bar_label(bars, fmt="%.3f", fontsize=8)
    ax.set_xticks([n + width * (len(manifests) - 1) / 2 for n in range(4)], [f"BLEU-{n}" for n in range(1, 5)])
    beam = manifests[0]["metrics"][split]["decode"]["beamSize"]
    ax.set_title(f"{split} split, beam {beam}")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out_png, dpi=100)
    plt.close(fig)
    return out_png
