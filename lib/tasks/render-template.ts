/**
 * Argument templates. Each element of `args` becomes exactly one argv entry, whatever the input
 * holds, because nothing is ever handed to a shell:
 *   "{{name}}"           the value of input.name as text (an arg that is only this is dropped when
 *                        the value is absent)
 *   "--n={{name}}"       the value inside a fixed text
 *   "{{flag ? -r}}"      the literal "-r" when input.flag is true, else no arg at all
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const CONDITIONAL = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\?\s*([^}]+?)\s*\}\}$/;
const ONLY_PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

export type Input = Record<string, unknown>;

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Names of the input fields a template refers to. */
export function templateFields(template: string): string[] {
  const conditional = CONDITIONAL.exec(template);
  if (conditional) return [conditional[1]!];
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

export function renderText(template: string, input: Input): string {
  return template.replace(PLACEHOLDER, (_, name: string) =>
    input[name] === undefined ? '' : asText(input[name]),
  );
}

export function renderArgs(templates: readonly string[], input: Input): string[] {
  const args: string[] = [];
  for (const template of templates) {
    const conditional = CONDITIONAL.exec(template);
    if (conditional) {
      if (input[conditional[1]!] === true) args.push(conditional[2]!);
      continue;
    }
    const only = ONLY_PLACEHOLDER.exec(template);
    if (only && input[only[1]!] === undefined) continue;
    args.push(renderText(template, input));
  }
  return args;
}
