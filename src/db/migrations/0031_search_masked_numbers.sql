-- The search index is built from texts with phone and ID numbers masked (hidden digits are never searchable): problems
-- indexed before are indexed again by the background job, batch by batch, not by an UPDATE of every row here. Only a
-- database with indexed problems needs it; the job kind is the one 重建检索索引 queues.
INSERT INTO job (kind, payload, max_attempts, unique_key)
SELECT 'search.reindexAll', '{}'::jsonb, 3, 'migration-0031-search-reindex'
WHERE EXISTS (SELECT 1 FROM problem WHERE search_tsv IS NOT NULL)
ON CONFLICT (unique_key) DO NOTHING;
