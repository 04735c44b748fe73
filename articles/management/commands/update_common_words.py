"""Bring the archive's list of common words up to date (see ``articles.models.words``).

    python manage.py update_common_words

Adds the words at least 5% of the articles use, by PostgreSQL's statistics (gathered first),
up to 63, once the archive has 1,000 articles, and recomputes every article's bits with
them; searches made only of common words then read those bits instead of the articles'
text. Run it once an archive has been loaded or imported, and now and then as it grows
(``fill_synthetic`` runs it). Writing articles waits while it runs (seconds for 100,000
articles); reading does not.
"""

from django.core.management.base import BaseCommand

from articles.models import Article, CommonWord, words
from articles.models.words import MAX_WORDS, add_common_words


class Command(BaseCommand):
    help = "Add the archive's most frequent words to the common words the search reads."

    def handle(self, *args, **options):
        if Article.objects.count() < words.MIN_ARTICLES:
            self.stdout.write(f"fewer than {words.MIN_ARTICLES:,} articles: too few to tell yet")
            return
        added = add_common_words()
        known = CommonWord.objects.count()
        if added:
            self.stdout.write(f"added {len(added)}: {', '.join(added)}")
        self.stdout.write(f"{known} common words of at most {MAX_WORDS}")
