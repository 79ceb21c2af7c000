import random

from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu

from training.bleu import corpus_bleu_1to4, sentence_bleu4, tokenize


def test_tokenize_lowercases_and_drops_punctuation():
    assert tokenize("A dog, running; on the GRASS .") == ["a", "dog", "running", "on", "the", "grass"]


def test_corpus_bleu_matches_nltk_docs_example():
    # The worked example from NLTK's corpus_bleu docstring: 0.5920778868801042.
    hyp1 = "It is a guide to action which ensures that the military always obeys the commands of the party".split()
    ref1a = "It is a guide to action that ensures that the military will forever heed Party commands".split()
    ref1b = "It is the guiding principle which guarantees the military forces always being under the command of the Party".split()
    ref1c = "It is the practical guide for the army always to heed the directions of the party".split()
    hyp2 = "he read the book because he was interested in world history".split()
    ref2a = "he was interested in world history because he read the book".split()
    bleu = corpus_bleu_1to4([hyp1, hyp2], [[ref1a, ref1b, ref1c], [ref2a]])
    assert abs(bleu[3] - 0.5920778868801042) < 1e-12


def test_cumulative_weights_and_smoothing_on_random_corpora():
    rng = random.Random(3)
    words = "a red blue circle square left of the above".split()
    hyps = [[rng.choice(words) for _ in range(rng.randint(1, 9))] for _ in range(40)]
    refs = [[[rng.choice(words) for _ in range(rng.randint(2, 9))] for _ in range(3)] for _ in range(40)]
    bleu = corpus_bleu_1to4(hyps, refs)
    assert bleu[1] == corpus_bleu(refs, hyps, weights=(0.5, 0.5))
    assert bleu[0] >= bleu[1] >= bleu[2] >= bleu[3]
    smoothed = SmoothingFunction().method1
    assert sentence_bleu4(hyps[0], refs[0]) == sentence_bleu(refs[0], hyps[0], smoothing_function=smoothed)
