-- id: S10
-- slug: backup_separation
-- family: storage
-- title:
--   zh: 备份物理隔离
--   en: Backups are kept apart from the primary
-- severity: high
-- seed: 二(二)4
-- pipl: Art. 51
-- datasets: [data_stores, backups]
-- rule:
--   zh: >
--     本期内成功的备份存放在其存储自身所在位置（去除首尾空白、不区分大小写比较）。
--   en: >
--     A successful backup in the period kept at its store's own location
--     (compared trimmed and in any case).
-- subject: "{backup_id}"
-- population:
--   dataset: backups
--   zh: 本期成功的、所属存储已登记的备份
--   en: successful backups in the period of a registered store
--   count: >
--     SELECT count(*) FROM backups b JOIN data_stores s ON s.store_id = b.store_id
--     WHERE b.status = 'success' AND coalesce(b.completed_at, b.started_at) >= $period_start
--     AND coalesce(b.completed_at, b.started_at) < $period_end
-- reason:
--   zh: "备份 {backup_id} 存放在与主存储 {store_id} 相同的位置（{location}）"
--   en: "Backup {backup_id} is kept at the same location as its store {store_id} ({location})"
-- remediation:
--   zh: 将备份存放到与主存储物理隔离的设备或异地设施。
--   en: Keep backups on separate equipment or at another site.

SELECT b.backup_id AS subject_id, b.backup_id, b.store_id, s.location,
       to_json({'backup': b, 'store': s}) AS evidence
FROM backups b
JOIN data_stores s ON s.store_id = b.store_id
WHERE b.status = 'success'
  AND in_period(coalesce(b.completed_at, b.started_at), $period_start, $period_end)
  AND lower(trim(b.target_location)) = lower(trim(s.location))
