/** A problem's status as the pages show it (web/src/pages/problems/labels.ts STATUS), for exports and messages. */
export const PROBLEM_STATUS_NAMES: Record<string, string> = {
  new: '新收', triaged: '已分拣', dispatched: '已派发', replied: '已答复', closed: '已办结', redirected: '已引导', merged: '已合并',
};
