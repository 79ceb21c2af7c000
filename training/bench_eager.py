"""PyTorch eager captioning throughput: the baseline that packages/model's benchmark compares against.
Same model (rebuilt from the shipped directory), same preprocessing and decoding settings."""
import statistics
import time
from pathlib import Path

import torch
from PIL import Image

from .decode import beam_search
from .images import make_transform
from .weights import load_model_dir


def bench(model_dir: Path, batch_sizes, beam: int, seconds: float, threads: int = 0) -> dict:
    if threads:
        torch.set_num_threads(threads)
    model, cfg, _ = load_model_dir(model_dir)
    transform = make_transform(cfg.image_size, cfg.mean, cfg.std)
    golden = Image.open(Path(model_dir) / "golden.png")
    results = []
    for batch in batch_sizes:
        latencies = []
        deadline = time.perf_counter() + seconds
        beam_search(model, transform(golden).unsqueeze(0).expand(batch, -1, -1, -1), beam, cfg.max_length)  # warm up
        while time.perf_counter() < deadline or len(latencies) < 3:
            start = time.perf_counter()
            images = torch.stack([transform(golden) for _ in range(batch)])  # preprocessing counts, as in the runtime
            beam_search(model, images, beam, cfg.max_length)
            latencies.append((time.perf_counter() - start) * 1000)
        latencies.sort()
        results.append({
            "batchSize": batch,
            "imagesPerSecond": batch * len(latencies) / (sum(latencies) / 1000),
            "p50Ms": statistics.median(latencies),
            "p95Ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
            "runs": len(latencies),
        })
    return {"model": str(model_dir), "beam": beam, "threads": torch.get_num_threads(), "results": results}
