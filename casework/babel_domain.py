"""Flask-Babel, finding the request's catalogue in one step per string.

Flask-Babel looks a string's catalogue up afresh for every string it translates: it walks the request
context three times and rebuilds the locale's name. A case page translates some 180 strings (its
forms' labels and choices are lazy strings, translated when rendered), and those lookups were a
quarter of its rendering time. Here the catalogue is kept per locale, so a lookup is one dictionary
step after the locale; a `force_locale` block still gets its own locale's catalogue. The catalogue
last returned is kept beside the locale it is for, and a request asks for the same locale object
every time: most lookups end at that identity check, before Babel's locale is hashed and compared
(five attribute tests a comparison, some 1,100 calls on a case page).
"""

from flask_babel import Babel, Domain, get_locale
from werkzeug.utils import cached_property


class OneLookupDomain(Domain):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._by_locale: dict = {}
        # A fresh object, which no locale is: the first lookup goes to the dictionary.
        self._last: tuple = (object(), None)

    def get_translations(self):
        locale = get_locale()
        last_locale, last_catalogue = self._last
        if locale is last_locale:
            return last_catalogue
        try:
            catalogue = self._by_locale[locale]
        except KeyError:
            catalogue = self._by_locale.setdefault(locale, super().get_translations())
        self._last = (locale, catalogue)
        return catalogue


class CaseworkBabel(Babel):
    @cached_property
    def domain_instance(self) -> OneLookupDomain:
        return OneLookupDomain(domain=self.domain)
