"""Flask extensions, created unbound so that `create_app` can bind them to any configuration."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_security import Security
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from casework.babel_domain import CaseworkBabel
from casework.passwords import CommonPasswordRefusingUtil
from casework.totp import SingleUseTotp

#: Stable constraint names, so that migrations can drop and recreate them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
security = Security(totp_cls=SingleUseTotp, password_util_cls=CommonPasswordRefusingUtil)
babel = CaseworkBabel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
