"""Fill the database with synthetic articles for benchmarks (not for a real archive).

    python manage.py fill_synthetic 100000

Articles of realistic length (about 700 words in 14–26 short paragraphs, as La Jornada
writes them), spread over ten years, with Zipf-distributed words and Spanish names and
places; 2% of them drafts, each with one to three topics, an author and a translator; 40%
with a lead image and 10% with an image in the text (24 uploaded pictures, resized as an
upload is), 20% in one of the stories (one story per 200 articles), and the glossary's terms
explained where the text uses them, as saving does. Each has a Spanish-like original,
paragraph for paragraph (``articles.devtools.synthetic.spanish``): about two million pairs
for the translation memory at 100,000 articles, paired by ``build_paragraph_pairs``. Rows
go in with COPY, in batches; the generated search column is computed by PostgreSQL as for
any insert. ``--clear`` removes earlier synthetic
articles (their import key starts with "synthetic-") first.
"""

import datetime
import random
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import figures, glossary
from articles.devtools.synthetic import NAMES, SOURCES, TOPICS, WORDS, spanish, vocabulary
from articles.models import Article, GlossaryTerm, Image, Person, Source, Thread, Topic
from articles.models.words import add_common_words
from articles.text import fold, headline_key

KEY_PREFIX = "synthetic-"
PICTURES = 24
TERMS = [
    ("Mañanera", "The president's morning press conference, held every weekday."),
    ("Morena", "The governing party, founded by Andrés Manuel López Obrador in 2014."),
    ("Zapatista", "Of the Zapatista Army of National Liberation (EZLN), in Chiapas since 1994."),
    ("Ayotzinapa", "The rural teachers' college whose 43 students disappeared in 2014."),
    ("Pemex", "Petróleos Mexicanos, the state oil company."),
    ("Zócalo", "Mexico City's main square, in front of the National Palace."),
    ("cooperative", "A business owned and run by its members."),
    ("assembly", "In indigenous communities, the meeting that decides common matters."),
]


class Command(BaseCommand):
    help = "Add N synthetic articles for benchmarks (see the module docstring)."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--clear", action="store_true", help="remove earlier synthetic rows")
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--unless-filled",
            action="store_true",
            help="do nothing when COUNT synthetic articles are there already",
        )

    def handle(self, *args, count, clear, batch, seed, unless_filled, **options):
        there = Article.objects.filter(import_key__startswith=KEY_PREFIX).count()
        if unless_filled and there >= count:
            self.stdout.write(f"{there:,} synthetic articles there already")
            return
        rng = random.Random(seed)
        started = time.monotonic()
        if clear:
            deleted, _ = Article.objects.filter(import_key__startswith=KEY_PREFIX).delete()
            self.stdout.write(f"removed {deleted} rows")
        sources = [
            Source.objects.get_or_create(
                name=name, defaults={"slug": slugify(name), "description": description}
            )[0]
            for name, description in SOURCES
        ]
        topics = [
            Topic.objects.get_or_create(name=name.strip(), defaults={"slug": slugify(name)})[0]
            for name in TOPICS
        ]
        people = self._people(rng)
        pictures = self._pictures(rng)
        for term, explanation in TERMS:
            GlossaryTerm.objects.get_or_create(
                slug=slugify(term), defaults={"term": term, "explanation": explanation}
            )
        stories = self._stories(count)
        first = Article.objects.filter(import_key__startswith=KEY_PREFIX).count()
        words, weights = vocabulary(rng)
        done = 0
        while done < count:
            size = min(batch, count - done)
            numbers = range(first + done, first + done + size)
            self._insert(rng, numbers, sources, topics, people, words, weights, pictures, stories)
            done += size
            rate = done / (time.monotonic() - started)
            self.stdout.write(f"{done:,}/{count:,} articles ({rate:,.0f}/s)")
        if not connection.in_atomic_block:  # (inside a test's transaction it cannot run)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum would, soon after a bulk load
        added = add_common_words(analyze=connection.in_atomic_block)  # as an operator would
        self.stdout.write(f"{len(added)} common words added")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{count:,} articles in {elapsed:,.0f} s"))

    def _people(self, rng):
        people = list(Person.objects.filter(slug__startswith="synthetic-"))
        if people:
            return people
        first = ["Ana", "Luis", "María", "Jorge", "Sofía", "Tom", "Ruth", "Iván", "Elena", "Raúl"]
        last = ["Reyes", "Smith", "Ortega", "Brown", "Núñez", "Walker", "Díaz", "Kim", "Soto"]
        names = sorted({f"{rng.choice(first)} {rng.choice(last)}" for _ in range(300)})
        return Person.objects.bulk_create(
            Person(name=name, slug=f"synthetic-{slugify(name)}") for name in names
        )

    def _pictures(self, rng):
        """Uploaded pictures (made here, then stored and resized as an upload is)."""
        pictures = list(Image.objects.filter(alt__startswith="Synthetic picture"))
        if pictures:
            return pictures
        from io import BytesIO

        from django.core.files.base import ContentFile
        from PIL import Image as Pillow
        from PIL import ImageDraw

        for number in range(PICTURES):
            picture = Pillow.new("RGB", (1600, 1067), tuple(rng.randrange(256) for _ in "rgb"))
            draw = ImageDraw.Draw(picture)
            for _ in range(40):  # shapes, so that it compresses like a photograph would not
                x, y = rng.randrange(1600), rng.randrange(1067)
                colour = tuple(rng.randrange(256) for _ in "rgb")
                draw.ellipse((x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 300)), colour)
            out = BytesIO()
            picture.save(out, format="JPEG", quality=85)
            image = Image(
                alt=f"Synthetic picture {number}",
                caption=f"A caption for synthetic picture {number}.",
                credit="Photo: Synthetic",
                file=ContentFile(out.getvalue(), name=f"synthetic-{number}.jpg"),
            )
            image.save()  # cleaned and resized as an upload is
            pictures.append(image)
        return pictures

    def _stories(self, count):
        wanted = max(1, count // 200)
        there = list(Thread.objects.filter(slug__startswith="synthetic-story-"))
        Thread.objects.bulk_create(
            Thread(name=f"Synthetic story {n}", slug=f"synthetic-story-{n}")
            for n in range(len(there), wanted)
        )
        stories = Thread.objects.filter(slug__startswith="synthetic-story-")
        return list(stories.values_list("pk", flat=True))

    @transaction.atomic
    def _insert(self, rng, numbers, sources, topics, people, words, weights, pictures, stories):
        now = timezone.now()
        span = datetime.timedelta(days=3650).total_seconds()
        known_terms = GlossaryTerm.objects.for_rendering()
        columns = [
            "headline", "slug", "dek", "body", "body_html", "status", "published_at",
            "source_id", "original_headline", "original_url", "original_language",
            "original_published_on", "headline_key", "source_name", "import_key",
            "created_at", "updated_at", "search_body", "dateline", "import_fingerprint",
            "original_body", "status_changed_at", "lead_image_id", "body_images", "thread_id",
            "glossary_terms",
        ]  # fmt: skip

        rows = []
        for number in numbers:
            # Each article is about a few topical words and names, used now and then.
            theme = rng.sample(WORDS, 3) + rng.sample(NAMES, 2)

            def sentence(n, theme=theme):
                chosen = rng.choices(words, cum_weights=weights, k=n)
                for _ in range(max(1, n // 15)):
                    chosen[rng.randrange(n)] = rng.choice(theme)
                text = " ".join(chosen)
                return text[0].upper() + text[1:]

            headline = sentence(rng.randint(6, 12))
            paragraphs = [f"{sentence(rng.randint(20, 50))}." for _ in range(rng.randint(14, 26))]
            published = now - datetime.timedelta(seconds=rng.random() * span)
            source = rng.choice(sources)
            html = "\n".join(f"<p>{p}</p>" for p in paragraphs)
            in_text = []
            if rng.random() < 0.1:
                picture = rng.choice(pictures)
                paragraphs.insert(2, f"![](image:{picture.pk})")
                html = html.replace("</p>\n", "</p>\n" + figures.figure_html(picture) + "\n", 1)
                in_text = [picture.pk]
            html, terms = glossary.explain(html, known_terms)
            lead = rng.choice(pictures).pk if rng.random() < 0.4 else None
            story = rng.choice(stories) if rng.random() < 0.2 else None
            rows.append(
                (
                    headline,
                    f"{slugify(headline)[:200]}-{number}",
                    f"{sentence(rng.randint(12, 25))}.",
                    "\n\n".join(paragraphs),
                    html,
                    "draft" if rng.random() < 0.02 else "published",
                    published,
                    source.pk,
                    sentence(8),
                    f"https://example.org/{number}",
                    "es",
                    (published - datetime.timedelta(days=rng.randint(0, 6))).date(),
                    headline_key(headline),
                    source.name,
                    f"{KEY_PREFIX}{number:08d}",
                    published,
                    published,
                    fold("\n\n".join(paragraphs)),
                    "",
                    "",
                    "\n\n".join(spanish(p) for p in paragraphs if not p.startswith("![")),
                    published,
                    lead,
                    in_text,
                    story,
                    terms,
                )
            )
        with connection.cursor() as cursor:
            table = Article._meta.db_table
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            keys = [row[14] for row in rows]
            cursor.execute(f"SELECT id FROM {table} WHERE import_key = ANY(%s)", [keys])
            ids = [row[0] for row in cursor.fetchall()]
            links = {"topic": [], "translators": [], "authors": []}
            for article_id in ids:
                for topic in rng.sample(topics, rng.randint(1, 3)):
                    links["topic"].append((article_id, topic.pk))
                links["translators"].append((article_id, rng.choice(people).pk))
                links["authors"].append((article_id, rng.choice(people).pk))
            through = {
                "topic": (Article.topics.through, "topic_id"),
                "translators": (Article.translators.through, "person_id"),
                "authors": (Article.authors.through, "person_id"),
            }
            for kind, (model, column) in through.items():
                sql = f"COPY {model._meta.db_table} (article_id, {column}) FROM STDIN"
                with cursor.copy(sql) as copy:
                    for row in links[kind]:
                        copy.write_row(row)
