-- 分词词典加入本市区划的名称与旧名（含去掉“区、县、镇、街道”的简称）：“湾沚区六郎镇”不再被切成“湾/沚/区六郎/镇”，
-- 区划名也不再成为热点话题。已有问题的检索索引和话题用词按旧的切分算出，在后台重建一次（与“重建检索索引”相同，
-- 重建期间仍可检索）。
-- The segmenter now knows the city's division names; existing problems are indexed again in the background.
INSERT INTO job (kind, payload, max_attempts, unique_key)
SELECT 'search.reindexAll', '{}'::jsonb, 3, 'migration-0035-division-names'
WHERE EXISTS (SELECT 1 FROM problem)
ON CONFLICT (unique_key) DO NOTHING;
