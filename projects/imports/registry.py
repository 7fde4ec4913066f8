"""Which records can be imported: importer key → importer class. Apps register theirs when loaded."""

IMPORTERS: dict[str, type] = {}


def register(importer_class):
    IMPORTERS[importer_class.key] = importer_class
    return importer_class


def importer_for(key: str, user):
    """The importer of ``key`` for ``user``, or None when there is no such importer."""
    importer_class = IMPORTERS.get(key)
    return importer_class(user) if importer_class else None


def importers_of(model) -> list[type]:
    return [importer for importer in IMPORTERS.values() if importer.model is model]
