"""Render every article's body again, with the current Markdown pipeline, images and
glossary: after an upgrade that changes how bodies render (0.2 moved from Python-Markdown to
cmark-gfm), so that stored pages read as newly saved ones do."""

from django.core.management.base import BaseCommand

from articles.models import Article
from articles.signals import content_changed

BATCH_SIZE = 200


class Command(BaseCommand):
    help = "Render every article's body again (after an upgrade of the Markdown pipeline)."

    def handle(self, *args, **options):
        fields = ["body_html", "glossary_terms", "body_images"]
        articles = Article.objects.only("pk", "body", "dateline", *fields).order_by("pk")
        batch, changed, seen = [], 0, 0
        for article in articles.iterator(chunk_size=BATCH_SIZE):
            seen += 1
            before = (article.body_html, article.glossary_terms, article.body_images)
            article.render_body()
            if (article.body_html, article.glossary_terms, article.body_images) != before:
                batch.append(article)
            if len(batch) == BATCH_SIZE:
                Article.objects.bulk_update(batch, fields)
                changed, batch = changed + len(batch), []
        Article.objects.bulk_update(batch, fields)
        changed += len(batch)
        if changed:
            content_changed.send(sender=Article, article_ids=[])
        self.stdout.write(f"{changed:,} of {seen:,} articles rendered anew.")
