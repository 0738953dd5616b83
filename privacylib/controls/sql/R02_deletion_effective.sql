-- id: R02
-- slug: deletion_effective
-- family: rights
-- title:
--   zh: 删除请求落实
--   en: Completed deletions really delete
-- severity: critical
-- seed: 二(二)2
-- pipl: Art. 47
-- datasets: [dsr_requests, customers, access_log]
-- rule:
--   zh: >
--     已办结的删除请求，其客户既未删除也未匿名化，或在请求办结之后、期间结束之前仍被有效访问。
--   en: >
--     A completed deletion request whose customer is neither deleted nor
--     anonymised, or whose customer's data is reached by an effective access
--     after the request was completed and before period_end.
-- subject: "{request_id}"
-- population:
--   dataset: dsr_requests
--   zh: 已完成的删除请求
--   en: completed deletion requests
--   count: >
--     SELECT count(*) FROM dsr_requests r WHERE r.type = 'deletion' AND r.completed_at IS NOT
--     NULL
-- reason:
--   zh: "删除请求 {request_id} 已于 {completed} 办结，但{problem_zh}"
--   en: "Deletion request {request_id} was completed on {completed}, but {problem_en}"
-- remediation:
--   zh: 落实删除或匿名化，清理残留副本，并核查办结后的访问。
--   en: Carry out the deletion or anonymisation, remove leftover copies, and review the later access.

WITH completed AS (
    SELECT r.* FROM dsr_requests r
    WHERE r.type = 'deletion' AND r.completed_at IS NOT NULL
),
-- The customers reached after their deletion are found on the columns the
-- rule reads; only their accesses are then read whole.
reached AS MATERIALIZED (
    SELECT DISTINCT r.customer_id
    FROM completed r
    JOIN access_log a ON a.customer_id = r.customer_id
    WHERE a.ts > r.completed_at AND a.ts < $period_end AND a.result <> 'denied'
),
later_access AS (
    SELECT r.request_id, list(a ORDER BY a.ts, a.event_id) AS events
    FROM completed r
    JOIN access_log a ON a.customer_id = r.customer_id
    WHERE a.ts > r.completed_at AND a.ts < $period_end AND a.result <> 'denied'
      AND a.customer_id IN (SELECT customer_id FROM reached)
    GROUP BY r.request_id
)
SELECT r.request_id AS subject_id, r.request_id,
       local_minute_text(r.completed_at, $tz) AS completed,
       concat_ws('；',
           CASE WHEN c.deleted_at IS NULL AND c.anonymized_at IS NULL
                THEN '客户数据既未删除也未匿名化' END,
           CASE WHEN l.events IS NOT NULL
                THEN '此后仍有 ' || len(l.events) || ' 次访问' END) AS problem_zh,
       concat_ws('; ',
           CASE WHEN c.deleted_at IS NULL AND c.anonymized_at IS NULL
                THEN 'the customer is neither deleted nor anonymised' END,
           CASE WHEN l.events IS NOT NULL
                THEN 'the data was accessed ' || len(l.events) || ' time(s) afterwards' END)
           AS problem_en,
       to_json({'request': r, 'customer': c, 'later_accesses': l.events[1:50]}) AS evidence
FROM completed r
LEFT JOIN customers c ON c.customer_id = r.customer_id
LEFT JOIN later_access l ON l.request_id = r.request_id
WHERE (c.customer_id IS NOT NULL AND c.deleted_at IS NULL AND c.anonymized_at IS NULL)
   OR l.events IS NOT NULL
