/**
 * Sign-in: SAML, CPS card over mutual TLS, Pro Santé Connect, demo sign-in, sessions, and the
 * directory that links a signed-in professional to their Practitioner.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { cardSignInTracer } from './card-sign-ins.ts';
export { type DemoPki, ensureDemoPki } from './demo-pki.ts';
export { demoSignInRouter } from './demo-sign-in.ts';
export { Directory } from './directory.ts';
export { buildIdentify } from './identify.ts';
export { pscRouter } from './psc.ts';
export { authRouter, type SignInMethods } from './routes.ts';
export { samlRouter } from './saml.ts';
export { SessionManager } from './session.ts';
export { recordSignIn, type SignInDeps } from './sign-in.ts';
