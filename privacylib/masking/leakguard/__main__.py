"""python -m privacylib.masking.leakguard FOLDER DATA: scan a finished folder
against the raw values of a data folder, and list every hit (or "no leak")."""

import sys

from privacylib.config.mapping import load_mapping
from privacylib.intake.ingest import load
from privacylib.masking.leakguard.guard import scan_folder
from privacylib.masking.leakguard.values import raw_values

loaded = load(sys.argv[2], mapping=load_mapping(None, sys.argv[2]), progress=False)
found = scan_folder(sys.argv[1], raw_values(loaded.con))
print("\n".join(leak.line() for leak in found) or "no leak")
