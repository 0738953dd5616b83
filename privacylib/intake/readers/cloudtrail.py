"""AWS CloudTrail: the S3 delivery `{"Records": [...]}` (.json or .json.gz),
or one event a line (CloudWatch Logs, Lake, EventBridge exports; an
EventBridge event's `detail` is the CloudTrail event), or the output of `aws
cloudtrail lookup-events` (`{"Events": [...]}`, each event's
`CloudTrailEvent` a JSON text of the CloudTrail event).

Each event is kept whole, as the JSON reader keeps it (its keys are
columns, nested ones JSON text, dotted paths of the mapping read
case-sensitively), with four fields added that no mapping path can compute:
`@actor` (by userIdentity.type: the IAM user name, an assumed role's session
name, root, the invoking service, else the principal id), `@access`
(`<service>:<eventName>`, lower case, what the action table reads),
`@object` (the bucket, table or resource touched) and `@outcome` (success;
denied for AccessDenied and *UnauthorizedOperation; failed for any other
error code). A record's line is its position in the file from 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from privacylib.errors import DataError
from privacylib.intake.readers.base import RawSource, Reader, Scope, SourceFile
from privacylib.intake.readers.json import NotJson, _load, records
from privacylib.intake.readers.jsonl import PathsSeen, read_jsonl
from privacylib.intake.readers.native import loads, numbered_lines

_OBJECT_KEYS = ("bucketName", "tableName", "TableName", "dBSnapshotIdentifier",
                "dBClusterSnapshotIdentifier", "sourceDBSnapshotIdentifier",
                "dBInstanceIdentifier", "dBClusterIdentifier", "sourceArn", "tableArn")


def actor(event: dict[str, Any]) -> str | None:
    ui = event.get("userIdentity")
    ui = ui if isinstance(ui, dict) else {}
    arn = ui.get("arn") if isinstance(ui.get("arn"), str) else ""
    kind = ui.get("type")
    last = arn.rsplit("/", 1)[-1] if "/" in arn else None
    if kind == "Root":
        return "root"
    if kind == "AWSService":
        return ui.get("invokedBy") or event.get("sourceIPAddress")
    if kind == "IAMUser" and ui.get("userName"):
        return ui["userName"]
    # IAM Identity Center's own users name neither an ARN nor a principal:
    # who acted is onBehalfOf (its user id), else the actor was null.
    behalf = ui.get("onBehalfOf") if isinstance(ui.get("onBehalfOf"), dict) else {}
    return (last or ui.get("userName") or ui.get("principalId") or ui.get("principalid")
            or behalf.get("userId"))


def outcome(event: dict[str, Any]) -> str:
    code = event.get("errorCode")
    if not code:
        return "success"
    code = str(code)
    return "denied" if "AccessDenied" in code or code.endswith("UnauthorizedOperation") \
        else "failed"


def touched(event: dict[str, Any]) -> str | None:
    params = event.get("requestParameters")
    params = params if isinstance(params, dict) else {}
    for key in _OBJECT_KEYS:
        value = params.get(key)
        if isinstance(value, str) and value:
            return value.rsplit("/", 1)[-1] if key == "tableArn" else value
    resources = event.get("resources")
    if isinstance(resources, list):
        for res in resources:
            if isinstance(res, dict) and isinstance(res.get("ARN"), str):
                return res["ARN"]
    return None


def enrich(event: Any) -> Any:
    """The event with the four computed fields (an element that is no object
    stays as it is: the JSON Lines scan rejects it)."""
    if isinstance(event, dict) and isinstance(event.get("detail"), dict) \
            and "eventName" in event["detail"]:
        event = event["detail"]  # EventBridge
    if isinstance(event, dict) and isinstance(event.get("CloudTrailEvent"), str):
        # `aws cloudtrail lookup-events` ({"Events": [...]}): the event is a
        # JSON text inside; read as it stood, every one was filtered unseen.
        try:
            inner = json.loads(event["CloudTrailEvent"])
        except ValueError:
            inner = None
        if isinstance(inner, dict) and "eventName" in inner:
            event = inner
    if not isinstance(event, dict):
        return event
    service = str(event.get("eventSource") or "").split(".", 1)[0]
    return {**event, "@actor": actor(event),
            "@access": f"{service}:{event.get('eventName') or ''}".lower(),
            "@object": touched(event), "@outcome": outcome(event)}


def _events(src: SourceFile) -> list[Any]:
    try:
        doc = _load(src)
    except NotJson as exc:
        lines = [text for _, text in numbered_lines(src) if text.strip()]
        if not _one_a_line(lines):
            raise _broken(src, exc) from exc
        # One event a line: a line that is no JSON stays as text, a reject.
        return [_line(text) for text in lines]
    if isinstance(doc, dict) and "digestPublicKeyFingerprint" in doc:
        return []  # a CloudTrail-Digest file: signatures, no events
    if isinstance(doc, dict) and "Records" not in doc and "eventName" in doc:
        return [doc]
    return records(src, doc)


def _line(text: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError:
        return text


def _one_a_line(lines: list[str]) -> bool:
    """Whether a file that is no JSON document is one event a line: at least
    half its first lines are JSON objects on their own. A {"Records": […]}
    document cut short (or damaged) has none: its lines are pieces."""
    first = lines[:10]
    return sum(isinstance(_line(t), dict) for t in first) * 2 >= len(first) > 0


def _broken(src: SourceFile, exc: NotJson) -> DataError:
    """A CloudTrail document that does not parse, said as such: read as lines
    it had no column, and the load blamed the mapping's paths instead."""
    cause = exc.__cause__
    # "Unterminated string starting at" names the place we give after it.
    where = (f": its JSON breaks off at line {cause.lineno:,}, column {cause.colno:,} "
             f"({re.sub(r'( starting)? at$', '', cause.msg).lower()})"
             if isinstance(cause, json.JSONDecodeError) else f": {cause}")
    return DataError(f"{src.name} is not a complete CloudTrail file{where}", file=src.name,
                     hint="CloudTrail writes whole files ({\"Records\": [...]}): this one was "
                          "cut short (a copy or download that stopped) or edited; copy it "
                          "again from the trail's bucket, or give one event a line")


# The columns of a file with no event (a quiet hour): loaded, with no row.
EMPTY = ("eventTime", "eventSource", "sourceIPAddress", "@actor", "@access", "@object",
         "@outcome")


def _as_lines(src: SourceFile, workdir: Path, index: int) -> SourceFile | None:
    out = workdir / f"cloudtrail-{index}.jsonl"
    events = _events(src)
    if not events:
        return None
    if not any(isinstance(e, dict) for e in events):
        # Else the load blames the preset's own columns (@access, @outcome)
        # as if mapping.yaml had misnamed them.
        raise DataError(f"{src.name} holds no CloudTrail event: none of its {len(events):,} "
                        "record(s) is a JSON object", file=src.name,
                        hint="a CloudTrail file is {\"Records\": [{…}, …]} as the trail "
                             "delivers it, or one event (a JSON object) a line")
    with out.open("w", encoding="utf-8") as fh:
        for event in events:
            fh.write(json.dumps(enrich(event), ensure_ascii=False, separators=(",", ":")) + "\n")
    return SourceFile(out, src.name, src.format)


def _empty(src: SourceFile) -> RawSource:
    cols = ", ".join(f"CAST(NULL AS VARCHAR) AS c{i}" for i in range(len(EMPTY)))
    return RawSource([src], list(EMPTY), ["VARCHAR"] * len(EMPTY),
                     f"SELECT 0 AS _file_index, 0 AS _source_line, {cols} WHERE false", {},
                     ["utf-8"])


def read(scope: Scope, files: list[SourceFile]) -> list[RawSource]:
    paths, seen = scope.mapping.source_names(), PathsSeen()
    sources, events = [], False
    for i, src in enumerate(files):
        lines = _as_lines(src, scope.workdir, i)
        events = events or lines is not None
        sources.append(_empty(src) if lines is None else read_jsonl(
            scope.con, lines, scope.workdir, paths, unit="event", seen=seen))
    if events:  # with no event at all, no path can be told misspelt
        seen.check(files, paths)
    return sources


CLOUDTRAIL = Reader("cloudtrail", (), read)
