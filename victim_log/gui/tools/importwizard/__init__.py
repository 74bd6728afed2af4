"""The import wizard, one module per page (see :mod:`.wizard`)."""
