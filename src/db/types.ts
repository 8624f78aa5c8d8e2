import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types for Kysely; the schema itself is in migrations/*.sql. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, T | string, T | string>;

export interface RegionTable {
  code: string;
  name: string;
  level: 'province' | 'city' | 'county' | 'township';
  parent_code: string | null;
  sort: ColumnType<number, number | undefined, number>;
  /** names from before a reform, still written in addresses */
  former_names: ColumnType<string[], string[] | undefined, string[]>;
}

export interface EnforcementDomainTable {
  code: string;
  name: string;
  sort: ColumnType<number, number | undefined, number>;
  builtin: ColumnType<boolean, boolean | undefined, boolean>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ReportKindTable {
  code: string;
  name: string;
  sort: number;
}

export interface ChannelTable {
  code: string;
  name: string;
  adapter: string;
  field_mapping: Json;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface RoleTable {
  code: string;
  name: string;
  description: string;
  permissions: string[];
  sort: number;
}

export type UnitKind = 'government' | 'department' | 'office' | 'team' | 'township' | 'other';

export interface UnitTable {
  id: Generated<number>;
  name: string;
  kind: UnitKind;
  parent_id: number | null;
  path: ColumnType<string, string | undefined, string>;
  region_code: string | null;
  domains: ColumnType<string[], string[] | undefined, string[]>;
  sort: ColumnType<number, number | undefined, number>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  unit_id: number;
  phone_enc: string | null;
  phone_mask: string | null;
  password_hash: string;
  password_changed_at: Timestamp;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  failed_logins: ColumnType<number, number | undefined, number>;
  locked_until: Date | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  last_login_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface RoleGrantTable {
  id: Generated<number>;
  user_id: number;
  role: string;
  unit_id: number;
  granted_by: number | null;
  created_at: Generated<Date>;
}

export interface UserSessionTable {
  id: string;
  user_id: number;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiKeyTable {
  id: Generated<number>;
  name: string;
  channel_code: string;
  prefix: string;
  key_hash: string;
  created_by: number | null;
  created_at: Generated<Date>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Date;
  actor_user_id: number | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  unit_id: number | null;
  ip: string | null;
  summary: Json;
  /** position in the hash chain, given when the row is sealed after its transaction committed; null until then */
  seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface JobTable {
  id: Generated<number>;
  kind: string;
  payload: Json;
  unique_key: string | null;
  state: ColumnType<'queued' | 'running' | 'done' | 'failed', 'queued' | 'running' | 'done' | 'failed' | undefined>;
  run_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

export interface JobScheduleTable {
  name: string;
  cron: string;
  kind: string;
  payload: Json;
  next_run_at: Date | null;
  last_run_at: Date | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface RateLimitTable {
  key: string;
  hits: number;
  window_end: Date;
}

export interface CalendarDayTable {
  day: string;
  is_workday: boolean;
  note: string;
}

export interface CalendarYearTable {
  year: number;
  source: string;
  published_at: string | null;
}

export interface DeadlinePolicyTable {
  id: Generated<number>;
  purpose: 'handle' | 'sign';
  kind_code: string | null;
  urgency: 'normal' | 'urgent';
  amount: number;
  amount_unit: 'working_days' | 'hours';
  note: string;
}

export interface AppSettingTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface SchemaMigrationTable {
  name: string;
  applied_at: Generated<Date>;
}

export interface ImportBatchTable {
  id: Generated<number>;
  channel: string;
  origin: 'cli' | 'api' | 'web' | 'form' | 'seed';
  file_name: string | null;
  created_by: number | null;
  api_key_id: number | null;
  state: ColumnType<'running' | 'done' | 'failed', 'running' | 'done' | 'failed' | undefined>;
  read: ColumnType<number, number | undefined, number>;
  inserted: ColumnType<number, number | undefined, number>;
  changed: ColumnType<number, number | undefined, number>;
  repeats: ColumnType<number, number | undefined, number>;
  rejected: ColumnType<number, number | undefined, number>;
  error: string | null;
  started_at: Generated<Date>;
  finished_at: Date | null;
  progress_at: Generated<Date>;
  bytes_total: number | null;
  bytes_read: number | null;
  unknown_columns: ColumnType<string[], string[] | undefined, string[]>;
  notices: ColumnType<string[], string[] | undefined, string[]>;
}

export interface ImportErrorTable {
  id: Generated<number>;
  batch_id: number;
  row_no: number | null;
  external_id: string | null;
  field: string | null;
  message: string;
}

export interface RawRecordTable {
  id: Generated<number>;
  channel: string;
  external_id: string;
  version: number;
  content_hash: string;
  payload: Json;
  batch_id: number | null;
  received_at: Generated<Date>;
}

export type ProblemStatus = 'new' | 'triaged' | 'dispatched' | 'replied' | 'closed' | 'redirected' | 'merged';

export interface ProblemTable {
  id: Generated<number>;
  tracking_code: string;
  channel: string;
  title: string;
  body: string;
  kind_code: string | null;
  kind_text: string | null;
  domain_code: ColumnType<string | null, string | null | undefined, string | null>;
  reported_at: Date;
  address: string | null;
  region_text: string | null;
  region_code: string | null;
  target_text: string | null;
  unit_text: string | null;
  reporter_name_enc: string | null;
  reporter_name_mask: string | null;
  reporter_phone_enc: string | null;
  reporter_phone_mask: string | null;
  reporter_phone_index: string | null;
  confidential: boolean;
  status: ColumnType<ProblemStatus, ProblemStatus | undefined, ProblemStatus>;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  source_count: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  triage: ColumnType<TriageResult | null, string | null | undefined, string | null>;
  triaged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  misconduct: ColumnType<string[], string[] | undefined, string[]>;
  merged_into: ColumnType<number | null, number | null | undefined, number | null>;
  minhash: ColumnType<number[] | null, number[] | null | undefined, number[] | null>;
  redirect_reason: ColumnType<string | null, string | null | undefined, string | null>;
  target_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** jieba tokens with positions; null until the search.index job has indexed the problem. */
  search_tsv: ColumnType<string | null, string | null | undefined, string | null>;
  /** words that can name a hot topic (triage/hot-topics.ts topicTerms); null until the search indexer computes them */
  topic_terms: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
}

export type TriageGuess = { code: string | null; label: string; confidence: number; evidence: string[]; source: 'model' | 'lexicon' };
export type TriageResult = {
  domain: TriageGuess | null;
  kind: TriageGuess | null;
  misconduct: { category: string; terms: string[] }[];
  duplicates?: { id: number; similarity: number; merged: boolean }[];
  /** A matter the city does not dispatch (诉讼, 信访…), proposed for redirection. */
  exclusion?: { category: string; terms: string[] } | null;
  /** The party complained about: from the channel's field, or found in the text. */
  target?: { text: string; key: string; source: 'channel' | 'text' } | null;
  /** The unit the routing rules propose. */
  route?: { unitId: number; unitName: string; ruleId: number | null; basis?: string } | null;
};

export interface ProblemSourceTable {
  id: Generated<number>;
  problem_id: number;
  raw_record_id: number;
  channel: string;
  external_id: string;
  version: number;
  link_reason: 'origin' | 'version' | 'merged';
  source_state: string | null;
  handled_by: string | null;
  reply: string | null;
  replied_at: Date | null;
  satisfaction: string | null;
  linked_at: Generated<Date>;
}

export interface ColumnMappingTable {
  id: Generated<number>;
  channel: string;
  name: string;
  mapping: Json<Record<string, string>>;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface AttachmentTable {
  id: Generated<number>;
  problem_id: number;
  file_name: string;
  content_type: string;
  size_bytes: number;
  digest: string;
  data: Buffer;
  uploaded_by: number | null;
  created_at: Generated<Date>;
}

export interface UploadTokenTable {
  token_hash: string;
  problem_id: number;
  expires_at: Date;
}

export interface TriageModelTable {
  id: Generated<number>;
  target: 'domain' | 'kind';
  version: number;
  labels: string[];
  buckets: number;
  weights: Buffer;
  bias: Buffer;
  idf: Buffer;
  metrics: Json;
  trained_on: Json;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Generated<Date>;
}

export interface TriageLabelMapTable {
  target: 'domain' | 'kind';
  label: string;
  code: string;
}

export interface TriageLexiconTable {
  target: 'domain' | 'kind';
  code: string;
  term: string;
  weight: ColumnType<number, number | undefined, number>;
}

export interface TriageFeedbackTable {
  id: Generated<number>;
  problem_id: number;
  target: 'domain' | 'kind';
  predicted: string | null;
  chosen: string;
  user_id: number | null;
  created_at: Generated<Date>;
}

export interface MisconductTermTable {
  category: string;
  term: string;
}

export interface ProblemLshTable {
  band: number;
  bucket: number;
  problem_id: number;
  reported_at: Date;
}

export interface ProblemMergeTable {
  id: Generated<number>;
  from_problem_id: number;
  into_problem_id: number;
  source_ids: number[];
  from_status: string;
  similarity: number;
  reason: string;
  merged_by: number | null;
  merged_at: Generated<Date>;
  split_by: number | null;
  split_at: Date | null;
}

export interface RoutingRuleTable {
  id: Generated<number>;
  domain_code: string;
  region_code: string | null;
  kind_code: string | null;
  unit_id: number;
  note: ColumnType<string, string | undefined, string>;
  created_by: number | null;
  created_at: Generated<Date>;
  retired_by: number | null;
  retired_at: Date | null;
}

export interface ExclusionTermTable {
  category: string;
  term: string;
}

export type UserWordCategory = 'place' | 'unit' | 'term' | 'other';

export interface UserWordTable {
  word: string;
  category: ColumnType<UserWordCategory, UserWordCategory | undefined, UserWordCategory>;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface UserWordStampTable {
  id: Generated<boolean>;
  stamp: string;
  updated_at: Timestamp;
}

export interface TriageExampleTable {
  id: Generated<number>;
  target: 'domain' | 'kind';
  text: string;
  label: string;
}

export type WorkOrderState = 'pending_sign' | 'handling' | 'replied' | 'follow_up' | 'closed' | 'returned' | 'transferred';
export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'unsatisfied' | 'unrated';
export type ExtensionRequest = { deadline: string; reason: string; byUserId: number | null; byLabel: string; at: string };

export interface WorkOrderTable {
  id: Generated<number>;
  problem_id: number;
  unit_id: number;
  role: 'lead' | 'assist';
  lead_order_id: number | null;
  previous_order_id: number | null;
  state: WorkOrderState;
  urgency: ColumnType<'normal' | 'urgent', 'normal' | 'urgent' | undefined, 'normal' | 'urgent'>;
  instructions: ColumnType<string, string | undefined, string>;
  dispatched_at: Timestamp;
  dispatched_by: number | null;
  sign_deadline: Timestamp;
  signed_at: Timestamp | null;
  clock_started_at: Timestamp;
  deadline: Timestamp;
  deadline_amount: number;
  deadline_unit: 'working_days' | 'hours' | 'fixed';
  deadline_provisional: ColumnType<boolean, boolean | undefined, boolean>;
  replied_at: Timestamp | null;
  closed_at: Timestamp | null;
  redo_count: ColumnType<number, number | undefined, number>;
  units_passed: ColumnType<number, number | undefined, number>;
  reminded_at: Timestamp | null;
  sign_overdue_at: Timestamp | null;
  overdue_at: Timestamp | null;
  listed_at: Timestamp | null;
  listed_deadline: Timestamp | null;
  listed_reason: string | null;
  listed_overdue_at: Timestamp | null;
  escalated_at: Timestamp | null;
  escalation_reason: string | null;
  extension_request: Json<ExtensionRequest> | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface WorkEventTable {
  id: Generated<number>;
  work_order_id: number;
  problem_id: number;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  actor_user_id: number | null;
  actor_label: string;
  note: ColumnType<string, string | undefined, string>;
  data: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, Record<string, unknown> | string>;
  at: Timestamp;
}

export interface WorkReplyTable {
  id: Generated<number>;
  work_order_id: number;
  content: string;
  measures: ColumnType<string, string | undefined, string>;
  basis: ColumnType<string, string | undefined, string>;
  result: ColumnType<string, string | undefined, string>;
  replied_by: number | null;
  replied_at: Timestamp;
  quality: Json<Record<string, unknown>> | null;
  review: 'accepted' | 'rejected' | null;
  review_reason: string | null;
  reviewed_by: number | null;
  reviewed_at: Timestamp | null;
}

export interface FollowUpTable {
  id: Generated<number>;
  work_order_id: number;
  problem_id: number;
  unit_id: number;
  satisfaction: Satisfaction;
  comment: ColumnType<string, string | undefined, string>;
  method: 'phone' | 'sms' | 'visit' | 'public_page';
  recorded_by: number | null;
  at: Timestamp;
}

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  title: string;
  body: ColumnType<string, string | undefined, string>;
  work_order_id: number | null;
  dedupe_key: string | null;
  created_at: Generated<Date>;
  read_at: Timestamp | null;
}

export interface OutboxTable {
  id: Generated<number>;
  channel: 'sms' | 'wechat' | 'mail';
  user_id: number | null;
  subject: string;
  body: string;
  dedupe_key: string | null;
  state: ColumnType<'pending' | 'sent' | 'failed', 'pending' | 'sent' | 'failed' | undefined>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: Generated<Date>;
}

export interface DB {
  region: RegionTable;
  enforcement_domain: EnforcementDomainTable;
  report_kind: ReportKindTable;
  channel: ChannelTable;
  role: RoleTable;
  unit: UnitTable;
  app_user: AppUserTable;
  role_grant: RoleGrantTable;
  user_session: UserSessionTable;
  api_key: ApiKeyTable;
  audit_log: AuditLogTable;
  job: JobTable;
  job_schedule: JobScheduleTable;
  rate_limit: RateLimitTable;
  calendar_day: CalendarDayTable;
  calendar_year: CalendarYearTable;
  deadline_policy: DeadlinePolicyTable;
  app_setting: AppSettingTable;
  schema_migration: SchemaMigrationTable;
  import_batch: ImportBatchTable;
  import_error: ImportErrorTable;
  raw_record: RawRecordTable;
  problem: ProblemTable;
  problem_source: ProblemSourceTable;
  column_mapping: ColumnMappingTable;
  attachment: AttachmentTable;
  upload_token: UploadTokenTable;
  triage_model: TriageModelTable;
  triage_label_map: TriageLabelMapTable;
  triage_lexicon: TriageLexiconTable;
  triage_feedback: TriageFeedbackTable;
  misconduct_term: MisconductTermTable;
  problem_lsh: ProblemLshTable;
  problem_merge: ProblemMergeTable;
  routing_rule: RoutingRuleTable;
  exclusion_term: ExclusionTermTable;
  triage_example: TriageExampleTable;
  user_word: UserWordTable;
  user_word_stamp: UserWordStampTable;
  work_order: WorkOrderTable;
  work_event: WorkEventTable;
  work_reply: WorkReplyTable;
  follow_up: FollowUpTable;
  notification: NotificationTable;
  outbox: OutboxTable;
  stat_problem_day: StatProblemDayTable;
  stat_problem_month: StatProblemMonthTable;
  stat_order_day: StatOrderDayTable;
  stat_order_month: StatOrderMonthTable;
  stat_dirty_day: StatDirtyDayTable;
  analysis_report: AnalysisReportTable;
  risk_rule: RiskRuleTable;
  case_outcome: CaseOutcomeTable;
  warning: WarningTable;
  warning_event: WarningEventTable;
}

export type RiskSignalKind = 'volume' | 'misconduct' | 'target' | 'overdue_rate' | 'unsatisfied_rate' | 'redo' | 'lost_cases';
export type WarningLevel = 'blue' | 'yellow' | 'orange' | 'red';
export type WarningState = 'new' | 'assessed' | 'dispatched' | 'resolved' | 'dismissed';

export type CaseKind = 'reconsideration' | 'litigation';
export type CaseResult = 'upheld' | 'dismissed' | 'revoked' | 'altered' | 'unlawful' | 'ordered' | 'withdrawn' | 'mediated';

export interface CaseOutcomeTable {
  id: Generated<number>;
  kind: CaseKind;
  case_no: string;
  unit_id: number;
  domain_code: string | null;
  filed_on: ColumnType<string | null, string | null | undefined, string | null>;
  decided_on: ColumnType<string, string, string>;
  result: CaseResult;
  /** generated: revoked, altered, unlawful or ordered */
  lost: ColumnType<boolean, never, never>;
  summary: ColumnType<string, string | undefined, string>;
  created_by: number | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface RiskRuleTable {
  id: Generated<number>;
  code: string;
  name: string;
  signal: RiskSignalKind;
  params: Json;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  version: ColumnType<number, number | undefined, number>;
  replaced_by: ColumnType<number | null, number | null | undefined, number | null>;
  note: ColumnType<string, string | undefined, string>;
  created_by: number | null;
  created_at: Generated<Date>;
}

export interface WarningTable {
  id: Generated<number>;
  rule_id: number;
  rule_code: string;
  level: WarningLevel;
  scope_kind: 'domain_region' | 'target' | 'unit';
  scope_key: string;
  domain_code: string | null;
  region_code: string | null;
  unit_id: number | null;
  target_key: string | null;
  title: string;
  score: number;
  evidence: Json;
  state: ColumnType<WarningState, WarningState | undefined, WarningState>;
  started_on: Day;
  raised_on: Day;
  last_seen_on: Day;
  problem_id: ColumnType<number | null, number | null | undefined, number | null>;
  work_order_id: ColumnType<number | null, number | null | undefined, number | null>;
  closing_reason: ColumnType<string | null, string | null | undefined, string | null>;
  version: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface WarningEventTable {
  id: Generated<number>;
  warning_id: number;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  actor_user_id: number | null;
  actor_label: string;
  note: ColumnType<string, string | undefined, string>;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  at: Generated<Date>;
}

/** Rollup tables: days are city (Asia/Shanghai) days, as 'YYYY-MM-DD' strings. */
type Day = ColumnType<string, string, string>;

export interface StatProblemDayTable {
  day: Day;
  region_code: string | null;
  dim: string;
  value: string | null;
  n: number;
}

export interface StatProblemMonthTable {
  month: Day;
  region_code: string | null;
  dim: string;
  value: string | null;
  n: number;
}

type OrderCounts = {
  unit_id: number;
  region_code: string | null;
  dispatched: number;
  signed_on_time: number;
  closed: number;
  closed_on_time: number;
  rated: number;
  satisfied: number;
  unsatisfied: number;
  redone: number;
  overdue: number;
};
export type StatOrderDayTable = OrderCounts & { day: Day };
export type StatOrderMonthTable = OrderCounts & { month: Day };

export interface StatDirtyDayTable {
  id: Generated<number>;
  day: Day;
}

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface AnalysisReportTable {
  id: Generated<number>;
  period: string;
  period_kind: PeriodKind;
  title: string;
  docx: Buffer;
  xlsx: Buffer;
  summary: Json;
  generated_by: number | null;
  generated_at: Generated<Date>;
}

export type Unit = Selectable<UnitTable>;
export type AppUser = Selectable<AppUserTable>;
export type NewUnit = Insertable<UnitTable>;
export type UnitUpdate = Updateable<UnitTable>;
export type AuditRow = Selectable<AuditLogTable>;
