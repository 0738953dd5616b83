"""The heat map's counts (Audit.access_by_hour): each access in its local
weekday and hour, counted per UTC minute first; the same as one by one, in
zones with daylight saving and half-hour offsets."""

from __future__ import annotations

import dataclasses
from collections import Counter
from zoneinfo import ZoneInfo

import pytest


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York", "Asia/Kolkata",
                                  "Australia/Lord_Howe"])
def test_every_access_is_in_its_local_hour(sample_audit, zone):
    loaded = dataclasses.replace(sample_audit.loaded,
                                 policy=dataclasses.replace(sample_audit.loaded.policy,
                                                            timezone=zone))
    audit = dataclasses.replace(sample_audit, loaded=loaded)
    period = audit.period
    times = [t for (t,) in loaded.con.execute(
        "SELECT ts FROM scoped.access_log WHERE ts >= $start AND ts < $end",
        {"start": period.start, "end": period.end}).fetchall()]
    local = Counter((t.astimezone(ZoneInfo(zone)).isoweekday(), t.astimezone(ZoneInfo(zone)).hour)
                    for t in times)
    table = audit._access_by_hour
    assert {(d, h): n for d in table.index for h in table.columns
            if (n := int(table.loc[d, h]))} == dict(local)
    assert sum(local.values()) == len(times) > 1000
