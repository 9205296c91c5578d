"""The OpenAPI document is valid, and a schemathesis run against it yields no 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate


def test_document_is_valid_openapi(demo_app):
    doc = demo_app.test_client().get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert {"/api/v1/enterprises", "/api/v1/siting/check", "/api/v1/conflicts"} <= set(doc["paths"])


def test_schemathesis_finds_no_server_errors(demo_app):
    """Property-based requests generated from the document, every operation; no 5xx."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 12
    failures = []
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call(headers={"Authorization": f"Bearer {demo_app.config['TEST_TOKEN']}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} → {response.status_code}")

        run()
    assert failures == []
