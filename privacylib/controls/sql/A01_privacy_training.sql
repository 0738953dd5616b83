-- id: A01
-- slug: privacy_training
-- family: accountability
-- title:
--   zh: 隐私培训
--   en: Staff who touch data are trained
-- severity: medium
-- seed: 一 责任
-- pipl: Art. 51
-- datasets: [access_log, training]
-- rule:
--   zh: >
--     本期内有有效访问的人员（无论是否登记），在 (评估时点 - training_max_age_days, 评估时点] 内没有完成隐私培训。
--   en: >
--     An actor (registered or not) with an effective access in the period and no
--     privacy training completed in (as_of - training_max_age_days, as_of].
-- subject: "{actor_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）有有效访问的人员
--   en: actors with an effective access in the period and scope
--   count: >
--     SELECT count(DISTINCT a.actor_id) FROM access_log a WHERE a.ts >= $period_start AND a.ts
--     < $period_end AND a.result <> 'denied'
-- reason:
--   zh: "{actor_id} 本期访问客户数据 {accesses} 次，但近 {limit} 天内没有完成隐私培训（最近：{last_training}）"
--   en: "{actor_id} accessed customer data {accesses} times this period with no privacy training in the last {limit} days (last: {last_training})"
-- remediation:
--   zh: 安排其尽快完成隐私保护培训；未完成前限制访问客户数据。
--   en: Have them complete privacy training soon; limit their access until then.

-- Per actor first (one pass over the log), then the few untrained ones kept.
WITH active AS (
    SELECT a.actor_id, count(*) AS accesses, min(a.ts) AS first_access,
           max(a.ts) AS last_access
    FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.actor_id IS NOT NULL
    GROUP BY a.actor_id
)
SELECT a.actor_id AS subject_id, a.actor_id, a.accesses,
       $training_max_age_days AS limit,
       coalesce((SELECT local_day_text(max(t.completed_at), $tz)
                 FROM training t WHERE t.actor_id = a.actor_id), '从未/never') AS last_training,
       to_json({'accesses_in_period': a.accesses,
                'first_access': a.first_access, 'last_access': a.last_access,
                'training': (SELECT list(t ORDER BY t.completed_at) FROM training t
                             WHERE t.actor_id = a.actor_id)}) AS evidence
FROM active a
WHERE NOT EXISTS (
      SELECT 1 FROM training t
      WHERE t.actor_id = a.actor_id
        AND in_last_days(t.completed_at, $as_of, $training_max_age_days))
