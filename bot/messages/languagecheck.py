"""Is a text written in the language its file says? A small, explainable heuristic.

Greek is told by its script. For the Latin-script languages (French, English,
Romanian, German) each has a short list of its most frequent function words; a
text is counted against each list, and is "in another language" when that other
language's words clearly outnumber its own. Short texts (a title, a level name)
are left alone: a handful of words cannot be judged fairly.

Why not a language-detection library from PyPI? ``langdetect`` is random unless
seeded and weak on sentences of a dozen words; ``lingua`` is precise but ships
about 100 MB of models; ``fasttext`` needs a model download. The mistakes this
check must catch — a string pasted untranslated, a French paragraph left in the
Romanian deck — show up plainly in function words, deterministically and with no
dependency. Pure: no I/O.
"""

from __future__ import annotations

import re

# The most frequent words that belong to one language only (ambiguous ones such
# as "la", "de", "un", "ce", "die", "in" are left out on purpose).
STOP_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset("""
        le les des est une pour que qui dans avec pas sur vous nous aux du cette sont ou elle ils
        elles leur leurs mais comme être été fait peut plus tout tous quel quelle quels quelles
        votre vos notre nos je tu ne ces sans entre aussi très dont où""".split()),
    "en": frozenset("""
        the and of to is are for with that this you your not be on it by from have has can will
        what which who their they them we our an or as at if was were there these those been
        should would could about into when""".split()),
    "ro": frozenset("""
        și si este sunt pentru care cu nu pe din în o această acest aceste sau mai fi
        dumneavoastră lui ei le lor își îi să sa fără dacă daca cum când cand unde ce-i acum
        după dupa către catre despre între intre fiecare""".split()),
    "de": frozenset("""
        der das und ist sind nicht mit für auf ein eine einen einem zu von den dem sie ich wir
        oder auch sich es bei nach wie wird werden kann können ihre ihr ihren dass über
        noch nur hat haben diese dieser dieses""".split()),
}
LATIN = ("fr", "en", "ro", "de")
MIN_WORDS = 6  # fewer words than this: not judged
MIN_FOREIGN = 3  # at least this many function words of the other language
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_FIELD = re.compile(r"\{[^{}]*\}")
_COMMAND = re.compile(r"(?:\{prefix\}|!)[\w-]+", re.UNICODE)


def _is_greek(char: str) -> bool:
    return "\u0370" <= char <= "\u03ff" or "\u1f00" <= char <= "\u1fff"


def words(text: str) -> list[str]:
    """The words of ``text``, lower-cased, without placeholders or command names."""
    text = _COMMAND.sub(" ", text)
    text = _FIELD.sub(" ", text)
    out = []
    for word in _WORD.findall(text.lower()):
        # "l'équipe", "d'une": the elided article is a word of its own.
        head, _, tail = word.replace("’", "'").partition("'")
        out += [head, tail] if tail else [head]
    return out


def scores(text: str) -> dict[str, int]:
    """How many function words of each Latin-script language ``text`` holds."""
    found = words(text)
    return {lang: sum(1 for w in found if w in STOP_WORDS[lang]) for lang in LATIN}


def foreign_language(text: str, lang: str) -> str | None:
    """The language ``text`` seems written in when that is not ``lang``; None when fine or unsure."""
    letters = [c for c in text if c.isalpha()]
    if len(words(text)) < MIN_WORDS or not letters:
        return None
    greek = sum(1 for c in letters if _is_greek(c)) / len(letters)
    if lang == "el":
        if greek >= 0.5:
            return None
        # Not Greek: say which Latin-script language it looks like, if any.
        found = scores(text)
        best = max(found, key=found.get)
        return best if found[best] >= MIN_FOREIGN else "a Latin-script language"
    if greek > 0.5:
        return "el"
    if lang not in LATIN:
        return None
    found = scores(text)
    own = found[lang]
    best = max((other for other in LATIN if other != lang), key=found.get)
    if found[best] >= MIN_FOREIGN and found[best] > 2 * own:
        return best
    return None
