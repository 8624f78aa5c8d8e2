-- 热点话题用词：每个问题里能成为话题的词（稀见名词、地名、店名），在建检索索引时一并算好存下，
-- 热点话题只需读取，不必在每次打开全局态势时重新分词。NULL 表示尚未计算（升级前的问题由检索索引任务陆续补上）。
-- The words of a problem that can name a hot topic, computed with its search index; NULL until computed.

ALTER TABLE problem ADD COLUMN topic_terms text[];
CREATE INDEX problem_topic_terms_pending ON problem (id) WHERE topic_terms IS NULL;
