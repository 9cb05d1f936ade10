"""The languages the tracker speaks: its readers work in Turkmen and Russian as much as in
English, the original every other language falls back to. Read by the settings and by what
runs without them (the front door's template values, deploy/frontdoor.py)."""

LANGUAGE_CODE = "en"
# Each has the seed's project translations in commitments/seed/translations/; adding one is
# this line, `make messages` and a migration (docs/languages.md, "Adding a language").
LANGUAGES = [("en", "English"), ("ru", "Русский"), ("tk", "Türkmençe")]
