"""Training curves as a PNG: losses on the left, validation BLEU on the right."""
import csv
from pathlib import Path


def plot_curves(log_csv: Path, out_png: Path, title: str = ""):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = list(csv.DictReader(Path(log_csv).open()))
    if not rows:
        return
    epochs = [int(r["epoch"]) for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, [float(r["train_loss"]) for r in rows], label="train loss")
    left.plot(epochs, [float(r["val_loss"]) for r in rows], label="val loss")
    left.set_xlabel("epoch")
    left.legend()
    for n in range(1, 5):
        right.plot(epochs, [float(r[f"val_bleu{n}"]) for r in rows], label=f"val BLEU-{n} (greedy)")
    right.set_xlabel("epoch")
    right.set_ylim(0, 1)
    right.legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out_png, dpi=90)
    plt.close(fig)
