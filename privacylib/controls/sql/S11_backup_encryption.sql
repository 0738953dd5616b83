-- id: S11
-- slug: backup_encryption
-- family: storage
-- title:
--   zh: 备份加密
--   en: Backups of personal data are encrypted
-- severity: medium
-- seed: 二(二)1,4
-- pipl: Art. 51
-- datasets: [data_stores, backups]
-- rule:
--   zh: >
--     本期内含个人信息存储的成功备份未登记为已加密。
--   en: >
--     A successful backup in the period of a store holding personal data that is
--     not recorded as encrypted.
-- subject: "{backup_id}"
-- population:
--   dataset: backups
--   zh: 本期含个人信息存储的成功备份
--   en: successful backups in the period of stores holding personal data
--   count: >
--     SELECT count(*) FROM backups b JOIN data_stores s ON s.store_id = b.store_id
--     WHERE s.holds_personal_data AND b.status = 'success'
--     AND coalesce(b.completed_at, b.started_at) >= $period_start
--     AND coalesce(b.completed_at, b.started_at) < $period_end
-- reason:
--   zh: "存储 {store_id} 的备份 {backup_id} 未加密"
--   en: "Backup {backup_id} of store {store_id} is not encrypted"
-- remediation:
--   zh: 对含个人信息的备份启用加密，并核查已有备份。
--   en: Encrypt backups of personal data, and check the existing ones.

SELECT b.backup_id AS subject_id, b.backup_id, b.store_id,
       to_json({'backup': b, 'store': s}) AS evidence
FROM backups b
JOIN data_stores s ON s.store_id = b.store_id
WHERE b.status = 'success'
  AND in_period(coalesce(b.completed_at, b.started_at), $period_start, $period_end)
  AND s.holds_personal_data
  AND b.encrypted IS NOT TRUE
