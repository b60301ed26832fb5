"""The catalogue's two YAML shapes: flat files (any feature's) and files wrapped in their language with plurals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.messages import completeness
from bot.messages.catalogue import Catalogue, CatalogueError


def write(root: Path, lang: str, name: str, text: str) -> None:
    (root / lang).mkdir(parents=True, exist_ok=True)
    (root / lang / name).write_text(text, encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write(tmp_path, "fr", "feature.yaml", 'feature.hello: "Bonjour {user} !"\n')
    write(tmp_path, "ro", "feature.yaml", 'feature.hello: "Bună ziua, {user}!"\n')
    write(tmp_path, "fr", "counts.yaml",
          'fr:\n  feature.cards:\n    one: "{count} carte"\n    many: "{count} de cartes"\n    other: "{count} cartes"\n')
    write(tmp_path, "ro", "counts.yaml",
          'ro:\n  feature.cards:\n    one: "{count} cartonaș"\n    few: "{count} cartonașe"\n'
          '    other: "{count} de cartonașe"\n')
    return tmp_path


def test_a_flat_feature_file_and_a_wrapped_plural_file_load_side_by_side(root):
    catalogue = Catalogue.load(root)
    assert catalogue.text("ro", "feature.hello", user="Ana") == "Bună ziua, Ana!"
    assert [catalogue.text("ro", "feature.cards", count=n) for n in (1, 2, 20)] == [
        "1 cartonaș", "2 cartonașe", "20 de cartonașe"]
    # Code that only wants a template sees the "other" form.
    assert catalogue.messages["ro"]["feature.cards"] == "{count} de cartonașe"
    assert completeness.check_catalogue(root) == []


def test_a_missing_plural_form_is_named_with_its_file_and_line(root):
    write(root, "ro", "counts.yaml", 'ro:\n  feature.cards:\n    one: "{count} cartonaș"\n    other: "{count} de cartonașe"\n')
    problems = [str(p) for p in completeness.check_catalogue(root)]
    assert len(problems) == 1
    assert problems[0].endswith("ro/counts.yaml:2: feature.cards: plural form 'few' missing (ro needs few, one, other)")


def test_a_form_the_language_does_not_have_is_named(root):
    write(root, "ro", "counts.yaml", 'ro:\n  feature.cards:\n    one: "{count} cartonaș"\n    few: "{count} cartonașe"\n'
                                     '    many: "x {count}"\n    other: "{count} de cartonașe"\n')
    assert any("ro has no plural form 'many'" in str(p) for p in completeness.check_catalogue(root))


def test_plural_forms_in_a_flat_file_are_named_weblate_would_not_see_them(root):
    write(root, "fr", "counts.yaml",
          'feature.cards:\n  one: "{count} carte"\n  many: "{count} de cartes"\n  other: "{count} cartes"\n')
    problems = [str(p) for p in completeness.check_catalogue(root)]
    assert any("fr/counts.yaml:1: feature.cards: plural forms need a file with 'fr:' at its root" in p
               for p in problems), problems


def test_placeholders_are_compared_over_all_forms(root):
    write(root, "ro", "counts.yaml", 'ro:\n  feature.cards:\n    one: "un cartonaș"\n    few: "{count} cartonașe"\n'
                                     '    other: "{n} de cartonașe"\n')
    problems = [str(p) for p in completeness.check_catalogue(root)]
    assert any("feature.cards: placeholders {count, n} differ from fr ({count})" in p for p in problems), problems


def test_a_value_that_is_neither_text_nor_plural_forms_is_refused(root):
    write(root, "fr", "bad.yaml", "feature.bad:\n  un: 1\n")
    with pytest.raises(CatalogueError, match="feature.bad: must be a string, or plural forms"):
        Catalogue.load(root)


def test_an_unknown_cldr_locale_is_named(root):
    write(root, "ro", "cldr.yaml", 'language.locale: "xx_YY"\n')
    assert any("language.locale: CLDR has no locale 'xx_YY'" in str(p) for p in completeness.check_catalogue(root))
