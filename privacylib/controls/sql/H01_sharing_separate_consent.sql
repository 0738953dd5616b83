-- id: H01
-- slug: sharing_separate_consent
-- family: sharing
-- title:
--   zh: 对外提供单独同意
--   en: Sharing has a separate consent
-- severity: critical
-- seed: 一 合法性
-- pipl: Art. 23
-- datasets: [sharing, consents]
-- rule:
--   zh: >
--     本期内向外提供具名客户的个人信息，提供时客户就该共享目的没有有效的单独同意（不论该目的的合法性基础）。
--   en: >
--     Personal data of a named customer shared in the period when the customer
--     had no separate consent for the share's purpose active at the time of
--     sharing, whatever the purpose's legal basis.
-- subject: "{share_id}"
-- population:
--   dataset: sharing
--   zh: 本期的对外提供
--   en: shares in the period
--   count: >
--     SELECT count(*) FROM sharing s WHERE s.shared_at >= $period_start AND s.shared_at <
--     $period_end
-- reason:
--   zh: "{local_ts} 向 {recipient} 提供客户数据（目的「{purpose}」），客户没有有效的单独同意"
--   en: "Customer data went to {recipient} for '{purpose}' at {local_ts} without an active separate consent"
-- remediation:
--   zh: 暂停向该接收方提供此客户数据，告知接收方信息并取得单独同意。
--   en: Stop sharing this customer's data, tell the customer who receives it, and obtain a separate consent.

WITH hits AS MATERIALIZED (
    SELECT s.*
    FROM sharing s
    WHERE in_period(s.shared_at, $period_start, $period_end)
      AND s.customer_id IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM consents c
          WHERE c.customer_id = s.customer_id AND c.purpose = s.purpose
            AND consent_active_at(s.shared_at, c.granted_at, c.withdrawn_at)
            AND c.separate)
),
consent_evidence AS (
    SELECT c.customer_id, c.purpose, list(c ORDER BY c.granted_at, c.consent_id) AS consents
    FROM consents c
    SEMI JOIN hits h ON h.customer_id = c.customer_id AND h.purpose = c.purpose
    GROUP BY c.customer_id, c.purpose
)
SELECT s.share_id AS subject_id, s.recipient, s.purpose,
       local_text(s.shared_at, $tz) AS local_ts,
       to_json({'share': s, 'consents': k.consents}) AS evidence
FROM hits s
LEFT JOIN consent_evidence k ON k.customer_id = s.customer_id AND k.purpose = s.purpose
