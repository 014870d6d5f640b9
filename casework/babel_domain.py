"""Flask-Babel, finding the request's catalogue in one step per string.

Flask-Babel looks a string's catalogue up afresh for every string it translates: it walks the request
context three times and rebuilds the locale's name. A case page translates some 180 strings (its
forms' labels and choices are lazy strings, translated when rendered), and those lookups were a
quarter of its rendering time. Here the catalogue is kept per locale, so a lookup is one dictionary
step after the locale; a `force_locale` block still gets its own locale's catalogue.
"""

from flask_babel import Babel, Domain, get_locale
from werkzeug.utils import cached_property


class OneLookupDomain(Domain):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._by_locale: dict = {}

    def get_translations(self):
        locale = get_locale()
        try:
            return self._by_locale[locale]
        except KeyError:
            return self._by_locale.setdefault(locale, super().get_translations())


class CaseworkBabel(Babel):
    @cached_property
    def domain_instance(self) -> OneLookupDomain:
        return OneLookupDomain(domain=self.domain)
