-- id: C01
-- slug: purpose_declared
-- family: collection
-- title:
--   zh: 收集目的明确
--   en: Every collected field has a declared purpose
-- severity: high
-- seed: 二(一)1
-- pipl: Art. 6, 17
-- datasets: [collection_fields, purposes]
-- rule:
--   zh: >
--     数据清单中收集目的为空、或不在目的目录中的字段。
--   en: >
--     A field of the data inventory whose purpose is empty, or names no purpose
--     of the purpose catalogue.
-- subject: "{system}:{field}"
-- population:
--   dataset: collection_fields
--   zh: 数据清单中收集的字段（系统:字段）
--   en: collected fields (system:field) of the data inventory
--   count: >
--     SELECT count(*) FROM (SELECT DISTINCT f.system, f.field FROM collection_fields f)
-- reason:
--   zh: "系统 {system} 的字段 {field} 没有已登记的收集目的（登记为：{purposes}）"
--   en: "Field {field} of system {system} has no catalogued purpose (recorded: {purposes})"
-- remediation:
--   zh: 在数据清单中为该字段填写已登记的目的；不需要的字段停止收集。
--   en: Record a catalogued purpose for the field in the data inventory, or stop collecting it.

SELECT f.system || ':' || f.field AS subject_id,
       any_value(f.system) AS system,
       any_value(f.field) AS field,
       string_agg(coalesce(f.purpose, '(空/none)'), ', ' ORDER BY f.purpose) AS purposes,
       to_json({'fields': list(f ORDER BY f.purpose)}) AS evidence
FROM collection_fields f
WHERE f.purpose IS NULL
   OR NOT EXISTS (SELECT 1 FROM purposes p WHERE p.purpose = f.purpose)
GROUP BY f.system, f.field
