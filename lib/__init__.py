"""Pure helpers shared by the apps. This package imports no app (STYLE.md rule 1)."""
