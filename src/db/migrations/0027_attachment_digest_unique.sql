-- 附件按（问题，SM3 摘要）唯一：同一文件对同一问题只存一份。加锁前并发推送同一批记录会把同一文件存了几份：
-- 留最早的一份，其余删去（内容相同；没有别的表引用附件行，审计日志里的 attachment.add 记录不动）。
-- 因此超出每件数量上限的问题不再补删：多出的是不同的文件，该留哪份无从判断。
-- One copy of a file per problem. Concurrent pushes before the lock stored some files several times: the earliest
-- copy stays, the others (the same bytes, referenced by no other table) go. The index also serves lookups by problem.
DELETE FROM attachment a USING attachment b WHERE a.problem_id = b.problem_id AND a.digest = b.digest AND a.id > b.id;
CREATE UNIQUE INDEX attachment_problem_digest ON attachment (problem_id, digest);
DROP INDEX attachment_problem;
