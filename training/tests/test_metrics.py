"""CIDEr-D and ROUGE-L against values derived by hand from coco-caption's definitions (the TypeScript twin is
checked against this file in packages/model/src/caption-metrics.test.ts)."""
import math
import random

import pytest

from training.metrics import cider_d, lcs_length, rouge_l, sentence_rouge_l

L = math.log(2)  # idf of an n-gram held by one image's references in a 2-image set: log 2 - log 1


def test_rouge_l_of_a_three_word_candidate():
    # LCS("a cat sat", "the cat sat down") = 2: P = 2/3, R = 2/4, beta^2 = 1.44.
    # F = 2.44 P R / (R + 1.44 P) = (2.44/3) / (0.5 + 0.96) = 244/438 = 122/219.
    assert sentence_rouge_l("a cat sat".split(), ["the cat sat down".split()]) == pytest.approx(122 / 219, abs=1e-15)


def test_rouge_l_takes_best_precision_and_best_recall_separately():
    # vs "a b": P 2/3, R 1; vs "x y z w": P 1/3, R 1/4. Best of each: P 2/3, R 1 -> 2.44 (2/3) / (1 + 0.96).
    score = sentence_rouge_l(["a", "b", "x"], [["a", "b"], ["x", "y", "z", "w"]])
    assert score == pytest.approx(2.44 * (2 / 3) / 1.96, abs=1e-15)
    assert lcs_length("a b c b d".split(), "b d c b".split()) == 3


def test_rouge_l_corner_cases_follow_rouge_py():
    assert sentence_rouge_l(["a", "b"], [["x", "y"]]) == 0.0
    assert sentence_rouge_l([], [["x", "y"]]) == 0.0
    assert sentence_rouge_l([], [[]]) == 1.0  # "".split(" ") == [""] on both sides, and "" == ""
    corpus, each = rouge_l([["a"], ["b", "c"]], [[["a"]], [["x"]]])
    assert each == [1.0, 0.0] and corpus == 0.5


def test_cider_d_of_a_two_image_set():
    # Image 2, "c d" against "c d": unigram and bigram cosines 1, no 3-/4-grams (0), equal lengths:
    # 10 * (1 + 1 + 0 + 0) / 4 = 5.
    # Image 1, "a a" against "a b": hypothesis unigram weight 2L, norm 2L; reference a: L, b: L, norm sqrt(2) L.
    # Clipped dot min(2L, L) * L = L^2 -> cosine 1 / (2 sqrt 2); bigram "a a" unmatched. 10 / 4 / (2 sqrt 2).
    corpus, each = cider_d([["a", "a"], ["c", "d"]], [[["a", "b"]], [["c", "d"]]])
    assert each[0] == pytest.approx(5 / (4 * math.sqrt(2)), abs=1e-14)
    assert each[1] == 5.0
    assert corpus == pytest.approx((5 + 5 / (4 * math.sqrt(2))) / 2, abs=1e-14)


def test_cider_d_length_penalty_counts_bigrams():
    # "c" against "c d": unigram cosine L^2 / (L sqrt(2) L) = 1/sqrt 2. Lengths are bigram counts, 0 and 1:
    # delta -1, penalty exp(-1 / (2 * 36)). Score 10 / 4 / sqrt 2 * exp(-1/72).
    _, each = cider_d([["a", "b"], ["c"]], [[["a", "b"]], [["c", "d"]]])
    assert each[1] == pytest.approx(2.5 / math.sqrt(2) * math.exp(-1 / 72), abs=1e-14)


def test_cider_d_idf_and_empty_candidates():
    # One image: every reference n-gram is in all documents (idf 0), so nothing scores.
    assert cider_d([["a", "b", "c"]], [[["a", "b", "c"]]]) == (0.0, [0.0])
    # An empty candidate has no n-grams: 0, not NaN (zero norms skip the division).
    assert cider_d([[], ["b"]], [[["a"]], [["b"]]])[1][0] == 0.0
    # Averaged over references: a second, unrelated reference halves the exact copy's score.
    _, one_ref = cider_d([["c", "d"], ["e"]], [[["c", "d"]], [["e"]]])
    _, two_refs = cider_d([["c", "d"], ["e"]], [[["c", "d"], ["x", "y"]], [["e"]]])
    assert two_refs[0] == pytest.approx(one_ref[0] / 2, abs=1e-14)


def test_scores_are_bounded_and_the_corpus_is_the_mean():
    rng = random.Random(5)
    words = "a dog runs on the grass red ball".split()
    hyps = [[rng.choice(words) for _ in range(rng.randint(0, 9))] for _ in range(30)]
    refs = [[[rng.choice(words) for _ in range(rng.randint(1, 9))] for _ in range(rng.randint(1, 5))] for _ in range(30)]
    for metric in (cider_d, rouge_l):
        corpus, each = metric(hyps, refs)
        assert len(each) == 30 and corpus == pytest.approx(sum(each) / 30, abs=1e-15)
    assert all(0 <= s <= 1 for s in rouge_l(hyps, refs)[1])
    assert all(0 <= s <= 10 for s in cider_d(hyps, refs)[1])  # cosines <= 1, x10


def test_metrics_refuse_mismatched_inputs():
    with pytest.raises(ValueError, match="one reference list per hypothesis"):
        cider_d([["a"], ["b"]], [[["a"]]])
    with pytest.raises(ValueError, match="at least one reference"):
        rouge_l([["a"]], [[]])
