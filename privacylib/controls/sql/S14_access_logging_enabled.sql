-- id: S14
-- slug: access_logging_enabled
-- family: storage
-- title:
--   zh: 访问留痕
--   en: Every PD store logs access
-- severity: medium
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [data_stores]
-- rule:
--   zh: >
--     含个人信息的存储（包括纸质档案，借阅登记即其访问日志）未记录访问日志。
--   en: >
--     A store holding personal data, paper archives included (a lending
--     register is their access log), that does not log access.
-- subject: "{store_id}"
-- population:
--   dataset: data_stores
--   zh: 含个人信息的存储（含纸质档案）
--   en: stores holding personal data, paper archives included
--   count: >
--     SELECT count(*) FROM data_stores s WHERE s.holds_personal_data
-- reason:
--   zh: "存储 {store_id}（{name}）含个人信息但未记录访问日志"
--   en: "Store {store_id} ({name}) holds personal data but does not log access"
-- remediation:
--   zh: 开启访问日志（纸质档案建立借阅登记），并定期审阅。
--   en: Turn on access logging (a lending register for paper) and review it.

SELECT s.store_id AS subject_id, s.store_id, s.name,
       to_json({'store': s}) AS evidence
FROM data_stores s
WHERE s.holds_personal_data
  AND s.access_logging IS NOT TRUE
