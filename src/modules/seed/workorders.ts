import type { AppContext } from '../../context.ts';
import type { UserPrincipal, Actor } from '../auth/access.ts';
import { authRepo } from '../auth/repo.ts';
import { createWorkOrdersService } from '../workorders/service.ts';
import { seedRepo } from './repo.ts';

const HOUR = 3_600_000;

export async function demoActor(ctx: AppContext, username: string): Promise<Actor> {
  const user = await seedRepo.userByName(ctx.db, username);
  const principal: UserPrincipal = {
    kind: 'user', userId: user.id, username: user.username, displayName: user.display_name, unitId: user.unit_id, mustChangePassword: false, sessionId: 'demo-seed',
    grants: await authRepo.grantsOf(ctx.db, user.id),
  };
  return { principal, ip: null };
}

/** A reply such as a market-supervision bureau writes, naming what the report named. */
function demoReply(p: { title: string; target_text: string | null; address: string | null }, i: number) {
  const who = p.target_text || p.address || '反映的经营场所';
  return {
    content: `收到转办件后，我局执法人员于次日到${who}进行现场检查。经查，反映的“${p.title}”问题基本属实。执法人员已当场责令其立即整改，并依法立案调查，` +
      `依据《中华人民共和国食品安全法》第一百二十四条${i % 2 ? '处以罚款 5000 元' : '给予警告'}。目前该经营者已整改完毕，我局将纳入日常巡查重点。`,
    measures: '现场检查、责令整改、立案调查',
    basis: '《中华人民共和国食品安全法》第一百二十四条',
    result: i % 2 ? '已整改完毕，罚款 5000 元' : '已整改完毕，给予警告',
  };
}

const CITY_OFFSET = 8 * HOUR;
/** The same moment moved into office hours, city time (a weekday, 9:00–17:30), minutes varied by `seed`: people sign and answer at work. */
function officeHours(ms: number, seed: number): number {
  const local = new Date(ms + CITY_OFFSET);
  const minutes = local.getUTCHours() * 60 + local.getUTCMinutes();
  if (minutes < 9 * 60) local.setUTCHours(9, (seed * 7) % 60, 0, 0);
  else if (minutes > 17 * 60 + 30) {
    local.setUTCDate(local.getUTCDate() + 1);
    local.setUTCHours(9, (seed * 7) % 60, 0, 0);
  }
  while (local.getUTCDay() === 0 || local.getUTCDay() === 6) local.setUTCDate(local.getUTCDate() + 1);
  return local.getTime() - CITY_OFFSET;
}

/**
 * The demo city's work orders: older food and drug reports dispatched to the demo handler's bureau and walked through
 * the loop on their own dates (some closed, some awaiting review or follow-up, one redone, one extended, one listed),
 * a few sent to units without demo users and left to go overdue. Then the supervision sweep runs as it would have each morning.
 */
export async function seedDemoWorkOrders(ctx: AppContext, count = 60): Promise<{ orders: number }> {
  const [dispatcher, supervisor, handler] = await Promise.all(['dispatcher', 'supervisor', 'handler'].map((u) => demoActor(ctx, u)));
  const handlerUnit = (handler.principal as UserPrincipal).unitId;
  const problems = await seedRepo.dispatchableProblems(ctx.db, count);
  let clock = new Date();
  const service = createWorkOrdersService(ctx, { now: () => clock });
  let orders = 0;
  for (const [i, p] of problems.entries()) {
    // the demo handler's bureau answers food and drug reports; the rest go to the unit triage proposed and wait there
    const mine = p.domain_code === 'food_drug' && i % 4 !== 3;
    const unitId = mine ? handlerUnit : (p.route_unit_id ?? handlerUnit);
    const start = new Date(p.reported_at).getTime();
    let last = start;
    // each step later than the one before it (office hours may move a step into the next morning)
    const at = (hours: number) => (clock = new Date((last = Math.min(Math.max(officeHours(start + hours * HOUR, i), last + 20 * 60_000), Date.now()))));
    at(2);
    let view = await service.dispatch(dispatcher, p.id, { unitId, urgency: i % 17 === 0 ? 'urgent' : 'normal', instructions: '请依法核查处理，按时答复。' });
    orders++;
    if (!mine) continue;
    const id = view.order.id;
    const stage = i % 10;
    if (stage === 9) continue; // 待签收
    at(20);
    view = await service.sign(handler, id, view.order.version);
    if (stage === 8) {
      if (i % 20 === 8) await service.requestExtension(handler, id, view.order.version, new Date(new Date(view.order.deadline).getTime() + 5 * 24 * HOUR), '需等待检验机构出具检验报告');
      continue; // 办理中
    }
    at(24 * (3 + (i % 4)));
    view = await service.reply(handler, id, view.order.version, demoReply(p, i));
    if (stage === 7) continue; // 已答复待审核
    at(24 * (4 + (i % 4)));
    if (stage === 6) {
      view = await service.review(supervisor, id, view.order.version, false, '答复未说明罚款依据的具体条款，请补充后重新答复');
      continue; // 重办
    }
    view = await service.review(supervisor, id, view.order.version, true, '');
    if (stage === 5) {
      if (i % 20 === 5) await service.setListed(supervisor, id, view.order.version, new Date(Date.now() + 5 * 24 * HOUR), '同一商户被反复投诉，挂牌督办');
      continue; // 待回访
    }
    at(24 * (5 + (i % 4)));
    const satisfaction = stage === 4 ? 'basically_satisfied' : stage === 3 ? 'unrated' : 'satisfied';
    await service.followUp(supervisor, id, view.order.version, { satisfaction, comment: satisfaction === 'satisfied' ? '问题已解决，感谢' : '', method: 'phone' });
  }
  // the supervision sweep as it would have run each morning since the first dispatch: reminders, overdue flags and
  // 督办 notices carry the day they fell due, not the moment the demo was loaded
  const first = problems.length ? Math.min(...problems.map((p) => new Date(p.reported_at).getTime())) : Date.now();
  const morning = new Date(first + CITY_OFFSET);
  morning.setUTCHours(8, 30, 0, 0);
  for (let day = morning.getTime() - CITY_OFFSET + 24 * HOUR; day < Date.now(); day += 24 * HOUR) {
    clock = new Date(day);
    await service.sweep();
  }
  clock = new Date();
  await service.sweep();
  return { orders };
}
