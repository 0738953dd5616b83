-- id: C05
-- slug: separate_consent_sensitive
-- family: collection
-- title:
--   zh: 敏感信息单独同意
--   en: Sensitive data has a separate consent
-- severity: critical
-- seed: 二(一)3
-- pipl: Art. 29
-- datasets: [access_log, consents, purposes, data_categories]
-- rule:
--   zh: >
--     本期内以同意为基础的目的访问敏感类别数据，客户就此目的在访问时有有效同意，但有效同意中没有单独同意。
--   en: >
--     An effective access in the period to a sensitive data category, for a
--     purpose whose legal basis is consent, where the customer has a consent for
--     that purpose active at the access, but no active one is a separate
--     (stand-alone) consent.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）涉及客户的有效访问
--   en: effective accesses naming a customer, in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied' AND a.customer_id IS NOT NULL
-- reason:
--   zh: "{actor_id} 于 {local_ts} 访问敏感信息（{data_category}），客户对「{purpose}」的同意不是单独同意"
--   en: "{actor_id} accessed sensitive data ({data_category}) at {local_ts}; the customer's consent to '{purpose}' is not a separate consent"
-- remediation:
--   zh: 就敏感个人信息单独告知并取得客户的单独同意，之前停止处理。
--   en: Inform the customer separately and obtain a separate consent before processing sensitive data.

-- Per customer and purpose: the first consent granted, and the first never
-- withdrawn (all, and separate ones). Withdrawn consents are looked at only
-- where those do not settle the question. Candidates lie in [first granted,
-- first open separate): the customers whose sensitive accesses for the
-- purpose, first to last (consent_uses, made once for C03-C05), meet that
-- span are found first; only their accesses are read whole.
WITH consent_span AS (
    SELECT customer_id, purpose, min(granted_at) AS first_granted,
           min(granted_at) FILTER (WHERE withdrawn_at IS NULL) AS first_open,
           min(granted_at) FILTER (WHERE withdrawn_at IS NULL AND separate) AS first_open_separate
    FROM consents GROUP BY customer_id, purpose
),
suspects AS MATERIALIZED (
    SELECT DISTINCT u.customer_id
    FROM consent_uses u
    JOIN consent_span s ON s.customer_id = u.customer_id AND s.purpose = u.purpose
    WHERE s.first_granted <= u.last_sensitive_use
      AND (s.first_open_separate IS NULL OR s.first_open_separate > u.first_sensitive_use)
),
suspect_accesses AS MATERIALIZED (
    SELECT a.* FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.customer_id IN (SELECT customer_id FROM suspects)
),
candidates AS MATERIALIZED (
    SELECT a.*, s.first_open
    FROM suspect_accesses a
    JOIN purposes p ON p.purpose = a.purpose
    JOIN data_categories d ON d.data_category = a.data_category
    JOIN consent_span s ON s.customer_id = a.customer_id AND s.purpose = a.purpose
    WHERE d.sensitive
      AND p.legal_basis = 'consent'
      AND s.first_granted <= a.ts
      AND (s.first_open_separate IS NULL OR s.first_open_separate > a.ts)
),
hits AS MATERIALIZED (
    SELECT a.* EXCLUDE (first_open) FROM candidates a
    WHERE (a.first_open <= a.ts
           OR EXISTS (SELECT 1 FROM consents c
                      WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                        AND consent_active_at(a.ts, c.granted_at, c.withdrawn_at)))
      AND NOT EXISTS (SELECT 1 FROM consents c
                      WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                        AND c.separate AND consent_active_at(a.ts, c.granted_at, c.withdrawn_at))
),
consent_evidence AS (
    SELECT c.customer_id, c.purpose, list(c ORDER BY c.granted_at, c.consent_id) AS consents
    FROM consents c
    SEMI JOIN hits h ON h.customer_id = c.customer_id AND h.purpose = c.purpose
    GROUP BY c.customer_id, c.purpose
)
SELECT a.event_id AS subject_id, a.actor_id, a.purpose, a.data_category,
       local_text(a.ts, $tz) AS local_ts,
       to_json({'event': a, 'category': d, 'purpose': p, 'consents': k.consents}) AS evidence
FROM hits a
JOIN purposes p ON p.purpose = a.purpose
JOIN data_categories d ON d.data_category = a.data_category
LEFT JOIN consent_evidence k ON k.customer_id = a.customer_id AND k.purpose = a.purpose
