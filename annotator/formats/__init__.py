"""File formats: each module reads and/or writes domain objects.

Readers yield :class:`~annotator.formats.records.Record` values and raise
:class:`~annotator.domain.errors.InputError` naming the line of a problem.
"""
