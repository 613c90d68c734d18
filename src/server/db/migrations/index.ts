import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_capture.ts';
import * as m0003 from './0003_forms.ts';
import * as m0004 from './0004_scoring.ts';
import * as m0005 from './0005_routing.ts';
import * as m0006 from './0006_outbox.ts';
import * as m0007 from './0007_sla.ts';
import * as m0008 from './0008_commitments.ts';
import * as m0009 from './0009_handoff.ts';
import * as m0010 from './0010_sla_queue.ts';
import * as m0011 from './0011_attribution.ts';
import * as m0012 from './0012_planning.ts';
import * as m0013 from './0013_plan_pace.ts';
import * as m0014 from './0014_audit_log.ts';
import * as m0015 from './0015_rejecter_skipped.ts';
import * as m0016 from './0016_reporting_settings.ts';
import * as m0017 from './0017_won_reason.ts';
import * as m0018 from './0018_erasure.ts';
import * as m0019 from './0019_sign_in_security.ts';
import * as m0020 from './0020_consent_purposes.ts';
import * as m0021 from './0021_retention.ts';
import * as m0022 from './0022_setup.ts';
import * as m0023 from './0023_holiday_regions.ts';
import * as m0024 from './0024_import_jobs.ts';
import * as m0025 from './0025_webhooks.ts';
import * as m0026 from './0026_action_links.ts';
import * as m0027 from './0027_webhook_contacts.ts';
import * as m0028 from './0028_notification_reads.ts';
import * as m0029 from './0029_alert_channels.ts';
import * as m0030 from './0030_contact_search.ts';
import * as m0031 from './0031_saved_views.ts';
import * as m0032 from './0032_mail_log_addresses.ts';
import * as m0033 from './0033_mail_meetings.ts';
import * as m0034 from './0034_mail_log_settings.ts';
import * as m0035 from './0035_mailbox_connections.ts';
import * as m0036 from './0036_stage_change_messages.ts';
import * as m0037 from './0037_tasks.ts';
import * as m0038 from './0038_campaign_members.ts';
import * as m0039 from './0039_connectors.ts';
import * as m0040 from './0040_connection_links_removed.ts';
import * as m0041 from './0041_sla_breached_index.ts';
import * as m0042 from './0042_contacts_account_partial_index.ts';
import * as m0043 from './0043_report_period_indexes.ts';
import * as m0044 from './0044_sla_clock_days.ts';
import * as m0045 from './0045_covering_cohort_indexes.ts';
import * as m0046 from './0046_attribution_live_credits.ts';
import * as m0047 from './0047_contact_stage_firsts.ts';
import * as m0048 from './0048_fate_covering_indexes.ts';
import * as m0049 from './0049_assignment_covering_index.ts';
import * as m0050 from './0050_handoff_fates.ts';
import * as m0051 from './0051_deal_report_indexes.ts';
import * as m0052 from './0052_contact_search_pending.ts';
import * as m0053 from './0053_speed_to_lead_per_handover.ts';
import * as m0054 from './0054_table_versions.ts';
import * as m0055 from './0055_campaign_stage_entries.ts';
import * as m0056 from './0056_campaign_entries_period_index.ts';
import * as m0057 from './0057_funnel_cohorts.ts';
import * as m0058 from './0058_attribution_stale_flag.ts';
import * as m0059 from './0059_rep_speeds.ts';
import * as m0060 from './0060_rep_speed_days.ts';
import * as m0061 from './0061_rep_speeds_by_handover.ts';
import * as m0062 from './0062_team_speeds.ts';
import * as m0063 from './0063_webhook_batches.ts';
import * as m0064 from './0064_webhook_message_retention.ts';
import * as m0065 from './0065_outbox_text_retention.ts';
import * as m0066 from './0066_unassigned_queue_closed.ts';

/** Every migration, in order. Adding one means adding a line here; nothing is loaded from disk by name. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_capture': m0002,
  '0003_forms': m0003,
  '0004_scoring': m0004,
  '0005_routing': m0005,
  '0006_outbox': m0006,
  '0007_sla': m0007,
  '0008_commitments': m0008,
  '0009_handoff': m0009,
  '0010_sla_queue': m0010,
  '0011_attribution': m0011,
  '0012_planning': m0012,
  '0013_plan_pace': m0013,
  '0014_audit_log': m0014,
  '0015_rejecter_skipped': m0015,
  '0016_reporting_settings': m0016,
  '0017_won_reason': m0017,
  '0018_erasure': m0018,
  '0019_sign_in_security': m0019,
  '0020_consent_purposes': m0020,
  '0021_retention': m0021,
  '0022_setup': m0022,
  '0023_holiday_regions': m0023,
  '0024_import_jobs': m0024,
  '0025_webhooks': m0025,
  '0026_action_links': m0026,
  '0027_webhook_contacts': m0027,
  '0028_notification_reads': m0028,
  '0029_alert_channels': m0029,
  '0030_contact_search': m0030,
  '0031_saved_views': m0031,
  '0032_mail_log_addresses': m0032,
  '0033_mail_meetings': m0033,
  '0034_mail_log_settings': m0034,
  '0035_mailbox_connections': m0035,
  '0036_stage_change_messages': m0036,
  '0037_tasks': m0037,
  '0038_campaign_members': m0038,
  '0039_connectors': m0039,
  '0040_connection_links_removed': m0040,
  '0041_sla_breached_index': m0041,
  '0042_contacts_account_partial_index': m0042,
  '0043_report_period_indexes': m0043,
  '0044_sla_clock_days': m0044,
  '0045_covering_cohort_indexes': m0045,
  '0046_attribution_live_credits': m0046,
  '0047_contact_stage_firsts': m0047,
  '0048_fate_covering_indexes': m0048,
  '0049_assignment_covering_index': m0049,
  '0050_handoff_fates': m0050,
  '0051_deal_report_indexes': m0051,
  '0052_contact_search_pending': m0052,
  '0053_speed_to_lead_per_handover': m0053,
  '0054_table_versions': m0054,
  '0055_campaign_stage_entries': m0055,
  '0056_campaign_entries_period_index': m0056,
  '0057_funnel_cohorts': m0057,
  '0058_attribution_stale_flag': m0058,
  '0059_rep_speeds': m0059,
  '0060_rep_speed_days': m0060,
  '0061_rep_speeds_by_handover': m0061,
  '0062_team_speeds': m0062,
  '0063_webhook_batches': m0063,
  '0064_webhook_message_retention': m0064,
  '0065_outbox_text_retention': m0065,
  '0066_unassigned_queue_closed': m0066,
};
