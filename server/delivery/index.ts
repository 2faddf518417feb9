/**
 * Sending what the DCC produces: the outbox worker, mail (MSSanté), FHIR push, the dispatcher
 * that decides who receives what, and the delivery follow-up.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { type DemoMailbox, startDemoMailbox } from './demo-mailbox.ts';
export { RCP_REPORT_EVENT, emitSharingEvent, registerSharingEvents, sharingEventKey, type RcpReportMessage } from './events.ts';
export { FhirPushClient } from './fhir-push.ts';
export { MailSender, type SharedEventKind } from './mail.ts';
export { deliveryRouter } from './routes.ts';
export { DeliveryWorker } from './worker.ts';
