"""The shared base every feature stands on: settings, extensions, database and time helpers, links and
tokens, vocabularies, numbers, phones, places, formatting, permissions, security, rate limits, the
security log, spreadsheets and the form-page helpers. It imports no feature (import-linter checks it)."""
