"""Russian words to their dictionary form (pymorphy3), and Cyrillic names in Latin letters.

An actor is named in any grammatical case ("Министерством иностранных дел", "с ОБСЕ"): the
assistant compares lemmas, not letters. Names of people are not all in the dictionary
("Чакыевым" is read as a plural): a capitalised word is also compared by its stem, the word
without a case ending, and by its transliteration against the Latin spelling
("Худайгулыев" ↔ "Khudaygulyev").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pymorphy3

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# Case endings of Russian surnames and nouns, longest first; not "-ов"/"-ев", which end
# surnames in the nominative.
_ENDINGS = (
    "ыми", "ими", "ого", "его", "ому", "ему", "ами", "ями", "ых", "их", "ым", "им",
    "ой", "ей", "ом", "ем", "ою", "ую", "ая", "яя", "ые", "ие", "ах", "ях",
    "а", "я", "у", "ю", "е", "ы", "и", "о",
)  # fmt: skip
_TRANSLITERATION = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of a Russian word, lower-cased; any other word lower-cased."""
    lowered = word.lower()
    if not re.search(r"[а-яё]", lowered):
        return lowered
    return _morph().parse(lowered)[0].normal_form.replace("ё", "е")


def name_key(word: str) -> str:
    """What a word of a name is compared by: its lemma without a case ending, so that a
    surname the dictionary does not know matches in every case ("Чакыеву", "Чакыевым")."""
    return stem(lemma(word))


def words_with_offsets(text: str) -> list[tuple[str, int, int]]:
    return [(match.group(0), match.start(), match.end()) for match in _WORD.finditer(text)]


def lemmas(text: str) -> list[str]:
    return [lemma(word) for word, _, _ in words_with_offsets(text)]


def stem(word: str) -> str:
    """The word without one case ending, lower-cased, kept at four letters or more."""
    lowered = word.lower().replace("ё", "е")
    for ending in _ENDINGS:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= 4:
            return lowered[: -len(ending)]
    return lowered


def transliterate(text: str) -> str:
    """Cyrillic in Latin letters, as names of the region are spelt in English news."""
    return "".join(_TRANSLITERATION.get(char, char) for char in text.lower())


def is_adjective(word: str) -> bool:
    """An adjective or participle agreeing with the noun after it ("национальную")."""
    clean = word.strip(',;:"«»')
    if clean != word or not re.fullmatch(r"[а-яёА-ЯЁ-]+", clean):
        return False
    return _morph().parse(clean.lower())[0].tag.POS in {"ADJF", "PRTF"}


def _agreeing_noun(noun_parses: list, adjective: str | None):
    """The noun's reading that an adjective before it agrees with ("законодательной базы":
    the genitive singular, not the nominative plural), else its likeliest."""
    nouns = [p for p in noun_parses if p.tag.POS == "NOUN"] or noun_parses
    if adjective:
        forms = {
            (p.tag.number, p.tag.case)
            for p in _morph().parse(adjective)
            if p.tag.POS in {"ADJF", "PRTF"}
        }
        for parsed in nouns:
            if (parsed.tag.number, parsed.tag.case) in forms:
                return parsed
    return nouns[0]


def nominative_phrase(words: list[str]) -> list[str]:
    """Adjectives and the noun they go with, put in the nominative, agreeing with the noun in
    number and gender, each word's capitalisation kept ("очередной семинар", "Программу" →
    "Программа")."""
    bare = [word.rstrip('.,;:!?»"') for word in words]
    parses = [_morph().parse(word.lower()) for word in bare]
    nouns = [i for i, options in enumerate(parses) if options[0].tag.POS == "NOUN"]
    noun_at = nouns[-1] if nouns else None
    noun = (
        _agreeing_noun(parses[noun_at], bare[noun_at - 1].lower() if noun_at else None)
        if noun_at is not None
        else None
    )
    number = (noun.tag.number if noun else None) or "sing"
    gender = noun.tag.gender if noun is not None and number == "sing" else None
    result = []
    for index, word in enumerate(bare):
        if index == noun_at:
            parsed = noun
        else:
            options = parses[index]
            parsed = next((p for p in options if p.tag.POS in {"ADJF", "PRTF"}), options[0])
        wanted = {"nomn", number} | ({gender} if gender and index != noun_at else set())
        inflected = parsed.inflect(wanted) if parsed.tag.case else None
        text = inflected.word if inflected else word.lower()
        result.append(
            (text.capitalize() if word[:1].isupper() else text) + words[index][len(word) :]
        )
    return result


def is_verb(word: str) -> bool:
    """A finite verb, an infinitive or a short participle ("организовала", "принята")."""
    clean = word.strip(',;:"«».').lower()
    if not re.fullmatch(r"[а-яё-]+", clean):
        return False
    return _morph().parse(clean)[0].tag.POS in {"VERB", "INFN", "PRTS"}
