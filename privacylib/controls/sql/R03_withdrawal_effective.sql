-- id: R03
-- slug: withdrawal_effective
-- family: rights
-- title:
--   zh: 撤回请求落实
--   en: Completed withdrawals end the consents
-- severity: high
-- seed: 二(一)3
-- pipl: Art. 15
-- datasets: [dsr_requests, consents]
-- rule:
--   zh: >
--     已办结的撤回请求，该客户在请求收到前给出的（针对请求目的，未指定目的时为全部目的的）同意仍未撤回，或在请求办结之后才撤回。
--   en: >
--     A completed withdrawal request where a consent of that customer (for the
--     request's purpose, or for any purpose when the request names none),
--     granted before the request was received, is still not withdrawn, or was
--     withdrawn only after the request was completed.
-- subject: "{request_id}"
-- population:
--   dataset: dsr_requests
--   zh: 已完成的撤回请求
--   en: completed withdrawal requests
--   count: >
--     SELECT count(*) FROM dsr_requests r WHERE r.type = 'withdrawal' AND r.completed_at IS
--     NOT NULL
-- reason:
--   zh: "撤回请求 {request_id} 已于 {completed} 办结，但仍有 {consents} 项同意未按时撤回"
--   en: "Withdrawal request {request_id} was completed on {completed}, but {consents} consent(s) were not withdrawn in time"
-- remediation:
--   zh: 将相关同意标记为撤回并同步到各业务系统，核查撤回后的处理。
--   en: Mark the consents withdrawn in every system, and review the processing since.

SELECT r.request_id AS subject_id, r.request_id,
       local_minute_text(any_value(r.completed_at), $tz) AS completed,
       count(*) AS consents,
       to_json({'request': any_value(r),
                'consents_not_withdrawn': list(c ORDER BY c.consent_id)}) AS evidence
FROM dsr_requests r
JOIN consents c ON c.customer_id = r.customer_id
               AND (r.purpose IS NULL OR c.purpose = r.purpose)
WHERE r.type = 'withdrawal'
  AND r.completed_at IS NOT NULL
  AND c.granted_at < r.received_at
  AND (c.withdrawn_at IS NULL OR c.withdrawn_at > r.completed_at)
GROUP BY r.request_id
