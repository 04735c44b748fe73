import datetime

import factory
from django.utils import timezone

from articles.models import Article, Person, RelatedStory, Source, Topic


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
        skip_postgeneration_save = True

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

    @factory.post_generation
    def authors(self, create, people, **kwargs):
        if create and people:
            self.authors.set(people)

    @factory.post_generation
    def translators(self, create, people, **kwargs):
        if create and people:
            self.translators.set(people)

    @factory.post_generation
    def topics(self, create, topics, **kwargs):
        if create and topics:
            self.topics.set(topics)

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


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.Sequence(lambda n: f"person-{n}")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "A subject."
