"""Teacher-forced training with checkpoints that resume (also from inside an epoch), LR on plateau, early
stopping, a per-epoch log (CSV) and a PNG of the curves. A run lives in one directory: config.json,
vocab.json, last.pt, best.pt, log.csv, curves.png.

With a frozen encoder the model trains on cached features (features.py), and every epoch visits every
(image, caption) pair once, in shuffled batches of `batch_size` pairs."""
import csv
import json
import math
import shutil
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .bleu import corpus_bleu_1to4, tokenize
from .config import TrainConfig
from .data import PAD, CaptionDataset, FeatureDataset, PairDataset, Vocabulary, collate, load_examples
from .decode import beam_search
from .images import make_transform
from .features import FeatureCache
from .models import Captioner, ModelConfig, is_frozen
from .plot import plot_curves
from .progress import progress

LOG_FIELDS = ["epoch", "lr", "train_loss", "val_loss", "val_bleu1", "val_bleu2", "val_bleu3", "val_bleu4", "seconds"]


def model_config(cfg: TrainConfig, vocab_size: int) -> ModelConfig:
    return ModelConfig(variant=cfg.variant, encoder=cfg.encoder, vocab_size=vocab_size, embed_dim=cfg.embed_dim,
                       hidden_dim=cfg.hidden_dim, attention_dim=cfg.attention_dim, num_layers=cfg.num_layers,
                       dropout=cfg.dropout, image_size=cfg.image_size, grid_size=cfg.grid_size)


def caption_loss(model, batch, alpha_c: float):
    """Cross-entropy over real tokens (padding masked) plus, for attention, the doubly stochastic
    regulariser pushing each region's attention summed over the caption towards 1."""
    device = next(model.parameters()).device
    images, inputs, targets, image_index = (t.to(device) for t in batch[:4])
    mask = targets != PAD  # (B, T)
    logits, alphas = model(images, inputs, image_index, mask)  # (M, V) at the real tokens, (B, T, P) | None
    loss = F.cross_entropy(logits, targets[mask])
    if alphas is not None and alpha_c > 0:
        coverage = (alphas * mask.unsqueeze(2)).sum(dim=1)  # (B, P)
        loss = loss + alpha_c * ((1.0 - coverage) ** 2).mean()
    return loss


def make_optimizer(cfg: TrainConfig, model):
    params = [p for p in model.parameters() if p.requires_grad]
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    raise ValueError(f"unknown optimizer {cfg.optimizer!r}")


def batches(dataset, items_per_batch: int, shuffle: bool, seed: int, skip: int = 0):
    """Collated batches in a seeded order; `skip` resumes an epoch after that many batches."""
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed)) if shuffle else torch.arange(len(dataset))
    starts = range(skip * items_per_batch, len(dataset), items_per_batch)
    return _Batches(dataset, order.tolist(), starts, items_per_batch)


class _Batches:
    def __init__(self, dataset, order, starts, size):
        self.dataset, self.order, self.starts, self.size = dataset, order, starts, size

    def __len__(self):
        return len(self.starts)

    def __iter__(self):
        for start in self.starts:
            yield collate([self.dataset[i] for i in self.order[start:start + self.size]])


@torch.no_grad()
def validation_loss(model, loader, alpha_c):
    model.eval()
    total, count = 0.0, 0
    for batch in loader:
        n = int((batch[2] != PAD).sum())  # real tokens
        total += caption_loss(model, batch, alpha_c).item() * n
        count += n
    return total / max(count, 1)


@torch.no_grad()
def decode_bleu(model, dataset, vocab, beam_size, max_length, batch_images=100, desc="decoding"):
    """Corpus BLEU-1..4 of decoded captions (not teacher-forced) against all references."""
    hyps, refs = [], []
    for start in progress(range(0, len(dataset), batch_images), desc=desc):
        items = [dataset[i] for i in range(start, min(start + batch_images, len(dataset)))]
        images = torch.stack([it[0] for it in items]).to(next(model.parameters()).device)
        for (ids, _), (_, _, i) in zip(beam_search(model, images, beam_size, max_length), items):
            hyps.append(vocab.decode(ids))
            refs.append([tokenize(c) for c in dataset.examples[i].captions])  # raw references, as docs/metrics.md defines BLEU
    return corpus_bleu_1to4(hyps, refs), hyps


def load_splits(cfg: TrainConfig):
    examples = load_examples(cfg.data_dir)
    by_split = {s: [e for e in examples if e.split == s] for s in ("train", "val", "test")}
    for split, items in by_split.items():
        if not items:
            raise ValueError(f"{cfg.data_dir} has no {split} images")
    return by_split


def train(cfg: TrainConfig, run_dir: Path):
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(cfg.threads)
    torch.set_flush_denormal(True)  # subnormal activations late in training slow CPU maths several-fold
    torch.manual_seed(cfg.seed)
    splits = load_splits(cfg)
    vocab_path = run_dir / "vocab.json"
    last = run_dir / "last.pt"
    warm = cfg.warm_start and not last.exists() and not vocab_path.exists()
    if warm:  # the shipped model's vocabulary indexes its embedding and output rows
        shutil.copyfile(Path(cfg.warm_start) / "vocab.json", vocab_path)
    if vocab_path.exists():
        vocab = Vocabulary(json.loads(vocab_path.read_text()))
    else:
        vocab = Vocabulary.build([c for e in splits["train"] for c in e.captions], cfg.min_word_count)
        vocab_path.write_text(json.dumps(vocab.tokens))
    (run_dir / "config.json").write_text(json.dumps(cfg.to_dict(), indent=2))

    train_set, val_set, items_per_batch = make_datasets(cfg, splits, vocab)

    device = torch.device(cfg.device if cfg.device != "auto" else "cuda" if torch.cuda.is_available() else "cpu")
    model = Captioner(model_config(cfg, len(vocab))).to(device)
    optimizer = make_optimizer(cfg, model)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=cfg.lr_factor, patience=cfg.lr_patience)
    state = {"epoch": 0, "best_bleu4": -1.0}
    if warm:
        state = warm_start(model, optimizer, cfg, Path(cfg.warm_start), run_dir)
    elif last.exists():  # resume exactly where the previous process stopped
        ckpt = load_checkpoint(last, device)
        model.load_state_dict(ckpt["model"])
        optimizer.load_state_dict(ckpt["optimizer"])
        scheduler.load_state_dict(ckpt["scheduler"])
        state = ckpt["state"]
        print(f"resumed from {last} after epoch {state['epoch']}")

    started = time.time()
    state.setdefault("best_val_loss", float("inf"))
    state.setdefault("since_val_improved", 0)
    while state["epoch"] < cfg.epochs and state["since_val_improved"] < cfg.early_stop_patience:
        epoch = state["epoch"] + 1
        model.train()
        partial = state.pop("partial", None) or {"batches": 0, "total": 0.0, "seconds": 0.0}
        tick, total, count = time.time() - partial["seconds"], partial["total"], partial["batches"]
        saved = time.time()
        bar = progress(batches(train_set, items_per_batch, True, cfg.seed + epoch, skip=count), desc=f"epoch {epoch}")
        for batch in bar:
            loss = caption_loss(model, batch, cfg.alpha_c)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            optimizer.step()
            if not math.isfinite(loss.item()):
                raise FloatingPointError(f"loss became {loss.item()} in epoch {epoch}; lower the learning rate")
            total, count = total + loss.item(), count + 1
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{total / count:.3f}", refresh=False)
            if cfg.checkpoint_minutes and time.time() - saved > cfg.checkpoint_minutes * 60:
                mid = dict(state, partial={"batches": count, "total": total, "seconds": time.time() - tick})
                save_checkpoint(last, model, optimizer, scheduler, mid, cfg, vocab)
                saved = time.time()
        val_loss = validation_loss(model, batches(val_set, 100, False, 0), cfg.alpha_c)
        bleu, _ = decode_bleu(model, val_set, vocab, 1, cfg.max_length, desc="val greedy")
        if epoch > cfg.lr_schedule_after:
            scheduler.step(val_loss)
        row = dict(epoch=epoch, lr=optimizer.param_groups[0]["lr"], train_loss=total / count, val_loss=val_loss,
                   val_bleu1=bleu[0], val_bleu2=bleu[1], val_bleu3=bleu[2], val_bleu4=bleu[3], seconds=time.time() - tick)
        append_log(run_dir / "log.csv", row)
        print("  ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
        # Convergence is judged on val loss (what the LR schedule watches); the checkpoint kept is the one
        # with the best decoded val BLEU-4, which is what users see.
        improved = bleu[3] > state["best_bleu4"]
        loss_improved = val_loss < state["best_val_loss"] - 1e-4
        state.update(epoch=epoch, best_bleu4=max(bleu[3], state["best_bleu4"]),
                     best_val_loss=min(val_loss, state["best_val_loss"]),
                     since_val_improved=0 if loss_improved else state["since_val_improved"] + 1)
        if improved:
            save_checkpoint(run_dir / "best.pt", model, optimizer, scheduler, state, cfg, vocab)
        save_checkpoint(last, model, optimizer, scheduler, state, cfg, vocab)
        plot_curves(run_dir / "log.csv", run_dir / "curves.png", title=f"{cfg.dataset_name}-{cfg.variant}")
        if cfg.max_minutes and time.time() - started > cfg.max_minutes * 60:
            print(f"stopping after {cfg.max_minutes} minutes; run again to resume")
            return state
    print(f"done after epoch {state['epoch']}: best val BLEU-4 {state['best_bleu4']:.4f}")
    return state


def warm_start(model, optimizer, cfg: TrainConfig, model_dir: Path, run_dir: Path) -> dict:
    """Continue training from a shipped model directory, for when the run's checkpoints are gone.
    Its weights are loaded as shipped (float16-rounded where stored so) and its training log carries over,
    so epochs, the LR schedule and early stopping count on; the optimizer's moments start afresh."""
    from .weights import load_shipped_weights, warm_start_files
    manifest, graph_files = warm_start_files(model_dir)
    shipped = TrainConfig.from_dict(manifest["hyperparameters"])
    for key in ("variant", "encoder", "embed_dim", "hidden_dim", "attention_dim", "num_layers"):
        if getattr(shipped, key) != getattr(cfg, key):
            raise ValueError(f"{model_dir} has {key}={getattr(shipped, key)!r}, this run {getattr(cfg, key)!r}")
    load_shipped_weights(model, model_dir, graph_files)
    with (model_dir / "training-log.csv").open() as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        append_log(run_dir / "log.csv", {k: row[k] for k in LOG_FIELDS})
    state = {"epoch": 0, "best_bleu4": -1.0, "best_val_loss": float("inf"), "since_val_improved": 0}
    for row in rows:  # replay the bookkeeping the loop below does after each epoch
        loss, bleu4 = float(row["val_loss"]), float(row["val_bleu4"])
        improved = loss < state["best_val_loss"] - 1e-4
        state.update(epoch=int(row["epoch"]), best_bleu4=max(bleu4, state["best_bleu4"]),
                     best_val_loss=min(loss, state["best_val_loss"]),
                     since_val_improved=0 if improved else state["since_val_improved"] + 1)
    if rows:
        for group in optimizer.param_groups:
            group["lr"] = float(rows[-1]["lr"])  # where the plateau schedule had brought it
    print(f"warm start from {model_dir} after epoch {state['epoch']} (optimizer state starts afresh)")
    return state


def save_checkpoint(path: Path, model, optimizer, scheduler, state, cfg, vocab):
    ckpt = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
            "state": state, "config": cfg.to_dict(), "vocab": vocab.tokens}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(ckpt, tmp)
    tmp.replace(path)  # atomic: a kill mid-save never loses the previous checkpoint


def make_datasets(cfg: TrainConfig, splits: dict, vocab):
    """(train set, val set, items per training batch). Cached features train on every (image, caption)
    pair per epoch; images from disk on `captions_per_image` captions per image, batched by image."""
    if is_frozen(cfg.encoder):
        if not cfg.feature_cache:
            raise ValueError(f"encoder {cfg.encoder} trains on cached features: run `python3 -m training features` "
                             "first and pass its directory with --cache")
        cache = FeatureCache.open(Path(cfg.feature_cache))
        train_set = FeatureDataset(splits["train"], vocab, cache, cfg.max_length)
        val_set = FeatureDataset(splits["val"], vocab, cache, cfg.max_length)
        return PairDataset(train_set), val_set, cfg.batch_size
    transform = make_transform(cfg.image_size, cfg.mean, cfg.std)
    train_set = CaptionDataset(splits["train"], vocab, transform, cfg.max_length, cfg.captions_per_image, cfg.seed)
    val_set = CaptionDataset(splits["val"], vocab, transform, cfg.max_length)
    return train_set, val_set, max(1, cfg.batch_size // cfg.captions_per_image)


def append_log(path: Path, row: dict):
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=LOG_FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)


def load_checkpoint(path: Path, device):
    """Our own checkpoints hold optimizer and scheduler state besides tensors: torch >= 2.6 would refuse
    them under its weights_only default."""
    try:
        return torch.load(path, map_location=device, weights_only=False)
    except TypeError:  # torch < 1.13 has no weights_only
        return torch.load(path, map_location=device)


def load_run(run_dir: Path, which: str = "best"):
    """The trained model (eval mode), its config and vocabulary from a run directory."""
    ckpt = load_checkpoint(Path(run_dir) / f"{which}.pt", "cpu")
    cfg = TrainConfig.from_dict(ckpt["config"])
    vocab = Vocabulary(ckpt["vocab"])
    model = Captioner(model_config(cfg, len(vocab)))
    model.load_state_dict(ckpt["model"])
    return model.eval(), cfg, vocab, ckpt["state"]
