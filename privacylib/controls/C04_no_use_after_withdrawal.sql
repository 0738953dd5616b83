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
-- rule: >
--   As C03, but the customer had granted a consent for the purpose before the
--   access, and none of those consents was active at the access (each was
--   withdrawn at or before it). C03 and C04 never name the same event.
-- subject: "{event_id}"
-- reason:
--   zh: "{actor_id} 于 {local_ts} 以「{purpose}」目的访问客户数据，但客户已于 {withdrawn} 撤回同意"
--   en: "{actor_id} accessed customer data for '{purpose}' at {local_ts}, after the customer withdrew consent ({withdrawn})"
-- remediation:
--   zh: 立即停止该目的的处理，排查撤回同意未同步到业务系统的原因。
--   en: Stop processing for this purpose at once and find why the withdrawal did not reach the system.
SELECT a.event_id AS subject_id, a.actor_id, a.purpose,
       strftime(timezone($tz, a.ts), '%Y-%m-%d %H:%M:%S') AS local_ts,
       (SELECT strftime(timezone($tz, max(c.withdrawn_at)), '%Y-%m-%d %H:%M:%S')
        FROM consents c WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
          AND c.granted_at <= a.ts) AS withdrawn,
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
  AND EXISTS (SELECT 1 FROM consents c
              WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                AND c.granted_at <= a.ts)
  AND NOT EXISTS (SELECT 1 FROM consents c
                  WHERE c.customer_id = a.customer_id AND c.purpose = a.purpose
                    AND c.granted_at <= a.ts
                    AND (c.withdrawn_at IS NULL OR a.ts < c.withdrawn_at))
