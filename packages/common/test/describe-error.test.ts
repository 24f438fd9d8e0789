import { AppError, describeError } from '../src/index';

describe('describeError', () => {
  it('joins the messages of an error and its causes, adding a system error code', () => {
    const cause = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(describeError(new AppError('SNAPSHOT_INCOMPLETE', 'stream broke off', { cause }))).toBe('stream broke off: socket hang up (ECONNRESET)');
  });

  it('shows a string cause but never a plain-object cause (no "[object Object]", no request options)', () => {
    expect(describeError(new Error('outer', { cause: 'inner text' }))).toBe('outer: inner text');
    expect(describeError(new Error('outer', { cause: { headers: { 'x-vault-token': 'hvs.secret' } } }))).toBe('outer');
  });
});
