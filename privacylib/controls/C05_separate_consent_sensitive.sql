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
-- rule: >
--   An effective access in the period to a sensitive data category, for a
--   purpose whose legal basis is consent, where the customer has a consent for
--   that purpose active at the access, but no active one is a separate
--   (stand-alone) consent.
-- subject: "{event_id}"
-- reason:
--   zh: "{actor_id} 于 {local_ts} 访问敏感信息（{data_category}），客户对「{purpose}」的同意不是单独同意"
--   en: "{actor_id} accessed sensitive data ({data_category}) at {local_ts}; the customer's consent to '{purpose}' is not a separate consent"
-- remediation:
--   zh: 就敏感个人信息单独告知并取得客户的单独同意，之前停止处理。
--   en: Inform the customer separately and obtain a separate consent before processing sensitive data.
SELECT a.event_id AS subject_id, a.actor_id, a.purpose, a.data_category,
       strftime(timezone($tz, a.ts), '%Y-%m-%d %H:%M:%S') AS local_ts,
       to_json({'event': a, 'category': d, 'purpose': p,
                'consents': (SELECT list(c ORDER BY c.granted_at, c.consent_id) FROM consents c
                             WHERE c.customer_id = a.customer_id
                               AND c.purpose = a.purpose)}) AS evidence
FROM access_log a
JOIN purposes p ON p.purpose = a.purpose
JOIN data_categories d ON d.data_category = a.data_category
WHERE a.ts >= $period_start AND a.ts < $period_end
  AND a.result <> 'denied'
  AND d.sensitive
  AND p.legal_basis = 'consent'
  AND EXISTS (SELECT 1 FROM consents c
              WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                AND c.granted_at <= a.ts
                AND (c.withdrawn_at IS NULL OR a.ts < c.withdrawn_at))
  AND NOT EXISTS (SELECT 1 FROM consents c
                  WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                    AND c.granted_at <= a.ts
                    AND (c.withdrawn_at IS NULL OR a.ts < c.withdrawn_at)
                    AND c.separate)
