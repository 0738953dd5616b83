-- id: U04
-- slug: off_hours_access
-- family: use
-- title:
--   zh: 非工作时间访问
--   en: Access happens in business hours
-- severity: low
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [access_log]
-- rule:
--   zh: >
--     本期内的有效访问，其本地时刻在工作时间（business_hours，含起点不含终点）之外；策略设置 flag_weekends 时，落在周六或周日的访问也是。
--   en: >
--     An effective access in the period whose local time of day is outside
--     business_hours (start inclusive, end exclusive), or, when the policy sets
--     flag_weekends, that falls on a Saturday or Sunday.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的有效访问
--   en: effective accesses in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied'
-- reason:
--   zh: "{actor_id} 于非工作时间 {local_ts} 访问客户数据（{data_category}，{action}）"
--   en: "{actor_id} accessed customer data ({data_category}, {action}) out of hours, at {local_ts}"
-- remediation:
--   zh: 核实非工作时间访问的必要性；对夜间与周末访问设置审批或告警。
--   en: Check the need; require approval for, or alert on, access out of hours.

-- The instants out of hours are found on the time column alone, its local
-- time computed once, from the period's clock; only the accesses at those
-- instants are then read whole.
WITH off_hours AS MATERIALIZED (
    SELECT DISTINCT a.ts
    FROM (SELECT a.ts, local_ts_by(a.ts, k.offset_us, $tz) AS lt
          FROM access_log a
          LEFT JOIN period_clock k ON k.minute = period_minute(a.ts, $period_start)
          WHERE in_period(a.ts, $period_start, $period_end) AND a.result <> 'denied') a
    WHERE (CAST(a.lt AS TIME) < $business_start
           OR CAST(a.lt AS TIME) >= $business_end
           OR ($flag_weekends AND isodow(a.lt) IN (6, 7)))
)
SELECT a.event_id AS subject_id, a.actor_id, a.data_category, a.action,
       strftime(local_ts(a.ts, $tz), '%Y-%m-%d %H:%M:%S %a') AS local_ts,
       to_json({'event': a, 'local_time': local_text(a.ts, $tz),
                'business_hours': [$business_start, $business_end]}) AS evidence
FROM access_log a
WHERE in_period(a.ts, $period_start, $period_end)
  AND a.result <> 'denied'
  AND a.ts IN (SELECT ts FROM off_hours)
