"""People: normalising and indexing their identifiers, finding them, storing their documents, erasing them."""
