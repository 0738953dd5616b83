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
-- rule: >
--   An effective access in the period to a named customer, for a purpose whose
--   legal basis is consent, when no consent of that customer for that purpose
--   was granted at or before the access. A consent without granted_at was
--   never granted.
-- subject: "{event_id}"
-- reason:
--   zh: "{actor_id} 于 {local_ts} 以「{purpose}」目的访问客户数据，此前该客户没有对此目的的同意"
--   en: "{actor_id} accessed customer data for '{purpose}' at {local_ts} with no consent to that purpose given before"
-- remediation:
--   zh: 停止以该目的处理此客户数据，取得并留存客户的明确同意后方可使用。
--   en: Stop using the customer's data for this purpose until an explicit consent is obtained and recorded.
SELECT a.event_id AS subject_id, a.actor_id, a.purpose,
       strftime(timezone($tz, a.ts), '%Y-%m-%d %H:%M:%S') AS local_ts,
       to_json({'event': a, 'purpose': p,
                'consents': (SELECT list(c ORDER BY c.granted_at, c.consent_id) FROM consents c
                             WHERE c.customer_id = a.customer_id
                               AND c.purpose = a.purpose)}) AS evidence
FROM access_log a
JOIN purposes p ON p.purpose = a.purpose
WHERE a.ts >= $period_start AND a.ts < $period_end
  AND a.result <> 'denied'
  AND a.customer_id IS NOT NULL
  AND p.legal_basis = 'consent'
  AND NOT EXISTS (SELECT 1 FROM consents c
                  WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                    AND c.granted_at <= a.ts)
