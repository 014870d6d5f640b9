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
