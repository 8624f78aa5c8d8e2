-- 查看举报人联系方式：单独的权限，每次查看都写审计
-- Revealing a reporter's contact is its own permission; every reveal is audited.
UPDATE role SET permissions = array_append(permissions, 'problem.contact') WHERE code IN ('supervisor', 'dispatcher');
UPDATE role SET permissions = array_append(permissions, 'problem.import') WHERE code IN ('admin', 'supervisor', 'dispatcher');
