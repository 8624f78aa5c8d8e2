-- 参考数据：随迁移提供，不依赖演示数据（DOMAIN.md）
-- Reference data ships with the migrations: a database that was only migrated can import, classify and compute deadlines.

-- 十大重点执法领域（提升行政执法质量三年行动计划（2023－2025年））+ 其他
INSERT INTO enforcement_domain (code, name, sort, builtin) VALUES
  ('food_drug',         '食品药品', 1, true),
  ('public_health',     '公共卫生', 2, true),
  ('natural_resources', '自然资源', 3, true),
  ('eco_env',           '生态环境', 4, true),
  ('work_safety',       '安全生产', 5, true),
  ('labor',             '劳动保障', 6, true),
  ('urban_mgmt',        '城市管理', 7, true),
  ('transport',         '交通运输', 8, true),
  ('finance',           '金融服务', 9, true),
  ('education',         '教育培训', 10, true),
  ('other',             '其他',     99, true);

INSERT INTO report_kind (code, name, sort) VALUES
  ('complaint', '投诉', 1),
  ('report',    '举报', 2),
  ('consult',   '咨询', 3),
  ('suggest',   '建议', 4),
  ('help',      '求助', 5),
  ('praise',    '表扬', 6);

INSERT INTO channel (code, name, adapter) VALUES
  ('hotline12345',   '12345政务服务便民热线',     'hotline12345'),
  ('people_board',   '人民网领导留言板',          'people_board'),
  ('portal_mailbox', '市政府门户网站信箱',        'portal_mailbox'),
  ('wanshitong',     '皖事通',                    'wanshitong'),
  ('gov_service',    '安徽政务服务网芜湖分厅',    'gov_service'),
  ('wechat',         '微信',                      'social'),
  ('weibo',          '微博',                      'social'),
  ('web_form',       '公众反映表单',              'web_form'),
  ('staff',          '工作人员录入',              'staff'),
  ('generic',        '通用导入（CSV/XLSX）',      'generic');

INSERT INTO role (code, name, description, permissions, sort) VALUES
  ('admin', '系统管理员', '管理单位、人员、授权、接入密钥和参考数据',
    ARRAY['org.read', 'org.manage', 'apikey.manage', 'audit.read', 'reference.manage', 'problem.read'], 1),
  ('supervisor', '督办人员', '行政执法监督科：督办、审核答复、挂牌和提级督办',
    ARRAY['org.read', 'audit.read', 'problem.read', 'problem.triage', 'workorder.supervise', 'report.read'], 2),
  ('dispatcher', '分拣人员', '确认分类、合并重复、派发工单',
    ARRAY['org.read', 'problem.read', 'problem.triage'], 3),
  ('handler', '承办人员', '承办单位签收、办理、答复工单',
    ARRAY['org.read', 'problem.read', 'workorder.handle'], 4),
  ('leader', '领导', '查看全局态势、分析报告和风险预警',
    ARRAY['org.read', 'problem.read', 'report.read', 'audit.read'], 5),
  ('reviewer', '评查人员', '案卷评查',
    ARRAY['org.read', 'casefile.review'], 6),
  ('officer', '执法人员', '行政执法人员：执法记录、培训考试',
    ARRAY['org.read', 'enforcement.act'], 7);

-- 工作日历 2025（国办发明电〔2024〕12号）
INSERT INTO calendar_year (year, source, published_at) VALUES
  (2025, '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）', '2024-11-12'),
  (2026, '国务院办公厅关于2026年部分节假日安排的通知', '2025-11-04');

INSERT INTO calendar_day (day, is_workday, note)
SELECT d::date, false, h.note
FROM (VALUES
  ('2025-01-01'::date, '2025-01-01'::date, '元旦'),
  ('2025-01-28', '2025-02-04', '春节'),
  ('2025-04-04', '2025-04-06', '清明节'),
  ('2025-05-01', '2025-05-05', '劳动节'),
  ('2025-05-31', '2025-06-02', '端午节'),
  ('2025-10-01', '2025-10-08', '国庆节、中秋节'),
  ('2026-01-01', '2026-01-03', '元旦'),
  ('2026-02-15', '2026-02-23', '春节'),
  ('2026-04-04', '2026-04-06', '清明节'),
  ('2026-05-01', '2026-05-05', '劳动节'),
  ('2026-06-19', '2026-06-21', '端午节'),
  ('2026-09-25', '2026-09-27', '中秋节'),
  ('2026-10-01', '2026-10-07', '国庆节')
) AS h (first_day, last_day, note),
LATERAL generate_series(h.first_day, h.last_day, interval '1 day') AS d;

INSERT INTO calendar_day (day, is_workday, note) VALUES
  ('2025-01-26', true, '春节调休上班'),
  ('2025-02-08', true, '春节调休上班'),
  ('2025-04-27', true, '劳动节调休上班'),
  ('2025-09-28', true, '国庆节调休上班'),
  ('2025-10-11', true, '国庆节调休上班'),
  ('2026-01-04', true, '元旦调休上班'),
  ('2026-02-14', true, '春节调休上班'),
  ('2026-02-28', true, '春节调休上班'),
  ('2026-05-09', true, '劳动节调休上班'),
  ('2026-09-20', true, '中秋节调休上班'),
  ('2026-10-10', true, '国庆节调休上班');

-- 默认办理时限（安徽：咨询 3 个工作日，其他 10 个工作日；紧急按小时；签收 1 个工作日）
INSERT INTO deadline_policy (purpose, kind_code, urgency, amount, amount_unit, note) VALUES
  ('handle', 'consult', 'normal', 3,  'working_days', '咨询类 3 个工作日'),
  ('handle', NULL,      'normal', 10, 'working_days', '其他类型 10 个工作日'),
  ('handle', NULL,      'urgent', 2,  'hours',        '紧急事项 2 小时'),
  ('sign',   NULL,      'normal', 1,  'working_days', '签收时限 1 个工作日'),
  ('sign',   NULL,      'urgent', 1,  'hours',        '紧急事项签收 1 小时');

-- 后台任务计划
INSERT INTO job_schedule (name, cron, kind) VALUES
  ('session-cleanup', '*/15 * * * *', 'auth.cleanupSessions'),
  ('rate-limit-cleanup', '*/10 * * * *', 'ratelimit.cleanup'),
  ('job-cleanup', '30 3 * * *', 'jobs.cleanupFinished');
