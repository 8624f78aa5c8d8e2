-- 渠道筛选含合并来源: filtering by channel finds the problems that came through it, including those merged in from it
-- (a 12345 call and a 微博 post about one shop), while problem.channel is only the first source's. Problems with one
-- source, nearly all, are matched by problem.channel; the few with more are found through this index and checked
-- in problem_source.
CREATE INDEX problem_multi_source ON problem (reported_at DESC) WHERE source_count > 1;
