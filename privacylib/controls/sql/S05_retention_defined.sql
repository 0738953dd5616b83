-- id: S05
-- slug: retention_defined
-- family: storage
-- title:
--   zh: 存储期限明确
--   en: Every stored category has a retention period
-- severity: medium
-- seed: 二(二)2
-- pipl: Art. 19
-- datasets: [records, retention_policy]
-- rule:
--   zh: >
--     records 中出现、但保存期限策略未规定期限的数据类别。
--   en: >
--     A data category held in records for which the retention policy sets no
--     period.
-- subject: "{data_category}"
-- population:
--   dataset: records
--   zh: 记录中的数据类别
--   en: data categories of the records
--   count: >
--     SELECT count(DISTINCT r.data_category) FROM records r
-- reason:
--   zh: "数据类别 {data_category} 有 {records} 条记录，但未规定保存期限"
--   en: "Data category {data_category} is held in {records} records but has no retention period"
-- remediation:
--   zh: 为该类别确定保存期限、起算点和处置方式，并写入保存期限策略。
--   en: Set a retention period, anchor and disposal for the category in the retention policy.

SELECT r.data_category AS subject_id, r.data_category, count(*) AS records,
       to_json({'records': count(*),
                'stores': list(DISTINCT r.store_id ORDER BY r.store_id),
                'examples': list(r ORDER BY r.record_id)[1:20]}) AS evidence
FROM records r
WHERE r.data_category IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM retention_policy rp WHERE rp.data_category = r.data_category)
GROUP BY r.data_category
