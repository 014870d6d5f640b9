"""Flask commands: ``users``, ``demo`` and ``translate``."""

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_security import hash_password
from sqlalchemy import select

from casework.admin import operations
from casework.batches import chunks, run_in_batches
from casework.config import PROJECT_ROOT
from casework.extensions import db, security
from casework.keys_cli import keys_cli
from casework.models import ROLE_NAMES, Case, User

users_cli = AppGroup("users", help="Manage staff accounts.")
demo_cli = AppGroup("demo", help="Demo accounts for trying Casework locally (refused in production).")
#: A plain group, registered as a Flask CLI plugin (pyproject.toml): it needs no app, so the catalogues
#: can be built before keys or a database exist.
translate_cli = click.Group("translate", help="Extract, update and compile the message catalogues.")


def _fail(message: str) -> None:
    raise click.ClickException(message)


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True)
def create_user(email: str, role: str) -> None:
    """Create an account and print its one-time setup link (password, then second factor)."""
    try:
        user = operations.invite_user(email, role)
    except operations.AdminError as refusal:
        _fail(str(refusal))
    link = operations.setup_link(user)
    db.session.commit()
    hours = current_app.config["CASEWORK_INVITE_HOURS"]
    click.echo(f"Created {role} account {user.email}.")
    click.echo(f"One-time setup link, valid for {hours} hours; hand it over privately:\n{link}")


@users_cli.command("list")
def list_users() -> None:
    """Every account with its role, state and second-factor enrolment."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if user.active else "deactivated"
        second = "2FA enrolled" if user.tf_primary_method else "2FA not enrolled"
        click.echo(f"{user.email}\t{user.role_name}\t{state}\t{second}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user(email: str) -> None:
    """Deactivate an account and end all its sessions."""
    user = operations.find_user(email)
    if user is None:
        _fail(f"No account {email}.")
    try:
        operations.deactivate(user)
    except operations.AdminError as refusal:
        _fail(str(refusal))
    db.session.commit()
    click.echo(f"Deactivated {user.email}; its sessions have ended.")


DEMO_DOMAIN = "demo.casework.example"


def _demo_email(role: str) -> str:
    return f"{role}@{DEMO_DOMAIN}"


def _demo_password(role: str) -> str:
    return f"demo {role} password, not for real use"


def _refuse_in_production() -> None:
    if current_app.config["CASEWORK_ENV"] == "production":
        _fail("Demo accounts are refused in production mode.")


def ensure_demo_account(role: str) -> User:
    """One demo account for `role`, with a password and an enrolled authenticator; reused if present."""
    user = operations.find_user(_demo_email(role))
    if user is None:
        user = operations.invite_user(_demo_email(role), role, is_demo=True)
    if not user.is_demo:
        _fail(f"{user.email} exists and is not a demo account; refusing to touch it.")
    user.password = hash_password(_demo_password(role))
    user.active = True
    if not user.tf_totp_secret:
        user.tf_primary_method = "authenticator"
        user.tf_totp_secret = security.totp_factory.generate_totp_secret()
    return user


@demo_cli.command("accounts")
def demo_accounts() -> None:
    """Create (or refresh) one DEMO account per role and print how to sign in as each."""
    _refuse_in_production()
    accounts = [ensure_demo_account(role) for role in ROLE_NAMES]
    db.session.commit()
    click.echo("DEMO ACCOUNTS (local demo only, never for real data):")
    for user in accounts:
        key = security.totp_factory.get_totp_pretty_key(user.tf_totp_secret)
        click.echo(f"  DEMO {user.role_name:<12} e-mail: {user.email}")
        click.echo(f"       password: {_demo_password(user.role_name)}")
        click.echo(f"       TOTP secret (add it to an authenticator app): {key}")
    click.echo("A current code for any demo account: .venv/bin/flask --app casework demo code ROLE")


@demo_cli.command("seed")
@click.option("--cases", "count", default=200, show_default=True, help="How many demo cases to create.")
@click.option("--seed", "seed_value", type=int, help="Random seed, for the same data every time.")
@click.option("--if-empty", is_flag=True, help="Do nothing if there are DEMO cases already.")
def demo_seed(count: int, seed_value: int | None, if_empty: bool) -> None:
    """Create synthetic DEMO people and cases (Russian names in both scripts), with a progress bar."""
    _refuse_in_production()  # first: production installs without the `demo` extra, so without faker
    import random

    from faker import Faker

    from casework.cases.demo import seed_case

    if if_empty and db.session.scalar(select(Case.id).where(Case.is_demo).limit(1)):
        click.echo("DEMO cases exist already; none added.")
        return
    coordinator = ensure_demo_account("coordinator")
    volunteer = ensure_demo_account("volunteer")
    db.session.commit()
    fake, rng = Faker("ru_RU"), random.Random(seed_value)
    if seed_value is not None:
        fake.seed_instance(seed_value)
    staff = {"coordinator": coordinator, "volunteer": volunteer}

    def seed(_number: int) -> None:
        seed_case(fake, rng, staff["coordinator"], [staff["volunteer"]])

    def release_memory() -> None:
        db.session.expunge_all()
        staff.update({role: db.session.merge(user) for role, user in staff.items()})

    run_in_batches(chunks(range(count), 200), seed, total=count, label="Creating DEMO cases", after_batch=release_memory)
    click.echo(f"{count} DEMO cases created.")


@demo_cli.command("code")
@click.argument("role", type=click.Choice(ROLE_NAMES))
def demo_code(role: str) -> None:
    """Print the current second-factor code of a demo account (each code works once)."""
    _refuse_in_production()
    user = operations.find_user(_demo_email(role))
    if user is None or not user.is_demo or not user.tf_totp_secret:
        _fail("No demo account for that role yet: run `make run` or `flask --app casework demo accounts`.")
    click.echo(security.totp_factory.generate_totp_password(user.tf_totp_secret))


def _pybabel(*args: str) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), *args], check=True, cwd=PROJECT_ROOT)


@translate_cli.command("extract")
def extract() -> None:
    """Rebuild translations/messages.pot from the code and templates."""
    _pybabel(*EXTRACT_ARGS)


@translate_cli.command("update")
def update() -> None:
    """Extract, then merge new messages into every language's catalogue."""
    _pybabel(*EXTRACT_ARGS)
    # The catalogues are kept wrapped at 100 columns: the same width every time keeps diffs to the change.
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching", "--width", "100")


@translate_cli.command("compile")
def compile_catalogues() -> None:
    """Build the .mo files that the app reads: Casework's messages, and the project's own catalogues
    of Flask-Security's messages (they override the ones Flask-Security ships, or stand in for one)."""
    _pybabel("compile", "-d", "translations", "--statistics")
    for catalogue in sorted((PROJECT_ROOT / "translations").glob("*/LC_MESSAGES/flask_security.po")):
        _pybabel("compile", "-d", "translations", "-D", "flask_security", "-l", catalogue.parent.parent.name)


EXTRACT_ARGS = (
    "extract",
    "-F",
    "babel.cfg",
    "-k",
    "_l",
    "-k",
    "_lp:1c,2",
    "--no-location",
    "--add-comments",
    "Translators:",
    "--sort-output",
    "--project",
    "Casework",
    "-o",
    "translations/messages.pot",
    ".",
)


def register_commands(app: Flask) -> None:
    from casework.api.cli import tokens_cli
    from casework.backup import backup_cli
    from casework.cases.cli import audit_cli, deadlines_cli, retention_cli
    from casework.imports.cli import import_cli
    from casework.people.document_sweep import documents_cli
    from casework.rules.cli import rules_cli
    from casework.stats.cli import stats_cli

    groups = (audit_cli, backup_cli, deadlines_cli, documents_cli, import_cli, retention_cli, rules_cli, stats_cli, tokens_cli)
    for group in groups:
        app.cli.add_command(group)
    # `keys` is also a Flask CLI plugin (pyproject.toml), so that `keys init` runs before keys exist.
    app.cli.add_command(keys_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
