export { type CatalogueRow, GROUPING_LABELS, KIND_STEPS, METRIC_PREFIX, type MetricsKind, metricCatalogue, RUN_METRICS, VALUE_METRICS, type ValueName } from './catalogue';
export { basicAuthOf, displayUrl, type MetricsConfig, metricsEnabled, metricsEnvShape } from './env';
export { formatValue, type MetricFamily, parseText, renderText, type Sample, TEXT_CONTENT_TYPE } from './exposition';
export { type GroupingKey, groupingPath } from './grouping';
export { type PushRequest, pushMetrics } from './push';
export { createRunMetrics, groupingKeyOf, type RunMetrics, runFamilies } from './run-metrics';
export { mergeFamilies, writeMetricsTextfile } from './textfile';
