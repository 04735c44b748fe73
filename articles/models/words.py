"""The archive's common words, and which of them each article's text holds.

Why: a search for a common word while leaving out another common one ("government
-president") matches few articles, and to find the newest of them PostgreSQL reads thousands
of articles' whole search vectors (each from its own pages), because a GIN index cannot say
which articles lack a word. Each article's common words, as one bit each in a small row of
their own (``CommonWords``), answer that for the words the archive uses most, at a fraction
of the cost; ``articles.search`` uses them when every word of a query is one of them.

The database keeps them: a trigger (``COMMON_WORDS_SQL``, migration 0018) writes an article's
bits whenever its text is written, however it is written, from the search vector PostgreSQL
has just computed, with the article's publication time (so that they are read newest first,
from their index alone). The list of words only grows, and grows with every article's bits
recomputed in the same transaction (``add_common_words``), so that whatever a query sees, the
bits and the list agree.
"""

from django.db import connection, models, transaction

MAX_WORDS = 63  # the bits of a bigint, but its sign


class CommonWord(models.Model):
    """A word (a lexeme, as the search vector holds it: "govern") that many articles use, and
    its bit in ``CommonWords.bits``."""

    bit = models.PositiveSmallIntegerField(unique=True)
    lexeme = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["bit"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bit__lt=MAX_WORDS), name="common_word_bit_in_a_bigint"
            )
        ]

    def __str__(self):
        return self.lexeme


class CommonWords(models.Model):
    """Which common words an article's text holds (``bits``), and its headline, dek, original
    headline and source name (``title_bits``: see ``Article.title_vector``): bit
    ``CommonWord.bit`` set for each."""

    article = models.OneToOneField(
        "Article", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    bits = models.BigIntegerField(default=0)
    title_bits = models.BigIntegerField(default=0)
    published_at = models.DateTimeField()  # the article's, so they are read newest first

    class Meta:
        indexes = [
            models.Index(
                models.F("published_at").desc(),
                include=["article", "bits", "title_bits"],
                name="common_words_published_idx",
            )
        ]

    def __str__(self):
        return f"common words of article {self.article_id}"


COMMON_WORDS_SQL = """
CREATE FUNCTION article_common_words(vector tsvector) RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT coalesce(bit_or(1::bigint << w.bit), 0)
    FROM articles_commonword AS w JOIN unnest(tsvector_to_array(vector)) AS l(lexeme)
        ON l.lexeme = w.lexeme
$$;

CREATE FUNCTION articles_article_common_words() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO articles_commonwords (article_id, bits, title_bits, published_at)
        VALUES (NEW.id, article_common_words(NEW.search_vector),
                article_common_words(NEW.title_vector), NEW.published_at)
        ON CONFLICT (article_id) DO UPDATE SET bits = EXCLUDED.bits,
            title_bits = EXCLUDED.title_bits, published_at = EXCLUDED.published_at;
    RETURN NULL;
END $$;
CREATE TRIGGER articles_article_common_words
    AFTER INSERT OR UPDATE OF
        headline, dek, original_headline, source_name, search_body, published_at
    ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_article_common_words();

INSERT INTO articles_commonwords (article_id, bits, title_bits, published_at)
    SELECT id, 0, 0, published_at FROM articles_article;
"""
# (The function is VOLATILE so that it reads the list as it is when the row is written, not
# as it was when the statement began.)

COMMON_WORDS_REVERSE_SQL = """
DROP TRIGGER articles_article_common_words ON articles_article;
DROP FUNCTION articles_article_common_words();
DROP FUNCTION article_common_words(tsvector);
"""

# A word is common from this share of the articles on (see ``add_common_words``), in an
# archive of at least MIN_ARTICLES: in a smaller one, shares say little, and the list, which
# only grows, would fill with words that are not common once the archive grows.
COMMON_SHARE = 0.05
MIN_ARTICLES = 1_000

FREQUENT = r"""
SELECT u.e, u.f
FROM pg_stats AS s
CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS u(e, f)
WHERE s.schemaname = current_schema() AND s.tablename = %s AND s.attname = 'search_vector'
    AND u.e IS NOT NULL AND u.f >= %s
ORDER BY u.f DESC, u.e
"""


def add_common_words(*, analyze: bool = True) -> list[str]:
    """Add the archive's most frequent words (in at least ``COMMON_SHARE`` of its articles,
    by PostgreSQL's statistics, gathered first unless ``analyze`` is False; none while it has
    fewer than ``MIN_ARTICLES``) to the list, up to ``MAX_WORDS``, and recompute every
    article's bits with them, in one transaction that holds off writes to articles meanwhile
    (about 10 seconds for 100,000 articles; readers are not held up). Returns the words
    added."""
    from articles.models import Article

    table = Article._meta.db_table
    if Article.objects.count() < MIN_ARTICLES:
        return []
    with connection.cursor() as cursor:
        if analyze:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        cursor.execute(FREQUENT, [table, COMMON_SHARE])
        frequent = [row[0] for row in cursor.fetchall()]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE"
            )
        known = dict(CommonWord.objects.values_list("lexeme", "bit"))
        free = [bit for bit in range(MAX_WORDS) if bit not in known.values()]
        added = [word for word in frequent if word not in known][: len(free)]
        if not added:
            return []
        CommonWord.objects.bulk_create(
            CommonWord(bit=bit, lexeme=word) for bit, word in zip(free, added, strict=False)
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE articles_commonwords AS c"
                " SET bits = article_common_words(a.search_vector),"
                " title_bits = article_common_words(a.title_vector)"
                f" FROM {connection.ops.quote_name(table)} AS a WHERE a.id = c.article_id"
            )
    return added
