"""Which files of the data folder are a dataset's, for Spark to read.

A local folder is looked at by the loader's own `discover` (intake/sources.py).
A folder Spark reads elsewhere (hdfs://, s3a://, abfss://, file://…) is
listed by Spark, and the listing laid out as empty files in a local folder
for `discover` to judge: the same rules (a file named after the dataset or a
folder of files, formats by suffix, one format a folder, ambiguity an
error) without a second copy of them. Links are a local folder's matter only.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from privacylib.config.mapping import Mapping
from privacylib.errors import UsageError
from privacylib.intake.readers import SourceFile
from privacylib.intake.sources import discover

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.DOTALL)
# Hadoop's glob characters (GlobPattern), each taken literally once escaped.
_GLOB = re.compile(r"[\\{}\[\]*?]")


def is_uri(data_dir: str | Path) -> bool:
    return isinstance(data_dir, str) and bool(_URI.match(data_dir))


def path_key(path: str) -> str:
    """One spelling of a file's raw address, however Spark or we wrote its
    scheme ('file:/a b', 'file:///a b' and '/a b' are the same file). Raw:
    as binaryFile's `path` column, a folder's listing and Hadoop's reader
    take it, never decoded ('p%41' is not 'pA'), a '#' or '?' part of a name."""
    match = _SCHEME.match(path)
    scheme, rest = (match[1].lower(), match[2]) if match else ("file", path)
    host = ""
    if rest.startswith("//"):
        host, _, rest = rest[2:].partition("/")
        rest = "/" + rest
    return f"{scheme}://{host}{re.sub('/+', '/', rest)}"


def file_key(uri: str) -> str:
    """path_key of an address written as a URI, encoded (`DataFrame.inputFiles()`
    gives 'file:///a%20b/p%2541.parquet' for the file 'a b/p%41.parquet'):
    decoded once. Never for a raw path, which it would decode again. (urlsplit:
    urlparse would cut a name at a ';', which a URI leaves as it is.)"""
    parsed = urlsplit(uri)
    return path_key(f"{parsed.scheme or 'file'}://{parsed.netloc}{unquote(parsed.path)}")


def glob_escaped(address: str) -> str:
    """An address as Hadoop's reader takes it literally: it reads each as a
    glob pattern, where '{x,y}.csv' is no file and 'a[1].csv' is a1.csv."""
    return _GLOB.sub(r"\\\g<0>", address)


def local_files(data_dir: Path, dataset: str,
                source: str | None) -> tuple[list[SourceFile], list[str]]:
    """The dataset's files (named as the loader names them) and the
    addresses Spark reads them by, in the same order."""
    files = discover(data_dir, dataset, source)
    return files, [f"file://{f.path.absolute()}" for f in files]


def listed_files(listed: list[str], root: str, dataset: str,
                 source: str | None) -> tuple[list[SourceFile], list[str]]:
    """As local_files, from a listing of a folder elsewhere (`listing`)."""
    with tempfile.TemporaryDirectory(prefix="privacylib-listing-") as tmp:
        for rel in listed:
            if rel.split("/")[0].lower().split(".")[0] == dataset:
                (Path(tmp) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(tmp) / rel).touch()
        files = discover(Path(tmp), dataset, source)
    return files, [f"{root.rstrip('/')}/{f.name}" for f in files]


def listing(spark: SparkSession, root: str) -> list[str]:
    """Every file under `root`, as paths relative to it (names only: Spark
    reads no content for it; it leaves out names starting with . or _)."""
    paths = [r[0] for r in spark.read.format("binaryFile").option("recursiveFileLookup", "true")
             .load(glob_escaped(root)).select("path").collect()]
    base = path_key(root).rstrip("/") + "/"
    found = []
    for path in paths:
        key = path_key(path)
        if not key.startswith(base):  # a listing always lies under its root
            raise AssertionError(f"Spark listed {path} under {root}")
        found.append(key[len(base):])
    return sorted(found)


def remote_mapping(listed: list[str], root: str, mapping: Mapping | None) -> Mapping:
    """The mapping of a folder elsewhere: the one given; a mapping.yaml
    there is read from a local folder only, so it must be given, never
    silently left out."""
    if mapping is not None:
        return mapping
    if "mapping.yaml" in listed:
        raise UsageError(f"{root} holds a mapping.yaml, which is read from a local folder only",
                         hint="copy it here and pass it (--mapping)")
    return Mapping()
