"""Print the assistant's suggestions for an article in a file, as the API answers them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from intake.api.serializers import SuggestionsRequestSerializer, SuggestionsSerializer
from intake.selectors import suggestions_answer

# The request's fields as this command names them.
OPTION_NAMES = {"published_on": "--published", "language": "--language", "text": "the text"}


class Command(BaseCommand):
    help = (
        "Print, as JSON, the candidate commitments the extraction assistant finds in an "
        "article (a UTF-8 text file, or - for standard input), each with the existing "
        "commitments it may concern: the answer of POST /api/v1/intake/suggestions/. "
        "Nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The article's text file (UTF-8), or - for stdin.")
        parser.add_argument(
            "--published", default="", help="When it was published: YYYY-MM-DD, YYYY-MM or YYYY."
        )
        parser.add_argument(
            "--language",
            default=None,
            help="The text's language (en, ru, tk...); detected when left out.",
        )

    def handle(self, *args, path: str, published: str, language: str | None, **options):
        text = self._read(path)
        query = SuggestionsRequestSerializer(
            data={"text": text, "published_on": published}
            | ({"language": language} if language else {})
        )
        if not query.is_valid():
            problems = "; ".join(
                f"{OPTION_NAMES.get(name, name)}: {' '.join(map(str, errors))}"
                for name, errors in query.errors.items()
            )
            raise CommandError(problems)
        answer = suggestions_answer(**query.reading, seconds=settings.INTAKE_API_TIME_LIMIT)
        self.stdout.write(
            json.dumps(SuggestionsSerializer(answer).data, ensure_ascii=False, indent=2)
        )

    def _read(self, path: str) -> str:
        if path == "-":
            return sys.stdin.read()
        try:
            return Path(path).read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise CommandError(f"{path}: no such file") from error
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"
            ) from error
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
