import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags
from PIL import Image as Pillow

from articles.models import Article, Image, Person, RelatedStory, Source, Topic


def picture_file(
    name="photo.jpg", size=(800, 500), image_format="JPEG", orientation=None, gps=False
):
    """An uploaded picture made on the spot (optionally with a camera's orientation and a
    GPS position in its EXIF data)."""
    picture = Pillow.new("RGB", size, (180, 60, 40))
    picture.paste((20, 90, 160), (0, 0, size[0] // 2, size[1] // 3))  # a shape: not uniform
    exif = Pillow.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if gps:
        exif[ExifTags.Base.Make] = "TestCam"
        position = exif.get_ifd(ExifTags.IFD.GPSInfo)
        position[ExifTags.GPS.GPSLatitudeRef] = "N"
        position[ExifTags.GPS.GPSLatitude] = (19.0, 26.0, 0.0)
    out = io.BytesIO()
    options = {"exif": exif} if (orientation or gps) else {}
    picture.save(out, format=image_format, **options)
    content_type = "image/" + image_format.lower().replace("jpeg", "jpeg")
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


class ImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Image

    file = factory.LazyFunction(picture_file)
    alt = factory.Sequence(lambda n: f"Teachers march on the Zócalo, picture {n}")
    caption = "The march reached the square at noon."
    credit = "Photo: Proceso"


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
