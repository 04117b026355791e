"""Test-wide environment: dummy AWS credentials and test names, set before any app module is imported."""

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "CALLCARD_TABLE": "callcard-test",
        "CALLCARD_BUCKET": "callcard-test-recordings",
    }
)
# until the emulator starts, nothing may reach a real endpoint
os.environ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
