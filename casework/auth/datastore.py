"""Flask-Security's user store, with the lookup every signed-in request makes built once.

Flask-Security finds the signed-in account by its `fs_uniquifier` on every request, building a new
SELECT each time, and joined the roles table a second time for `User.roles`: in a profile of the
signed-in help page the lookup was a third of the request, and building its statement a sixth of
the lookup. Here each kind of lookup is built once, with the value as a bound parameter, and the
account's single role comes with it through `User.role`'s join alone.
"""

from functools import cache

from flask_security import SQLAlchemyUserDatastore
from sqlalchemy import Select, bindparam, func, select

from casework.models import User


@cache
def _lookup(attribute: str, case_insensitive: bool) -> Select:
    column = getattr(User, attribute)
    if case_insensitive:
        return select(User).where(func.lower(column) == func.lower(bindparam("value")))
    return select(User).where(column == bindparam("value"))


class UserDatastore(SQLAlchemyUserDatastore):
    def find_user(self, case_insensitive: bool = False, **kwargs) -> User | None:
        ((attribute, value),) = kwargs.items()  # Flask-Security asks by one unique attribute at a time
        return self.db.session.scalar(_lookup(attribute, case_insensitive), {"value": value})
