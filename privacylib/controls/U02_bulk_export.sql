-- id: U02
-- slug: bulk_export
-- family: use
-- title:
--   zh: 批量导出
--   en: No bulk export beyond the daily limit
-- severity: high
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [access_log]
-- rule: >
--   An actor whose effective exports on one local day in the period add up to
--   more records (record_count) than bulk_export_records_per_day.
-- subject: "{actor_id}:{day}"
-- reason:
--   zh: "{actor_id} 在 {day} 共导出 {records} 条记录（{exports} 次），超过每日 {limit} 条的上限"
--   en: "{actor_id} exported {records} records in {exports} exports on {day}, over the daily limit of {limit}"
-- remediation:
--   zh: 核实导出用途与审批；对超量导出设置审批和技术拦截。
--   en: Check what the exports were for and who approved them; block exports over the limit.
SELECT a.actor_id || ':' || strftime(timezone($tz, a.ts), '%Y-%m-%d') AS subject_id,
       a.actor_id, strftime(timezone($tz, a.ts), '%Y-%m-%d') AS day,
       sum(a.record_count) AS records, count(*) AS exports,
       $bulk_export_records_per_day AS limit,
       to_json({'records': sum(a.record_count), 'exports': count(*),
                'events': list(a ORDER BY a.ts, a.event_id)[1:200]}) AS evidence
FROM access_log a
WHERE a.ts >= $period_start AND a.ts < $period_end
  AND a.result <> 'denied'
  AND a.action = 'export'
  AND a.actor_id IS NOT NULL
GROUP BY a.actor_id, strftime(timezone($tz, a.ts), '%Y-%m-%d')
HAVING sum(a.record_count) > $bulk_export_records_per_day
