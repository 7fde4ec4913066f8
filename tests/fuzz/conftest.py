"""Hypothesis profiles for the hostile-input tests.

``ci`` (the default) runs a few examples per target, derandomized so that every run of the suite tries the
same inputs; ``fuzz`` (``make fuzz``, or ``HYPOTHESIS_PROFILE=fuzz``) runs thousands, freshly random each time,
and remembers the failures it finds in ``.hypothesis/`` so that the next run tries them first.
"""

import os

from hypothesis import HealthCheck, settings

from tests.projects.test_image_bombs import activity, signed_agreement  # noqa: F401  (fixtures for the upload tests)

# Django's test client and the database fixtures are function-scoped: each example runs in a savepoint of
# its own inside the test's transaction (see ``rolled_back``), so sharing the fixture is what we want.
SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", 6)),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=SUPPRESSED,
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", 2000)),
    deadline=None,
    print_blob=True,
    suppress_health_check=SUPPRESSED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
