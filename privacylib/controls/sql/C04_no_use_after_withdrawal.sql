-- id: C04
-- slug: no_use_after_withdrawal
-- family: collection
-- title:
--   zh: 撤回后停止使用
--   en: No use after consent is withdrawn
-- severity: critical
-- seed: 二(一)3
-- pipl: Art. 15
-- datasets: [access_log, consents, purposes]
-- rule:
--   zh: >
--     同 C03，但客户在访问前已就此目的给出过同意，而访问时这些同意都已撤回（撤回时间不晚于访问）。C03 与 C04 不会指向同一事件。
--   en: >
--     As C03, but the customer had granted a consent for the purpose before the
--     access, and none of those consents was active at the access (each was
--     withdrawn at or before it). C03 and C04 never name the same event.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）涉及客户的有效访问
--   en: effective accesses naming a customer, in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied' AND a.customer_id IS NOT NULL
-- reason:
--   zh: "{actor_id} 于 {local_ts} 以「{purpose}」目的访问客户数据，但客户已于 {withdrawn} 撤回同意"
--   en: "{actor_id} accessed customer data for '{purpose}' at {local_ts}, after the customer withdrew consent ({withdrawn})"
-- remediation:
--   zh: 立即停止该目的的处理，排查撤回同意未同步到业务系统的原因。
--   en: Stop processing for this purpose at once and find why the withdrawal did not reach the system.

-- Per customer and purpose: the first consent granted, and the first one never
-- withdrawn. An access at or after the latter is covered; before it, only a
-- withdrawn consent whose [granted_at, withdrawn_at) holds the access covers it.
-- Candidates lie in [first granted, first open): the customers whose accesses
-- under the purpose, first to last (consent_uses, made once for C03-C05),
-- meet that span are found first; only their accesses are read whole.
WITH consent_span AS (
    SELECT customer_id, purpose, min(granted_at) AS first_granted,
           min(granted_at) FILTER (WHERE withdrawn_at IS NULL) AS first_open
    FROM consents GROUP BY customer_id, purpose
),
suspects AS MATERIALIZED (
    SELECT DISTINCT u.customer_id
    FROM consent_uses u
    JOIN consent_span s ON s.customer_id = u.customer_id AND s.purpose = u.purpose
    WHERE s.first_granted <= u.last_use
      AND (s.first_open IS NULL OR s.first_open > u.first_use)
),
candidates AS MATERIALIZED (
    SELECT a.*
    FROM access_log a
    JOIN purposes p ON p.purpose = a.purpose
    JOIN consent_span s ON s.customer_id = a.customer_id AND s.purpose = a.purpose
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.customer_id IN (SELECT customer_id FROM suspects)
      AND p.legal_basis = 'consent'
      AND s.first_granted <= a.ts
      AND (s.first_open IS NULL OR s.first_open > a.ts)
),
hits AS MATERIALIZED (
    SELECT a.* FROM candidates a
    WHERE NOT EXISTS (SELECT 1 FROM consents c
                      WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                        AND consent_active_at(a.ts, c.granted_at, c.withdrawn_at))
),
consent_evidence AS (
    SELECT c.customer_id, c.purpose, list(c ORDER BY c.granted_at, c.consent_id) AS consents
    FROM consents c
    SEMI JOIN hits h ON h.customer_id = c.customer_id AND h.purpose = c.purpose
    GROUP BY c.customer_id, c.purpose
)
SELECT a.event_id AS subject_id, a.actor_id, a.purpose,
       local_text(a.ts, $tz) AS local_ts,
       local_text(list_max([c.withdrawn_at FOR c IN k.consents IF c.granted_at <= a.ts]), $tz)
           AS withdrawn,
       to_json({'event': a, 'purpose': p, 'consents': k.consents}) AS evidence
FROM hits a
JOIN purposes p ON p.purpose = a.purpose
LEFT JOIN consent_evidence k ON k.customer_id = a.customer_id AND k.purpose = a.purpose
