"""How well BLEU-1, BLEU-4, ROUGE-L and CIDEr-D agree with people on Flickr8k's human judgements, as Kendall
tau with the protocol of the caption-metric literature (SPICE, Anderson et al. 2016; CLIPScore, Hessel et
al. 2021, whose flickr8k_example code fixes the details). docs/human-agreement.md states the protocol and
compares the numbers with the published ones.

- Expert (ExpertAnnotations.txt: image, caption id, three expert scores 1..4): a pair whose candidate is one of
  the image's own references is skipped; each of the three scores is a separate judgement; tau-c.
- CrowdFlower (CrowdFlowerAnnotations.txt: image, caption id, fraction yes, #yes, #no): the human score is the
  fraction of yes votes; an image's references lose every judged caption that is one of them; tau-b.
Every metric scores the list of judgements as one corpus (CIDEr-D's document frequencies come from all of its
references), on the project's BLEU tokens.
"""
import json
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from scipy.stats import kendalltau

from .bleu import sentence_bleu4, tokenize
from .metrics import cider_d, rouge_l
from .progress import progress

METRICS = ("bleu1", "bleu4", "rougeL", "cider")
# CLIPScore, Table 1 (Kendall tau x100): https://arxiv.org/abs/2104.08718
PUBLISHED = {
    "source": "Hessel et al. 2021, CLIPScore (EMNLP), Table 1, reference-based metrics computed with coco-caption",
    "expert": {"bleu1": 32.3, "bleu4": 30.8, "rougeL": 32.3, "cider": 43.9},
    "crowdflower": {"bleu1": 17.9, "bleu4": 16.9, "rougeL": 19.9, "cider": 24.6},
}


@dataclass
class Judgement:
    image: str
    candidate: str
    references: list
    score: float


def read_captions(data_dir: Path):
    """({caption id "img#n": text}, {image: [its captions in file order]}) from Flickr8k.token.txt."""
    by_id, by_image = {}, defaultdict(list)
    for line in (Path(data_dir) / "Flickr8k.token.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            caption_id, text = line.split("\t", 1)
            by_id[caption_id] = text
            by_image[caption_id.split("#")[0]].append(text)
    return by_id, by_image


def _rows(path: Path, columns: int):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            fields = line.split("\t")
            if len(fields) != columns:
                raise ValueError(f"{path}:{number} has {len(fields)} tab-separated fields, expected {columns}")
            yield number, fields


def _caption(by_id: dict, caption_id: str, where: str) -> str:
    if caption_id not in by_id:
        raise ValueError(f"{where}: caption {caption_id} is not in Flickr8k.token.txt; is this Flickr8k's own folder?")
    return by_id[caption_id]


def expert_judgements(data_dir: Path, by_id: dict, by_image: dict):
    """(judgements, pairs read, pairs skipped): three judgements per pair whose candidate is not a reference."""
    path = Path(data_dir) / "ExpertAnnotations.txt"
    judgements, pairs, skipped = [], 0, 0
    for number, (image, caption_id, *scores) in _rows(path, 5):
        pairs += 1
        candidate = _caption(by_id, caption_id, f"{path}:{number}")
        references = by_image[image]
        if candidate in references:  # scoring a reference against itself says nothing (SPICE, CLIPScore)
            skipped += 1
            continue
        judgements += [Judgement(image, candidate, references, float(score)) for score in scores]
    return judgements, pairs, skipped


def crowdflower_judgements(data_dir: Path, by_id: dict, by_image: dict):
    """(judgements, references removed): one judgement per pair, scored by the fraction of yes votes."""
    path = Path(data_dir) / "CrowdFlowerAnnotations.txt"
    rows = []
    for number, (image, caption_id, fraction, yes, no) in _rows(path, 5):
        if abs(float(fraction) - int(yes) / (int(yes) + int(no))) > 1e-5:
            raise ValueError(f"{path}:{number}: fraction yes {fraction} is not {yes} / ({yes} + {no})")
        rows.append((image, _caption(by_id, caption_id, f"{path}:{number}"), float(fraction)))
    # An image's judged captions that are its own references leave its reference set for all its candidates.
    references = {image: list(by_image[image]) for image, _, _ in rows}
    removed = 0
    for image, candidate, _ in rows:
        if candidate in references[image]:
            references[image].remove(candidate)
            removed += 1
    return [Judgement(image, candidate, references[image], fraction) for image, candidate, fraction in rows], removed


def metric_scores(judgements: list, desc: str) -> dict:
    """Each metric's score of every judgement's candidate against its references."""
    tokens = {}  # captions repeat across judgements: tokenise each once

    def tok(text):
        if text not in tokens:
            tokens[text] = tokenize(text)
        return tokens[text]

    hyps = [tok(j.candidate) for j in judgements]
    refs = [[tok(r) for r in j.references] for j in judgements]
    smoothing = SmoothingFunction().method1
    bleu1, bleu4 = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NLTK warns on every candidate without a matching 2-, 3- or 4-gram
        for hyp, ref in progress(list(zip(hyps, refs)), desc=f"{desc} BLEU"):
            bleu1.append(float(sentence_bleu(ref, hyp, weights=(1.0,), smoothing_function=smoothing)))
            bleu4.append(sentence_bleu4(hyp, ref))
    print(f"{desc}: ROUGE-L and CIDEr-D of {len(hyps)} judgements", flush=True)
    return {"bleu1": bleu1, "bleu4": bleu4, "rougeL": rouge_l(hyps, refs)[1], "cider": cider_d(hyps, refs)[1]}


def kendall(metric: list, human: list, variant: str) -> float:
    """scipy's Kendall tau ("b" or "c") of metric values against human scores."""
    return float(kendalltau(metric, human, variant=variant)[0])


def human_agreement(data_dir: Path) -> dict:
    by_id, by_image = read_captions(data_dir)
    expert, pairs, skipped = expert_judgements(data_dir, by_id, by_image)
    crowd, removed = crowdflower_judgements(data_dir, by_id, by_image)
    result = {
        "scale": "Kendall tau in [-1, 1]; papers and docs/human-agreement.md print it x100",
        "protocol": {
            "expert": "pairs whose candidate is one of the image's references skipped; each of the 3 expert scores "
                      "a separate judgement; references: the image's 5 captions; tau-c",
            "crowdflower": "human score: fraction of yes votes; references: the image's captions minus every judged "
                           "caption that is one of them; tau-b",
            "corpus": "each metric scores the list of judgements as one corpus (CIDEr-D document frequencies from "
                      "all of its references)",
            "tokenisation": "the project's BLEU tokenisation: lowercase, drop punctuation, split on whitespace",
            "bleu": "NLTK sentence_bleu, uniform weights (BLEU-1: (1,), BLEU-4: (1/4,)*4), SmoothingFunction().method1",
        },
        "publishedSource": PUBLISHED["source"],
    }
    for name, judgements, variant, counts in (
        ("expert", expert, "c", {"pairs": pairs, "pairsSkippedCandidateIsReference": skipped}),
        ("crowdflower", crowd, "b", {"pairs": len(crowd), "referencesRemovedCandidateIsReference": removed}),
    ):
        scores = metric_scores(judgements, name)
        human = [j.score for j in judgements]
        result[name] = {
            "file": "ExpertAnnotations.txt" if name == "expert" else "CrowdFlowerAnnotations.txt",
            "tau": variant,
            "judgements": len(judgements),
            "images": len({j.image for j in judgements}),
            **counts,
            "kendall": {metric: kendall(scores[metric], human, variant) for metric in METRICS},
            "publishedKendall": {metric: round(PUBLISHED[name][metric] / 100, 3) for metric in METRICS},
        }
    return result


def markdown_table(result: dict) -> str:
    names = {"bleu1": "BLEU-1", "bleu4": "BLEU-4", "rougeL": "ROUGE-L", "cider": "CIDEr-D"}
    lines = ["| metric | Expert tau-c, ours | Expert, CLIPScore | CrowdFlower tau-b, ours | CrowdFlower, CLIPScore |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for metric in METRICS:
        lines.append(f"| {names[metric]} | {100 * result['expert']['kendall'][metric]:.1f} | "
                     f"{PUBLISHED['expert'][metric]:.1f} | {100 * result['crowdflower']['kendall'][metric]:.1f} | "
                     f"{PUBLISHED['crowdflower'][metric]:.1f} |")
    return "\n".join(lines)


def write_human_agreement(data_dir: Path, out: Path) -> str:
    """Writes the JSON to `out`; returns the Markdown table (docs/human-agreement.md shows it)."""
    result = human_agreement(data_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    return markdown_table(result)
