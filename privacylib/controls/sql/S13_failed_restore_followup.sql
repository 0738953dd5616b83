-- id: S13
-- slug: failed_restore_followup
-- family: storage
-- title:
--   zh: 恢复失败整改
--   en: A failed restore test is fixed in time
-- severity: medium
-- seed: 二(二)4
-- pipl: Art. 51
-- datasets: [restore_tests]
-- rule:
--   zh: >
--     在 t 时失败的恢复测试，t + failed_restore_fix_days 早于评估时点，而该存储在 (t, t + failed_restore_fix_days] 内没有通过的测试。
--   en: >
--     A failed restore test at t, where t + failed_restore_fix_days lies before
--     as_of, and its store has no passing test in (t, t + failed_restore_fix_days].
-- subject: "{test_id}"
-- population:
--   dataset: restore_tests
--   zh: as_of 之前失败的恢复测试
--   en: failed restore tests before as_of
--   count: >
--     SELECT count(*) FROM restore_tests t WHERE t.result = 'fail' AND t.tested_at < $as_of
-- reason:
--   zh: "存储 {store_id} 于 {tested} 恢复测试失败，{limit} 天内未通过复测"
--   en: "Store {store_id} failed a restore test on {tested} and did not pass one within {limit} days"
-- remediation:
--   zh: 查明恢复失败原因并修复，复测通过后留档。
--   en: Find and fix the cause of the failure, then test again and keep the record.

SELECT t.test_id AS subject_id, t.store_id, $failed_restore_fix_days AS limit,
       local_minute_text(t.tested_at, $tz) AS tested,
       to_json({'failed_test': t,
                'later_tests': (SELECT list(p ORDER BY p.tested_at) FROM restore_tests p
                                WHERE p.store_id = t.store_id
                                  AND p.tested_at > t.tested_at)[1:10]}) AS evidence
FROM restore_tests t
WHERE t.result = 'fail'
  AND t.tested_at + exact_days($failed_restore_fix_days) < $as_of
  AND NOT EXISTS (
      SELECT 1 FROM restore_tests p
      WHERE p.store_id = t.store_id AND p.result = 'pass'
        AND p.tested_at > t.tested_at
        AND p.tested_at <= t.tested_at + exact_days($failed_restore_fix_days))
