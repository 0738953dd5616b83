-- id: H02
-- slug: sharing_contract
-- family: sharing
-- title:
--   zh: 共享协议
--   en: Sharing is covered by a contract
-- severity: high
-- seed: 一 责任
-- pipl: Art. 21, 23
-- datasets: [sharing]
-- rule:
--   zh: >
--     本期内对外提供个人信息，但没有协议编号。
--   en: >
--     Personal data shared in the period with no contract reference.
-- subject: "{share_id}"
-- population:
--   dataset: sharing
--   zh: 本期的对外提供
--   en: shares in the period
--   count: >
--     SELECT count(*) FROM sharing s WHERE s.shared_at >= $period_start AND s.shared_at <
--     $period_end
-- reason:
--   zh: "{local_ts} 向 {recipient} 提供数据（目的「{purpose}」）没有协议编号"
--   en: "Data went to {recipient} for '{purpose}' at {local_ts} with no contract on record"
-- remediation:
--   zh: 与接收方签订数据处理协议，约定目的、期限、安全措施与责任。
--   en: Sign a data-processing agreement with the recipient (purpose, term, security, liability).

SELECT s.share_id AS subject_id, s.recipient, s.purpose,
       local_text(s.shared_at, $tz) AS local_ts,
       to_json({'share': s}) AS evidence
FROM sharing s
WHERE in_period(s.shared_at, $period_start, $period_end)
  AND s.contract_ref IS NULL
