import { readFileSync } from 'node:fs';
import ts from 'typescript';

/** A function of a source file and how many lines are its own (its nested functions' excluded). */
export interface FunctionShape {
  name: string;
  line: number;
  ownLines: number;
}

const isFunction = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isGetAccessor(node) ||
  ts.isSetAccessor(node) ||
  ts.isConstructorDeclaration(node);

function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

/**
 * Every function of a file with its own lines: the lines of its body that are not inside a function
 * nested in it, blank and comment-only lines left out. A factory that returns small functions is
 * short by this measure; a function that does everything in one flow is not.
 */
export function functionShapes(file: string): FunctionShape[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const lines = text.split('\n');
  const code = lines.map((line) => {
    const trimmed = line.trim();
    return (
      trimmed !== '' && !trimmed.startsWith('//') && !trimmed.startsWith('*') && !trimmed.startsWith('/*')
    );
  });
  const shapes: FunctionShape[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node) => {
    if (isFunction(node) && node.body) {
      const own = new Set<number>();
      for (let l = lineOf(node.body.getStart(source)); l <= lineOf(node.body.getEnd()); l += 1) {
        if (code[l]) own.add(l);
      }
      const dropNested = (child: ts.Node) => {
        if (isFunction(child) && child.body) {
          // The nested function's first line stays (it is a statement of this one), its body goes.
          for (let l = lineOf(child.body.getStart(source)) + 1; l <= lineOf(child.body.getEnd()); l += 1) {
            own.delete(l);
          }
          return;
        }
        ts.forEachChild(child, dropNested);
      };
      ts.forEachChild(node.body, dropNested);
      shapes.push({
        name: nameOf(node, source),
        line: lineOf(node.getStart(source)) + 1,
        ownLines: own.size,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return shapes;
}
