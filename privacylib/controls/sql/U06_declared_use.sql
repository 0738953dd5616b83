-- id: U06
-- slug: declared_use
-- family: use
-- title:
--   zh: 使用范围明确
--   en: Every access names a catalogued purpose
-- severity: medium
-- seed: 二(三)1
-- pipl: Art. 6
-- datasets: [access_log, purposes]
-- rule:
--   zh: >
--     本期内的有效访问，填写了目的但该目的不在目的目录中。
--   en: >
--     An effective access in the period whose purpose is given but is not in the
--     purpose catalogue.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的有效访问
--   en: effective accesses in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied'
-- reason:
--   zh: "{actor_id} 于 {local_ts} 以未登记的目的「{purpose}」访问客户数据"
--   en: "{actor_id} accessed customer data at {local_ts} for '{purpose}', a purpose not in the catalogue"
-- remediation:
--   zh: 核实实际用途；确有需要的先评估并登记目的，否则停止此类访问。
--   en: Find the real purpose; catalogue it after assessment, or stop such access.

-- The purposes not in the catalogue are found on that one column first; only
-- the accesses naming one are then read whole.
WITH unknown AS MATERIALIZED (
    SELECT DISTINCT a.purpose
    FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.purpose IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM purposes p WHERE p.purpose = a.purpose)
)
SELECT a.event_id AS subject_id, a.actor_id, a.purpose,
       local_text(a.ts, $tz) AS local_ts,
       to_json({'event': a}) AS evidence
FROM access_log a
WHERE in_period(a.ts, $period_start, $period_end)
  AND a.result <> 'denied'
  AND a.purpose IN (SELECT purpose FROM unknown)
