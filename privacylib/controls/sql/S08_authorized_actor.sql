-- id: S08
-- slug: authorized_actor
-- family: storage
-- title:
--   zh: 访问人员在职且已登记
--   en: Only registered, current staff access data
-- severity: critical
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [access_log, employees]
-- rule:
--   zh: >
--     本期内的有效访问，访问人员不是登记在册的员工，或访问时尚未入职（ts < hired_at）或已离职（ts >= terminated_at）。
--   en: >
--     An effective access in the period by an actor who is not a registered
--     employee, or who was not yet hired (ts < hired_at) or already gone
--     (ts >= terminated_at) at the time.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的有效访问
--   en: effective accesses in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied'
-- reason:
--   zh: "{actor_id} 于 {local_ts} 访问客户数据，但{problem_zh}"
--   en: "{actor_id} accessed customer data at {local_ts} but {problem_en}"
-- remediation:
--   zh: 立即停用该账号，调查访问内容；完善入离职与账号开通、注销的联动。
--   en: Disable the account now and investigate; tie account creation and removal to hiring and leaving.

-- The actors concerned are found first, per actor: employment is one span
-- [hired_at, terminated_at), so some access of an actor falls outside it
-- exactly when the first or the last one does. Only their accesses are then
-- read whole.
WITH span AS (
    SELECT a.actor_id, min(a.ts) AS first_ts, max(a.ts) AS last_ts
    FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.actor_id IS NOT NULL
    GROUP BY a.actor_id
),
outside AS MATERIALIZED (
    SELECT s.actor_id
    FROM span s
    LEFT JOIN employees e ON e.actor_id = s.actor_id
    WHERE e.actor_id IS NULL
       OR NOT valid_at(s.first_ts, e.hired_at, e.terminated_at)
       OR NOT valid_at(s.last_ts, e.hired_at, e.terminated_at)
)
SELECT a.event_id AS subject_id, a.actor_id,
       local_text(a.ts, $tz) AS local_ts,
       CASE WHEN e.actor_id IS NULL THEN '不是登记在册的员工'
            WHEN a.ts < e.hired_at THEN '当时尚未入职（' || local_minute_text(e.hired_at, $tz) || '）'
            ELSE '当时已离职（' || local_minute_text(e.terminated_at, $tz) || '）'
       END AS problem_zh,
       CASE WHEN e.actor_id IS NULL THEN 'is no registered employee'
            WHEN a.ts < e.hired_at THEN 'was not hired yet (' || local_minute_text(e.hired_at, $tz) || ')'
            ELSE 'had already left (' || local_minute_text(e.terminated_at, $tz) || ')'
       END AS problem_en,
       to_json({'event': a, 'employee': e}) AS evidence
FROM access_log a
LEFT JOIN employees e ON e.actor_id = a.actor_id
WHERE in_period(a.ts, $period_start, $period_end)
  AND a.result <> 'denied'
  AND a.actor_id IN (SELECT actor_id FROM outside)
  AND (e.actor_id IS NULL OR NOT valid_at(a.ts, e.hired_at, e.terminated_at))
