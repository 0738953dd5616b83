-- id: C02
-- slug: minimum_necessary
-- family: collection
-- title:
--   zh: 最小必要收集
--   en: Mandatory fields are necessary for their purpose
-- severity: high
-- seed: 二(一)2
-- pipl: Art. 6
-- datasets: [collection_fields, purposes, purpose_categories]
-- rule:
--   zh: >
--     必填字段（客户不提供就无法继续）的目的已登记，但其数据类别不在该目的所需类别（purpose_categories）之内。
--   en: >
--     A mandatory field (the customer cannot proceed without it) whose purpose is
--     catalogued, but whose data category is not one that purpose needs
--     according to purpose_categories.
-- subject: "{system}:{field}:{purpose}"
-- population:
--   dataset: collection_fields
--   zh: 必填的收集字段（系统:字段:目的）
--   en: mandatory collected fields (system:field:purpose)
--   count: >
--     SELECT count(*) FROM collection_fields f WHERE f.mandatory
-- reason:
--   zh: "系统 {system} 的必填字段 {field}（{data_category}）超出目的「{purpose}」所需的数据类别"
--   en: "Mandatory field {field} of system {system} collects {data_category}, which purpose '{purpose}' does not need"
-- remediation:
--   zh: 将该字段改为选填，或在论证必要性后更新目的所需类别清单。
--   en: Make the field optional, or justify it and add the category to the purpose's baseline.

SELECT f.system || ':' || f.field || ':' || f.purpose AS subject_id,
       f.system, f.field, f.purpose, f.data_category,
       to_json({'field': f,
                'purpose_needs': (SELECT list(pc.data_category ORDER BY pc.data_category)
                                  FROM purpose_categories pc
                                  WHERE pc.purpose = f.purpose)}) AS evidence
FROM collection_fields f
WHERE f.mandatory
  AND EXISTS (SELECT 1 FROM purposes p WHERE p.purpose = f.purpose)
  AND NOT EXISTS (SELECT 1 FROM purpose_categories pc
                  WHERE pc.purpose = f.purpose AND pc.data_category = f.data_category)
