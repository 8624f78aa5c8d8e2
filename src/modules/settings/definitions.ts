import { z } from 'zod';

/** The run-time settings an administrator may change, each with its meaning and its allowed values. */
export const SETTINGS = {
  'workorder.remind_share': { name: '催办时点', description: '办理时间用去这一比例时自动催办（0.8 = 80%）', schema: z.number().min(0.1, '不小于 0.1').max(0.99, '不大于 0.99') },
  'workorder.due_soon_hours': { name: '即将超期', description: '距期限不足这么多小时的工单列为“即将超期”', schema: z.number().int().min(1).max(240) },
  'workorder.escalate_redo_count': { name: '提级督办：重办次数', description: '重办达到这一次数时提级督办', schema: z.number().int().min(1).max(20) },
  'workorder.escalate_units_passed': { name: '提级督办：流转单位数', description: '在这么多个单位间流转时提级督办', schema: z.number().int().min(2).max(20) },
  'outbox.max_attempts': { name: '短信最多尝试次数', description: '发送失败按 1、2、4…分钟退避，超过此次数标为失败', schema: z.number().int().min(1).max(20) },
  'triage.auto_dispatch': {
    name: '自动派发',
    description: '分拣模型对领域的置信度达到门槛、且有路由规则给出承办单位时，自动派发工单（执法作风问题、疑似不予派发事项除外）',
    schema: z.object({ enabled: z.boolean(), minConfidence: z.number().min(0.5, '门槛不低于 0.5').max(1, '门槛不高于 1') }),
  },
  'risk.weights': {
    name: '风险评分权重',
    description: '单位与领域风险评分中各项信号的权重（按比例折算为百分制，每个评分都列出各项得分）：反映量异常、执法作风、被反复投诉的对象、逾期率、不满意率、重办、复议诉讼败诉',
    schema: z.object({
      volume: z.number().min(0).max(100), misconduct: z.number().min(0).max(100), targets: z.number().min(0).max(100),
      overdue_rate: z.number().min(0).max(100), unsatisfied_rate: z.number().min(0).max(100), redo: z.number().min(0).max(100),
      lost_cases: z.number().min(0).max(100).default(0),
    }).refine((w) => Object.values(w).some((v) => v > 0), { message: '至少一项权重大于 0' }),
  },
  'risk.reraise_days': { name: '预警冷却天数', description: '一条预警化解或排除后，同一对象同一规则在这么多天内不再重复预警（信号升级到更高等级除外）', schema: z.number().int().min(0).max(90) },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
