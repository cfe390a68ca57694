"""Entry point of the PyInstaller bundle: the same command line as the ``annotator`` script."""

import multiprocessing

from annotator.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # spaCy's --jobs workers start from the frozen executable
    raise SystemExit(main())
