"""Files shipped with the package: label schema, guidelines, icons, stylesheet."""
