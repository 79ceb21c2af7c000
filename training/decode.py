"""Greedy and batched beam search over the model's `init_state`/`step`, the same loop the TypeScript
runtime runs over the ONNX graphs: all images x beams go through one step call per time step."""
import torch

from .data import END, START


@torch.no_grad()
def beam_search(model, images, beam_size: int = 3, max_length: int = 20, length_norm: bool = True):
    """Returns, per image, the best (token ids, summed log-prob). beam_size 1 is greedy decoding.
    `images` may also be already-encoded features (N, P, D).

    Finished hypotheses are ranked by log-prob / length when length_norm is set, as the runtime does.
    """
    model.eval()
    features = model.encode(images)  # (N, P, D)
    n, device = features.size(0), features.device
    h, c = model.decoder.init_state(features)  # (L, N, S)
    k = beam_size
    extra = {}
    if hasattr(model.decoder, "project_features"):  # once per image, not per step (as the ONNX init graph does)
        extra["projected"] = model.decoder.project_features(features).repeat_interleave(k, 0)
    features = features.repeat_interleave(k, 0)  # (N*k, P, D)
    h, c = h.repeat_interleave(k, 1), c.repeat_interleave(k, 1)
    tokens = torch.full((n * k,), START, dtype=torch.long, device=device)
    scores = torch.zeros(n, k, device=device)
    scores[:, 1:] = float("-inf")  # all beams start identical: keep only the first alive
    history = torch.zeros(n, k, 0, dtype=torch.long)
    finished = [[] for _ in range(n)]
    for t in range(max_length + 1):
        logprobs, h, c, _ = model.decoder.step(tokens, h, c, features, **extra)  # (N*k, V)
        vocab = logprobs.size(1)
        if t == max_length:  # only the end token may follow the last word
            forced = torch.full_like(logprobs, float("-inf"))
            forced[:, END] = logprobs[:, END]
            logprobs = forced
        total = (scores.view(-1, 1) + logprobs).view(n, k * vocab)
        top, index = total.topk(2 * k, dim=1)  # extra candidates replace beams that end now
        top, beam, word = top.cpu(), (index // vocab).cpu(), (index % vocab).cpu()  # bookkeeping on the CPU
        new_scores = torch.full((n, k), float("-inf"))
        new_beam = torch.zeros(n, k, dtype=torch.long)
        new_word = torch.full((n, k), END, dtype=torch.long)
        for i in range(n):
            if len(finished[i]) >= k:  # this image is done: its beams stay dead, whatever its batch-mates do
                continue
            slot = 0
            for j in range(2 * k):
                if top[i, j] == float("-inf") or slot == k:
                    break
                words = history[i, beam[i, j]].tolist()
                if word[i, j] == END:
                    norm = (len(words) + 1) if length_norm else 1
                    finished[i].append((top[i, j].item() / norm, words, top[i, j].item()))
                else:
                    new_scores[i, slot], new_beam[i, slot], new_word[i, slot] = top[i, j], beam[i, j], word[i, j]
                    slot += 1
        flat = (new_beam + torch.arange(n).unsqueeze(1) * k).view(-1)
        h, c = h[:, flat.to(device)], c[:, flat.to(device)]
        history = torch.cat([history.view(n * k, -1)[flat].view(n, k, -1), new_word.unsqueeze(2)], dim=2)
        scores, tokens = new_scores.to(device), new_word.view(-1).to(device)
        if all(len(f) >= k for f in finished):  # k finished hypotheses per image, as fairseq does
            break
    results = []
    for f in finished:
        best = max(f, key=lambda x: x[0])
        results.append((best[1], best[2]))
    return results
