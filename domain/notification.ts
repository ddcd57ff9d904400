/** What the processes notify: one list for the notify step's type and the feed's description. Pure. */
export const NOTIFICATION_TYPES = [
  'major_incident',
  'sla_warning',
  'sla_breach',
  'sla_not_computable',
  'change_impact',
  'improvement_action_reminder',
  'improvement_action_overdue',
  'ola_warning',
  'ola_breach',
  'request_warning',
  'request_breach',
  'service_review_due',
  'service_review_overdue',
  'ci_verification_overdue',
  'release_rolled_back',
  'release_support_extended',
  'transition_review_overdue',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];
