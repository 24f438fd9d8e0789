export { type LoginParams, loginAndWriteToken, loginFailed } from './login';
export { type LoginResponse, type TokenHandOver, writeLoginToken } from './token-file';
