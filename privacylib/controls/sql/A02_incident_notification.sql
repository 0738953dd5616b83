-- id: A02
-- slug: incident_notification
-- family: accountability
-- title:
--   zh: 事件通知
--   en: Incidents are notified in time
-- severity: critical
-- seed: 一 安全性
-- pipl: Art. 57
-- datasets: [incidents]
-- rule:
--   zh: >
--     本期内处于未结状态的事件（发现时间早于期间结束，且仍有通知未发出或较晚的通知不早于期间开始），通知客户或监管晚于发现后 incident_notify_hours 小时，或在评估时点已超时仍未通知。
--   en: >
--     An incident open during the period (detected before period_end, and a
--     notification still missing or the later one at or after period_start)
--     where the customers or the regulator were notified later than
--     incident_notify_hours after detection, or not yet notified although that
--     time had passed at as_of.
-- subject: "{incident_id}"
-- population:
--   dataset: incidents
--   zh: 本期内处于处理中的事件
--   en: incidents open during the period
--   count: >
--     SELECT count(*) FROM incidents i WHERE i.detected_at < $period_end AND
--     (i.customers_notified_at IS NULL OR i.regulator_notified_at IS NULL OR
--     greatest(i.customers_notified_at, i.regulator_notified_at) >= $period_start)
-- reason:
--   zh: "事件 {incident_id}（{detected} 发现）：{problem_zh}"
--   en: "Incident {incident_id} (detected {detected}): {problem_en}"
-- remediation:
--   zh: 立即通知受影响客户和监管部门，复盘通知流程。
--   en: Notify the customers and the regulator now, and review the notification process.

SELECT i.incident_id AS subject_id, i.incident_id,
       local_minute_text(i.detected_at, $tz) AS detected,
       concat_ws('；',
           CASE WHEN i.customers_notified_at IS NULL THEN '未通知客户'
                WHEN i.customers_notified_at > i.detected_at + to_hours($incident_notify_hours)
                THEN '通知客户晚于 ' || $incident_notify_hours || ' 小时' END,
           CASE WHEN i.regulator_notified_at IS NULL THEN '未报告监管部门'
                WHEN i.regulator_notified_at > i.detected_at + to_hours($incident_notify_hours)
                THEN '报告监管晚于 ' || $incident_notify_hours || ' 小时' END) AS problem_zh,
       concat_ws('; ',
           CASE WHEN i.customers_notified_at IS NULL THEN 'customers not notified'
                WHEN i.customers_notified_at > i.detected_at + to_hours($incident_notify_hours)
                THEN 'customers notified after ' || $incident_notify_hours || ' hours' END,
           CASE WHEN i.regulator_notified_at IS NULL THEN 'regulator not notified'
                WHEN i.regulator_notified_at > i.detected_at + to_hours($incident_notify_hours)
                THEN 'regulator notified after ' || $incident_notify_hours || ' hours' END)
           AS problem_en,
       to_json({'incident': i}) AS evidence
FROM incidents i
WHERE i.detected_at < $period_end
  AND (i.customers_notified_at IS NULL OR i.regulator_notified_at IS NULL
       OR greatest(i.customers_notified_at, i.regulator_notified_at) >= $period_start)
  AND (((i.customers_notified_at IS NULL OR i.regulator_notified_at IS NULL)
        AND $as_of > i.detected_at + to_hours($incident_notify_hours))
       OR i.customers_notified_at > i.detected_at + to_hours($incident_notify_hours)
       OR i.regulator_notified_at > i.detected_at + to_hours($incident_notify_hours))
