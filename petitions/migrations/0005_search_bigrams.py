"""Chinese word search that uses an index (PostgreSQL only).

Chinese words are mostly two characters long, which gives a trigram index
nothing to work with. Instead every pair of adjacent characters of the title,
content and address is indexed as a token (a bigram tsvector, GIN): a word of
two or more characters is found through its bigrams, then confirmed with LIKE
(petitions.selectors.petition_search; docs/benchmarks.md).
"""
from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION portal_bigrams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(to_tsvector('simple', string_agg(substr(t, i, 2), ' ')), ''::tsvector)
  FROM generate_series(1, greatest(char_length(t) - 1, 0)) AS i
$$
"""
EXPRESSION = "portal_bigrams(title || ' ' || content || ' ' || address)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS petition_search_bigrams ON petitions_petition USING gin ({EXPRESSION})")
    for column in ("title", "content"):  # superseded by the bigram index
        schema_editor.execute(f"DROP INDEX IF EXISTS petition_{column}_trgm")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS petition_search_bigrams")
    schema_editor.execute("DROP FUNCTION IF EXISTS portal_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("petitions", "0004_search_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
