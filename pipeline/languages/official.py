"""The six official languages a draft can be written in (the ways of saying figures in each are in
pipeline/languages/forms.py). Light: the CLI reads it before anything heavy is imported."""

# The six official languages, in the UN's order of their codes; English is the template's own.
LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")


def parse_languages(given: str | list[str] | None) -> list[str]:
    """`en,fr` as a list of codes, English first; an unknown code is an error that lists the known ones."""
    codes = [c.strip().lower() for c in (given.split(",") if isinstance(given, str) else given or []) if c.strip()]
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}: the languages are {', '.join(LANGUAGES)}")
    return [c for c in LANGUAGES if c in codes] or ["en"]


# What the other languages' drafts are called in messages and descriptions.
NAMES = {"en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "zh": "Chinese", "ar": "Arabic"}
