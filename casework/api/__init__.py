"""The JSON API under /api/v1 for the foundation's intake channels, reached with scoped integration tokens."""

#: Where the API's URLs start; `casework.web` and `casework.errors` ask it whether a request is the API's.
API_PREFIX = "/api/v1"


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")
