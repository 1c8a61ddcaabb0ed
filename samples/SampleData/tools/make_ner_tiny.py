#!/usr/bin/env python3
"""Generate Resources/ner-tiny.conll: a tiny, invented English NER corpus for the SymbolicDiff samples.

Sentences come from hand-written templates filled with hand-written (fictional or generic) names; nothing is
copied from any NER dataset. Tags are plain (no IOB): O, PER, LOC, ORG, MISC. Every token of a multi-word
entity carries the entity's tag. Deterministic: the same script always writes the same file.

Usage: python3 tools/make_ner_tiny.py [output-path]
"""
import os
import random
import sys

PER = ["Alice", "Bob", "Maria Lopez", "Chen Wei", "Oskar", "Priya Nair", "John Smith", "Fatima", "Lars Berg",
       "Yuki Tanaka", "Tom", "Ana Silva", "Kofi Mensah", "Elena", "Ravi", "Mr. Grant", "Dr. Okafor", "Sofia",
       "Hugo Martin", "Ingrid", "Omar", "Lena Vogel", "Paul", "Nadia Petrova", "Sam Reed", "Mei", "Jonas",
       "Clara Diaz", "Ahmed Ali", "Greta"]
LOC = ["Paris", "Berlin", "Lagos", "Tokyo", "Lima", "Oslo", "Cairo", "Toronto", "Madrid", "Nairobi", "Seoul",
       "New York", "San Diego", "Cape Town", "Rio de Janeiro", "Kenya", "Brazil", "Norway", "Japan", "Canada",
       "Spain", "Egypt", "the Alps", "the Nile", "Lake Como", "Hong Kong", "Vienna", "Quito", "Perth", "Dublin"]
ORG = ["Acme Corp", "Globex", "Initech", "the United Nations", "Red Cross", "Nordwind Bank", "Bluefin Labs",
       "the city council", "Orion Motors", "Helios Energy", "Vertex Group", "Sunleaf Foods", "the Daily Post",
       "Kestrel Airlines", "Maple University", "Pinecrest Hospital", "Atlas Insurance", "Zenith Media",
       "the World Bank", "Copperfield FC", "Quantum Systems", "Riverside Bakery", "Polar Telecom", "Ember Studios"]
MISC = ["English", "French", "Japanese", "German", "Spanish", "Olympic", "Nobel Prize", "Christmas", "Ramadan",
        "World Cup", "Euro", "Python", "Linux", "Jazz Festival", "Diwali", "Brazilian", "Canadian", "Norwegian",
        "Kenyan", "Marathon", "Oscar", "Grand Prix", "Easter", "Chinese"]

TEMPLATES = [
    "{PER} lives in {LOC} .",
    "{PER} moved to {LOC} last year .",
    "{PER} works for {ORG} .",
    "{PER} joined {ORG} in {LOC} .",
    "{ORG} opened a new office in {LOC} .",
    "{ORG} is based in {LOC} .",
    "{ORG} hired {PER} as chief engineer .",
    "{PER} visited {LOC} with {PER} .",
    "{PER} met {PER} at the {MISC} event .",
    "{PER} speaks {MISC} and {MISC} .",
    "The {MISC} ceremony took place in {LOC} .",
    "{PER} won the {MISC} in {LOC} .",
    "{ORG} sponsored the {MISC} in {LOC} .",
    "Shares of {ORG} rose on Monday .",
    "{ORG} reported higher profits this quarter .",
    "{PER} said {ORG} will cut prices .",
    "According to {PER} , the road to {LOC} is closed .",
    "Heavy rain fell in {LOC} on Tuesday .",
    "The train from {LOC} to {LOC} was late .",
    "{PER} flew from {LOC} to {LOC} .",
    "{ORG} and {ORG} agreed to merge .",
    "{PER} is the new director of {ORG} .",
    "We celebrated {MISC} with {PER} .",
    "{PER} wrote a book about {LOC} .",
    "The {MISC} team beat {ORG} in {LOC} .",
    "{PER} studies at {ORG} .",
    "Tourists in {LOC} enjoyed the {MISC} food .",
    "{ORG} launched a {MISC} app .",
    "{PER} called {PER} from {LOC} .",
    "Officials from {ORG} arrived in {LOC} .",
    "{PER} teaches {MISC} at {ORG} .",
    "The museum in {LOC} reopened after repairs .",
    "{PER} thanked {ORG} for the support .",
    "Fans of {ORG} gathered in {LOC} .",
    "{PER} and {PER} founded {ORG} .",
    "Prices in {LOC} went up again .",
    "The {MISC} festival drew crowds to {LOC} .",
    "{PER} bought a house near {LOC} .",
    "{ORG} denied the report .",
    "My friend {PER} loves {MISC} music .",
    "It was cold in {LOC} this morning .",
    "{PER} signed with {ORG} on Friday .",
]

SLOTS = {"PER": PER, "LOC": LOC, "ORG": ORG, "MISC": MISC}


def fill(template, rng):
    tokens = []
    for piece in template.split():
        if piece.startswith("{") and piece.endswith("}"):
            tag = piece[1:-1]
            for word in rng.choice(SLOTS[tag]).split():
                # "the" inside ORG/LOC names is part of the name span
                tokens.append((word, tag))
        else:
            tokens.append((piece, "O"))
    return tokens


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Resources", "ner-tiny.conll")
    rng = random.Random(224)
    seen = set()
    sentences = []
    while len(sentences) < 360:
        template = TEMPLATES[len(sentences) % len(TEMPLATES)] if len(sentences) < len(TEMPLATES) else rng.choice(TEMPLATES)
        sent = fill(template, rng)
        key = " ".join(w for w, _ in sent)
        if key in seen:
            continue
        seen.add(key)
        sentences.append(sent)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("-DOCSTART- O\n\n")
        for sent in sentences:
            for word, tag in sent:
                f.write(f"{word} {tag}\n")
            f.write("\n")


if __name__ == "__main__":
    main()
