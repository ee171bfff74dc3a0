"""`sgr translations`: the translators' catalogues kept in step with the English template.

update   each language's messages.po made anew from the English template: new messages added
         untranslated, changed ones matched to their old translation and marked fuzzy
status   what each catalogue translates: entries and words translated, fuzzy, missing
export   each catalogue as XLIFF 2.0 for translation tools (reports/translations/<code>.xlf)
import   an XLIFF 2.0 file's translations into its language's catalogue
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import Config
from pipeline.document import messages
from pipeline.document.narrative import NarrativeError
from pipeline.languages.official import LANGUAGES, parse_languages

EXPORTED = Path("reports/translations")


def run(args: argparse.Namespace) -> int:
    template = Config.of({"template": args.template or ""}).template
    try:
        languages = [code for code in parse_languages(args.languages) if code != "en"]
    except ValueError as error:
        print(f"sgr: {error}", file=sys.stderr)
        return 2
    try:
        if args.action == "import":
            return _import(template, args)
        for code in languages:
            if args.action == "update":
                catalogue = messages.update(template, code)
                print(
                    f"{code}: {template.shown(messages.catalogue_path(template, code))}: {messages.coverage(catalogue)}"
                )
            elif args.action == "status":
                translation = messages.load(template, code)
                print(f"{code}: {translation.coverage}")
            else:
                folder = Path(args.to) if args.to else EXPORTED
                folder.mkdir(parents=True, exist_ok=True)
                target = folder / f"{code}.xlf"
                target.write_bytes(messages.to_xliff(messages.update(template, code), code))
                print(f"{code}: {target}")
    except NarrativeError as error:
        print(f"sgr: {error}", file=sys.stderr)
        return 1
    return 0


def _import(template, args: argparse.Namespace) -> int:
    if not args.file:
        print("sgr: translations import needs --file, an XLIFF 2.0 file", file=sys.stderr)
        return 2
    path = Path(args.file)
    data = path.read_bytes()
    code = messages.xliff_language(data, str(path))
    if code not in LANGUAGES or code == "en":
        print(f"sgr: {path}: its target language {code!r} is not one of fr, es, ru, zh, ar", file=sys.stderr)
        return 2
    catalogue = messages.update(template, code)
    taken = messages.from_xliff(data, catalogue, str(path))
    messages.write(messages.catalogue_path(template, code), catalogue)
    messages.load(template, code)  # the placeholders of what came in, checked now rather than at the next draft
    print(f"{code}: {taken} translations taken from {path}; {messages.coverage(catalogue)}")
    return 0
