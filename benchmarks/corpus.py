"""Petition texts for the benchmarks, composed from benchmarks/data/complaints.txt (issue 20, target 5).

A text is an opener, sentences of the petition's topic (the second-level item of its classification) mixed with
general details, a request and a closing, drawn until a target length: log-normal with a median of about 180
characters, clipped to 50-1,500 (hotline records are mostly short; letters to the mayor's mailbox run long).
A handful of petitions get a sentence of the rare section (无人机), so that the search benchmark's rare word
matches a few petitions and its common words (物业, 停车) match many.
"""
from __future__ import annotations

import math
import random
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "complaints.txt"
GENERAL = ("开头", "细节", "诉求", "结尾", "罕见")
NUMBERS = ["两", "三", "四", "五", "六", "七", "十"]
MEDIAN, SIGMA, SHORTEST, LONGEST = 180, 0.6, 50, 1500


class Corpus:
    def __init__(self, path: Path = CORPUS):
        self.sections: dict[str, list[str]] = {}
        self.titles: dict[str, list[str]] = {}
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = line[1:-1]
                self.sections[current], self.titles[current] = [], []
            elif line.startswith("标题："):
                self.titles[current].append(line.removeprefix("标题："))
            else:
                self.sections[current].append(line)
        self.topics = [name for name in self.sections if name not in GENERAL]

    def topic_for(self, names: list[str]) -> str | None:
        """The corpus topic of a classification, from the names on its path (root first)."""
        return next((name for name in names if name in self.sections and name not in GENERAL), None)

    def compose(self, rng: random.Random, *, topic: str | None, leaf: str, place: str,
                rare: bool = False) -> tuple[str, str]:
        """(title, content) of one petition."""
        target = min(LONGEST, max(SHORTEST, int(rng.lognormvariate(math.log(MEDIAN), SIGMA))))
        own = list(self.sections.get(topic, ())) if topic else []
        rng.shuffle(own)
        own = own[:rng.randint(1, 3)]  # one matter per petition: a few of its sentences, then the details
        details = list(self.sections["细节"])
        rng.shuffle(details)

        def fill(text: str) -> str:
            return text.replace("{place}", place).replace("{leaf}", leaf).replace("{n}", rng.choice(NUMBERS))

        parts = [fill(rng.choice(self.sections["开头"]))]
        if not own or rng.random() < 0.3:
            parts.append(f"反映{leaf}方面的问题。")
        if rare:
            parts.append(rng.choice(self.sections["罕见"]))
        ending = [fill(rng.choice(self.sections["诉求"])), rng.choice(self.sections["结尾"])]
        length = sum(map(len, parts + ending))
        while length < target:
            pool = own if own and (rng.random() < 0.6 or not details) else details
            if not pool:  # a long letter: the citizen comes back to the matter in other words
                details = list(self.sections["细节"])
                rng.shuffle(details)
                pool = details
            sentence = fill(pool.pop())
            parts.append(sentence)
            length += len(sentence)
        content = "".join(parts + ending)[:LONGEST]
        titles = self.titles.get(topic) or []
        title = rng.choice(titles) if titles and rng.random() < 0.7 else f"关于{leaf}的问题"
        return title, content
