"""Published releases as the API answers them: the frozen figures the statistics pages show ("<10",
or a multiple of 5), with the tables' titles and the categories' names in the caller's language."""

from casework.models import Release
from casework.stats.catalogue import LABELS, TABLES
from casework.stats.exports import release_data


def summary(release: Release) -> dict:
    data = release_data(release)
    return {
        "id": release.period,
        "period": release.period,
        "released_on": data["released_on"],
        "epsilon_for_the_period": data["epsilon_for_the_period"],
    }


def whole(release: Release) -> dict:
    data = release_data(release)
    tables = [
        {
            "id": table["id"],
            "title": str(TABLES[table["id"]].title),
            "epsilon": table["epsilon"],
            **({"epsilon_of_the_total": table["epsilon_of_the_total"]} if "epsilon_of_the_total" in table else {}),
            "cells": [
                {
                    "category": cell["category"],
                    "label": str(LABELS.get(cell["category"], cell["category"])),
                    "value": cell["value"],
                }
                for cell in table["cells"]
            ],
            "total": table["total"],
        }
        for table in data["tables"]
    ]
    return {
        **summary(release),
        "display_rule": data["display_rule"],
        "privacy_unit": data["privacy_unit"],
        "tables": tables,
    }
