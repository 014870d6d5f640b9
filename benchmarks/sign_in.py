"""How long a sign-in takes: argon2id hashing, and the two requests (password, then code).

Argon2id is meant to be slow; this shows how slow on this machine, so that the parameters can be
weighed against how many sign-ins a small foundation's server handles.
"""

import tempfile
import time
import uuid
from pathlib import Path

from flask_security import hash_password, verify_password

from benchmarks.common import csrf_from, ms
from benchmarks.report import say
from casework import create_app
from casework.extensions import db, security
from casework.keyring import generate_keys, write_key_file
from casework.models import ROLE_NAMES, Role, User

PASSWORD = "benchmark passphrase that is long enough"
RUNS = 30


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        key_file = Path(folder) / "keys.json"
        write_key_file(key_file, generate_keys(), new=True)
        app = create_app(
            {
                "CASEWORK_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                "CASEWORK_KEY_FILE": str(key_file),
                "RATELIMIT_STORAGE_URI": "memory://",
                "CASEWORK_LOGIN_LIMIT_ACCOUNT": "1000 per minute",
                "CASEWORK_LOGIN_LIMIT_ADDRESS": "1000 per minute",
            }
        )
        with app.app_context():
            db.create_all()
            db.session.add_all(Role(name=name) for name in ROLE_NAMES)
            hashes, verifies = [], []
            for _ in range(RUNS):
                started = time.perf_counter()
                hashed = hash_password(PASSWORD)
                hashes.append(time.perf_counter() - started)
                started = time.perf_counter()
                verify_password(PASSWORD, hashed)
                verifies.append(time.perf_counter() - started)
            user = User(
                email="bench@casework.example.org",
                password=hashed,
                role=db.session.scalar(db.select(Role).where(Role.name == "volunteer")),
                fs_uniquifier=uuid.uuid4().hex,
                tf_primary_method="authenticator",
                tf_totp_secret=security.totp_factory.generate_totp_secret(),
            )
            db.session.add(user)
            db.session.commit()
            secret = user.tf_totp_secret
        totp = security.totp_factory._totp.from_source(secret)  # noqa: SLF001
        password_step, code_step = [], []
        for run in range(RUNS):
            client = app.test_client()
            token = csrf_from(client.get("/login").get_data(as_text=True))
            started = time.perf_counter()
            client.post("/login", data={"email": "bench@casework.example.org", "password": PASSWORD, "csrf_token": token})
            password_step.append(time.perf_counter() - started)
            token = csrf_from(client.get("/tf-validate").get_data(as_text=True))
            code = totp.generate(time.time() + 30 * (run % 4 - 2)).token
            with app.app_context():
                db.session.execute(db.update(User).values(tf_totp_last_counter=None))
                db.session.commit()
            started = time.perf_counter()
            client.post("/tf-validate", data={"code": code, "csrf_token": token})
            code_step.append(time.perf_counter() - started)
    say(f"sign-in ({RUNS} runs, SQLite)")
    say(f"  argon2id hash            {ms(hashes)}")
    say(f"  argon2id verify          {ms(verifies)}")
    say(f"  POST /login (password)   {ms(password_step)}")
    say(f"  POST /tf-validate (code) {ms(code_step)}")


if __name__ == "__main__":
    main()
