-- id: C03
-- slug: consent_before_use
-- family: collection
-- title:
--   zh: 先同意后使用
--   en: Consent-based use has a prior consent
-- severity: critical
-- seed: 二(一)3
-- pipl: Art. 13, 14
-- datasets: [access_log, consents, purposes]
-- rule:
--   zh: >
--     本期内对具名客户的有效访问，其目的的合法性基础为同意，但该客户在访问时或之前从未就此目的给出同意。没有 granted_at 的同意视为从未给出。
--   en: >
--     An effective access in the period to a named customer, for a purpose whose
--     legal basis is consent, when no consent of that customer for that purpose
--     was granted at or before the access. A consent without granted_at was
--     never granted.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）涉及客户的有效访问
--   en: effective accesses naming a customer, in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied' AND a.customer_id IS NOT NULL
-- reason:
--   zh: "{actor_id} 于 {local_ts} 以「{purpose}」目的访问客户数据，此前该客户没有对此目的的同意"
--   en: "{actor_id} accessed customer data for '{purpose}' at {local_ts} with no consent to that purpose given before"
-- remediation:
--   zh: 停止以该目的处理此客户数据，取得并留存客户的明确同意后方可使用。
--   en: Stop using the customer's data for this purpose until an explicit consent is obtained and recorded.

-- Per customer and purpose, the first consent granted (null when never). An
-- access before it is a hit, so a customer has one exactly when its first
-- access for the purpose is (consent_uses: the period's first and last access
-- per customer and purpose, made once for C03-C05): only the accesses of the
-- customers concerned are read whole.
WITH first_consent AS (
    SELECT customer_id, purpose, min(granted_at) AS first_granted
    FROM consents GROUP BY customer_id, purpose
),
suspects AS MATERIALIZED (
    SELECT DISTINCT u.customer_id
    FROM consent_uses u
    LEFT JOIN first_consent f ON f.customer_id = u.customer_id AND f.purpose = u.purpose
    WHERE f.first_granted IS NULL OR f.first_granted > u.first_use
),
hits AS MATERIALIZED (
    SELECT a.*
    FROM access_log a
    JOIN purposes p ON p.purpose = a.purpose
    LEFT JOIN first_consent f ON f.customer_id = a.customer_id AND f.purpose = a.purpose
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.customer_id IN (SELECT customer_id FROM suspects)
      AND p.legal_basis = 'consent'
      AND (f.first_granted IS NULL OR f.first_granted > a.ts)
),
consent_evidence AS (
    SELECT c.customer_id, c.purpose, list(c ORDER BY c.granted_at, c.consent_id) AS consents
    FROM consents c
    SEMI JOIN hits h ON h.customer_id = c.customer_id AND h.purpose = c.purpose
    GROUP BY c.customer_id, c.purpose
)
SELECT a.event_id AS subject_id, a.actor_id, a.purpose,
       local_text(a.ts, $tz) AS local_ts,
       to_json({'event': a, 'purpose': p, 'consents': k.consents}) AS evidence
FROM hits a
JOIN purposes p ON p.purpose = a.purpose
LEFT JOIN consent_evidence k ON k.customer_id = a.customer_id AND k.purpose = a.purpose
