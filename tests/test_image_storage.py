"""Images on an S3-compatible object store (``MEDIA_S3_BUCKET``), so that app servers keep no
files: an upload in the admin lands in the bucket, copies included, and the pages' addresses
fetch them from there. The store is moto's S3 server, spoken to over HTTP by boto3 as a real
one would be."""

import json
import socket
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.conf import settings

from articles import uploads
from articles.models import Image
from tests.factories import ArticleFactory, picture_file

pytestmark = pytest.mark.django_db

BUCKET = "archive-media"
PUBLIC_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ],
    }
)


@pytest.fixture
def object_store(monkeypatch, settings):
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    # As the README says to: anyone may read the bucket's objects (pages link to them).
    client.put_bucket_policy(Bucket=BUCKET, Policy=PUBLIC_READ)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "location": "media",
                "querystring_auth": False,
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    yield client, endpoint
    server.stop()


def test_an_upload_goes_to_the_object_store_and_pages_load_it_from_there(
    object_store, editor_client, client
):
    s3, endpoint = object_store
    before = set(Path(settings.MEDIA_ROOT).rglob("*"))
    response = editor_client.post(
        "/admin/articles/image/add/",
        {"file": picture_file(size=(700, 400)), "alt": "The march", "url": ""},
    )
    assert response.status_code == 302
    image = Image.objects.get()
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    expected = {f"media/{image.file.name}"} | {
        f"media/{uploads.rendition_name(image.file.name, w)}" for w in (320, 640, 700)
    }
    assert keys == expected
    assert set(Path(settings.MEDIA_ROOT).rglob("*")) == before  # nothing on this server

    article = ArticleFactory(lead_image=image)
    html = client.get(article.get_absolute_url()).content.decode()
    address = f"{endpoint}/{BUCKET}/media/{uploads.rendition_name(image.file.name, 640)}"
    assert f"{address} 640w" in html
    with urllib.request.urlopen(address) as answer:
        assert answer.read(4) == b"RIFF"
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert f'content="{endpoint}/{BUCKET}/media/{image.file.name}"' in html  # og:image
