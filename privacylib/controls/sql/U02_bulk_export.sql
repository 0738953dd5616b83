-- id: U02
-- slug: bulk_export
-- family: use
-- title:
--   zh: 批量导出
--   en: No bulk export beyond the daily limit
-- severity: high
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [access_log]
-- rule:
--   zh: >
--     某人员在本期内某一本地自然日的有效导出记录数（record_count）之和超过 bulk_export_records_per_day。
--   en: >
--     An actor whose effective exports on one local day in the period add up to
--     more records (record_count) than bulk_export_records_per_day.
-- subject: "{actor_id}:{day}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）有有效访问的人员-日
--   en: actor-days with an effective access in the period and scope
--   count: >
--     SELECT count(*) FROM (SELECT DISTINCT a.actor_id, CAST(local_ts_by(a.ts, k.offset_us, $tz)
--     AS DATE) FROM access_log a LEFT JOIN period_clock k ON k.minute = period_minute(a.ts,
--     $period_start) WHERE a.ts >= $period_start AND a.ts < $period_end AND a.result <> 'denied'
--     AND a.actor_id IS NOT NULL)
-- reason:
--   zh: "{actor_id} 在 {day} 共导出 {records} 条记录（{exports} 次），超过每日 {limit} 条的上限"
--   en: "{actor_id} exported {records} records in {exports} exports on {day}, over the daily limit of {limit}"
-- remediation:
--   zh: 核实导出用途与审批；对超量导出设置审批和技术拦截。
--   en: Check what the exports were for and who approved them; block exports over the limit.

-- The days over the limit are found on the columns the rule reads; only the
-- exports of those days are then read whole, as evidence.
WITH exports AS MATERIALIZED (
    SELECT a.actor_id, local_day(a.ts, $tz) AS local_day, a.record_count
    FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.action = 'export'
      AND a.actor_id IS NOT NULL
),
days AS MATERIALIZED (
    SELECT actor_id, local_day, sum(record_count) AS records, count(*) AS exports
    FROM exports GROUP BY actor_id, local_day
    HAVING sum(record_count) > $bulk_export_records_per_day
),
day_exports AS (
    SELECT e.actor_id, e.local_day, list(e ORDER BY e.ts, e.event_id)[1:200] AS events
    FROM (SELECT a.*, local_day(a.ts, $tz) AS local_day
          FROM access_log a
          WHERE in_period(a.ts, $period_start, $period_end)
            AND a.result <> 'denied'
            AND a.action = 'export'
            AND a.actor_id IN (SELECT actor_id FROM days)) e
    JOIN days d ON d.actor_id = e.actor_id AND d.local_day = e.local_day
    GROUP BY e.actor_id, e.local_day
)
SELECT d.actor_id || ':' || strftime(d.local_day, '%Y-%m-%d') AS subject_id, d.actor_id,
       strftime(d.local_day, '%Y-%m-%d') AS day,
       d.records, d.exports, $bulk_export_records_per_day AS limit,
       to_json({'records': d.records, 'exports': d.exports, 'events': x.events}) AS evidence
FROM days d
JOIN day_exports x ON x.actor_id = d.actor_id AND x.local_day = d.local_day
