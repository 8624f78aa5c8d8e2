import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { backupDatabase, restoreDatabase } from './db/backup.ts';
import { DataDirBusyError } from './db/lock.ts';
import { loadConfig, type Config } from './lib/config.ts';
import { AppError } from './lib/errors.ts';
import { verifyAuditChain } from './modules/audit/service.ts';
import { importFile, normalizeReporterPhones, writeErrorReport } from './modules/intake/service.ts';
import { FileError } from './modules/intake/files.ts';
import { createTriageService, readLabelled } from './modules/triage/service.ts';
import { recordAudit } from './modules/audit/service.ts';
import { SYSTEM_ACTOR } from './modules/auth/access.ts';
import { demoLoginHelp, seedDemo } from './modules/seed/service.ts';
import { openRuntime, type Runtime } from './runtime.ts';
import { serve } from './server.ts';
import { createServices } from './app.ts';
import { PERIOD_PATTERN } from './lib/period.ts';
import { parseCityTime } from './lib/time.ts';
import { formatCityTime } from './lib/calendar.ts';
import { loadCalendar } from './modules/calendar/service.ts';
import { syncUserDictionary } from './modules/triage/dictionary.ts';
import pino from 'pino';
import { loggerOptions } from './lib/logger.ts';

/** Every CLI command honours DATA_DIR and DATABASE_URL like the server. */
async function withRuntime<T>(purpose: string, fn: (rt: Runtime, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = pino({ ...loggerOptions(config.logLevel === 'info' ? 'warn' : config.logLevel) }, pino.destination(2));
  const rt = await openRuntime(config, { purpose, logger });
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

// A reader that goes away (`zhd … | head`) must not crash a command halfway through its work.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});
const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** commander's own words (its help's headings, its parse errors) in Chinese, like the rest of the tool. */
const HELP_TITLES: Record<string, string> = { 'Usage:': '用法：', 'Options:': '选项：', 'Global Options:': '全局选项：', 'Commands:': '命令：', 'Arguments:': '参数：' };
const PARSE_ERRORS: [RegExp, string][] = [
  [/^error: missing required argument '(.+?)'/, '错误：缺少参数 $1'],
  [/^error: option '(.+?)' argument missing/, '错误：选项 $1 缺少取值'],
  [/^error: required option '(.+?)' not specified/, '错误：缺少必需的选项 $1'],
  [/^error: unknown option '(.+?)'/, '错误：不认识的选项 $1'],
  [/^error: unknown command '(.+?)'/, '错误：不认识的命令 $1'],
  [/^error: too many arguments.*/, '错误：参数过多'],
  [/\(Did you mean (one of )?(.+?)\?\)/, '（是不是要输入 $2？）'],
];
const program = new Command();
program.name('zhd').description('智慧督 行政执法监督平台 命令行工具')
  .configureHelp({
    styleTitle: (title) => HELP_TITLES[title] ?? title,
    styleUsage: (usage) => usage.replace('[options]', '[选项]').replace('[command]', '[命令]'),
    styleSubcommandTerm: (term) => term.replace('[options]', '[选项]'),
  })
  .configureOutput({ outputError: (text, write) => write(PARSE_ERRORS.reduce((s, [from, to]) => s.replace(from, to), text)) })
  .helpOption('-h, --help', '显示帮助')
  .helpCommand('help [command]', '显示某个命令的帮助')
  .showHelpAfterError('（运行 zhd --help 查看用法）');

program
  .command('serve')
  .description('启动服务（API 与网页），首次启动时迁移数据库并导入演示城市')
  .action(async () => {
    await serve(loadConfig());
  });

const db = program.command('db').description('数据库：迁移、备份、恢复、电话规范化');
db.command('migrate')
  .description('执行尚未应用的迁移')
  .action(() =>
    withRuntime('zhd db migrate', async (rt) => {
      out(`数据库已是最新结构（${rt.ctx.database.label}）`);
    }),
  );
db.command('backup <file>')
  .description('把整个数据库备份到一个文件（gzip 压缩的 JSON 行）')
  .action((file: string) =>
    withRuntime('zhd db backup', async (rt) => {
      const header = await backupDatabase(rt.ctx.db, file, (t, n) => err(`  备份 ${t}：${n} 行`));
      const total = Object.values(header.tables).reduce((a, b) => a + b, 0);
      out(`备份完成：${file}（${Object.keys(header.tables).length} 张表，共 ${total} 行）`);
    }),
  );
db.command('restore <file>')
  .description('用备份文件替换数据库中的全部数据（整体在一个事务内，失败则不改动）')
  .action((file: string) =>
    withRuntime('zhd db restore', async (rt) => {
      const header = await restoreDatabase(rt.ctx.db, file, (t, n) => err(`  恢复 ${t}：${n} 行`));
      await rt.ctx.db.transaction().execute((tx) => recordAudit(tx, SYSTEM_ACTOR, { action: 'db.restore', targetType: 'system', summary: { backupCreatedAt: header.createdAt } }));
      out(`恢复完成：来自 ${header.createdAt} 的备份`);
    }),
  );

db.command('normalize-phones')
  .description('把规范化之前入库的反映人电话（+86 139…、8613…、139-5530-7777）重新规范化：解密后重新加密、打码并重建盲索引；已规范的不动，可重复运行')
  .option('--json', '只输出一行 JSON 结果')
  .action((o: { json?: boolean }) =>
    withRuntime('zhd db normalize-phones', async (rt) => {
      const r = await normalizeReporterPhones(rt.ctx);
      if (o.json) out(JSON.stringify(r));
      else out(`检查 ${r.checked} 个反映人电话，重新规范化 ${r.changed} 个${r.unreadable ? `，${r.unreadable} 个无法解密（密钥不符或数据被改动），未改动` : ''}`);
    }),
  );

program
  .command('seed')
  .description('导入数据')
  .command('demo')
  .description('向空数据库导入演示城市（芜湖市）')
  .action(() =>
    withRuntime('zhd seed demo', async (rt, config) => {
      const r = await seedDemo(rt.ctx);
      out(`已导入演示城市：${r.units} 个单位，${r.users} 名演示人员，${r.reports} 条示例反映，${r.workOrders} 件工单`);
      out(demoLoginHelp(config.port));
    }),
  );

program
  .command('import <file>')
  .description('导入一个渠道的数据文件（CSV / XLSX / JSON 行 / JSON 数组）；同一文件重复导入不会重复入库')
  .requiredOption('--channel <code>', '渠道代码，如 hotline12345、people_board、portal_mailbox、wanshitong、gov_service、wechat、weibo、generic')
  .option('--mapping <name>', '使用已保存的列映射（通用导入）')
  .option('--json', '只输出一行 JSON 结果')
  .action((file: string, o: { channel: string; mapping?: string; json?: boolean }) =>
    withRuntime('zhd import', async (rt) => {
      // on a terminal, a bar over the file's bytes with the counts so far
      const bar = process.stderr.isTTY && !o.json && fs.existsSync(file)
        ? new cliProgress.SingleBar({ format: '导入 [{bar}] {percentage}% | 已读取 {read} 条：新增 {inserted}，更新 {changed}，重复 {repeats}，拒收 {rejected}', stream: process.stderr, hideCursor: true, barsize: 30 }, cliProgress.Presets.shades_classic)
        : null;
      const size = bar ? fs.statSync(file).size : 0;
      bar?.start(size, 0, { read: 0, inserted: 0, changed: 0, repeats: 0, rejected: 0 });
      const r = await importFile(rt.ctx, SYSTEM_ACTOR, { channel: o.channel, file, origin: 'cli', mappingName: o.mapping, onProgress: bar ? (p) => bar.update(Math.min(p.bytesRead ?? 0, size), p) : undefined })
        .then((done) => (bar?.update(size, done), done))
        .finally(() => bar?.stop());
      const errorReport = await writeErrorReport(rt.ctx, file, r.batchId);
      if (o.json) {
        out(JSON.stringify({ read: r.read, inserted: r.inserted, changed: r.changed, repeats: r.repeats, rejected: r.rejected, errorReport }));
      } else {
        out(`导入完成（批次 ${r.batchId}）：读取 ${r.read} 条，新增 ${r.inserted}，更新 ${r.changed}，重复 ${r.repeats}，拒收 ${r.rejected}`);
        if (r.unknownColumns.length) out(`未能识别的列（已原样保存，未用于解析）：${r.unknownColumns.join('、')}`);
        for (const notice of r.notices) out(`提示：${notice}`);
        if (errorReport) out(`拒收明细：${errorReport}`);
      }
    }).catch((e: Error) => {
      // with --json every ending is one line of JSON, a data directory in use by the server included
      if (o.json) out(JSON.stringify({ error: e.message }));
      throw e;
    }),
  );

const triage = program.command('triage').description('分拣：训练与评估分类模型');
/** The options both triage commands take: labelled JSON lines files, which fields are text, which is the label. */
const labelledData = (cmd: Command) =>
  cmd
    .requiredOption('--data <jsonl>', 'JSON 行文件（可重复）', (v: string, prev: string[]) => [...prev, v], [])
    .option('--text <fields>', '作为文本的字段，逗号分隔', 'title,body')
    .option('--label <field>', '标签字段', 'label')
    .option('--target <target>', '哪个分类器：domain（领域）或 kind（类型）', 'domain')
    .option('--json', '只输出一行 JSON');
labelledData(triage.command('train'))
  .description('用带标签的 JSON 行文件训练分类模型，保存为新版本并启用，输出交叉验证结果')
  .action((o: { data: string[]; text: string; label: string; target: string; json?: boolean }) =>
    withRuntime('zhd triage train', async (rt) => {
      if (o.target !== 'domain' && o.target !== 'kind') throw new AppError(400, 'VALIDATION', '--target 只能是 domain 或 kind');
      const docs = await readLabelled(o.data, o.text.split(','), o.label);
      if (!o.json) err(`读取 ${docs.length} 条，训练并做 5 折交叉验证…`);
      const r = await createTriageService(rt.ctx).train(SYSTEM_ACTOR, docs, { target: o.target, sources: o.data.map((f) => path.basename(f)) });
      const m = r.metrics;
      if (o.json) out(JSON.stringify({ version: r.version, n: m.n, accuracy: m.accuracy, macro_f1: m.macro_f1, per_class: m.per_class }));
      else {
        out(`模型 ${o.target} 第 ${r.version} 版已启用。交叉验证：准确率 ${(m.accuracy * 100).toFixed(1)}%，宏平均 F1 ${m.macro_f1.toFixed(4)}（${m.n} 条）`);
        for (const [label, c] of Object.entries(m.per_class)) out(`  ${label}：精确率 ${c.precision.toFixed(3)}，召回率 ${c.recall.toFixed(3)}，F1 ${c.f1.toFixed(3)}（${c.n} 条）`);
      }
    }),
  );
labelledData(triage.command('eval'))
  .description('用带标签的 JSON 行文件评估当前启用的模型')
  .action((o: { data: string[]; text: string; label: string; target: string; json?: boolean }) =>
    withRuntime('zhd triage eval', async (rt) => {
      const docs = await readLabelled(o.data, o.text.split(','), o.label);
      const r = await createTriageService(rt.ctx).evaluate(o.target as 'domain' | 'kind', docs);
      if (o.json) out(JSON.stringify({ n: r.n, accuracy: r.accuracy, macro_f1: r.macro_f1, per_class: r.per_class, msgs_per_s: r.msgs_per_s }));
      else out(`第 ${r.model_version} 版模型：${r.n} 条，准确率 ${(r.accuracy * 100).toFixed(1)}%，宏平均 F1 ${r.macro_f1.toFixed(4)}，分类速度 ${r.msgs_per_s} 条/秒`);
    }),
  );

program
  .command('calendar')
  .description('工作日历')
  .command('deadline')
  .description('按工作日历计算期限：从某一时刻起第 N 个工作日结束时（23:59:59，北京时间），或 N 小时后')
  .requiredOption('--from <time>', '起算时刻，如 2026-02-13T10:00:00+08:00')
  .option('--working-days <n>', '工作日数')
  .option('--hours <n>', '小时数')
  .option('--json', '输出一行 JSON')
  .action((o: { from: string; workingDays?: string; hours?: string; json?: boolean }) =>
    withRuntime('zhd calendar deadline', async (rt) => {
      const from = parseCityTime(o.from);
      if (!from) throw new AppError(400, 'VALIDATION', `--from 不是有效时间：${o.from}`);
      const amount = Number(o.workingDays ?? o.hours);
      if ((o.workingDays == null) === (o.hours == null) || !Number.isInteger(amount) || amount < 1) {
        throw new AppError(400, 'VALIDATION', '请给出 --working-days 或 --hours 之一，取正整数');
      }
      const d = (await loadCalendar(rt.ctx.db)).deadline(from, { amount, unit: o.hours != null ? 'hours' : 'working_days' });
      if (o.json) out(JSON.stringify({ deadline: formatCityTime(d.at), provisional: d.provisional }));
      else {
        out(formatCityTime(d.at));
        if (d.provisional) err('（暂定：期限跨入尚未录入节假日安排的年份，按周一至周五计算）');
      }
    }),
  );

program
  .command('report')
  .description('生成分析报告（Word 公文，可另存 Excel 表格）：月报 2026-10、季报 2026-Q3、年报 2026')
  .requiredOption('--period <period>', '期间：2026-10、2026-Q3 或 2026')
  .option('--out <file>', 'Word 文件路径（默认：<期间>-分析报告.docx）')
  .option('--xlsx <file>', '同时写出表格（Excel）')
  .option('--json', '输出一行 JSON')
  .action((o: { period: string; out?: string; xlsx?: string; json?: boolean }) =>
    withRuntime('zhd report', async (rt) => {
      if (!PERIOD_PATTERN.test(o.period)) throw new AppError(400, 'VALIDATION', `--period 格式不正确：${o.period}（应为 2026-10、2026-Q3 或 2026）`);
      const services = createServices(rt.ctx);
      await syncUserDictionary(rt.ctx); // hot topics in the report segment with the city's words
      if (!o.json) err(`正在生成 ${o.period} 分析报告（统计、图表、排版）…`);
      const r = await services.reports.generate(SYSTEM_ACTOR, o.period);
      const docx = path.resolve(o.out ?? `${o.period}-分析报告.docx`);
      fs.writeFileSync(docx, r.docx);
      const xlsx = o.xlsx ? path.resolve(o.xlsx) : null;
      if (xlsx) fs.writeFileSync(xlsx, r.xlsx);
      if (o.json) out(JSON.stringify({ id: r.id, period: r.period, title: r.title, docx, xlsx, problems: r.summary.problems }));
      else out(`${r.title}\n已写出 ${docx}${xlsx ? ` 与 ${xlsx}` : ''}（期内反映问题 ${r.summary.problems} 件）`);
    }),
  );

program
  .command('audit')
  .description('审计日志')
  .command('verify')
  .description('校验审计日志的 SM3 哈希链：通过输出 OK 并以 0 退出，否则指出第一处断裂并以 1 退出')
  .action(() =>
    withRuntime('zhd audit verify', async (rt) => {
      const r = await verifyAuditChain(rt.ctx.db);
      if (r.ok) {
        out(`OK 审计日志共 ${r.rows} 行，哈希链完整`);
      } else {
        out(`FAILED 审计日志第 ${r.brokenId} 行校验失败：${r.reason}（此前 ${r.rows} 行完好）`);
        process.exitCode = 1;
      }
    }),
  );

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof DataDirBusyError || e instanceof AppError || e instanceof FileError) err(e.message);
  else err(`出错：${(e as Error).message}`);
  process.exitCode = e instanceof DataDirBusyError ? 3 : 1;
}
