-- id: S04
-- slug: retention_limit
-- family: storage
-- title:
--   zh: 存储期限届满删除
--   en: Data past its retention period is deleted or anonymised
-- severity: high
-- seed: 二(二)2
-- pipl: Art. 19, 47
-- datasets: [records, retention_policy, customers]
-- rule:
--   zh: >
--     既未删除也未匿名化的记录，其期限（起算点 + retention_days + 策略的 retention_grace_days）早于评估时点。起算点为 collected_at；以销户起算的类别取客户的 closed_at（账户未关闭则不到期）。
--   en: >
--     A record neither deleted nor anonymised whose deadline (its anchor plus
--     retention_days plus the policy's retention_grace_days) lies before as_of.
--     The anchor is collected_at, or the customer's closed_at for categories
--     anchored on account_closed (not due while the account is open).
-- subject: "{record_id}"
-- population:
--   dataset: records
--   zh: 个人信息记录
--   en: personal-data records
--   count: >
--     SELECT count(*) FROM records
-- reason:
--   zh: "记录 {record_id}（{data_category}）应于 {deadline} 前删除或匿名化，至今仍保存"
--   en: "Record {record_id} ({data_category}) was due for deletion or anonymisation by {deadline} and is still held"
-- remediation:
--   zh: 按保存期限策略删除或匿名化该记录，并检查定期清理任务。
--   en: Delete or anonymise the record as the retention policy says, and check the clean-up job.

SELECT r.record_id AS subject_id, r.record_id, r.data_category,
       local_text(d.deadline, $tz) AS deadline,
       to_json({'record': r, 'retention': rp, 'customer': cu, 'anchor': d.anchor,
                'deadline': d.deadline}) AS evidence
FROM records r
JOIN retention_policy rp ON rp.data_category = r.data_category
LEFT JOIN customers cu ON cu.customer_id = r.customer_id
CROSS JOIN LATERAL (
    SELECT CASE rp.anchor WHEN 'collected_at' THEN r.collected_at
                          WHEN 'account_closed' THEN cu.closed_at END AS anchor) a
CROSS JOIN LATERAL (
    SELECT a.anchor,
           a.anchor + exact_days(rp.retention_days + $retention_grace_days) AS deadline) d
WHERE r.deleted_at IS NULL
  AND r.anonymized_at IS NULL
  AND d.deadline < $as_of
