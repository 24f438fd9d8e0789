import { checkLabelName } from './exposition';

/** Label name/value pairs of a grouping key, `job` first. */
export type GroupingKey = readonly (readonly [string, string])[];

/**
 * The Pushgateway path of a group: `/metrics/job/<job>{/<label>/<value>}`. A value that holds a
 * `/` or is empty cannot be a path segment: it goes base64url-encoded after `<label>@base64`
 * (an empty value as `=`), as the Pushgateway's README prescribes; other values are URI-encoded.
 * @throws Error when the key does not start with a non-empty job or has an invalid label name
 */
export function groupingPath(key: GroupingKey): string {
  const [first] = key;
  if (first?.[0] !== 'job' || first[1] === '') throw new Error('a grouping key starts with a non-empty job label');
  const segments = ['metrics'];
  for (const [name, value] of key) {
    checkLabelName(name);
    if (value === '' || value.includes('/')) segments.push(`${name}@base64`, Buffer.from(value, 'utf8').toString('base64url') || '=');
    else segments.push(name, encodeURIComponent(value));
  }
  return `/${segments.join('/')}`;
}
