"""The optional equality monitoring questions. Answers are stored apart from responses
(see `EqualityMonitoring`) and only ever counted."""

PREFER_NOT = ("prefer_not_to_say", "Prefer not to say")

EQUALITY_QUESTIONS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "age_band",
        "What is your age?",
        (
            ("under_18", "Under 18"),
            ("18_24", "18 to 24"),
            ("25_34", "25 to 34"),
            ("35_44", "35 to 44"),
            ("45_64", "45 to 64"),
            ("65_plus", "65 or over"),
            PREFER_NOT,
        ),
    ),
    (
        "sex",
        "What is your sex?",
        (("female", "Female"), ("male", "Male"), PREFER_NOT),
    ),
    (
        "disability",
        "Do you have a disability or long-term health condition?",
        (("yes", "Yes"), ("no", "No"), PREFER_NOT),
    ),
    (
        "ethnic_group",
        "What is your ethnic group?",
        (
            ("asian", "Asian or Asian British"),
            ("black", "Black, Black British, Caribbean or African"),
            ("mixed", "Mixed or multiple ethnic groups"),
            ("white", "White"),
            ("other", "Another ethnic group"),
            PREFER_NOT,
        ),
    ),
)

EQUALITY_FIELDS = tuple(key for key, _text, _choices in EQUALITY_QUESTIONS)
