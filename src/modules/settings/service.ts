import type { AppContext } from '../../context.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import type { Actor } from '../auth/access.ts';
import { SETTING_KEYS, SETTINGS, type SettingKey } from './definitions.ts';
import { settingsRepo } from './repo.ts';

export function createSettingsService(ctx: AppContext) {
  const { db } = ctx;
  return {
    async list() {
      const rows = await settingsRepo.list(db, SETTING_KEYS);
      return SETTING_KEYS.map((key) => {
        const row = rows.find((r) => r.key === key);
        return { key, name: SETTINGS[key].name, description: SETTINGS[key].description, value: row?.value ?? null, updated_at: row?.updated_at ?? null };
      });
    },

    /** Validates the value against the setting's own rule; the change is audited with the old and new value. */
    async put(actor: Actor, key: string, value: unknown) {
      if (!(key in SETTINGS)) throw notFound(`设置项 ${key} `);
      const parsed = SETTINGS[key as SettingKey].schema.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = ['value', ...issue.path.map(String)].join('.');
        throw new AppError(400, 'VALIDATION', `${SETTINGS[key as SettingKey].name}：${issue.message}`, [{ field, message: issue.message }]);
      }
      await db.transaction().execute(async (tx) => {
        const before = await settingsRepo.get(tx, key);
        await settingsRepo.put(tx, key, parsed.data);
        await recordAudit(tx, actor, { action: 'setting.update', targetType: 'app_setting', targetId: key, summary: { before: before ?? null, after: parsed.data } });
      });
      return { key, value: parsed.data };
    },
  };
}
