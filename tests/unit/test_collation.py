"""Ukrainian alphabetical order without ICU: Python's key and PostgreSQL's ORDER BY agree."""

from hypothesis import given
from hypothesis import strategies as st

from sme_hub.core.collation import uk_key

ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"


def test_the_ukrainian_alphabet_is_in_order() -> None:
    assert sorted(ALPHABET, key=uk_key) == list(ALPHABET)
    names = ["Їжак", "Інкубатор", "Банк", "Ґудзик", "Гарбуз", "Єва", "Ера", "Йод", "Ирій"]
    assert sorted(names, key=uk_key) == [
        "Банк", "Гарбуз", "Ґудзик", "Ера", "Єва", "Ирій", "Інкубатор", "Їжак", "Йод",
    ]  # fmt: skip


@given(st.text(alphabet=ALPHABET, max_size=8), st.text(alphabet=ALPHABET, max_size=8))
def test_keys_order_words_as_the_alphabet_does(a: str, b: str) -> None:
    def rank(word: str) -> list[int]:
        return [ALPHABET.index(c) for c in word]

    assert (uk_key(a) < uk_key(b)) == (rank(a) < rank(b))
