-- id: U03
-- slug: access_breadth
-- family: use
-- title:
--   zh: 超范围浏览
--   en: No actor browses more customers a day than the limit
-- severity: medium
-- seed: 二(二)3
-- pipl: Art. 6
-- datasets: [access_log]
-- rule:
--   zh: >
--     某人员在本期内某一本地自然日的有效访问涉及的不同客户数超过 max_distinct_customers_per_day。
--   en: >
--     An actor whose effective accesses on one local day in the period reach
--     more distinct customers than max_distinct_customers_per_day.
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
--   zh: "{actor_id} 在 {day} 访问了 {customers} 位不同客户，超过每日 {limit} 位的上限"
--   en: "{actor_id} accessed {customers} distinct customers on {day}, over the daily limit of {limit}"
-- remediation:
--   zh: 核实是否有业务需要；对批量浏览设置告警和限流。
--   en: Check the business need; alert on and throttle mass browsing.

-- Each access's local day is computed once, from the period's clock, on the
-- columns the rule reads, and the customers of an actor-day are counted in two
-- steps (per customer, then per day: cheaper than count(DISTINCT) over every
-- access). Only the actors over the limit have their accesses read again, whole.
WITH per_customer AS (
    SELECT a.actor_id, CAST(local_ts_by(a.ts, k.offset_us, $tz) AS DATE) AS local_day,
           a.customer_id, count(*) AS accesses
    FROM access_log a
    LEFT JOIN period_clock k ON k.minute = period_minute(a.ts, $period_start)
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.actor_id IS NOT NULL
    GROUP BY a.actor_id, local_day, a.customer_id
),
days AS MATERIALIZED (
    SELECT actor_id, local_day, count(customer_id) AS customers, sum(accesses) AS accesses
    FROM per_customer
    GROUP BY actor_id, local_day
    HAVING count(customer_id) > $max_distinct_customers_per_day
),
day_events AS (
    SELECT d.actor_id, d.local_day,
           list(DISTINCT a.customer_id ORDER BY a.customer_id) AS customers,
           list(a ORDER BY a.ts, a.event_id)[1:50] AS first_events
    FROM access_log a
    JOIN days d ON d.actor_id = a.actor_id
               AND d.local_day = local_day(a.ts, $tz)
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.actor_id IN (SELECT actor_id FROM days)
    GROUP BY d.actor_id, d.local_day
)
SELECT d.actor_id || ':' || strftime(d.local_day, '%Y-%m-%d') AS subject_id, d.actor_id,
       strftime(d.local_day, '%Y-%m-%d') AS day,
       d.customers, $max_distinct_customers_per_day AS limit,
       to_json({'distinct_customers': d.customers, 'accesses': d.accesses,
                'customers': e.customers, 'first_events': e.first_events}) AS evidence
FROM days d
JOIN day_events e USING (actor_id, local_day)
