-- id: S03
-- slug: paper_safeguards
-- family: storage
-- title:
--   zh: 纸质文件安全保管
--   en: Paper archives are physically protected
-- severity: low
-- seed: 二(二)1
-- pipl: Art. 51
-- datasets: [data_stores]
-- rule:
--   zh: >
--     含个人信息的纸质档案未登记任何物理防护措施（保险柜、档案室、防盗防火防潮）。
--   en: >
--     A paper archive holding personal data with no physical safeguards recorded
--     (safe, archive room, protection against theft, fire and damp).
-- subject: "{store_id}"
-- population:
--   dataset: data_stores
--   zh: 含个人信息的纸质档案
--   en: paper archives holding personal data
--   count: >
--     SELECT count(*) FROM data_stores s WHERE s.holds_personal_data AND s.kind =
--     'paper_archive'
-- reason:
--   zh: "纸质档案 {store_id}（{name}）未登记任何物理防护措施"
--   en: "Paper archive {store_id} ({name}) records no physical safeguards"
-- remediation:
--   zh: 将纸质文件存放于保险柜或档案室，落实防盗、防火、防潮措施并登记。
--   en: Keep the papers in a safe or archive room protected against theft, fire and damp, and record it.

SELECT s.store_id AS subject_id, s.store_id, s.name,
       to_json({'store': s}) AS evidence
FROM data_stores s
WHERE s.holds_personal_data
  AND s.kind = 'paper_archive'
  AND (s.physical_safeguards IS NULL OR trim(s.physical_safeguards) = '')
