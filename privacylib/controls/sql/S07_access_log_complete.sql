-- id: S07
-- slug: access_log_complete
-- family: storage
-- title:
--   zh: 访问日志完整
--   en: Access logs record time, person and purpose
-- severity: medium
-- seed: 二(二)3
-- pipl: Art. 51, 54
-- datasets: [access_log]
-- rule:
--   zh: >
--     缺少时间、访问人员或访问目的的访问日志行（含被拒绝的访问）。有时间的行在其时间落在本期内时判断；无时间的行不论期间都判断。
--   en: >
--     An access-log row, denied ones included, without its time, its actor or
--     its purpose. Rows with a time are judged when it lies in the period; rows
--     without one are judged whatever the period.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的访问记录（含被拒绝的及无时间的）
--   en: access-log rows in the period and scope (denied ones and those without a time included)
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts IS NULL OR (a.ts >= $period_start AND a.ts
--     < $period_end)
-- reason:
--   zh: "访问日志 {event_id} 缺少：{missing}"
--   en: "Access-log row {event_id} lacks: {missing}"
-- remediation:
--   zh: 修复日志采集，确保每次访问都记录时间、访问人员和访问目的。
--   en: Fix the logging so that every access records its time, person and purpose.

-- Three plain conditions, each on one column, instead of one that mixes
-- them: each is answered from the scan of its column (nulls are rare), not by
-- reading every row whole. They do not overlap: a row is found once.
WITH gaps AS (
    SELECT a.* FROM access_log a
    WHERE a.ts IS NULL
    UNION ALL
    SELECT a.* FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end) AND a.actor_id IS NULL
    UNION ALL
    SELECT a.* FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end) AND a.actor_id IS NOT NULL
      AND a.purpose IS NULL
)
SELECT a.event_id AS subject_id, a.event_id,
       concat_ws(', ', CASE WHEN a.ts IS NULL THEN 'ts' END,
                       CASE WHEN a.actor_id IS NULL THEN 'actor_id' END,
                       CASE WHEN a.purpose IS NULL THEN 'purpose' END) AS missing,
       to_json({'event': a}) AS evidence
FROM gaps a
