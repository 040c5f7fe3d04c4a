#!/usr/bin/env python3
"""Fits a re-scoring of the shipped ranking's best 20 (the relevance study of
docs/RELEVANCE.md, "FAQ rows answer one question").

usage: rerank_fit.py NAME=FEATURES.tsv ...

Each FEATURES.tsv comes from `build/tools/eval ... --features FILE` (one line
per hit: query, judged, place, id, type, department, bm25, bm25_rank, title,
coverage, anchors, rare). The shipped re-scoring is reproduced first (log
BM25, the title tie-breaker, the FAQ narrowing); then each feature's weight
on top of it is fitted by coordinate ascent on the mean MRR@10 of the sets,
once on all of them and once with each set held out, so that a feature only
one set asks for shows. Nothing here changes the ranking: a weight worth
shipping goes into src/search/kb.c and is measured there.
"""
import collections
import math
import sys

TITLE_BOOST, FAQ_NARROW = 0.1, 0.7
GRID = [-1.0, -0.6, -0.4, -0.3, -0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0]


def load(path):
    """[(judged per hit, [feature dict per hit])] per query, in file order."""
    queries, last = [], None
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        q, judged, place = p[0], int(p[1]), int(p[2])
        if place <= 0 or q != last:
            queries.append([])
            last = q
        if place < 0:
            continue
        bm25, title = float(p[6]), float(p[8])
        faq = 1.0 if p[4] == "faq" else 0.0
        queries[-1].append({
            "judged": judged, "dept": p[5], "bm25_rank": int(float(p[7])),
            "base": math.log(max(bm25, 1e-9)) + math.log(1 + TITLE_BOOST * title)
            - FAQ_NARROW * faq * (1 - title),
            "title": title, "coverage": float(p[9]), "anchors": float(p[10]),
            "rare": float(p[11]), "faq": faq, "faq_narrow": faq * (1 - title)})
    for hits in queries:  # the share of the best ten in the hit's department
        depts = collections.Counter(h["dept"] for h in hits[:10])
        for h in hits:
            h["dept_share"] = depts[h["dept"]] / max(1, min(10, len(hits)))
    return queries


FEATURES = ["title", "coverage", "anchors", "rare", "faq", "faq_narrow", "dept_share"]


def mrr(queries, w):
    total = 0.0
    for hits in queries:
        order = sorted(hits, key=lambda h: (h["base"] + sum(w[f] * h[f] for f in w),
                                            -h["bm25_rank"]), reverse=True)
        for k, h in enumerate(order[:10]):
            if h["judged"]:
                total += 1.0 / (k + 1)
                break
    return total / len(queries) if queries else 0.0


def fit(sets, names):
    w = {f: 0.0 for f in FEATURES}
    best = sum(mrr(sets[n], w) for n in names) / len(names)
    for _ in range(3):
        moved = False
        for f in FEATURES:
            for g in GRID:
                trial = dict(w, **{f: g})
                v = sum(mrr(sets[n], trial) for n in names) / len(names)
                if v > best + 1e-4:
                    best, w, moved = v, trial, True
        if not moved:
            break
    return w


def main():
    sets = {}
    for arg in sys.argv[1:]:
        name, _, path = arg.partition("=")
        sets[name] = load(path)
    if not sets:
        sys.exit(__doc__)
    zero = {f: 0.0 for f in FEATURES}
    print("shipped: " + "  ".join("%s %.3f" % (n, mrr(q, zero)) for n, q in sets.items()))
    names = list(sets)
    w = fit(sets, names)
    print("fitted on all: " + " ".join("%s %+.2f" % (f, v) for f, v in w.items() if v) +
          "\n  " + "  ".join("%s %.3f" % (n, mrr(sets[n], w)) for n in names))
    if len(names) > 2:
        for held in names:
            w = fit(sets, [n for n in names if n != held])
            print("without %s: %s -> %s %.3f" % (
                held, " ".join("%s %+.2f" % (f, v) for f, v in w.items() if v) or "nothing",
                held, mrr(sets[held], w)))


if __name__ == "__main__":
    main()
