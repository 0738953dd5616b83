-- id: S12
-- slug: restore_testing
-- family: storage
-- title:
--   zh: 定期恢复测试
--   en: Backups are proven restorable
-- severity: high
-- seed: 二(二)4
-- pipl: Art. 51
-- datasets: [data_stores, restore_tests]
-- rule:
--   zh: >
--     含个人信息的电子存储在 (评估时点 - restore_test_max_age_days, 评估时点] 内没有通过的恢复测试。
--   en: >
--     An electronic store holding personal data with no passing restore test in
--     (as_of - restore_test_max_age_days, as_of].
-- subject: "{store_id}"
-- population:
--   dataset: data_stores
--   zh: 含个人信息的电子存储
--   en: electronic stores holding personal data
--   count: >
--     SELECT count(*) FROM data_stores s WHERE s.holds_personal_data AND s.kind <>
--     'paper_archive'
-- reason:
--   zh: "存储 {store_id}（{name}）近 {limit} 天内没有通过的恢复测试（最近一次通过：{last_pass}）"
--   en: "Store {store_id} ({name}) has no passing restore test in the last {limit} days (last pass: {last_pass})"
-- remediation:
--   zh: 尽快开展恢复测试并校验数据完整性，纳入定期计划。
--   en: Run a restore test with an integrity check now, and schedule them.

SELECT s.store_id AS subject_id, s.store_id, s.name, $restore_test_max_age_days AS limit,
       coalesce((SELECT local_minute_text(max(t.tested_at), $tz)
                 FROM restore_tests t
                 WHERE t.store_id = s.store_id AND t.result = 'pass'
                   AND t.tested_at <= $as_of), '从未/never') AS last_pass,
       to_json({'store': s,
                'restore_tests': (SELECT list(t ORDER BY t.tested_at DESC) FROM restore_tests t
                                  WHERE t.store_id = s.store_id)[1:10]}) AS evidence
FROM data_stores s
WHERE s.holds_personal_data
  AND s.kind <> 'paper_archive'
  AND NOT EXISTS (
      SELECT 1 FROM restore_tests t
      WHERE t.store_id = s.store_id AND t.result = 'pass'
        AND in_last_days(t.tested_at, $as_of, $restore_test_max_age_days))
