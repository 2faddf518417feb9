import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { importCircles, importRuleViolations, moduleSpecifiers, readImportGraph, type ImportGraph } from './import-rules.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('Import rules of server/ (fhir-kit and store below the domains, index.ts doors, no circle)', () => {
  it('the server as it is keeps every rule', () => {
    const graph = readImportGraph(repoRoot);
    expect(graph.size).to.be.greaterThan(100);
    expect(graph.get('server/store/repository.ts')).to.include('server/fhir-kit/errors.ts');
    expect(importRuleViolations(graph)).to.deep.equal([]);
  });

  it('reads every kind of import, type-only and dynamic ones included', () => {
    const text = [
      "import type { A } from './a.ts';",
      "export { b } from './b.ts';",
      "export * as c from './c.ts';",
      "const d = await import('./d.ts');",
      "type E = typeof import('./e.ts');",
      "import './f.ts';",
      "import pg from 'pg';",
    ].join('\n');
    expect(moduleSpecifiers('x.ts', text)).to.deep.equal(['./a.ts', './b.ts', './c.ts', './d.ts', './e.ts', './f.ts', 'pg']);
  });

  it('reports a store or fhir-kit file that imports upwards, a deep import into a domain and a circle', () => {
    const graph: ImportGraph = new Map([
      ['server/fhir-kit/errors.ts', ['server/context.ts']],
      ['server/store/repository.ts', ['server/fhir-kit/errors.ts', 'server/context.ts', 'server/fhir/routes.ts']],
      ['server/store/indexer.ts', ['server/rcp/index.ts']],
      ['server/context.ts', []],
      ['server/fhir/routes.ts', ['server/store/repository.ts', 'server/rcp/boards.ts']],
      ['server/rcp/index.ts', ['server/rcp/boards.ts']],
      ['server/rcp/boards.ts', ['server/rcp/sessions.ts', 'server/fhir-kit/errors.ts']],
      ['server/rcp/sessions.ts', ['server/rcp/boards.ts']],
      ['server/care-plan/service.ts', ['server/rcp/index.ts']],
    ]);
    expect(importRuleViolations(graph)).to.deep.equal([
      'server/fhir-kit/errors.ts → server/context.ts: fhir-kit/ is the bottom layer and imports nothing else of the server',
      'server/store/repository.ts → server/fhir/routes.ts: the store imports only store/, fhir-kit/ and context.ts (not the HTTP layer nor a domain)',
      'server/store/indexer.ts → server/rcp/index.ts: the store imports only store/, fhir-kit/ and context.ts (not the HTTP layer nor a domain)',
      'server/fhir/routes.ts → server/rcp/boards.ts: import server/rcp/ through server/rcp/index.ts, its door',
      'import circle: server/fhir/routes.ts ↔ server/store/repository.ts',
      'import circle: server/rcp/boards.ts ↔ server/rcp/sessions.ts',
    ]);
  });

  it('finds a long circle and a file importing itself, and nothing in a tree', () => {
    const chain: ImportGraph = new Map([['a', ['b']], ['b', ['c']], ['c', ['d']], ['d', ['a']], ['e', ['e']], ['f', ['a']]]);
    expect(importCircles(chain)).to.deep.equal([['a', 'b', 'c', 'd'], ['e']]);
    expect(importCircles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).to.deep.equal([]);
  });
});
