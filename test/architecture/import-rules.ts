/**
 * The layering rules of server/, checked on the import graph (issue 12):
 * - fhir-kit/ is the bottom layer: it imports nothing else of the server;
 * - store/ imports only itself, fhir-kit/ and context.ts: never the HTTP layer (fhir/) nor a domain;
 * - any other folder is a domain whose `index.ts` is its door: from outside, import only that file;
 * - no import circle, whatever the files.
 * Type-only imports count: a type import still ties a layer to another.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Repo-relative POSIX path of a file → the repo-relative files it imports (relative specifiers only). */
export type ImportGraph = Map<string, string[]>;

/** Layers below the domains; their files are imported one by one (no index.ts door). */
const KIT = 'server/fhir-kit/';
const STORE = 'server/store/';
const STORE_MAY_IMPORT = [KIT, STORE, 'server/context.ts'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Every module specifier of a file: import / export … from, import type, `import('…')` and
 * `typeof import('…')`. An AST walk rather than ts.preProcessFile, which misses `export * as ns from`.
 */
export function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The import graph of the files below `folder` (repo-relative), as the repository holds them. */
export function readImportGraph(repoRoot: string, folder = 'server'): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of sourceFiles(path.join(repoRoot, folder))) {
    const from = path.relative(repoRoot, file).split(path.sep).join('/');
    const targets = moduleSpecifiers(file, fs.readFileSync(file, 'utf8'))
      .filter((s) => s.startsWith('./') || s.startsWith('../'))
      .map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(from), s)));
    graph.set(from, [...new Set(targets)].sort());
  }
  return graph;
}

/** `server/rcp/boards.ts` → `server/rcp/`; a file directly in server/ has no folder. */
function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'server' && parts.length > 2 ? `server/${parts[1]}/` : undefined;
}

function layerViolation(from: string, to: string): string | undefined {
  if (from.startsWith(KIT) && !to.startsWith(KIT) && to.startsWith('server/')) {
    return `${from} → ${to}: fhir-kit/ is the bottom layer and imports nothing else of the server`;
  }
  if (from.startsWith(STORE) && to.startsWith('server/') && !STORE_MAY_IMPORT.some((p) => to === p || (p.endsWith('/') && to.startsWith(p)))) {
    return `${from} → ${to}: the store imports only store/, fhir-kit/ and context.ts (not the HTTP layer nor a domain)`;
  }
  return undefined;
}

function doorViolation(from: string, to: string): string | undefined {
  const folder = folderOf(to);
  if (!folder || folder === KIT || folder === STORE || from.startsWith(folder)) return undefined;
  if (to === `${folder}index.ts`) return undefined;
  return `${from} → ${to}: import ${folder} through ${folder}index.ts, its door`;
}

/** Import circles: the strongly connected components of more than one file (or a file importing itself). */
export function importCircles(graph: ImportGraph): string[][] {
  // Tarjan's algorithm, iterative so that a long chain of imports cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edges: string[]; at: number }[] = [];
    const enter = (node: string) => {
      index.set(node, next);
      low.set(node, next++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, edges: (graph.get(node) ?? []).filter((t) => graph.has(t)), at: 0 });
    };
    enter(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      if (frame.at < frame.edges.length) {
        const target = frame.edges[frame.at++]!;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || graph.get(frame.node)!.includes(frame.node)) circles.push(component.sort());
    }
  }
  return circles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Every broken rule, one line each, naming the files involved. */
export function importRuleViolations(graph: ImportGraph): string[] {
  const violations: string[] = [];
  for (const [from, targets] of graph) {
    if (!from.startsWith('server/')) continue;
    for (const to of targets) {
      const broken = layerViolation(from, to) ?? doorViolation(from, to);
      if (broken) violations.push(broken);
    }
  }
  for (const circle of importCircles(graph)) violations.push(`import circle: ${circle.join(' ↔ ')}`);
  return violations;
}
