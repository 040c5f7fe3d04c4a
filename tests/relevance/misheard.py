#!/usr/bin/env python3
"""Long questions with a misheard term (docs/RELEVANCE.md, "Misheard terms").

Derives a query set from development sets: every query of at least twelve
Han characters that holds a term of three or more characters of the lexicon
gets one character of its longest such term (the middle one) replaced by the
homophone most common in the shipped corpus, the way an input method's first
choice or a hurried call-taker gets it wrong (身份证 -> 身分证). Nothing is
chosen by hand, so the set measures the mechanism, not a list.

usage: misheard.py PINYIN_TABLE_H CORPUS_DIR OUT.tsv QUERIES.tsv...
"""
import collections
import pathlib
import re
import sys


def is_han(c):
    return '\u4e00' <= c <= '\u9fff'


def main():
    table, corpus, out = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    src = open(table, encoding='utf-8').read()
    readings = re.findall(r'"([a-z]*)"', src[src.index('{'):])

    def reading(c):
        o = ord(c) - 0x4E00
        return readings[o] if 0 <= o < len(readings) and readings[o] else None

    freq = collections.Counter()
    for f in list(corpus.rglob('*.md')) + list((corpus / 'faq').glob('*')):
        freq.update(c for c in f.read_text(encoding='utf-8') if is_han(c))
    by_sound = collections.defaultdict(list)
    for c, n in freq.most_common():
        if n >= 3 and reading(c):
            by_sound[reading(c)].append(c)
    terms = set()
    for line in open(corpus / 'synonyms.txt', encoding='utf-8'):
        for t in re.split(r'[\s,，、]+', line.split('#')[0]):
            if len(t) >= 3 and all(is_han(c) for c in t):
                terms.add(t)
    terms = sorted(terms, key=lambda t: (-len(t), t))
    rows = []
    for path in sys.argv[4:]:
        for line in open(path, encoding='utf-8'):
            parts = line.rstrip('\n').split('\t')
            if len(parts) < 3 or sum(map(is_han, parts[1])) < 12:
                continue
            q = parts[1]
            for t in terms:
                i = q.find(t)
                if i < 0:
                    continue
                k = len(t) // 2
                alts = [a for a in by_sound.get(reading(t[k]), []) if a != t[k]]
                if not alts:
                    continue
                wrong = q[:i] + t[:k] + alts[0] + t[k + 1:] + q[i + len(t):]
                rows.append('\t'.join(['typo', wrong] + parts[2:]))
                break
    pathlib.Path(out).write_text('\n'.join(rows) + '\n', encoding='utf-8')
    print(f'{len(rows)} long questions with a misheard term: {out}')


if __name__ == '__main__':
    main()
