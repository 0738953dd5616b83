-- id: S06
-- slug: role_based_access
-- family: storage
-- title:
--   zh: 按岗位授权访问
--   en: Access stays within the actor's role
-- severity: high
-- seed: 二(二)3
-- pipl: Art. 51
-- datasets: [access_log, employees, role_permissions]
-- optional_datasets: [role_assignments]
-- rule:
--   zh: >
--     本期内在职的已登记人员的有效访问，访问时所持任何岗位都未授予对该数据类别的该操作（'*' 授予全部操作）。有 role_assignments 时以其为准（[valid_from, valid_to)，空值为开区间），否则以员工的岗位在 [hired_at, terminated_at) 内为准。访问时不持任何岗位也是发现。
--   en: >
--     An effective access in the period by a registered actor employed at the
--     time, where no role the actor held at that instant grants the action on
--     the data category (a '*' action grants every action). Roles come from
--     role_assignments when it is present ([valid_from, valid_to), a null bound
--     is open), otherwise from the employee's role over [hired_at,
--     terminated_at). An actor holding no role at all is a finding too.
-- subject: "{event_id}"
-- population:
--   dataset: access_log
--   zh: 本期（及范围内）的有效访问
--   en: effective accesses in the period and scope
--   count: >
--     SELECT count(*) FROM access_log a WHERE a.ts >= $period_start AND a.ts < $period_end AND
--     a.result <> 'denied'
-- reason:
--   zh: "{actor_id} 于 {local_ts} 以岗位 {roles} 执行 {action} {data_category}，超出岗位权限"
--   en: "{actor_id} did {action} on {data_category} at {local_ts} holding roles {roles}, which do not allow it"
-- remediation:
--   zh: 核实访问原因；收回越权访问能力，按岗位职责调整权限矩阵。
--   en: Find out why; remove the access the role does not grant, or correct the access matrix.

WITH held AS (
    SELECT actor_id, role, valid_from, valid_to FROM role_assignments
    WHERE $has_role_assignments
    UNION ALL
    SELECT actor_id, role, hired_at, terminated_at FROM employees
    WHERE NOT $has_role_assignments AND role IS NOT NULL
),
grants AS (
    SELECT h.actor_id, h.role, h.valid_from, h.valid_to, p.data_category, p.action
    FROM held h JOIN role_permissions p ON p.role = h.role
),
-- Grants that never end settle most accesses at once: granted from `since` on.
open_grants AS (
    SELECT actor_id, data_category, action,
           min(coalesce(valid_from, TIMESTAMPTZ '-infinity')) AS since
    FROM grants WHERE valid_to IS NULL
    GROUP BY actor_id, data_category, action
),
candidates AS MATERIALIZED (
    SELECT a.*
    FROM access_log a
    JOIN employees e ON e.actor_id = a.actor_id
    LEFT JOIN open_grants g1 ON g1.actor_id = a.actor_id AND g1.data_category = a.data_category
                            AND g1.action = a.action
    LEFT JOIN open_grants g2 ON g2.actor_id = a.actor_id AND g2.data_category = a.data_category
                            AND g2.action = '*'
    WHERE in_period(a.ts, $period_start, $period_end)
      AND a.result <> 'denied'
      AND valid_at(a.ts, e.hired_at, e.terminated_at)
      AND NOT coalesce(g1.since <= a.ts, false)
      AND NOT coalesce(g2.since <= a.ts, false)
),
hits AS MATERIALIZED (
    SELECT a.* FROM candidates a
    WHERE NOT EXISTS (
        SELECT 1 FROM grants g
        WHERE g.actor_id = a.actor_id
          AND g.data_category = a.data_category
          AND (g.action = a.action OR g.action = '*')
          AND valid_at(a.ts, g.valid_from, g.valid_to))
)
SELECT a.event_id AS subject_id, a.actor_id, a.action, a.data_category,
       local_text(a.ts, $tz) AS local_ts,
       coalesce((SELECT string_agg(DISTINCT h.role, ', ' ORDER BY h.role) FROM held h
                 WHERE h.actor_id = a.actor_id
                   AND valid_at(a.ts, h.valid_from, h.valid_to)), '（无/none）') AS roles,
       to_json({'event': a,
                'employee': (SELECT e FROM employees e WHERE e.actor_id = a.actor_id),
                'roles_held': (SELECT list(h ORDER BY h.role) FROM held h
                               WHERE h.actor_id = a.actor_id
                                 AND valid_at(a.ts, h.valid_from, h.valid_to)),
                'permissions_on_category': (
                    SELECT list(g ORDER BY g.role, g.action) FROM grants g
                    WHERE g.actor_id = a.actor_id AND g.data_category = a.data_category
                      AND valid_at(a.ts, g.valid_from, g.valid_to))}) AS evidence
FROM hits a
