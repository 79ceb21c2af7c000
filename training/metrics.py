"""CIDEr-D and ROUGE-L exactly as coco-caption (pycocoevalcap's cider_scorer.py and rouge.py) computes them,
on the project's BLEU tokens (training/bleu.py `tokenize`). packages/model/src/cider.ts and rouge.ts mirror this
file operation by operation; docs/metrics.md states the definitions.

Token lists in, like corpus_bleu_1to4: hypotheses[i] is a token list, references[i] a list of token lists.
Corpus scores are means of the per-image scores (math.fsum, so the TypeScript side can sum identically).
"""
import math
from collections import defaultdict

CIDER_MAX_N = 4
CIDER_SIGMA = 6.0  # the Gaussian length penalty's width, in words
ROUGE_BETA = 1.2  # recall weighs 1.44x precision (coco-caption's value, "based on discussion with Hovey")


def _check(hypotheses: list, references: list, name: str):
    if len(hypotheses) != len(references):
        raise ValueError(f"{name} needs one reference list per hypothesis, got {len(references)} reference lists "
                         f"for {len(hypotheses)} hypotheses")
    for i, refs in enumerate(references):
        if not refs:
            raise ValueError(f"{name} needs at least one reference for hypothesis {i}, got none")


def _mean(values: list) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def ngram_counts(tokens: list, max_n: int = CIDER_MAX_N) -> dict:
    """n-gram (tuple) -> count for n = 1..max_n, in the order cider_scorer's precook inserts them."""
    counts = {}
    for n in range(1, max_n + 1):
        for start in range(len(tokens) - n + 1):
            gram = tuple(tokens[start:start + n])
            counts[gram] = counts.get(gram, 0) + 1
    return counts


def cider_d(hypotheses: list, references: list, sigma: float = CIDER_SIGMA):
    """(corpus CIDEr-D, per-image CIDEr-D list). Document frequencies come from these references only, so a
    score depends on the whole evaluated set, as in coco-caption."""
    _check(hypotheses, references, "CIDEr-D")
    ref_counts = [[ngram_counts(ref) for ref in refs] for refs in references]
    document_frequency = defaultdict(float)
    for refs in ref_counts:  # an n-gram counts once per image however many of its references hold it
        for gram in {gram for counts in refs for gram in counts}:
            document_frequency[gram] += 1
    log_images = math.log(float(len(references)))

    def tfidf(counts):
        """Per n: {n-gram: tf-idf}, the vector's norm, and the 'length' the penalty compares: the number of
        bigrams, as cider_scorer counts it (one less than the words, 0 for an empty or one-word sentence)."""
        vectors = [{} for _ in range(CIDER_MAX_N)]
        norms = [0.0] * CIDER_MAX_N
        length = 0
        for gram, term_freq in counts.items():
            n = len(gram) - 1
            # n-grams no reference holds get df 1 (log 0 would be -inf): max(1, df), as the reference floors it
            weight = float(term_freq) * (log_images - math.log(max(1.0, document_frequency.get(gram, 0.0))))
            vectors[n][gram] = weight
            norms[n] += weight * weight
            if n == 1:
                length += term_freq
        return vectors, [math.sqrt(x) for x in norms], length

    def similarity(hyp, ref):
        (hyp_vec, hyp_norm, hyp_len), (ref_vec, ref_norm, ref_len) = hyp, ref
        delta = float(hyp_len - ref_len)
        penalty = math.e ** (-(delta ** 2) / (2 * sigma ** 2))
        values = [0.0] * CIDER_MAX_N
        for n in range(CIDER_MAX_N):
            for gram, weight in hyp_vec[n].items():
                ref_weight = ref_vec[n].get(gram, 0.0)
                values[n] += min(weight, ref_weight) * ref_weight  # clipped: repeating a word earns nothing
            if hyp_norm[n] != 0 and ref_norm[n] != 0:  # no n-grams of this order (or all idf 0): cosine 0
                values[n] /= hyp_norm[n] * ref_norm[n]
            values[n] *= penalty
        return values

    scores = []
    for hyp_tokens, refs in zip(hypotheses, ref_counts):
        hyp = tfidf(ngram_counts(hyp_tokens))
        per_n = [0.0] * CIDER_MAX_N
        for ref in refs:
            per_n = [total + value for total, value in zip(per_n, similarity(hyp, tfidf(ref)))]
        score = (((per_n[0] + per_n[1]) + per_n[2]) + per_n[3]) / CIDER_MAX_N  # mean over n, summed left to right
        scores.append(score / len(refs) * 10.0)
    return _mean(scores), scores


def lcs_length(a: list, b: list) -> int:
    """Length of the longest common subsequence of two token lists."""
    if len(a) < len(b):
        a, b = b, a
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0] * (len(b) + 1)
        for j, other in enumerate(b, 1):
            current[j] = previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1])
        previous = current
    return previous[len(b)]


def _split_like_reference(tokens: list) -> list:
    """rouge.py splits the joined sentence on " ": an empty sentence becomes one empty token, not none."""
    return list(tokens) or [""]


def sentence_rouge_l(hypothesis: list, references: list, beta: float = ROUGE_BETA) -> float:
    """rouge.py's calc_score: LCS precision and recall against each reference, the best of each, then F_beta."""
    candidate = _split_like_reference(hypothesis)
    precisions, recalls = [], []
    for reference in references:
        reference = _split_like_reference(reference)
        lcs = lcs_length(reference, candidate)
        precisions.append(lcs / float(len(candidate)))
        recalls.append(lcs / float(len(reference)))
    precision, recall = max(precisions), max(recalls)
    if precision == 0 or recall == 0:
        return 0.0
    return ((1 + beta ** 2) * precision * recall) / float(recall + beta ** 2 * precision)


def rouge_l(hypotheses: list, references: list):
    """(corpus ROUGE-L, per-image ROUGE-L list): the corpus score is the mean of the sentence scores."""
    _check(hypotheses, references, "ROUGE-L")
    scores = [sentence_rouge_l(hyp, refs) for hyp, refs in zip(hypotheses, references)]
    return _mean(scores), scores
