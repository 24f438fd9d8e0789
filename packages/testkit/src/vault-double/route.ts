import type { Ctx, Reply } from './http-util';

/** One endpoint: methods, a pattern over the path after `/v1/`, and its handler. */
export interface Route {
  methods: string[];
  pattern: RegExp;
  handle: (ctx: Ctx, match: RegExpExecArray) => Promise<Reply> | Reply;
}

export const WRITE = ['PUT', 'POST'];
export const READ = ['GET'];

/** Vault's version string the double reports. */
export const VERSION = '1.17.6';
