-- id: C07
-- slug: consent_method_valid
-- family: collection
-- title:
--   zh: 明示同意方式
--   en: Consent was given by an explicit act
-- severity: high
-- seed: 二(一)3
-- pipl: Art. 14
-- datasets: [consents]
-- rule:
--   zh: >
--     同意方式属于策略列出的非明示方式（invalid_consent_methods，如默认勾选、默示或选择退出），不区分大小写。
--   en: >
--     A consent whose method is one the policy lists as no explicit act
--     (invalid_consent_methods: pre-checked boxes, implied or opt-out consent…),
--     compared in any case.
-- subject: "{consent_id}"
-- population:
--   dataset: consents
--   zh: 同意记录
--   en: consent records
--   count: >
--     SELECT count(*) FROM consents
-- reason:
--   zh: "同意记录 {consent_id} 的方式为「{method}」，不是明示同意"
--   en: "Consent {consent_id} was given by '{method}', which is no explicit act"
-- remediation:
--   zh: 改为由客户主动勾选或签署的方式重新取得同意。
--   en: Obtain the consent again by an act of the customer (ticking a box, signing).

SELECT c.consent_id AS subject_id, c.consent_id, c.method,
       to_json({'consent': c}) AS evidence
FROM consents c
WHERE lower(c.method) IN (SELECT unnest($invalid_consent_methods))
