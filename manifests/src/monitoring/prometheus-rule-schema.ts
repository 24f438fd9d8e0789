import { z } from 'zod';

/**
 * The PrometheusRule kind (prometheus-operator, monitoring.coreos.com/v1), which kubernetes-models
 * does not ship: the fields of its CRD's schema that a rules file uses, strict, so that a misspelled
 * field fails here instead of being pruned by the API server. Source: the operator's
 * pkg/apis/monitoring/v1/prometheusrule_types.go (PrometheusRuleSpec, RuleGroup, Rule).
 */

/** The CRD's duration pattern (monitoringv1.Duration). */
const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
const duration = z.string().regex(DURATION, 'must be a Prometheus duration such as 5m or 1h30m');
const labelMap = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name'), z.string());

const ruleSchema = z
  .strictObject({
    alert: z.string().min(1).optional(),
    record: z.string().min(1).optional(),
    expr: z.union([z.string().min(1), z.number()]),
    for: duration.optional(),
    keep_firing_for: duration.optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .refine((r) => (r.alert === undefined) !== (r.record === undefined), 'a rule has exactly one of alert and record')
  .refine((r) => r.alert !== undefined || (r.for === undefined && r.keep_firing_for === undefined && r.annotations === undefined), 'a recording rule has no for, keep_firing_for or annotations');

const groupSchema = z.strictObject({
  name: z.string().min(1),
  interval: duration.optional(),
  query_offset: duration.optional(),
  limit: z.number().int().nonnegative().optional(),
  partial_response_strategy: z.string().optional(),
  labels: labelMap.optional(),
  rules: z.array(ruleSchema),
});

/** A PrometheusRule object, metadata included. */
export const prometheusRuleSchema = z.strictObject({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  kind: z.literal('PrometheusRule'),
  metadata: z.strictObject({
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be a DNS subdomain name'),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z.strictObject({
    groups: z.array(groupSchema).refine((gs) => new Set(gs.map((g) => g.name)).size === gs.length, 'group names must be unique'),
  }),
});

/** Validates a PrometheusRule; each problem carries a JSON pointer. Empty when valid. */
export function validatePrometheusRule(object: unknown): string[] {
  const result = prometheusRuleSchema.safeParse(object);
  if (result.success) return [];
  return result.error.issues.map((i) => {
    const pointer = `/${i.path.join('/')}`;
    const keys = (i as { keys?: string[] }).keys;
    return i.code === 'unrecognized_keys' && keys ? keys.map((k) => `${pointer === '/' ? '' : pointer}/${k}: unknown field "${k}"`).join(', ') : `${pointer}: ${i.message}`;
  });
}
