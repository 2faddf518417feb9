/**
 * RCP workflow: boards (HealthcareService + CareTeam), sessions (Appointment), agendas (List),
 * case registrations (ServiceRequest + Task), quorum, decision and signed report (the RCP sheet),
 * the report queued for sending (outbox), 3C indicators and iCalendar feeds.
 *
 * Mount: `apis: [{ path: '/api/rcp', router: rcpApiRouter({ store }) }]`; invariants: `registerRcpRules(store)`.
 */
export { rcpApiRouter, type RcpApiDeps } from './routes.ts';
export { registerRcpRules } from './write-rules.ts';
export { checkQuorum, type Attendance, type QuorumResult, type QuorumRules } from './quorum.ts';
export { correctCase, discussCase, recordCase, saveDecision, signCase } from './decision.ts';
export { createBoard } from './boards.ts';
export { loadCase } from './case-store.ts';
export { AWAITING_REPORT_STATES, unsignedCasesOnCondition, type UnsignedCase } from './condition-cases.ts';
export { acceptCase, moveCase, registerCase, rejectCase, withdrawCase } from './cases.ts';
export { RCP_BOARD_ID_SYSTEM } from './codes.ts';
export { type RcpContext, searchOne } from './fhir-helpers.ts';
export { type Session } from './session-model.ts';
export { agendaNumbers, caseNumber } from './agenda.ts';
export { agendaOf, cancelSession, closeSession, generateSessions, listSessions, loadSession, setAttendance, startSession } from './sessions.ts';
export { closedCaseOfSheet, type ClosedSheetCase } from './sheet-case.ts';
