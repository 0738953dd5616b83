-- id: U05
-- slug: no_access_after_erasure
-- family: use
-- title:
--   zh: 删除后不得访问
--   en: Deleted or anonymised customers are not accessed
-- severity: critical
-- seed: 二(二)2
-- pipl: Art. 47
-- datasets: [access_log, customers]
-- rule:
--   zh: >
--     本期内的有效访问，访问对象客户在访问时或之前已被删除或匿名化。
--   en: >
--     An effective access in the period to a customer deleted or anonymised at
--     or before the access.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）涉及客户的有效访问
--   en: effective accesses naming a customer, in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied' AND a.customer_id IS NOT NULL
-- reason:
--   zh: "{actor_id} 于 {local_ts} 访问了已于 {erased} 删除或匿名化的客户数据"
--   en: "{actor_id} accessed at {local_ts} the data of a customer deleted or anonymised on {erased}"
-- remediation:
--   zh: 查明已删除数据仍可访问的原因，彻底删除残留副本。
--   en: Find why erased data could still be reached, and remove the remaining copies.

-- The customers concerned are found on the rule's columns first; only their
-- accesses are then read whole.
WITH erased AS MATERIALIZED (
    SELECT * FROM customers WHERE deleted_at IS NOT NULL OR anonymized_at IS NOT NULL
),
reached AS MATERIALIZED (
    SELECT DISTINCT a.customer_id
    FROM access_log a
    JOIN erased c ON c.customer_id = a.customer_id
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND (c.deleted_at <= a.ts OR c.anonymized_at <= a.ts)
)
SELECT a.event_id AS subject_id, a.actor_id,
       local_text(a.ts, $tz) AS local_ts,
       local_text(least(c.deleted_at, c.anonymized_at), $tz) AS erased,
       to_json({'event': a, 'customer': c}) AS evidence
FROM access_log a
JOIN erased c ON c.customer_id = a.customer_id
WHERE in_period(a.ts, $period_start, $period_end)
  AND a.result <> 'denied'
  AND a.customer_id IN (SELECT customer_id FROM reached)
  AND (c.deleted_at <= a.ts OR c.anonymized_at <= a.ts)
