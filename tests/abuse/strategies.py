"""Hypothesis strategies for hostile form input."""

from hypothesis import strategies as st

# Values that have broken web forms somewhere: control characters, injections, numbers in
# other scripts, huge and empty strings.
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\x00" * 10,
        "1\x00",
        "\r\n",
        "\t",
        "\x1b[31m",
        "\u202e",
        "\ufeff",
        "'; DROP TABLE ballots_vote; --",
        '" OR 1=1 --',
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "%s%s%n",
        "../../etc/passwd",
        "9" * 40,
        "-1",
        "0",
        "-0",
        "1e3",
        "1.5",
        "0x10",
        "NaN",
        "inf",
        "²",
        "\u0661",  # ARABIC-INDIC DIGIT ONE
        "\uff11",  # FULLWIDTH DIGIT ONE
        "Ⅶ",
        "null",
        "None",
        "[]",
        "{}",
        "x" * 100_000,
    ]
)

ARBITRARY = st.one_of(st.text(max_size=40), NASTY, st.integers().map(str))


def arbitrary_except(excluded) -> st.SearchStrategy[str]:
    excluded = set(excluded)
    return ARBITRARY.filter(lambda value: value not in excluded)


def extra_fields(reserved=lambda key: False) -> st.SearchStrategy[dict]:
    """Unexpected form fields with arbitrary names and values."""
    return st.dictionaries(
        keys=st.one_of(st.text(max_size=20), NASTY).filter(lambda key: not reserved(key)),
        values=ARBITRARY,
        max_size=4,
    )


def not_an_integer_field_value(maximum: int) -> st.SearchStrategy[str]:
    """Values a forms.IntegerField(min_value=0, max_value=maximum) must refuse."""
    return st.one_of(
        st.text(min_size=1, max_size=20).filter(lambda s: any(c.isalpha() for c in s)),
        st.integers(max_value=-1).map(str),
        st.integers(min_value=maximum + 1).map(str),
        st.sampled_from(["1.5", "0x7", "7e0", "\x00", "1\x00", "- 1", "1 1", "x" * 100_000]),
    )
