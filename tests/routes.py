"""Every URL the app serves, built from its URL map, so that new routes are tested automatically."""

from werkzeug.routing import Rule

#: Values for URL variables by converter; ids that exist in the tests come from the fixtures.
SAMPLE_VALUES = {"integer": 1, "unicode": "sample", "path": "sample", "uuid": "00000000-0000-4000-8000-000000000000"}


def build(app, rule: Rule, **overrides) -> str:
    values = {}
    for name, converter in rule._converters.items():  # noqa: SLF001  (werkzeug exposes no public accessor)
        kind = type(converter).__name__.removesuffix("Converter").lower()
        values[name] = overrides.get(name, SAMPLE_VALUES.get(kind, "sample"))
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values)


def rules(app, method: str):
    return [rule for rule in app.url_map.iter_rules() if method in rule.methods and rule.endpoint != "static"]


#: Answers that are files or images, not pages to lay out or validate.
NOT_PAGES = {"cases.download", "stats.release_csv", "stats.release_json", "stats.chart", "static", "health.healthz"}


def pages(app, role: str, ids: dict) -> list[str]:
    """Every page `role` may open (by the capability table) whose URL variables `ids` can fill."""
    from casework.permissions import ROLE_CAPABILITIES, capability_of

    paths = set()
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.endpoint.startswith("security."):
                continue
            if capability_of(app, rule.endpoint) in ROLE_CAPABILITIES[role] and set(rule.arguments) <= set(ids):
                paths.add(adapter.build(rule.endpoint, {name: ids[name] for name in rule.arguments}))
    return sorted(paths)
