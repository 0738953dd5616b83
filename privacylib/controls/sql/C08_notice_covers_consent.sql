-- id: C08
-- slug: notice_covers_consent
-- family: collection
-- title:
--   zh: 告知透明
--   en: Consent refers to a notice in force that names its purpose
-- severity: medium
-- seed: 一 透明性
-- pipl: Art. 7, 17
-- datasets: [consents, notices]
-- rule:
--   zh: >
--     同意记录引用了告知版本，但该版本不存在、同意时不在有效期 [published_at, retired_at) 内，或未列出该同意的目的。无告知版本或无同意时间的记录归 C06。
--   en: >
--     A consent that names a notice version, where that notice does not exist,
--     or was not in force when the consent was granted ([published_at,
--     retired_at)), or does not name the consent's purpose. A consent without
--     notice version or without granted_at is C06's.
-- subject: "{consent_id}"
-- population:
--   dataset: consents
--   zh: 注明告知版本的同意记录
--   en: consent records naming a notice version
--   count: >
--     SELECT count(*) FROM consents c WHERE c.notice_version IS NOT NULL
-- reason:
--   zh: "同意记录 {consent_id} 引用的告知版本 {notice_version}：{problem_zh}"
--   en: "Consent {consent_id} refers to notice {notice_version}: {problem_en}"
-- remediation:
--   zh: 核对客户当时看到的隐私政策版本；告知未涵盖该目的的，重新告知并取得同意。
--   en: Check which notice the customer saw; where it did not cover the purpose, inform again and obtain consent.

SELECT c.consent_id AS subject_id, c.consent_id, c.notice_version,
       CASE WHEN n.notice_version IS NULL THEN '不存在'
            WHEN NOT list_contains(n.purposes, c.purpose) THEN '未包含目的「' || c.purpose || '」'
            ELSE '同意时该版本不在有效期内' END AS problem_zh,
       CASE WHEN n.notice_version IS NULL THEN 'no such notice'
            WHEN NOT list_contains(n.purposes, c.purpose)
                THEN 'it does not name purpose ''' || c.purpose || ''''
            ELSE 'it was not in force when consent was given' END AS problem_en,
       to_json({'consent': c, 'notice': n}) AS evidence
FROM consents c
LEFT JOIN notices n ON n.notice_version = c.notice_version
WHERE c.notice_version IS NOT NULL
  AND (n.notice_version IS NULL
       OR (c.granted_at IS NOT NULL
           AND (c.granted_at < n.published_at OR c.granted_at >= n.retired_at))
       OR NOT list_contains(n.purposes, c.purpose))
