-- id: R01
-- slug: dsr_timeliness
-- family: rights
-- title:
--   zh: 权利请求及时响应
--   en: Requests are answered in time
-- severity: high
-- seed: 一 责任
-- pipl: Art. 50
-- datasets: [dsr_requests]
-- rule:
--   zh: >
--     本期内处于办理中的请求（收到时间早于期间结束，且未在期间开始前办结），办理用时超过 dsr_response_days，或至评估时点仍未办结且已超过该时限。
--   en: >
--     A request open during the period (received before period_end, and not
--     completed before period_start) that took longer than dsr_response_days to
--     complete, or that is not completed and is older than that at as_of.
-- subject: "{request_id}"
-- population:
--   dataset: dsr_requests
--   zh: 本期内处于办理中的权利请求
--   en: requests open during the period
--   count: >
--     SELECT count(*) FROM dsr_requests r WHERE r.received_at < $period_end AND
--     (r.completed_at IS NULL OR r.completed_at >= $period_start)
-- reason:
--   zh: "{type} 请求 {request_id}（{received} 收到）{status_zh}，超过 {limit} 天时限"
--   en: "{type} request {request_id} (received {received}) {status_en}, over the {limit}-day limit"
-- remediation:
--   zh: 尽快答复该请求；检查请求受理、分派与跟踪流程。
--   en: Answer the request now; check how requests are received, assigned and followed.

SELECT r.request_id AS subject_id, r.request_id, r.type, $dsr_response_days AS limit,
       local_day_text(r.received_at, $tz) AS received,
       -- Whole days: epoch() is a DOUBLE, and `//` on a DOUBLE keeps the fraction
       -- ("still open after 26.583333333333332 days").
       CASE WHEN r.completed_at IS NULL
            THEN '至今未完成（'
                 || CAST(floor((epoch($as_of) - epoch(r.received_at)) / 86400) AS BIGINT) || ' 天）'
            ELSE '用时 '
                 || CAST(floor((epoch(r.completed_at) - epoch(r.received_at)) / 86400) AS BIGINT)
                 || ' 天完成'
       END AS status_zh,
       CASE WHEN r.completed_at IS NULL
            THEN 'is still open after '
                 || CAST(floor((epoch($as_of) - epoch(r.received_at)) / 86400) AS BIGINT) || ' days'
            ELSE 'took '
                 || CAST(floor((epoch(r.completed_at) - epoch(r.received_at)) / 86400) AS BIGINT)
                 || ' days'
       END AS status_en,
       to_json({'request': r}) AS evidence
FROM dsr_requests r
WHERE r.received_at < $period_end
  AND (r.completed_at IS NULL OR r.completed_at >= $period_start)
  AND ((r.completed_at IS NOT NULL
        AND r.completed_at > r.received_at + exact_days($dsr_response_days))
       OR (r.completed_at IS NULL
           AND $as_of > r.received_at + exact_days($dsr_response_days)))
