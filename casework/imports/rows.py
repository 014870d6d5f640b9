"""A spreadsheet row checked as the intake form checks a case: the same fields, validators and
cross-checks (`cases.forms`), so an imported case obeys exactly the rules a typed one does.

The cells are first turned into what a browser would post for the form: a coded answer into its
code (`facts.value_table`, then what the coordinator mapped by hand), a date into ISO, a number
into digits. A cell that cannot be turned is a problem of its own, reported at its fact.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from casework.cases.forms import CaseFields, CrossChecked, PersonFields
from casework.i18n import _l
from casework.imports import facts
from casework.imports.sheets import Row
from casework.people import normalise

UNKNOWN_VALUE = _l("This value is not one of the choices. Map it to a choice, or correct the sheet.")
UNREADABLE_DATE = _l("This date could not be read. Write it as day.month.year (31.12.1990) or 1990-12-31.")
NOT_A_NUMBER = _l("This is not a whole number.")
NOT_YES_OR_NO = _l('Write "yes" or "no".')


class RowForm(CrossChecked, FlaskForm, PersonFields, CaseFields):
    """The intake form's person and case fields; consent is the import's own (vouched for once)."""

    class Meta:
        csrf = False


@dataclass
class CheckedRow:
    number: int
    data: dict
    #: fact -> translated messages
    problems: dict[str, list[str]] = field(default_factory=dict)
    #: field labels by fact, for reports
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems


class Interpreter:
    """Turns a sheet's rows into intake answers, given the fact of each column and `resolve`, which
    answers the code of a cell the built-in spellings do not know (or None)."""

    def __init__(self, columns: list[str], resolve=lambda _fact, _normal: None):
        self.columns = columns
        self.resolve = resolve
        self.tables = {fact: facts.value_table(fact) for fact in set(columns) if fact in facts.CODED}
        self.countries = facts.country_table() if "other_citizenship" in columns else {}

    def code(self, fact: str, part: str) -> str | None:
        normal = facts.normal(part)
        table = self.countries if fact == "other_citizenship" else self.tables[fact]
        return table.get(normal) or self.resolve(fact, normal)

    def unknown_values(self, rows) -> dict[str, list[str]]:
        """For each coded column, the distinct normalised values neither built in nor mapped."""
        unknown: dict[str, dict[str, None]] = {}
        for row in rows:
            for fact, cell in zip(self.columns, row.cells, strict=True):
                if (fact in self.tables or fact == "other_citizenship") and not _blank(cell):
                    for part in facts.parts(fact, _text(cell)):
                        if self.code(fact, part) is None:
                            unknown.setdefault(fact, {})[facts.normal(part)] = None
        return {fact: sorted(values) for fact, values in unknown.items()}

    def posted(self, row: Row) -> tuple[MultiDict, dict[str, list[str]]]:
        form, problems = MultiDict(), {}
        for fact, cell in zip(self.columns, row.cells, strict=True):
            if not fact or _blank(cell):
                continue
            if fact in self.tables or fact == "other_citizenship":
                codes = [self.code(fact, part) for part in facts.parts(fact, _text(cell))]
                if None in codes:
                    problems[fact] = [str(UNKNOWN_VALUE)]
                form.setlist(fact, [code for code in codes if code])
            elif fact in facts.DATES:
                day = facts.read_date(cell)
                if day is None:
                    problems[fact] = [str(UNREADABLE_DATE)]
                else:
                    form[fact] = day.isoformat()
            elif fact in facts.NUMBERS:
                number = _whole(cell)
                if number is None:
                    problems[fact] = [str(NOT_A_NUMBER)]
                else:
                    form[fact] = str(number)
            elif fact in facts.FLAGS:
                answer = facts.value_table("exit_ban").get(facts.normal(_text(cell)))
                if answer not in ("yes", "no"):
                    problems[fact] = [str(NOT_YES_OR_NO)]
                elif answer == "yes":
                    form[fact] = "y"
            else:
                form[fact] = _text(cell)
        return form, problems

    def check(self, row: Row) -> CheckedRow:
        posted, problems = self.posted(row)
        form = RowForm(formdata=posted)
        form.validate()
        for name, errors in form.errors.items():
            problems.setdefault(name, []).extend(str(error) for error in errors)
        data = {name: value for name, value in form.data.items() if name in facts.FACTS}
        labels = {name: str(form[name].label.text) for name in problems if name in form}
        return CheckedRow(row.number, data, problems, labels)


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell) -> str:
    """A cell as text; a whole number a spreadsheet keeps as a float (a phone, 79161234567.0) without
    its ".0", and a date cell in a text column as ISO."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.isoformat()[:10]
    return str(cell).strip()


def _whole(cell) -> int | None:
    text = _text(cell)
    return int(text) if text.lstrip("-").isdigit() else None


def identities(data: dict) -> set[str]:
    """What tells one person from another in a sheet, as the blind indexes compare it: contact
    details, passport, full name (either script), surname with birth year."""
    found = set()
    if data.get("email"):
        found.add("email:" + normalise.email(data["email"]))
    if data.get("phone") and (number := normalise.phone(data["phone"])):
        found.add("phone:" + number)
    if data.get("telegram"):
        found.add("telegram:" + normalise.telegram(data["telegram"]))
    if data.get("passport_number"):
        found.add("passport:" + normalise.passport(data["passport_number"]))
    for script in ("latin", "cyrillic"):
        surname, given = data.get(f"surname_{script}"), data.get(f"given_names_{script}")
        if surname and given:
            found.add(f"name:{normalise.name_skeleton(surname)}|{normalise.name_skeleton(given)}")
        if surname and data.get("date_of_birth"):
            found.add(f"born:{normalise.name_skeleton(surname)}|{data['date_of_birth'].year}")
    return found
