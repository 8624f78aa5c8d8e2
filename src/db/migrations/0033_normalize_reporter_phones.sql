-- 按反映人电话查找（问题库检索词是一个电话号码时）用的是电话的盲索引：早先导入、电话未规范化（+86 139…、139-5530-7777）
-- 的问题，盲索引按当时的写法算出，查不到。已有反映人电话的数据库在后台跑一次规范化（与 `npx zhd db normalize-phones` 相同，
-- 可重复运行；迁移没有密钥，不能在这里解密）。
-- Reporters' phones stored before intake normalized them are normalized once by a background job (the same as
-- `npx zhd db normalize-phones`), so that a look-up by a reporter's phone finds them.
INSERT INTO job (kind, payload, max_attempts, unique_key)
SELECT 'intake.normalizePhones', '{}'::jsonb, 3, 'migration-0033-normalize-phones'
WHERE EXISTS (SELECT 1 FROM problem WHERE reporter_phone_enc IS NOT NULL)
ON CONFLICT (unique_key) DO NOTHING;
