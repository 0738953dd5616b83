-- id: S09
-- slug: backup_frequency
-- family: storage
-- title:
--   zh: 定期备份
--   en: PD stores are backed up at the required interval
-- severity: high
-- seed: 二(二)4
-- pipl: Art. 51
-- datasets: [data_stores, backups]
-- rule:
--   zh: >
--     含个人信息的电子存储，本期内成功备份之间（自期间开始至期间结束计）出现超过 backup_max_gap_hours 的间隔（完全没有备份即为一个长间隔）。备份时点为 completed_at，为空时取 started_at。
--   en: >
--     An electronic store holding personal data whose successful backups in the
--     period leave a gap longer than backup_max_gap_hours, counting from
--     period_start and up to period_end (no backup at all is one long gap). A
--     backup's instant is its completed_at, or its started_at when that is null.
-- subject: "{store_id}"
-- population:
--   dataset: data_stores
--   zh: 含个人信息的电子存储
--   en: electronic stores holding personal data
--   count: >
--     SELECT count(*) FROM data_stores s WHERE s.holds_personal_data AND s.kind <>
--     'paper_archive'
-- reason:
--   zh: "存储 {store_id}（{name}）最长 {longest_hours} 小时没有成功备份（共 {gaps} 段超过 {limit} 小时）"
--   en: "Store {store_id} ({name}) went {longest_hours} hours without a successful backup ({gaps} gap(s) over {limit} hours)"
-- remediation:
--   zh: 排查失败或遗漏的备份任务，恢复按期备份并设置失败告警。
--   en: Fix the failed or missing backup jobs, and alert on failure.

WITH stores AS (
    SELECT * FROM data_stores WHERE holds_personal_data AND kind <> 'paper_archive'
),
instants AS (
    SELECT s.store_id, coalesce(b.completed_at, b.started_at) AS instant, b.backup_id
    FROM stores s JOIN backups b ON b.store_id = s.store_id
    WHERE b.status = 'success'
      AND in_period(coalesce(b.completed_at, b.started_at), $period_start, $period_end)
    UNION ALL SELECT store_id, $period_start, NULL FROM stores
    UNION ALL SELECT store_id, $period_end, NULL FROM stores
),
gaps AS (
    SELECT store_id, instant AS gap_from,
           lead(instant) OVER (PARTITION BY store_id ORDER BY instant, backup_id)
           AS gap_to
    FROM instants
)
SELECT g.store_id AS subject_id, g.store_id, any_value(s.name) AS name,
       round(max(epoch(g.gap_to) - epoch(g.gap_from)) / 3600, 1) AS longest_hours,
       count(*) AS gaps, $backup_max_gap_hours AS limit,
       to_json({'store': any_value(s),
                'successful_backups_in_period': (
                    SELECT count(*) FROM instants i
                    WHERE i.store_id = g.store_id AND i.backup_id IS NOT NULL),
                'gaps': list({'from': g.gap_from, 'to': g.gap_to,
                              'hours': round((epoch(g.gap_to) - epoch(g.gap_from)) / 3600, 2)}
                             ORDER BY g.gap_from)}) AS evidence
FROM gaps g JOIN stores s ON s.store_id = g.store_id
WHERE g.gap_to > g.gap_from + to_hours($backup_max_gap_hours)
GROUP BY g.store_id
