"""Pure helpers shared by the apps. This package imports no app (docs/development.md, rule 1)."""
