-- id: S01
-- slug: encryption_at_rest
-- family: storage
-- title:
--   zh: 加密存储
--   en: Personal data is encrypted at rest
-- severity: high
-- seed: 二(二)1
-- pipl: Art. 51
-- datasets: [data_stores]
-- rule:
--   zh: >
--     含个人信息的电子存储（纸质档案以外）未静态加密，或所用算法属于策略列出的弱算法（weak_encryption_algorithms，不区分大小写）。
--   en: >
--     An electronic store holding personal data (any kind but a paper archive)
--     that is not encrypted at rest, or whose algorithm the policy lists as weak
--     (weak_encryption_algorithms, any case).
-- subject: "{store_id}"
-- population:
--   dataset: data_stores
--   zh: 含个人信息的电子存储
--   en: electronic stores holding personal data
--   count: >
--     SELECT count(*) FROM data_stores s WHERE s.holds_personal_data AND s.kind <>
--     'paper_archive'
-- reason:
--   zh: "存储 {store_id}（{name}）含个人信息但未有效加密（加密：{encrypted}，算法：{algorithm}）"
--   en: "Store {store_id} ({name}) holds personal data without effective encryption (encrypted: {encrypted}, algorithm: {algorithm})"
-- remediation:
--   zh: 启用静态加密并采用强算法（如 AES-256、SM4），密钥单独管理。
--   en: Turn on encryption at rest with a strong algorithm (AES-256, SM4) and keys managed apart.

SELECT s.store_id AS subject_id, s.store_id, s.name,
       coalesce(CAST(s.encrypted_at_rest AS VARCHAR), 'null') AS encrypted,
       coalesce(s.encryption_algorithm, 'null') AS algorithm,
       to_json({'store': s}) AS evidence
FROM data_stores s
WHERE s.holds_personal_data
  AND s.kind <> 'paper_archive'
  AND (s.encrypted_at_rest IS NOT TRUE
       OR lower(s.encryption_algorithm) IN (SELECT unnest($weak_encryption_algorithms)))
