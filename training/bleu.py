"""BLEU exactly as the README and the TypeScript runtime define it: NLTK is the reference."""
import re

from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu

_PUNCT = re.compile(r"[^\w\s]")
WEIGHTS = [(1.0,), (0.5, 0.5), (1 / 3, 1 / 3, 1 / 3), (0.25, 0.25, 0.25, 0.25)]


def tokenize(text: str) -> list:
    """Lowercase, drop punctuation, split on whitespace."""
    return _PUNCT.sub("", text.lower()).split()


def corpus_bleu_1to4(hypotheses: list, references: list) -> list:
    """hypotheses: token lists; references: per hypothesis, a list of token lists. Cumulative BLEU-1..4."""
    return [float(corpus_bleu(references, hypotheses, weights=w)) for w in WEIGHTS]


def sentence_bleu4(hypothesis: list, references: list) -> float:
    return float(sentence_bleu(references, hypothesis, smoothing_function=SmoothingFunction().method1))
