-- id: H03
-- slug: cross_border_assessment
-- family: sharing
-- title:
--   zh: 出境评估
--   en: Cross-border transfers are assessed
-- severity: critical
-- seed: 一 合法性
-- pipl: Art. 38
-- datasets: [sharing]
-- rule:
--   zh: >
--     本期内向境外接收方（recipient_country 不是 CN）提供个人信息，但没有出境评估编号。
--   en: >
--     Personal data shared in the period with a recipient outside China
--     (recipient_country other than CN) with no transfer assessment reference.
-- subject: "{share_id}"
-- population:
--   dataset: sharing
--   zh: 本期的对外提供
--   en: shares in the period
--   count: >
--     SELECT count(*) FROM sharing s WHERE s.shared_at >= $period_start AND s.shared_at <
--     $period_end
-- reason:
--   zh: "{local_ts} 向境外（{recipient_country}）{recipient} 提供数据，没有出境评估记录"
--   en: "Data went abroad ({recipient_country}) to {recipient} at {local_ts} with no transfer assessment"
-- remediation:
--   zh: 暂停出境传输，完成安全评估、认证或标准合同备案后再恢复。
--   en: Pause the transfer until the assessment, certification or standard contract is in place.

SELECT s.share_id AS subject_id, s.recipient, s.recipient_country,
       local_text(s.shared_at, $tz) AS local_ts,
       to_json({'share': s}) AS evidence
FROM sharing s
WHERE in_period(s.shared_at, $period_start, $period_end)
  AND s.recipient_country <> 'CN'
  AND s.transfer_assessment_ref IS NULL
