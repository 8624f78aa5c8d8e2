-- 被反映对象的规范化键：同一对象在不同反映中能被认出（风险预警按对象计数）
ALTER TABLE problem ADD COLUMN target_key text;
CREATE INDEX problem_target_key ON problem (target_key, reported_at DESC) WHERE target_key IS NOT NULL;
