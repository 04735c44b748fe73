import datetime

import factory
from django.utils import timezone

from articles.models import Article, RelatedStory, Source


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Source {n}")
    slug = factory.Sequence(lambda n: f"source-{n}")
    description = "a daily newspaper"
    url = "https://example.org/"
    language = "es"


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    headline = factory.Sequence(lambda n: f"Headline number {n}")
    slug = factory.Sequence(lambda n: f"headline-number-{n}")
    dek = factory.Sequence(lambda n: f"Summary of story {n}.")
    body = "First paragraph of the story.\n\n## A subheading\n\nSecond paragraph."
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    source = factory.SubFactory(SourceFactory)
    original_published_on = factory.LazyAttribute(
        lambda a: timezone.localdate(a.published_at) - datetime.timedelta(days=3)
    )
    original_authors = "Ana Reporter"
    translator = "Tom Translator"

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))
        )


class RelatedStoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedStory

    article = factory.SubFactory(ArticleFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Related title {n}")
    summary = "One sentence about it."
