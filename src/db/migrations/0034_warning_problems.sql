-- 风险预警“交办”生成的问题是交给单位的工作，不是谁的反映：标记 from_warning，受理量等统计、风险信号和热点话题不再计入
-- （预警背后的反映已经计过一次；否则预警会抬高它自己所在领域的数字）。已有的按预警表里的链接补上标记，并把它们所在的日子
-- 标为待重算。
-- Problems made by a warning's 交办 are flagged from_warning and left out of the intake figures, risk signals and hot
-- topics; existing ones are found through warning.problem_id, and their days are recomputed.
UPDATE problem SET flags = flags || ARRAY['from_warning']
WHERE id IN (SELECT problem_id FROM warning WHERE problem_id IS NOT NULL) AND NOT 'from_warning' = ANY (flags);

INSERT INTO stat_dirty_day (day)
SELECT DISTINCT zhd_city_day(p.reported_at) FROM problem p JOIN warning w ON w.problem_id = p.id;
