"""Kept files in S3-compatible object storage (django-storages), configured from the
environment, against a real S3 API served locally (moto's server): keep, read back verified,
the health check, and backup → restore."""

import json
import os
import socket
import subprocess
import sys
from importlib import import_module

import boto3
import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from filestore.models import Purpose, StoredFile
from filestore.store import do_keep_file, read_verified, stash_upload
from operations.health import check_storage

BUCKET = "statsbidrag-filer"


@pytest.fixture(autouse=True)
def _reference_data(request):
    # A transactional test starts from the flushed database: put the migration's data back.
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        import_module("grants.migrations.0002_regions_and_roles").add_reference_data(
            django_apps, None
        )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="nyckel",
        aws_secret_access_key="hemlig",
        region_name="eu-north-1",
    )
    # moto keeps its state per process: the bucket may be there from this module's first start
    # (pytest-django runs the transactional test last, so the module fixture can start twice).
    try:
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
        )
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass
    yield endpoint
    server.stop()


def storage_from_environment(endpoint) -> dict:
    """STORAGES["default"] as config/settings.py builds it from the FILES_S3_ variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FILES_")}
    env.update(
        STATSBIDRAG_ENV_FILE=os.devnull,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        FILES_S3_BUCKET=BUCKET,
        FILES_S3_ENDPOINT=endpoint,
        FILES_S3_REGION="eu-north-1",
        FILES_S3_ACCESS_KEY="nyckel",
        FILES_S3_SECRET_KEY="hemlig",
    )
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    config = storage_from_environment(s3_endpoint)
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"]["default_acl"] == "private"
    settings.STORAGES = {**settings.STORAGES, "default": config}
    return config


def test_files_are_kept_in_the_bucket_and_read_back_verified(s3_storage, users):
    stored = do_keep_file(
        b"%PDF-1.7 rekvisition",
        file_name="rekvisition.pdf",
        owner=users["officer"],
        purpose=Purpose.DOCUMENT,
    )
    pending = stash_upload(
        SimpleUploadedFile("huvudbok.csv", b"Konto;Belopp\n5410;100\n"), purpose=Purpose.LEDGER
    )
    upload = pending.keep(users["finance"])
    assert read_verified(stored) == b"%PDF-1.7 rekvisition"
    assert read_verified(upload) == b"Konto;Belopp\n5410;100\n"
    keys = {
        obj["Key"]
        for obj in boto3.client(
            "s3",
            endpoint_url=s3_storage["OPTIONS"]["endpoint_url"],
            aws_access_key_id="nyckel",
            aws_secret_access_key="hemlig",
            region_name="eu-north-1",
        ).list_objects_v2(Bucket=BUCKET)["Contents"]
    }
    assert {stored.file.name, upload.file.name} <= keys
    assert check_storage() is None


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_with_the_files_in_the_bucket(s3_storage, users, tmp_path):
    stored = do_keep_file(
        b"fil i molnet", file_name="a.txt", owner=users["officer"], purpose=Purpose.DOCUMENT
    )
    call_command("backup", output=tmp_path / "kopia.tar", verbosity=0)
    default_storage.delete(stored.file.name)
    call_command("flush", interactive=False, verbosity=0)
    assert not StoredFile.objects.exists()
    call_command("restore", str(tmp_path / "kopia.tar"), interactive=False, verbosity=0)
    assert read_verified(StoredFile.objects.get()) == b"fil i molnet"
