-- id: U01
-- slug: ticketed_privileged_action
-- family: use
-- title:
--   zh: 高风险操作有审批
--   en: Exports and deletions carry a ticket
-- severity: medium
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [access_log]
-- rule:
--   zh: >
--     本期内的有效访问，其操作属于策略要求工单的操作（ticketed_actions），但没有工单。
--   en: >
--     An effective access in the period whose action the policy lists as needing
--     a ticket (ticketed_actions) and that carries none.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的有效访问
--   en: effective accesses in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied'
-- reason:
--   zh: "{actor_id} 于 {local_ts} 执行 {action}（{data_category}，{record_count} 条）没有审批工单"
--   en: "{actor_id} did {action} on {data_category} ({record_count} records) at {local_ts} without a ticket"
-- remediation:
--   zh: 补办审批并核实用途；在系统中强制导出、删除前关联工单。
--   en: Get the approval after the fact and check the use; make the system require a ticket.

-- The actions needing a ticket are found on that one column first; only the
-- accesses without a ticket doing one are then read whole.
WITH ticketed AS MATERIALIZED (
    SELECT DISTINCT a.action
    FROM access_log a
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND a.ticket_id IS NULL
      AND lower(a.action) IN (SELECT unnest($ticketed_actions))
)
SELECT a.event_id AS subject_id, a.actor_id, a.action, a.data_category, a.record_count,
       local_text(a.ts, $tz) AS local_ts,
       to_json({'event': a}) AS evidence
FROM access_log a
WHERE in_period(a.ts, $period_start, $period_end)
  AND a.result <> 'denied'
  AND a.action IN (SELECT action FROM ticketed)
  AND a.ticket_id IS NULL
