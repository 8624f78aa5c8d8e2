-- 审计行先写入、后封存：变更事务只插入审计行（不取链锁），封存器在提交后按顺序给已提交的行编链序号 seq、
-- 填 prev_hash 和 SM3 哈希。链的顺序是封存顺序（seq），不再是 id 顺序：id 小的事务可能后提交。
-- 已有的行按 id 顺序就是原来的链，seq 取它们在 id 顺序中的位次（1, 2, 3…，不留空号）。
-- Audit rows are written without the chain lock and sealed after commit, in seal order (seq): holding a chain lock
-- until commit serialized every writing transaction behind one fsync at a time.

ALTER TABLE audit_log ADD COLUMN seq bigint;
UPDATE audit_log a SET seq = n.position FROM (SELECT id, row_number() OVER (ORDER BY id) AS position FROM audit_log) n WHERE a.id = n.id;
ALTER TABLE audit_log ALTER COLUMN prev_hash DROP NOT NULL, ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
  CHECK ((seq IS NULL AND prev_hash IS NULL AND hash IS NULL) OR (seq IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL));
CREATE UNIQUE INDEX audit_log_seq ON audit_log (seq);
CREATE INDEX audit_log_unsealed ON audit_log (id) WHERE seq IS NULL;

DROP FUNCTION zhd_audit_chain_head(bigint);
