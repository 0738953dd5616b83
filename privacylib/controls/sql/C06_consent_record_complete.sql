-- id: C06
-- slug: consent_record_complete
-- family: collection
-- title:
--   zh: 同意过程留痕
--   en: Consent records hold time, method, notice and evidence
-- severity: medium
-- seed: 二(一)4
-- pipl: Art. 14
-- datasets: [consents]
-- rule:
--   zh: >
--     同意记录缺少同意时间（granted_at）、方式、所示告知版本或留痕凭证之一。
--   en: >
--     A consent record without its time (granted_at), its method, the notice
--     version shown, or a reference to its evidence (screenshot, signed form,
--     e-agreement).
-- subject: "{consent_id}"
-- population:
--   dataset: consents
--   zh: 同意记录
--   en: consent records
--   count: >
--     SELECT count(*) FROM consents
-- reason:
--   zh: "同意记录 {consent_id} 缺少：{missing}"
--   en: "Consent {consent_id} lacks: {missing}"
-- remediation:
--   zh: 补全同意的时间、方式、告知版本和留痕凭证；无法补全的同意视为无效并重新取得。
--   en: Complete the record from the source system; a consent that cannot be evidenced must be obtained again.

SELECT c.consent_id AS subject_id, c.consent_id,
       concat_ws(', ',
                 CASE WHEN c.granted_at IS NULL THEN 'granted_at' END,
                 CASE WHEN c.method IS NULL THEN 'method' END,
                 CASE WHEN c.notice_version IS NULL THEN 'notice_version' END,
                 CASE WHEN c.evidence_ref IS NULL THEN 'evidence_ref' END) AS missing,
       to_json({'consent': c}) AS evidence
FROM consents c
WHERE c.granted_at IS NULL OR c.method IS NULL
   OR c.notice_version IS NULL OR c.evidence_ref IS NULL
