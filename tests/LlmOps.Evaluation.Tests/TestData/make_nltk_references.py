#!/usr/bin/python3
"""Regenerates the NLTK reference values used by LlmOps.Evaluation.Tests.

Run with Debian's python3-nltk (NLTK 3.8): `apt-get install -y python3-nltk && /usr/bin/python3 make_nltk_references.py`.
Writes bleu_nltk.tsv (BLEU with NLTK smoothing methods 0-7, times 100) and porter_nltk.tsv (NLTK's PorterStemmer in its
default NLTK_EXTENSIONS mode, the mode rouge-score uses).
"""
import itertools
import os
import re
import warnings

import nltk
from nltk.stem.porter import PorterStemmer
from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu, sentence_bleu

warnings.filterwarnings("ignore")
here = os.path.dirname(os.path.abspath(__file__))

pairs = []
with open(os.path.join(here, "bleu_pairs.tsv"), encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        pairs.append((fields[0], fields[1:]))

sf = SmoothingFunction()
with open(os.path.join(here, "bleu_nltk.tsv"), "w", encoding="utf-8") as out:
    out.write(f"# NLTK {nltk.__version__} sentence_bleu/corpus_bleu x 100; pair index (or 'corpus'), method, score\n")
    for method in range(8):
        fn = getattr(sf, f"method{method}")
        for i, (hyp, refs) in enumerate(pairs):
            try:
                score = sentence_bleu([r.split() for r in refs], hyp.split(), smoothing_function=fn)
                out.write(f"{i}\t{method}\t{100 * score:.10f}\n")
            except (AssertionError, ZeroDivisionError) as e:
                out.write(f"{i}\t{method}\terror\n")
        score = corpus_bleu([[r.split() for r in refs] for _, refs in pairs], [h.split() for h, _ in pairs], smoothing_function=fn)
        out.write(f"corpus\t{method}\t{100 * score:.10f}\n")

# Words: every word of the repository's own English text, plus suffix combinations that reach every rule of the algorithm.
words = set()
root = os.path.abspath(os.path.join(here, "..", "..", ".."))
for name in ["README.md", "data"]:
    path = os.path.join(root, name)
    files = [path] if os.path.isfile(path) else [os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs]
    for file in files:
        if not file.endswith((".md", ".txt", ".tsv", ".jsonl")):
            continue
        with open(file, encoding="utf-8", errors="ignore") as f:
            words.update(w for w in re.findall(r"[a-z]+", f.read().lower()) if len(w) < 25)
stems = ["rel", "cond", "valen", "digit", "conform", "radic", "differ", "vil", "analog", "vietnam", "predic", "oper",
         "feud", "decis", "hope", "callous", "form", "sensit", "sens", "triplic", "formal", "electr", "ador", "goodn",
         "reviv", "allow", "infer", "airl", "gyroscop", "adjust", "depend", "adopt", "homolog", "communis", "activ",
         "bowdler", "effect", "prob", "rat", "ceas", "control", "roll", "hop", "fil", "fail", "siz", "tann", "fall",
         "hiss", "fizz", "sky", "happ", "cr", "by", "say", "play", "toy", "pony", "ti", "agre", "plaster", "bl", "mot"]
suffixes = ["", "s", "es", "ies", "sses", "ss", "ed", "ing", "eed", "ied", "y", "ational", "tional", "enci", "anci",
            "izer", "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness",
            "ousness", "aliti", "iviti", "biliti", "fulli", "logi", "icate", "ative", "alize", "iciti", "ical", "ful",
            "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "sion", "tion", "ou",
            "ism", "ate", "iti", "ous", "ive", "ize", "e", "ll", "at", "bl", "iz", "ling", "ting", "ying"]
words.update(s + x for s, x in itertools.product(stems, suffixes))
words.update(["skies", "sky", "dying", "lying", "tying", "news", "innings", "inning", "outings", "canning", "howe",
              "proceed", "exceed", "succeed", "ies", "dies", "ties", "lied", "died", "yyy", "syzygy", "ay", "a", "is"])
stemmer = PorterStemmer()
with open(os.path.join(here, "porter_nltk.tsv"), "w", encoding="utf-8") as out:
    out.write(f"# NLTK {nltk.__version__} PorterStemmer() (NLTK_EXTENSIONS); word, stem\n")
    for w in sorted(words):
        out.write(f"{w}\t{stemmer.stem(w)}\n")
