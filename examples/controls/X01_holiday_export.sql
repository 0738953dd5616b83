-- id: X01
-- slug: holiday_export
-- family: use
-- title:
--   zh: 法定节假日不导出客户数据
--   en: No export of customer data on a public holiday
-- severity: medium
-- seed: 公司制度：节假日数据导出须经审批
-- pipl: Art. 51
-- datasets: [access_log]
-- policy:
--   # Days on which nobody is at work to export: 'MM-DD' for every year, or
--   # 'YYYY-MM-DD' for one year's (the lunar holidays move). The default is
--   # the fixed-date statutory days: New Year, Labour Day, National Day.
--   public_holidays: ['01-01', '05-01', '10-01', '10-02', '10-03']
-- rule:
--   zh: >
--     本期内的有效导出，其本地日期是策略列出的节假日（public_holidays）。
--   en: >
--     An effective export in the period on a local day the policy lists as a
--     public holiday (public_holidays).
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的有效导出
--   en: effective exports in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied' AND lower(a.action) = 'export'
-- reason:
--   zh: "{actor_id} 于节假日 {local_ts} 导出了 {record_count} 条（{data_category}）"
--   en: "{actor_id} exported {record_count} records ({data_category}) on a public holiday, at {local_ts}"
-- remediation:
--   zh: 核实导出是否经过审批及其用途；节假日的导出应事先审批并告警。
--   en: Check that the export was approved and for what; require approval and alert on holiday exports.

SELECT a.event_id AS subject_id, a.actor_id, a.data_category, a.record_count,
       local_text(a.ts, $tz) AS local_ts,
       to_json({'event': a, 'holiday': local_day_text(a.ts, $tz)}) AS evidence
FROM access_log a
WHERE in_period(a.ts, $period_start, $period_end)
  AND a.result <> 'denied'
  AND lower(a.action) = 'export'
  AND (strftime(local_day(a.ts, $tz), '%m-%d') IN (SELECT unnest($public_holidays))
       OR local_day_text(a.ts, $tz) IN (SELECT unnest($public_holidays)))
