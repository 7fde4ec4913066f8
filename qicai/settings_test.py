"""Test-only overrides: fast hashing, in-memory mail, files in a temporary folder.

Tests run on the production settings (DEBUG off) and need no environment: a test-only
key stands in for SECRET_KEY.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "insecure-test-key-only-for-the-test-suite")

from qicai.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="qicai-test-media-")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Background tasks run at once, inside the request or test that enqueues them (one test runs the real
# database backend with a worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Tests sign in with force_login; the two-factor tests switch enforcement on with override_settings.
QICAI_REQUIRE_2FA = False
